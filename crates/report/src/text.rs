//! Text that came from commits and tags (verification reasons, addresses, refs), made
//! safe to echo where a format's own escaping does not cover every control character.
//! A leaf: it imports nothing from the crate.
use std::borrow::Cow;

/// `s` with every control character except CR and LF replaced by U+FFFD.
///
/// For formats whose escaping handles only line breaks: GitHub workflow commands
/// (`%`, CR, LF) and Markdown table cells. Whoever writes a commit chooses its
/// committer address and so part of a verdict's reason; an ESC there must not reach a
/// CI log or a rendered summary as a terminal escape sequence.
pub(crate) fn printable(s: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_control() && c != '\n' && c != '\r';
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if bad(c) { '\u{fffd}' } else { c })
            .collect(),
    )
}

/// `s` on one line for people: every control character, line breaks included,
/// replaced by U+FFFD, and cut to at most `most` characters (with `…`). For untrusted
/// text (paths, names) in a line of its own, where a line break would forge a line.
pub fn printable_line(s: &str, most: usize) -> String {
    let mut out: String = s
        .chars()
        .take(most)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if s.chars().nth(most).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_other_than_line_breaks_are_replaced() {
        assert_eq!(printable("plain 100%"), "plain 100%");
        assert_eq!(
            printable("a\x1b[31mb\x07\x7f\u{9b}c"),
            "a\u{fffd}[31mb\u{fffd}\u{fffd}\u{fffd}c"
        );
        assert_eq!(printable("x\r\ny\tz"), "x\r\ny\u{fffd}z");
        assert_eq!(printable_line("a\nb\x1b[1m", 80), "a\u{fffd}b\u{fffd}[1m");
        assert_eq!(printable_line("abcdef", 3), "abc…");
    }
}
