//! Canonical ASCII armor for signatures embedded in git objects.
//!
//! A signature's armor is not covered by the signature: whatever bytes a third party can
//! change in it without the key, and a verifier still accepts, give the same signed
//! commit a new id. ssh-keygen and gpg accept many variants (a carriage return at a
//! line's end, spaces and blank lines inside the base64, bytes after the END line), so
//! vigil reads the armor of a commit's or tag's signature in one canonical shape only:
//!
//! - the BEGIN line, exactly, then `\n`;
//! - for OpenPGP, optional `Key: value` header lines (keys of RFC 4880 §6.2: `Version`,
//!   `Comment`, `Hash`, `Charset`, `MessageID`), then one empty line;
//! - base64 lines: only base64 characters, none empty, all as wide as the first except
//!   the last, which is no wider (any one width: ssh-keygen wraps at 70, gpg at 64,
//!   others at 76 or not at all);
//! - for OpenPGP, an optional CRC-24 line `=XXXX`;
//! - the END line, exactly, then one `\n` (what git itself leaves after a signature
//!   in a commit header or at the end of a tag) and nothing more.
//!
//! No carriage return and no other whitespace anywhere.

/// What is not canonical in an armored block. Lines count from 1 at the BEGIN line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArmorError {
    #[error("the first line is not `{expected}`")]
    Begin { expected: &'static str },
    #[error("no `{expected}` line")]
    NoEnd { expected: &'static str },
    #[error(
        "line {line} ends in a carriage return (a signature's armor has plain `\\n` line ends)"
    )]
    CarriageReturn { line: usize },
    #[error("line {line} is empty (no blank line belongs in the base64)")]
    EmptyLine { line: usize },
    #[error("line {line}, column {column}: byte 0x{byte:02x} is not a base64 character")]
    NotBase64 {
        line: usize,
        column: usize,
        byte: u8,
    },
    #[error("line {line} is {width} characters wide, wider than the {expected} of the line before (the armor must be wrapped at one width)")]
    Ragged {
        line: usize,
        width: usize,
        expected: usize,
    },
    #[error("line {line}: an armor header that is not `Key: value` with a known key (Version, Comment, Hash, Charset, MessageID)")]
    Header { line: usize },
    #[error("no empty line after the armor headers")]
    NoBlankLine,
    #[error("no base64 between the BEGIN and END lines")]
    NoBody,
    #[error("line {line}: the CRC-24 line is not `=` and four base64 characters")]
    CrcLine { line: usize },
    #[error("the END line is not followed by a newline")]
    NoFinalNewline,
    #[error("{count} bytes after the END line")]
    Trailing { count: usize },
    #[error("line {line}: {count} bytes after the END marker on its line")]
    AfterEnd { line: usize, count: usize },
    #[error("the base64 does not decode: {0}")]
    Base64(String),
    #[error("the CRC-24 line says {found:06X}, the data's CRC-24 is {computed:06X}")]
    Crc { found: u32, computed: u32 },
}

/// A canonical armored block, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Armored {
    /// The `Key: value` header lines (OpenPGP), as written.
    pub headers: Vec<String>,
    /// The decoded data.
    pub data: Vec<u8>,
    /// Whether a CRC-24 line was there (and matched).
    pub crc: bool,
}

/// The armor header keys RFC 4880 §6.2 defines.
const HEADER_KEYS: [&str; 5] = ["Version", "Comment", "Hash", "Charset", "MessageID"];

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

