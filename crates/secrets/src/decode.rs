//! The bounded decoding pass: base64, percent-encoding and backslash escapes.
//!
//! Each decoded piece becomes a child [`View`] whose bytes map back to offsets in the
//! original fragment, so a secret found inside `cGFzc3dvcmQ6...` is reported where the
//! encoded text stands. Children keep a little of their line around them (the key a
//! value is assigned to matters to generic rules). The caller bounds the depth, and a
//! byte budget bounds the total size of all children of one fragment.
use std::borrow::Cow;

use base64::{
    engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD},
    Engine,
};

/// Content to match: the fragment itself or something decoded from it.
pub(crate) struct View<'a> {
    bytes: Cow<'a, [u8]>,
    /// Offset in the original fragment of each byte; `None` for the fragment itself.
    map: Option<Vec<usize>>,
    decoded: Vec<&'static str>,
}

impl<'a> View<'a> {
    pub(crate) fn root(bytes: &'a [u8]) -> View<'a> {
        View {
            bytes: Cow::Borrowed(bytes),
            map: None,
            decoded: Vec::new(),
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn decoded(&self) -> &[&'static str] {
        &self.decoded
    }

    fn original(&self, offset: usize) -> usize {
        self.map
            .as_ref()
            .map_or(offset, |m| m[offset.min(m.len() - 1)])
    }

    /// The span in the original fragment of `start..end` in this view.
    pub(crate) fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.original(start);
        let e = self.original(end.saturating_sub(1).max(start)) + 1;
        (s, e.max(s + 1))
    }
}

/// Context kept on each side of a decoded piece.
const CONTEXT: usize = 256;
/// Window decoded around each keyword hit for escapes and percent-encoding.
const WINDOW: usize = 4096;
/// How close to a keyword an escape or `%` must be for its window to be decoded.
const NEAR: usize = 64;
/// Shortest base64 run worth decoding (12 bytes decoded).
const MIN_BASE64: usize = 16;

/// Bytes of the base64 alphabets (standard and URL-safe).
static BASE64_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'_' || c == b'-';
        b += 1;
    }
    t
};

/// Runs of base64 characters long enough to hold a secret, with their `=` padding.
fn base64_runs(bytes: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = first_long_run(bytes, i)?;
        let mut end = start + MIN_BASE64;
        while end < bytes.len() && BASE64_BYTE[usize::from(bytes[end])] {
            end += 1;
        }
        let body_end = end;
        while end < bytes.len() && end - body_end < 2 && bytes[end] == b'=' {
            end += 1;
        }
        i = end;
        Some(start..end)
    })
}

/// The first offset at or after `from` where `MIN_BASE64` base64 bytes follow.
///
/// Most text has none, so this works on bit masks of 64 bytes at a time rather than
/// byte by byte: bit `j` of `run` is set when bits `j..j + 16` of the mask all are.
fn first_long_run(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    let mut mask = base64_mask(bytes, at);
    while at < bytes.len() {
        let next = base64_mask(bytes, at + 64);
        let mut run = u128::from(mask) | (u128::from(next) << 64);
        let mut width = 1;
        while width < MIN_BASE64 {
            run &= run >> width;
            width *= 2;
        }
        let run = run as u64;
        if run != 0 {
            return Some(at + run.trailing_zeros() as usize);
        }
        at += 64;
        mask = next;
    }
    None
}

/// Bit `j` is set when `bytes[at + j]` is a base64 byte (clear past the end).
fn base64_mask(bytes: &[u8], at: usize) -> u64 {
    let mut block = [0u8; 64];
    if let Some(tail) = bytes.get(at..) {
        let n = tail.len().min(64);
        block[..n].copy_from_slice(&tail[..n]);
    }
    let mut mask = 0u64;
    for (k, word) in block.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        mask |= base64_bits(u64::from_le_bytes(w)) << (8 * k);
    }
    mask
}

