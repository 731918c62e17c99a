//! How far from a keyword a rule's match can reach, from the shape of its regex.
use regex_syntax::hir::{Class, Hir, HirKind};

/// The reach of a regex whose matches have no length bound and may span lines:
/// room for the largest private keys (several RSA-4096 subkeys in one OpenPGP block).
pub(crate) const MAX_REACH: usize = 32 << 10;

/// Where a match around a keyword can lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// The regex never matches a newline: a match lies on the keyword's line.
    Line,
    /// Up to this many bytes on each side of the keyword.
    Bytes(usize),
}

impl Reach {
    /// Bytes a window extends on each side of the keyword before widening to whole
    /// lines: none for a single-line regex.
    pub(crate) fn bytes(self) -> usize {
        match self {
            Reach::Line => 0,
            Reach::Bytes(n) => n,
        }
    }

    pub(crate) fn of(hir: &Hir) -> Reach {
        if can_match_newline(hir) {
            Reach::Bytes(
                hir.properties()
                    .maximum_len()
                    .map_or(MAX_REACH, |n| n.min(MAX_REACH)),
            )
        } else {
            Reach::Line
        }
    }
}

fn can_match_newline(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => lit.0.contains(&b'\n'),
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        HirKind::Class(Class::Unicode(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Repetition(r) => r.max != Some(0) && can_match_newline(&r.sub),
        HirKind::Capture(c) => can_match_newline(&c.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(can_match_newline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(re: &str) -> Reach {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(re)
            .unwrap();
        Reach::of(&hir)
    }

    #[test]
    fn single_line_and_multi_line_regexes() {
        assert_eq!(reach(r"\bghp_[0-9A-Za-z]{36}\b"), Reach::Line);
        assert_eq!(reach(r"password[ \t]*=[ \t]*[^\s]+"), Reach::Line);
        assert_eq!(reach(r"key\s*=\s*x"), Reach::Bytes(MAX_REACH));
        assert_eq!(reach(r"a\nb"), Reach::Bytes(3));
        assert_eq!(reach(r"(?s)BEGIN.{0,100}END"), Reach::Bytes(108));
        assert_eq!(reach(r"[^x]{1,5}"), Reach::Bytes(5));
    }
}
