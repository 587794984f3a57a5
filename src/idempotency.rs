//! Idempotency keys that make a create safe to send again.
//!
//! Owns: deriving a key from model + canonical payload + an optional caller scope, so the
//! same logical request keeps the same key across retries and process restarts. The server
//! answers a repeat with the original task (`idempotentReplay: true`) instead of billing
//! again. Trade-off: two deliberate identical generations need different scopes (or keys).
//! Must not: use randomness or the clock (that would defeat the purpose).

use crate::error::ArgumentError;
use crate::value::{JsonSink, Numbers, Value};

/// A 128-bit digest: two FNV-1a passes with different bases, each finished with a mixer.
/// Not cryptographic: a collision would at worst make the server answer 409 (it compares
/// bodies), never bill twice.
pub fn digest128(text: &str) -> String {
    let mut d = Digest128::new();
    d.push_str(text);
    d.finish()
}
/// Both FNV passes over text fed in pieces, so a payload's canonical JSON (megabytes, with a
/// data URI) is hashed without ever being held in memory.
struct Digest128 {
    a: u64,
    b: u64,
    len: u64,
}

impl Digest128 {
    fn new() -> Digest128 {
        Digest128 { a: 0xcbf2_9ce4_8422_2325, b: 0x6c62_272e_07bb_0142, len: 0 }
    }

    fn finish(&self) -> String {
        format!("{:016x}{:016x}", mix(self.a), mix(self.b ^ self.len))
    }
}

impl JsonSink for Digest128 {
    fn push_str(&mut self, s: &str) {
        for &byte in s.as_bytes() {
            self.a = (self.a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            self.b = (self.b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.len += s.len() as u64;
    }
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// A digest of model + canonical payload: what a client remembers of the request it sent
/// under a key, to tell a repeat of it from another request under the same key.
pub fn request_digest(model: &str, payload: &Value) -> String {
    let mut d = Digest128::new();
    d.push_str(model);
    d.push_str("\n");
    payload.write_json(&mut d, true, &Numbers::Canonical);
    d.finish()
}

/// `aiv1-<model>-<32 hex>`: at most 8 + 64 + 32 characters, within the 8–128 rule.
pub fn derive_key(model: &str, payload: &Value, scope: Option<&str>) -> String {
    let mut d = Digest128::new();
    d.push_str(model);
    d.push_str("\n");
    d.push_str(scope.unwrap_or(""));
    d.push_str("\n");
    payload.write_json(&mut d, true, &Numbers::Canonical);
    let safe_model: String =
        model.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').take(64).collect();
    format!("aiv1-{safe_model}-{}", d.finish())
}

/// Idempotency keys are 8–128 visible ASCII characters (they travel in a header).
pub fn check_idempotency_key(key: &str) -> Result<(), ArgumentError> {
    let n = key.len();
    if !(8..=128).contains(&n) || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ArgumentError::new(format!(
            "idempotencyKey must be 8 to 128 visible ASCII characters, got {n} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_json::json;

    /// A string kept "outside", fed back in 7-byte pieces.
    struct Outside(String);
    impl crate::value::TextSource for Outside {
        fn write_to(&self, out: &mut dyn JsonSink) {
            for piece in self.0.as_bytes().chunks(7) {
                out.push_str(std::str::from_utf8(piece).unwrap_or(""));
            }
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    #[test]
    fn a_data_uri_kept_outside_keys_and_serializes_as_its_text() {
        let uri = format!("data:image/png;base64,{}", "QUJD".repeat(5000));
        let inside = Value::object(vec![("image", Value::str(uri.clone())), ("duration", Value::str("5"))]);
        let source = crate::value::External(std::rc::Rc::new(Outside(uri.clone())));
        let head = uri.chars().take(64).collect();
        let outside = Value::object(vec![
            ("image", Value::CheckedDataUri { head, bytes: 15000, source: Some(source) }),
            ("duration", Value::str("5")),
        ]);
        assert_eq!(derive_key("i2v", &outside, Some("s")), derive_key("i2v", &inside, Some("s")));
        assert_eq!(outside.to_json(), inside.to_json());
        assert_eq!(outside.to_canonical_json(), inside.to_canonical_json());
        let other = Value::object(vec![("image", Value::str(format!("{uri}A"))), ("duration", Value::str("5"))]);
        assert_ne!(derive_key("i2v", &outside, Some("s")), derive_key("i2v", &other, Some("s")));
    }

    #[test]
    fn same_logical_request_same_key() {
        let a = json(r#"{"prompt":"a","aspectRatio":"16:9","duration":"5"}"#);
        let b = json(r#"{"duration":"5","prompt":"a","aspectRatio":"16:9"}"#);
        assert_eq!(derive_key("t2v", &a, None), derive_key("t2v", &b, None));
        assert_eq!(
            derive_key("t2v", &a, None),
            "aiv1-t2v-".to_string() + &digest128(&format!("t2v\n\n{}", a.to_canonical_json()))
        );
    }

    #[test]
    fn model_payload_and_scope_change_the_key() {
        let a = json(r#"{"prompt":"a"}"#);
        let b = json(r#"{"prompt":"b"}"#);
        let k = derive_key("t2v", &a, None);
        assert_ne!(k, derive_key("t2v", &b, None));
        assert_ne!(k, derive_key("t2v_v3", &a, None));
        assert_ne!(k, derive_key("t2v", &a, Some("user-42")));
        assert_ne!(derive_key("t2v", &a, Some("job-1")), derive_key("t2v", &a, Some("job-2")));
    }

    #[test]
    fn keys_obey_the_8_to_128_rule_for_any_model_name() {
        for model in ["t2v", "", "x".repeat(500).as_str(), "weird model/../é"] {
            let k = derive_key(model, &Value::Null, None);
            assert!(check_idempotency_key(&k).is_ok(), "{k}");
        }
    }

    #[test]
    fn idempotency_keys_follow_the_8_to_128_rule() {
        assert!(check_idempotency_key("1234567").is_err());
        assert!(check_idempotency_key("12345678").is_ok());
        assert!(check_idempotency_key(&"k".repeat(128)).is_ok());
        assert!(check_idempotency_key(&"k".repeat(129)).is_err());
        assert!(check_idempotency_key("has space").is_err());
    }
}
