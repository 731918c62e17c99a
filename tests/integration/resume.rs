//! `--checkpoint FILE`: a history scan killed part-way and resumed reports exactly what
//! one whole run does; and `--since-last-scan FILE`: a second audit reports exactly
//! what is new. Real repositories, a real SIGKILL.
use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::harness::*;

/// A history of `commits` commits, each rewriting one of 50 source files of 120 lines,
/// a few of them adding a (fake) token: built with `git fast-import`, in a second.
pub(crate) fn long_history(dir: &Path, commits: usize) {
    git(dir, &["init", "-q"]);
    let mut stream = Vec::new();
    for i in 0..commits {
        let mut body = String::new();
        for j in 0..60 {
            body.push_str(&format!(
                "def f{i}_{j}(x):\n    return x * {j} + {i}  # step\n"
            ));
        }
        if i % 997 == 5 {
            body.push_str(&format!("TOKEN = \"{GH_TOKEN}\"\n"));
        }
        write!(
            stream,
            "commit refs/heads/main\nmark :{}\ncommitter Ada <ada@example.com> {} +0000\ndata 9\nchange {:02}\n",
            i + 1,
            1_700_000_000 + i * 60,
            i % 100
        )
        .unwrap();
        if i > 0 {
            writeln!(stream, "from :{i}").unwrap();
        }
        write!(
            stream,
            "M 100644 inline src/mod{}.py\ndata {}\n{body}\n",
            i % 50,
            body.len()
        )
        .unwrap();
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success(), "git fast-import");
}

/// The summary line, without its time.
fn summary(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("vigil: scanned "))
        .unwrap_or_else(|| panic!("no summary in:\n{stderr}"));
    let (before, after) = line.split_once(" in ").unwrap();
    let (_, after) = after.split_once(" s;").unwrap();
    format!("{before} in <ELAPSED> s;{after}")
}

fn scan(repo: &Path, extra: &[&str]) -> Run {
    run_in(
        repo,
        &[&["scan", "--history", "--format", "json"], extra].concat(),
    )
}

/// Starts a checkpointed scan on one thread and SIGKILLs it once `file` holds a record
/// of done changes, asserting it had not finished by then.
fn kill_part_way(repo: &Path, file: &Path) {
    let mut child = vigil()
        .current_dir(repo)
        .args([
            "scan",
            "--history",
            "-j",
            "1",
            "--format",
            "json",
            "--checkpoint",
        ])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        if text.lines().filter(|l| l.starts_with("{\"done\":")).count() >= 1 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the scan ended before it recorded anything: make the history longer"
        );
        assert!(start.elapsed() < Duration::from_secs(120), "no record");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the scan finished before it could be killed: make the history longer"
    );
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal, not finished");
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        !text.contains("\"complete\""),
        "not marked complete:\n{text}"
    );
}

/// The run stopped with exit code 2 and a message saying `says`.
fn refused(run: &Run, says: &str) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(says), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

/// (done before, total, scanned now) from the note a resumed run prints.
fn resumed(stderr: &str) -> (u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.contains(": resumed; "))
        .unwrap_or_else(|| panic!("no resume note in:\n{stderr}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    let n = numbers.len();
    (numbers[n - 3], numbers[n - 2], numbers[n - 1])
}

#[test]
fn a_killed_history_scan_resumes_to_the_same_report() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    long_history(&repo, 4000);
    let whole = scan(&repo, &["-j", "1"]);
    assert_eq!(whole.code, 1, "{}", whole.stderr);
    assert_eq!(whole.json()["findings"].as_array().unwrap().len(), 5);

    let file = tmp.path().join("scan.checkpoint");
    let file_arg = file.to_str().unwrap();
    kill_part_way(&repo, &file);
    let again = scan(&repo, &["-j", "1", "--checkpoint", file_arg]);
    assert_eq!(again.code, whole.code, "{}", again.stderr);
    assert_eq!(again.stdout, whole.stdout, "the resumed report differs");
    assert_eq!(summary(&again.stderr), summary(&whole.stderr));
    let (done, total, scanned) = resumed(&again.stderr);
    assert_eq!(total, 4000);
    assert!(done > 0 && done + scanned == total, "{}", again.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.ends_with("{\"complete\":true}\n"), "marked complete");
    assert!(
        !text.contains(GH_TOKEN) && !text.contains("ghp_"),
        "no secret on disk"
    );

    // A rerun of a complete checkpoint scans only the changes with findings, and
    // reports the same.
    let rerun = scan(&repo, &["-j", "1", "--checkpoint", file_arg]);
    assert_eq!(rerun.stdout, whole.stdout);
    assert_eq!(summary(&rerun.stderr), summary(&whole.stderr));
    assert!(
        rerun
            .stderr
            .contains("is complete; only the 5 blob changes"),
        "{}",
        rerun.stderr
    );

    // Killed again, then repacked and resumed on more threads: the pack order and the
    // chunks differ; the report does not.
    std::fs::remove_file(&file).unwrap();
    kill_part_way(&repo, &file);
    // fast-import wrote the objects oldest first; a repack writes them newest first.
    git(&repo, &["repack", "-a", "-d", "-q"]);
    let repacked = scan(&repo, &["-j", "2", "--checkpoint", file_arg]);
    assert_eq!(repacked.stdout, whole.stdout, "{}", repacked.stderr);
    assert_eq!(summary(&repacked.stderr), summary(&whole.stderr));
    assert!(resumed(&repacked.stderr).0 > 0);
}

