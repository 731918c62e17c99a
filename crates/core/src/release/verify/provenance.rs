//! The provenance: its DSSE signature, its subjects against SHA256SUMS, its source
//! and its builder.
use std::collections::BTreeMap;

use vigil_signature::{
    dsse::{Envelope, INTOTO_PAYLOAD_TYPE},
    hex,
    intoto::ProvenanceStatement,
    sshsig::SshPublicKey,
    sums::SumsEntry,
    KeyId, PublicKey,
};

use super::{
    options::{builder_matches, commit_matches, repository_matches, VerifyOptions},
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

pub(super) fn check_provenance(
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
