//! What minisign's files have in common: an `untrusted comment:` line, base64 lines
//! (read leniently, so that a truncated line is reported by its length), the `Ed`
//! algorithm id, and how their lines are numbered in errors.
use base64::{
    alphabet,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine as _,
};

use crate::minisign::error::MinisignError;

/// The algorithm id of Ed25519 keys (public and secret) and of legacy (not prehashed)
/// signatures.
pub(super) const SIG_ALG: &[u8; 2] = b"Ed";
pub(super) const UNTRUSTED: &str = "untrusted comment: ";

/// Decoding accepts missing padding, so that a truncated line is reported by its length.
pub(super) const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub(super) fn b64(line: usize, what: &'static str, text: &str) -> Result<Vec<u8>, MinisignError> {
    LENIENT
        .decode(text.trim())
        .map_err(|e| MinisignError::Base64 {
            line,
            what,
            detail: e.to_string(),
        })
}

pub(super) fn alg_name(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

/// Lines without their line ends, numbered from 1, blank lines at the end dropped.
pub(super) fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut v: Vec<(usize, &str)> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    while v.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        v.pop();
    }
    v
}

/// The line number and text of the base64 line of a key file: an `untrusted comment:`
/// line, then exactly one base64 line. With `bare_allowed`, a lone base64 line (as
/// `minisign -P` takes a public key) is accepted too.
pub(super) fn comment_then_base64<'a>(
    text: &'a str,
    what: &'static str,
    missing: &'static str,
    bare_allowed: bool,
) -> Result<(usize, &'a str), MinisignError> {
    let lines = lines(text);
    match lines.as_slice() {
        [] => Err(MinisignError::Empty),
        [(n, only)] if bare_allowed && !only.starts_with(UNTRUSTED) => Ok((*n, *only)),
        [(n, first), rest @ ..] => {
            if !first.starts_with(UNTRUSTED) {
                return Err(MinisignError::MissingPrefix {
                    line: *n,
                    expected: UNTRUSTED,
                });
            }
            match rest {
                [] => Err(MinisignError::MissingLine {
                    line: n + 1,
                    expected: missing,
                }),
                [(n2, key)] => Ok((*n2, *key)),
                [(n2, _), more @ ..] => Err(MinisignError::Trailing {
                    line: n2 + 1,
                    what,
                    extra: more.len(),
                }),
            }
        }
    }
}
