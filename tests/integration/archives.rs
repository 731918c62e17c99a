//! Secrets inside archives (zip, jar/war/ear, whl, nupkg, tar, tar.gz/tgz, gz) are found
//! in folder, staged and history scans, shown as `archive.zip!inner/path`; bombs, deep
//! nesting and corrupt archives are reported as not scanned (exit 3), never expanded
//! past the limits. The archives are written by `fixtures/archives/make.py`.
use std::{path::Path, process::Command};

use crate::harness::{git, repo_root, run_in, Run, GH_TOKEN};

/// Writes the named fixture archives (all of them when `names` is empty) into `dir`.
fn make(dir: &Path, names: &[&str]) {
    let out = Command::new("python3")
        .arg(repo_root().join("fixtures/archives/make.py"))
        .arg(dir)
        .args(names)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const GOOD: [&str; 11] = [
    "plain.zip",
    "app.jar",
    "app.war",
    "app.ear",
    "pkg.whl",
    "pkg.nupkg",
    "bundle.tar",
    "bundle.tar.gz",
    "bundle.tgz",
    "dump.sql.gz",
    "release.bin",
];

/// Where the fake token is in the good archives, line 3 of the file inside each.
const FOUND: [&str; 11] = [
    "app.ear!web.war!WEB-INF/lib/inner.jar!config/app.properties",
    "app.jar!config/app.properties",
    "app.war!WEB-INF/lib/inner.jar!config/app.properties",
    "bundle.tar!pkg/.env",
    "bundle.tar.gz!pkg/.env",
    "bundle.tgz!pkg/.env",
    "dump.sql.gz!dump.sql",
    "pkg.nupkg!content/appsettings.ini",
    "pkg.whl!pkg/settings.py",
    "plain.zip!config/app.properties",
    "release.bin!notes.txt",
];

fn paths(r: &Run) -> Vec<String> {
    let mut found: Vec<String> = r
        .findings()
        .into_iter()
        .map(|(rule, path, line)| {
            assert_eq!((rule.as_str(), line), ("github-pat-classic", 3), "{path}");
            path
        })
        .collect();
    found.sort();
    found
}

#[test]
fn a_folder_scan_finds_secrets_in_each_kind_of_archive() {
    let dir = tempfile::tempdir().unwrap();
    make(dir.path(), &GOOD);
    std::fs::write(dir.path().join("notes.txt"), "nothing\n").unwrap();
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(paths(&r), FOUND);
    assert_eq!(r.json()["complete"], true);

    // The text report shows path!inner:line; SARIF carries the same path (a URI: `!`
    // percent-encoded).
    let text = run_in(dir.path(), &["scan", "."]);
    assert!(
        text.stdout.contains("app.jar!config/app.properties:3"),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains(GH_TOKEN), "the secret is redacted");
    let sarif = run_in(dir.path(), &["scan", ".", "--format", "sarif"]);
    assert!(
        sarif
            .stdout
            .contains("\"uri\": \"app.jar%21config/app.properties\""),
        "{}",
        sarif.stdout
    );

    // Off by the flag or by the configuration: archives are binary files, not scanned.
    let off = run_in(
        dir.path(),
        &["scan", ".", "--format", "json", "--no-archives"],
    );
    assert_eq!((off.code, paths(&off)), (0, vec![]), "{}", off.stderr);
    std::fs::write(dir.path().join(".vigil.toml"), "[scan]\narchives = false\n").unwrap();
    let off = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!((off.code, paths(&off)), (0, vec![]), "{}", off.stderr);
}

#[test]
fn a_baseline_and_an_allowlisted_path_accept_findings_in_archives() {
    let dir = tempfile::tempdir().unwrap();
    make(dir.path(), &["app.jar"]);
    let d = dir.path();
    let r = run_in(d, &["baseline", "create"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let baseline = std::fs::read_to_string(d.join(".vigil-baseline")).unwrap();
    assert!(
        baseline.contains(" app.jar!config/app.properties"),
        "{baseline}"
    );
    let r = run_in(d, &["scan", ".", "--format", "json"]);
    assert_eq!((r.code, paths(&r)), (0, vec![]), "{}", r.stderr);
    std::fs::write(d.join(".vigil.toml"), "[allowlist]\npaths = [\"*.jar\"]\n").unwrap();
    let r = run_in(d, &["scan", ".", "--format", "json", "--no-baseline"]);
    assert_eq!((r.code, paths(&r)), (0, vec![]), "{}", r.stderr);
}

#[test]
fn inline_markers_work_inside_archives() {
    let dir = tempfile::tempdir().unwrap();
    make(dir.path(), &["allowed.zip"]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(paths(&r), ["allowed.zip!app.properties"]);
}

#[test]
fn bombs_stop_at_the_limits_and_make_the_scan_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    make(
        dir.path(),
        &["bomb.zip", "nested-bomb.zip", "overlap-bomb.zip"],
    );
    let start = std::time::Instant::now();
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    let mut got = r.skipped();
    got.sort();
    assert_eq!(
        got,
        [
            ("bomb.zip", "archive-limit"),
            ("nested-bomb.zip", "archive-limit"),
            ("overlap-bomb.zip", "archive-limit"),
        ]
        .map(|(p, w)| (p.to_owned(), w.to_owned()))
    );
    assert!(
        r.stderr.contains("bomb.zip: expands to more than 64 MiB"),
        "{}",
        r.stderr
    );
    assert_eq!(r.json()["complete"], false);
}

#[test]
fn nesting_past_the_depth_limit_is_reported_where_it_stops() {
    let dir = tempfile::tempdir().unwrap();
    make(dir.path(), &["deep.zip"]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(
        r.skipped(),
        [(
            "deep.zip!level4.zip!level3.zip!level2.zip!level1.zip".to_owned(),
            "archive-limit".to_owned()
        )]
    );
    assert!(
        r.stderr.contains("nested more than 4 levels deep"),
        "{}",
        r.stderr
    );
}

#[test]
fn corrupt_archives_are_unreadable_not_clean() {
    for (name, says) in [
        ("truncated.zip", "truncated.zip: not a readable zip archive"),
        ("bad.gz", "bad.gz: cannot be read"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        make(dir.path(), &[name]);
        std::fs::write(dir.path().join("notes.txt"), "nothing\n").unwrap();
        let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
        assert_eq!(r.code, 3, "{name}: {}", r.stderr);
        assert_eq!(r.skipped(), [(name.to_owned(), "unreadable".to_owned())]);
        assert!(r.stderr.contains(says), "{name}: {}", r.stderr);
    }
}

#[test]
fn hostile_entry_names_are_only_names() {
    let dir = tempfile::tempdir().unwrap();
    make(dir.path(), &["hostile-names.zip"]);
    let r = run_in(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        !r.stdout.contains('\x1b') && !r.stderr.contains('\x1b'),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("hostile-names.zip!../../"),
        "{}",
        r.stdout
    );
    // Nothing was written outside (or inside) the folder.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["hostile-names.zip"]);
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join("README"), "demo\n").unwrap();
    git(dir.path(), &["add", "README"]);
    git(dir.path(), &["commit", "-q", "-m", "start"]);
    dir
}

#[test]
fn staged_and_history_scans_find_secrets_in_archives() {
    let dir = repo();
    let d = dir.path();
    make(d, &["app.war", "bundle.tgz"]);
    git(d, &["add", "app.war", "bundle.tgz"]);
    let r = run_in(d, &["scan", "--staged", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        paths(&r),
        [
            "app.war!WEB-INF/lib/inner.jar!config/app.properties",
            "bundle.tgz!pkg/.env"
        ]
    );
    let off = run_in(
        d,
        &["scan", "--staged", "--format", "json", "--no-archives"],
    );
    assert_eq!((off.code, paths(&off)), (0, vec![]), "{}", off.stderr);

    git(d, &["commit", "-q", "-m", "archives"]);
    let commit = crate::harness::rev(d, "HEAD");
    // The archive changes, its secret does not: only the first commit has it.
    make(d, &["plain.zip"]);
    std::fs::rename(d.join("plain.zip"), d.join("app.war")).unwrap();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "another archive"]);
    let r = run_in(d, &["scan", "--history", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let found: Vec<(String, String)> = r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["commit"]["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "app.war!WEB-INF/lib/inner.jar!config/app.properties".to_owned(),
                commit.clone()
            ),
            ("app.war!config/app.properties".to_owned(), rev(d)),
            ("bundle.tgz!pkg/.env".to_owned(), commit),
        ]
    );
    // A corrupt archive in history makes the scan incomplete, with the commit named.
    make(d, &["bad.gz"]);
    git(d, &["add", "bad.gz"]);
    git(d, &["commit", "-q", "-m", "bad"]);
    let r = run_in(d, &["scan", "--range", "HEAD~1..HEAD", "--format", "json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("bad.gz (commit "), "{}", r.stderr);
}

fn rev(d: &Path) -> String {
    crate::harness::rev(d, "HEAD")
}
