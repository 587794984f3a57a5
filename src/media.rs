//! Media inputs: http(s) URLs and image data URIs.
//!
//! Owns: checking a media string for its kind, parsing `data:image/<subtype>;base64,<data>`
//! and measuring the decoded size without decoding (no allocation proportional to the input).
//! Must not: fetch anything or decode the bytes.

use crate::contract::MediaKind;
use crate::url::check_http_url;

/// Default cap on a data URI's decoded size. The service takes JSON bodies; beyond this a
/// public URL is the better choice.
pub const DEFAULT_MAX_DATA_URI_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    NotUrl(String),
    DataUriNotAllowed,
    BadDataUri(String),
    TooLarge { bytes: usize, max: usize },
}

impl MediaError {
    pub fn message(&self, kind: MediaKind) -> String {
        match self {
            MediaError::NotUrl(why) => match kind {
                MediaKind::Image => {
                    format!("an image must be an http(s) URL or a data:image/…;base64, URI: the URL {why}")
                }
                _ => format!("a {} must be an http(s) URL: it {why}", kind.as_str()),
            },
            MediaError::DataUriNotAllowed => {
                format!(
                    "{} fields take http(s) URLs only, not data URIs: upload the file and pass its URL",
                    kind.as_str()
                )
            }
            MediaError::BadDataUri(why) => format!("the data URI is malformed: {why}"),
            MediaError::TooLarge { bytes, max } => {
                format!("the data URI decodes to {bytes} bytes, above the {max}-byte limit: pass a public URL instead")
            }
        }
    }
}

/// What a valid media string turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    Url,
    DataUri { subtype: String, bytes: usize },
}

pub fn check_media(s: &str, kind: MediaKind, max_bytes: usize) -> Result<Media, MediaError> {
    if let Some(rest) = strip_prefix_ignore_case(s, "data:") {
        if kind != MediaKind::Image {
            return Err(MediaError::DataUriNotAllowed);
        }
        return check_image_data_uri(rest, max_bytes);
    }
    let lower_ok =
        strip_prefix_ignore_case(s, "https://").is_some() || strip_prefix_ignore_case(s, "http://").is_some();
    if !lower_ok {
        return Err(MediaError::NotUrl("must start with http:// or https://".into()));
    }
    // Scheme case does not matter; check the rest with the URL rules.
    let normalized = match s.find("://") {
        Some(i) => format!("{}{}", s.get(..i).unwrap_or("").to_ascii_lowercase(), s.get(i..).unwrap_or("")),
        None => s.to_string(),
    };
    check_http_url(&normalized).map_err(MediaError::NotUrl)?;
    Ok(Media::Url)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// `rest` is what follows `data:`.
fn check_image_data_uri(rest: &str, max_bytes: usize) -> Result<Media, MediaError> {
    let (meta, data) = rest.split_once(',').ok_or_else(|| MediaError::BadDataUri("no comma before the data".into()))?;
    let subtype = check_meta(meta)?;
    let bytes = base64_decoded_len(data.as_bytes()).map_err(MediaError::BadDataUri)?;
    sized(subtype, bytes, max_bytes)
}

/// A data URI whose base64 was checked and measured outside (`Value::CheckedDataUri`):
/// `head` is its start, up to the comma at least.
pub fn check_checked_data_uri(
    head: &str,
    bytes: usize,
    kind: MediaKind,
    max_bytes: usize,
) -> Result<Media, MediaError> {
    let rest =
        strip_prefix_ignore_case(head, "data:").ok_or_else(|| MediaError::BadDataUri("no data: prefix".into()))?;
    if kind != MediaKind::Image {
        return Err(MediaError::DataUriNotAllowed);
    }
    let (meta, _) = rest.split_once(',').ok_or_else(|| MediaError::BadDataUri("no comma before the data".into()))?;
    sized(check_meta(meta)?, bytes, max_bytes)
}

/// `image/<subtype>[;params];base64`: the subtype.
fn check_meta(meta: &str) -> Result<&str, MediaError> {
    let mut parts = meta.split(';');
    let mime = parts.next().unwrap_or("");
    let subtype = strip_prefix_ignore_case(mime, "image/").ok_or_else(|| {
        MediaError::BadDataUri(format!("the media type must be image/<type>, got \"{}\"", clip(mime)))
    })?;
    if subtype.is_empty() || !subtype.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-')) {
        return Err(MediaError::BadDataUri(format!("\"{}\" is not an image type", clip(mime))));
    }
    if parts.next_back().map(|p| p.eq_ignore_ascii_case("base64")) != Some(true) {
        return Err(MediaError::BadDataUri("it must be base64-encoded (…;base64,<data>)".into()));
    }
    Ok(subtype)
}

fn sized(subtype: &str, bytes: usize, max_bytes: usize) -> Result<Media, MediaError> {
    if bytes > max_bytes {
        return Err(MediaError::TooLarge { bytes, max: max_bytes });
    }
    Ok(Media::DataUri { subtype: subtype.to_ascii_lowercase(), bytes })
}

