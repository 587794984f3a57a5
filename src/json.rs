//! Reads the JSON text `JSON.stringify` writes, for `validatePayload`'s fast path.
//!
//! Owns: turning one JSON string from the JS side into the core's `Value` in one pass, so a
//! payload crosses the wasm boundary as one string instead of one call per member.
//! Must not: guess. Anything it does not read exactly (a number that is not a safe integer,
//! a value past `crate::limits`, text that is not JSON) gives `None`, and the caller takes
//! the member-by-member path, which reports such values precisely. Never panics.
//!
//! Size: 240 lines of code; the rest is its unit tests, kept beside what they test.

use crate::limits::{MAX_INPUT_DEPTH, MAX_INPUT_STRING_CHARS, MAX_INPUT_VALUES};
use crate::value::Value;

/// The value `text` holds, or `None` when this reader does not take it (see the module doc).
pub fn parse(text: &str) -> Option<Value> {
    let mut p = Parser { text, s: text.as_bytes(), i: 0, values: 0 };
    let v = p.value(0)?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

enum StringOrUri {
    String(String),
    Uri(String, usize),
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
    values: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &[u8], v: Value) -> Option<Value> {
        let end = self.i.checked_add(word.len())?;
        (self.s.get(self.i..end)? == word).then(|| {
            self.i = end;
            v
        })
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        self.values += 1;
        if self.values > MAX_INPUT_VALUES || depth > MAX_INPUT_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|s| match s {
                StringOrUri::String(s) => Value::String(s),
                StringOrUri::Uri(head, bytes) => Value::CheckedDataUri { head, bytes, source: None },
            }),
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b't' => self.lit(b"true", Value::Bool(true)),
            b'f' => self.lit(b"false", Value::Bool(false)),
            b'n' => self.lit(b"null", Value::Null),
            _ => self.number(),
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        self.items(b'}', |p| {
            p.ws();
            if p.peek()? != b'"' {
                return None;
            }
            let StringOrUri::String(key) = p.string()? else { return None };
            if !p.eat(b':') {
                return None;
            }
            Some((key, p.value(depth + 1)?))
        })
        .map(Value::Object)
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        self.items(b']', |p| p.value(depth + 1)).map(Value::Array)
    }

    /// The items of an object or array up to `close`, each read by `item`, comma-separated.
    fn items<T>(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.i += 1;
        let mut out = Vec::new();
        if self.eat(close) {
            return Some(out);
        }
        loop {
            out.push(item(self)?);
            if self.next_item(close)? {
                return Some(out);
            }
        }
    }

    /// Skips white space, then takes `b` if it is next.
    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        let found = self.peek() == Some(b);
        if found {
            self.i += 1;
        }
        found
    }

    /// After an item: `,` (`false`: another follows) or `close` (`true`: done); else `None`.
    fn next_item(&mut self, close: u8) -> Option<bool> {
        if self.eat(b',') {
            return Some(false);
        }
        self.eat(close).then_some(true)
    }

    /// Safe integers only (what payload numbers are); others are read by the runtime.
    fn number(&mut self) -> Option<Value> {
        let neg = self.peek() == Some(b'-');
        if neg {
            self.i += 1;
        }
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.i += 1;
        }
        let digits = self.i - start;
        if digits == 0 || digits > 16 || (digits > 1 && self.s.get(start) == Some(&b'0')) {
            return None;
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) || n > (1 << 53) - 1 {
            return None;
        }
        let v = n as f64;
        Some(Value::Number(if neg { -v } else { v }))
    }

    fn string(&mut self) -> Option<StringOrUri> {
        self.i += 1;
        let mut out = String::new();
        let mut units = 0usize;
        loop {
            // A run of plain bytes (UTF-8 continuation bytes included) in one copy.
            let start = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // Cut at ASCII bytes, so on character boundaries of the text.
            let run = self.text.get(start..self.i)?;
            // Bytes, an upper bound of the UTF-16 units: counted exactly only past the limit.
            units += run.len();
            out.push_str(run);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    let fits = units <= MAX_INPUT_STRING_CHARS
                        || out.chars().map(char::len_utf16).sum::<usize>() <= MAX_INPUT_STRING_CHARS;
                    return fits.then_some(StringOrUri::String(out));
                }
                b'\\' => {
                    self.i += 1;
                    let c = self.escape()?;
                    units += c.len_utf16();
                    out.push(c);
                }
                // A raw control byte is never in `JSON.stringify`'s output: 0x01 marks a
                // data URI `api.js` checked itself, written as `"<head>\x01<bytes>\x01"`.
                1 => return self.checked_data_uri(out),
                _ => return None,
            }
        }
    }

    fn checked_data_uri(&mut self, head: String) -> Option<StringOrUri> {
        self.i += 1;
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        let bytes = std::str::from_utf8(self.s.get(start..self.i)?).ok()?.parse().ok()?;
        (self.peek()? == 1 && self.s.get(self.i + 1) == Some(&b'"')).then(|| {
            self.i += 2;
            StringOrUri::Uri(head, bytes)
        })
    }

    fn escape(&mut self) -> Option<char> {
        let e = self.peek()?;
        self.i += 1;
        Some(match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) && self.s.get(self.i..self.i + 2) == Some(b"\\u") {
                    let save = self.i;
                    self.i += 2;
                    let lo = self.hex4()?;
                    if (0xDC00..0xE000).contains(&lo) {
                        return char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
                    }
                    self.i = save;
                }
                // A lone surrogate becomes U+FFFD, as reading the JS string directly does.
                char::from_u32(hi).unwrap_or('\u{FFFD}')
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = char::from(self.peek()?).to_digit(16)?;
            v = v * 16 + d;
            self.i += 1;
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_stringify_writes() {
        let v = parse(
            r#"{"prompt":"a \"fox\"\n\u00e9 \ud83e\udd8a","duration":5,"n":-12,"ok":true,"x":null,"l":["a",[]],"o":{}}"#,
        );
        let expected = Value::object(vec![
            ("prompt", Value::str("a \"fox\"\n\u{e9} \u{1f98a}")),
            ("duration", Value::Number(5.0)),
            ("n", Value::Number(-12.0)),
            ("ok", Value::Bool(true)),
            ("x", Value::Null),
            ("l", Value::Array(vec![Value::str("a"), Value::Array(vec![])])),
            ("o", Value::Object(vec![])),
        ]);
        assert_eq!(v, Some(expected));
        assert_eq!(parse(r#""\ud800x""#), Some(Value::str("\u{FFFD}x")));
        assert_eq!(parse("9007199254740991"), Some(Value::Number(9_007_199_254_740_991.0)));
        assert_eq!(
            parse("[\"data:image/png;base64,\u{1}3932160\u{1}\"]"),
            Some(Value::Array(vec![Value::CheckedDataUri {
                head: "data:image/png;base64,".into(),
                bytes: 3_932_160,
                source: None
            }]))
        );
    }

    #[test]
    fn declines_what_it_does_not_read_exactly() {
        for text in [
            "5.5",
            "1e21",
            "9007199254740992",
            "012",
            "-",
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "\"\\x\"",
            "tru",
            "\"a\u{1}\"",
            "{\"a\":1}x",
            "\"\\ud83e\\udd8",
            "99999999999999999999",
            "\"a\u{1}12\"",
            "{\"\u{1}1\u{1}\":1}",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
        let deep = format!("{}{}", "[".repeat(MAX_INPUT_DEPTH + 2), "]".repeat(MAX_INPUT_DEPTH + 2));
        assert_eq!(parse(&deep), None);
        let many = format!("[{}0]", "0,".repeat(MAX_INPUT_VALUES));
        assert_eq!(parse(&many), None);
    }
}