/// The eight bytes of `w` classified at once (SWAR): bit `k` of the result is set when
/// byte `k` is a base64 byte.
fn base64_bits(w: u64) -> u64 {
    const LANES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // With the high bit of every byte clear, adding never carries into the next byte,
    // so the high bit of each sum says whether that byte reached the threshold.
    let x = w & !HIGH;
    let within = |v: u64, lo: u8, hi: u8| {
        (v + LANES * u64::from(0x80 - lo)) & !(v + LANES * u64::from(0x7f - hi)) & HIGH
    };
    let letter = within(x | (LANES * 0x20), b'a', b'z');
    let digit = within(x, b'0', b'9');
    // `+`, `-` and `/` are the odd bytes of `+` ..= `/`.
    let plus_dash_slash = within(x, b'+', b'/') & (x << 7);
    let underscore = within(x, b'_', b'_');
    let flags = (letter | digit | plus_dash_slash | underscore) & !w & HIGH;
    // Gathers the eight flag bits (now bit 0 of each byte) into the top byte.
    (flags >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Children of `view`: decoded base64 runs anywhere, and unescaped or percent-decoded
/// windows around keyword hits (`keyword_at`, ascending offsets into `view`).
pub(crate) fn decode_children(
    view: &View<'_>,
    keyword_at: &[usize],
    budget: &mut usize,
    has_keyword: &dyn Fn(&[u8]) -> bool,
) -> Vec<View<'static>> {
    let bytes = view.bytes();
    let mut children = Vec::new();
    let mut push = |child: View<'static>, budget: &mut usize| {
        if child.bytes.len() <= *budget {
            *budget -= child.bytes.len();
            children.push(child);
        }
    };
    for (start, end) in windows(bytes, keyword_at) {
        if *budget == 0 {
            break;
        }
        let piece = &bytes[start..end];
        if let Some((decoded, map)) = unescape(piece) {
            push(view.child(decoded, map, start, "escape"), budget);
        }
        if let Some((decoded, map)) =
            percent_decode(piece).filter(|(d, _)| std::str::from_utf8(d).is_ok())
        {
            push(view.child(decoded, map, start, "percent"), budget);
        }
    }
    for run in base64_runs(bytes) {
        if *budget == 0 {
            break;
        }
        let Some(decoded) = decode_base64(&bytes[run.clone()]) else {
            continue;
        };
        let line_start = memchr::memrchr(b'\n', &bytes[..run.start]).map_or(0, |i| i + 1);
        let line_end =
            memchr::memchr(b'\n', &bytes[run.end..]).map_or(bytes.len(), |i| run.end + i);
        let before = run.start.saturating_sub(CONTEXT).max(line_start);
        let after = (run.end + CONTEXT).min(line_end);
        // A child without a keyword, in the decoded text or the context kept around
        // it, can match no rule: do not build it.
        if !(has_keyword(&decoded)
            || has_keyword(&bytes[before..run.start])
            || has_keyword(&bytes[run.end..after]))
        {
            continue;
        }
        let mut text = Vec::with_capacity(after - before + decoded.len());
        let mut map = Vec::with_capacity(text.capacity());
        text.extend_from_slice(&bytes[before..run.start]);
        map.extend(before..run.start);
        let seg_len = run.len();
        let dec_len = decoded.len();
        text.extend_from_slice(&decoded);
        // Spread decoded bytes over the encoded run, so a span stays inside it.
        map.extend((0..dec_len).map(|i| run.start + i * seg_len / dec_len));
        text.extend_from_slice(&bytes[run.end..after]);
        map.extend(run.end..after);
        push(view.child(text, map, 0, "base64"), budget);
    }
    children
}

impl View<'_> {
    /// A child whose byte `i` stands at `offset + map[i]` of this view.
    fn child(
        &self,
        bytes: Vec<u8>,
        map: Vec<usize>,
        offset: usize,
        how: &'static str,
    ) -> View<'static> {
        let map = map.into_iter().map(|o| self.original(offset + o)).collect();
        let mut decoded = self.decoded.clone();
        decoded.push(how);
        View {
            bytes: Cow::Owned(bytes),
            map: Some(map),
            decoded,
        }
    }
}

