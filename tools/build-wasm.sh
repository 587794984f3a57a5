#!/usr/bin/env bash
# Builds the crate to wasm and runs wasm-bindgen (--target web), esbuild --minify on its glue
# and wasm-opt into OUT_DIR.
#   tools/build-wasm.sh nightly|stable OUT_DIR [CARGO_ARGS…]
# CARGO_ARGS select the build: none for the full client, `--no-default-features` for the
# offline contract alone (aivideo/validate).
# nightly: the pinned toolchain from the Makefile with std rebuilt and panics as immediate
# aborts (no panic or formatting runtime); falls back to stable when that toolchain is
# missing. Prints one line: the toolchain used and the sizes before and after wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$1 out=$2
shift 2
nightly=$(sed -n 's/^NIGHTLY := //p' Makefile)
flags=$(sed -n 's/^NIGHTLY_FLAGS := //p' Makefile)
opt_flags=$(sed -n 's/^WASM_OPT_FLAGS := //p' Makefile)
target=wasm32-unknown-unknown
if [ "$want" = nightly ] && rustup run "$nightly" true 2>/dev/null; then
  RUSTFLAGS="$flags" cargo +"$nightly" build --release --target $target --lib -Zbuild-std=std,panic_abort \
    --target-dir target/nightly --quiet "$@" >&2
  wasm=target/nightly/$target/release/aivideo.wasm used=$nightly
else
  [ "$want" = nightly ] && echo "warning: $nightly is not installed: building with stable" >&2
  cargo build --release --target $target --lib --quiet "$@" >&2
  wasm=target/$target/release/aivideo.wasm used=stable
fi
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen "$wasm" --target web --out-dir "$out" --out-name aivideo
# The glue minified but for its names (a bundler shortens those itself; a client still logs
# as Client): what a page loads without a bundler (a CDN, Deno) is 5.4 KB gzip, not 8.3.
# Lines stay short (--line-limit): Node prints the whole source line of an uncaught throw,
# and one 27 KB line buried the message.
node_modules/.bin/esbuild "$out/aivideo.js" --minify-whitespace --minify-syntax --line-limit=160 --format=esm --log-level=warning --outfile="$out/aivideo.min.js"
mv "$out/aivideo.min.js" "$out/aivideo.js"
raw=$(stat -c %s "$out/aivideo_bg.wasm"); rawgz=$(gzip -9c "$out/aivideo_bg.wasm" | wc -c)
node_modules/.bin/wasm-opt $opt_flags "$out/aivideo_bg.wasm" -o "$out/aivideo_bg.wasm"
# Short import names in the wasm and the glue's matching keys (tools/short-imports.mjs).
node tools/short-imports.mjs "$out"
opt=$(stat -c %s "$out/aivideo_bg.wasm"); optgz=$(gzip -9c "$out/aivideo_bg.wasm" | wc -c)
printf 'toolchain %s; wasm raw %s B (gzip %s B) before wasm-opt; %s B (gzip %s B) after\n' "$used" "$raw" "$rawgz" "$opt" "$optgz"
