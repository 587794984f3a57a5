//! Reads `[{model, payload}, …]` as JSON on stdin and prints the native core's
//! `validatePayload` and `estimateCredits` results as JSON lines: the reference the wasm
//! build is compared with in Node (tests/node/contract.test.mjs).
use aivideo::credits::estimate;
use aivideo::validate::{find_model, validation_report, ValidateOptions};
use aivideo::value::Value;
use std::io::Read;

fn from_serde(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(from_serde).collect()),
        serde_json::Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), from_serde(v))).collect()),
    }
}

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
        let (_, report) = validation_report(model, &payload, &ValidateOptions::default(), true);
        let est = match find_model(model) {
            Ok(spec) => estimate(spec, &payload).to_value(),
            Err(_) => Value::Null,
        };
        println!("{}", Value::object(vec![("validate", report), ("estimate", est)]).to_json());
    }
}
