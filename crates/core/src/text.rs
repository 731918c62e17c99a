//! What a file's bytes are as text, decided in one place for every scan mode (folders,
//! stdin, and the blobs of staged, range and history scans), so the same bytes give
//! the same text, line numbers and findings wherever they come from:
//!
//! - binary (a NUL byte near the start, as git decides it): not scanned;
//! - UTF-16, little- or big-endian, with a byte order mark or without one where the
//!   bytes leave no doubt: decoded to UTF-8 (an unpaired surrogate becomes U+FFFD), the
//!   decoded size worked out before decoding and held to the size limit;
//! - anything else as it is (UTF-8 and the ASCII-compatible encodings).
//!
//! A bare carriage return (classic Mac OS line ends) is a line end: where the text has
//! one, it is scanned as a copy with each bare CR made a line feed (the same length, so
//! offsets keep their meaning).
use std::borrow::Cow;

/// Bytes looked at to decide what content is.
pub(crate) const SNIFF: usize = 8000;

/// How content is to be read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Scanned as it is.
    Bytes,
    /// UTF-16; `bom` when the content starts with a byte order mark (dropped).
    Utf16 {
        big_endian: bool,
        bom: bool,
    },
    Binary,
}

/// Content made ready to scan.
pub(crate) enum Prepared<'a> {
    Text(Cow<'a, [u8]>),
    Binary,
    /// Larger than the size limit as it stands, or once decoded.
    TooLarge,
}

/// Share of the code units in the sniffed prefix of UTF-16 without a byte order mark
/// that must be text in the Latin-1 range, in percent.
const BOMLESS_TEXT_PERCENT: usize = 90;

/// What `head` (the first bytes of content `len` bytes long) says the content is.
pub(crate) fn sniff(head: &[u8], len: u64) -> Encoding {
    let head = &head[..head.len().min(SNIFF)];
    // Without a NUL byte, content is read as it is, as it always was: `FF FE` may
    // start Latin-1 text too, and UTF-16 with Latin-1 text in it has NULs.
    if memchr::memchr(0, head).is_none() {
        return Encoding::Bytes;
    }
    let even = len.is_multiple_of(2);
    let bom = match head {
        [0xFF, 0xFE, ..] => Some(false),
        [0xFE, 0xFF, ..] => Some(true),
        _ => None,
    };
    if let Some(big_endian) = bom.filter(|_| even) {
        // Text has no U+0000; UTF-32 LE's mark (FF FE 00 00) starts with one.
        if !units(&head[2..], big_endian).any(|u| u == 0) {
            return Encoding::Utf16 {
                big_endian,
                bom: true,
            };
        }
    }
    if even && head.len() >= 4 {
        for big_endian in [false, true] {
            if bomless_utf16(head, big_endian) {
                return Encoding::Utf16 {
                    big_endian,
                    bom: false,
                };
            }
        }
    }
    Encoding::Binary
}

/// True when nearly every code unit of `head` is a Latin-1 character that text holds
/// (printable, tab or a line break), none is U+0000, and so every other byte is NUL.
fn bomless_utf16(head: &[u8], big_endian: bool) -> bool {
    let head = &head[..head.len() & !1];
    let mut text = 0;
    let mut total = 0;
    for u in units(head, big_endian) {
        if u == 0 {
            return false;
        }
        total += 1;
        text += usize::from(matches!(u, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0xA0..=0xFF));
    }
    text * 100 >= total * BOMLESS_TEXT_PERCENT
}

fn units(bytes: &[u8], big_endian: bool) -> impl Iterator<Item = u16> + '_ {
    bytes.chunks_exact(2).map(move |c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    })
}

/// `bytes` as text to scan, or why not: binary, or larger than `max_size` (as they
/// stand or once decoded).
pub(crate) fn prepare(bytes: &[u8], max_size: u64) -> Prepared<'_> {
    if bytes.len() as u64 > max_size {
        return match sniff(bytes, bytes.len() as u64) {
            Encoding::Binary => Prepared::Binary,
            _ => Prepared::TooLarge,
        };
    }
    let text = match sniff(bytes, bytes.len() as u64) {
        Encoding::Binary => return Prepared::Binary,
        Encoding::Bytes => Cow::Borrowed(bytes),
        Encoding::Utf16 { big_endian, bom } => {
            let body = &bytes[if bom { 2 } else { 0 }..];
            let size = decoded_len(body, big_endian);
            if size as u64 > max_size {
                return Prepared::TooLarge;
            }
            Cow::Owned(decode_utf16(body, big_endian, size))
        }
    };
    Prepared::Text(bare_cr_to_lf(text))
}

/// An old version of content, read as text the way [`prepare`] reads the new one so a
/// line diff compares like with like; as it is when it is binary or over the limit.
pub(crate) fn old_as_text(bytes: &[u8], max_size: u64) -> Cow<'_, [u8]> {
    match prepare(bytes, max_size) {
        Prepared::Text(t) => t,
        _ => Cow::Borrowed(bytes),
    }
}

