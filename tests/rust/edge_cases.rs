//! Property tests: everything that reads outside data is total (no panic, in wasm a panic
//! kills the instance) and keeps its promises on arbitrary input.

use aivideo::classify::{classify, Action, Body, HttpResponse};
use aivideo::contract::MediaKind;
use aivideo::media::check_media;
use aivideo::poll::{PollOptions, Poller, Verdict};
use aivideo::retry::parse_retry_after;
use aivideo::task::normalize_task;
use aivideo::time::{parse_http_date, parse_iso8601};
use aivideo::url::{encode_task_id, normalize_base_url};
use aivideo::value::{parse_decimal, Value};
use proptest::prelude::*;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Number),
        prop::sample::select(vec![
            "COMPLETED",
            "FAILED",
            "CANCEL",
            "SUBMITTED",
            "QUEUED",
            "",
            "Insufficient credits",
            "https://x/v.mp4",
            "2026-09-14T10:00:00Z"
        ])
        .prop_map(Value::str),
        ".{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        let keys = prop::sample::select(vec![
            "status",
            "errorCode",
            "message",
            "error",
            "taskId",
            "id",
            "output",
            "url",
            "videoUrl",
            "completedAt",
            "tasks",
            "details",
            "x",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.prop_map(str::to_string), inner), 0..6).prop_map(Value::Object),
        ]
    })
}

fn arb_action() -> impl Strategy<Value = Action> {
    prop::sample::select(vec![
        Action::Create,
        Action::Status,
        Action::Task,
        Action::Cancel,
        Action::List,
        Action::Account,
        Action::Quote,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(1500), ..ProptestConfig::default() })]

    #[test]
    fn classification_is_total_and_consistent(action in arb_action(), status in 0u16..1000, body in arb_json(), text in ".{0,40}", ra in proptest::option::of(".{0,30}"), which in 0u8..3) {
        let body = match which { 0 => Body::Json(body), 1 => Body::Text(text), _ => Body::Empty };
        let env = classify(action, &HttpResponse::new(status, ra, body), Some("t1"), 1.0e12);
        prop_assert_eq!(env.is_ok(), env.code().is_none());
        if !env.is_ok() {
            prop_assert!(env.message().is_some_and(|m| !m.is_empty()));
        }
        if env.is_ok() {
            prop_assert!((200..300).contains(&status));
        }
        if let Some(r) = env.retry_after() { prop_assert!(r >= 0.0); }
        let v = env.to_value();
        prop_assert!(v.get("suggestions").is_some());
    }

    #[test]
    fn task_normalization_is_total(task in arb_json()) {
        let out = normalize_task(task.clone());
        if let Value::Object(_) = task {
            prop_assert!(out.get("expiresAt").is_some());
        }
    }

    #[test]
    fn parsers_are_total(s in ".{0,60}", now in 0.0f64..4.0e12) {
        let _ = parse_http_date(&s);
        let _ = parse_iso8601(&s);
        if let Some(ms) = parse_retry_after(&s, now) { prop_assert!(ms >= 0.0); }
        let _ = parse_decimal(&s);
        let _ = normalize_base_url(&s, true);
        let _ = normalize_base_url(&s, false);
        if let Ok(seg) = encode_task_id(&s) {
            prop_assert!(!seg.contains('/') && !seg.contains('?') && !seg.contains('#'));
        }
        for kind in [MediaKind::Image, MediaKind::Video, MediaKind::Audio] {
            let _ = check_media(&s, kind, 1 << 20);
            let _ = check_media(&format!("data:image/png;base64,{s}"), kind, 16);
        }
    }

    #[test]
    fn the_poller_never_sleeps_past_its_deadline(statuses in prop::collection::vec(prop::sample::select(vec!["SUBMITTED", "PROGRESS", "QUEUED", "", "COMPLETED"]), 1..60), expected in 1.0f64..2.0e6, max_wait in 1.0f64..5.0e6, errs in prop::collection::vec(any::<bool>(), 60), ra in proptest::option::of(0.0f64..1.0e6)) {
        let mut p = Poller::new(PollOptions { expected_ms: expected, interval_ms: None, max_interval_ms: None, min_interval_ms: None, first_interval_ms: None, max_wait_ms: Some(max_wait), time_scale: 1.0 }, 0.0);
        let mut now = 0.0;
        let mut v = p.first_delay(now, 0.5);
        for (i, s) in statuses.iter().enumerate() {
            match v {
                Verdict::Sleep(ms) => {
                    prop_assert!(ms >= 0.0 && ms.is_finite());
                    now += ms;
                    prop_assert!(now <= max_wait + 1e-6, "slept to {} past {}", now, max_wait);
                }
                _ => break,
            }
            v = if errs.get(i).copied().unwrap_or(false) { p.on_error(ra, now, 0.5) } else { p.on_status(s, now, 0.5) };
        }
    }
}
