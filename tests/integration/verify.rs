//! `vigil verify` against git itself, on repositories signed by the real ssh-keygen and
//! gpg (fixtures/verify/build.sh), plus security-key signatures built here from
//! OpenSSH's PROTOCOL.u2f.
//!
//! For every object the test records git's own `%G?` and `git verify-commit` (or
//! `git verify-tag`) result beside vigil's verdict. They must agree wherever git is
//! right: when git fails an object vigil fails it too, and when git passes one vigil
//! passes it, except in the cases named in `CASES` with the reason vigil is stricter.
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::Command,
};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use serde_json::Value;

use crate::harness::*;

pub(crate) fn build(scenario: &str) -> (tempfile::TempDir, PathBuf) {
    build_fixture("verify", scenario)
}

/// The fixture built with `git init --object-format=FORMAT` (sha1 or sha256).
fn build_in(scenario: &str, format: &str) -> (tempfile::TempDir, PathBuf) {
    build_fixture_with("verify", scenario, &[("VIGIL_OBJECT_FORMAT", format)])
}

/// git, isolated from ambient configuration, verifying with the fixture's trust material.
pub(crate) fn git(dir: &Path, repo: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", dir.join("trust/verify.gitconfig"))
        .env("GNUPGHOME", dir.join("trust/gnupg-verify"))
        .env("HOME", dir.join("home"));
    c
}

/// What git says: `%G?` (commits; `die` when git log dies on it) and whether
/// `git verify-commit` / `git verify-tag` succeeds.
fn git_says(dir: &Path, repo: &Path, kind: &str, name: &str) -> (String, bool) {
    if kind == "tag" {
        let ok = git(dir, repo)
            .args(["verify-tag", &format!("t-{name}")])
            .output()
            .unwrap()
            .status
            .success();
        return ("-".into(), ok);
    }
    let r = format!("c-{name}");
    let log = git(dir, repo)
        .args(["log", "-1", "--format=%G?", &r])
        .output()
        .unwrap();
    let g = if log.status.success() {
        String::from_utf8_lossy(&log.stdout).trim().to_owned()
    } else {
        "die".to_owned()
    };
    let ok = git(dir, repo)
        .args(["verify-commit", &r])
        .output()
        .unwrap()
        .status
        .success();
    (if g.is_empty() { "(none)".into() } else { g }, ok)
}

struct Case {
    name: &'static str,
    /// git's `%G?` (`-` for tags, `die` when git log dies); `a|b` accepts either.
    git_g: &'static str,
    /// Whether `git verify-commit` / `git verify-tag` succeeds.
    git_ok: bool,
    vigil: &'static str,
    /// Why vigil fails what git passes.
    stricter: Option<&'static str>,
}

const fn c(name: &'static str, git_g: &'static str, git_ok: bool, vigil: &'static str) -> Case {
    Case {
        name,
        git_g,
        git_ok,
        vigil,
        stricter: None,
    }
}

const fn s(
    name: &'static str,
    git_g: &'static str,
    vigil: &'static str,
    why: &'static str,
) -> Case {
    Case {
        name,
        git_g,
        git_ok: true,
        vigil,
        stricter: Some(why),
    }
}

const CASES: &[Case] = &[
    c("unsigned-root", "N", false, "unsigned"),
    c("ssh-ed25519", "G", true, "good"),
    c("ssh-rsa", "G", true, "good"),
    c("ssh-ecdsa-p256", "G", true, "good"),
    c("ssh-ecdsa-p384", "G", true, "good"),
    c("ssh-ecdsa-p521", "G", true, "good"),
    c("ssh-certificate", "G", true, "good"),
    s("ssh-certificate-expired-backdated", "G", "expired-key",
      "the certificate expired before the time of verification; git checks it at the committer date"),
    s("ssh-certificate-other-principal", "G", "signer-mismatch",
      "the certificate names ada@example.com, the committer is frank@example.com: git does not compare them"),
    c("ssh-untrusted", "U", false, "untrusted-key"),
    s("ssh-expired-backdated", "G", "expired-key",
      "git judges valid-before at the committer date, which the signer chose; vigil at the time of verification"),
    c("ssh-revoked", "B", false, "revoked-key"),
    s("ssh-signer-mismatch", "G", "signer-mismatch",
      "the key is trusted for bob@example.com, the committer is ada@example.com: git does not compare them"),
    c("ssh-expired-dated", "U", false, "expired-key"),
    c("ssh-wrong-namespace", "B", false, "wrong-namespace"),
    c("ssh-namespace-not-allowed", "B", false, "untrusted-key"),
    c("ssh-tampered", "B", false, "bad-signature"),
    c("ssh-replayed", "B", false, "bad-signature"),
    s("ssh-malleated", "G", "bad-signature",
      "a non-canonical Ed25519 signature (S + L, made from a valid one without the key): OpenSSH checks only S's top bits"),
    s("ssh-extra-sha256-header", "G", "malformed",
      "an unknown gpgsig-sha256 header in a SHA-1 repository: git silently drops it from what it verifies"),
    s("ssh-extra-sha1-header", "G", "malformed",
      "an unknown gpgsig header in a SHA-256 repository: git silently drops it from what it verifies"),
    s("ssh-two-signatures", "G", "malformed",
      "two gpgsig headers: git concatenates them and ssh-keygen reads the first; vigil accepts exactly one signature"),
    c("malformed-garbage", "die", false, "malformed"),
    // A cut-short armor or an unknown SSHSIG version: git says B on most runs and
    // dies on some (both seen in CI), likely when ssh-keygen rejects the signature
    // and exits before git has written the payload to it (a broken pipe). Either way
    // git fails the commit.
    c("malformed-truncated", "B|die", false, "malformed"),
    c("malformed-version", "B|die", false, "malformed"),
    c("side-work", "G", true, "good"),
    c("merge", "G", true, "good"),
    c("pgp-ed25519", "U", true, "good"),
    c("pgp-rsa-subkey", "U", true, "good"),
    c("pgp-expired", "Y", false, "expired-key"),
    c("pgp-revoked", "R", false, "revoked-key"),
    c("pgp-untrusted", "E", false, "untrusted-key"),
    s("pgp-signer-mismatch", "U", "signer-mismatch",
      "signed with Ada's key, committed as bob@example.com: git does not compare the committer with the key's user IDs"),
    c("pgp-tampered", "B", false, "bad-signature"),
    c("ssh-tag", "-", true, "good"),
    c("ssh-tag-untrusted", "-", false, "untrusted-key"),
    s("ssh-tag-signer-mismatch", "-", "signer-mismatch",
      "the tagger is ada@example.com, the key is trusted for bob@example.com: git does not compare them"),
    c("pgp-tag", "-", true, "good"),
    c("unsigned-tag", "-", false, "unsigned"),
    c("tag-tampered", "-", false, "bad-signature"),
];

