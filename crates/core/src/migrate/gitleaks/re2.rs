//! Go RE2 syntax (what gitleaks' regexes are written in) spelled for the Rust `regex`
//! crate, so a regex means in vigil what it meant in gitleaks.
//!
//! The two dialects agree on nearly everything; where they differ, the RE2 spelling is
//! rewritten, never dropped:
//! - a `{` that does not start a valid repetition (`{n}`, `{n,}`, `{n,m}`) is a literal
//!   in RE2 (`^\$(?:\d+|{\d+})$`) and an error in Rust: escaped; so is a lone `}`;
//! - `\Q…\E` quotes literal text in RE2 only: its characters are escaped one by one;
//! - octal escapes (`\0`, `\012`, `\101`) exist in RE2 only: written `\x{…}`;
//! - `\C` (any byte in RE2): any character;
//! - `\<` and `\>` are literal `<` and `>` in RE2 and word boundaries in Rust: literals;
//! - `\d`, `\w`, `\s` and `\b` are ASCII in RE2 and Unicode in a Rust `regex` that has
//!   Unicode on: spelled as ASCII classes (`\s` is `[\t\n\f\r ]`, without `\v`);
//! - inside a class, `[` is a literal in RE2 and opens a nested class in Rust, and
//!   `&&`, `--`, `~~` are set operations in Rust only: escaped.
//!
//! What is not valid RE2 is left as it is, for the Rust parser to reject with its
//! own message.

const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";
const SPACE: &str = r"\t\n\x0C\r ";

/// `pattern` (RE2 syntax) in the Rust `regex` crate's syntax, with the same meaning.
pub(crate) fn re2_to_rust(pattern: &str) -> String {
    let s: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            '\\' => i = escape_outside(&s, i, &mut out),
            '[' => i = class(&s, i, &mut out),
            '{' => match repetition_len(&s, i) {
                Some(n) => {
                    out.extend(&s[i..i + n]);
                    i += n;
                }
                None => {
                    out.push_str(r"\{");
                    i += 1;
                }
            },
            '}' => {
                out.push_str(r"\}");
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The length of the repetition `{n}`, `{n,}` or `{n,m}` at `s[i]` (a `{`), if it is one.
fn repetition_len(s: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let digits = |j: &mut usize| {
        let from = *j;
        while s.get(*j).is_some_and(char::is_ascii_digit) {
            *j += 1;
        }
        *j > from
    };
    if !digits(&mut j) {
        return None;
    }
    if s.get(j) == Some(&',') {
        j += 1;
        digits(&mut j);
    }
    (s.get(j) == Some(&'}')).then_some(j + 1 - i)
}

/// An escape outside a class at `s[i]` (a `\`); returns where the rest starts.
fn escape_outside(s: &[char], i: usize, out: &mut String) -> usize {
    let Some(&c) = s.get(i + 1) else {
        out.push('\\');
        return i + 1;
    };
    match c {
        'Q' => {
            let mut j = i + 2;
            while j < s.len() && !(s[j] == '\\' && s.get(j + 1) == Some(&'E')) {
                literal(s[j], false, out);
                j += 1;
            }
            (j + 2).min(s.len())
        }
        'b' | 'B' => {
            out.push_str(if c == 'b' { r"(?-u:\b)" } else { r"(?-u:\B)" });
            i + 2
        }
        'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
            let negated = c.is_ascii_uppercase();
            out.push_str(if negated { "[^" } else { "[" });
            out.push_str(perl_class(c));
            out.push(']');
            i + 2
        }
        'C' => {
            out.push_str("(?s:.)");
            i + 2
        }
        _ => escape_common(s, i, false, out),
    }
}

/// The ASCII members of Perl class `\c`, as written inside a class.
fn perl_class(c: char) -> &'static str {
    match c.to_ascii_lowercase() {
        'd' => DIGIT,
        'w' => WORD,
        _ => SPACE,
    }
}

