//! OpenSSH's allowed_signers format (ssh-keygen(1), "ALLOWED SIGNERS") and revoked-key
//! lists, as `ssh-keygen -Y verify` reads them:
//!
//! ```text
//! # comment
//! alice@example.org,bob@* namespaces="git",valid-after="20240101" ssh-ed25519 AAAA... laptop
//! "*@example.org" cert-authority ssh-ed25519 AAAA... the team CA
//! ```
//!
//! - **principals**: a comma-separated list of patterns (`*`, `?`, `!negation`), optionally
//!   in double quotes;
//! - **options** (case-insensitive, comma-separated): `cert-authority`,
//!   `namespaces="a,b"` (patterns), `valid-after="TIME"`, `valid-before="TIME"` where TIME is
//!   `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, with an optional `Z`. OpenSSH reads a
//!   time without `Z` in the local time zone; vigil reads every time as UTC, so a policy
//!   means the same on every machine (write the `Z`);
//! - **the key** (`TYPE BASE64`), then an optional comment.
//!
//! Every error names the file and line and says what was expected.
//! [`allowed_signers_line`] writes the line that trusts one key.
use std::fmt;

use base64::{engine::general_purpose::STANDARD, Engine as _};

use vigil_model::excerpt;

use crate::sshkey::SshPublicKey;

/// A line with a NUL byte is not an allowed_signers line (and is never quoted).
const NOT_TEXT: &str = "not text (the line holds a NUL byte)";

/// One line of an allowed_signers file.
#[derive(Clone)]
pub struct SignerEntry {
    /// 1-based line number in its file.
    pub line: usize,
    /// The principal patterns, as written (comma-separated).
    pub principals: String,
    pub cert_authority: bool,
    /// Namespace patterns, if restricted.
    pub namespaces: Option<String>,
    /// Unix seconds.
    pub valid_after: Option<i64>,
    pub valid_before: Option<i64>,
    pub key: SshPublicKey,
    pub comment: String,
}

impl fmt::Debug for SignerEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SignerEntry(line {}, {}, {:?})",
            self.line, self.principals, self.key
        )
    }
}

/// A parsed allowed_signers file.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    /// What errors and verdicts call it (a path).
    pub source: String,
    pub entries: Vec<SignerEntry>,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct AllowedSignersError {
    pub source_name: String,
    pub line: usize,
    pub message: String,
}

impl AllowedSigners {
    /// Parses the whole file; the first bad line is an error (a trust policy with a line
    /// that says something other than what was meant must not half-apply).
    pub fn parse(source: &str, text: &str) -> Result<AllowedSigners, AllowedSignersError> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let err = |message: String| AllowedSignersError {
                source_name: source.to_owned(),
                line: i + 1,
                message,
            };
            let line = line.trim_matches([' ', '\t', '\r']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.contains('\0') {
                return Err(err(NOT_TEXT.into()));
            }
            entries.push(parse_line(i + 1, line).map_err(err)?);
        }
        Ok(AllowedSigners {
            source: source.to_owned(),
            entries,
        })
    }

    /// The entries that speak for `key`: lines with this key, and `cert-authority` lines
    /// whose key signed this certificate.
    pub fn candidates<'a>(
        &'a self,
        key: &'a SshPublicKey,
    ) -> impl Iterator<Item = &'a SignerEntry> + 'a {
        self.entries.iter().filter(move |e| {
            if e.cert_authority {
                matches!(key, SshPublicKey::Certificate(c) if c.signature_key == e.key)
            } else {
                !matches!(key, SshPublicKey::Certificate(_)) && e.key == *key
            }
        })
    }
}

impl SignerEntry {
    /// Whether signatures in `namespace` are allowed (no `namespaces=`: any).
    pub fn allows_namespace(&self, namespace: &str) -> bool {
        self.namespaces
            .as_deref()
            .is_none_or(|n| match_pattern_list(namespace, n) == 1)
    }

