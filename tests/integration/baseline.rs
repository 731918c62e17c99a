//! Baselines through the CLI: create, scan with it, lines moving, renames, expiry,
//! prune, and two branches that accept different findings merged by git.
use std::{path::Path, process::Command};

use crate::harness::*;

/// The entry lines of a baseline (comments left out).
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(".vigil-baseline"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn create_then_scan_reports_only_new_findings() {
    let dir = tree(&[("app/.env", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    let r = run_in(
        dir.path(),
        &["baseline", "create", "--reason", "rotated in SEC-12"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("1 entry added"), "{}", r.stderr);
    let lines = entries(dir.path());
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].ends_with(" github-pat-classic app/.env # rotated in SEC-12"),
        "{}",
        lines[0]
    );
    assert!(!lines[0].contains(GH_TOKEN));
    // Accepted: clean.
    let r = run_in(dir.path(), &["scan", ".", "--baseline", ".vigil-baseline"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("(baseline .vigil-baseline: 1 accepted)"),
        "{}",
        r.stderr
    );
    // A new secret fails, alone.
    std::fs::write(dir.path().join("new.env"), format!("T2={GH_TOKEN_2}\n")).unwrap();
    let r = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--baseline",
            ".vigil-baseline",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.findings(),
        vec![("github-pat-classic".into(), "new.env".into(), 1)]
    );
    // Creating again keeps the first entry as it was and adds the new one.
    let r = run_in(dir.path(), &["baseline", "create"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 entry added, 1 already there"),
        "{}",
        r.stderr
    );
    let lines = entries(dir.path());
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().any(|l| l.ends_with("# rotated in SEC-12")));
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "entries are sorted");
}

/// A plain `vigil scan` applies the `.vigil-baseline` that `vigil baseline create`
/// wrote, at the top of the work tree even from a subfolder, and says so;
/// `--no-baseline` applies none.
#[test]
fn the_default_baseline_is_found_without_being_named() {
    let dir = tree(&[
        ("a.env", format!("TOKEN={GH_TOKEN}\n").as_bytes()),
        ("sub/b.env", format!("T2={GH_TOKEN_2}\n").as_bytes()),
    ]);
    // Outside git: the scanned folder's .vigil-baseline.
    assert_eq!(run_in(dir.path(), &["baseline", "create"]).code, 0);
    let r = run_in(dir.path(), &["scan"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "(baseline .vigil-baseline, found by default; --no-baseline ignores it: 2 accepted)"
        ),
        "{}",
        r.stderr
    );
    let r = run_in(dir.path(), &["scan", "--no-baseline", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.findings().len(), 2);
    assert!(!r.stderr.contains("baseline"), "{}", r.stderr);
    let r = run_in(dir.path(), &["scan", "--no-baseline", "--baseline", "x"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // In a git work tree: the one at the top, from a subfolder too, and for git sources;
    // `baseline create` from the subfolder writes it there as well.
    std::fs::remove_file(dir.path().join(".vigil-baseline")).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "a.env", "sub/b.env"]);
    git(dir.path(), &["commit", "-qm", "secrets"]);
    let sub = dir.path().join("sub");
    let r = run_in(&sub, &["baseline", "create", "--history"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.path().join(".vigil-baseline").is_file(), "{}", r.stderr);
    assert!(!sub.join(".vigil-baseline").exists());
    let r = run_in(&sub, &["scan", "--history"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("found by default"), "{}", r.stderr);
    let r = run_in(dir.path(), &["scan", "--no-baseline", "--history"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn moved_lines_stay_accepted_renamed_files_are_new() {
    let dir = tree(&[("a.env", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    assert_eq!(run_in(dir.path(), &["baseline", "create"]).code, 0);
    std::fs::write(
        dir.path().join("a.env"),
        format!("# moved down\n\n\nexport TOKEN={GH_TOKEN}\n"),
    )
    .unwrap();
    let r = run_in(dir.path(), &["scan", ".", "--baseline", ".vigil-baseline"]);
    assert_eq!(r.code, 0, "a line move keeps the fingerprint: {}", r.stdout);
    std::fs::rename(dir.path().join("a.env"), dir.path().join("b.env")).unwrap();
    let r = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--baseline",
            ".vigil-baseline",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "the path is part of the fingerprint");
    assert_eq!(
        r.findings(),
        vec![("github-pat-classic".into(), "b.env".into(), 4)]
    );
}

#[test]
fn expired_entries_fail_again() {
    let dir = tree(&[("a.env", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    let r = run_in(
        dir.path(),
        &["baseline", "create", "--expires", "2000-01-01"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A date already past is written as asked, with a warning.
    assert!(
        r.stderr
            .contains("warning: --expires 2000-01-01 is not in the future"),
        "{}",
        r.stderr
    );
    assert!(entries(dir.path())[0].contains(" expires=2000-01-01"));
    let r = run_in(dir.path(), &["scan", ".", "--baseline", ".vigil-baseline"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("expired on 2000-01-01"), "{}", r.stderr);
    // Creating again does not renew it.
    assert_eq!(run_in(dir.path(), &["baseline", "create"]).code, 0);
    assert!(entries(dir.path())[0].contains(" expires=2000-01-01"));
    let dir = tree(&[("a.env", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    let r = run_in(
        dir.path(),
        &["baseline", "create", "--expires", "2999-12-31"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    assert_eq!(
        run_in(dir.path(), &["scan", ".", "--baseline", ".vigil-baseline"]).code,
        0
    );
    let r = run_in(
        dir.path(),
        &["baseline", "create", "--expires", "2025-02-30"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("2025-02-30"), "{}", r.stderr);
}

#[test]
fn prune_lists_and_removes_stale_entries() {
    let dir = tree(&[
        ("a.env", format!("TOKEN={GH_TOKEN}\n").as_bytes()),
        ("b.env", format!("TOKEN={GH_TOKEN_2}\n").as_bytes()),
    ]);
    assert_eq!(run_in(dir.path(), &["baseline", "create"]).code, 0);
    assert_eq!(entries(dir.path()).len(), 2);
    std::fs::remove_file(dir.path().join("b.env")).unwrap();
    let r = run_in(dir.path(), &["baseline", "prune", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1);
    assert!(r.stdout.contains(" b.env"), "{}", r.stdout);
    assert_eq!(entries(dir.path()).len(), 2, "--dry-run removes nothing");
    let r = run_in(dir.path(), &["baseline", "prune"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 stale entry removed, 1 kept"),
        "{}",
        r.stderr
    );
    let lines = entries(dir.path());
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains(" a.env"));
    assert_eq!(
        run_in(dir.path(), &["scan", ".", "--baseline", ".vigil-baseline"]).code,
        0
    );
}

#[test]
fn bad_baselines_are_named_with_line_and_form() {
    let dir = tree(&[
        ("a.txt", b"nothing\n"),
        ("bad-baseline", b"# ok\nnot-a-fingerprint rule path\n"),
    ]);
    let r = run_in(dir.path(), &["scan", ".", "--baseline", "bad-baseline"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bad-baseline:2") && r.stderr.contains("<fingerprint> <rule> <path>"),
        "{}",
        r.stderr
    );
    let r = run_in(dir.path(), &["scan", ".", "--baseline", "missing"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("missing"), "{}", r.stderr);
    let r = run_in(dir.path(), &["baseline", "create", "--format", "json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("drop --format"), "{}", r.stderr);
}

/// Two branches each accept a different finding; git merges the baselines without a
/// conflict (union merge, set up by `baseline create`), and the merged file works.
#[test]
fn branches_adding_entries_merge_without_conflict() {
    let dir = tree(&[("README.md", b"# app\n")]);
    let d = dir.path();
    git(d, &["init", "-q"]);
    let r = run_in(d, &["baseline", "create"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let attributes = std::fs::read_to_string(d.join(".gitattributes")).unwrap();
    assert!(
        attributes.contains("/.vigil-baseline merge=union"),
        "{attributes}"
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "empty baseline"]);

    git(d, &["checkout", "-qb", "one"]);
    std::fs::write(d.join("one.env"), format!("TOKEN={GH_TOKEN}\n")).unwrap();
    assert_eq!(
        run_in(d, &["baseline", "create", "--reason", "branch one"]).code,
        0
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "one"]);

    git(d, &["checkout", "-q", "main"]);
    git(d, &["checkout", "-qb", "two"]);
    std::fs::write(d.join("two.env"), format!("TOKEN={GH_TOKEN_2}\n")).unwrap();
    assert_eq!(
        run_in(d, &["baseline", "create", "--reason", "branch two"]).code,
        0
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "two"]);

    git(d, &["checkout", "-q", "main"]);
    git(d, &["merge", "-q", "one"]);
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Ada Lovelace",
            "-c",
            "user.email=ada@example.com",
        ])
        .args(["-c", "commit.gpgsign=false", "merge", "--no-edit", "two"])
        .current_dir(d)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", d)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "merge conflict: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(d.join(".vigil-baseline")).unwrap();
    assert!(!text.contains("<<<<<<<"), "{text}");
    let lines = entries(d);
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines.iter().any(|l| l.contains("one.env # branch one")));
    assert!(lines.iter().any(|l| l.contains("two.env # branch two")));
    let r = run_in(d, &["scan", ".", "--baseline", ".vigil-baseline"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Rewriting sorts the union again.
    assert_eq!(run_in(d, &["baseline", "create"]).code, 0);
    let lines = entries(d);
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

#[test]
fn git_sources_use_the_baseline_too() {
    let dir = tree(&[("a.env", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    let d = dir.path();
    git(d, &["init", "-q"]);
    git(d, &["add", "a.env"]);
    git(d, &["commit", "-qm", "add a"]);
    let r = run_in(d, &["baseline", "create", "--history"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(entries(d).len(), 1);
    let r = run_in(d, &["scan", "--history", "--baseline", ".vigil-baseline"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // The folder scan of the same file gives the same fingerprint.
    let r = run_in(d, &["scan", ".", "--baseline", ".vigil-baseline"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// With `[scan] fingerprint_key`, published fingerprints are keyed: they differ from the
/// unkeyed ones (which anyone could recompute from a guessed secret), stay the same run
/// after run, and a baseline made with the key accepts its findings.
#[test]
fn a_fingerprint_key_keys_published_fingerprints() {
    let key = "8c1f0a3b5d7e9f21436587a9cbedf0123456789abcdef0fedcba9876543210ab";
    let dir = tree(&[("app/.env", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    let fp = |dir: &Path| {
        let r = run_in(dir, &["scan", ".", "--format", "json"]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        r.json()["findings"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let unkeyed = fp(dir.path());
    std::fs::write(
        dir.path().join(".vigil.toml"),
        format!("[scan]\nfingerprint_key = \"{key}\"\n"),
    )
    .unwrap();
    let keyed = fp(dir.path());
    assert_ne!(keyed, unkeyed);
    assert_eq!(keyed, fp(dir.path()));
    let r = run_in(dir.path(), &["baseline", "create"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(entries(dir.path())[0].starts_with(&keyed));
    let r = run_in(dir.path(), &["scan", ".", "--baseline", ".vigil-baseline"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A bad key is a configuration error that does not echo the value.
    std::fs::write(
        dir.path().join(".vigil.toml"),
        "[scan]\nfingerprint_key = \"hunter2hunter2\"\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("64 hex digits"), "{}", r.stderr);
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);
}
