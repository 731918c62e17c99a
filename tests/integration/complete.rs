//! "Scanned nothing" or "less than asked" is never clean: each way a scan or a
//! verification can cover nothing exits 3 and says what and why, and the JSON report
//! says `complete: false` and lists what was skipped.
use std::{path::Path, process::Command};

use serde_json::Value;

use crate::harness::{finish, git, run_in, tree, Run};

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    git(r, &["init", "-q"]);
    std::fs::write(r.join("a.txt"), "one\n").unwrap();
    git(r, &["add", "a.txt"]);
    git(r, &["commit", "-q", "-m", "one"]);
    std::fs::write(r.join("b.txt"), "two\n").unwrap();
    git(r, &["add", "b.txt"]);
    git(r, &["commit", "-q", "-m", "two"]);
    dir
}

/// Runs vigil with a time limit, so a scan that blocks fails instead of hanging.
fn run_limited(dir: &Path, args: &[&str]) -> Run {
    finish(
        &Command::new("timeout")
            .arg("60")
            .arg(env!("CARGO_BIN_EXE_vigil"))
            .args(args)
            .current_dir(dir)
            .env_remove("NO_COLOR")
            .output()
            .unwrap(),
    )
}

fn incomplete(r: &Run, says: &str) {
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(says), "{says:?} not in:\n{}", r.stderr);
}

#[test]
fn an_empty_or_reversed_range_is_incomplete() {
    let dir = repo();
    let r = dir.path();
    let reversed = run_in(r, &["scan", "--range", "HEAD..HEAD~1"]);
    incomplete(
        &reversed,
        "range HEAD..HEAD~1 holds no commits: is it reversed? HEAD~1 is an ancestor of HEAD",
    );
    assert!(
        !reversed.stdout.starts_with("no secrets found\n"),
        "{}",
        reversed.stdout
    );
    incomplete(
        &run_in(r, &["scan", "--range", "HEAD..HEAD"]),
        "range HEAD..HEAD holds no commits: HEAD and HEAD are the same commit",
    );
    incomplete(&run_in(r, &["scan", "--since", "HEAD"]), "holds no commits");
    let json = run_in(r, &["scan", "--range", "HEAD..HEAD~1", "--format", "json"]);
    assert_eq!(json.code, 3);
    assert_eq!(json.json()["complete"], false);
    assert!(json.json()["errors"][0]
        .as_str()
        .unwrap()
        .contains("is it reversed?"));
    // The range the right way round is complete.
    let right = run_in(r, &["scan", "--range", "HEAD~1..HEAD", "--format", "json"]);
    assert_eq!(right.code, 0, "{}", right.stderr);
    assert_eq!(right.json()["complete"], true);
    // Nothing staged is nothing to check, as the pre-commit hook relies on.
    assert_eq!(run_in(r, &["scan", "--staged"]).code, 0);
}

#[test]
fn verify_over_an_empty_or_reversed_range_is_incomplete() {
    let dir = repo();
    let r = dir.path();
    let signers = r.join(".git/allowed_signers");
    std::fs::write(&signers, "").unwrap();
    let signers = signers.to_str().unwrap();
    let verify = |range: &str, format: &str| {
        run_in(
            r,
            &[
                "verify",
                "--allowed-signers",
                signers,
                "--range",
                range,
                "--format",
                format,
            ],
        )
    };
    incomplete(
        &verify("HEAD..HEAD~1", "human"),
        "nothing was verified: range HEAD..HEAD~1 holds no commits: is it reversed?",
    );
    let empty = verify("HEAD..HEAD", "json");
    incomplete(
        &empty,
        "nothing was verified: range HEAD..HEAD holds no commits",
    );
    assert_eq!(empty.json()["summary"]["complete"], false);
    // Objects verified: complete (the unsigned commit fails, which is exit 1).
    let one = verify("HEAD~1..HEAD", "json");
    assert_eq!(one.code, 1, "{}", one.stderr);
    assert_eq!(one.json()["summary"]["complete"], true);
}

