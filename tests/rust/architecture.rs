//! The architecture, checked by the compiler's test runner rather than by grep and review:
//! no import cycle between source files, a pure core (no wasm crates outside `src/wasm/`),
//! no file over 300 lines without its reason in its header, and the facts written in both
//! Rust and TypeScript kept equal (option keys; each model's payload fields, optionality and
//! allowed literals).

use aivideo::contract::{model, model_names, Type};
use aivideo::options::{self, CallOptions, CreateOptions, QuoteOptions, WaitOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("src is readable").flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/wasm/client.rs` → `wasm::client`; `src/validate/mod.rs` → `validate`.
fn module_name(path: &Path) -> String {
    let rel = path.strip_prefix("src").expect("under src").with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without comments (doc comments mention modules without using them).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn identifiers_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let after = &rest[i + prefix.len()..];
        let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        out.push(&after[..end]);
        rest = &after[end..];
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    let texts: Vec<(String, String)> =
        files.iter().map(|p| (module_name(p), code_of(&fs::read_to_string(p).expect("readable")))).collect();
    let names: BTreeSet<String> = texts.iter().map(|(n, _)| n.clone()).collect();
    let mut g = BTreeMap::new();
    for (name, code) in &texts {
        let mut deps = BTreeSet::new();
        for id in identifiers_after(code, "crate::") {
            deps.insert(id.to_string());
        }
        // `super::x` inside a folder module names a sibling.
        if let Some((parent, _)) = name.rsplit_once("::") {
            for id in identifiers_after(code, "super::") {
                deps.insert(format!("{parent}::{id}"));
            }
        } else if name != "lib" {
            for id in identifiers_after(code, "super::") {
                if names.contains(&format!("{name}::{id}")) {
                    deps.insert(format!("{name}::{id}"));
                }
            }
        }
        for id in identifiers_after(code, "mod ") {
            deps.remove(&format!("{name}::{id}"));
        }
        deps.retain(|d| names.contains(d) && d != name && d != "lib");
        g.insert(name.clone(), deps);
    }
    g
}

fn find_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys().find_map(|n| visit(n, g, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_cycle_between_source_files() {
    let g = graph();
    assert!(g.len() > 20, "found only {} source files", g.len());
    assert!(g["wasm::client"].contains("wasm::session"), "the graph sees edge imports");
    if let Some(cycle) = find_cycle(&g) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_core_imports_no_wasm_crate_and_no_edge_module() {
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    for p in files.iter().filter(|p| !p.starts_with("src/wasm")) {
        let code = code_of(&fs::read_to_string(p).expect("readable"));
        for banned in ["wasm_bindgen", "js_sys", "web_sys", "gloo", "crate::wasm"] {
            assert!(!code.contains(banned), "{} (core) uses {banned}", p.display());
        }
    }
}

#[test]
fn no_file_over_300_lines_without_a_reason_in_its_header() {
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    for p in files {
        let text = fs::read_to_string(&p).expect("readable");
        let header: String = text.lines().take_while(|l| l.starts_with("//!")).collect::<Vec<_>>().join("\n");
        assert!(!header.is_empty(), "{} has no header comment", p.display());
        let n = text.lines().count();
        assert!(
            n <= 300 || header.contains("Size:"),
            "{} has {n} lines and no `Size:` reason in its header",
            p.display()
        );
    }
}

// ---- The TypeScript declarations against the Rust facts they restate.

const TS_CLIENT: &str = include_str!("../../src/wasm/typescript.rs");
const TS_CONTRACT: &str = include_str!("../../src/wasm/offline.rs");

/// The body of `export interface NAME … { … }` and the names it extends.
fn interface<'a>(ts: &'a str, name: &str) -> (&'a str, Vec<String>) {
    let start = ts.find(&format!("export interface {name} ")).unwrap_or_else(|| panic!("no interface {name}"));
    let open = start + ts[start..].find('{').expect("interface body");
    let head = &ts[start..open];
    let extends = head
        .split_once("extends")
        .map(|(_, list)| list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let mut depth = 0;
    for (i, c) in ts[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return (&ts[open + 1..open + i], extends);
                }
            }
            _ => {}
        }
    }
    panic!("unclosed interface {name}")
}

/// Properties of a TS object body: name → (optional, type text). Comments are skipped.
fn properties(body: &str) -> BTreeMap<String, (bool, String)> {
    let mut out = BTreeMap::new();
    let code: String = body
        .lines()
        .map(|l| l.trim())
        .filter(|l| !l.starts_with("/**") && !l.starts_with('*') && !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut depth = 0;
    let mut segment_start = 0;
    let bytes: Vec<char> = code.chars().collect();
    let mut segments = Vec::new();
    for (i, c) in bytes.iter().enumerate() {
        match c {
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => depth -= 1,
            ';' if depth == 0 => {
                segments.push(bytes[segment_start..i].iter().collect::<String>());
                segment_start = i + 1;
            }
            _ => {}
        }
    }
    segments.push(bytes[segment_start..].iter().collect::<String>());
    for seg in segments {
        let seg = seg.trim().trim_start_matches("readonly ").trim();
        let Some(colon) = seg.find(':') else { continue };
        let (name, ty) = (seg[..colon].trim(), seg[colon + 1..].trim());
        let (name, optional) = match name.strip_suffix('?') {
            Some(n) => (n, true),
            None => (name, false),
        };
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.insert(name.to_string(), (optional, ty.to_string()));
        }
    }
    out
}

fn interface_keys(ts: &str, name: &str) -> BTreeSet<String> {
    let (body, extends) = interface(ts, name);
    let mut keys: BTreeSet<String> = properties(body).into_keys().collect();
    for parent in extends {
        keys.extend(interface_keys(ts, &parent));
    }
    keys
}

fn set(lists: &[&[&str]]) -> BTreeSet<String> {
    lists.iter().flat_map(|l| l.iter().map(|s| s.to_string())).collect()
}

#[test]
fn option_keys_match_the_typescript_interfaces() {
    let (call, create, wait, quote, validate) =
        (CallOptions::KEYS, CreateOptions::KEYS, WaitOptions::KEYS, QuoteOptions::KEYS, options::VALIDATE_KEYS);
    let cases: [(&str, BTreeSet<String>); 7] = [
        ("ClientOptions", set(&[options::CLIENT_KEYS])),
        ("CallOptions", set(&[call])),
        ("ValidateOptions", set(&[validate])),
        ("QuoteOptions", set(&[call, quote, validate])),
        ("CreateOptions", set(&[call, create, validate])),
        ("WaitOptions", set(&[call, wait])),
        ("WorkflowOptions", set(&[call, create, validate, wait])),
    ];
    for (name, rust) in cases {
        let ts = interface_keys(&format!("{TS_CLIENT}\n{TS_CONTRACT}"), name);
        assert_eq!(ts, rust, "{name}: TypeScript keys (left) differ from the Rust reader's (right)");
    }
}

/// `"a" | "b"` → {a, b}; numbers likewise.
fn literals(ty: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut strings = BTreeSet::new();
    let mut numbers = BTreeSet::new();
    for part in ty.split('|').map(str::trim) {
        if let Some(s) = part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
            strings.insert(s.to_string());
        } else if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) {
            numbers.insert(part.to_string());
        }
    }
    (strings, numbers)
}

/// The properties of a payload type: an interface, or a `type X = A & (B | C)` whose object
/// parts are merged (a property optional in any part is optional).
fn payload_properties(name: &str) -> BTreeMap<String, (bool, String)> {
    if TS_CONTRACT.contains(&format!("export interface {name} ")) {
        return properties(interface(TS_CONTRACT, name).0);
    }
    let start = TS_CONTRACT.find(&format!("export type {name} =")).unwrap_or_else(|| panic!("no type {name}"));
    let text = &TS_CONTRACT[start..];
    let end = text.find(";\nexport").unwrap_or(text.len());
    let mut merged: BTreeMap<String, (bool, String)> = BTreeMap::new();
    let mut rest = &text[..end];
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}').expect("closed object");
        for (k, (opt, ty)) in properties(&rest[open + 1..close]) {
            let entry = merged.entry(k).or_insert((opt, ty.clone()));
            entry.0 |= opt;
            if entry.1.contains("never") {
                entry.1 = ty;
            }
        }
        rest = &rest[close + 1..];
    }
    merged
}

fn resolve_alias(ty: &str) -> String {
    let marker = format!("type {ty} = ");
    match TS_CONTRACT.find(&marker) {
        Some(i) if ty.chars().all(|c| c.is_ascii_alphanumeric()) => {
            let rest = &TS_CONTRACT[i + marker.len()..];
            rest[..rest.find(';').unwrap_or(rest.len())].to_string()
        }
        _ => ty.to_string(),
    }
}

#[test]
fn payload_types_match_the_model_tables() {
    let payloads = properties(interface(TS_CONTRACT, "Payloads").0);
    let names: BTreeSet<String> = model_names().map(str::to_string).collect();
    assert_eq!(payloads.keys().cloned().collect::<BTreeSet<_>>(), names, "Payloads keys vs model tables");
    for (model_name, (_, type_name)) in payloads {
        let spec = model(&model_name).expect("model exists");
        let ts = payload_properties(type_name.trim());
        let fields: BTreeSet<String> = spec.fields.iter().map(|f| f.name.to_string()).collect();
        assert_eq!(ts.keys().cloned().collect::<BTreeSet<_>>(), fields, "{model_name}: TS fields vs table fields");
        for f in spec.fields {
            let (optional, ty) = &ts[f.name];
            assert_eq!(!optional, f.required, "{model_name}.{}: optional in TS exactly when not required", f.name);
            let (strings, numbers) = literals(&resolve_alias(ty));
            if !f.one_of.is_empty() {
                let table: BTreeSet<String> = f.one_of.iter().map(|s| s.to_string()).collect();
                assert_eq!(strings, table, "{model_name}.{}: allowed strings", f.name);
            }
            if !f.one_of_numbers.is_empty() {
                let table: BTreeSet<String> = f.one_of_numbers.iter().map(|n| format!("{n}")).collect();
                assert_eq!(numbers, table, "{model_name}.{}: allowed numbers", f.name);
            }
            if f.nullable && !matches!(f.ty, Type::StringList) {
                assert!(ty.contains("null") || *optional, "{model_name}.{}: nullable in the table", f.name);
            }
        }
    }
}
