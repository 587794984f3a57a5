# aivideo: one entry point for building, testing and demoing.
#   make test   - installs what is missing, then runs every check (what CI runs)
#   make demo   - builds, starts the simulator, runs a real workflow end to end
#   make bench  - benchmarks (not part of make test)
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

WASM_BINDGEN_VERSION := 0.2.130
# The release wasm is built with this pinned nightly: `-Zbuild-std` with
# `panic=immediate-abort` drops the panic and formatting runtime (bench/RESULTS.md has the
# bytes). The stable toolchain builds the same code as the fallback (AIVIDEO_TOOLCHAIN=stable,
# or automatically when the nightly cannot be installed); make test runs the Node suite on it.
NIGHTLY := nightly-2026-05-20
NIGHTLY_FLAGS := -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Ctarget-feature=-reference-types,-multivalue
WASM_OPT_FLAGS := -Oz --converge --strip-producers --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals 
CRATE := aivideo
WASM_TARGET := wasm32-unknown-unknown
NODE_BIN := node_modules/.bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: setup setup-rust setup-apt setup-npm pkg pkg-js test-js pkg-stable lint unit test demo bench scale fuzz sim clean

setup: setup-rust setup-apt setup-npm

setup-rust:
	rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then
	  # No --locked: the CLI's lockfile names a webpki-roots the registry does not serve.
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force
	fi
	if [ "$${AIVIDEO_TOOLCHAIN:-nightly}" = nightly ] && ! [ -d "$$(rustup run $(NIGHTLY) rustc --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library" ]; then
	  rustup toolchain install $(NIGHTLY) --profile minimal --component rust-src --target $(WASM_TARGET) \
	    || echo "warning: $(NIGHTLY) could not be installed: the wasm is built with the stable toolchain (larger)" >&2
	fi

setup-apt:
	if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
	  $(SUDO) apt-get update -qq
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null
	fi

setup-npm:
	if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	  npm ci --no-audit --no-fund
	fi

# One build for every runtime: cargo → wasm-bindgen --target web → wasm-opt -Oz (`wasm`, into
# pkg/) → overlay js/ → npm pack (`pkg-js`). Sizes before and after wasm-opt land in
# target/sizes.txt.
pkg: setup-rust setup-npm
	bash tools/build-wasm.sh "$${AIVIDEO_TOOLCHAIN:-nightly}" pkg > target/wasm-build.txt
	# aivideo/validate: the same crate without the client feature, its own glue and wasm.
	bash tools/build-wasm.sh "$${AIVIDEO_TOOLCHAIN:-nightly}" pkg/validate --no-default-features > target/wasm-validate-build.txt
	$(MAKE) --no-print-directory pkg-js

# The JavaScript half alone, on the wasm already in pkg/: a change to the proxy, the
# coordinator, the CLI or an entry is packed in seconds (then `make test-js`).
pkg-js: setup-npm
	test -f pkg/aivideo_bg.wasm -a -f pkg/validate/aivideo_bg.wasm || { echo "pkg/ has no wasm yet: run make pkg once" >&2; exit 1; }
	rm -rf pkg/proxy pkg/coordinator
	cp -r js/. pkg/
	rm -f pkg/.gitignore
	cp LICENSE pkg/LICENSE
	# jsonSchema()'s schemas, written by the core from the model tables (src/schema.rs).
	cargo run --quiet --example schema > pkg/schemas.js
	# The parts of jose the proxy uses, bundled: the package has no dependency to install.
	node pkg-build/jose.mjs
	# aivideo/inline: the wasm as base64 inside the module (esbuild, Rollup, server bundles).
	node pkg-build/inline.mjs
	# aivideo/validate: the root's entries beside its own glue and wasm (pkg-build/validate.mjs).
	node pkg-build/validate.mjs
	node pkg-build/inline.mjs validate
	# require("aivideo"), require("aivideo/proxy"), require("aivideo/inline"): CommonJS builds
	# over one shared glue (pkg-build/cjs.mjs says which file holds what).
	node pkg-build/cjs.mjs
	# The modules only api.js imports, folded into it (one module to load, not four).
	node pkg-build/fold.mjs
	# Declarations for CommonJS consumers (TypeScript's node16/nodenext resolution wants .d.cts).
	sed 's#"\./aivideo\.js"#"./aivideo.cjs"#g' pkg/index.d.ts > pkg/index.d.cts
	sed 's#"\./aivideo\.js"#"./aivideo.cjs"#g' pkg/proxy.d.ts > pkg/proxy.d.cts
	cp pkg/aivideo.d.ts pkg/aivideo.d.cts
	# The npm page: the user-facing part of README.md (between the npm markers).
	node pkg-build/readme.mjs
	rm -f target/$(CRATE)-*.tgz
	(cd pkg && npm pack --silent --pack-destination ../target >/dev/null)
	tgz=$$(stat -c %s target/$(CRATE)-*.tgz)
	printf '%s; validate-only %s; tarball %s B\n' "$$(cat target/wasm-build.txt 2>/dev/null)" "$$(sed 's/^toolchain [^;]*; //' target/wasm-validate-build.txt 2>/dev/null)" $$tgz | tee target/sizes.txt

# The fast loop for the JavaScript half: repack on the existing wasm, reinstall the consumer
# project, run the Node suites (proxy, coordinator in workerd, CLI, simulator).
test-js: pkg-js
	node -e 'import("./tools/consumer.mjs").then((m) => m.makeConsumer())'
	node --test --test-concurrency=2 tests/node/*.test.mjs

# The fallback: the same crate built by the stable toolchain, glue and wasm only, into
# target/stable/ (tests/run.mjs runs the Node suite on it).
pkg-stable: setup-rust
	bash tools/build-wasm.sh stable target/stable

lint: setup-npm
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target $(WASM_TARGET) --lib -- -D warnings
	cargo clippy --target $(WASM_TARGET) --lib --no-default-features -- -D warnings
	! grep -rn 'window()' src
	# The pure core imports no wasm crates.
	! grep -rlE '(wasm_bindgen|js_sys|web_sys|gloo)' src --include=*.rs | grep -v '^src/wasm/'
	# The JavaScript we ship and run follows the same rules (headers, sizes, parameters, no cycles).
	node tools/js-architecture.mjs

unit:
	cargo test --quiet

test: setup lint unit pkg pkg-stable
	node tests/run.mjs

sim: setup-npm
	node sim/cli.mjs --port 8787 --time-scale 0.01

demo: setup pkg
	node tools/demo.mjs $(DEMO_ARGS)

bench: setup pkg
	node bench/run.mjs

# N simulated browsers wait through two proxy isolates in workerd, with and without the
# Durable Object coordinator (SCALE_ARGS="--waits 200" for a shorter run).
scale: setup pkg
	node tools/scale.mjs $(SCALE_ARGS)

clean:
	rm -rf pkg target/*.tgz

# A million generated payloads through the validator (make test runs 2000 of them).
fuzz:
	PROPTEST_CASES=1000000 cargo test --release --test contract_fuzz -- --nocapture
