//! Untrusted text (commit authors and messages, file names, principals, tag names,
//! names read from SHA256SUMS, verification reasons) made safe to show: the one
//! mechanism every human output and every format without a full escaping of its own
//! goes through. A leaf: it imports nothing from the crate.
//!
//! What is neutralised: every control character (C0, DEL, C1: ESC would start a terminal
//! escape sequence, CR and LF would forge lines) and the Unicode bidirectional controls
//! (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), which reorder what a reader
//! sees. Invalid UTF-8 has already become U+FFFD wherever vigil turned bytes into text.
use std::borrow::Cow;

/// How many characters of one untrusted value a human report shows.
pub const MAX_CHARS: usize = 200;

/// How many characters of one message (an error, a note) are shown: far more than any
/// message vigil writes, so only one quoting something absurd (a path 10,000 folders
/// deep) is cut.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// Characters that change how text is read on a terminal: controls and bidi overrides.
fn hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        )
}

/// What to keep as it is, and whether to cut.
#[derive(Clone, Copy)]
struct Mode {
    /// Keep CR and LF (for formats that escape line breaks themselves).
    keep_breaks: bool,
    /// Keep LF only (several lines vigil itself writes).
    keep_newline: bool,
    /// Cut after this many characters.
    cut: Option<usize>,
    /// Show a hostile character as U+FFFD rather than as a visible escape.
    replace: bool,
}

fn neutralise(s: &str, m: Mode) -> Cow<'_, str> {
    let bad = |c: char| {
        hostile(c) && !(m.keep_breaks && (c == '\n' || c == '\r')) && !(m.keep_newline && c == '\n')
    };
    let long = m.cut.is_some_and(|most| s.chars().nth(most).is_some());
    if !long && !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (shown, c) in s.chars().enumerate() {
        if m.cut == Some(shown) {
            out.push_str(&format!("… ({} chars in all)", s.chars().count()));
            break;
        }
        if !bad(c) {
            out.push(c);
        } else if m.replace {
            out.push('\u{fffd}');
        } else {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        }
    }
    Cow::Owned(out)
}

/// One untrusted value for a human report: every control and bidi character shown as a
/// visible escape (`\x1b`, `\n`, `\u{202e}`), cut after [`MAX_CHARS`] characters with
/// "…" and the full length. The result is one line.
pub fn printable(s: &str) -> Cow<'_, str> {
    neutralise(
        s,
        Mode {
            keep_breaks: false,
            keep_newline: false,
            cut: Some(MAX_CHARS),
            replace: false,
        },
    )
}

/// A whole message that may hold untrusted parts (an error, a note): controls and bidi
/// characters escaped as [`printable`] does, kept on one line, cut only past
/// [`MAX_MESSAGE_CHARS`].
pub fn printable_message(s: &str) -> Cow<'_, str> {
    neutralise(
        s,
        Mode {
            keep_breaks: false,
            keep_newline: false,
            cut: Some(MAX_MESSAGE_CHARS),
            replace: false,
        },
    )
}

/// Several lines vigil wrote itself, whose untrusted parts went through [`printable`]:
/// every control and bidi character but LF escaped, as a last line of defence.
pub fn printable_lines(s: &str) -> Cow<'_, str> {
    neutralise(
        s,
        Mode {
            keep_breaks: false,
            keep_newline: true,
            cut: None,
            replace: false,
        },
    )
}

/// `s` with every control and bidi character except CR and LF replaced by U+FFFD.
///
/// For formats whose escaping handles only line breaks: GitHub workflow commands
/// (`%`, CR, LF) and Markdown table cells. Whoever writes a commit chooses its
/// committer address and so part of a verdict's reason; an ESC there must not reach a
/// CI log or a rendered summary as a terminal escape sequence.
pub(crate) fn printable_keeping_breaks(s: &str) -> Cow<'_, str> {
    neutralise(
        s,
        Mode {
            keep_breaks: true,
            keep_newline: false,
            cut: None,
            replace: true,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_other_than_line_breaks_are_replaced() {
        assert_eq!(printable_keeping_breaks("plain 100%"), "plain 100%");
        assert_eq!(
            printable_keeping_breaks("a\x1b[31mb\x07\x7f\u{9b}c\u{202e}"),
            "a\u{fffd}[31mb\u{fffd}\u{fffd}\u{fffd}c\u{fffd}"
        );
        assert_eq!(printable_keeping_breaks("x\r\ny\tz"), "x\r\ny\u{fffd}z");
    }

    #[test]
    fn human_values_are_one_visible_line() {
        assert!(matches!(printable("src/app.rs"), Cow::Borrowed(_)));
        assert_eq!(
            printable("a\x1b[31mb\r\nc\td\u{9b}\u{202e}e\u{2066}"),
            "a\\x1b[31mb\\r\\nc\\td\\x9b\\u{202e}e\\u{2066}"
        );
        assert_eq!(printable_message("x\ny"), "x\\ny");
        assert_eq!(printable_lines("x\ny\rz\x1b"), "x\ny\\rz\\x1b");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let long = "é".repeat(MAX_CHARS + 50);
        let shown = printable(&long);
        assert!(shown.starts_with(&"é".repeat(MAX_CHARS)), "{shown}");
        assert!(shown.ends_with("… (250 chars in all)"), "{shown}");
        let exact = "a".repeat(MAX_CHARS);
        assert_eq!(printable(&exact), exact);
        // Messages are cut only when absurd.
        assert_eq!(printable_message(&long), long);
        let absurd = "d/".repeat(MAX_MESSAGE_CHARS);
        assert!(printable_message(&absurd).ends_with("… (2000 chars in all)"));
    }
}