fn trust_args(dir: &Path) -> Vec<String> {
    let t = dir.join("trust");
    vec![
        "--allowed-signers".into(),
        t.join("allowed_signers").display().to_string(),
        "--revoked-keys".into(),
        t.join("revoked_keys").display().to_string(),
        "--keyring".into(),
        t.join("keyring.asc").display().to_string(),
    ]
}

pub(crate) fn verdicts(r: &Run) -> HashMap<String, Value> {
    r.json()["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let key = v["commit"]
                .as_str()
                .or_else(|| v["ref"].as_str())
                .unwrap()
                .to_owned();
            (key, v.clone())
        })
        .collect()
}

/// Whether the fixture builds `case` in a repository of `format`: the extra signature
/// header is the one that is not the format's own.
fn built_in(case: &Case, format: &str) -> bool {
    !matches!(
        (format, case.name),
        ("sha1", "ssh-extra-sha1-header") | ("sha256", "ssh-extra-sha256-header")
    )
}

/// `vigil verify ARGS` in `repo` with the fixture's trust material, and the whole
/// argument list it ran with.
pub(crate) fn verify_trusted(dir: &Path, repo: &Path, args: &[&str]) -> (Vec<String>, Run) {
    let mut all: Vec<String> = std::iter::once("verify")
        .chain(args.iter().copied())
        .map(String::from)
        .collect();
    all.extend(trust_args(dir));
    let r = run_in(repo, &all.iter().map(String::as_str).collect::<Vec<_>>());
    (all, r)
}

#[test]
fn differential_against_git() {
    differential("sha1");
}

/// The same cases in a SHA-256 repository: git signs commits in `gpgsig-sha256`, and
/// git and vigil give the same verdicts as in a SHA-1 repository.
#[test]
fn differential_against_git_in_a_sha256_repository() {
    differential("sha256");
}