/// Escapes that mean one character, or a Unicode class, in and out of classes: octal
/// (RE2 only), punctuation, and what both dialects share (`\x41`, `\n`, `\pL`), passed
/// through. Returns where the rest starts.
fn escape_common(s: &[char], i: usize, in_class: bool, out: &mut String) -> usize {
    let c = s[i + 1];
    if matches!(c, 'p' | 'P' | 'x') {
        return copy_braced_escape(s, i, out);
    }
    let octal = |d: Option<&char>| d.is_some_and(|d| ('0'..='7').contains(d));
    if c == '0' || (('1'..='7').contains(&c) && octal(s.get(i + 2))) {
        let mut j = i + 1;
        let mut value = 0u32;
        while j < i + 4 && octal(s.get(j)) {
            value = value * 8 + (s[j] as u32 - '0' as u32);
            j += 1;
        }
        out.push_str(&format!(r"\x{{{value:X}}}"));
        return j;
    }
    if c.is_ascii_punctuation() {
        literal(c, in_class, out);
        return i + 2;
    }
    // `\x{…}`, `\x41`, `\pL`, `\p{Greek}`, `\n`, `\A`, `\z`, …: the same in both, as is
    // anything invalid in both (left for the Rust parser to name).
    out.push('\\');
    out.push(c);
    i + 2
}

/// `\pL`, `\p{Greek}`, `\x41`, `\x{1F600}` at `s[i]`, the same in both: copied as they
/// are (their braces are no repetition). Returns where the rest starts.
fn copy_braced_escape(s: &[char], i: usize, out: &mut String) -> usize {
    let mut j = i + 2;
    if s.get(j) == Some(&'{') {
        while j < s.len() && s[j] != '}' {
            j += 1;
        }
        j += 1;
    } else {
        j += if s[i + 1] == 'x' { 2 } else { 1 };
    }
    let j = j.min(s.len());
    out.extend(&s[i..j]);
    j
}

/// The character `c`, matched literally.
fn literal(c: char, in_class: bool, out: &mut String) {
    let meta = if in_class {
        r"\[]^-&~"
    } else {
        r"\.+*?()|[]{}^$#&-~"
    };
    if meta.contains(c) {
        out.push('\\');
    }
    out.push(c);
}

/// A class at `s[i]` (a `[`), parsed as RE2 parses it; returns where the rest starts.
fn class(s: &[char], i: usize, out: &mut String) -> usize {
    let mut j = i + 1;
    out.push('[');
    if s.get(j) == Some(&'^') {
        out.push('^');
        j += 1;
    }
    let mut first = true;
    while j < s.len() && (s[j] != ']' || first) {
        first = false;
        // POSIX classes: `[:alpha:]`, `[:^digit:]`, the same in both.
        if s[j] == '[' && s.get(j + 1) == Some(&':') {
            if let Some(end) =
                (j + 2..s.len().saturating_sub(1)).find(|&k| s[k] == ':' && s[k + 1] == ']')
            {
                out.extend(&s[j..end + 2]);
                j = end + 2;
                continue;
            }
        }
        if s[j] == '\\' {
            match s.get(j + 1) {
                Some(&c @ ('d' | 'D' | 'w' | 'W' | 's' | 'S')) => {
                    if c.is_ascii_uppercase() {
                        out.push_str("[^");
                        out.push_str(perl_class(c));
                        out.push(']');
                    } else {
                        out.push_str(perl_class(c));
                    }
                    j += 2;
                    continue;
                }
                Some('p' | 'P') => {
                    j = copy_braced_escape(s, j, out);
                    continue;
                }
                _ => {}
            }
        }
        j = class_char(s, j, out);
        // A range: `a-z`, unless the `-` ends the class.
        if s.get(j) == Some(&'-') && s.get(j + 1).is_some_and(|&c| c != ']') {
            out.push('-');
            j = class_char(s, j + 1, out);
        }
    }
    if j < s.len() {
        out.push(']');
        j += 1;
    }
    j
}

