//! Table-driven tests of the validation contract: every rule of every model has a case
//! whose expected issues change if the rule is removed.

use aivideo::value::Value;
mod common;
use aivideo::validate::{validate_payload, ValidateOptions};
use common::json;

/// The shared corpus (also run through the wasm build in Node, and by the benches):
/// `{model, payload, expect}` with `expect` the issues as "path:code", comma-separated, ""
/// when valid, or "INVALID_MODEL".
const CORPUS: &str = include_str!("../corpus/payloads.json");

struct Case {
    model: String,
    payload: serde_json::Value,
    expect: String,
}

fn cases() -> Vec<Case> {
    let all: Vec<serde_json::Value> = serde_json::from_str(CORPUS).expect("corpus is JSON");
    all.into_iter()
        .map(|c| Case {
            model: c["model"].as_str().unwrap_or_default().to_string(),
            payload: c["payload"].clone(),
            expect: c["expect"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

fn issues_of(model: &str, payload: &serde_json::Value) -> String {
    match validate_payload(model, &common::from_serde(payload), &ValidateOptions::default()) {
        Ok(_) => String::new(),
        Err(r) if r.issues.is_empty() || r.code.as_str() == "INVALID_MODEL" => r.code.as_str().to_string(),
        Err(r) => r.issues.iter().map(|i| format!("{}:{}", i.path, i.code.as_str())).collect::<Vec<_>>().join(","),
    }
}

#[test]
fn every_rule_of_every_model() {
    let cases = cases();
    let mut failures = Vec::new();
    for c in &cases {
        let got = issues_of(&c.model, &c.payload);
        if got != c.expect {
            failures.push(format!("{} {}\n   want [{}]\n   got  [{got}]", c.model, c.payload, c.expect));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn every_model_has_valid_and_invalid_cases() {
    let cases = cases();
    for m in aivideo::contract::MODELS {
        assert!(cases.iter().any(|c| c.model == m.name && c.expect.is_empty()), "{} has no valid case", m.name);
        let invalid = cases.iter().filter(|c| c.model == m.name && !c.expect.is_empty()).count();
        assert!(invalid >= 3, "{} has few invalid cases", m.name);
    }
}

fn message_for(model: &str, payload: &str, path: &str) -> String {
    match validate_payload(model, &json(payload), &ValidateOptions::default()) {
        Ok(_) => panic!("{model} {payload} passed"),
        Err(r) => r.issues.into_iter().find(|i| i.path == path).map(|i| i.message).unwrap_or_default(),
    }
}

#[test]
fn messages_teach_the_fix() {
    let m = message_for("t2v", r#"{"prompt":"a","aspectRatio":"16:9","duration":5}"#, "duration");
    assert!(m.contains(r#"the string "5", not the number 5"#), "{m}");
    let m = message_for("minimax", r#"{"prompt":"a"}"#, "prompt");
    assert!(m.contains(r#"use "content""#), "{m}");
    let m = message_for(
        "seedance20",
        r#"{"prompt":"a","duration":5,"resolution":720,"aspectRatio":"16:9"}"#,
        "aspectRatio",
    );
    assert!(m.contains(r#"use "ratio""#), "{m}");
    let m = message_for("wan27", r#"{"prompt":"a","duration":"5","resolution":"720p","ratio":"16:9"}"#, "resolution");
    assert!(m.contains(r#"use "720P""#), "{m}");
    let m = message_for("seedance20", r#"{"prompt":"a","duration":"5","resolution":720,"ratio":"16:9"}"#, "duration");
    assert!(m.contains("the number 5 without quotes"), "{m}");
    let m =
        message_for("seedance20", r#"{"prompt":"a","duration":5,"resolution":"720p","ratio":"16:9"}"#, "resolution");
    assert!(m.contains("the number 720"), "{m}");
    let m = message_for("t2v", r#"{"prompt":"a","aspect_ratio":"16:9","duration":"5"}"#, "aspect_ratio");
    assert!(m.contains(r#"use "aspectRatio""#), "{m}");
    let m = message_for("wan27", r#"{"prompt":"a","duration":"5","resolution":720,"ratio":"16:9"}"#, "resolution");
    assert!(m.contains(r#"use the string "720P""#), "{m}");
}

#[test]
fn unknown_model_lists_supported_and_nearest() {
    for (name, nearest) in [("T2V_V3", "t2v_v3"), ("seedance2", "seedance20"), ("minimx", "minimax")] {
        let e = validate_payload(name, &json("{}"), &ValidateOptions::default()).unwrap_err();
        assert_eq!(e.code.as_str(), "INVALID_MODEL");
        assert!(e.message.contains(&format!("Did you mean \"{nearest}\"")), "{}", e.message);
        assert!(
            e.message.contains("t2v, i2v, lv, t2v_v3, i2v_v3, minimax, seedance20, wan27, happyhorse"),
            "{}",
            e.message
        );
    }
    let e = validate_payload("sora", &json("{}"), &ValidateOptions::default()).unwrap_err();
    assert!(!e.message.contains("Did you mean"), "{}", e.message);
}

#[test]
fn issues_carry_expected_and_actual() {
    let e = validate_payload(
        "t2v",
        &json(r#"{"prompt":"a","aspectRatio":"4:3","duration":5}"#),
        &ValidateOptions::default(),
    )
    .unwrap_err();
    let ar = e.issues.iter().find(|i| i.path == "aspectRatio").unwrap();
    assert_eq!(ar.actual, "\"4:3\"");
    assert!(ar.expected.contains("\"16:9\""), "{}", ar.expected);
    let d = e.issues.iter().find(|i| i.path == "duration").unwrap();
    assert_eq!(d.actual, "5");
    assert!(e.message.starts_with("2 problems in the t2v payload"), "{}", e.message);
}

#[test]
fn media_inputs_are_reported_with_decoded_sizes() {
    let p = json(r#"{"content":"a","referenceImageUrls":["https://x.test/a.png","data:image/webp;base64,AAAAAA=="]}"#);
    let v = validate_payload("minimax", &p, &ValidateOptions::default()).unwrap();
    let got: Vec<String> = v.media.iter().map(|m| format!("{} {:?} {:?}", m.path, m.mime_type, m.bytes)).collect();
    assert_eq!(got, ["referenceImageUrls[0] None None", "referenceImageUrls[1] Some(\"image/webp\") Some(4)"]);
}

#[test]
fn data_uri_size_limit_is_configurable() {
    let big = format!(r#"{{"image":"data:image/png;base64,{}","duration":"5"}}"#, "A".repeat(4000));
    assert!(validate_payload("i2v", &json(&big), &ValidateOptions::default()).is_ok());
    let e = validate_payload("i2v", &json(&big), &ValidateOptions { max_data_uri_bytes: 1000 }).unwrap_err();
    assert_eq!(e.issues[0].code.as_str(), "bad_media");
    assert!(e.issues[0].message.contains("3000 bytes"), "{}", e.issues[0].message);
}

#[test]
fn credit_estimates_follow_section_5() {
    let cases: &[(&str, &str, Option<u64>)] = &[
        ("t2v", r#"{"prompt":"a","aspectRatio":"16:9","duration":"5"}"#, Some(15)),
        ("t2v", r#"{"prompt":"a","aspectRatio":"16:9","duration":"8"}"#, Some(24)),
        ("i2v", r#"{"image":"https://x.test/a.png","duration":"8"}"#, Some(24)),
        ("t2v_v3", r#"{"prompt":"a","aspectRatio":"16:9","duration":"20"}"#, Some(80)),
        ("i2v_v3", r#"{"image":"https://x.test/a.png","duration":"10"}"#, Some(40)),
        ("lv", r#"{"image":"https://x.test/a.png","prompt":["a","b","c"]}"#, Some(225)),
        ("minimax", r#"{"content":"a"}"#, Some(15)),
        ("minimax", r#"{"content":"a","duration":10,"tier":"base"}"#, Some(40)),
        ("minimax", r#"{"content":"a","duration":10,"resolution":"1080p"}"#, Some(40)),
        ("minimax", r#"{"content":"a","duration":20,"resolution":"1080p","tier":"base"}"#, Some(100)),
        ("seedance20", r#"{"prompt":"a","duration":5,"resolution":720,"ratio":"16:9"}"#, None),
        ("wan27", r#"{"prompt":"a","duration":"10","resolution":"720P","ratio":"16:9"}"#, Some(100)),
        ("wan27", r#"{"prompt":"a","duration":"15","resolution":"1080P","ratio":"16:9"}"#, Some(225)),
        ("happyhorse", r#"{"prompt":"a","duration":3,"resolution":"720P"}"#, Some(75)),
        ("happyhorse", r#"{"prompt":"a","duration":15,"resolution":"1080P"}"#, Some(750)),
    ];
    for (model, payload, want) in cases {
        let est = validate_payload(model, &json(payload), &ValidateOptions::default()).unwrap().estimate;
        assert_eq!(est.credits, *want, "{model} {payload}: {}", est.basis);
        if want.is_none() {
            assert!(est.reason.as_deref().unwrap_or("").contains("quote"), "{:?}", est.reason);
        }
    }
}

#[test]
fn describe_models_covers_the_contract() {
    let d = aivideo::describe::describe_models();
    let aivideo::value::Value::Array(models) = d else { panic!("not an array") };
    assert_eq!(models.len(), 9);
    let minimax = models.iter().find(|m| m.get("model").and_then(|v| v.as_str()) == Some("minimax")).unwrap();
    let text = minimax.to_json();
    assert!(text.contains(r#""name":"content","type":"string","required":true"#), "{text}");
    assert!(text.contains(r#""default":"720p""#), "{text}");
    assert!(text.contains("cannot be combined"), "{text}");
}

#[test]
fn a_flood_of_problems_is_reported_within_bounds() {
    let mut entries = vec![("prompt".to_string(), Value::str("x")), ("aspectRatio".to_string(), Value::str("16:9"))];
    entries.extend((0..500).map(|i| (format!("junk{i}"), Value::Number(1.0))));
    let err = validate_payload("t2v", &Value::Object(entries), &ValidateOptions::default()).unwrap_err(); // ok: test
    assert_eq!(err.issues.len(), aivideo::limits::MAX_ISSUES);
    assert_eq!(err.omitted, 501 - aivideo::limits::MAX_ISSUES, "500 unknown fields and the missing duration");
    assert!(err.message.starts_with("501 problems"), "{}", err.message);
}

/// The result JSON (what `validatePayload` returns, written straight from the validation) holds
/// exactly what `validate_payload` found, in the documented shape and key order, for every
/// corpus case and a few edge cases.
#[test]
fn the_result_json_carries_the_validation_in_the_documented_shape() {
    use aivideo::validate::validation_report_json;
    let mut all: Vec<(String, serde_json::Value)> = cases().into_iter().map(|c| (c.model, c.payload)).collect();
    all.extend([
        ("i2v".into(), serde_json::json!({ "image": "data:image/png;base64,iVBORw0KGgo=", "duration": "5" })),
        ("nope".into(), serde_json::json!({})),
        ("t2v".into(), serde_json::json!([])),
        (
            "t2v".into(),
            serde_json::json!({ "prompt": "é \"q\" \n \u{1}", "aspectRatio": "4:3", "duration": 5, "x": 1 }),
        ),
    ]);
    let keys = |v: &serde_json::Value| {
        v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>().join(",")).unwrap_or_default()
    };
    for (model, payload) in &all {
        let v = common::from_serde(payload);
        let opts = ValidateOptions::default();
        let text = validation_report_json(model, &v, &opts, true, &aivideo::value::format_number);
        let got: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        match validate_payload(model, &v, &opts) {
            Ok(ok) => {
                assert_eq!(keys(&got), "ok,model,payload,estimate,media", "{text}");
                assert_eq!(got["ok"], true);
                assert_eq!(&got["payload"], payload);
                assert_eq!(keys(&got["estimate"]), "model,credits,usd,basis,reason");
                assert_eq!(got["estimate"]["credits"].as_u64(), ok.estimate.credits);
                assert_eq!(got["media"].as_array().map(Vec::len), Some(ok.media.len()));
            }
            Err(rej) => {
                assert_eq!(keys(&got), "ok,model,errorCode,errorMessage,issues,details,omittedIssues", "{text}");
                assert_eq!(got["errorCode"], rej.code.as_str());
                assert_eq!(got["errorMessage"], rej.message.as_str());
                let issues = got["issues"].as_array().cloned().unwrap_or_default();
                assert_eq!(issues.len(), rej.issues.len());
                for (g, want) in issues.iter().zip(&rej.issues) {
                    assert_eq!(keys(g), "path,code,expected,actual,message");
                    assert_eq!(
                        (g["path"].as_str(), g["code"].as_str()),
                        (Some(want.path.as_str()), Some(want.code.as_str()))
                    );
                    assert_eq!(
                        (g["expected"].as_str(), g["actual"].as_str()),
                        (Some(want.expected.as_str()), Some(want.actual.as_str()))
                    );
                    assert_eq!(g["message"].as_str(), Some(want.message.as_str()));
                }
                assert_eq!(keys(&got["details"][0]), if rej.issues.is_empty() { "" } else { "field,expected,actual" });
            }
        }
    }
}