    /// Whether `principal` is one this line names (and no negated pattern excludes).
    pub fn names(&self, principal: &str) -> bool {
        match_pattern_list(principal, &self.principals) == 1
    }
}

/// Why an allowed_signers file does not let a key sign for a principal in a namespace
/// (see [`AllowedSigners::authorize`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    #[error("no line of {source_name} names principal {principal:?}")]
    PrincipalNotListed {
        source_name: String,
        principal: String,
    },
    #[error(
        "{source_name} does not list key {fingerprint} (for principal {principal:?} or any other)"
    )]
    KeyNotListed {
        source_name: String,
        principal: String,
        fingerprint: String,
    },
    #[error(
        "{source_name}:{line} trusts this key for {principals:?}, not for principal {principal:?}"
    )]
    OtherPrincipal {
        source_name: String,
        line: usize,
        principals: String,
        principal: String,
    },
    #[error("{source_name}:{line} allows this key only for namespaces {namespaces:?}, not for namespace {namespace:?}")]
    Namespace {
        source_name: String,
        line: usize,
        namespaces: String,
        namespace: String,
    },
    #[error("{source_name}:{line}: the key is valid only after {after} (valid-after, Unix time); judged at {at}")]
    NotYetValid {
        source_name: String,
        line: usize,
        after: i64,
        at: i64,
    },
    #[error("{source_name}:{line}: the key expired at {before} (valid-before, Unix time); judged at {at}")]
    Expired {
        source_name: String,
        line: usize,
        before: i64,
        at: i64,
    },
    #[error("{source_name}:{line} (cert-authority): {problem}")]
    Certificate {
        source_name: String,
        line: usize,
        problem: String,
    },
}

impl AllowedSigners {
    /// The line that lets `key` sign as `principal` in `namespace` at `at` (Unix
    /// seconds), as `ssh-keygen -Y verify -I principal -n namespace` decides: a line whose
    /// principal patterns match, whose key is `key` (or, for `cert-authority`, signed the
    /// certificate `key`, which must be valid at `at` and name `principal` exactly), and
    /// whose `namespaces=`, `valid-after=` and `valid-before=` allow it. Otherwise the
    /// most specific reason none does. The signature itself is not checked here.
    pub fn authorize<'a>(
        &'a self,
        key: &'a SshPublicKey,
        principal: &str,
        namespace: &str,
        at: i64,
    ) -> Result<&'a SignerEntry, Refusal> {
        let source_name = || self.source.clone();
        let mut first_refusal = None;
        let mut other_principal = None;
        for e in self.candidates(key) {
            if !e.names(principal) {
                other_principal.get_or_insert(e);
                continue;
            }
            match e.refusal(key, principal, namespace, at, &self.source) {
                None => return Ok(e),
                Some(r) => {
                    first_refusal.get_or_insert(r);
                }
            }
        }
        if let Some(r) = first_refusal {
            return Err(r);
        }
        if !self.entries.iter().any(|e| e.names(principal)) {
            return Err(Refusal::PrincipalNotListed {
                source_name: source_name(),
                principal: principal.to_owned(),
            });
        }
        if let Some(e) = other_principal {
            return Err(Refusal::OtherPrincipal {
                source_name: source_name(),
                line: e.line,
                principals: e.principals.clone(),
                principal: principal.to_owned(),
            });
        }
        Err(Refusal::KeyNotListed {
            source_name: source_name(),
            principal: principal.to_owned(),
            fingerprint: key.fingerprint(),
        })
    }
}

