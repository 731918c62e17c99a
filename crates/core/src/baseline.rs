//! Baselines: findings a team has accepted, so scans report only what is new.
//!
//! A baseline is a text file with one finding per line, sorted by fingerprint:
//!
//! ```text
//! <fingerprint> <rule> <path> [expires=YYYY-MM-DD] [# reason]
//! ```
//!
//! The fingerprint is vigil's content address of a finding (rule, SHA-256 of the
//! secret, path; see [`vigil_secrets::fingerprint`]): no line number and no timestamp,
//! so an entry survives lines moving, and two branches that accept different findings
//! add different lines. Sorted lines alone can still meet in the same place, so
//! `vigil baseline create` also marks the file `merge=union` in `.gitattributes`: git
//! then keeps the lines of both sides instead of reporting a conflict. Readers accept
//! the lines in any order and duplicates; writers sort and deduplicate.
//!
//! The path is part of the fingerprint on purpose: a secret copied or moved to another
//! file is a new exposure (that file may ship, be published or be read by other
//! people), so a renamed file's findings are reported as new until they are accepted
//! again.
//!
//! An entry with `expires=` suppresses its finding until the day before that date
//! (UTC); from that day on the finding fails the scan again.
use std::{
    fmt,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use vigil_model::Finding;

/// The file name `vigil baseline create` writes by default.
pub const BASELINE_FILE: &str = ".vigil-baseline";

const HEADER: &str = "\
# vigil baseline: accepted findings, one per line, sorted by fingerprint.
#   <fingerprint> <rule> <path> [expires=YYYY-MM-DD] [# reason]
# The fingerprint hashes rule, secret and path (no line number), so entries survive
# lines moving; a renamed file's findings are new. Write it with `vigil baseline create`,
# drop stale entries with `vigil baseline prune`.
";

/// A calendar date (UTC), as written in `expires=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking that the day exists.
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || {
            format!(
                "`{}` is not a date (expected YYYY-MM-DD, e.g. 2026-06-30)",
                vigil_model::excerpt(text)
            )
        };
        let parts: Vec<&str> = text.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(y) || !all_digits(m) || !all_digits(d) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day: u8 = d.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(format!(
                "`{}` is not a day of the calendar",
                vigil_model::excerpt(text)
            ));
        }
        Ok(Date { year, month, day })
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days(secs.div_euclid(86_400))
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 32 lowercase hex digits, as findings carry it.
    pub fingerprint: String,
    /// The rule and path the fingerprint was made from, for people reading the file.
    pub rule: String,
    pub path: String,
    /// From this day on, the finding is reported again.
    pub expires: Option<Date>,
    pub reason: Option<String>,
}

impl Entry {
    pub fn of(finding: &Finding, reason: Option<&str>, expires: Option<Date>) -> Entry {
        Entry {
            fingerprint: finding.fingerprint.clone(),
            rule: finding.rule.to_string(),
            path: finding.origin.path.clone(),
            expires,
            reason: reason.map(clean_reason).filter(|r| !r.is_empty()),
        }
    }

    /// True when the entry no longer suppresses anything on `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| today >= d)
    }

    /// The entry's line, without a newline.
    pub fn to_line(&self) -> String {
        let mut line = format!(
            "{} {} {}",
            self.fingerprint,
            self.rule,
            encode_path(&self.path)
        );
        if let Some(d) = self.expires {
            line.push_str(&format!(" expires={d}"));
        }
        if let Some(r) = &self.reason {
            line.push_str(" # ");
            line.push_str(r);
        }
        line
    }
}

fn clean_reason(r: &str) -> String {
    r.split(['\n', '\r'])
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

/// Percent-encodes what would break a line's fields: `%`, `#`, whitespace, controls.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '%' || c == '#' || c.is_whitespace() || c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn decode_path(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    format!(
                        "bad percent-escape in path `{}` (expected %XX)",
                        vigil_model::excerpt(text)
                    )
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        format!(
            "path `{}` does not decode to UTF-8",
            vigil_model::excerpt(text)
        )
    })
}

/// What is wrong with a baseline file, naming the file and line.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("baseline {0}")]
    Input(#[from] crate::input::InputError),
    #[error("cannot write baseline {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}; expected `<fingerprint> <rule> <path> [expires=YYYY-MM-DD] [# reason]`")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// A set of accepted findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: Vec<Entry>,
}

/// The findings a baseline lets through, and what it held back.
#[derive(Debug, Default)]
pub struct Applied {
    /// New findings, and findings whose entry expired; sorted as they came.
    pub findings: Vec<Finding>,
    /// How many findings the baseline suppressed.
    pub suppressed: usize,
    /// Findings reported again because their entry expired: (fingerprint, expiry).
    pub expired: Vec<(String, Date)>,
}

