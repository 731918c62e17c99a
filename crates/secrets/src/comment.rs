//! Private keys commented out line by line (`# -----BEGIN RSA PRIVATE KEY-----`,
//! `# MIIE…`, …, `# -----END RSA PRIVATE KEY-----`): the comment prefix breaks the
//! key rules' body pattern, so each such block becomes a derived [`View`] with the
//! prefix taken off every line, mapped back to the original text. Only blocks whose
//! BEGIN line names a private key are looked at: comments in general are not stripped.
use memchr::memmem;

use crate::{decode::View, reach::MAX_REACH};

/// What [`View::decoded`] says of a key found with its comment prefix taken off.
const HOW: &str = "comment";

/// Each private key block of `view` whose lines all carry the same comment prefix,
/// with the prefix taken off; each costs its size from `budget`.
pub(crate) fn uncommented_keys(view: &View<'_>, budget: &mut usize) -> Vec<View<'static>> {
    let bytes = view.bytes();
    let mut keys = Vec::new();
    // Where the last block taken ended: a BEGIN inside it is part of it.
    let mut taken = 0;
    for begin in memmem::find_iter(bytes, b"-----BEGIN ") {
        if begin < taken {
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &bytes[..begin]).map_or(0, |i| i + 1);
        let prefix = &bytes[line_start..begin];
        if !is_comment_prefix(prefix) {
            continue;
        }
        let line_end = memchr::memchr(b'\n', &bytes[begin..]).map_or(bytes.len(), |i| begin + i);
        if memmem::find(&bytes[begin..line_end], b"PRIVATE KEY").is_none() {
            continue;
        }
        let Some((text, map, end)) = strip_block(bytes, line_start, prefix) else {
            continue;
        };
        taken = end;
        if text.len() > *budget {
            break;
        }
        *budget -= text.len();
        keys.push(view.child(text, map, 0, HOW));
    }
    keys
}

/// Leading blanks, a comment marker (`#`, `//`, `--`, `;`, `'`, `*`, `%`, `REM`) and
/// blanks: nothing else.
fn is_comment_prefix(prefix: &[u8]) -> bool {
    let blank = |b: &u8| matches!(b, b' ' | b'\t');
    let start = prefix
        .iter()
        .position(|b| !blank(b))
        .unwrap_or(prefix.len());
    let rest = &prefix[start..];
    let marker = match rest {
        [b'#' | b';' | b'%', ..] => rest.iter().take_while(|&&b| b == rest[0]).count(),
        [b'/', b'/', ..] => rest.iter().take_while(|&&b| b == b'/').count(),
        [b'-', b'-', ..] => 2,
        [b'\'' | b'*', ..] => 1,
        [r, e, m, b' ' | b'\t', ..] if [*r, *e, *m].eq_ignore_ascii_case(b"REM") => 4,
        _ => return false,
    };
    rest[marker..].iter().all(blank)
}

/// The lines from `start` that each begin with `prefix` (or are `prefix` without its
/// trailing blanks), up to the one holding `-----END `, with the prefix taken off; the
/// original offset of each byte; and where the block ends. `None` when a line without
/// the prefix, the end of the text or [`MAX_REACH`] bytes come first.
fn strip_block(bytes: &[u8], start: usize, prefix: &[u8]) -> Option<(Vec<u8>, Vec<usize>, usize)> {
    let bare = prefix.trim_ascii_end();
    let mut text = Vec::new();
    let mut map = Vec::new();
    let mut at = start;
    while at < bytes.len() && text.len() <= MAX_REACH {
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        let next = (line_end + 1).min(bytes.len());
        let line = &bytes[at..line_end];
        let from = if line.starts_with(prefix) {
            at + prefix.len()
        } else if line.strip_suffix(b"\r").unwrap_or(line) == bare {
            line_end
        } else {
            return None;
        };
        text.extend_from_slice(&bytes[from..next]);
        map.extend(from..next);
        if memmem::find(&bytes[from..line_end], b"-----END ").is_some() {
            return Some((text, map, next));
        }
        at = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripped(text: &str) -> Vec<String> {
        let mut budget = usize::MAX;
        uncommented_keys(&View::root(text.as_bytes()), &mut budget)
            .iter()
            .map(|v| String::from_utf8_lossy(v.bytes()).into_owned())
            .collect()
    }

    const KEY: &str =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";

    fn commented(prefix: &str) -> String {
        KEY.lines()
            .map(|l| {
                format!("{prefix}{l}\n")
                    .replace(&format!("{prefix}\n"), &format!("{}\n", prefix.trim_end()))
            })
            .collect()
    }

    #[test]
    fn each_prefix_is_taken_off_every_line() {
        for prefix in [
            "# ", "#", "// ", "-- ", "; ", "' ", " * ", "REM ", "  ## ", "%", "\t// ",
        ] {
            let text = format!("before\n{}after\n", commented(prefix));
            assert_eq!(stripped(&text), [KEY], "{prefix:?}");
        }
    }

    #[test]
    fn spans_map_back_to_the_original_lines() {
        let text = format!("x = 1\n{}", commented("# "));
        let mut budget = usize::MAX;
        let views = uncommented_keys(&View::root(text.as_bytes()), &mut budget);
        let key = &views[0];
        let (start, end) = key.original_span(0, key.bytes().len() - 1);
        assert_eq!(&text[start..start + 10], "-----BEGIN");
        assert_eq!(&text[end - 5..end], "-----");
        assert_eq!(key.decoded(), ["comment"]);
    }

    #[test]
    fn only_whole_commented_private_key_blocks() {
        // Not a comment, not a private key, a line without the prefix, no END.
        assert!(stripped(&format!("key = {KEY}")).is_empty());
        assert!(stripped(&format!("x = \"{}", commented("# "))).is_empty());
        let cert = commented("# ").replace("RSA PRIVATE KEY", "CERTIFICATE");
        assert!(stripped(&cert).is_empty());
        let broken = commented("# ").replace("# AAAA", "AAAA");
        assert!(stripped(&broken).is_empty());
        let cut = commented("# ");
        assert!(stripped(&cut[..cut.len() - 32]).is_empty());
        assert!(stripped(&commented("#! ")).is_empty());
        assert!(stripped(&commented("REM")).is_empty());
        // The prefix is the first line's, exactly.
        let mixed = commented("# ").replace("# MIIB", "// MIIB");
        assert!(stripped(&mixed).is_empty());
    }

    #[test]
    fn a_block_too_long_is_not_followed() {
        let body = "# AAAA\n".repeat(MAX_REACH / 4);
        let text = format!("# -----BEGIN PRIVATE KEY-----\n{body}# -----END PRIVATE KEY-----\n");
        assert!(stripped(&text).is_empty());
        let mut budget = 10;
        let views = uncommented_keys(&View::root(commented("# ").as_bytes()), &mut budget);
        assert!(views.is_empty() && budget == 10);
    }
}
