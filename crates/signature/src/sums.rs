//! GNU `SHA256SUMS` files, as `sha256sum` writes them and `sha256sum -c` reads them:
//! `HEX  NAME` (text mode) or `HEX *NAME` (binary mode), one per line. A name holding a
//! backslash, line feed or carriage return is escaped (`\\`, `\n`, `\r`) and its line
//! starts with a backslash.
use crate::hex::{hex, unhex};

/// One line: a file name and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumsEntry {
    pub name: String,
    pub sha256: [u8; 32],
}

/// What is wrong with a sums file, by line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct SumsError {
    pub line: usize,
    pub problem: String,
}

/// The file's text, sorted by name (byte order).
pub fn format_sums(entries: &[SumsEntry]) -> String {
    let mut sorted: Vec<&SumsEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let mut out = String::with_capacity(entries.len() * 100);
    for e in sorted {
        let special = e.name.contains(['\\', '\n', '\r']);
        if special {
            out.push('\\');
        }
        out.push_str(&hex(&e.sha256));
        out.push_str("  ");
        if special {
            for c in e.name.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        } else {
            out.push_str(&e.name);
        }
        out.push('\n');
    }
    out
}

/// Reads a sums file. Blank lines are skipped; duplicate names are an error.
pub fn parse_sums(text: &str) -> Result<Vec<SumsEntry>, SumsError> {
    let mut out: Vec<SumsEntry> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        let err = |problem: String| SumsError { line, problem };
        if raw.is_empty() {
            continue;
        }
        let (escaped, body) = match raw.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let (digest, rest) = body
            .split_at_checked(64)
            .ok_or_else(|| err("expected 64 hex digits, two spaces and a file name".into()))?;
        let sha256: [u8; 32] = unhex(digest)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| {
                err(format!(
                    "{digest:?} is not a SHA-256 in hex (64 hex digits)"
                ))
            })?;
        let name = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))
            .ok_or_else(|| {
                err("expected two spaces (or ` *`) between the digest and the file name".into())
            })?;
        let name = if escaped {
            unescape(name).ok_or_else(|| err(format!("bad escape in file name {name:?}")))?
        } else {
            name.to_owned()
        };
        if name.is_empty() {
            return Err(err("the file name is empty".into()));
        }
        if out.iter().any(|e| e.name == name) {
            return Err(err(format!("{name:?} is listed twice")));
        }
        out.push(SumsEntry { name, sha256 });
    }
    Ok(out)
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(name: &str, b: u8) -> SumsEntry {
        SumsEntry {
            name: name.into(),
            sha256: [b; 32],
        }
    }

    #[test]
    fn sorted_gnu_format_round_trips() {
        let entries = vec![
            e("b.tar.gz", 1),
            e("a b.zip", 2),
            e("odd\\na\nme", 3),
            e("B", 4),
        ];
        let text = format_sums(&entries);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with("  B"));
        assert!(lines[1].ends_with("  a b.zip"));
        assert!(lines[2].ends_with("  b.tar.gz"));
        assert_eq!(lines[3], format!("\\{}  odd\\\\na\\nme", "03".repeat(32)));
        let mut back = parse_sums(&text).unwrap();
        back.sort_by(|a, b| a.name.cmp(&b.name));
        let mut want = entries;
        want.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(back, want);
        // binary-mode marker
        let bin = format!("{} *x\n", "ab".repeat(32));
        assert_eq!(parse_sums(&bin).unwrap()[0].name, "x");
    }

    #[test]
    fn errors_name_the_line() {
        let ok = format!("{}  a\n", "ab".repeat(32));
        let m = parse_sums(&format!("{ok}zz\n")).unwrap_err().to_string();
        assert!(m.starts_with("line 2:"), "{m}");
        let m = parse_sums(&format!("{}  a\n", "zz".repeat(32)))
            .unwrap_err()
            .to_string();
        assert!(m.contains("not a SHA-256"), "{m}");
        let m = parse_sums(&format!("{} a\n", "ab".repeat(32)))
            .unwrap_err()
            .to_string();
        assert!(m.contains("two spaces"), "{m}");
        let m = parse_sums(&format!("{ok}{ok}")).unwrap_err().to_string();
        assert!(m.contains("twice"), "{m}");
        let m = parse_sums(&format!("\\{}  a\\q\n", "ab".repeat(32)))
            .unwrap_err()
            .to_string();
        assert!(m.contains("escape"), "{m}");
        // multi-byte characters at the digest boundary never panic
        assert!(parse_sums(&"é".repeat(40)).is_err());
    }
}
