//! The provenance: its DSSE signature, its subjects against SHA256SUMS, its source
//! and its builder.
use std::collections::BTreeMap;

use vigil_signature::{
    dsse::{Envelope, INTOTO_PAYLOAD_TYPE},
    hex,
    intoto::ProvenanceStatement,
    minisign::TrustedComment,
    sshkey::SshPublicKey,
    sums::SumsEntry,
    KeyId, PublicKey,
};

use super::{
    options::{builder_matches, commit_matches, repository_matches, Expectations, VerifyOptions},
    read::{read_text, Read},
    report::{
        CheckStatus::{Failed, Incomplete, Malformed, Passed, Skipped},
        VerifyReport,
    },
};
use crate::release::{
    provenance::{provenance_commit, provenance_repository},
    PROVENANCE_NAME, SUMS_NAME,
};

/// Checks `provenance.intoto.jsonl`: its signature, then its subjects against the
/// SHA256SUMS `entries`, its source (against the expectations and the verified trusted
/// comment `signed`, if any) and its builder.
pub(super) fn check_provenance(
    opts: &VerifyOptions,
    entries: &[SumsEntry],
    signed: Option<&TrustedComment>,
    ssh_signer: Option<&SshPublicKey>,
    r: &mut VerifyReport,
) {
    let Some(text) = read_provenance(opts, signed.is_some(), r) else {
        return;
    };
    let ssh = opts.keys.ssh.as_ref().or(ssh_signer);
    let Some(key) = provenance_key(opts.keys.minisign.as_ref(), ssh, r) else {
        return;
    };
    let Some(statements) = verified_statements(&text, &key, r) else {
        return;
    };
    r.add(
        PROVENANCE_NAME,
        "provenance signature",
        Passed(format!("DSSE signed by key {}", key.key_id)),
    );
    check_subjects(&statements, entries, r);
    let st = &statements[0];
    let comment_commit = signed.and_then(|tc| tc.get("commit"));
    check_source(st, &opts.expect, comment_commit, r);
    check_builder(st, &opts.expect, r);
}

/// The provenance file's text. `None`, after saying why, when it is missing (a
/// failure when the builder, repository or provenance is required) or cannot be read.
fn read_provenance(
    opts: &VerifyOptions,
    comment_verified: bool,
    r: &mut VerifyReport,
) -> Option<String> {
    let expect = &opts.expect;
    let needed = opts.require_provenance || expect.repository.is_some() || expect.builder.is_some();
    let name = PROVENANCE_NAME;
    match read_text(&opts.dir.join(name)) {
        Read::Text(t) => Some(t),
        Read::Missing if needed => {
            r.add(
                name,
                "provenance",
                Failed("missing, but the builder, repository or provenance is required".into()),
            );
            None
        }
        Read::Missing => {
            r.add(
                name,
                "provenance",
                Skipped("no provenance file (not required)".into()),
            );
            check_commit_is_signed(expect, comment_verified, r);
            None
        }
        Read::Error(e) => {
            r.add(name, "provenance", Incomplete(e));
            None
        }
    }
}

/// Without a provenance, only a verified trusted comment can name the source commit:
/// a failure when a commit is expected and no trusted comment was verified.
fn check_commit_is_signed(expect: &Expectations, comment_verified: bool, r: &mut VerifyReport) {
    if let Some(c) = &expect.commit {
        if !comment_verified {
            r.add(
                SUMS_NAME,
                "source commit",
                Failed(format!(
                    "nothing signed names the source commit (expected {c})"
                )),
            );
        }
    }
}

/// The Ed25519 key the DSSE signature is checked with: the minisign key, else an
/// Ed25519 SSH key (given, or the one an allowed_signers file trusted for SHA256SUMS.sig).
/// `None`, after a failure, when there is neither.
fn provenance_key(
    minisign: Option<&PublicKey>,
    ssh: Option<&SshPublicKey>,
    r: &mut VerifyReport,
) -> Option<PublicKey> {
    match (minisign, ssh) {
        (Some(pk), _) => Some(pk.clone()),
        (None, Some(SshPublicKey::Ed25519(k))) => Some(PublicKey {
            key_id: KeyId([0; 8]),
            key: *k,
        }),
        _ => {
            r.add(
                PROVENANCE_NAME,
                "provenance signature",
                Failed("no Ed25519 key to check its DSSE signature with".into()),
            );
            None
        }
    }
}

/// The statements of the provenance's envelopes (one per non-blank line), each
/// signature verified with `key`. `None`, after saying why, at the first envelope that
/// is malformed or does not verify, or when there is none.
fn verified_statements(
    text: &str,
    key: &PublicKey,
    r: &mut VerifyReport,
) -> Option<Vec<ProvenanceStatement>> {
    let name = PROVENANCE_NAME;
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
                return None;
            }
        };
        let payload = match env.verify(key, INTOTO_PAYLOAD_TYPE) {
            Ok(p) => p,
            Err(e) => {
                r.add(&at, "provenance signature", Failed(format!("DSSE: {e}")));
                return None;
            }
        };
        match ProvenanceStatement::from_json(&payload) {
            Ok(s) => statements.push(s),
            Err(e) => {
                r.add(&at, "provenance statement", Malformed(e.to_string()));
                return None;
            }
        }
    }
    if statements.is_empty() {
        r.add(
            name,
            "provenance",
            Malformed("the file holds no envelope".into()),
        );
        return None;
    }
    Some(statements)
}

/// The subjects of all statements are exactly the SHA256SUMS `entries`, by name and
/// digest.
fn check_subjects(statements: &[ProvenanceStatement], entries: &[SumsEntry], r: &mut VerifyReport) {
    let mut subjects: BTreeMap<String, Option<String>> = BTreeMap::new();
    for s in statements {
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
        PROVENANCE_NAME,
        "provenance subjects",
        if problems.is_empty() {
            Passed(format!("{} subjects match {SUMS_NAME}", subjects.len()))
        } else {
            Failed(problems.join("; "))
        },
    );
}

/// The source statement `st` names: its commit (against the expected one and the
/// trusted comment's `comment_commit`), repository and tag.
fn check_source(
    st: &ProvenanceStatement,
    expect: &Expectations,
    comment_commit: Option<&str>,
    r: &mut VerifyReport,
) {
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
        PROVENANCE_NAME,
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
}

/// The builder statement `st` names, against the expected one.
fn check_builder(st: &ProvenanceStatement, expect: &Expectations, r: &mut VerifyReport) {
    let builder = &st.predicate.run_details.builder.id;
    r.add(
        PROVENANCE_NAME,
        "provenance builder",
        match &expect.builder {
            Some(want) if !builder_matches(want, builder) => {
                Failed(format!("builder is {builder}, expected {want}"))
            }
            _ => Passed(builder.clone()),
        },
    );
}