/// A small history with two findings, and a completed checkpoint of its scan.
fn checkpointed() -> (tempfile::TempDir, PathBuf, PathBuf, Run) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    for i in 0..40 {
        let mut text = format!("line {i}\n");
        if i == 7 {
            text.push_str(&format!("TOKEN={GH_TOKEN}\n"));
        }
        if i == 30 {
            text.push_str(&format!("KEY={GH_TOKEN_2}\n"));
        }
        std::fs::write(repo.join(format!("f{}.txt", i % 5)), text).unwrap();
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", &format!("c{i}")]);
    }
    let file = tmp.path().join("cp");
    let first = scan(&repo, &["--checkpoint", file.to_str().unwrap()]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    (tmp, repo, file, first)
}

#[test]
fn a_torn_last_record_is_dropped_and_a_corrupt_one_named() {
    let (_tmp, repo, file, first) = checkpointed();
    let arg = file.to_str().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 3, "header, records, complete:\n{text}");
    // Killed mid-write: the last record cut short, no newline.
    let torn = format!(
        "{}\n{}",
        lines[..2].join("\n"),
        &lines[2][..lines[2].len() / 2]
    );
    std::fs::write(&file, &torn).unwrap();
    let resumed = scan(&repo, &["--checkpoint", arg]);
    assert_eq!(resumed.code, 1, "{}", resumed.stderr);
    assert_eq!(resumed.stdout, first.stdout);
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(after.ends_with("{\"complete\":true}\n"), "{after}");
    assert!(
        after
            .lines()
            .all(|l| l.starts_with('{') && l.ends_with('}')),
        "{after}"
    );

    // A record in the middle that does not read is an error naming the line.
    let mut broken: Vec<&str> = text.lines().collect();
    broken[1] = "{\"done\":\"zz\",\"flagged\":\"\"}";
    std::fs::write(&file, broken.join("\n") + "\n").unwrap();
    let corrupt = scan(&repo, &["--checkpoint", arg]);
    refused(&corrupt, &format!("checkpoint {arg}: line 2:"));
}

#[test]
fn a_checkpoint_of_another_history_or_not_a_checkpoint_is_refused() {
    let (tmp, repo, file, _) = checkpointed();
    let arg = file.to_str().unwrap();
    std::fs::write(repo.join("more.txt"), "more\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "more"]);
    let before = std::fs::read(&file).unwrap();
    let other = scan(&repo, &["--checkpoint", arg]);
    refused(&other, &format!("{arg} was written for --history at HEAD="));
    assert!(
        other.stderr.contains("; this scan is --history at HEAD=")
            && other.stderr.contains("; delete it or use another file"),
        "{}",
        other.stderr
    );
    assert_eq!(std::fs::read(&file).unwrap(), before, "left as it was");
    // Other settings are another scan too.
    std::fs::remove_file(&file).unwrap();
    scan(&repo, &["--checkpoint", arg]);
    let depth = scan(&repo, &["--checkpoint", arg, "--decode-depth", "0"]);
    refused(&depth, "other rules or settings");

    // A file vigil did not write is never overwritten.
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "my notes\n").unwrap();
    let foreign = scan(&repo, &["--checkpoint", notes.to_str().unwrap()]);
    refused(&foreign, "not a vigil checkpoint");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");

    // Nor is a link followed, or a FIFO opened.
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let linked = scan(&repo, &["--checkpoint", link.to_str().unwrap()]);
    refused(&linked, "a symbolic link, not a regular file");
    let fifo = tmp.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success(),
        "mkfifo"
    );
    let piped = scan(&repo, &["--checkpoint", fifo.to_str().unwrap()]);
    refused(&piped, "a FIFO, not a regular file");

    // Staged changes have no checkpoint.
    let staged = run_in(&repo, &["scan", "--staged", "--checkpoint", arg]);
    refused(&staged, "--checkpoint is for scans of commits");
}

