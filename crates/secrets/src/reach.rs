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
    /// The match lies within `before` lines above the keyword's line and `after`
    /// lines below it (0 and 0: on the keyword's line).
    Lines { before: usize, after: usize },
    /// Up to this many bytes on each side of the keyword.
    Bytes(usize),
}

impl Reach {
    /// The tighter of the regex's two bounds: its line breaks, or its longest match,
    /// taking lines as `TYPICAL_LINE` bytes long. Counting lines also bounds a
    /// regex whose single-line parts are unbounded (`[^\n]*`). A match spans at most
    /// its line breaks on either side of a keyword, and where every match holds one
    /// of `keywords` after fewer of them, fewer lines above it.
    pub(crate) fn of(hir: &Hir, keywords: &[String]) -> Reach {
        let longest = hir.properties().maximum_len();
        let lines = |n: usize| {
            let keywords: Vec<Vec<u8>> = keywords
                .iter()
                .map(|k| k.to_ascii_lowercase().into_bytes())
                .collect();
            let before = match n {
                0 => 0,
                n => lines_before_keyword(hir, &keywords).map_or(n, |b| b.min(n)),
            };
            Reach::Lines { before, after: n }
        };
        match (max_line_breaks(hir), longest) {
            (Some(n), None) => lines(n),
            (Some(n), Some(bytes)) if n.saturating_mul(TYPICAL_LINE) <= bytes => lines(n),
            _ => Reach::Bytes(longest.map_or(MAX_REACH, |n| n.min(MAX_REACH))),
        }
    }
}

/// Limits on spelling out a part of a regex, which keep the work small for any
/// regex (a user's rule is analysed when the configuration loads): at most this
/// many strings, each at most this long, from at most this many parts in a row...
const MAX_SPELLINGS: usize = 256;
const MAX_SPELLING_LEN: usize = 64;
const MAX_RUN: usize = 16;
/// ...and classes of at most this many bytes (case-folded): `[Pp]`, `[_.-]`.
const MAX_CLASS_SPELLINGS: usize = 4;

/// `Some(b)` when every match of `hir` holds one of `keywords` (lowercase, matched
/// in any case) with at most `b` line breaks before it in the match.
fn lines_before_keyword(hir: &Hir, keywords: &[Vec<u8>]) -> Option<usize> {
    lines_before_keyword_spelled(hir, spell(hir).as_deref(), keywords)
}

/// [`lines_before_keyword`] of `hir`, whose spellings (`spell`) are known.
fn lines_before_keyword_spelled(
    hir: &Hir,
    spellings: Option<&[Vec<u8>]>,
    keywords: &[Vec<u8>],
) -> Option<usize> {
    // A part short enough to spell out, each spelling holding a keyword: its own
    // line breaks bound those before the keyword.
    if spellings.is_some_and(|s| all_hold_keyword(s, keywords)) {
        return max_line_breaks(hir);
    }
    match hir.kind() {
        HirKind::Capture(c) => lines_before_keyword(&c.sub, keywords),
        HirKind::Repetition(r) if r.min >= 1 => lines_before_keyword(&r.sub, keywords),
        // The first part, or run of parts spelled out together (the parser splits
        // `(?i:pass|pwd)` into `[Pp]` and an alternation), that always holds a
        // keyword, after the line breaks of every part before it.
        HirKind::Concat(subs) => {
            let spelled: Vec<Option<Vec<Vec<u8>>>> = subs.iter().map(spell).collect();
            let mut before = 0usize;
            for (i, sub) in subs.iter().enumerate() {
                if let Some(b) = lines_before_keyword_spelled(sub, spelled[i].as_deref(), keywords)
                {
                    return before.checked_add(b);
                }
                if let Some(mut spellings) = spelled[i].clone() {
                    let mut run_breaks = max_line_breaks(sub)?;
                    for (next, tails) in subs.iter().zip(&spelled).skip(i + 1).take(MAX_RUN) {
                        let Some(joined) = tails.as_ref().and_then(|t| join(&spellings, t)) else {
                            break;
                        };
                        spellings = joined;
                        run_breaks = run_breaks.checked_add(max_line_breaks(next)?)?;
                        if all_hold_keyword(&spellings, keywords) {
                            return before.checked_add(run_breaks);
                        }
                    }
                }
                before = before.checked_add(max_line_breaks(sub)?)?;
            }
            None
        }
        HirKind::Alternation(subs) => subs.iter().try_fold(0usize, |most, s| {
            Some(most.max(lines_before_keyword(s, keywords)?))
        }),
        _ => None,
    }
}

fn all_hold_keyword(spellings: &[Vec<u8>], keywords: &[Vec<u8>]) -> bool {
    spellings.iter().all(|s| {
        keywords
            .iter()
            .any(|k| !k.is_empty() && s.windows(k.len()).any(|w| w == k.as_slice()))
    })
}

/// Every head followed by every tail; `None` past the limits.
fn join(heads: &[Vec<u8>], tails: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    let longest = |s: &[Vec<u8>]| s.iter().map(Vec::len).max().unwrap_or(0);
    if heads.len().saturating_mul(tails.len()) > MAX_SPELLINGS
        || longest(heads) + longest(tails) > MAX_SPELLING_LEN
    {
        return None;
    }
    Some(
        heads
            .iter()
            .flat_map(|head| {
                tails
                    .iter()
                    .map(move |tail| [head.as_slice(), tail].concat())
            })
            .collect(),
    )
}

