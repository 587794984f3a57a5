//! `validatePayload`'s result as JSON text, written straight from the validation's own
//! structures (no `Value` tree built and dropped first: a third of the time it took): `{ ok:
//! true, model, payload, estimate, media }` or `{ ok: false, model, errorCode, errorMessage,
//! issues, details, omittedIssues }` (`details` is the vendor script's `[{field, expected,
//! actual}]`, kept for compatibility). The result crosses to JS as this one string.

use super::{validate_payload, Issue, MediaInfo, ValidateOptions};
use crate::value::{format_number, write_json_string, Numbers, Value};

/// Writes `{"k":…,"k":…}` with keys and values in the order given.
struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    fn open(out: &'a mut String) -> Obj<'a> {
        out.push('{');
        Obj { out, first: true }
    }
    fn key(&mut self, k: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(k);
        self.out.push_str("\":");
        self.out
    }
    fn str(&mut self, k: &str, v: &str) {
        write_json_string(v, self.key(k));
    }
    fn opt_str(&mut self, k: &str, v: Option<&str>) {
        match v {
            Some(v) => self.str(k, v),
            None => self.key(k).push_str("null"),
        }
    }
    fn raw(&mut self, k: &str, v: &str) {
        self.key(k).push_str(v);
    }
    fn close(self) {
        self.out.push('}');
    }
}

fn list<T>(out: &mut String, items: &[T], each: impl Fn(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "null".to_string(), |n| format_number(n as f64))
}

fn media(out: &mut String, m: &MediaInfo) {
    let mut o = Obj::open(out);
    o.str("path", &m.path);
    o.str("kind", m.kind.as_str());
    o.str("source", if m.bytes.is_some() { "dataUri" } else { "url" });
    o.opt_str("mimeType", m.mime_type.as_deref());
    o.raw("bytes", &count(m.bytes.map(|b| b as u64)));
    o.close();
}

fn issue(out: &mut String, i: &Issue) {
    let mut o = Obj::open(out);
    o.str("path", &i.path);
    o.str("code", i.code.as_str());
    o.str("expected", &i.expected);
    o.str("actual", &i.actual);
    o.str("message", &i.message);
    o.close();
}

/// `{field, expected, actual}` with `actual` the value as given (`Issue::value`).
fn detail(out: &mut String, i: &Issue, number: &dyn Fn(f64) -> String) {
    let mut o = Obj::open(out);
    o.str("field", &i.path);
    o.str("expected", &i.expected);
    i.value.write_json(o.key("actual"), false, &Numbers::With(number));
    o.close();
}

/// The result as JSON. `with_payload: false` leaves `payload` null (the wasm edge puts the
/// caller's own object there instead of a copy); `number` writes non-integers (the edge
/// passes the runtime's `String(n)`).
pub fn validation_report_json(
    model: &str,
    payload: &Value,
    opts: &ValidateOptions,
    with_payload: bool,
    number: &dyn Fn(f64) -> String,
) -> String {
    let mut out = String::with_capacity(512);
    let mut o = Obj::open(&mut out);
    match validate_payload(model, payload, opts) {
        Ok(v) => {
            o.raw("ok", "true");
            o.str("model", model);
            if with_payload {
                payload.write_json(o.key("payload"), false, &Numbers::With(number));
            } else {
                o.raw("payload", "null");
            }
            let e = &v.estimate;
            let mut est = Obj::open(o.key("estimate"));
            est.str("model", e.model);
            est.raw("credits", &count(e.credits));
            let usd = e.credits.map(|c| c as f64 / 100.0);
            est.raw(
                "usd",
                &usd.map_or_else(
                    || "null".to_string(),
                    |u| if u.fract() == 0.0 { format_number(u) } else { number(u) },
                ),
            );
            est.str("basis", &e.basis);
            est.opt_str("reason", e.reason.as_deref());
            est.close();
            list(o.key("media"), &v.media, media);
        }
        Err(rej) => {
            o.raw("ok", "false");
            o.str("model", model);
            o.str("errorCode", rej.code.as_str());
            o.str("errorMessage", &rej.message);
            list(o.key("issues"), &rej.issues, issue);
            list(o.key("details"), &rej.issues, |out, i| detail(out, i, number));
            o.raw("omittedIssues", &format_number(rej.omitted as f64));
        }
    }
    o.close();
    out
}
