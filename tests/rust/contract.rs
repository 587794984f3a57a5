//! Table-driven tests of the validation contract: every rule of every model has a case
//! whose expected issues change if the rule is removed.

mod common;
use aivideo::validate::{validate_payload, ValidateOptions};
use common::json;

const PNG: &str = "data:image/png;base64,iVBORw0KGgo=";

/// (model, payload, expected issues as "path:code", comma-separated; "" = valid)
const CASES: &[(&str, &str, &str)] = &[
    // t2v
    (
        "t2v",
        r#"{"prompt":"a cat","aspectRatio":"16:9","duration":"5"}"#,
        "",
    ),
    (
        "t2v",
        r#"{"prompt":"a cat","aspectRatio":"1:1","duration":"8","filterMode":"strict"}"#,
        "",
    ),
    (
        "t2v",
        r#"{}"#,
        "prompt:required,aspectRatio:required,duration:required",
    ),
    (
        "t2v",
        r#"{"prompt":"  ","aspectRatio":"16:9","duration":"5"}"#,
        "prompt:empty",
    ),
    (
        "t2v",
        r#"{"prompt":5,"aspectRatio":"16:9","duration":"5"}"#,
        "prompt:wrong_type",
    ),
    (
        "t2v",
        r#"{"prompt":null,"aspectRatio":"16:9","duration":"5"}"#,
        "prompt:wrong_type",
    ),
    (
        "t2v",
        r#"{"prompt":"a","aspectRatio":"4:3","duration":"5"}"#,
        "aspectRatio:not_allowed",
    ),
    (
        "t2v",
        r#"{"prompt":"a","aspectRatio":"16:9","duration":5}"#,
        "duration:wrong_type",
    ),
    (
        "t2v",
        r#"{"prompt":"a","aspectRatio":"16:9","duration":"10"}"#,
        "duration:not_allowed",
    ),
    (
        "t2v",
        r#"{"prompt":"a","aspectRatio":"16:9","duration":"5","filterMode":"loose"}"#,
        "filterMode:not_allowed",
    ),
    (
        "t2v",
        r#"{"prompt":"a","aspect_ratio":"16:9","duration":"5"}"#,
        "aspectRatio:required,aspect_ratio:unknown_field",
    ),
    ("t2v", r#"[1,2]"#, ":wrong_type"),
    ("t2v", r#""text""#, ":wrong_type"),
    // i2v
    (
        "i2v",
        r#"{"image":"https://x.test/a.png","duration":"5"}"#,
        "",
    ),
    (
        "i2v",
        r#"{"image":"https://x.test/a.png","prompt":null,"duration":"8"}"#,
        "",
    ),
    ("i2v", r#"{"image":"PNG","duration":"8"}"#, ""),
    ("i2v", r#"{"duration":"5"}"#, "image:required"),
    (
        "i2v",
        r#"{"image":"x.test/a.png","duration":"5"}"#,
        "image:bad_media",
    ),
    (
        "i2v",
        r#"{"image":"data:image/png;base64,abc","duration":"5"}"#,
        "image:bad_media",
    ),
    (
        "i2v",
        r#"{"image":"https://x.test/a.png","duration":"5","prompt":7}"#,
        "prompt:wrong_type",
    ),
    (
        "i2v",
        r#"{"image":"https://x.test/a.png","duration":"20"}"#,
        "duration:not_allowed",
    ),
    // lv
    (
        "lv",
        r#"{"image":"https://x.test/a.png","prompt":["a","b"]}"#,
        "",
    ),
    (
        "lv",
        r#"{"image":"https://x.test/a.png","prompt":["1","2","3","4","5","6"]}"#,
        "",
    ),
    (
        "lv",
        r#"{"image":"https://x.test/a.png","prompt":["1","2","3","4","5","6","7"]}"#,
        "prompt[6]:too_many",
    ),
    (
        "lv",
        r#"{"image":"https://x.test/a.png","prompt":[]}"#,
        "prompt:empty",
    ),
    (
        "lv",
        r#"{"image":"https://x.test/a.png","prompt":["a"," "]}"#,
        "prompt[1]:empty",
    ),
    (
        "lv",
        r#"{"image":"https://x.test/a.png","prompt":["a",3]}"#,
        "prompt[1]:wrong_type",
    ),
    (
        "lv",
        r#"{"image":"https://x.test/a.png","prompt":"a"}"#,
        "prompt:wrong_type",
    ),
    ("lv", r#"{"prompt":["a"]}"#, "image:required"),
    // t2v_v3 / i2v_v3
    (
        "t2v_v3",
        r#"{"prompt":"a","aspectRatio":"9:16","duration":"20"}"#,
        "",
    ),
    (
        "t2v_v3",
        r#"{"prompt":"a","aspectRatio":"9:16","duration":"8"}"#,
        "duration:not_allowed",
    ),
    (
        "t2v_v3",
        r#"{"prompt":"a","aspectRatio":"9:16","duration":15}"#,
        "duration:wrong_type",
    ),
    (
        "t2v_v3",
        r#"{"aspectRatio":"2:3","duration":"5"}"#,
        "prompt:required,aspectRatio:not_allowed",
    ),
    (
        "i2v_v3",
        r#"{"image":"https://x.test/a.png","duration":"5","ratio":"16:9"}"#,
        "ratio:unknown_field",
    ),
    (
        "i2v_v3",
        r#"{"image":"https://x.test/a.png","duration":"15"}"#,
        "",
    ),
    (
        "i2v_v3",
        r#"{"image":"https://x.test/a.png","duration":"8"}"#,
        "duration:not_allowed",
    ),
    (
        "i2v_v3",
        r#"{"image":"ftp://x.test/a.png","duration":"5"}"#,
        "image:bad_media",
    ),
    // minimax
    ("minimax", r#"{"content":"a"}"#, ""),
    (
        "minimax",
        r#"{"content":"a","duration":20,"resolution":"1080p","tier":"base","aspectRatio":"auto"}"#,
        "",
    ),
    (
        "minimax",
        r#"{"prompt":"a"}"#,
        "content:required,prompt:unknown_field",
    ),
    ("minimax", r#"{"content":""}"#, "content:empty"),
    (
        "minimax",
        r#"{"content":"a","duration":4}"#,
        "duration:out_of_range",
    ),
    (
        "minimax",
        r#"{"content":"a","duration":21}"#,
        "duration:out_of_range",
    ),
    (
        "minimax",
        r#"{"content":"a","duration":5.5}"#,
        "duration:wrong_type",
    ),
    (
        "minimax",
        r#"{"content":"a","duration":"5"}"#,
        "duration:wrong_type",
    ),
    (
        "minimax",
        r#"{"content":"a","resolution":"1080P"}"#,
        "resolution:not_allowed",
    ),
    (
        "minimax",
        r#"{"content":"a","tier":"pro"}"#,
        "tier:not_allowed",
    ),
    (
        "minimax",
        r#"{"content":"a","aspectRatio":"2:1"}"#,
        "aspectRatio:not_allowed",
    ),
    (
        "minimax",
        r#"{"content":"a","imageUrl":"PNG","lastFrameUrl":"https://x.test/b.png"}"#,
        "",
    ),
    (
        "minimax",
        r#"{"content":"a","imageUrl":null,"referenceImageUrls":["https://x.test/a.png"]}"#,
        "",
    ),
    (
        "minimax",
        r#"{"content":"a","imageUrl":"https://x.test/a.png","referenceImageUrls":["https://x.test/b.png"]}"#,
        "referenceImageUrls:conflict",
    ),
    (
        "minimax",
        r#"{"content":"a","lastFrameUrl":"https://x.test/a.png","referenceVideoUrl":"https://x.test/v.mp4"}"#,
        "referenceVideoUrl:conflict",
    ),
    (
        "minimax",
        r#"{"content":"a","imageUrl":"https://x.test/a.png","referenceAudioUrls":["https://x.test/a.mp3"]}"#,
        "referenceAudioUrls:conflict",
    ),
    (
        "minimax",
        r#"{"content":"a","imageUrl":"https://x.test/a.png","referenceImageUrls":[]}"#,
        "",
    ),
    (
        "minimax",
        r#"{"content":"a","referenceImageUrls":["https://x.test/1.png","https://x.test/2.png","https://x.test/3.png","https://x.test/4.png","https://x.test/5.png"]}"#,
        "referenceImageUrls[4]:too_many",
    ),
    (
        "minimax",
        r#"{"content":"a","referenceImageUrls":["https://x.test/1.png","nope"]}"#,
        "referenceImageUrls[1]:bad_media",
    ),
    (
        "minimax",
        r#"{"content":"a","referenceImageUrls":"https://x.test/1.png"}"#,
        "referenceImageUrls:wrong_type",
    ),
    (
        "minimax",
        r#"{"content":"a","referenceVideoUrl":"PNG"}"#,
        "referenceVideoUrl:bad_media",
    ),
    (
        "minimax",
        r#"{"content":"a","referenceAudioUrls":["https://x.test/1.mp3","https://x.test/2.mp3","https://x.test/3.mp3"]}"#,
        "referenceAudioUrls[2]:too_many",
    ),
    (
        "minimax",
        r#"{"content":"a","referenceAudioUrls":["PNG"]}"#,
        "referenceAudioUrls[0]:bad_media",
    ),
    // seedance20
    (
        "seedance20",
        r#"{"prompt":"a","duration":5,"resolution":720,"ratio":"16:9"}"#,
        "",
    ),
    (
        "seedance20",
        r#"{"image":"PNG","duration":4,"resolution":480,"ratio":"1:1"}"#,
        "",
    ),
    (
        "seedance20",
        r#"{"video":"https://x.test/v.mp4","audio":"https://x.test/a.mp3","duration":15,"resolution":480,"ratio":"9:16"}"#,
        "",
    ),
    (
        "seedance20",
        r#"{"duration":5,"resolution":720,"ratio":"16:9"}"#,
        "prompt:required",
    ),
    (
        "seedance20",
        r#"{"prompt":null,"image":null,"duration":5,"resolution":720,"ratio":"16:9"}"#,
        "prompt:required",
    ),
    (
        "seedance20",
        r#"{"audio":"https://x.test/a.mp3","duration":5,"resolution":720,"ratio":"16:9"}"#,
        "prompt:required,audio:conflict",
    ),
    (
        "seedance20",
        r#"{"prompt":"a","duration":3,"resolution":720,"ratio":"16:9"}"#,
        "duration:out_of_range",
    ),
    (
        "seedance20",
        r#"{"prompt":"a","duration":16,"resolution":720,"ratio":"16:9"}"#,
        "duration:out_of_range",
    ),
    (
        "seedance20",
        r#"{"prompt":"a","duration":"5","resolution":720,"ratio":"16:9"}"#,
        "duration:wrong_type",
    ),
    (
        "seedance20",
        r#"{"prompt":"a","duration":5,"resolution":1080,"ratio":"16:9"}"#,
        "resolution:not_allowed",
    ),
    (
        "seedance20",
        r#"{"prompt":"a","duration":5,"resolution":"720p","ratio":"16:9"}"#,
        "resolution:wrong_type",
    ),
    (
        "seedance20",
        r#"{"prompt":"a","duration":5,"resolution":720,"aspectRatio":"16:9"}"#,
        "ratio:required,aspectRatio:unknown_field",
    ),
    (
        "seedance20",
        r#"{"prompt":"a","duration":5,"resolution":720,"ratio":"4:3"}"#,
        "ratio:not_allowed",
    ),
    (
        "seedance20",
        r#"{"prompt":"a","video":"PNG","duration":5,"resolution":720,"ratio":"16:9"}"#,
        "video:bad_media",
    ),
    (
        "seedance20",
        r#"{"prompt":"a","audio":"PNG","duration":5,"resolution":720,"ratio":"16:9"}"#,
        "audio:bad_media",
    ),
    // wan27
    (
        "wan27",
        r#"{"prompt":"a","duration":"10","resolution":"1080P","ratio":"4:3"}"#,
        "",
    ),
    (
        "wan27",
        r#"{"prompt":"a","image":"PNG","duration":"5","resolution":"720P","ratio":"3:4","promptExtend":true}"#,
        "",
    ),
    (
        "wan27",
        r#"{"prompt":"a","duration":"5","resolution":"720p","ratio":"16:9"}"#,
        "resolution:not_allowed",
    ),
    (
        "wan27",
        r#"{"prompt":"a","duration":"8","resolution":"720P","ratio":"16:9"}"#,
        "duration:not_allowed",
    ),
    (
        "wan27",
        r#"{"prompt":"a","duration":"5","resolution":"720P","ratio":"21:9"}"#,
        "ratio:not_allowed",
    ),
    (
        "wan27",
        r#"{"prompt":"a","duration":"5","resolution":"720P","ratio":"16:9","promptExtend":"true"}"#,
        "promptExtend:wrong_type",
    ),
    (
        "wan27",
        r#"{"duration":"5","resolution":"720P","ratio":"16:9"}"#,
        "prompt:required",
    ),
    (
        "wan27",
        r#"{"prompt":"a","image":"nope","duration":"5","resolution":"720P","ratio":"16:9"}"#,
        "image:bad_media",
    ),
    // happyhorse
    (
        "happyhorse",
        r#"{"prompt":"a","duration":3,"resolution":"720P"}"#,
        "",
    ),
    (
        "happyhorse",
        r#"{"prompt":"a","image":"PNG","duration":15,"resolution":"1080P","ratio":null}"#,
        "",
    ),
    (
        "happyhorse",
        r#"{"prompt":"a","image":["https://x.test/1.png","PNG"],"duration":8,"resolution":"720P","ratio":"3:4"}"#,
        "",
    ),
    (
        "happyhorse",
        r#"{"prompt":"a","image":[],"duration":8,"resolution":"720P"}"#,
        "image:empty",
    ),
    (
        "happyhorse",
        r#"{"prompt":"a","image":["https://x.test/1.png","bad"],"duration":8,"resolution":"720P"}"#,
        "image[1]:bad_media",
    ),
    (
        "happyhorse",
        r#"{"prompt":"a","image":7,"duration":8,"resolution":"720P"}"#,
        "image:wrong_type",
    ),
    (
        "happyhorse",
        r#"{"prompt":"a","duration":2,"resolution":"720P"}"#,
        "duration:out_of_range",
    ),
    (
        "happyhorse",
        r#"{"prompt":"a","duration":8,"resolution":"720"}"#,
        "resolution:not_allowed",
    ),
    (
        "happyhorse",
        r#"{"prompt":"a","duration":8,"resolution":"720P","ratio":"21:9"}"#,
        "ratio:not_allowed",
    ),
    (
        "happyhorse",
        r#"{"prompt":"a","duration":8,"resolution":"720P","aspectRatio":"16:9"}"#,
        "aspectRatio:unknown_field",
    ),
];

fn issues_of(model: &str, payload: &str) -> String {
    let payload = json(&payload.replace("\"PNG\"", &format!("\"{PNG}\"")));
    match validate_payload(model, &payload, &ValidateOptions::default()) {
        Ok(_) => String::new(),
        Err(r) => r
            .issues
            .iter()
            .map(|i| format!("{}:{}", i.path, i.code.as_str()))
            .collect::<Vec<_>>()
            .join(","),
    }
}

#[test]
fn every_rule_of_every_model() {
    let mut failures = Vec::new();
    for (model, payload, want) in CASES {
        let got = issues_of(model, payload);
        if got != *want {
            failures.push(format!(
                "{model} {payload}\n   want [{want}]\n   got  [{got}]"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn every_model_has_valid_and_invalid_cases() {
    for m in aivideo::contract::MODELS {
        assert!(
            CASES.iter().any(|(n, _, w)| *n == m.name && w.is_empty()),
            "{} has no valid case",
            m.name
        );
        assert!(
            CASES
                .iter()
                .filter(|(n, _, w)| *n == m.name && !w.is_empty())
                .count()
                >= 3,
            "{} has few invalid cases",
            m.name
        );
    }
}

fn message_for(model: &str, payload: &str, path: &str) -> String {
    match validate_payload(model, &json(payload), &ValidateOptions::default()) {
        Ok(_) => panic!("{model} {payload} passed"),
        Err(r) => r
            .issues
            .into_iter()
            .find(|i| i.path == path)
            .map(|i| i.message)
            .unwrap_or_default(),
    }
}

#[test]
fn messages_teach_the_fix() {
    let m = message_for(
        "t2v",
        r#"{"prompt":"a","aspectRatio":"16:9","duration":5}"#,
        "duration",
    );
    assert!(m.contains(r#"the string "5", not the number 5"#), "{m}");
    let m = message_for("minimax", r#"{"prompt":"a"}"#, "prompt");
    assert!(m.contains(r#"use "content""#), "{m}");
    let m = message_for(
        "seedance20",
        r#"{"prompt":"a","duration":5,"resolution":720,"aspectRatio":"16:9"}"#,
        "aspectRatio",
    );
    assert!(m.contains(r#"use "ratio""#), "{m}");
    let m = message_for(
        "wan27",
        r#"{"prompt":"a","duration":"5","resolution":"720p","ratio":"16:9"}"#,
        "resolution",
    );
    assert!(m.contains(r#"use "720P""#), "{m}");
    let m = message_for(
        "seedance20",
        r#"{"prompt":"a","duration":"5","resolution":720,"ratio":"16:9"}"#,
        "duration",
    );
    assert!(m.contains("the number 5 without quotes"), "{m}");
    let m = message_for(
        "seedance20",
        r#"{"prompt":"a","duration":5,"resolution":"720p","ratio":"16:9"}"#,
        "resolution",
    );
    assert!(m.contains("the number 720"), "{m}");
    let m = message_for(
        "t2v",
        r#"{"prompt":"a","aspect_ratio":"16:9","duration":"5"}"#,
        "aspect_ratio",
    );
    assert!(m.contains(r#"use "aspectRatio""#), "{m}");
    let m = message_for(
        "wan27",
        r#"{"prompt":"a","duration":"5","resolution":720,"ratio":"16:9"}"#,
        "resolution",
    );
    assert!(m.contains(r#"use the string "720P""#), "{m}");
}

#[test]
fn unknown_model_lists_supported_and_nearest() {
    for (name, nearest) in [
        ("T2V_V3", "t2v_v3"),
        ("seedance2", "seedance20"),
        ("minimx", "minimax"),
    ] {
        let e = validate_payload(name, &json("{}"), &ValidateOptions::default()).unwrap_err();
        assert_eq!(e.code.as_str(), "INVALID_MODEL");
        assert!(
            e.message.contains(&format!("Did you mean \"{nearest}\"")),
            "{}",
            e.message
        );
        assert!(
            e.message
                .contains("t2v, i2v, lv, t2v_v3, i2v_v3, minimax, seedance20, wan27, happyhorse"),
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
    assert!(
        e.message.starts_with("2 problems in the t2v payload"),
        "{}",
        e.message
    );
}

#[test]
fn data_uri_size_limit_is_configurable() {
    let big = format!(
        r#"{{"image":"data:image/png;base64,{}","duration":"5"}}"#,
        "A".repeat(4000)
    );
    assert!(validate_payload("i2v", &json(&big), &ValidateOptions::default()).is_ok());
    let e = validate_payload(
        "i2v",
        &json(&big),
        &ValidateOptions {
            max_data_uri_bytes: 1000,
        },
    )
    .unwrap_err();
    assert_eq!(e.issues[0].code.as_str(), "bad_media");
    assert!(
        e.issues[0].message.contains("3000 bytes"),
        "{}",
        e.issues[0].message
    );
}

#[test]
fn credit_estimates_follow_section_5() {
    let cases: &[(&str, &str, Option<u64>)] = &[
        (
            "t2v",
            r#"{"prompt":"a","aspectRatio":"16:9","duration":"5"}"#,
            Some(15),
        ),
        (
            "t2v",
            r#"{"prompt":"a","aspectRatio":"16:9","duration":"8"}"#,
            Some(24),
        ),
        (
            "i2v",
            r#"{"image":"https://x.test/a.png","duration":"8"}"#,
            Some(24),
        ),
        (
            "t2v_v3",
            r#"{"prompt":"a","aspectRatio":"16:9","duration":"20"}"#,
            Some(80),
        ),
        (
            "i2v_v3",
            r#"{"image":"https://x.test/a.png","duration":"10"}"#,
            Some(40),
        ),
        (
            "lv",
            r#"{"image":"https://x.test/a.png","prompt":["a","b","c"]}"#,
            Some(225),
        ),
        ("minimax", r#"{"content":"a"}"#, Some(15)),
        (
            "minimax",
            r#"{"content":"a","duration":10,"tier":"base"}"#,
            Some(40),
        ),
        (
            "minimax",
            r#"{"content":"a","duration":10,"resolution":"1080p"}"#,
            Some(40),
        ),
        (
            "minimax",
            r#"{"content":"a","duration":20,"resolution":"1080p","tier":"base"}"#,
            Some(100),
        ),
        (
            "seedance20",
            r#"{"prompt":"a","duration":5,"resolution":720,"ratio":"16:9"}"#,
            None,
        ),
        (
            "wan27",
            r#"{"prompt":"a","duration":"10","resolution":"720P","ratio":"16:9"}"#,
            Some(100),
        ),
        (
            "wan27",
            r#"{"prompt":"a","duration":"15","resolution":"1080P","ratio":"16:9"}"#,
            Some(225),
        ),
        (
            "happyhorse",
            r#"{"prompt":"a","duration":3,"resolution":"720P"}"#,
            Some(75),
        ),
        (
            "happyhorse",
            r#"{"prompt":"a","duration":15,"resolution":"1080P"}"#,
            Some(750),
        ),
    ];
    for (model, payload, want) in cases {
        let est = validate_payload(model, &json(payload), &ValidateOptions::default()).unwrap();
        assert_eq!(est.credits, *want, "{model} {payload}: {}", est.basis);
        if want.is_none() {
            assert!(
                est.reason.as_deref().unwrap_or("").contains("quote"),
                "{:?}",
                est.reason
            );
        }
    }
}

#[test]
fn describe_models_covers_the_contract() {
    let d = aivideo::describe::describe_models();
    let aivideo::value::Value::Array(models) = d else {
        panic!("not an array")
    };
    assert_eq!(models.len(), 9);
    let minimax = models
        .iter()
        .find(|m| m.get("model").and_then(|v| v.as_str()) == Some("minimax"))
        .unwrap();
    let text = minimax.to_json();
    assert!(
        text.contains(r#""name":"content","type":"string","required":true"#),
        "{text}"
    );
    assert!(text.contains(r#""default":"720p""#), "{text}");
    assert!(text.contains("cannot be combined"), "{text}");
}
