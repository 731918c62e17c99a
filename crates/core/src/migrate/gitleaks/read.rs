//! A `.gitleaks.toml` as gitleaks reads it: keys in any case, values of the expected
//! type (or an error naming the file, the place and the key), allowlists as written.
use std::path::Path;

use toml::{Table, Value};

use crate::config::ConfigError;

/// The file gitleaks reads at the repository root.
pub const GITLEAKS_CONFIG: &str = ".gitleaks.toml";

/// Case-insensitive key lookup: gitleaks reads its file through viper, which ignores
/// the case of keys (`useDefault`, `usedefault`).
pub(super) fn get<'a>(t: &'a Table, key: &str) -> Option<&'a Value> {
    t.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A warning for each key of `t` that is not in `known` (compared without case).
pub(super) fn unknown_keys(t: &Table, known: &[&str], place: &str, warnings: &mut Vec<String>) {
    for k in t.keys() {
        if !known.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            warnings.push(format!(
                "{place}: `{k}` is not a gitleaks setting vigil knows; ignored"
            ));
        }
    }
}

/// Tables under `key`, whether written as one table (`[allowlist]`) or an array.
pub(super) fn tables<'a>(t: &'a Table, key: &str) -> Vec<&'a Table> {
    match get(t, key) {
        Some(Value::Table(x)) => vec![x],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_table).collect(),
        _ => Vec::new(),
    }
}

/// Typed values from the tables of one file; errors name the file.
pub(super) struct Reader<'a> {
    pub(super) path: &'a Path,
}

impl Reader<'_> {
    pub(super) fn err(&self, message: String) -> ConfigError {
        ConfigError::Parse {
            path: self.path.to_owned(),
            message,
        }
    }

    pub(super) fn string(
        &self,
        t: &Table,
        key: &str,
        place: &str,
    ) -> Result<Option<String>, ConfigError> {
        match get(t, key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.err(format!(
                "{place}: `{key}` must be a string, not {}",
                other.type_str()
            ))),
        }
    }

    pub(super) fn strings(
        &self,
        t: &Table,
        key: &str,
        place: &str,
    ) -> Result<Vec<String>, ConfigError> {
        match get(t, key) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.err(format!(
                        "{place}: `{key}` must list strings, not {}",
                        other.type_str()
                    ))),
                })
                .collect(),
            Some(other) => Err(self.err(format!(
                "{place}: `{key}` must be an array of strings, not {}",
                other.type_str()
            ))),
        }
    }

    pub(super) fn number(
        &self,
        t: &Table,
        key: &str,
        place: &str,
    ) -> Result<Option<f64>, ConfigError> {
        match get(t, key) {
            None => Ok(None),
            Some(Value::Integer(i)) => Ok(Some(*i as f64)),
            Some(Value::Float(f)) => Ok(Some(*f)),
            Some(other) => Err(self.err(format!(
                "{place}: `{key}` must be a number, not {}",
                other.type_str()
            ))),
        }
    }

    pub(super) fn boolean(
        &self,
        t: &Table,
        key: &str,
        place: &str,
    ) -> Result<Option<bool>, ConfigError> {
        match get(t, key) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(other) => Err(self.err(format!(
                "{place}: `{key}` must be true or false, not {}",
                other.type_str()
            ))),
        }
    }
}

/// The allowlists of table `t` (`allowlist`, `allowlists`), each read before any is
/// used, named `{owner} allowlist #n` in messages.
pub(super) fn read_allowlists(
    r: &Reader<'_>,
    t: &Table,
    owner: &str,
) -> Result<Vec<RawAllowlist>, ConfigError> {
    tables(t, "allowlist")
        .into_iter()
        .chain(tables(t, "allowlists"))
        .enumerate()
        .map(|(i, a)| read_allowlist(r, a, format!("{owner} allowlist #{}", i + 1)))
        .collect()
}

/// A gitleaks allowlist as written.
#[derive(Clone)]
pub(super) struct RawAllowlist {
    pub(super) place: String,
    pub(super) all: bool,
    pub(super) commits: Vec<String>,
    pub(super) paths: Vec<String>,
    pub(super) target: String,
    pub(super) regexes: Vec<String>,
    pub(super) stopwords: Vec<String>,
    pub(super) target_rules: Vec<String>,
}

fn read_allowlist(r: &Reader<'_>, t: &Table, place: String) -> Result<RawAllowlist, ConfigError> {
    let condition = r.string(t, "condition", &place)?.unwrap_or_default();
    let all = match condition.to_ascii_uppercase().as_str() {
        "AND" | "&&" => true,
        "" | "OR" | "||" => false,
        other => return Err(r.err(format!("{place}: condition {other:?} is not AND or OR"))),
    };
    let target = r
        .string(t, "regexTarget", &place)?
        .unwrap_or_else(|| "secret".into());
    if !matches!(target.as_str(), "secret" | "match" | "line") {
        return Err(r.err(format!(
            "{place}: regexTarget {target:?} is not secret, match or line"
        )));
    }
    let a = RawAllowlist {
        commits: r
            .strings(t, "commits", &place)?
            .into_iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect(),
        paths: r.strings(t, "paths", &place)?,
        regexes: r.strings(t, "regexes", &place)?,
        stopwords: r
            .strings(t, "stopwords", &place)?
            .into_iter()
            .map(|s| s.to_lowercase())
            .collect(),
        target_rules: r.strings(t, "targetRules", &place)?,
        target,
        all,
        place,
    };
    if a.commits.is_empty() && a.paths.is_empty() && a.regexes.is_empty() && a.stopwords.is_empty()
    {
        return Err(r.err(format!(
            "{}: an allowlist must contain at least one of commits, paths, regexes or stopwords",
            a.place
        )));
    }
    Ok(a)
}
