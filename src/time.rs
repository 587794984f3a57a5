//! Calendar arithmetic for the two date forms the API uses.
//!
//! Owns: parsing HTTP dates (`Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`) and ISO 8601
//! timestamps (`completedAt`), and formatting ISO 8601. Everything is in Unix milliseconds.
//! Must not: read the clock (callers pass `now`).

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn valid_ymd_hms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> bool {
    (1970..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && (0..=23).contains(&h)
        && (0..=59).contains(&mi)
        && (0..=60).contains(&s)
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 9 {
        return None;
    }
    s.parse().ok()
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// An HTTP date in any of the three forms HTTP/1.1 requires a recipient to accept, in ms
/// since the epoch: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
/// Written here rather than taken from the `httpdate` crate: that crate cost 4.2 KB gzip of
/// wasm (measured, README "Dependencies") for these thirty lines.
pub fn parse_http_date(s: &str) -> Option<f64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let (day, mon, year, hms) = match parts.as_slice() {
        [_, day, mon, year, hms, zone] if *zone == "GMT" || *zone == "UTC" => (*day, *mon, num(year)?, *hms),
        [_, dmy, hms, "GMT"] => {
            let d: Vec<&str> = dmy.split('-').collect();
            let [day, mon, yy] = d.as_slice() else { return None };
            // RFC 850's two-digit year: RFC 9110 reads one more than 50 years ahead as the past.
            let yy = num(yy)?;
            let year = if yy < 100 {
                if yy >= 70 {
                    1900 + yy
                } else {
                    2000 + yy
                }
            } else {
                yy
            };
            (*day, *mon, year, *hms)
        }
        [_, mon, day, hms, year] => (*day, *mon, num(year)?, *hms),
        _ => return None,
    };
    let mo = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(mon))? as i64 + 1;
    let t: Vec<&str> = hms.split(':').collect();
    let [h, mi, sec] = t.as_slice() else {
        return None;
    };
    let (d, h, mi, sec) = (num(day)?, num(h)?, num(mi)?, num(sec)?);
    if !valid_ymd_hms(year, mo, d, h, mi, sec) {
        return None;
    }
    let days = days_from_civil(year, mo, d);
    Some(((days * 86_400 + h * 3600 + mi * 60 + sec) * 1000) as f64)
}

/// `2026-09-14T10:00:00Z`, `2026-09-14T10:00:00.123Z` or with a `+hh:mm` offset.
pub fn parse_iso8601(s: &str) -> Option<f64> {
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let d: Vec<&str> = date.split('-').collect();
    let [y, mo, day] = d.as_slice() else {
        return None;
    };
    let (clock, offset_min) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let (c, off) = rest.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off.get(1..)?.split_once(':')?;
        (c, sign * (num(oh)? * 60 + num(om)?))
    } else {
        return None;
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let t: Vec<&str> = hms.split(':').collect();
    let [h, mi, sec] = t.as_slice() else {
        return None;
    };
    let (y, mo, day, h, mi, sec) = (num(y)?, num(mo)?, num(day)?, num(h)?, num(mi)?, num(sec)?);
    if !valid_ymd_hms(y, mo, day, h, mi, sec) {
        return None;
    }
    let ms = if frac.is_empty() {
        0
    } else {
        let digits: String = frac.chars().take(3).collect();
        num(&format!("{digits:0<3}"))?
    };
    let secs = days_from_civil(y, mo, day) * 86_400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    Some((secs * 1000 + ms) as f64)
}

/// `2026-09-14T10:00:00.000Z`, as JavaScript's `toISOString` writes it.
pub fn format_iso8601(ms: f64) -> String {
    let total = ms.floor() as i64;
    let (days, rem) = (total.div_euclid(86_400_000), total.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, rem) = (rem / 3_600_000, rem % 3_600_000);
    let (mi, rem) = (rem / 60_000, rem % 60_000);
    let (s, milli) = (rem / 1000, rem % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000.0));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0.0));
        // The two obsolete forms HTTP/1.1 recipients must also accept.
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(784_111_777_000.0));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(784_111_777_000.0));
        for bad in [
            "",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn iso_round_trip() {
        let t = parse_iso8601("2026-09-14T10:00:00Z").unwrap(); // ok: test
        assert_eq!(format_iso8601(t), "2026-09-14T10:00:00.000Z");
        assert_eq!(parse_iso8601("2026-09-14T10:00:00.5Z"), Some(t + 500.0));
        assert_eq!(parse_iso8601("2026-09-14T12:00:00+02:00"), Some(t));
        assert_eq!(
            parse_iso8601("2024-02-29T00:00:00Z").map(format_iso8601).as_deref(),
            Some("2024-02-29T00:00:00.000Z")
        );
        assert_eq!(parse_iso8601("yesterday"), None);
        assert_eq!(parse_iso8601("2026-13-01T00:00:00Z"), None);
    }
}
