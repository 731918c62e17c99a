//! `vigil verify-artifact`: every check of a signed release, each reported on its own.
use std::{
    collections::BTreeMap,
    fs, io,
    path::{Path, PathBuf},
};

use vigil_signature::{
    dsse::{Envelope, INTOTO_PAYLOAD_TYPE},
    hex,
    intoto::ProvenanceStatement,
    minisign::{MinisignSignature, TrustedComment},
    sshkey::SshPublicKey,
    sshsig::SshSignature,
    sums::{parse_sums, SumsEntry},
    KeyId, PublicKey,
};

use super::{
    digest_files,
    provenance::{provenance_commit, provenance_repository, LOCAL_BUILDER_ID},
    PROVENANCE_NAME, SSH_NAMESPACE, SUMS_NAME,
};

/// The keys a release is checked against; at least one is needed.
#[derive(Debug, Clone, Default)]
pub struct VerifyKeys {
    pub minisign: Option<PublicKey>,
    pub ssh: Option<SshPublicKey>,
}

/// What the release must say about itself.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    pub tag: Option<String>,
    /// Full commit id, or a prefix of at least 7 hex digits.
    pub commit: Option<String>,
    pub repository: Option<String>,
    /// Exact builder id, a prefix ending in `*`, or `local`.
    pub builder: Option<String>,
    /// Seconds.
    pub max_age: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The folder holding SHA256SUMS and the artifacts.
    pub dir: PathBuf,
    /// Artifacts to check; empty: every entry of SHA256SUMS.
    pub artifacts: Vec<PathBuf>,
    pub keys: VerifyKeys,
    pub expect: Expectations,
    pub require_provenance: bool,
    /// Require `NAME.minisig` for every artifact (otherwise checked when present).
    pub require_per_file: bool,
    /// Unix time now (for `max_age`).
    pub now: u64,
    pub threads: usize,
}

pub use vigil_model::{Check, CheckStatus, VerifyReport};

use CheckStatus::{Failed, Incomplete, Malformed, Passed, Skipped};

enum Read {
    Text(String),
    Missing,
    Error(String),
}

fn read_text(path: &Path) -> Read {
    match fs::read(path) {
        Ok(b) => match String::from_utf8(b) {
            Ok(s) => Read::Text(s),
            Err(_) => Read::Error("not UTF-8 text".into()),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Read::Missing,
        Err(e) => Read::Error(e.to_string()),
    }
}

fn commit_matches(expected: &str, found: &str) -> bool {
    let (e, f) = (expected.to_ascii_lowercase(), found.to_ascii_lowercase());
    e == f || (e.len() >= 7 && e.bytes().all(|b| b.is_ascii_hexdigit()) && f.starts_with(&e))
}

fn builder_matches(expected: &str, found: &str) -> bool {
    if expected == "local" {
        return found == LOCAL_BUILDER_ID;
    }
    match expected.strip_suffix('*') {
        Some(prefix) => found.starts_with(prefix),
        None => found == expected,
    }
}

fn repository_matches(expected: &str, found: &str) -> bool {
    let e = expected.trim_end_matches('/');
    found
        .strip_prefix(e)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('@'))
}

/// Checks of a verified trusted comment: file name, tag, commit, age. Returns the problems.
fn comment_problems(
    tc: &TrustedComment,
    file: &str,
    expect: &Expectations,
    now: u64,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(f) = tc.get("file") {
        if f != file {
            problems.push(format!(
                "it names file {f:?}, but the signature is for {file:?} (renamed or swapped)"
            ));
        }
    }
    if let Some(t) = &expect.tag {
        match tc.get("tag") {
            Some(found) if found == t => {}
            Some(found) => problems.push(format!("tag is {found:?}, expected {t:?}")),
            None => problems.push(format!("it names no tag, expected {t:?}")),
        }
    }
    if let Some(c) = &expect.commit {
        match tc.get("commit") {
            Some(found) if commit_matches(c, found) => {}
            Some(found) => problems.push(format!("commit is {found}, expected {c}")),
            None => problems.push(format!("it names no commit, expected {c}")),
        }
    }
    if let Some(max) = expect.max_age {
        match tc.get("timestamp").map(str::parse::<u64>) {
            Some(Ok(ts)) => {
                if ts > now.saturating_add(300) {
                    problems.push(format!("its timestamp {ts} is in the future"));
                } else if now.saturating_sub(ts) > max {
                    problems.push(format!(
                        "expired: signed {} ago, more than the allowed {}",
                        human_age(now.saturating_sub(ts)),
                        human_age(max)
                    ));
                }
            }
            Some(Err(_)) => problems.push("its timestamp is not a number".into()),
            None => problems.push("it has no timestamp, so its age cannot be checked".into()),
        }
    }
    problems
}