impl SignerEntry {
    /// Why this line (which speaks for `key` and names `principal`) does not allow a
    /// signature in `namespace` at `at`; `source` names the file.
    fn refusal(
        &self,
        key: &SshPublicKey,
        principal: &str,
        namespace: &str,
        at: i64,
        source: &str,
    ) -> Option<Refusal> {
        let (source_name, line) = (source.to_owned(), self.line);
        if !self.allows_namespace(namespace) {
            return Some(Refusal::Namespace {
                source_name,
                line,
                namespaces: self.namespaces.clone().unwrap_or_default(),
                namespace: namespace.to_owned(),
            });
        }
        if let SshPublicKey::Certificate(c) = key {
            let problem = c.problem_at(at).or_else(|| {
                (!c.principals.iter().any(|p| p == principal)).then(|| {
                    format!(
                        "the certificate is for {:?}, not for principal {principal:?}",
                        c.principals
                    )
                })
            });
            if let Some(problem) = problem {
                return Some(Refusal::Certificate {
                    source_name,
                    line,
                    problem,
                });
            }
        }
        if let Some(after) = self.valid_after.filter(|t| at < *t) {
            return Some(Refusal::NotYetValid {
                source_name,
                line,
                after,
                at,
            });
        }
        if let Some(before) = self.valid_before.filter(|t| at >= *t) {
            return Some(Refusal::Expired {
                source_name,
                line,
                before,
                at,
            });
        }
        None
    }
}

/// The `allowed_signers` line for a key: `IDENTITY namespaces="file" ssh-ed25519 AAAA...`.
pub fn allowed_signers_line(identity: &str, namespaces: &str, key: &SshPublicKey) -> String {
    format!(
        "{identity} namespaces=\"{namespaces}\" {}",
        key.to_openssh("")
    )
}

/// Takes one whitespace-delimited word, or a double-quoted string (without its quotes).
fn word(s: &str) -> Result<(&str, &str), String> {
    let s = s.trim_start_matches([' ', '\t']);
    if let Some(rest) = s.strip_prefix('"') {
        let end = rest
            .find('"')
            .ok_or("the principals' opening quote is never closed")?;
        return Ok((&rest[..end], &rest[end + 1..]));
    }
    let end = s.find([' ', '\t']).unwrap_or(s.len());
    Ok((&s[..end], &s[end..]))
}

/// The options text: up to the first space or tab outside double quotes.
fn options_word(s: &str) -> Result<(&str, &str), String> {
    let mut quoted = false;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted && bytes.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            b' ' | b'\t' if !quoted => return Ok((&s[..i], &s[i..])),
            _ => {}
        }
        i += 1;
    }
    if quoted {
        return Err("an option's quote is never closed".into());
    }
    Ok((s, ""))
}

/// Reads `KEYTYPE BASE64 [comment]`; `None` if the text does not start with a key.
fn key(s: &str) -> Option<Result<(SshPublicKey, String), String>> {
    let s = s.trim_start_matches([' ', '\t']);
    let (ty, rest) = s.split_once([' ', '\t'])?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let (b64, comment) = rest.split_once([' ', '\t']).unwrap_or((rest, ""));
    // A key type has no `=` or `"`; options do.
    if ty.contains(['=', '"', ',']) || !ty.chars().all(|c| c.is_ascii_graphic()) {
        return None;
    }
    let looks_like_key = ["ssh-", "ecdsa-", "sk-"].iter().any(|p| ty.starts_with(p));
    let blob = match STANDARD.decode(b64) {
        Ok(b) => b,
        Err(e) if looks_like_key => {
            return Some(Err(format!(
                "the {} key is not valid base64 ({e})",
                excerpt(ty)
            )))
        }
        Err(_) => return None,
    };
    Some(
        SshPublicKey::from_blob(&blob)
            .map_err(|e| format!("the {} key: {e}", excerpt(ty)))
            .and_then(|k| {
                if k.algorithm() == ty {
                    Ok((k, comment.trim().to_owned()))
                } else {
                    Err(format!(
                        "the line says `{}` but the key inside is `{}`",
                        excerpt(ty),
                        k.algorithm()
                    ))
                }
            }),
    )
}

