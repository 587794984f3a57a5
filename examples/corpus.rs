//! Reads `[{model, payload}, …]` as JSON on stdin and prints the native core's
//! `validatePayload` and `estimateCredits` results as JSON lines: the reference the wasm
//! build is compared with in Node (tests/node/contract.test.mjs).
use aivideo::credits::estimate;
use aivideo::validate::{find_model, validation_report_json, ValidateOptions};
use std::io::Read;

use aivideo::value::Value;
#[path = "../tests/rust/common.rs"]
mod common;
use common::from_serde;

fn main() {
    let mut input = String::new();
    if std::io::stdin().read_to_string(&mut input).is_err() {
        eprintln!("corpus: cannot read stdin");
        std::process::exit(2);
    }
    let cases: serde_json::Value = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("corpus: bad JSON: {e}");
            std::process::exit(2);
        }
    };
    for case in cases.as_array().into_iter().flatten() {
        let model = case.get("model").and_then(|m| m.as_str()).unwrap_or("");
        let payload = from_serde(case.get("payload").unwrap_or(&serde_json::Value::Null));
        let opts = ValidateOptions::default();
        let report = validation_report_json(model, &payload, &opts, true, &aivideo::value::format_number);
        let est = match find_model(model) {
            Ok(spec) => estimate(spec, &payload).to_value(),
            Err(_) => Value::Null,
        };
        println!("{{\"validate\":{report},\"estimate\":{}}}", est.to_json());
    }
}