impl Baseline {
    pub fn new(entries: Vec<Entry>) -> Baseline {
        let mut b = Baseline { entries };
        b.normalize();
        b
    }

    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = crate::input::read_text(path)?;
        Baseline::parse(path, &text)
    }

    /// Reads `path`, or an empty baseline when it does not exist.
    pub fn load_or_empty(path: &Path) -> Result<Baseline, BaselineError> {
        if path.symlink_metadata().is_ok() {
            Baseline::load(path)
        } else {
            Ok(Baseline::default())
        }
    }

    /// Parses `text`; `path` names it in errors. Lines may come in any order (a union
    /// merge interleaves them) and repeat.
    pub fn parse(path: &Path, text: &str) -> Result<Baseline, BaselineError> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let err = |message: String| BaselineError::Parse {
                path: path.to_owned(),
                line: i + 1,
                message,
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.contains('\0') {
                return Err(err("not text (the line holds a NUL byte)".into()));
            }
            let (fields, reason) = match line.find('#') {
                Some(at) => (&line[..at], Some(line[at + 1..].trim())),
                None => (line, None),
            };
            let mut parts = fields.split_whitespace();
            let (Some(fp), Some(rule), Some(p)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(err("too few fields".into()));
            };
            if fp.len() != 32 || !fp.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                return Err(err(format!(
                    "`{}` is not a fingerprint (32 lowercase hex digits)",
                    vigil_model::excerpt(fp)
                )));
            }
            let mut expires = None;
            for extra in parts {
                match extra.split_once('=') {
                    Some(("expires", d)) => {
                        expires = Some(Date::parse(d).map_err(|m| err(format!("expires: {m}")))?);
                    }
                    _ => {
                        return Err(err(format!(
                            "unexpected field `{}`",
                            vigil_model::excerpt(extra)
                        )))
                    }
                }
            }
            entries.push(Entry {
                fingerprint: fp.to_owned(),
                rule: rule.to_owned(),
                path: decode_path(p).map_err(err)?,
                expires,
                reason: reason.filter(|r| !r.is_empty()).map(str::to_owned),
            });
        }
        Ok(Baseline::new(entries))
    }

    /// Sorts by fingerprint and keeps one entry per fingerprint: the one that lasts
    /// longest (no expiry lasts forever).
    fn normalize(&mut self) {
        self.entries.sort_by(|a, b| {
            a.fingerprint
                .cmp(&b.fingerprint)
                // Longest-lasting first: None (never expires) before any date, later dates first.
                .then_with(|| match (a.expires, b.expires) {
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, Some(_)) => std::cmp::Ordering::Less,
                    (Some(_), None) => std::cmp::Ordering::Greater,
                    (Some(x), Some(y)) => y.cmp(&x),
                })
                .then_with(|| a.reason.cmp(&b.reason))
        });
        self.entries.dedup_by(|b, a| a.fingerprint == b.fingerprint);
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, fingerprint: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.fingerprint.as_str().cmp(fingerprint))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The file's text: the header comment, then one sorted line per entry.
    pub fn to_text(&self) -> String {
        let mut out = String::from(HEADER);
        for e in &self.entries {
            out.push_str(&e.to_line());
            out.push('\n');
        }
        out
    }

    /// Writes the file (through a temporary file beside it, so a reader never sees half).
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        let write_err = |source| BaselineError::Write {
            path: path.to_owned(),
            source,
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| BASELINE_FILE.to_owned());
        let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
        std::fs::write(&tmp, self.to_text()).map_err(write_err)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            write_err(e)
        })
    }

    /// Adds `entry` unless its fingerprint is already accepted (an existing entry keeps
    /// its reason and expiry: re-running `create` never renews an expired acceptance).
    /// True when added.
    pub fn insert(&mut self, entry: Entry) -> bool {
        match self
            .entries
            .binary_search_by(|e| e.fingerprint.cmp(&entry.fingerprint))
        {
            Ok(_) => false,
            Err(at) => {
                self.entries.insert(at, entry);
                true
            }
        }
    }

    /// Lets through new findings and findings whose entry expired on or before `today`.
    pub fn apply(&self, findings: Vec<Finding>, today: Date) -> Applied {
        let mut applied = Applied::default();
        for f in findings {
            match self.get(&f.fingerprint) {
                None => applied.findings.push(f),
                Some(e) if e.is_expired(today) => {
                    if let Some(d) = e.expires {
                        applied.expired.push((f.fingerprint.clone(), d));
                    }
                    applied.findings.push(f);
                }
                Some(_) => applied.suppressed += 1,
            }
        }
        applied
    }

    /// Removes the entries that match none of `findings` and returns them.
    pub fn prune(&mut self, findings: &[Finding]) -> Vec<Entry> {
        let live: std::collections::HashSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let (keep, stale): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut self.entries)
            .into_iter()
            .partition(|e| live.contains(e.fingerprint.as_str()));
        self.entries = keep;
        stale
    }
}