/// Reads a canonical armored block from `begin` to `end`. `openpgp`: allow header lines
/// (then one empty line) and an optional CRC-24 line, which must match.
pub fn decode(
    text: &[u8],
    begin: &'static str,
    end: &'static str,
    openpgp: bool,
) -> Result<Armored, ArmorError> {
    use base64::{engine::general_purpose::STANDARD, Engine as _};
    // Lines with their numbers; the last `\n` is required, so every line ends in one.
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut rest = text;
    let mut end_found = false;
    while !rest.is_empty() {
        let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
            let line = rest;
            if line == end.as_bytes() {
                return Err(ArmorError::NoFinalNewline);
            }
            lines.push(line);
            break;
        };
        let line = &rest[..nl];
        rest = &rest[nl + 1..];
        if line.last() == Some(&b'\r') {
            return Err(ArmorError::CarriageReturn {
                line: lines.len() + 1,
            });
        }
        lines.push(line);
        if line.len() > end.len() && line.starts_with(end.as_bytes()) {
            return Err(ArmorError::AfterEnd {
                line: lines.len(),
                count: line.len() - end.len(),
            });
        }
        if line == end.as_bytes() {
            end_found = true;
            if !rest.is_empty() {
                return Err(ArmorError::Trailing { count: rest.len() });
            }
            break;
        }
    }
    if lines.first() != Some(&begin.as_bytes()) {
        return Err(ArmorError::Begin { expected: begin });
    }
    if !end_found {
        return Err(ArmorError::NoEnd { expected: end });
    }
    let inner = &lines[1..lines.len() - 1];
    let mut i = 0;
    let mut headers = Vec::new();
    if openpgp {
        while i < inner.len() && !inner[i].is_empty() {
            let line = inner[i];
            let ok = std::str::from_utf8(line).ok().and_then(|l| {
                let (key, value) = l.split_once(": ")?;
                let printable = value.chars().all(|c| !c.is_control());
                (HEADER_KEYS.contains(&key) && printable).then(|| l.to_owned())
            });
            // A base64 line reached without the blank line: say that, not "bad header".
            let Some(h) = ok else {
                if line.iter().all(|&b| is_base64(b)) {
                    return Err(ArmorError::NoBlankLine);
                }
                return Err(ArmorError::Header { line: i + 2 });
            };
            headers.push(h);
            i += 1;
        }
        if i == inner.len() {
            return Err(ArmorError::NoBlankLine);
        }
        i += 1; // the empty line
    }
    let mut body = &inner[i..];
    let first_body_line = i + 2;
    let mut crc_line = None;
    if openpgp {
        if let Some((last, before)) = body.split_last() {
            if last.first() == Some(&b'=') && !before.is_empty() {
                let n = first_body_line + before.len();
                let digits = &last[1..];
                if digits.len() != 4 || !digits.iter().all(|&b| is_base64(b) && b != b'=') {
                    return Err(ArmorError::CrcLine { line: n });
                }
                crc_line = Some(digits);
                body = before;
            }
        }
    }
    if body.is_empty() {
        return Err(ArmorError::NoBody);
    }
    let width = body[0].len();
    let mut b64 = Vec::with_capacity(body.len() * width);
    for (k, line) in body.iter().enumerate() {
        let n = first_body_line + k;
        if line.is_empty() {
            return Err(ArmorError::EmptyLine { line: n });
        }
        if let Some(c) = line.iter().position(|&b| !is_base64(b)) {
            return Err(ArmorError::NotBase64 {
                line: n,
                column: c + 1,
                byte: line[c],
            });
        }
        let last = k + 1 == body.len();
        if line.len() > width || (!last && line.len() != width) {
            return Err(ArmorError::Ragged {
                line: n,
                width: line.len(),
                expected: width,
            });
        }
        b64.extend_from_slice(line);
    }
    // STANDARD: padding required, no stray bits after the last byte (each its own
    // re-encoding otherwise).
    let data = STANDARD
        .decode(&b64)
        .map_err(|e| ArmorError::Base64(e.to_string()))?;
    if let Some(digits) = crc_line {
        let bytes = STANDARD
            .decode(digits)
            .map_err(|e| ArmorError::Base64(e.to_string()))?;
        let found = bytes.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b));
        let computed = crc24(&data);
        if found != computed {
            return Err(ArmorError::Crc { found, computed });
        }
    }
    Ok(Armored {
        headers,
        data,
        crc: crc_line.is_some(),
    })
}