fn differential(format: &str) {
    let (_t, dir) = build_in("cases", format);
    let repo = dir.join("repo");
    let id_len = if format == "sha256" { 64 } else { 40 };
    assert_eq!(rev(&repo, "HEAD").len(), id_len, "{format}");
    let (args, r) = verify_trusted(&dir, &repo, &["--all", "--tags", "--format", "json"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let found = verdicts(&r);
    compare_with_git(&dir, &repo, &found, CASES, format);
    // One malformed object does not hide the others: `git log --format=%G?` dies at the
    // garbage signature; vigil judged every commit.
    let log = git(&dir, &repo)
        .args(["log", "--all", "--format=%H %G?"])
        .output()
        .unwrap();
    assert!(!log.status.success());
    let listed = String::from_utf8_lossy(&log.stdout).lines().count();
    let commits = rev_list_count(&repo);
    assert!(listed < commits, "git log listed {listed} of {commits}");
    let json = r.json();
    let judged: Vec<&str> = json["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["commit"].as_str())
        .collect();
    assert_eq!(judged.len(), commits);
    // Ids are shown whole, in the repository's format.
    assert!(judged.iter().all(|id| id.len() == id_len), "{judged:?}");

    // The human report names each failing object and its reason; exit 1.
    let mut human = args.clone();
    human.retain(|a| *a != "json" && *a != "--format");
    let h = run_in(&repo, &human);
    assert_eq!(h.code, 1);
    assert!(
        h.stdout.contains(": malformed") && h.stdout.contains("reason:"),
        "{}",
        h.stdout
    );
    assert!(h.stderr.contains("failed"), "{}", h.stderr);
}

/// Each the same signature in another shape a third party can give it without the key
/// (a new commit id for the same signed commit), beside git's verdict.
const CANON_CASES: &[Case] = &[
    c("ssh-canonical", "G", true, "good"),
    // git fails these; whether `git log` says B or dies depends on the signature's bytes
    // (a fresh key each run): seen both ways in CI.
    c("ssh-armor-cr-begin", "B|die", false, "malformed"),
    c("ssh-armor-cr-all", "B|die", false, "malformed"),
    s("ssh-armor-cr-body", "G", "malformed", CANON_WHY),
    s("ssh-armor-cr-end", "G", "malformed", CANON_WHY),
    s("ssh-armor-space-end", "G", "malformed", CANON_WHY),
    s("ssh-armor-space-body", "G", "malformed", CANON_WHY),
    s("ssh-armor-blank-line", "G", "malformed", CANON_WHY),
    s("ssh-armor-bytes-after-end", "G", "malformed", CANON_WHY),
    s("ssh-armor-line-after-end", "G", "malformed", CANON_WHY),
    c("ssh-armor-bytes-after-base64", "B", false, "malformed"),
    s("ssh-armor-ragged", "G", "malformed",
      "base64 lines of different widths: no signer wraps so, and any width change is a new commit id"),
    // Real signers wrap at other widths: accepted.
    c("ssh-armor-wrap64", "G", true, "good"),
    c("ssh-armor-wrap76", "G", true, "good"),
    c("ssh-armor-one-line", "G", true, "good"),
    c("pgp-canonical", "U", true, "good"),
    s("pgp-armor-cr-all", "U", "malformed", CANON_WHY),
    s("pgp-armor-cr-body", "U", "malformed", CANON_WHY),
    s("pgp-armor-space-end", "U", "malformed", CANON_WHY),
    s("pgp-armor-bytes-after-end", "U", "malformed", CANON_WHY),
    s("pgp-armor-line-after-end", "U", "malformed", CANON_WHY),
    s("pgp-armor-blank-line", "U", "malformed", CANON_WHY),
    s("pgp-armor-blank-space", "U", "malformed", CANON_WHY),
    // The headers gpg and other signers write: accepted.
    c("pgp-armor-header-Comment", "U", true, "good"),
    c("pgp-armor-header-Version", "U", true, "good"),
    s("pgp-armor-header-X-Note", "U", "malformed",
      "an armor header no standard defines: gpg ignores it, so anyone can add one"),
    c("pgp-armor-no-crc", "U", true, "good"),
    c("pgp-armor-bad-crc", "N", false, "malformed"),
    c("pgp-armor-wrap76", "U", true, "good"),
    c("pgp-armor-one-line", "U", true, "good"),
    // More than one signature packet: git says E (gpg reports several), vigil malformed
    // whatever their order.
    c("pgp-two-signatures-good-first", "E", false, "malformed"),
    c("pgp-two-signatures-bad-first", "E", false, "malformed"),
    c("pgp-same-signature-twice", "E", false, "malformed"),
    s("pgp-marker-packet", "U", "malformed",
      "a marker packet after the signature: gpg skips it, so anyone can add one"),
    s("pgp-long-length", "U", "malformed",
      "the signature packet's length written in more bytes than it needs: the same packet re-encoded without the key"),
    s("pgp-text-mode", "U", "malformed", TEXT_WHY),
    s("pgp-text-mode-crlf", "U", "malformed", TEXT_WHY),
    // A tag's message may quote an armored block: the signature is the last block.
    c("tag-quotes-ssh-armor", "-", true, "good"),
    c("tag-quotes-pgp-armor", "-", true, "good"),
];

const CANON_WHY: &str = "the armor is not canonical (a carriage return, a space, a blank line or bytes after END): anyone can make it from a signed commit without the key, a new commit id for the same signature";
const TEXT_WHY: &str = "a canonical-text OpenPGP signature (type 0x01) ignores line endings: the commit's message rewritten with CRLF still verifies in gpg";

#[test]
fn canonical_signatures_against_git() {
    let (_t, dir) = build("canon");
    let repo = dir.join("repo");
    let (_, r) = verify_trusted(&dir, &repo, &["--all", "--tags", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let found = verdicts(&r);
    compare_with_git(&dir, &repo, &found, CANON_CASES, "sha1");
    // The reasons name what is wrong.
    let reason = |name: &str| {
        found[&rev(&repo, &format!("c-{name}"))]["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (name, says) in [
        ("ssh-armor-cr-body", "line 2 ends in a carriage return"),
        ("ssh-armor-bytes-after-end", "4 bytes after the END marker"),
        ("ssh-armor-line-after-end", "5 bytes after the END line"),
        ("pgp-armor-bad-crc", "CRC-24"),
        (
            "pgp-two-signatures-bad-first",
            "2 packets (signature (tag 2), signature (tag 2))",
        ),
        ("pgp-marker-packet", "marker (tag 10)"),
        ("pgp-long-length", "more bytes than it needs"),
        ("pgp-text-mode-crlf", "type 0x01"),
    ] {
        let r = reason(name);
        assert!(r.contains(says), "{name}: {r}");
    }
}

/// Checks vigil's verdict (in `found`) and git's for every case the fixture built
/// (DIR/cases) against `cases`: never laxer than git, stricter only where named.
fn compare_with_git(
    dir: &Path,
    repo: &Path,
    found: &HashMap<String, Value>,
    cases: &[Case],
    format: &str,
) {
    let built = std::fs::read_to_string(dir.join("cases")).unwrap();
    let mut table = vec![format!(
        "{:<34} {:<6} {:<6} {:<16} {}",
        "case", "%G?", "git", "vigil", "vigil stricter because"
    )];
    let mut problems = Vec::new();
    let mut seen = 0;
    for line in built.lines() {
        let (kind, name) = line.split_once('\t').unwrap();
        let case = cases
            .iter()
            .find(|c| c.name == name && built_in(c, format))
            .unwrap_or_else(|| panic!("case {name} is built but not listed in CASES"));
        seen += 1;
        let key = if kind == "tag" {
            format!("refs/tags/t-{name}")
        } else {
            rev(repo, &format!("c-{name}"))
        };
        let v = found
            .get(&key)
            .unwrap_or_else(|| panic!("no verdict for {name} ({key})"));
        let vigil = v["verdict"].as_str().unwrap();
        let (g, ok) = git_says(dir, repo, kind, name);
        table.push(format!(
            "{:<34} {:<6} {:<6} {:<16} {}",
            name,
            g,
            if ok { "pass" } else { "fail" },
            vigil,
            case.stricter.unwrap_or("")
        ));
        if !case.git_g.split('|').any(|expected| expected == g) || ok != case.git_ok {
            problems.push(format!(
                "{name}: git says {g} / {ok}, expected {} / {}",
                case.git_g, case.git_ok
            ));
        }
        if vigil != case.vigil {
            problems.push(format!(
                "{name}: vigil says {vigil} ({}), expected {}",
                v["reason"], case.vigil
            ));
        }
        // The rule: never laxer than git; stricter only where named.
        if !ok && vigil == "good" {
            problems.push(format!("{name}: git fails it, vigil passes it"));
        }
        if ok && vigil != "good" && case.stricter.is_none() {
            problems.push(format!(
                "{name}: git passes it, vigil does not, and no reason is named"
            ));
        }
        if case.stricter.is_some() && !ok {
            problems.push(format!("{name}: named as stricter, but git fails it too"));
        }
        // Every verdict has a reason; signed ones a key fingerprint.
        assert!(!v["reason"].as_str().unwrap().is_empty(), "{name}");
        if !matches!(vigil, "unsigned" | "malformed") {
            assert!(v["fingerprint"].is_string(), "{name}: {v}");
        }
    }
    println!("{}", table.join("\n"));
    let listed = cases.iter().filter(|c| built_in(c, format)).count();
    assert_eq!(seen, listed, "every listed case is built");
    assert!(
        problems.is_empty(),
        "{}\n\n{}",
        problems.join("\n"),
        table.join("\n")
    );
}

fn rev_list_count(repo: &Path) -> usize {
    let out = Command::new("git")
        .args(["rev-list", "--all", "--count"])
        .current_dir(repo)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn claimed_time_is_an_option_and_labelled() {
    let (_t, dir) = build("cases");
    let repo = dir.join("repo");
    let mut args: Vec<String> = [
        "verify",
        "--rev",
        "c-ssh-expired-backdated",
        "--rev",
        "c-ssh-expired-dated",
        "--format",
        "json",
        "--key-time",
        "claimed",
    ]
    .map(String::from)
    .to_vec();
    args.extend(trust_args(&dir));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run_in(&repo, &args);
    let v = r.json();
    let list = v["verdicts"].as_array().unwrap();
    // At the claimed (committer) date the backdated commit passes, as in git; the
    // report says the time was a claim.
    assert_eq!(list[0]["verdict"], "good", "{v}");
    assert_eq!(list[0]["time_basis"], "claimed");
    assert_eq!(list[1]["verdict"], "expired-key");
    assert_eq!(r.code, 1);
}

#[test]
fn reports_go_to_files_beside_the_stdout_format() {
    let (_t, dir) = build("cases");
    let repo = dir.join("repo");
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let junit = format!("junit={}", out.join("verify.xml").display());
    let summary = format!("markdown={}", out.join("summary.md").display());
    let mut args: Vec<String> = ["verify", "--rev", "c-ssh-expired-dated", "--format", "json"]
        .map(String::from)
        .to_vec();
    args.extend(["--report".into(), junit, "--report".into(), summary]);
    args.extend(trust_args(&dir));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run_in(&repo, &args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.json()["verdicts"][0]["verdict"], "expired-key");
    let xml = std::fs::read_to_string(out.join("verify.xml")).unwrap();
    assert!(
        xml.contains("<testsuite name=\"signatures\"") && xml.contains("expired-key"),
        "{xml}"
    );
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.contains("### Signatures: 1 of 1 object failed"), "{md}");
    for bad in ["human=x.txt", "json=x.json", "junit"] {
        let r = run_in(&repo, &["verify", "--report", bad]);
        assert_eq!(r.code, 2, "--report {bad}");
        assert!(r.stderr.contains(bad), "{}", r.stderr);
    }
}

#[test]
fn policy_changes_are_judged_by_the_previous_policy() {
    let (_t, dir) = build("policy");
    let repo = dir.join("repo");
    let r = run_in(&repo, &["verify", "--all", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let found = verdicts(&r);
    let verdict = |name: &str| {
        found[&rev(&repo, &format!("c-{name}"))]["verdict"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(verdict("policy-root"), "good");
    assert_eq!(verdict("normal-work"), "good");
    // Bob's pull request adds Bob's key, signed by Bob: the policy before it does not
    // trust Bob, so the change fails, however the rest is signed.
    assert_eq!(verdict("adds-own-key"), "untrusted-key");
    let v = &found[&rev(&repo, "c-adds-own-key")];
    assert_eq!(v["policy_change"], true);
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("policy of its parent"),
        "{v}"
    );
    // The same change signed by a key the previous policy trusts passes.
    assert_eq!(verdict("adds-key-trusted"), "good");
    assert_eq!(verdict("bob-after-trusted-add"), "good");
    // The human report says why.
    let h = run_in(&repo, &["verify", "--all"]);
    assert!(
        h.stdout.contains("changes the trust policy"),
        "{}",
        h.stdout
    );

    // The work tree is never trusted: a `start` written there (uncommitted) hides
    // nothing.
    let after = rev(&repo, "c-after-own-key");
    let toml = std::fs::read_to_string(repo.join(".vigil.toml")).unwrap();
    std::fs::write(
        repo.join(".vigil.toml"),
        format!("{toml}start = \"{after}\"\n"),
    )
    .unwrap();
    let r = run_in(&repo, &["verify", "--all", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(verdicts(&r).len(), 6, "{}", r.stdout);
    crate::harness::git(&repo, &["checkout", "-q", "--", ".vigil.toml"]);

    // `start` committed (signed by a trusted key) at the trusted base: history before
    // it is not checked; --ignore-start checks it again.
    crate::harness::git(&repo, &["checkout", "-q", "-b", "restart", &after]);
    std::fs::write(
        repo.join(".vigil.toml"),
        format!("{toml}start = \"{after}\"\n"),
    )
    .unwrap();
    commit_signed(&dir, &repo, "ada_ed25519", "ada@example.com", "restart");
    let r = run_in(&repo, &["verify", "--all", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let found = verdicts(&r);
    // after-own-key (the trust root), restart, and the trusted branch's two
    assert_eq!(found.len(), 4, "{}", r.stdout);
    assert!(!found.contains_key(&rev(&repo, "c-adds-own-key")));
    assert!(found[&after]["reason"]
        .as_str()
        .unwrap()
        .contains("the trust root"));
    let r = run_in(&repo, &["verify", "--all", "--ignore-start"]);
    assert_eq!(r.code, 1);
    crate::harness::git(&repo, &["checkout", "-q", "main"]);

    // forge_keys: a key trusted only for merge commits (as for GitHub's web-flow key),
    // from a policy file named outside the repository (one policy for every commit).
    let bob = found[&after]["fingerprint"].as_str().unwrap();
    let outside = dir.join("forge");
    std::fs::create_dir_all(outside.join(".vigil")).unwrap();
    std::fs::copy(
        repo.join(".vigil/allowed_signers"),
        outside.join(".vigil/allowed_signers"),
    )
    .unwrap();
    std::fs::write(
        outside.join("policy.toml"),
        format!("{toml}forge_keys = [\"{bob}\"]\n"),
    )
    .unwrap();
    let config = outside.join("policy.toml");
    let r = run_in(
        &repo,
        &[
            "verify",
            "--rev",
            &after,
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = &r.json()["verdicts"][0];
    assert_eq!(v["verdict"], "untrusted-key", "{v}");
    assert!(
        v["reason"].as_str().unwrap().contains("merge commits"),
        "{v}"
    );
}

/// A commit of the work tree's staged changes, signed with the fixture's SSH key `key`
/// and committed by `email`.
fn commit_signed(dir: &Path, repo: &Path, key: &str, email: &str, message: &str) {
    let key = format!("user.signingkey={}", dir.join("trust").join(key).display());
    isolated_git(
        repo,
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &key,
            "commit",
            "-q",
            "-a",
            "-S",
            "-m",
            message,
        ],
        &[
            ("GIT_AUTHOR_NAME", "Signer"),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_COMMITTER_NAME", "Signer"),
            ("GIT_COMMITTER_EMAIL", email),
        ],
    );
}

/// A policy from outside the repository (`--config` elsewhere) cannot be read from a
/// commit's parent, so the policy-change rule cannot apply: said, never silent.
#[test]
fn a_policy_outside_the_repository_is_reported() {
    let (_t, dir) = build("policy");
    let repo = dir.join("repo");
    let outside = dir.join("elsewhere");
    std::fs::create_dir_all(outside.join(".vigil")).unwrap();
    std::fs::copy(repo.join(".vigil.toml"), outside.join("policy.toml")).unwrap();
    std::fs::copy(
        repo.join(".vigil/allowed_signers"),
        outside.join(".vigil/allowed_signers"),
    )
    .unwrap();
    let config = outside.join("policy.toml");
    let r = run_in(
        &repo,
        &["verify", "--all", "--config", config.to_str().unwrap()],
    );
    assert!(
        r.stderr
            .contains("outside the repository, so commits that change it are not judged by their parent's policy"),
        "{}",
        r.stderr
    );
    let inside = run_in(&repo, &["verify", "--all"]);
    assert!(
        !inside.stderr.contains("outside the repository"),
        "{}",
        inside.stderr
    );
}

#[test]
fn bad_trust_material_is_a_precise_error() {
    let (_t, dir) = build("policy");
    let repo = dir.join("repo");
    let bad = dir.join("bad_signers");
    let good = std::fs::read_to_string(dir.join("trust/allowed_signers")).unwrap();
    std::fs::write(
        &bad,
        format!("{good}eve@example.com valid-before=\"2024\" ssh-ed25519 AAAA\n"),
    )
    .unwrap();
    let r = run_in(
        &repo,
        &["verify", "--allowed-signers", bad.to_str().unwrap()],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines = good.lines().count() + 1;
    assert!(
        r.stderr.contains(&format!("bad_signers:{lines}:")) && r.stderr.contains("valid-before"),
        "{}",
        r.stderr
    );
    let ring = dir.join("ring.asc");
    std::fs::write(&ring, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGVf\n").unwrap();
    let r = run_in(&repo, &["verify", "--keyring", ring.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("ring.asc:1:"), "{}", r.stderr);
    // No policy at all: exit 2 with what to do.
    let empty = tempfile::tempdir().unwrap();
    Command::new("git")
        .args(["init", "-q"])
        .current_dir(empty.path())
        .status()
        .unwrap();
    let r = run_in(empty.path(), &["verify"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("[verify]"), "{}", r.stderr);
    // A missing base revision: incomplete, exit 3.
    let r = run_in(&repo, &["verify", "--range", "no-such-rev..HEAD"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
}

// ---- security keys: signatures built here from PROTOCOL.u2f, checked by git too ----

fn put_string(v: &mut Vec<u8>, s: &[u8]) {
    v.extend_from_slice(&(s.len() as u32).to_be_bytes());
    v.extend_from_slice(s);
}

fn mpint(v: &mut Vec<u8>, n: &[u8]) {
    let n: Vec<u8> = n.iter().copied().skip_while(|&b| b == 0).collect();
    let mut m = Vec::new();
    if n.first().is_some_and(|&b| b & 0x80 != 0) {
        m.push(0);
    }
    m.extend_from_slice(&n);
    put_string(v, &m);
}

fn armor(blob: &[u8]) -> String {
    let b64 = STANDARD.encode(blob);
    let mut s = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for chunk in b64.as_bytes().chunks(70) {
        s.push_str(std::str::from_utf8(chunk).unwrap());
        s.push('\n');
    }
    s.push_str("-----END SSH SIGNATURE-----");
    s
}

enum Sk {
    Ed25519(ed25519_dalek::SigningKey),
    Ecdsa(p256::ecdsa::SigningKey),
}

impl Sk {
    fn key_type(&self) -> &'static str {
        match self {
            Sk::Ed25519(_) => "sk-ssh-ed25519@openssh.com",
            Sk::Ecdsa(_) => "sk-ecdsa-sha2-nistp256@openssh.com",
        }
    }

    fn public_blob(&self) -> Vec<u8> {
        let mut v = Vec::new();
        put_string(&mut v, self.key_type().as_bytes());
        match self {
            Sk::Ed25519(k) => put_string(&mut v, k.verifying_key().as_bytes()),
            Sk::Ecdsa(k) => {
                put_string(&mut v, b"nistp256");
                put_string(&mut v, k.verifying_key().to_encoded_point(false).as_bytes());
            }
        }
        put_string(&mut v, b"ssh:");
        v
    }

    /// An SSHSIG signature of `message` in namespace git, as a security key makes it.
    fn sshsig(&self, message: &[u8], flags: u8) -> String {
        use sha2::{Digest, Sha256, Sha512};
        let mut data = b"SSHSIG".to_vec();
        put_string(&mut data, b"git");
        put_string(&mut data, b"");
        put_string(&mut data, b"sha512");
        put_string(&mut data, &Sha512::digest(message));
        let counter: u32 = 42;
        let mut signed = Sha256::digest(b"ssh:").to_vec();
        signed.push(flags);
        signed.extend_from_slice(&counter.to_be_bytes());
        signed.extend_from_slice(&Sha256::digest(&data));
        let mut sig = Vec::new();
        put_string(&mut sig, self.key_type().as_bytes());
        match self {
            Sk::Ed25519(k) => {
                use ed25519_dalek::Signer;
                put_string(&mut sig, &k.sign(&signed).to_bytes());
            }
            Sk::Ecdsa(k) => {
                use p256::ecdsa::signature::Signer;
                let s: p256::ecdsa::Signature = k.sign(&signed);
                let (r, s) = s.split_bytes();
                let mut inner = Vec::new();
                mpint(&mut inner, &r);
                mpint(&mut inner, &s);
                put_string(&mut sig, &inner);
            }
        }
        sig.push(flags);
        sig.extend_from_slice(&counter.to_be_bytes());
        let mut blob = b"SSHSIG".to_vec();
        blob.extend_from_slice(&1u32.to_be_bytes());
        put_string(&mut blob, &self.public_blob());
        put_string(&mut blob, b"git");
        put_string(&mut blob, b"");
        put_string(&mut blob, b"sha512");
        put_string(&mut blob, &sig);
        armor(&blob)
    }
}

#[test]
fn security_keys_against_git() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let sh = |args: &[&str], input: Option<&[u8]>| -> String {
        let mut c = Command::new("git");
        c.args(args)
            .current_dir(&repo)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", tmp.path().join("gitconfig"))
            .env("HOME", tmp.path());
        let out = if let Some(input) = input {
            use std::io::Write;
            let mut child = c
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(input).unwrap();
            child.wait_with_output().unwrap()
        } else {
            c.output().unwrap()
        };
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    std::fs::create_dir_all(&repo).unwrap();
    sh(&["init", "-q", "-b", "main"], None);
    let tree = sh(&["hash-object", "-w", "-t", "tree", "--stdin"], Some(b""));
    let keys = [
        (
            "ed25519-sk",
            Sk::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[7; 32])),
        ),
        (
            "ecdsa-sk",
            Sk::Ecdsa(p256::ecdsa::SigningKey::from_bytes(&[9u8; 32].into()).unwrap()),
        ),
    ];
    let mut signers = String::new();
    for (_, k) in &keys {
        signers.push_str(&format!(
            "ada@example.com {} {}\n",
            k.key_type(),
            STANDARD.encode(k.public_blob())
        ));
    }
    let signers_path = tmp.path().join("allowed_signers");
    std::fs::write(&signers_path, signers).unwrap();
    std::fs::write(
        tmp.path().join("gitconfig"),
        format!(
            "[gpg \"ssh\"]\n\tallowedSignersFile = {}\n",
            signers_path.display()
        ),
    )
    .unwrap();
    let mut ids = Vec::new();
    for (name, key) in &keys {
        for flags in [0x01u8, 0x00] {
            let payload = format!(
                "tree {tree}\nauthor Ada <ada@example.com> 1700000000 +0000\ncommitter Ada <ada@example.com> 1700000000 +0000\n\n{name} flags {flags}\n"
            );
            let sig = key.sshsig(payload.as_bytes(), flags);
            let header: String = sig
                .lines()
                .enumerate()
                .map(|(i, l)| {
                    if i == 0 {
                        format!("gpgsig {l}\n")
                    } else {
                        format!(" {l}\n")
                    }
                })
                .collect();
            let raw = payload.replacen("\n\n", &format!("\n{header}\n"), 1);
            let id = sh(
                &["hash-object", "-w", "-t", "commit", "--stdin"],
                Some(raw.as_bytes()),
            );
            ids.push((format!("{name} flags={flags}"), id, flags));
        }
    }
    let mut args = vec![
        "verify".to_owned(),
        "--format".into(),
        "json".into(),
        "--allowed-signers".into(),
        signers_path.display().to_string(),
    ];
    for (_, id, _) in &ids {
        args.push("--rev".into());
        args.push(id.clone());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run_in(&repo, &args);
    let found = verdicts(&r);
    for (name, id, flags) in &ids {
        let git_g = sh(&["log", "-1", "--format=%G?", id], None);
        let vigil = found[id]["verdict"].as_str().unwrap();
        // git (ssh-keygen -Y verify) passes both; vigil refuses the one whose
        // authenticator did not assert user presence.
        let stricter = (*flags == 0)
            .then_some("no user-presence flag: the security key was not touched (ssh-keygen -Y verify does not check it)");
        println!(
            "{name:<22} %G? {git_g:<3} vigil {vigil:<14} {}",
            stricter.unwrap_or("")
        );
        assert_eq!(git_g, "G", "{name}");
        let expected = if stricter.is_some() {
            "bad-signature"
        } else {
            "good"
        };
        assert_eq!(vigil, expected, "{name}: {}", found[id]);
    }
}

/// A one-off trust file that cannot be read is named once, with nothing empty after it.
#[test]
fn a_missing_one_off_trust_file_is_named_plainly() {
    let dir = tree(&[("a.txt", b"x\n")]);
    crate::harness::git(dir.path(), &["init", "-q"]);
    crate::harness::git(dir.path(), &["add", "a.txt"]);
    crate::harness::git(dir.path(), &["commit", "-qm", "one"]);
    let r = run_in(
        dir.path(),
        &["verify", "--allowed-signers", "missing-signers"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("missing-signers: no such file"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("named by"), "{}", r.stderr);
}

// ---- trust that follows history: each commit judged by its parent's authorised policy ----

/// Verdicts of one JSON run by case name (the `c-NAME` tags): (verdict, reason).
fn by_name(repo: &Path, r: &Run) -> HashMap<String, (String, String)> {
    let found = verdicts(r);
    let tags = crate::harness::git(repo, &["tag", "-l", "c-*"]);
    let mut out = HashMap::new();
    for tag in tags.lines() {
        let id = rev(repo, &format!("{tag}^{{commit}}"));
        if let Some(v) = found.get(&id) {
            out.insert(
                tag.strip_prefix("c-").unwrap_or(tag).to_owned(),
                (
                    v["verdict"].as_str().unwrap().to_owned(),
                    v["reason"].as_str().unwrap().to_owned(),
                ),
            );
        }
    }
    out
}

/// git's `%G?` for the commit tagged `c-NAME`, with the allowed signers (the file the
/// work tree's `.vigil.toml` names) and revoked keys of the checked-out work tree: what
/// a CI job configured from it would use.
fn git_with_work_tree_policy(repo: &Path, name: &str) -> String {
    let toml = std::fs::read_to_string(repo.join(".vigil.toml")).unwrap();
    let signers = toml
        .lines()
        .find_map(|l| l.strip_prefix("allowed_signers = "))
        .unwrap()
        .trim_matches('"');
    isolated_git(
        repo,
        &[
            "-c",
            &format!("gpg.ssh.allowedSignersFile={signers}"),
            "-c",
            "gpg.ssh.revocationFile=.vigil/revoked_keys",
            "log",
            "-1",
            "--format=%G?",
            &format!("c-{name}"),
        ],
        &[],
    )
}

/// git with no ambient configuration (and `env`), failing the test if git fails; its
/// output, trimmed.
fn isolated_git(repo: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A commit, git's `%G?` from the branch's work tree, vigil's verdict, and whether the
/// reason says the commit is trusted only through an unauthorised change.
type Expected = (&'static str, &'static str, &'static str, bool);

/// A pull request that changes the policy in its author's favour fails at that commit
/// and at every later commit trusted only through it, judged against the target
/// branch's committed policy; a `start` it moves hides nothing. git, configured from
/// the pull request's own work tree, calls them good.
#[test]
fn a_pull_request_cannot_change_the_policy_it_is_judged_by() {
    let (_t, dir) = build("history");
    let repo = dir.join("pr");
    let cases: &[(&str, &[Expected])] = &[
        (
            "pr-add",
            &[
                ("add-own-key", "G", "untrusted-key", false),
                ("add-after", "G", "untrusted-key", true),
            ],
        ),
        (
            "pr-repoint",
            &[
                ("repoint", "G", "untrusted-key", false),
                ("repoint-after", "G", "untrusted-key", true),
            ],
        ),
        (
            "pr-unrevoke",
            &[
                ("unrevoke", "G", "revoked-key", false),
                ("unrevoke-after", "G", "revoked-key", false),
            ],
        ),
        (
            "pr-start",
            &[
                ("hidden-1", "G", "untrusted-key", false),
                ("hidden-2", "G", "untrusted-key", true),
                ("move-start", "G", "untrusted-key", true),
            ],
        ),
    ];
    for (branch, expected) in cases {
        // As CI runs it: the pull request checked out, the target branch as the base.
        crate::harness::git(&repo, &["checkout", "-q", branch]);
        let r = run_in(
            &repo,
            &[
                "verify",
                "--range",
                &format!("main..{branch}"),
                "--format",
                "json",
            ],
        );
        assert_eq!(r.code, 1, "{branch}: {}\n{}", r.stdout, r.stderr);
        let found = by_name(&repo, &r);
        assert_eq!(
            found.len(),
            expected.len(),
            "{branch}: every commit shown: {}",
            r.stdout
        );
        for (name, git_g, vigil, through) in *expected {
            assert_eq!(
                git_with_work_tree_policy(&repo, name),
                *git_g,
                "{branch} {name}: git"
            );
            let (verdict, reason) = &found[*name];
            assert_eq!(verdict, vigil, "{branch} {name}: {reason}");
            assert!(reason.contains("judged by"), "{reason}");
            assert_eq!(
                reason.contains("trusted only through")
                    && reason.contains("which was not authorised"),
                *through,
                "{branch} {name}: {reason}"
            );
        }
        // The same base named explicitly gives the same verdicts.
        let again = run_in(
            &repo,
            &[
                "verify",
                "--range",
                &format!("main..{branch}"),
                "--trusted-base",
                "main",
                "--format",
                "json",
            ],
        );
        assert_eq!(by_name(&repo, &again), found, "{branch}");
    }
    crate::harness::git(&repo, &["checkout", "-q", "main"]);
    let r = run_in(
        &repo,
        &[
            "verify",
            "--range",
            "main..pr-add",
            "--trusted-base",
            "no-such-rev",
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("no-such-rev"), "{}", r.stderr);
    // A base without a policy: exit 2, naming the commit and what to do.
    crate::harness::git(&repo, &["checkout", "-q", "--orphan", "bare"]);
    crate::harness::git(&repo, &["rm", "-rq", "--cached", "."]);
    crate::harness::git(&repo, &["commit", "-q", "--allow-empty", "-m", "no policy"]);
    let r = run_in(&repo, &["verify", "--range", "bare..pr-add"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let bare = rev(&repo, "bare");
    assert!(
        r.stderr.contains(&bare)
            && r.stderr.contains("has no trust policy")
            && r.stderr.contains("--allowed-signers"),
        "{}",
        r.stderr
    );
    crate::harness::git(&repo, &["checkout", "-q", "-f", "main"]);
}

/// Key rotation in one audit: three signed policy changes (add bob, rotate ada -> carol,
/// revoke bob as compromised). A retired key stays good for the commits made before its
/// removal; a revoked key fails everywhere. git judges every commit by today's file.
#[test]
fn key_rotation_retires_prospectively_and_revocation_is_retroactive() {
    let (_t, dir) = build("history");
    let repo = dir.join("rotation");
    let r = run_in(&repo, &["verify", "--all", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let found = by_name(&repo, &r);
    // (commit, git's %G? with today's files, vigil)
    let expected = [
        ("policy-root", "U", "good"),
        ("set-start", "U", "good"),
        ("a-work-1", "U", "good"),
        ("add-b", "U", "good"),
        ("b-work-1", "U", "revoked-key"),
        ("a-work-2", "U", "good"),
        ("rotate", "U", "good"),
        ("a-after-rotation", "U", "untrusted-key"),
        ("c-work-1", "G", "good"),
        ("revoke-b", "G", "good"),
        ("b-after-revoke", "U", "revoked-key"),
        ("c-work-2", "G", "good"),
    ];
    assert_eq!(found.len(), expected.len(), "{}", r.stdout);
    for (name, git_g, vigil) in expected {
        assert_eq!(git_with_work_tree_policy(&repo, name), git_g, "{name}: git");
        let (verdict, reason) = &found[name];
        assert_eq!(verdict, vigil, "{name}: {reason}");
    }
    let rotate = rev(&repo, "c-rotate");
    assert!(
        found["a-after-rotation"]
            .1
            .contains(&format!("the policy authorised at {rotate}")),
        "{}",
        found["a-after-rotation"].1
    );
    assert!(
        found["b-work-1"].1.contains("compromised"),
        "{}",
        found["b-work-1"].1
    );
}

/// The verdict for a commit does not depend on the branch checked out, even one whose
/// work tree (and tip) trusts the attacker.
#[test]
fn verdicts_do_not_depend_on_the_checked_out_branch() {
    let (_t, dir) = build("history");
    let repo = dir.join("pr");
    let mut runs = Vec::new();
    for branch in ["main", "pr-add"] {
        crate::harness::git(&repo, &["checkout", "-q", branch]);
        let r = run_in(&repo, &["verify", "--all", "--format", "json"]);
        assert_eq!(r.code, 1, "{branch}: {}", r.stderr);
        let found: HashMap<String, String> = by_name(&repo, &r)
            .into_iter()
            .map(|(k, (verdict, _))| (k, verdict))
            .collect();
        runs.push(found);
    }
    assert_eq!(runs[0]["add-after"], "untrusted-key");
    assert_eq!(runs[0]["main-work"], "good");
    assert_eq!(runs[0], runs[1]);
    crate::harness::git(&repo, &["checkout", "-q", "main"]);
}