/// Every string `hir` matches, lowercased, when they are few and short:
/// `(?i:pass|pwd)[_.-]?`. Look-arounds match the empty string here, so a spelling
/// may stand for no match at all, never the other way round.
fn spell(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let spellings: Vec<Vec<u8>> = match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![Vec::new()],
        HirKind::Literal(lit) if lit.0.len() <= MAX_SPELLING_LEN => {
            vec![lit.0.to_ascii_lowercase()]
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut bytes: Vec<u8> = Vec::new();
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    let b = b.to_ascii_lowercase();
                    if !bytes.contains(&b) {
                        bytes.push(b);
                    }
                    if bytes.len() > MAX_CLASS_SPELLINGS {
                        return None;
                    }
                }
            }
            bytes.into_iter().map(|b| vec![b]).collect()
        }
        HirKind::Capture(c) => spell(&c.sub)?,
        HirKind::Repetition(r) if r.min == 1 && r.max == Some(1) => spell(&r.sub)?,
        HirKind::Repetition(r) if r.min == 0 && r.max == Some(1) => {
            let mut s = spell(&r.sub)?;
            s.push(Vec::new());
            s
        }
        HirKind::Alternation(subs) => {
            let mut all = Vec::new();
            for sub in subs {
                all.extend(spell(sub)?);
                if all.len() > MAX_SPELLINGS {
                    return None;
                }
            }
            all
        }
        HirKind::Concat(subs) => subs
            .iter()
            .try_fold(vec![Vec::new()], |heads, sub| join(&heads, &spell(sub)?))?,
        _ => return None,
    };
    (spellings.len() <= MAX_SPELLINGS).then_some(spellings)
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
        reach_with(re, &[])
    }

    fn reach_with(re: &str, keywords: &[&str]) -> Reach {
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        Reach::of(&crate::rule::parse_regex(re).unwrap(), &keywords)
    }

    fn lines(before: usize, after: usize) -> Reach {
        Reach::Lines { before, after }
    }

    #[test]
    fn the_tighter_of_lines_and_bytes() {
        assert_eq!(reach(r"\bghp_[0-9A-Za-z]{36}\b"), lines(0, 0));
        assert_eq!(reach(r"password[ \t]*=[ \t]*[^\s]+"), lines(0, 0));
        assert_eq!(
            reach(r"(?:^|\s)[a-z]*key[ \t]*\r?\n?[ \t]*=\s{0,2}x"),
            lines(4, 4)
        );
        assert_eq!(reach(r"key[^\n]{0,100}\n[^\n]{0,100}"), lines(1, 1));
        assert_eq!(reach(r"key\s*=\s*x"), Reach::Bytes(MAX_REACH));
        assert_eq!(reach(r"a\nb(?:\n|c)"), Reach::Bytes(4));
        assert_eq!(reach(r"(?s)BEGIN.{0,100}END"), Reach::Bytes(108));
        assert_eq!(reach(r"[^x]{1,5}"), Reach::Bytes(5));
    }

    #[test]
    fn fewer_lines_above_when_a_keyword_comes_before_the_line_breaks() {
        // The shape of the generic rules: a name holding the keyword, then a value
        // that may stand on the next line.
        let generic = r"(?m)(?:^|[ \t])[a-z_]*(?i:pass(?:word)?|pwd)[_.-]?(?:[ \t]*=|:\r?\n[ \t]*value:)[ \t]*(\S{6,200})";
        assert_eq!(reach_with(generic, &["pass", "pwd"]), lines(0, 1));
        // A keyword other than the rule's proves nothing.
        assert_eq!(reach_with(generic, &["secret"]), lines(1, 1));
        // A keyword after the line break: the lines above count.
        assert_eq!(
            reach_with(r"[a-z]+:\n[ \t]*token=\S+", &["token"]),
            lines(1, 1)
        );
        // Every branch must hold a keyword; one that may not leaves the bound as it was.
        assert_eq!(reach_with(r"(?:key|x)\n=\S+", &["key"]), lines(1, 1));
        assert_eq!(reach_with(r"(?:key|KEY_ID)\n=\S+", &["key"]), lines(0, 1));
        // An optional keyword is not always there.
        assert_eq!(reach_with(r"\n(?:key)?\n=\S+", &["key"]), lines(2, 2));
        assert_eq!(reach_with(r"a\n(?:key)+\n=\S+", &["key"]), lines(1, 2));
    }

    #[test]
    fn the_keyword_analysis_stays_small_on_long_regexes() {
        // Thousands of parts that each spell one short string: the analysis once took
        // time cubic in their number (half a minute for this one, from a user's rule).
        let long = format!("{}\\n{}", r"a\b".repeat(3000), r"(b)".repeat(3000));
        assert_eq!(reach_with(&long, &["zz"]), lines(1, 1));
        let long_lines = format!("{}\\n[^\\n]*", r"a\b".repeat(3000));
        assert_eq!(reach_with(&long_lines, &["zz"]), lines(1, 1));
        assert_eq!(reach_with(&long_lines, &["aa"]), lines(0, 1));
    }
}
