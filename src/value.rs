//! The JSON value the core works on, and its serialization.
//!
//! Owns: a small JSON tree (`Value`) that both the wasm edge (from JS objects) and native
//! tests (from serde_json) build, plus compact and canonical (sorted-key) JSON output.
//! Must not: parse text (`crate::json` reads `validatePayload`'s fast path; everything else
//! comes through the runtime's `JSON.parse`), allocate per lookup, or
//! panic on any input.
//!
//! Size: 335 lines of code (the value, its external text and two writers); the rest is its
//! unit tests, kept beside what they test.

/// A JSON value. Objects keep insertion order; JS objects cannot hold duplicate keys.
///
/// `Unsupported` carries the JS type name of something JSON cannot hold (a function, a
/// symbol, a BigInt), so validation can say what it was instead of failing to convert.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
    Unsupported(String),
    /// A long data URI whose base64 the JS side checked without copying it into the wasm:
    /// its first characters (the head, `data:image/png;base64,`, and some of the data), its
    /// decoded size, and where its text is (`None` in `validatePayload`'s fast path, which
    /// only validates; the edge's string in a create's snapshot). Writing it as JSON writes
    /// the whole text, read from `source` (see `JsonSink::external`).
    CheckedDataUri {
        head: String,
        bytes: usize,
        source: Option<External>,
    },
}

/// Text kept outside the core (a JS string the wasm never copies whole).
pub trait TextSource {
    /// Feeds the text to `out` in pieces (JSON-safe: a checked data URI needs no escapes).
    fn write_to(&self, out: &mut dyn JsonSink);
    /// For the edge, to find its own type again.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// A shared `TextSource`; equal only to itself.
#[derive(Clone)]
pub struct External(pub std::rc::Rc<dyn TextSource>);

impl PartialEq for External {
    fn eq(&self, other: &External) -> bool {
        std::rc::Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for External {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("External")
    }
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The JSON type name used in messages: `string`, `number`, `integer` is never reported
    /// (a JSON number is a number), `array`, `object`, `boolean`, `null`, or the JS type.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if !n.is_finite() => "non-finite number",
            Value::Number(_) => "number",
            Value::String(_) | Value::CheckedDataUri { .. } => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Unsupported(kind) => kind,
        }
    }

    pub fn object(entries: Vec<(&str, Value)>) -> Value {
        Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn opt_str(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// Compact JSON, keys in insertion order. Non-finite numbers and unsupported values are
    /// written as `null`, as `JSON.stringify` does.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_json(self, &mut out, false, &Numbers::Plain);
        out
    }

    /// Compact JSON with object keys sorted: the same logical value always gives the same
    /// text, whatever order its keys were written in.
    pub fn to_canonical_json(&self) -> String {
        let mut out = String::new();
        write_json(self, &mut out, true, &Numbers::Canonical);
        out
    }

    /// A short, single-line rendering for messages (`"5"`, `5`, `an array of 3`), truncated.
    pub fn describe(&self) -> String {
        match self {
            Value::String(s) | Value::CheckedDataUri { head: s, .. } => {
                let mut q = String::from("\"");
                for (i, c) in s.chars().enumerate() {
                    if i >= 40 {
                        q.push('…');
                        break;
                    }
                    q.push(c);
                }
                q.push('"');
                q
            }
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => b.to_string(),
            Value::Null => "null".to_string(),
            Value::Array(items) => format!("an array of {}", items.len()),
            Value::Object(_) => "an object".to_string(),
            Value::Unsupported(kind) if kind.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {kind}"),
            Value::Unsupported(kind) => format!("a {kind}"),
        }
    }
}

/// Formats a number for messages and JSON: integers exactly as JavaScript prints them,
/// other numbers with up to 6 decimals. (No float-to-shortest-decimal machinery: it costs
/// ~15 KB of wasm. Request bodies are serialized by the runtime's `JSON.stringify`.)
pub fn format_number(n: f64) -> String {
    if !n.is_finite() {
        return if n.is_nan() {
            "NaN".into()
        } else if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        return format!("{}", n as i64);
    }
    if n.abs() >= 9.007_199_254_740_992e15 {
        return if n > 0.0 { "9007199254740992+".into() } else { "-9007199254740992+".into() };
    }
    let scaled = (n.abs() * 1e6).round() as u64;
    let (int, frac) = (scaled / 1_000_000, scaled % 1_000_000);
    let sign = if n < 0.0 && scaled != 0 { "-" } else { "" };
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let digits = format!("{frac:06}");
    format!("{sign}{int}.{}", digits.trim_end_matches('0'))
}

/// Parses `[+-]digits[.digits]` (what durations and Retry-After look like) without the
/// general float parser. `None` for anything else.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let s = s.trim();
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut v = 0.0f64;
    for b in int.bytes() {
        v = v * 10.0 + f64::from(b - b'0');
    }
    let mut scale = 1.0f64;
    for b in frac.bytes().take(15) {
        scale /= 10.0;
        v += f64::from(b - b'0') * scale;
    }
    Some(if neg { -v } else { v })
}

/// Where JSON text goes: a `String`, or a hasher that never holds the text.
pub trait JsonSink {
    fn push_str(&mut self, s: &str);
    /// A `TextSource`'s text, without its quotes: `true` when the sink took it by reference
    /// (the edge's request body); otherwise the text is fed in pieces through `push_str`.
    fn external(&mut self, _source: &External) -> bool {
        false
    }
    fn push(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.push_str(c.encode_utf8(&mut buf));
    }
}

impl JsonSink for String {
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
    fn push(&mut self, c: char) {
        String::push(self, c);
    }
}