fn parse_line(_n: usize, line: &str) -> Result<SignerEntry, String> {
    let (principals, rest) = word(line)?;
    if principals.is_empty() {
        return Err("expected principals, then options (optional), then a public key".into());
    }
    if rest.trim().is_empty() {
        return Err(format!(
            "expected a public key after the principals `{}`",
            excerpt(principals)
        ));
    }
    let mut entry = SignerEntry {
        line: _n,
        principals: principals.to_owned(),
        cert_authority: false,
        namespaces: None,
        valid_after: None,
        valid_before: None,
        key: SshPublicKey::Other {
            algorithm: String::new(),
            blob: Vec::new(),
        },
        comment: String::new(),
    };
    let (key_found, comment) = match key(rest) {
        Some(found) => found?,
        None => {
            let (opts, after) = options_word(rest.trim_start_matches([' ', '\t']))?;
            parse_options(opts, &mut entry)?;
            match key(after) {
                Some(found) => found?,
                None if after.trim().is_empty() => {
                    return Err(
                        "expected a public key (`ssh-ed25519 AAAA...`) after the options".into(),
                    )
                }
                None => {
                    return Err(format!(
                        "expected a public key (`TYPE BASE64`), found `{}`",
                        excerpt(after.trim())
                    ))
                }
            }
        }
    };
    entry.key = key_found;
    entry.comment = comment;
    Ok(entry)
}

fn parse_options(opts: &str, entry: &mut SignerEntry) -> Result<(), String> {
    let mut rest = opts;
    while !rest.is_empty() {
        let lower = rest.to_ascii_lowercase();
        if lower.starts_with("cert-authority")
            && matches!(rest.as_bytes().get(14), None | Some(b','))
        {
            entry.cert_authority = true;
            rest = &rest[14..];
        } else if let Some((name, value, after)) = quoted_option(rest, &lower)? {
            match name {
                "namespaces" => {
                    if entry.namespaces.is_some() {
                        return Err("more than one `namespaces=` option".into());
                    }
                    entry.namespaces = Some(value);
                }
                "valid-after" | "valid-before" => {
                    let t = parse_time(&value).ok_or_else(|| {
                        format!(
                            "{name}=\"{}\": expected YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, optionally followed by Z",
                            excerpt(&value)
                        )
                    })?;
                    let slot = if name == "valid-after" {
                        &mut entry.valid_after
                    } else {
                        &mut entry.valid_before
                    };
                    if slot.is_some() {
                        return Err(format!("more than one `{name}=` option"));
                    }
                    *slot = Some(t);
                }
                _ => unreachable_option(name)?,
            }
            rest = after;
        } else {
            let name = rest.split([',', '=']).next().unwrap_or(rest);
            return Err(format!(
                "unknown option `{}` (expected cert-authority, namespaces=\"...\", valid-after=\"...\" or valid-before=\"...\")",
                excerpt(name)
            ));
        }
        if rest.is_empty() {
            break;
        }
        rest = rest
            .strip_prefix(',')
            .ok_or_else(|| format!("expected `,` between options, found `{}`", excerpt(rest)))?;
        if rest.is_empty() {
            return Err("the options end with a `,`".into());
        }
    }
    if let (Some(a), Some(b)) = (entry.valid_after, entry.valid_before) {
        if b <= a {
            return Err("valid-before is not after valid-after".into());
        }
    }
    Ok(())
}

fn unreachable_option(name: &str) -> Result<(), String> {
    Err(format!("unknown option `{}`", excerpt(name)))
}