fn human_age(secs: u64) -> String {
    match secs {
        s if s >= 2 * 86_400 => format!("{} days", s / 86_400),
        s if s >= 2 * 3600 => format!("{} hours", s / 3600),
        s => format!("{s} seconds"),
    }
}

/// A file name from SHA256SUMS that stays inside the release folder: relative, and no
/// empty, `.` or `..` segment.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

fn short(d: &[u8]) -> String {
    hex(d)
}

/// Runs every check. Never stops at the first failure: the report lists them all.
pub fn verify_release(opts: &VerifyOptions) -> VerifyReport {
    let mut r = VerifyReport::default();
    let dir = &opts.dir;
    let expect = &opts.expect;

    // 1. The sums file.
    let sums_text = match read_text(&dir.join(SUMS_NAME)) {
        Read::Text(t) => t,
        Read::Missing => {
            r.add(
                SUMS_NAME,
                "present",
                Failed(format!("missing from {}", dir.display())),
            );
            return r;
        }
        Read::Error(e) => {
            r.add(SUMS_NAME, "read", Incomplete(e));
            return r;
        }
    };
    let entries = match parse_sums(&sums_text) {
        Ok(e) => {
            if let Some(bad) = e.iter().find(|e| !safe_name(&e.name)) {
                r.add(
                    SUMS_NAME,
                    "format",
                    Malformed(format!("{:?} is not a plain relative file name", bad.name)),
                );
                Vec::new()
            } else {
                e
            }
        }
        Err(e) => {
            r.add(SUMS_NAME, "format", Malformed(e.to_string()));
            Vec::new()
        }
    };

    // 2. The minisign signature and its trusted comment.
    let mut comment_commit: Option<String> = None;
    let mut comment_checked = false;
    if let Some(pk) = &opts.keys.minisign {
        let name = format!("{SUMS_NAME}.minisig");
        match read_text(&dir.join(&name)) {
            Read::Missing => r.add(&name, "minisign signature", Failed("missing".into())),
            Read::Error(e) => r.add(&name, "minisign signature", Incomplete(e)),
            Read::Text(t) => match MinisignSignature::parse(&t) {
                Err(e) => r.add(&name, "minisign signature", Malformed(e.to_string())),
                Ok(sig) => match sig.verify(pk, sums_text.as_bytes()) {
                    Err(e) => r.add(&name, "minisign signature", Failed(e.to_string())),
                    Ok(()) => {
                        r.add(
                            &name,
                            "minisign signature",
                            Passed(format!("signed by key {}", pk.key_id)),
                        );
                        let tc = TrustedComment::parse(&sig.trusted_comment);
                        comment_checked = true;
                        comment_commit = tc.get("commit").map(str::to_owned);
                        let problems = comment_problems(&tc, SUMS_NAME, expect, opts.now);
                        r.add(
                            &name,
                            "trusted comment",
                            if problems.is_empty() {
                                Passed(sig.trusted_comment.replace('\t', " "))
                            } else {
                                Failed(problems.join("; "))
                            },
                        );
                    }
                },
            },
        }
    }
    if expect.max_age.is_some() && !comment_checked {
        r.add(
            SUMS_NAME,
            "age",
            Failed("the age check needs a verified minisign signature (its trusted comment holds the time)".into()),
        );
    }

    // 3. The SSH signature.
    if let Some(key) = &opts.keys.ssh {
        let name = format!("{SUMS_NAME}.sig");
        match read_text(&dir.join(&name)) {
            Read::Missing => r.add(&name, "ssh signature", Failed("missing".into())),
            Read::Error(e) => r.add(&name, "ssh signature", Incomplete(e)),
            Read::Text(t) => match SshSignature::from_armored(&t) {
                Err(e) => r.add(&name, "ssh signature", Malformed(e.to_string())),
                Ok(sig) => match sig.verify(key, SSH_NAMESPACE, sums_text.as_bytes()) {
                    Err(e) => r.add(&name, "ssh signature", Failed(e.to_string())),
                    Ok(()) => r.add(
                        &name,
                        "ssh signature",
                        Passed(format!(
                            "namespace {SSH_NAMESPACE}, {} key {}",
                            key.algorithm(),
                            key.fingerprint()
                        )),
                    ),
                },
            },
        }
    }

    // 4. The artifacts.
    let mut selected: Vec<&SumsEntry> = Vec::new();
    if opts.artifacts.is_empty() {
        selected.extend(entries.iter());
    } else {
        let abs_dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
        for a in &opts.artifacts {
            let abs = std::path::absolute(a).unwrap_or_else(|_| a.clone());
            let name = abs
                .strip_prefix(&abs_dir)
                .ok()
                .and_then(|p| p.to_str())
                .map(|s| s.replace(std::path::MAIN_SEPARATOR, "/"));
            let shown = a.display().to_string();
            match name {
                None => r.add(
                    &shown,
                    "listed",
                    Failed(format!("not inside the release folder {}", dir.display())),
                ),
                Some(n) => match entries.iter().find(|e| e.name == n) {
                    Some(e) => selected.push(e),
                    None => r.add(
                        &n,
                        "listed",
                        Failed(format!("not listed in {SUMS_NAME}: no checksum covers it")),
                    ),
                },
            }
        }
    }
    let per_file = |e: &SumsEntry| dir.join(format!("{}.minisig", e.name));
    let want_b2 = opts.keys.minisign.is_some()
        && (opts.require_per_file || selected.iter().any(|e| per_file(e).exists()));
    let paths: Vec<PathBuf> = selected.iter().map(|e| dir.join(&e.name)).collect();
    let digests = digest_files(&paths, want_b2, opts.threads);
    for (e, d) in selected.iter().zip(digests) {
        let d = match d {
            Ok(d) => d,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                r.add(
                    &e.name,
                    "sha256",
                    Failed(format!(
                        "missing: listed in {SUMS_NAME} but not found (renamed or removed?)"
                    )),
                );
                continue;
            }
            Err(err) => {
                r.add(&e.name, "sha256", Incomplete(err.to_string()));
                continue;
            }
        };
        if d.sha256 == e.sha256 {
            r.add(&e.name, "sha256", Passed(format!("{} bytes", d.size)));
        } else {
            r.add(
                &e.name,
                "sha256",
                Failed(format!(
                    "digest mismatch: the file's sha256 is {}, {SUMS_NAME} says {} (changed, or swapped with another file)",
                    short(&d.sha256),
                    short(&e.sha256)
                )),
            );
        }
        if let (Some(pk), Some(b2)) = (&opts.keys.minisign, d.blake2b) {
            let sig_name = format!("{}.minisig", e.name);
            match read_text(&per_file(e)) {
                Read::Missing if opts.require_per_file => {
                    r.add(&sig_name, "minisign signature", Failed("missing".into()));
                }
                Read::Missing => {}
                Read::Error(err) => r.add(&sig_name, "minisign signature", Incomplete(err)),
                Read::Text(t) => match MinisignSignature::parse(&t) {
                    Err(err) => r.add(&sig_name, "minisign signature", Malformed(err.to_string())),
                    Ok(sig) => match sig.verify_prehashed(pk, &b2) {
                        Err(err) => r.add(&sig_name, "minisign signature", Failed(err.to_string())),
                        Ok(()) => {
                            let base = e.name.rsplit('/').next().unwrap_or(&e.name);
                            let tc = TrustedComment::parse(&sig.trusted_comment);
                            let problems = comment_problems(&tc, base, expect, opts.now);
                            r.add(
                                &sig_name,
                                "minisign signature",
                                if problems.is_empty() {
                                    Passed(format!("signed by key {}", pk.key_id))
                                } else {
                                    Failed(format!("trusted comment: {}", problems.join("; ")))
                                },
                            );
                        }
                    },
                },
            }
        }
    }

    // 5. The provenance.
    check_provenance(
        opts,
        &entries,
        comment_commit.as_deref(),
        comment_checked,
        &mut r,
    );
    r
}

