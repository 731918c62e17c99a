//! What an error may show of a file: the offending line, cut short and redacted.
//!
//! vigil reads hostile files (a repository's configuration, a stranger's keys), and an
//! error message ends up in a CI log. So an error never quotes a file beyond the one
//! line at fault, and that line goes through [`excerpt`]:
//!
//! - a line holding a NUL byte is not text (`/proc/self/environ`, a binary file) and is
//!   not shown at all;
//! - anything that looks like a token (a run of 16 or more letters, digits and `+/_-.~`
//!   mixing at least two of lower case, upper case and digits, or any such run of 32 or
//!   more) keeps a short prefix and says how long it was;
//! - control characters are escaped (`\n`, `\t`, `\u{1b}`), so a line cannot forge log
//!   lines or drive a terminal;
//! - the result is at most [`EXCERPT_CHARS`] characters, cut with `…`.
//!
//! [`sanitize`] does the same to a message that may quote a value (a parser's message).

/// The longest excerpt shown, in characters (before the `…`).
pub const EXCERPT_CHARS: usize = 80;

/// Shown in place of a line that holds a NUL byte.
pub const BINARY_LINE: &str = "(binary content, not shown)";

/// `line`, safe to show in an error: see the module documentation.
pub fn excerpt(line: &str) -> String {
    sanitize(line, EXCERPT_CHARS)
}

/// Line `n` (1-based) of `text`, as [`excerpt`] shows it; `None` past the end.
pub fn line_excerpt(text: &str, n: usize) -> Option<String> {
    text.split('\n')
        .nth(n.checked_sub(1)?)
        .map(|l| excerpt(l.strip_suffix('\r').unwrap_or(l)))
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// `text` with tokens masked and control characters escaped, cut to `max` characters
/// (plus `…`); a text holding a NUL byte is replaced whole by [`BINARY_LINE`].
pub fn sanitize(text: &str, max: usize) -> String {
    if text.contains('\0') {
        return BINARY_LINE.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut shown = 0;
    let mut i = 0;
    while i < chars.len() && shown < max {
        if is_token_char(chars[i]) {
            let end = chars[i..]
                .iter()
                .position(|&c| !is_token_char(c))
                .map_or(chars.len(), |n| i + n);
            let run = &chars[i..end];
            let piece = if looks_like_token(run) {
                let keep: String = run.iter().take(4).collect();
                format!("{keep}…({} chars hidden)", run.len() - keep.chars().count())
            } else {
                run.iter().collect()
            };
            for c in piece.chars() {
                if shown == max {
                    break;
                }
                out.push(c);
                shown += 1;
            }
            i = end;
            continue;
        }
        let c = chars[i];
        let escaped = match c {
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            c if c.is_control() || is_invisible(c) => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        };
        out.push_str(&escaped);
        shown += 1;
        i += 1;
    }
    if i < chars.len() {
        out.push('…');
    }
    out
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+/_-.~".contains(c)
}

/// Bidirectional overrides and zero-width characters: they reorder or hide text.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

fn looks_like_token(run: &[char]) -> bool {
    if run.len() >= 32 {
        return true;
    }
    if run.len() < 16 {
        return false;
    }
    let classes = [
        run.iter().any(char::is_ascii_lowercase),
        run.iter().any(char::is_ascii_uppercase),
        run.iter().any(char::is_ascii_digit),
    ];
    classes.iter().filter(|&&c| c).count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_plain_lines_are_shown_as_they_are() {
        assert_eq!(
            excerpt("max_file_size = \"ten\""),
            "max_file_size = \"ten\""
        );
        assert_eq!(excerpt("alice@example.org"), "alice@example.org");
        assert_eq!(
            excerpt("aws_secret_access_key ="),
            "aws_secret_access_key ="
        );
    }

    #[test]
    fn tokens_keep_a_prefix_and_their_length() {
        let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let e = excerpt(&format!("token = \"{token}\""));
        assert!(!e.contains(token) && !e.contains("0123456789"), "{e}");
        assert_eq!(e, "token = \"ghp_…(36 chars hidden)\"");
        let e = excerpt("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE");
        assert!(e.starts_with("key wJal…(") && !e.contains("K7MDENG"), "{e}");
        // 32 of one class is still hidden
        let e = excerpt(&"a".repeat(40));
        assert!(e.contains("hidden"), "{e}");
    }

    #[test]
    fn long_lines_are_cut() {
        let line = "word ".repeat(100);
        let e = excerpt(&line);
        assert!(e.ends_with('…'), "{e}");
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(&"x ".repeat(40)), "x ".repeat(40));
    }

    #[test]
    fn control_characters_are_escaped_and_nul_hides_the_line() {
        assert_eq!(excerpt("a\u{1b}[31mb\tc\r"), "a\\u{1b}[31mb\\tc\\r");
        assert_eq!(excerpt("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(excerpt("HOME=/root\0TOKEN=ghp_x\0"), BINARY_LINE);
    }

    #[test]
    fn lines_and_columns() {
        let text = "a = 1\nb = é2\r\nc";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 10), (2, 5));
        assert_eq!(line_column(text, 1000), (3, 2));
        assert_eq!(line_excerpt(text, 2).as_deref(), Some("b = é2"));
        assert_eq!(line_excerpt(text, 4), None);
        assert_eq!(line_excerpt(text, 0), None);
    }
}
