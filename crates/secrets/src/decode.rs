//! The bounded decoding pass: base64, percent-encoding and backslash escapes.
//!
//! Each decoded piece becomes a child [`View`] whose bytes map back to offsets in the
//! original fragment, so a secret found inside `cGFzc3dvcmQ6...` is reported where the
//! encoded text stands. Children keep a little of their line around them (the key a
//! value is assigned to matters to generic rules). The caller bounds the depth, and a
//! byte budget bounds the total size of all children of one fragment.
use std::{borrow::Cow, ops::Range};

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

    /// A view built from pieces of the fragment (see `joined.rs`): byte `i` stands
    /// at `map[i]` of the fragment. Nothing was decoded to make it.
    pub(crate) fn derived(bytes: Vec<u8>, map: Vec<usize>) -> View<'static> {
        View {
            bytes: Cow::Owned(bytes),
            map: Some(map),
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

/// Runs of base64 characters long enough to hold a secret, with their `=` padding.
///
/// Most text has few, so the text is classified 64 bytes at a time into bit masks,
/// and only the stretches of masks where 16 set bits follow are looked at: a run of
/// `n >= 16` base64 bytes at `s` is a stretch of `n - 15` such bits from `s`.
fn base64_runs(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut mask = base64_mask(bytes, 0);
    let mut open = None;
    let mut at = 0;
    while at < bytes.len() {
        let next = base64_mask(bytes, at + 64);
        // Bit j stays set when bits j..j+16 of `next:mask` are, in plain 64-bit
        // shifts: a 128-bit shift compiles to `shrd`, several times slower on some CPUs.
        let (mut long, mut high) = (mask, next);
        let mut width = 1;
        while width < MIN_BASE64 {
            long &= (long >> width) | (high << (64 - width));
            high &= high >> width;
            width *= 2;
        }
        // Where a stretch starts or ends: bits that differ from the bit before them.
        let mut edges = long ^ ((long << 1) | u64::from(open.is_some()));
        while edges != 0 {
            let bit = at + edges.trailing_zeros() as usize;
            edges &= edges - 1;
            match open.take() {
                None => open = Some(bit),
                Some(start) => {
                    let body_end = bit + MIN_BASE64 - 1;
                    let mut end = body_end;
                    while end < bytes.len() && end - body_end < 2 && bytes[end] == b'=' {
                        end += 1;
                    }
                    runs.push(start..end);
                }
            }
        }
        at += 64;
        mask = next;
    }
    runs
}

/// Bit `j` is set when `bytes[at + j]` is a base64 byte (clear past the end).
fn base64_mask(bytes: &[u8], at: usize) -> u64 {
    let mask_of = |block: &[u8]| {
        block
            .chunks_exact(16)
            .enumerate()
            .fold(0, |mask, (k, part)| {
                let mut part16 = [0u8; 16];
                part16.copy_from_slice(part);
                mask | u64::from(base64_mask16(part16)) << (16 * k)
            })
    };
    match bytes.get(at..at + 64) {
        Some(block) => mask_of(block),
        None => {
            let mut block = [0u8; 64];
            if let Some(tail) = bytes.get(at..) {
                block[..tail.len()].copy_from_slice(tail);
            }
            mask_of(&block)
        }
    }
}

/// `base64_mask` for 16 bytes, with SSE2 (every x86-64 has it): each comparison
/// covers all 16 bytes, and one instruction gathers the results into bits.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn base64_mask16(part: [u8; 16]) -> u16 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, cmp_lt_mask_i8_m128i, m128i, move_mask_i8_m128i,
        set_splat_i8_m128i, sub_i8_m128i,
    };
    let v = m128i::from(part);
    let splat = |b: u8| set_splat_i8_m128i(b as i8);
    // `x - first < n` unsigned is `(x - first) ^ 0x80 < n ^ 0x80` signed, and
    // subtracting `first + 0x80` makes the left side in one step.
    let in_range = |x, first: u8, n: u8| {
        cmp_lt_mask_i8_m128i(
            sub_i8_m128i(x, splat(first.wrapping_add(0x80))),
            splat(n ^ 0x80),
        )
    };
    let is = |b: u8| cmp_eq_mask_i8_m128i(v, splat(b));
    let letter = in_range(bitor_m128i(v, splat(0x20)), b'a', 26);
    let symbol = bitor_m128i(
        bitor_m128i(is(b'+'), is(b'/')),
        bitor_m128i(is(b'_'), is(b'-')),
    );
    let flags = bitor_m128i(bitor_m128i(letter, in_range(v, b'0', 10)), symbol);
    move_mask_i8_m128i(flags) as u16
}

/// `base64_mask` for 16 bytes, one byte at a time.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn base64_mask16(part: [u8; 16]) -> u16 {
    part.iter().enumerate().fold(0, |mask, (k, &b)| {
        let base64 = b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-');
        mask | u16::from(base64) << k
    })
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
    pub(crate) fn child(
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
    // Encoded text mixes cases and has digits or `+/` somewhere in any 16 characters;
    // identifiers (`getElementById`, `snake_case_name`) and words do not. One pass
    // gathers the three classes (a fold without early exit, which vectorizes).
    const UPPER: u8 = 1;
    const LOWER: u8 = 2;
    const SYMBOL: u8 = 4;
    let classes = body.iter().fold(0u8, |seen, &b| {
        seen | (u8::from(b.is_ascii_uppercase()) * UPPER)
            | (u8::from(b.is_ascii_lowercase()) * LOWER)
            | (u8::from(b.is_ascii_digit() || b == b'+' || b == b'/') * SYMBOL)
    });
    if classes != UPPER | LOWER | SYMBOL {
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

    /// Bytes of the base64 alphabets (standard and URL-safe), one at a time.
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

    #[test]
    fn masks_match_the_table() {
        let all: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
        for at in [0, 1, 63, 64, 200, 500] {
            let mask = base64_mask(&all, at);
            for j in 0..64 {
                let expected = all
                    .get(at + j)
                    .is_some_and(|&b| BASE64_BYTE[usize::from(b)]);
                assert_eq!(mask >> j & 1 == 1, expected, "byte {} at {at}", at + j);
            }
        }
    }

    /// The runs byte by byte, as the definition says.
    fn naive_runs(bytes: &[u8]) -> Vec<Range<usize>> {
        let mut runs = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && BASE64_BYTE[usize::from(bytes[i])] {
                i += 1;
            }
            if i - start >= MIN_BASE64 {
                let mut end = i;
                while end < bytes.len() && end - i < 2 && bytes[end] == b'=' {
                    end += 1;
                }
                runs.push(start..end);
                i = end;
            }
            i = i.max(start + 1);
        }
        runs
    }

    #[test]
    fn runs_match_the_definition_on_varied_text() {
        // Runs of every length near 16, at every offset against the 64-byte blocks.
        let mut text = Vec::new();
        let mut seed = 7u32;
        for _ in 0..3000 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let len = (seed >> 16) as usize % 40;
            text.extend(std::iter::repeat_n(b'a' + (seed % 26) as u8, len));
            text.extend_from_slice(match seed % 5 {
                0 => &b"="[..],
                1 => b"==",
                2 => b"===",
                3 => b" ",
                _ => b"\n",
            });
        }
        for cut in [0, 1, 17, 63, 64, 65, 100] {
            let t = &text[cut..];
            assert_eq!(base64_runs(t), naive_runs(t), "from {cut}");
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
        let runs = base64_runs(&text);
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