/// Merged windows of the lines around each keyword hit, clipped to `WINDOW` on each side.
fn windows(bytes: &[u8], hits: &[usize]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &h in hits {
        // Only where an escape or a percent sign stands near the keyword is there
        // anything to decode.
        let near = &bytes[h.saturating_sub(NEAR)..(h + NEAR).min(bytes.len())];
        if memchr::memchr2(b'\\', b'%', near).is_none() {
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &bytes[..h]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[h..]).map_or(bytes.len(), |i| h + i);
        let start = h.saturating_sub(WINDOW).max(line_start);
        let end = (h + WINDOW).min(line_end);
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// Resolves backslash escapes (`\n \" \\ \/ \uXXXX \xHH`); `None` when there are none.
fn unescape(piece: &[u8]) -> Option<(Vec<u8>, Vec<usize>)> {
    memchr::memchr(b'\\', piece)?;
    let mut out = Vec::with_capacity(piece.len());
    let mut map = Vec::with_capacity(piece.len());
    let mut changed = false;
    let mut i = 0;
    while i < piece.len() {
        let b = piece[i];
        if b == b'\\' && i + 1 < piece.len() {
            let simple = match piece[i + 1] {
                b'n' => Some(b'\n'),
                b'r' => Some(b'\r'),
                b't' => Some(b'\t'),
                b'"' => Some(b'"'),
                b'\'' => Some(b'\''),
                b'\\' => Some(b'\\'),
                b'/' => Some(b'/'),
                _ => None,
            };
            if let Some(c) = simple {
                out.push(c);
                map.push(i);
                i += 2;
                changed = true;
                continue;
            }
            if piece[i + 1] == b'u' && i + 6 <= piece.len() {
                if let Some(ch) = hex_value(&piece[i + 2..i + 6]).and_then(char::from_u32) {
                    let mut buf = [0u8; 4];
                    for &c in ch.encode_utf8(&mut buf).as_bytes() {
                        out.push(c);
                        map.push(i);
                    }
                    i += 6;
                    changed = true;
                    continue;
                }
            }
            if piece[i + 1] == b'x' && i + 4 <= piece.len() {
                if let Some(v) = hex_value(&piece[i + 2..i + 4]) {
                    out.push(v as u8);
                    map.push(i);
                    i += 4;
                    changed = true;
                    continue;
                }
            }
        }
        out.push(b);
        map.push(i);
        i += 1;
    }
    changed.then_some((out, map))
}

/// Decodes `%XX` sequences; `None` when there are none.
fn percent_decode(piece: &[u8]) -> Option<(Vec<u8>, Vec<usize>)> {
    let mut out = Vec::with_capacity(piece.len());
    let mut map = Vec::with_capacity(piece.len());
    let mut changed = false;
    let mut i = 0;
    while i < piece.len() {
        if piece[i] == b'%' && i + 3 <= piece.len() {
            if let Some(v) = hex_value(&piece[i + 1..i + 3]) {
                out.push(v as u8);
                map.push(i);
                i += 3;
                changed = true;
                continue;
            }
        }
        out.push(piece[i]);
        map.push(i);
        i += 1;
    }
    changed.then_some((out, map))
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// Decodes a base64 (standard or URL-safe) run whose content is text.
fn decode_base64(run: &[u8]) -> Option<Vec<u8>> {
    let body: &[u8] = {
        let mut b = run;
        while let Some(rest) = b.strip_suffix(b"=") {
            b = rest;
        }
        b
    };
    if body.len() < MIN_BASE64 || body.len() % 4 == 1 {
        return None;
    }
    // A run of one case and no digits is a word, not base64.
    let has = |f: fn(&u8) -> bool| body.iter().any(f);
    // Encoded text mixes cases and has digits or `+/` somewhere in any 16 characters;
    // identifiers (`getElementById`, `snake_case_name`) and words do not.
    let mixed_case = has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase);
    let symbols = has(u8::is_ascii_digit) || has(|b| matches!(b, b'+' | b'/'));
    if !(mixed_case && symbols) {
        return None;
    }
    let decoded = STANDARD_NO_PAD
        .decode(body)
        .or_else(|_| URL_SAFE_NO_PAD.decode(body))
        .ok()?;
    let text = std::str::from_utf8(&decoded).ok()?;
    let printable = text
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
    (printable && decoded.len() >= 8).then_some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_maps_back() {
        let (out, map) = unescape(br#"{\"k\": \"v\\n\"}"#).unwrap_or_default();
        assert_eq!(out, br#"{"k": "v\n"}"#);
        assert_eq!(map.len(), out.len());
        assert_eq!(map[1], 1);
        assert!(unescape(b"plain").is_none());
    }

    #[test]
    fn percent() {
        let (out, _) = percent_decode(b"p%40ss%2Fword").unwrap_or_default();
        assert_eq!(out, b"p@ss/word");
        assert!(percent_decode(b"100%").is_none());
    }

    #[test]
    fn base64_text_only() {
        assert_eq!(
            decode_base64(b"cGFzc3dvcmQ6aHVudGVyMjIy").as_deref(),
            Some(&b"password:hunter222"[..])
        );
        assert!(decode_base64(b"getElementByIdAndName").is_none());
        assert!(decode_base64(b"3f786850e387550fdab836ed7e6dc881de23001b").is_none());
    }

    #[test]
    fn base64_bits_match_the_table() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut w = [b'!'; 8];
                w[lane] = b;
                let bits = base64_bits(u64::from_le_bytes(w));
                assert_eq!(
                    bits,
                    u64::from(BASE64_BYTE[usize::from(b)]) << lane,
                    "{b:#x}"
                );
            }
        }
    }

    #[test]
    fn runs_are_found_across_blocks() {
        let mut text = vec![b' '; 300];
        text[60..90].copy_from_slice(&[b'A'; 30]);
        text[100..115].copy_from_slice(&[b'B'; 15]);
        text[127..145].copy_from_slice(&[b'C'; 18]);
        text[145..147].copy_from_slice(b"==");
        text[284..300].copy_from_slice(&[b'D'; 16]);
        let runs: Vec<_> = base64_runs(&text).collect();
        assert_eq!(runs, [60..90, 127..147, 284..300]);
    }

    #[test]
    fn budget_bounds_children() {
        let line = b"a: cGFzc3dvcmQ6aHVudGVyMjIy\n".repeat(1000);
        let mut budget = 4096;
        let kids = decode_children(&View::root(&line), &[], &mut budget, &|_| true);
        let total: usize = kids.iter().map(|k| k.bytes().len()).sum();
        assert!(total <= 4096 && !kids.is_empty());
    }
}