#[test]
fn a_size_limit_that_skips_everything_is_incomplete() {
    let dir = tree(&[
        ("a.txt", b"hello\n"),
        (".vigil.toml", b"[scan]\nmax_file_size = 0\n"),
    ]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    incomplete(
        &r,
        "a.txt: more than 0 bytes (--max-file-size): not scanned; raise --max-file-size or [scan] max_file_size",
    );
    assert_eq!(r.json()["complete"], false);
    assert_eq!(r.skipped(), [("a.txt".to_owned(), "too-large".to_owned())]);
    let plain = tree(&[("a.txt", b"hello\n")]);
    incomplete(
        &run_in(plain.path(), &["scan", ".", "--max-file-size", "0"]),
        "raise --max-file-size",
    );
    // Empty files are read, whatever the limit: complete.
    let empty = tree(&[("a.txt", b""), ("b/c.txt", b"")]);
    let r = run_in(
        empty.path(),
        &["scan", ".", "--max-file-size", "0", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["complete"], true);
    // Some files scanned, one text file too large: listed, and incomplete (a secret
    // padded past the limit must not pass as clean); a binary one over the limit is
    // skipped as binary, and complete.
    let some = tree(&[("a.txt", b"hello\n"), ("big.txt", &[b'x'; 2048])]);
    let r = run_in(
        some.path(),
        &["scan", ".", "--max-file-size", "1k", "--format", "json"],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.json()["complete"], false);
    let mut image = vec![0u8; 2048];
    image[100..104].copy_from_slice(b"PNG!");
    let binary = tree(&[("a.txt", b"hello\n"), ("big.png", &image)]);
    let b = run_in(
        binary.path(),
        &["scan", ".", "--max-file-size", "1k", "--format", "json"],
    );
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert_eq!(b.json()["complete"], true);
    assert!(b.stderr.contains("1 binary"), "{}", b.stderr);
    assert_eq!(
        r.skipped(),
        [("big.txt".to_owned(), "too-large".to_owned())]
    );
    assert!(
        r.stderr
            .contains("big.txt: not scanned: larger than the size limit"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_named_to_scan_is_not_opened() {
    let dir = tree(&[]);
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let r = run_limited(dir.path(), &["scan", "pipe", "--format", "json"]);
    incomplete(&r, "pipe: not a regular file (a FIFO): not scanned");
    assert_eq!(r.json()["complete"], false);
    assert_eq!(
        r.skipped(),
        [("pipe".to_owned(), "not-a-regular-file".to_owned())]
    );
    let r = run_limited(dir.path(), &["scan", "/dev/null"]);
    incomplete(&r, "/dev/null: not a regular file (a character device)");
    // Met in a folder, a FIFO is listed, never opened; the rest is scanned.
    std::fs::write(dir.path().join("a.txt"), "hello\n").unwrap();
    let r = run_limited(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.skipped(),
        [("pipe".to_owned(), "not-a-regular-file".to_owned())]
    );
}

#[test]
fn a_folder_with_nothing_to_scan_is_incomplete() {
    let dir = tree(&[]);
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    incomplete(
        &run_in(dir.path(), &["scan", "empty"]),
        "nothing was scanned: there is no file to scan",
    );
    let image = [
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
    ];
    std::fs::write(dir.path().join("empty/logo.png"), image).unwrap();
    incomplete(
        &run_in(dir.path(), &["scan", "empty"]),
        "nothing was scanned: every file was skipped: 1 binary",
    );
    // One text file beside it is a scan, clean.
    std::fs::write(dir.path().join("empty/a.txt"), "hello\n").unwrap();
    let r = run_in(dir.path(), &["scan", "empty"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_folder_of_symlinks_is_incomplete() {
    let outside = tree(&[("secret.env", b"hello\n")]);
    let dir = tree(&[]);
    let links = dir.path().join("links");
    std::fs::create_dir(&links).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.env"), links.join("l")).unwrap();
    let r = run_in(dir.path(), &["scan", "links", "--format", "json"]);
    incomplete(
        &r,
        "every item was skipped: 1 symbolic link (links are not followed)",
    );
    assert_eq!(r.skipped(), [("links/l".to_owned(), "symlink".to_owned())]);
    std::fs::write(links.join("a.txt"), "hello\n").unwrap();
    let r = run_in(dir.path(), &["scan", "links", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["complete"], true);
    assert_eq!(r.skipped(), [("links/l".to_owned(), "symlink".to_owned())]);
}

#[test]
fn a_clean_complete_scan_says_so() {
    let dir = tree(&[("a.txt", b"hello\n")]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: Value = r.json();
    assert_eq!(json["complete"], true);
    assert_eq!(json["errors"], serde_json::json!([]));
    assert_eq!(json["skipped"], serde_json::json!([]));
}

#[test]
fn a_bad_shard_is_a_shard_error() {
    let dir = repo();
    let r = run_in(dir.path(), &["scan", "--history", "--shard", "3/2"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--shard: shard \"3/2\": need 1 <= K <= N"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("range"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn reports_listing_skipped_items_pass_their_schemas() {
    let dir = tree(&[("a.txt", b"hello\n"), ("big.txt", &[b'x'; 2048])]);
    std::os::unix::fs::symlink("a.txt", dir.path().join("link")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("r.sarif");
    let gitlab = out.path().join("r.gitlab.json");
    let r = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--max-file-size",
            "1k",
            "--report",
            &format!("sarif={}", sarif.display()),
            "--report",
            &format!("gitlab={}", gitlab.display()),
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let text = std::fs::read_to_string(&sarif).unwrap();
    assert!(
        text.contains("skipped/symlink") && text.contains("skipped/too-large"),
        "{text}"
    );
    crate::reports::validate("fixtures/schemas/sarif-schema-2.1.0.json", &[sarif]);
    crate::reports::validate(
        "fixtures/schemas/gitlab-secret-detection-report-15.2.4.json",
        &[gitlab],
    );
}

#[test]
fn a_history_with_no_commit_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    incomplete(
        &run_in(dir.path(), &["scan", "--history"]),
        "nothing was scanned: no commit is reachable from HEAD or any reference",
    );
    // Nothing staged in a repository without commits: nothing to check.
    assert_eq!(run_in(dir.path(), &["scan", "--staged"]).code, 0);
}

#[test]
fn a_revision_past_the_first_commit_is_not_missing() {
    let dir = repo();
    let r = run_in(dir.path(), &["scan", "--range", "HEAD~10..HEAD"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("revision \"HEAD~10\": the history has fewer commits than it asks for"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("git fetch"), "{}", r.stderr);
}

#[test]
fn a_corrupt_object_is_not_missing() {
    let dir = repo();
    let r = dir.path();
    let head = crate::harness::rev(r, "HEAD");
    let object = r.join(".git/objects").join(&head[..2]).join(&head[2..]);
    let mut perms = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, b"not a zlib stream").unwrap();
    for args in [
        &["scan", "--range", "HEAD~1..HEAD"][..],
        &["scan", "--history"][..],
    ] {
        let out = run_in(r, args);
        assert_eq!(out.code, 3, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("is corrupt or malformed"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("git fetch"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

/// The JSON reports of complete and incomplete scans, folder and git, match the
/// published schema of the JSON report (`fixtures/schemas/vigil-scan-report-1.json`).
#[cfg(unix)]
#[test]
fn json_reports_match_their_schema() {
    let git_repo = repo();
    let folder = tree(&[
        (
            "a.env",
            format!("TOKEN={}\n", crate::harness::GH_TOKEN).as_bytes(),
        ),
        ("big.txt", &[b'x'; 2048]),
    ]);
    std::os::unix::fs::symlink("a.env", folder.path().join("link")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let runs: [(&Path, &[&str]); 4] = [
        (folder.path(), &["scan", ".", "--max-file-size", "1k"]),
        (folder.path(), &["scan", ".", "--max-file-size", "0"]),
        (git_repo.path(), &["scan", "--range", "HEAD..HEAD~1"]),
        (
            git_repo.path(),
            &["scan", "--history", "--max-file-size", "3"],
        ),
    ];
    let mut files = Vec::new();
    for (i, (dir, args)) in runs.iter().enumerate() {
        let r = run_in(dir, &[args, &["--format", "json"][..]].concat());
        assert!([0, 1, 3].contains(&r.code), "{args:?}: {}", r.stderr);
        let file = out.path().join(format!("{i}.json"));
        std::fs::write(&file, &r.stdout).unwrap();
        files.push(file);
    }
    crate::reports::validate(crate::reports::JSON_SCHEMA, &files);
}