/// Makes git merge `baseline` with the union driver, so two branches that each accept
/// findings never conflict: adds `/<name> merge=union` to the `.gitattributes` beside
/// it, when that file is inside a git work tree and does not say so yet. Returns the
/// `.gitattributes` written, if any.
pub fn ensure_union_merge(baseline: &Path) -> std::io::Result<Option<PathBuf>> {
    let absolute = std::path::absolute(baseline)?;
    let (Some(dir), Some(name)) = (absolute.parent(), absolute.file_name()) else {
        return Ok(None);
    };
    if !dir.ancestors().any(|d| d.join(".git").exists()) {
        return Ok(None);
    }
    let name = name.to_string_lossy();
    if name
        .chars()
        .any(|c| c.is_whitespace() || "*?[]\\\"#!".contains(c))
    {
        return Ok(None);
    }
    let attributes = dir.join(".gitattributes");
    // A repository's file: read bounded, and never written through a link out of it.
    let input_err = |e: crate::input::InputError| std::io::Error::other(e.to_string());
    crate::input::confine_found(&crate::input::folder_root(dir), &attributes).map_err(input_err)?;
    let existing = match crate::input::read_text(&attributes) {
        Ok(t) => t,
        Err(e) if e.is_missing() => String::new(),
        Err(e) => return Err(input_err(e)),
    };
    let pattern = format!("/{name}");
    let already = existing.lines().any(|l| {
        let mut words = l.split_whitespace();
        let first = words.next().unwrap_or_default();
        (first == pattern || first == name) && words.any(|w| w == "merge=union")
    });
    if already {
        return Ok(None);
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "# vigil baseline: keep both sides' entries when branches merge\n{pattern} merge=union\n"
    ));
    std::fs::write(&attributes, text)?;
    Ok(Some(attributes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP_A: &str = "0123456789abcdef0123456789abcdef";
    const FP_B: &str = "fedcba9876543210fedcba9876543210";

    fn parse(text: &str) -> Result<Baseline, BaselineError> {
        Baseline::parse(Path::new(".vigil-baseline"), text)
    }

    #[test]
    fn round_trips_sorted_with_reasons_and_expiry() {
        let text = format!(
            "{FP_B} aws-access-key-id my%20dir/a%23b.env\n{FP_A} github-pat-classic app/.env expires=2030-01-31 # rotated, SEC-12\n"
        );
        let b = parse(&text).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b.entries()[0].fingerprint, FP_A);
        assert_eq!(b.entries()[0].reason.as_deref(), Some("rotated, SEC-12"));
        assert_eq!(b.entries()[1].path, "my dir/a#b.env");
        let again = parse(&b.to_text()).unwrap();
        assert_eq!(again, b);
        let text = b.to_text();
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            body,
            vec![
                format!("{FP_A} github-pat-classic app/.env expires=2030-01-31 # rotated, SEC-12"),
                format!("{FP_B} aws-access-key-id my%20dir/a%23b.env"),
            ]
        );
    }

    #[test]
    fn duplicates_keep_the_longest_lasting_entry() {
        let text = format!(
            "{FP_A} r p expires=2020-01-01\n{FP_A} r p # forever\n{FP_A} r p expires=2040-01-01\n"
        );
        let b = parse(&text).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b.entries()[0].expires, None);
    }

    #[test]
    fn errors_name_the_line_and_the_expected_form() {
        let e = parse(&format!("# c\n{FP_A} r\n")).unwrap_err().to_string();
        assert!(
            e.contains(".vigil-baseline:2") && e.contains("<fingerprint>"),
            "{e}"
        );
        let e = parse("xyz r p\n").unwrap_err().to_string();
        assert!(e.contains("not a fingerprint"), "{e}");
        let e = parse(&format!("{FP_A} r p expires=2025-02-30\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("expires"), "{e}");
        let e = parse(&format!("{FP_A} r p colour=red\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("colour"), "{e}");
        assert!(parse(&format!("{FP_A} r bad%zz\n")).is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Ok(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2023-2-01").is_err());
        assert!(Date::parse("yesterday").is_err());
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(19_723).to_string(), "2024-01-01");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
        let e = Entry {
            fingerprint: FP_A.into(),
            rule: "r".into(),
            path: "p".into(),
            expires: Date::parse("2025-06-30").ok(),
            reason: None,
        };
        assert!(!e.is_expired(Date::parse("2025-06-29").unwrap()));
        assert!(e.is_expired(Date::parse("2025-06-30").unwrap()));
    }

    #[cfg(unix)]
    #[test]
    fn union_merge_never_writes_through_a_link_out_of_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, "keep\n").unwrap();
        std::os::unix::fs::symlink(&outside, repo.join(".gitattributes")).unwrap();
        let e = ensure_union_merge(&repo.join(".vigil-baseline")).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep\n");
        std::fs::remove_file(repo.join(".gitattributes")).unwrap();
        let written = ensure_union_merge(&repo.join(".vigil-baseline")).unwrap();
        assert_eq!(written, Some(repo.join(".gitattributes")));
    }
}