/// `name="value"` for the known names; the value's `\"` unescaped.
fn quoted_option<'a>(
    rest: &'a str,
    lower: &str,
) -> Result<Option<(&'static str, String, &'a str)>, String> {
    for name in ["namespaces", "valid-after", "valid-before"] {
        if lower.starts_with(name) && rest.as_bytes().get(name.len()) == Some(&b'=') {
            let v = &rest[name.len() + 1..];
            let v = v
                .strip_prefix('"')
                .ok_or_else(|| format!("{name}=: the value must be in double quotes"))?;
            let mut value = String::new();
            let mut chars = v.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' if v[i + 1..].starts_with('"') => {
                        value.push('"');
                        chars.next();
                    }
                    '"' => return Ok(Some((name, value, &v[i + 1..]))),
                    c => value.push(c),
                }
            }
            return Err(format!("{name}=: the closing quote is missing"));
        }
    }
    Ok(None)
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optional trailing `Z`: Unix seconds (UTC).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if !matches!(s.len(), 8 | 12 | 14) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<i64>().ok());
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = match s.len() {
        8 => (0, 0, 0),
        12 => (num(8..10)?, num(10..12)?, 0),
        _ => (num(8..10)?, num(10..12)?, num(12..14)?),
    };
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// OpenSSH's `match_pattern`: `*` any run, `?` any one character; whole-string match.
pub fn match_pattern(s: &str, pattern: &str) -> bool {
    let (s, p): (Vec<char>, Vec<char>) = (s.chars().collect(), pattern.chars().collect());
    let (mut i, mut j) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while i < s.len() {
        if j < p.len() && (p[j] == '?' || p[j] == s[i]) {
            i += 1;
            j += 1;
        } else if j < p.len() && p[j] == '*' {
            star = Some(j);
            mark = i;
            j += 1;
        } else if let Some(st) = star {
            j = st + 1;
            mark += 1;
            i = mark;
        } else {
            return false;
        }
    }
    while j < p.len() && p[j] == '*' {
        j += 1;
    }
    j == p.len()
}

/// OpenSSH's `match_pattern_list`: 1 if a pattern of the comma-separated list matches
/// and no negated (`!`) one does, -1 if a negated one matches, 0 otherwise.
pub fn match_pattern_list(s: &str, list: &str) -> i32 {
    let mut got = 0;
    for pat in list.split(',') {
        let pat = pat.trim();
        if let Some(neg) = pat.strip_prefix('!') {
            if match_pattern(s, neg) {
                return -1;
            }
        } else if match_pattern(s, pat) {
            got = 1;
        }
    }
    got
}

/// A list of revoked keys: one public key per line (`TYPE BASE64 [comment]`), `#`
/// comments and blank lines allowed (the text form `ssh-keygen -r` reads). A binary KRL
/// is refused with a message saying so.
#[derive(Debug, Clone, Default)]
pub struct RevokedKeys {
    pub source: String,
    pub keys: Vec<SshPublicKey>,
}

