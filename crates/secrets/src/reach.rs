//! How far from a keyword a rule's match can reach, from the shape of its regex.
use regex_syntax::hir::{Class, Hir, HirKind};

/// The reach of a regex whose matches have no length bound and may span lines:
/// room for the largest private keys (several RSA-4096 subkeys in one OpenPGP block).
pub(crate) const MAX_REACH: usize = 32 << 10;

/// A line's length in the estimate that picks a window's bound (see `Reach::of`).
const TYPICAL_LINE: usize = 64;

/// Where a match around a keyword can lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The match spans at most this many line breaks, so it lies within that many
    /// lines on each side of the keyword's line (0: on the keyword's line).
    Lines(usize),
    /// Up to this many bytes on each side of the keyword.
    Bytes(usize),
}

impl Reach {
    /// The tighter of the regex's two bounds: its line breaks, or its longest match,
    /// taking lines as `TYPICAL_LINE` bytes long. Counting lines also bounds a
    /// regex whose single-line parts are unbounded (`[^\n]*`).
    pub(crate) fn of(hir: &Hir) -> Reach {
        let longest = hir.properties().maximum_len();
        match (max_line_breaks(hir), longest) {
            (Some(n), None) => Reach::Lines(n),
            (Some(n), Some(bytes)) if n.saturating_mul(TYPICAL_LINE) <= bytes => Reach::Lines(n),
            _ => Reach::Bytes(longest.map_or(MAX_REACH, |n| n.min(MAX_REACH))),
        }
    }
}

/// The most line breaks a match can hold; `None` when unbounded.
fn max_line_breaks(hir: &Hir) -> Option<usize> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(lit) => Some(lit.0.iter().filter(|&&b| b == b'\n').count()),
        HirKind::Class(Class::Bytes(c)) => Some(usize::from(
            c.ranges()
                .iter()
                .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        )),
        HirKind::Class(Class::Unicode(c)) => Some(usize::from(
            c.ranges()
                .iter()
                .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        )),
        HirKind::Repetition(r) => match (r.max, max_line_breaks(&r.sub)?) {
            (Some(0), _) | (_, 0) => Some(0),
            (Some(max), n) => n.checked_mul(max as usize),
            (None, _) => None,
        },
        HirKind::Capture(c) => max_line_breaks(&c.sub),
        HirKind::Concat(subs) => subs
            .iter()
            .try_fold(0usize, |sum, s| sum.checked_add(max_line_breaks(s)?)),
        HirKind::Alternation(subs) => subs
            .iter()
            .try_fold(0usize, |most, s| Some(most.max(max_line_breaks(s)?))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(re: &str) -> Reach {
        Reach::of(&crate::rule::parse_regex(re).unwrap())
    }

    #[test]
    fn the_tighter_of_lines_and_bytes() {
        assert_eq!(reach(r"\bghp_[0-9A-Za-z]{36}\b"), Reach::Lines(0));
        assert_eq!(reach(r"password[ \t]*=[ \t]*[^\s]+"), Reach::Lines(0));
        assert_eq!(
            reach(r"(?:^|\s)[a-z]*key[ \t]*\r?\n?[ \t]*=\s{0,2}x"),
            Reach::Lines(4)
        );
        assert_eq!(reach(r"key[^\n]{0,100}\n[^\n]{0,100}"), Reach::Lines(1));
        assert_eq!(reach(r"key\s*=\s*x"), Reach::Bytes(MAX_REACH));
        assert_eq!(reach(r"a\nb(?:\n|c)"), Reach::Bytes(4));
        assert_eq!(reach(r"(?s)BEGIN.{0,100}END"), Reach::Bytes(108));
        assert_eq!(reach(r"[^x]{1,5}"), Reach::Bytes(5));
    }
}