/// One character of a class at `s[j]`: a literal or an escape. Returns where the rest
/// starts.
fn class_char(s: &[char], j: usize, out: &mut String) -> usize {
    if s[j] == '\\' && j + 1 < s.len() {
        return escape_common(s, j, true, out);
    }
    literal(s[j], true, out);
    j + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `re` compiles in Rust after translation and matches as RE2 does: each of
    /// `yes` whole, none of `no`.
    fn same(re: &str, yes: &[&str], no: &[&str]) {
        let t = re2_to_rust(re);
        let r = regex::Regex::new(&t).unwrap_or_else(|e| panic!("{re} -> {t}: {e}"));
        let b = regex::bytes::RegexBuilder::new(&t)
            .unicode(false)
            .build()
            .unwrap_or_else(|e| panic!("{re} -> {t} (bytes): {e}"));
        for y in yes {
            assert!(
                r.is_match(y) && b.is_match(y.as_bytes()),
                "{re} -> {t} on {y:?}"
            );
        }
        for n in no {
            assert!(
                !r.is_match(n) && !b.is_match(n.as_bytes()),
                "{re} -> {t} on {n:?}"
            );
        }
    }

    #[test]
    fn literal_braces_that_are_not_repetitions() {
        same(r"^\$(?:\d+|{\d+})$", &["$1", "${12}"], &["${x}", "$"]);
        same(
            r"^\${(?:[A-Z_]+|[a-z_]+)}$",
            &["${HOME}", "${path}"],
            &["${Home}"],
        );
        same(r"^\{\d{0,2}}$", &["{}", "{12}"], &["{123}"]);
        same(r"a{,3}", &["a{,3}"], &["aaa"]);
        same(r"a{2}b{1,}c{1,2}", &["aabcc"], &["abc"]);
        same(r"\b{start}", &["a{start}"], &["start", "a {start}"]);
        assert_eq!(re2_to_rust(r"x{3}"), r"x{3}");
    }

    #[test]
    fn quotes_octal_and_go_literals() {
        same(r"\Qa.b*\E+c", &["a.b*c", "a.b**c"], &["axb*c"]);
        same(r"\Q[x]", &["[x]"], &["x"]);
        same(r"\101\0\12", &["A\0\n"], &["A"]);
        same(r"\<a\>", &["<a>"], &["a"]);
        same(r"[\101-\103]+$", &["ABC"], &["ABCD"]);
    }

    #[test]
    fn perl_classes_and_word_boundaries_are_ascii() {
        same(r"^\w+$", &["abc_9"], &["abé"]);
        same(r"^\d$", &["7"], &["٣"]);
        same(r"^\s$", &["\t", "\u{c}"], &["\u{b}", "\u{a0}"]);
        same(r"^[\w.-]+$", &["a.b-c"], &["é"]);
        same(r"^[^\W\d]+$", &["abc"], &["a1", "é"]);
        same(r"\bkey\b", &["a key"], &["akey"]);
        same(r"^\D\S\W$", &["a!!"], &["1!!"]);
    }

    #[test]
    fn classes_as_re2_reads_them() {
        // `[` is a literal in a class; `&&`, `--`, `~~` are not set operations.
        same(r"^[[a]+$", &["[a["], &["b"]);
        same(r"^[a&&b]+$", &["a&&b"], &["c"]);
        same(r"^[~~x]$", &["~"], &["y"]);
        same(r"^[!--]+$", &["!,-"], &["a"]);
        same(r"^[]a]+$", &["]a"], &["b"]);
        same(r"^[[:alpha:][:digit:]]+$", &["a1"], &["-"]);
        same(r"^[^[:^alpha:]]+$", &["ab"], &["a1"]);
        same(r"^[a-z-]+$", &["a-b"], &["A"]);
        let unicode = regex::Regex::new(&re2_to_rust(r"^[\pL]+\p{Greek}$")).unwrap();
        assert!(unicode.is_match("abλ") && !unicode.is_match("1λ"));
        same(r"^[\x41-\x{43}]+\x{44}$", &["ABCD"], &["ED"]);
    }

    #[test]
    fn what_both_share_is_unchanged() {
        for re in [
            r"(?i)[a-z0-9]{32}",
            r"\b(p8e-(?i)[a-z0-9]{32})(?:[\x60'\s;]|\\[nr]|$)",
            r"(?-i:ATLASSIAN|[Aa]tlassian)",
            r"(?P<x>a)\z\A(?s:.)",
        ] {
            let t = re2_to_rust(re);
            assert!(regex::Regex::new(&t).is_ok(), "{re} -> {t}");
        }
        assert_eq!(re2_to_rust(r"a\.b(c|d)*$"), r"a\.b(c|d)*$");
    }
}