/// How non-integer numbers are written. Canonical output (hashing) uses their exact bits;
/// request bodies use the runtime's own formatting, passed in by the edge.
pub enum Numbers<'a> {
    Plain,
    Canonical,
    With(&'a dyn Fn(f64) -> String),
}

impl Value {
    /// JSON into any sink. `sorted` orders object keys (canonical form).
    pub fn write_json(&self, out: &mut dyn JsonSink, sorted: bool, numbers: &Numbers) {
        write_json(self, out, sorted, numbers);
    }

    /// Compact JSON with non-integers formatted by `format` (the runtime's `String(n)`).
    pub fn to_json_with(&self, format: &dyn Fn(f64) -> String) -> String {
        let mut out = String::new();
        write_json(self, &mut out, false, &Numbers::With(format));
        out
    }
}

fn write_json(v: &Value, out: &mut dyn JsonSink, sorted: bool, numbers: &Numbers) {
    match v {
        Value::Null | Value::Unsupported(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // Non-integers, and integers past 2^53 (format_number writes those as a bound, which
        // is no JSON number).
        Value::Number(n) if n.is_finite() && (n.fract() != 0.0 || n.abs() >= 9.007_199_254_740_992e15) => match numbers
        {
            Numbers::Canonical => out.push_str(&format!("f{:016x}", n.to_bits())),
            Numbers::With(f) => out.push_str(&f(*n)),
            // i64 formatting, not float formatting (which would cost the wasm 6 KB); past
            // i64, null (the edge writes JS numbers With the runtime's own formatting).
            Numbers::Plain if n.fract() == 0.0 && n.abs() < 9.2e18 => out.push_str(&format!("{}", *n as i64)),
            Numbers::Plain if n.fract() == 0.0 => out.push_str("null"),
            Numbers::Plain => out.push_str(&format_number(*n)),
        },
        Value::Number(n) if n.is_finite() => out.push_str(&format_number(*n)),
        Value::Number(_) => out.push_str("null"),
        Value::String(s) => write_json_string(s, out),
        Value::CheckedDataUri { source: Some(source), .. } => {
            out.push('"');
            if !out.external(source) {
                source.0.write_to(out);
            }
            out.push('"');
        }
        Value::CheckedDataUri { head, source: None, .. } => write_json_string(head, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, sorted, numbers);
            }
            out.push(']');
        }
        Value::Object(entries) => {
            out.push('{');
            let mut refs: Vec<&(String, Value)> = entries.iter().collect();
            if sorted {
                // Insertion sort: objects are small, and it keeps the sort code out of the wasm.
                for i in 1..refs.len() {
                    let mut j = i;
                    while j > 0 && refs.get(j - 1).map(|r| &r.0) > refs.get(j).map(|r| &r.0) {
                        refs.swap(j - 1, j);
                        j -= 1;
                    }
                }
            }
            for (i, (k, item)) in refs.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(item, out, sorted, numbers);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal of `s` (quotes and escapes) into `out`.
pub fn write_json_string(s: &str, out: &mut dyn JsonSink) {
    out.push('"');
    // Copy runs of plain characters in one go: data URIs are megabytes of them. Every byte
    // that needs escaping is ASCII, and no byte of a multi-byte UTF-8 sequence is, so the
    // scan goes by bytes and every cut falls on a character boundary.
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or(""));
        if escaped.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        } else {
            out.push_str(escaped);
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

#[cfg(test)]
#[path = "../tests/rust/common.rs"]
pub(crate) mod test_json;

#[cfg(test)]
mod tests {
    use super::test_json::json;
    use super::*;

    #[test]
    fn compact_json_round_trips_through_serde() {
        let v = json(r#"{"b":[1,2.5,"x\"y\n"],"a":{"n":null,"t":true},"c":"\u0001é"}"#);
        let text = v.to_json();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap(); // ok: test
        assert_eq!(super::test_json::from_serde(&back), v);
        assert!(text.starts_with(r#"{"b":"#), "insertion order kept: {text}");
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let a = json(r#"{"b":1,"a":{"z":1,"y":2}}"#);
        let b = json(r#"{"a":{"y":2,"z":1},"b":1}"#);
        assert_eq!(a.to_canonical_json(), b.to_canonical_json());
        assert_eq!(a.to_canonical_json(), r#"{"a":{"y":2,"z":1},"b":1}"#);
        let x = json(r#"{"d":4.000001}"#).to_canonical_json();
        let y = json(r#"{"d":4.0000011}"#).to_canonical_json();
        assert_ne!(x, y, "canonical numbers are exact");
    }

    #[test]
    fn non_json_values_serialize_as_null() {
        let v = Value::Array(vec![
            Value::Number(f64::NAN),
            Value::Number(f64::INFINITY),
            Value::Unsupported("function".into()),
        ]);
        assert_eq!(v.to_json(), "[null,null,null]");
    }

    #[test]
    fn numbers_print_like_javascript() {
        assert_eq!(format_number(5.0), "5");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_number(0.15), "0.15");
        assert_eq!(format_number(-4.5), "-4.5");
        assert_eq!(format_number(1e300), "9007199254740992+");
    }

    #[test]
    fn decimals_parse_without_the_float_parser() {
        assert_eq!(parse_decimal("5"), Some(5.0));
        assert_eq!(parse_decimal(" 1.5 "), Some(1.5));
        assert_eq!(parse_decimal("-2"), Some(-2.0));
        assert_eq!(parse_decimal(".5"), Some(0.5));
        assert_eq!(parse_decimal("0.001"), Some(0.001));
        for bad in ["", ".", "1e3", "1.2.3", "abc", "--1", "5s"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn describe_truncates_long_strings() {
        let long = Value::String("x".repeat(100));
        assert_eq!(long.describe().chars().count(), 43);
        assert_eq!(Value::str("5").describe(), "\"5\"");
    }
}
