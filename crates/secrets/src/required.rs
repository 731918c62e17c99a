//! Literals a regex's every match must contain, found from its syntax.
//!
//! Keywords select a rule; many rules then require more than their keyword (the `@`
//! of credentials in a URL, the `sk_` of a key after a provider's name). Where a
//! window lacks all of a rule's required literals, the regex need not run there, or
//! be compiled at all.
use memchr::memmem::Finder;
use regex_syntax::hir::{Class, Hir, HirKind};

/// More alternatives than this are not worth checking one by one.
const MAX_ALTERNATIVES: usize = 4;
/// Checking more than this many sets costs more than it saves.
const MAX_SETS: usize = 4;
/// Bytes too common in text for a window's lacking them to be likely.
const COMMON: &[u8] = b" \t\r\n=:;,.\"'()[]{}<>/_-";

/// Sets of literals; every match contains at least one literal of each set.
#[derive(Debug)]
pub(crate) struct Required(Vec<Vec<Finder<'static>>>);

impl Required {
    /// `None` when the regex requires no literal (or only sets too large to check).
    pub(crate) fn of(hir: &Hir) -> Option<Required> {
        let mut sets: Vec<Set> = Vec::new();
        for set in conjuncts(hir) {
            // Punctuation that most lines hold would pass nearly every check.
            let common = set
                .iter()
                .all(|l| matches!(l[..], [b] if COMMON.contains(&b)));
            if !common && !sets.contains(&set) {
                sets.push(set);
            }
        }
        // Longer literals are likelier to be missing, and so to end the check early.
        sets.sort_by_key(|set| std::cmp::Reverse(shortest(set)));
        sets.truncate(MAX_SETS);
        let finders = sets
            .iter()
            .map(|set| set.iter().map(|l| Finder::new(l).into_owned()).collect())
            .collect::<Vec<_>>();
        (!finders.is_empty()).then_some(Required(finders))
    }

    /// Whether `bytes` holds a literal of every set.
    pub(crate) fn occur_in(&self, bytes: &[u8]) -> bool {
        self.0
            .iter()
            .all(|set| set.iter().any(|f| f.find(bytes).is_some()))
    }
}

type Set = Vec<Vec<u8>>;

/// Sets of literals such that every match of `hir` contains a literal of each.
fn conjuncts(hir: &Hir) -> Vec<Set> {
    match hir.kind() {
        HirKind::Literal(lit) => vec![vec![lit.0.to_vec()]],
        // A few punctuation bytes (`[:=]`); letters in a class are mostly a case
        // folded, common, and not worth a check.
        HirKind::Class(class) => {
            let bytes: Vec<u8> = match class {
                Class::Bytes(c) => c
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .take(MAX_ALTERNATIVES + 1)
                    .collect(),
                Class::Unicode(c) => c
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .take(MAX_ALTERNATIVES + 1)
                    .map(|ch| u8::try_from(ch).unwrap_or(0x80))
                    .collect(),
            };
            if bytes.len() <= MAX_ALTERNATIVES
                && bytes
                    .iter()
                    .all(|b| b.is_ascii() && !b.is_ascii_alphabetic())
            {
                vec![bytes.into_iter().map(|b| vec![b]).collect()]
            } else {
                Vec::new()
            }
        }
        HirKind::Repetition(r) if r.min >= 1 => conjuncts(&r.sub),
        HirKind::Capture(c) => conjuncts(&c.sub),
        HirKind::Concat(subs) => subs.iter().flat_map(conjuncts).collect(),
        // Each branch must contribute one of its sets; their union is required.
        HirKind::Alternation(subs) => {
            let mut union: Set = Vec::new();
            for sub in subs {
                let Some(best) = conjuncts(sub)
                    .into_iter()
                    .max_by_key(|set| (shortest(set), std::cmp::Reverse(set.len())))
                else {
                    return Vec::new();
                };
                for lit in best {
                    if !union.contains(&lit) {
                        union.push(lit);
                    }
                }
            }
            if union.len() <= MAX_ALTERNATIVES {
                vec![union]
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

fn shortest(set: &[Vec<u8>]) -> usize {
    set.iter().map(Vec::len).min().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::parse_regex;

    fn sets(re: &str) -> Vec<Vec<String>> {
        conjuncts(&parse_regex(re).unwrap())
            .iter()
            .map(|s| {
                s.iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn finds_what_every_match_holds() {
        assert_eq!(
            sets(r"(?i)https?://[^@\s]{1,64}:([^@\s]+)@[a-z.]+"),
            [["://"], [":"], ["@"]]
        );
        assert_eq!(sets(r"(?i:checkout)[^\n]*?(sk_[a-z0-9]{26})"), [["sk_"]]);
        assert_eq!(
            sets(r"(?:ghp|gho)_[A-Za-z0-9]{36}"),
            [vec!["ghp", "gho"], vec!["_"]]
        );
        assert_eq!(sets(r"(?:ghp_|gho_)[A-Za-z0-9]{36}"), [["ghp_", "gho_"]]);
        assert_eq!(
            sets(r"key(?:=|:)x"),
            [vec!["key"], vec![":", "="], vec!["x"]]
        );
    }

    #[test]
    fn optional_parts_and_case_folding_require_nothing() {
        assert!(sets(r"(?i)key").is_empty());
        assert!(sets(r"(?:sk_)?[a-f0-9]{64}").is_empty());
        assert!(sets(r"a*b?").is_empty());
        assert!(sets(r"(?:a|b|c|d|e)[xy]").is_empty());
        assert!(sets(r"(?:a|[bc])x").iter().all(|s| s == &["x"]));
    }

    #[test]
    fn windows_without_a_required_literal_are_told_apart() {
        let hir = parse_regex(r"(?i)https?://[^@\s]{1,64}:([^@\s]+)@[a-z.]+").unwrap();
        let required = Required::of(&hir).unwrap();
        assert!(required.occur_in(b"url = https://user:hunter2@example.com"));
        assert!(!required.occur_in(b"url = https://example.com:8080/path"));
        // Only common punctuation required: no check at all.
        assert!(Required::of(&parse_regex(r"(?i)token[:=]").unwrap()).is_none());
    }
}