/// (rule, path, line, commit, fingerprint) of each finding of a JSON report.
fn finding_set(run: &Run) -> std::collections::BTreeSet<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = |k: &str| f[k].to_string();
            let commit = f["commit"]["id"].as_str().unwrap_or_default().to_owned();
            format!(
                "{} {} {} {commit} {}",
                at("rule"),
                at("path"),
                at("line"),
                at("fingerprint")
            )
        })
        .collect()
}

#[test]
fn a_scan_since_the_last_one_reports_only_what_is_new() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    // Each commit a minute after the one before, so the earliest commit of a blob
    // pair is the one that made it first.
    let clock = std::cell::Cell::new(1_700_000_000u64);
    let commit = |message: &str| {
        git(&repo, &["add", "-A"]);
        clock.set(clock.get() + 60);
        let date = format!("{} +0000", clock.get());
        let out = Command::new("git")
            .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com"])
            .args(["commit", "-q", "--allow-empty", "-m", message])
            .current_dir(&repo)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &repo)
            .output()
            .unwrap();
        assert!(out.status.success(), "git commit: {out:?}");
    };
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("README"), "hello\n").unwrap();
    commit("start");
    std::fs::write(repo.join("s.env"), format!("TOKEN={GH_TOKEN}\n")).unwrap();
    commit("a token");
    std::fs::remove_file(repo.join("s.env")).unwrap();
    commit("remove it");
    let record = tmp.path().join("last-scan");
    let arg = record.to_str().unwrap();

    let first = scan(&repo, &["--since-last-scan", arg]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(first.stderr.contains("no record yet"), "{}", first.stderr);
    let recorded = std::fs::read_to_string(&record).unwrap();
    assert!(
        recorded.starts_with("{\"vigil_scan_record\":1,"),
        "{recorded}"
    );
    assert!(!recorded.contains("ghp_"), "no secret on disk");

    // New work: the old token brought back (the same blob pair), a new one on a new
    // branch, and a merge that adds one of its own.
    std::fs::write(repo.join("s.env"), format!("TOKEN={GH_TOKEN}\n")).unwrap();
    commit("revert the removal");
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("f.txt"), format!("KEY={GH_TOKEN_2}\n")).unwrap();
    commit("feature");
    git(&repo, &["checkout", "-q", "main"]);
    std::fs::write(repo.join("m.txt"), "main\n").unwrap();
    commit("main moves");
    git(&repo, &["merge", "-q", "--no-ff", "--no-commit", "feature"]);
    std::fs::write(repo.join("README"), format!("hello\nSECRET={GH_TOKEN_2}\n")).unwrap();
    commit("merge feature");

    let whole = scan(&repo, &[]);
    let incremental = scan(&repo, &["--since-last-scan", arg]);
    assert_eq!(incremental.code, 1, "{}", incremental.stderr);
    let expected: std::collections::BTreeSet<String> = finding_set(&whole)
        .difference(&finding_set(&first))
        .cloned()
        .collect();
    assert_eq!(
        expected.len(),
        2,
        "f.txt and the merge's README: {expected:?}"
    );
    assert_eq!(finding_set(&incremental), expected);
    assert!(summary(&incremental.stderr).starts_with("vigil: scanned 4 commits,"));

    // Nothing new: nothing scanned, and that is clean, not "scanned nothing".
    let third = scan(&repo, &["--since-last-scan", arg]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert!(
        third.stderr.contains("nothing new since the last scan ("),
        "{}",
        third.stderr
    );
    assert_eq!(third.json()["findings"].as_array().unwrap().len(), 0);
    assert!(third.stderr.contains("scanned 0 files"), "{}", third.stderr);

    // A branch rewritten and collected: its old tip is gone, noted, and what it held
    // is still not reported twice.
    git(&repo, &["branch", "-q", "-D", "feature"]);
    git(&repo, &["reset", "-q", "--hard", "HEAD~1"]);
    commit("rewritten");
    git(&repo, &["reflog", "expire", "--expire=now", "--all"]);
    git(&repo, &["gc", "-q", "--prune=now"]);
    let rewritten = scan(&repo, &["--since-last-scan", arg]);
    assert_eq!(rewritten.code, 0, "{}", rewritten.stderr);
    assert!(
        rewritten.stderr.contains("no longer in the repository"),
        "{}",
        rewritten.stderr
    );

    // Not with a shard; a file vigil did not write is not replaced.
    let sharded = scan(&repo, &["--since-last-scan", arg, "--shard", "1/2"]);
    refused(&sharded, "a shard (--shard) covers only part of it");
    let notes = tmp.path().join("notes");
    std::fs::write(&notes, "mine\n").unwrap();
    let foreign = scan(&repo, &["--since-last-scan", notes.to_str().unwrap()]);
    refused(&foreign, "not a record of a vigil scan");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "mine\n");
}
