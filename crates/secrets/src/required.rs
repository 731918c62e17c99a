//! What a regex's every match must contain, found from its syntax: literals, and a run
//! of bytes of one class.
//!
//! Keywords select a rule; many rules then require more than their keyword (the `@`
//! of credentials in a URL, the `sk_` of a key after a provider's name, the 32
//! letters and digits of a key after a provider's name). Where a window lacks what a
//! rule requires, the regex need not run there, or be compiled at all: a keyword
//! that is part of common words (`ably` in "probably") then costs a rule a scan of
//! its windows, not a compiled regex and its lazily built automaton.
use memchr::memmem::Finder;
use regex_syntax::hir::{Class, Hir, HirKind};

/// More alternatives than this are not worth checking one by one.
const MAX_ALTERNATIVES: usize = 4;
/// Checking more than this many sets costs more than it saves.
const MAX_SETS: usize = 4;
/// Bytes too common in text for a window's lacking them to be likely.
const COMMON: &[u8] = b" \t\r\n=:;,.\"'()[]{}<>/_-";

/// Shorter runs of a class (a word, a number) are too common in text to tell windows apart.
const MIN_RUN: usize = 16;

/// What every match contains: at least one literal of each set, and a run.
#[derive(Debug)]
pub(crate) struct Required {
    literals: Vec<Vec<Finder<'static>>>,
    run: Option<Run>,
}

/// At least `len` consecutive bytes of a class.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    class: ByteClass,
    len: usize,
}

/// A set of bytes, one bit each.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ByteClass([u64; 4]);

impl ByteClass {
    fn of(class: &Class) -> ByteClass {
        let mut bits = [0u64; 4];
        let mut add = |lo: u8, hi: u8| {
            for b in lo..=hi {
                bits[usize::from(b >> 6)] |= 1 << (b & 63);
            }
        };
        match class {
            Class::Bytes(c) => c.iter().for_each(|r| add(r.start(), r.end())),
            Class::Unicode(c) => {
                for r in c.iter() {
                    let ascii = |ch: char| u8::try_from(ch).ok().filter(u8::is_ascii);
                    add(
                        ascii(r.start()).unwrap_or(0x80),
                        ascii(r.end()).unwrap_or(0x7F),
                    );
                    // A character past ASCII is bytes from 0x80 up, at least one each.
                    if !r.end().is_ascii() {
                        add(0x80, 0xFF);
                    }
                }
            }
        }
        ByteClass(bits)
    }

    fn union(self, other: ByteClass) -> ByteClass {
        ByteClass(std::array::from_fn(|i| self.0[i] | other.0[i]))
    }

    fn holds(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

impl Run {
    fn occurs_in(&self, bytes: &[u8]) -> bool {
        let mut len = 0;
        bytes.iter().any(|&b| {
            len = if self.class.holds(b) { len + 1 } else { 0 };
            len >= self.len
        })
    }
}

impl Required {
    /// `None` when the regex requires nothing worth checking: no literal (or only sets
    /// too large to check) and no long run.
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
        let literals = sets
            .iter()
            .map(|set| set.iter().map(|l| Finder::new(l).into_owned()).collect())
            .collect::<Vec<_>>();
        let run = longest_run(hir).filter(|r| r.len >= MIN_RUN);
        (!literals.is_empty() || run.is_some()).then_some(Required { literals, run })
    }

    /// Whether `bytes` holds a literal of every set, and the run.
    pub(crate) fn occur_in(&self, bytes: &[u8]) -> bool {
        self.literals
            .iter()
            .all(|set| set.iter().any(|f| f.find(bytes).is_some()))
            && self.run.as_ref().is_none_or(|r| r.occurs_in(bytes))
    }
}

/// The longest run of one class that every match of `hir` contains.
fn longest_run(hir: &Hir) -> Option<Run> {
    match hir.kind() {
        HirKind::Class(class) => Some(Run {
            class: ByteClass::of(class),
            len: 1,
        }),
        HirKind::Repetition(r) if r.min >= 1 => match r.sub.kind() {
            HirKind::Class(class) => Some(Run {
                class: ByteClass::of(class),
                len: usize::try_from(r.min).unwrap_or(usize::MAX),
            }),
            _ => longest_run(&r.sub),
        },
        HirKind::Capture(c) => longest_run(&c.sub),
        HirKind::Concat(subs) => subs.iter().filter_map(longest_run).max_by_key(|r| r.len),
        // Every branch has a run: the shortest of them, of any of their classes.
        HirKind::Alternation(subs) => subs
            .iter()
            .map(longest_run)
            .reduce(|a, b| {
                let (a, b) = (a?, b?);
                Some(Run {
                    class: a.class.union(b.class),
                    len: a.len.min(b.len),
                })
            })
            .flatten(),
        _ => None,
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

    fn run(re: &str) -> Option<usize> {
        longest_run(&parse_regex(re).unwrap()).map(|r| r.len)
    }

    #[test]
    fn finds_the_longest_run_every_match_holds() {
        assert_eq!(
            run(r"(?i:ably)[^\n]*?([A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{6}:[A-Za-z0-9_=+/-]{43})"),
            Some(43)
        );
        assert_eq!(run(r"\b(sk_live_[0-9A-Za-z]{24,247})\b"), Some(24));
        // Each branch has one: the shorter.
        assert_eq!(run(r"(?:[a-f0-9]{32}|[A-Z]{40})"), Some(32));
        // An optional part, or a branch without one, requires none.
        assert_eq!(run(r"x(?:[a-f0-9]{32})?"), None);
        assert_eq!(run(r"(?:[a-f0-9]{32}|key)"), None);
        assert_eq!(run(r"(?:[a-f0-9]{32})*"), None);
    }

    #[test]
    fn windows_without_the_run_are_told_apart() {
        let hir = parse_regex(r"(?i:mistral[^\n]*?key)\W{1,3}([A-Za-z0-9]{32})\b").unwrap();
        let required = Required::of(&hir).unwrap();
        assert!(required.occur_in(b"MISTRAL_API_KEY=Xm3K9pQ2vL8nR4tY7wZ1aB5cD6eF0gH2"));
        assert!(!required.occur_in(b"this is probably the mistral key we use: see docs"));
        // Either of an alternation's classes makes up the run.
        let hir = parse_regex(r"(?:[a-f]{16}|[0-9]{20})").unwrap();
        let required = Required::of(&hir).unwrap();
        assert!(required.occur_in(b"id abcdef0123456789abcdef end"));
        assert!(!required.occur_in(b"id abcdef 0123456789 end"));
        // A non-ASCII class counts every byte of a multi-byte character.
        let hir = parse_regex(r"(?u:[\w]{16})").unwrap();
        let required = Required::of(&hir).unwrap();
        assert!(required.occur_in("ééééééééx".as_bytes()));
    }
}