impl RevokedKeys {
    pub fn parse(source: &str, bytes: &[u8]) -> Result<RevokedKeys, AllowedSignersError> {
        let err = |line: usize, message: String| AllowedSignersError {
            source_name: source.to_owned(),
            line,
            message,
        };
        if bytes.starts_with(b"SSHKRL\n") {
            return Err(err(
                1,
                "a binary KRL; list the revoked public keys one per line instead".into(),
            ));
        }
        let text =
            std::str::from_utf8(bytes).map_err(|e| err(1, format!("not UTF-8 text ({e})")))?;
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.contains('\0') {
                return Err(err(i + 1, NOT_TEXT.into()));
            }
            match key(line) {
                Some(Ok((k, _))) => keys.push(k),
                Some(Err(m)) => return Err(err(i + 1, m)),
                None => {
                    return Err(err(
                        i + 1,
                        "expected a public key (`TYPE BASE64 [comment]`)".into(),
                    ))
                }
            }
        }
        Ok(RevokedKeys {
            source: source.to_owned(),
            keys,
        })
    }

    /// Whether `key` is revoked: the key itself, or (for a certificate) its CA.
    pub fn is_revoked(&self, key: &SshPublicKey) -> bool {
        self.keys.iter().any(|k| {
            k == key
                || k == key.plain()
                || matches!(key, SshPublicKey::Certificate(c) if c.signature_key == *k)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII4qGrJ74eTnTBHMrZZfDKV/Fu8CwS2xvHH388l2mdHr";

    fn one(line: &str) -> SignerEntry {
        AllowedSigners::parse("as", line)
            .unwrap_or_else(|e| panic!("{line}: {e}"))
            .entries
            .remove(0)
    }

    fn error(text: &str) -> String {
        AllowedSigners::parse("signers", text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn lines_with_and_without_options() {
        let e = one(&format!("alice@x {KEY} laptop key"));
        assert_eq!(e.principals, "alice@x");
        assert_eq!(e.comment, "laptop key");
        assert!(!e.cert_authority && e.namespaces.is_none());
        let e = one(&format!(
            "a@x,b@* NameSpaces=\"git,file\",valid-after=\"20240101\",VALID-BEFORE=\"20250102030405Z\" {KEY}"
        ));
        assert_eq!(e.namespaces.as_deref(), Some("git,file"));
        assert_eq!(e.valid_after, Some(1_704_067_200));
        assert_eq!(e.valid_before, Some(1_735_787_045));
        assert!(e.allows_namespace("git") && !e.allows_namespace("file2"));
        assert!(e.names("a@x") && e.names("b@y") && !e.names("c@x"));
        let e = one(&format!(
            "\"*@example.org,!mallory@example.org\" cert-authority {KEY}"
        ));
        assert!(e.cert_authority);
        assert!(e.names("dev@example.org") && !e.names("mallory@example.org"));
        let text = format!("# comment\n\n   \t\nalice@x {KEY}\r\n");
        assert_eq!(
            AllowedSigners::parse("as", &text).unwrap().entries[0].line,
            4
        );
    }

    #[test]
    fn line_for_a_key() {
        let (k, _) = SshPublicKey::from_openssh(KEY).unwrap();
        let line = allowed_signers_line("rel@example.org", "file", &k);
        assert_eq!(line, format!("rel@example.org namespaces=\"file\" {KEY}"));
        let e = one(&line);
        assert!(e.names("rel@example.org") && e.allows_namespace("file") && e.key == k);
    }

    #[test]
    fn authorize_as_ssh_keygen_verify() {
        let (k, _) = SshPublicKey::from_openssh(KEY).unwrap();
        let other =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDZjloy+I9tRbHuhrMVPzBDirDXLJ/ZJCFQxmm3gh1uM";
        let file = |text: &str| AllowedSigners::parse("as", text).unwrap();
        let refusal = |text: &str, who: &str| {
            file(text)
                .authorize(&k, who, "file", 1_700_000_000)
                .unwrap_err()
                .to_string()
        };
        let f = file(&format!(
            "*@x,!bad@x {KEY}\nrel@x namespaces=\"file\" {KEY}"
        ));
        assert_eq!(f.authorize(&k, "a@x", "file", 0).unwrap().line, 1);
        assert_eq!(f.authorize(&k, "rel@x", "git", 0).unwrap().line, 1);
        let m = refusal(&format!("*@x,!bad@x {KEY}"), "bad@x");
        assert_eq!(m, "no line of as names principal \"bad@x\"");
        let m = refusal(&format!("*@x,!bad@x {KEY}\nbad@x {other}"), "bad@x");
        assert!(m.contains("as:1 trusts this key for \"*@x,!bad@x\""), "{m}");
        let m = refusal(&format!("rel@x namespaces=\"git\" {KEY}"), "rel@x");
        assert!(
            m.contains("only for namespaces \"git\", not for namespace \"file\""),
            "{m}"
        );
        let m = refusal(&format!("rel@x valid-before=\"20200101Z\" {KEY}"), "rel@x");
        assert!(m.contains("as:1: the key expired at 1577836800"), "{m}");
        let m = refusal(&format!("rel@x valid-after=\"20990101Z\" {KEY}"), "rel@x");
        assert!(m.contains("valid only after"), "{m}");
        let m = refusal(&format!("rel@x {other}"), "rel@x");
        assert!(m.contains("does not list key SHA256:"), "{m}");
        let m = refusal(&format!("rel@x {KEY}"), "someone@x");
        assert_eq!(m, "no line of as names principal \"someone@x\"");
        // one line that allows it is enough, whatever the others say
        let text = format!("rel@x namespaces=\"git\" {KEY}\nrel@x {KEY}");
        assert_eq!(
            file(&text).authorize(&k, "rel@x", "file", 0).unwrap().line,
            2
        );
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let m = error(&format!("# ok\nalice@x\n{KEY}"));
        assert!(
            m.starts_with("signers:2: ") && m.contains("public key"),
            "{m}"
        );
        let m = error(&format!("alice@x bogus=\"1\" {KEY}"));
        assert!(
            m.contains("signers:1") && m.contains("unknown option `bogus`"),
            "{m}"
        );
        let m = error(&format!("alice@x valid-after=\"2024\" {KEY}"));
        assert!(m.contains("YYYYMMDD"), "{m}");
        let m = error(&format!(
            "alice@x valid-after=\"20240101\",valid-before=\"20230101\" {KEY}"
        ));
        assert!(m.contains("not after"), "{m}");
        let m = error("alice@x namespaces=\"git ssh-ed25519 AAAA");
        assert!(m.contains("quote"), "{m}");
        let m = error("\"alice@x ssh-ed25519 AAAA");
        assert!(m.contains("quote"), "{m}");
        let m = error("alice@x ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII4qGrJ74eTnTBHMrZZfDKV");
        assert!(m.contains("public key") || m.contains("key"), "{m}");
        let m = error(&format!(
            "alice@x namespaces=\"git\",namespaces=\"file\" {KEY}"
        ));
        assert!(m.contains("more than one"), "{m}");
        let m = error(&format!("alice@x cert-authority, {KEY}"));
        assert!(m.contains(","), "{m}");
        // never a panic, whatever the line
        for junk in [
            "\"",
            "a \"",
            "a b=\"",
            "a ,",
            "a =",
            "\u{feff}x y z",
            "a cert-authorityx k",
        ] {
            let _ = AllowedSigners::parse("j", junk);
        }
    }

    #[test]
    fn errors_quote_only_a_short_redacted_excerpt() {
        let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let environ = format!("SHELL=/bin/bash\0TOKEN={token}\0HOME=/root\0");
        let m = error(&environ);
        assert!(
            m.contains("NUL") && !m.contains("TOKEN") && !m.contains("SHELL"),
            "{m}"
        );
        let m = RevokedKeys::parse("rev", environ.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(m.contains("NUL") && !m.contains("TOKEN"), "{m}");
        let m = error(&format!("TOKEN={token}"));
        assert!(!m.contains(token) && m.contains("TOKEN=ghp_…"), "{m}");
        let m = error(&format!("{}\u{1b}[2J", "p".repeat(200)));
        assert!(m.len() < 250 && !m.contains('\u{1b}'), "{m}");
    }

    #[test]
    fn times_and_patterns() {
        assert_eq!(parse_time("19700101"), Some(0));
        assert_eq!(parse_time("19700101000001Z"), Some(1));
        assert_eq!(parse_time("202402290000"), Some(1_709_164_800));
        assert_eq!(parse_time("20230229"), None);
        assert_eq!(parse_time("20231301"), None);
        assert_eq!(parse_time("2023010"), None);
        assert!(match_pattern("alice@example.org", "*@example.org"));
        assert!(match_pattern("a", "?"));
        assert!(!match_pattern("ab", "?"));
        assert!(match_pattern("", "*"));
        assert!(!match_pattern("x@y", "x@"));
        assert_eq!(match_pattern_list("m@x", "*@x,!m@x"), -1);
        assert_eq!(match_pattern_list("n@x", "*@x,!m@x"), 1);
        assert_eq!(match_pattern_list("n@y", "*@x"), 0);
    }

    #[test]
    fn revoked_keys() {
        let r = RevokedKeys::parse("rev", format!("# revoked\n{KEY} old\n").as_bytes()).unwrap();
        let (k, _) = SshPublicKey::from_openssh(KEY).unwrap();
        assert!(r.is_revoked(&k));
        let e = RevokedKeys::parse("rev", b"SSHKRL\n\0\0")
            .unwrap_err()
            .to_string();
        assert!(e.contains("rev:1") && e.contains("KRL"), "{e}");
        let e = RevokedKeys::parse("rev", b"\n\ngarbage\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("rev:3"), "{e}");
    }
}