const fn base64_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
        i += 1;
    }
    t
}
static BASE64: [bool; 256] = base64_table();

/// The decoded length of standard, padded base64, checking every character on the way.
pub fn base64_decoded_len(data: &[u8]) -> Result<usize, String> {
    if data.is_empty() {
        return Err("the base64 data is empty".into());
    }
    if data.len() % 4 != 0 {
        return Err(format!("the base64 data has {} characters, not a multiple of 4 (missing padding?)", data.len()));
    }
    let padding = data.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 {
        return Err("the base64 data has more than two '=' of padding".into());
    }
    let body = data.get(..data.len() - padding).unwrap_or(&[]);
    if let Some(pos) = body.iter().position(|&b| !BASE64[b as usize]) {
        let bad = body.get(pos).copied().unwrap_or(b'?');
        let shown = if bad.is_ascii_graphic() { format!("'{}'", bad as char) } else { format!("byte 0x{bad:02x}") };
        return Err(format!("the base64 data has {shown} at position {pos}"));
    }
    Ok(data.len() / 4 * 3 - padding)
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    const MAX: usize = DEFAULT_MAX_DATA_URI_BYTES;

    #[test]
    fn urls() {
        assert_eq!(check_media("https://cdn.example.com/a.png", MediaKind::Image, MAX), Ok(Media::Url));
        assert_eq!(check_media("HTTP://example.com/a.mp4", MediaKind::Video, MAX), Ok(Media::Url));
        for bad in [
            "ftp://x/a.png",
            "example.com/a.png",
            "https://",
            "https://user:pw@x.test/a.png",
            "https://x.test/a b.png",
            "",
        ] {
            assert!(matches!(check_media(bad, MediaKind::Image, MAX), Err(MediaError::NotUrl(_))), "{bad}");
        }
    }

    #[test]
    fn data_uris() {
        assert_eq!(
            check_media("data:image/png;base64,iVBORw0KGgo=", MediaKind::Image, MAX),
            Ok(Media::DataUri { subtype: "png".into(), bytes: 8 })
        );
        assert_eq!(
            check_media("data:image/svg+xml;base64,AAAA", MediaKind::Image, MAX),
            Ok(Media::DataUri { subtype: "svg+xml".into(), bytes: 3 })
        );
        assert_eq!(
            check_media("data:image/png;base64,AAAA", MediaKind::Video, MAX),
            Err(MediaError::DataUriNotAllowed)
        );
        assert_eq!(
            check_media("data:image/png;base64,AAAA", MediaKind::Audio, MAX),
            Err(MediaError::DataUriNotAllowed)
        );
        for bad in [
            "data:text/plain;base64,AAAA",
            "data:image/png,AAAA",
            "data:image/png;base64,",
            "data:image/png;base64,AAA",
            "data:image/png;base64,AA=A",
            "data:image/png;base64,A===",
            "data:image/png;base64,AA*A",
            "data:image/;base64,AAAA",
            "data:image/png;base64",
        ] {
            assert!(matches!(check_media(bad, MediaKind::Image, MAX), Err(MediaError::BadDataUri(_))), "{bad}");
        }
    }

    #[test]
    fn decoded_size_and_limit() {
        assert_eq!(base64_decoded_len(b"AAAA"), Ok(3));
        assert_eq!(base64_decoded_len(b"AAA="), Ok(2));
        assert_eq!(base64_decoded_len(b"AA=="), Ok(1));
        let big = format!("data:image/jpeg;base64,{}", "A".repeat(4000));
        assert_eq!(check_media(&big, MediaKind::Image, 2999), Err(MediaError::TooLarge { bytes: 3000, max: 2999 }));
        assert!(check_media(&big, MediaKind::Image, 3000).is_ok());
    }

    #[test]
    fn checked_data_uris_take_the_same_rules() {
        let ok = check_checked_data_uri("data:image/JPEG;base64,AAAA", 3000, MediaKind::Image, 3000);
        assert_eq!(ok, Ok(Media::DataUri { subtype: "jpeg".into(), bytes: 3000 }));
        assert_eq!(
            check_checked_data_uri("data:image/png;base64,", 3001, MediaKind::Image, 3000),
            Err(MediaError::TooLarge { bytes: 3001, max: 3000 })
        );
        assert_eq!(
            check_checked_data_uri("data:image/png;base64,", 3, MediaKind::Video, MAX),
            Err(MediaError::DataUriNotAllowed)
        );
        for bad in ["data:text/plain;base64,", "data:image/png,", "data:image/png;base64", "image/png;base64,"] {
            assert!(
                matches!(check_checked_data_uri(bad, 3, MediaKind::Image, MAX), Err(MediaError::BadDataUri(_))),
                "{bad}"
            );
        }
    }
}