/// The CRC-24 of OpenPGP's armor (RFC 4880 §6.1).
pub fn crc24(data: &[u8]) -> u32 {
    const INIT: u32 = 0x00B7_04CE;
    const POLY: u32 = 0x0186_4CFB;
    let mut crc = INIT;
    for &b in data {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x0100_0000 != 0 {
                crc ^= POLY;
            }
        }
    }
    crc & 0x00FF_FFFF
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "-----BEGIN X-----";
    const E: &str = "-----END X-----";

    fn ok(t: &str, pgp: bool) -> Armored {
        decode(t.as_bytes(), B, E, pgp).unwrap_or_else(|e| panic!("{t:?}: {e}"))
    }

    fn err(t: &str, pgp: bool) -> ArmorError {
        decode(t.as_bytes(), B, E, pgp).expect_err(t)
    }

    #[test]
    fn canonical_blocks_at_any_one_width() {
        // "hello world!" -> aGVsbG8gd29ybGQh
        for body in [
            "aGVsbG8gd29ybGQh",
            "aGVsbG8g\nd29ybGQh",
            "aGVsbG8gd29y\nbGQh",
        ] {
            assert_eq!(
                ok(&format!("{B}\n{body}\n{E}\n"), false).data,
                b"hello world!"
            );
        }
        let crc = {
            use base64::{engine::general_purpose::STANDARD, Engine as _};
            let c = crc24(b"hello world!").to_be_bytes();
            STANDARD.encode(&c[1..])
        };
        let a = ok(
            &format!("{B}\nVersion: x 1\nComment: hi there\n\naGVsbG8gd29ybGQh\n={crc}\n{E}\n"),
            true,
        );
        assert_eq!(a.headers.len(), 2);
        assert!(a.crc);
        assert!(!ok(&format!("{B}\n\naGVsbG8gd29ybGQh\n{E}\n"), true).crc);
        assert!(matches!(
            err(&format!("{B}\n\naGVsbG8gd29ybGQh\n=AAAA\n{E}\n"), true),
            ArmorError::Crc { .. }
        ));
    }

    #[test]
    fn every_variant_a_third_party_could_make_is_refused() {
        let good = format!("{B}\naGVsbG8g\nd29ybGQh\n{E}\n");
        ok(&good, false);
        let cases: Vec<(String, &str)> = vec![
            (good.replace('\n', "\r\n"), "carriage return"),
            (
                good.replacen("aGVsbG8g\n", "aGVsbG8g\r\n", 1),
                "line 2 ends in a carriage",
            ),
            (
                good.replace(&format!("{E}\n"), &format!("{E}\r\n")),
                "line 4 ends in a carriage",
            ),
            (
                good.replace(&format!("{E}\n"), E),
                "not followed by a newline",
            ),
            (format!("{good}\n"), "1 bytes after"),
            (format!("{good}junk"), "4 bytes after"),
            (
                good.replace(E, &format!("{E} ")),
                "line 4: 1 bytes after the END marker",
            ),
            (good.replace(E, "-----END Y-----"), "no `-----END X-----`"),
            (
                good.replacen("aGVsbG8g", "aGVsbG8g ", 1),
                "column 9: byte 0x20",
            ),
            (
                good.replacen("aGVsbG8g\n", "aGVsbG8g\n\n", 1),
                "line 3 is empty",
            ),
            (
                good.replacen("aGVsbG8g\nd29y", "aGVs\nbG8gd29y", 1),
                "wider than the 4",
            ),
            (format!(" {good}"), "first line"),
            (good.replacen(B, &format!("{B} "), 1), "first line"),
            (
                good.replacen("aGVsbG8g\nd29ybGQh", "aGVsbG8gd29ybGQh====", 1),
                "decode",
            ),
            (format!("{B}\n{E}\n"), "no base64"),
        ];
        for (t, want) in cases {
            let e = decode(t.as_bytes(), B, E, false).expect_err(&t).to_string();
            assert!(e.contains(want), "{t:?}: {e}");
        }
        // A non-zero bit after the last byte ("hi" is `aGk=`): another encoding of the
        // same bytes.
        assert_eq!(ok(&format!("{B}\naGk=\n{E}\n"), false).data, b"hi");
        assert!(matches!(
            err(&format!("{B}\naGl=\n{E}\n"), false),
            ArmorError::Base64(_)
        ));
        // OpenPGP: headers, the blank line, the CRC line.
        let pgp = format!("{B}\n\naGVsbG8gd29ybGQh\n{E}\n");
        ok(&pgp, true);
        for (t, want) in [
            (
                pgp.replacen("\n\n", "\nX-Foo: bar\n\n", 1),
                "line 2: an armor header",
            ),
            (
                pgp.replacen("\n\n", "\nComment:bar\n\n", 1),
                "line 2: an armor header",
            ),
            (
                pgp.replacen("\n\n", "\nComment: a\u{7}b\n\n", 1),
                "line 2: an armor header",
            ),
            (pgp.replacen("\n\n", "\n", 1), "no empty line"),
            (pgp.replacen("\n\n", "\n \n", 1), "line 2: an armor header"),
            (pgp.replacen("\n\n", "\n\n\n", 1), "line 3 is empty"),
            (
                pgp.replacen(&format!("\n{E}"), &format!("\n=AAA\n{E}"), 1),
                "CRC-24 line",
            ),
            (
                pgp.replacen(&format!("\n{E}"), &format!("\n=AAAAA\n{E}"), 1),
                "CRC-24 line",
            ),
        ] {
            let e = decode(t.as_bytes(), B, E, true).expect_err(&t).to_string();
            assert!(e.contains(want), "{t:?}: {e}");
        }
    }

    #[test]
    fn crc24_of_known_data() {
        // RFC 4880's initial value; "" -> B704CE.
        assert_eq!(crc24(b""), 0xB704CE);
    }
}
