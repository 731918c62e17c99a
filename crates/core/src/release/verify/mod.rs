//! `vigil verify-artifact`: every check of a signed release, each reported on its own.
//!
//! One part per file: `options` (what the release is checked against), `report` (the
//! checks and their status), `read` (reading its text files), `signatures` (the
//! minisign trusted comment) and `provenance` (the provenance checks).
mod options;
mod provenance;
mod read;
mod report;
mod signatures;

use std::{io, path::PathBuf};

use vigil_signature::{
    hex,
    minisign::{MinisignSignature, TrustedComment},
    sshsig::SshSignature,
    sums::{parse_sums, SumsEntry},
};

pub use options::{Expectations, VerifyKeys, VerifyOptions};
pub use report::{Check, CheckStatus, VerifyReport};

use self::{
    provenance::check_provenance,
    read::{read_text, Read},
    signatures::comment_problems,
};
use super::{digest_files, SSH_NAMESPACE, SUMS_NAME};
use CheckStatus::{Failed, Incomplete, Malformed, Passed};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        assert!(safe_name("a/b.tar.gz"));
        assert!(!safe_name("../x") && !safe_name("/etc/passwd") && !safe_name("a/./b"));
    }
}
