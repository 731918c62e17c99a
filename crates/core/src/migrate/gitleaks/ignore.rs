//! The `.gitleaksignore`: gitleaks' list of accepted findings, read into the
//! [`IgnoreEntry`]s that the post-scan filter and the baseline import match findings
//! against.
use std::path::Path;

use crate::{
    config::ConfigError,
    suppress::gitleaks::{normalize_path, IgnoreEntry},
};

/// gitleaks' list of accepted findings, `[commit:]path:rule:line` per line.
pub const GITLEAKS_IGNORE: &str = ".gitleaksignore";

/// Reads a `.gitleaksignore`: `path:rule:line` or `commit:path:rule:line` per line
/// (`#` comments, blank lines; a field of `*` matches anything). Errors name the line.
pub fn parse_gitleaksignore(path: &Path, text: &str) -> Result<Vec<IgnoreEntry>, ConfigError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| ConfigError::Parse {
            path: path.to_owned(),
            message: format!("line {}: {message}", i + 1),
        };
        let parts: Vec<&str> = line.split(':').collect();
        let (commit, file, rule, number) = match parts.as_slice() {
            [f, r, n] => (None, *f, *r, *n),
            [c, f, r, n] => (Some(*c), *f, *r, *n),
            _ => {
                return Err(err(format!(
                    "`{}` is not a gitleaks fingerprint (expected path:rule:line or commit:path:rule:line)",
                    vigil_model::excerpt(line)
                )))
            }
        };
        let any = |s: &str| s == "*";
        let line_number = if any(number) {
            None
        } else {
            Some(number.parse::<u32>().map_err(|_| {
                err(format!(
                    "`{}` is not a line number (in `{}`)",
                    vigil_model::excerpt(number),
                    vigil_model::excerpt(line)
                ))
            })?)
        };
        out.push(IgnoreEntry {
            commit: commit
                .filter(|c| !any(c))
                .map(|c| c.trim().to_ascii_lowercase()),
            path: (!any(file)).then(|| normalize_path(&file.replace('\\', "/"))),
            rule: (!any(rule)).then(|| rule.to_owned()),
            line: line_number,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitleaksignore_forms() {
        let e = parse_gitleaksignore(
            Path::new(".gitleaksignore"),
            "# comment\n\napp/.env:github-pat:2\nabc123:src\\x.py:generic-api-key:7\n*:acme:*\n",
        )
        .unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].path.as_deref(), Some("app/.env"));
        assert_eq!(e[1].commit.as_deref(), Some("abc123"));
        assert_eq!(e[1].path.as_deref(), Some("src/x.py"));
        assert_eq!(e[2].line, None);
        let err = parse_gitleaksignore(Path::new(".gitleaksignore"), "a:b\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1") && err.contains("path:rule:line"),
            "{err}"
        );
    }
}