fn check_provenance(
    opts: &VerifyOptions,
    entries: &[SumsEntry],
    comment_commit: Option<&str>,
    comment_checked: bool,
    r: &mut VerifyReport,
) {
    let expect = &opts.expect;
    let needed = opts.require_provenance || expect.repository.is_some() || expect.builder.is_some();
    let name = PROVENANCE_NAME;
    let text = match read_text(&opts.dir.join(name)) {
        Read::Text(t) => t,
        Read::Missing if needed => {
            r.add(
                name,
                "provenance",
                Failed("missing, but the builder, repository or provenance is required".into()),
            );
            return;
        }
        Read::Missing => {
            r.add(
                name,
                "provenance",
                Skipped("no provenance file (not required)".into()),
            );
            if let Some(c) = &expect.commit {
                if !comment_checked {
                    r.add(
                        SUMS_NAME,
                        "source commit",
                        Failed(format!(
                            "nothing signed names the source commit (expected {c})"
                        )),
                    );
                }
            }
            return;
        }
        Read::Error(e) => {
            r.add(name, "provenance", Incomplete(e));
            return;
        }
    };
    let key = match (&opts.keys.minisign, &opts.keys.ssh) {
        (Some(pk), _) => pk.clone(),
        (None, Some(SshPublicKey::Ed25519(k))) => PublicKey {
            key_id: KeyId([0; 8]),
            key: *k,
        },
        _ => {
            r.add(
                name,
                "provenance signature",
                Failed("no Ed25519 key to check its DSSE signature with".into()),
            );
            return;
        }
    };
    let mut statements = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let at = format!("{name}:{}", i + 1);
        let env = match Envelope::from_json(line) {
            Ok(e) => e,
            Err(e) => {
                r.add(&at, "provenance signature", Malformed(e.to_string()));
                return;
            }
        };
        let payload = match env.verify(&key, INTOTO_PAYLOAD_TYPE) {
            Ok(p) => p,
            Err(e) => {
                r.add(&at, "provenance signature", Failed(format!("DSSE: {e}")));
                return;
            }
        };
        match ProvenanceStatement::from_json(&payload) {
            Ok(s) => statements.push(s),
            Err(e) => {
                r.add(&at, "provenance statement", Malformed(e.to_string()));
                return;
            }
        }
    }
    if statements.is_empty() {
        r.add(
            name,
            "provenance",
            Malformed("the file holds no envelope".into()),
        );
        return;
    }
    r.add(
        name,
        "provenance signature",
        Passed(format!("DSSE signed by key {}", key.key_id)),
    );

    // Subjects: exactly the sums entries, by name and digest.
    let mut subjects: BTreeMap<String, Option<String>> = BTreeMap::new();
    for s in &statements {
        for sub in &s.subject {
            let n = sub.name.clone().unwrap_or_default();
            subjects.insert(n, sub.digest.get("sha256").cloned());
        }
    }
    let mut problems = Vec::new();
    for e in entries {
        match subjects.get(&e.name) {
            None => problems.push(format!(
                "{} is in {SUMS_NAME} but not in the provenance",
                e.name
            )),
            Some(d) if d.as_deref() != Some(hex(&e.sha256).as_str()) => problems.push(format!(
                "{}: the provenance's sha256 is {}, {SUMS_NAME} says {}",
                e.name,
                d.as_deref().unwrap_or("missing"),
                hex(&e.sha256)
            )),
            Some(_) => {}
        }
    }
    for n in subjects.keys() {
        if !entries.iter().any(|e| &e.name == n) {
            problems.push(format!("{n} is in the provenance but not in {SUMS_NAME}"));
        }
    }
    r.add(
        name,
        "provenance subjects",
        if problems.is_empty() {
            Passed(format!("{} subjects match {SUMS_NAME}", subjects.len()))
        } else {
            Failed(problems.join("; "))
        },
    );

    let st = &statements[0];
    let commit = provenance_commit(st);
    let mut problems = Vec::new();
    if let Some(c) = &expect.commit {
        match commit {
            Some(found) if commit_matches(c, found) => {}
            Some(found) => problems.push(format!("commit is {found}, expected {c}")),
            None => problems.push(format!("it names no commit, expected {c}")),
        }
    }
    if let (Some(tc), Some(pc)) = (comment_commit, commit) {
        if !tc.eq_ignore_ascii_case(pc) {
            problems.push(format!(
                "the trusted comment says commit {tc}, the provenance says {pc}"
            ));
        }
    }
    let repo = provenance_repository(st);
    if let Some(want) = &expect.repository {
        match repo {
            Some(found) if repository_matches(want, found) => {}
            Some(found) => problems.push(format!("repository is {found}, expected {want}")),
            None => problems.push(format!("it names no repository, expected {want}")),
        }
    }
    if let Some(t) = &expect.tag {
        let ext = &st.predicate.build_definition.external_parameters;
        if let Some(found) = ext.get("tag").and_then(|v| v.as_str()) {
            if found != t {
                problems.push(format!("tag is {found:?}, expected {t:?}"));
            }
        }
    }
    r.add(
        name,
        "provenance source",
        if problems.is_empty() {
            Passed(format!(
                "{} @ {}",
                repo.unwrap_or("(no repository)"),
                commit.unwrap_or("(no commit)")
            ))
        } else {
            Failed(problems.join("; "))
        },
    );

    let builder = &st.predicate.run_details.builder.id;
    r.add(
        name,
        "provenance builder",
        match &expect.builder {
            Some(want) if !builder_matches(want, builder) => {
                Failed(format!("builder is {builder}, expected {want}"))
            }
            _ => Passed(builder.clone()),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers() {
        assert!(commit_matches("ABCDEF1", "abcdef1234"));
        assert!(!commit_matches("abc", "abcdef1234"));
        assert!(builder_matches(
            "https://x/wf.yml@*",
            "https://x/wf.yml@refs/tags/v1"
        ));
        assert!(!builder_matches(
            "https://x/wf.yml",
            "https://x/wf.yml@refs/tags/v1"
        ));
        assert!(builder_matches("local", LOCAL_BUILDER_ID));
        assert!(repository_matches(
            "https://g/a/b/",
            "https://g/a/b@refs/tags/v1"
        ));
        assert!(!repository_matches("https://g/a/b", "https://g/a/bc@x"));
        assert!(safe_name("a/b.tar.gz"));
        assert!(!safe_name("../x") && !safe_name("/etc/passwd") && !safe_name("a/./b"));
    }

    #[test]
    fn trusted_comment_checks() {
        let tc = TrustedComment::parse(
            "timestamp:1000\tfile:SHA256SUMS\ttag:v1\tcommit:abcdef12\thashed",
        );
        let mut ex = Expectations {
            tag: Some("v1".into()),
            commit: Some("abcdef12".into()),
            max_age: Some(100),
            ..Default::default()
        };
        assert!(comment_problems(&tc, SUMS_NAME, &ex, 1050).is_empty());
        let p = comment_problems(&tc, SUMS_NAME, &ex, 2000);
        assert!(p[0].contains("expired"), "{p:?}");
        ex.tag = Some("v2".into());
        let p = comment_problems(&tc, "other", &ex, 1000);
        assert!(p.iter().any(|m| m.contains("renamed")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("tag is \"v1\"")), "{p:?}");
    }
}