fn chars(body: &[u8], big_endian: bool) -> impl Iterator<Item = char> + '_ {
    char::decode_utf16(units(body, big_endian)).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
}

/// The size in UTF-8 of UTF-16 `body`, decoded as [`decode_utf16`] does.
fn decoded_len(body: &[u8], big_endian: bool) -> usize {
    chars(body, big_endian).map(char::len_utf8).sum()
}

fn decode_utf16(body: &[u8], big_endian: bool, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size);
    let mut buf = [0u8; 4];
    for c in chars(body, big_endian) {
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    out
}

/// `text` with each carriage return that no line feed follows made a line feed; the
/// text itself (no copy) when there is none.
fn bare_cr_to_lf(text: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    let is_bare = |t: &[u8], i: usize| t.get(i + 1) != Some(&b'\n');
    let Some(first) = memchr::memchr_iter(b'\r', &text).find(|&i| is_bare(&text, i)) else {
        return text;
    };
    let mut out = text.into_owned();
    let mut at = first;
    while let Some(i) = memchr::memchr(b'\r', &out[at..]).map(|i| at + i) {
        if is_bare(&out, i) {
            out[i] = b'\n';
        }
        at = i + 1;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        for u in units {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    fn text(bytes: &[u8]) -> Option<Vec<u8>> {
        match prepare(bytes, 1 << 20) {
            Prepared::Text(t) => Some(t.into_owned()),
            _ => None,
        }
    }

    #[test]
    fn utf16_in_both_orders_with_and_without_a_mark_is_decoded() {
        let s = "Windows Registry Editor Version 5.00\r\n\r\n\"Pass\"=\"h\u{e9}llo \u{1F600}\"\r\n";
        for (big_endian, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let bytes = utf16(s, big_endian, bom);
            assert_eq!(
                sniff(&bytes, bytes.len() as u64),
                Encoding::Utf16 { big_endian, bom },
                "{big_endian} {bom}"
            );
            assert_eq!(text(&bytes).as_deref(), Some(s.as_bytes()));
        }
    }

    #[test]
    fn an_unpaired_surrogate_becomes_the_replacement_character() {
        let mut bytes = utf16("ab", false, true);
        bytes.extend(0xD800u16.to_le_bytes());
        bytes.extend(utf16("c\n", false, false));
        assert_eq!(text(&bytes).as_deref(), Some("ab\u{FFFD}c\n".as_bytes()));
    }

    #[test]
    fn the_decoded_size_is_held_to_the_limit() {
        // Three UTF-8 bytes from two UTF-16 ones: 2002 bytes decode to 2998.
        let bytes = utf16(&format!("={}", "\u{20AC}".repeat(999)), false, true);
        assert_eq!(decoded_len(&bytes[2..], false), 2998);
        assert!(matches!(prepare(&bytes, 2997), Prepared::TooLarge));
        assert!(matches!(prepare(&bytes, 2998), Prepared::Text(_)));
        // Larger than the limit as it stands: not decoded at all.
        assert!(matches!(prepare(&bytes, 1000), Prepared::TooLarge));
    }

    #[test]
    fn binary_stays_binary() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0";
        assert!(matches!(prepare(png, 1 << 20), Prepared::Binary));
        // Random bytes with NULs, of even length.
        let mut seed = 12345u32;
        let noise: Vec<u8> = (0..4096)
            .map(|i| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                if i % 7 == 0 {
                    0
                } else {
                    (seed >> 16) as u8
                }
            })
            .collect();
        assert!(matches!(prepare(&noise, 1 << 20), Prepared::Binary));
        // UTF-32 (a NUL in every code unit), with and without its mark.
        let utf32: Vec<u8> = "\u{FEFF}text here\n"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        assert!(matches!(prepare(&utf32, 1 << 20), Prepared::Binary));
        assert!(matches!(prepare(&utf32[4..], 1 << 20), Prepared::Binary));
        // A mark without a NUL byte after it: Latin-1 or broken UTF-8, read as it is.
        let latin1 = b"\xff\xfe\xc3(caf\xe9)\n";
        assert_eq!(sniff(latin1, latin1.len() as u64), Encoding::Bytes);
        // UTF-16 cut at an odd length is not UTF-16.
        let odd = utf16("hello there", false, false);
        assert!(matches!(
            prepare(&odd[..odd.len() - 1], 1 << 20),
            Prepared::Binary
        ));
    }

    #[test]
    fn bare_carriage_returns_end_lines() {
        assert_eq!(text(b"a\rb\r\nc\r").as_deref(), Some(&b"a\nb\r\nc\n"[..]));
        let crlf = b"a\r\nb\r\n";
        assert!(matches!(
            prepare(crlf, 100),
            Prepared::Text(Cow::Borrowed(_))
        ));
    }
}
