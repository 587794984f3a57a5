//! Property test over arbitrary JSON values: validation never panics, is deterministic, and
//! every issue path points at a real place in the input (or at a missing key of an object
//! that is there). `PROPTEST_CASES` sets the count: `make test` runs a small share,
//! `make fuzz` a million.

use aivideo::contract::MODELS;
use aivideo::validate::{validate_payload, ValidateOptions};
use aivideo::value::Value;
use proptest::prelude::*;

fn arb_value() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "prompt",
        "content",
        "image",
        "duration",
        "aspectRatio",
        "ratio",
        "resolution",
        "tier",
        "imageUrl",
        "lastFrameUrl",
        "referenceImageUrls",
        "referenceVideoUrl",
        "referenceAudioUrls",
        "video",
        "audio",
        "promptExtend",
        "filterMode",
        "x",
        "__proto__",
        "",
    ]);
    let strings = prop_oneof![
        prop::sample::select(vec![
            "5",
            "8",
            "10",
            "16:9",
            "720P",
            "720p",
            "1080p",
            "turbo",
            "https://x.test/a.png",
            "data:image/png;base64,AAAA",
            "data:image/png;base64,AA",
            "",
            " ",
            "auto",
        ])
        .prop_map(str::to_string),
        ".{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![any::<f64>(), -30.0..30.0f64, (0..25i32).prop_map(f64::from)].prop_map(Value::Number),
        strings.prop_map(Value::String),
        Just(Value::Unsupported("function".into())),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((names.clone().prop_map(str::to_string), inner), 0..8).prop_map(|mut kv| {
                kv.sort_by(|a, b| a.0.cmp(&b.0));
                kv.dedup_by(|a, b| a.0 == b.0);
                Value::Object(kv)
            }),
        ]
    })
}

/// Does `path` (`a`, `a[3]`, or empty) name a place in `v`, or a missing key of an object?
fn path_is_real(v: &Value, path: &str) -> bool {
    if path.is_empty() {
        return true;
    }
    let (key, index) = match path.split_once('[') {
        Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (path, None),
    };
    match (v, index) {
        (Value::Object(_), None) => true,
        (Value::Object(_), Some(i)) => matches!(v.get(key), Some(Value::Array(a)) if i < a.len()),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(2000), ..ProptestConfig::default() })]
    #[test]
    fn validation_is_total_deterministic_and_paths_are_real(payload in arb_value(), which in 0usize..10) {
        let model = MODELS.get(which).map(|m| m.name).unwrap_or("no_such_model");
        let a = validate_payload(model, &payload, &ValidateOptions::default());
        let b = validate_payload(model, &payload, &ValidateOptions::default());
        prop_assert_eq!(&a, &b);
        if let Err(r) = &a {
            for issue in &r.issues {
                // An unknown model's one issue names the `model` argument, not the payload.
                let real = path_is_real(&payload, &issue.path) || (r.code.as_str() == "INVALID_MODEL" && issue.path == "model");
                prop_assert!(real, "path {} not in {}", issue.path, payload.to_json());
                prop_assert!(!issue.message.is_empty());
            }
            prop_assert!(!r.message.is_empty());
        }
    }
}
