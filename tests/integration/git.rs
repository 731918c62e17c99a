//! Git sources on fixture repositories built by fixtures/git/build.sh.
use std::process::Command;

use crate::harness::*;

fn fixture(scenario: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    build_fixture("git", scenario)
}

/// (path, line, commit id or "") of each finding.
fn places(r: &Run) -> Vec<(String, u64, String)> {
    let report = r.json();
    let mut v: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["commit"]["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn place(path: &str, line: u64, commit: &str) -> (String, u64, String) {
    (path.to_owned(), line, commit.to_owned())
}

/// The object formats the git sources are tested in (`git init --object-format`):
/// the same fixtures give the same findings, with 40- or 64-hex commit ids.
const FORMATS: [&str; 2] = ["sha1", "sha256"];

/// The fixture in a repository of object `format`.
fn fixture_in(scenario: &str, format: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let built = build_fixture_with("git", scenario, &[("VIGIL_OBJECT_FORMAT", format)]);
    let made = git(&built.1, &["rev-parse", "--show-object-format"]);
    assert_eq!(made.trim(), format);
    built
}

/// Every report format that shows a commit shows the 64-hex id whole (the human and
/// Markdown reports its first 12 digits, as for SHA-1), and a `.gitleaksignore` fingerprint
/// naming a 64-hex commit reads back and accepts that finding.
#[test]
fn reports_and_fingerprints_with_sha256_commit_ids() {
    let (_t, repo) = fixture_in("range", "sha256");
    let add = rev(&repo, "c-add");
    let range = ["scan", "--range", "c-base..main", "--color", "never"];
    for (format, shows) in [
        ("human", &add[..12]),
        ("json", &add[..]),
        ("jsonl", &add[..]),
        ("sarif", &add[..]),
        ("gitlab", &add[..]),
        ("github", &add[..]),
        ("markdown", &add[..12]),
        ("junit", &add[..]),
    ] {
        let r = run_in(&repo, &[&range[..], &["--format", format]].concat());
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        assert!(
            r.stdout.contains(shows),
            "{format} lacks {shows}:\n{}",
            r.stdout
        );
    }
    std::fs::write(repo.join(".gitleaks.toml"), "[extend]\nuseDefault = true\n").unwrap();
    std::fs::write(
        repo.join(".gitleaksignore"),
        format!("{add}:app.yaml:github-pat:2\n"),
    )
    .unwrap();
    let with_ignore = ["--gitleaks-config", ".gitleaks.toml", "--format", "json"];
    let r = run_in(&repo, &[&range[..], &with_ignore].concat());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        places(&r),
        vec![
            place("notes.txt", 2, &rev(&repo, "c-feature-note")),
            place("notes.txt", 4, &rev(&repo, "c-merge")),
        ]
    );
}

#[test]
fn staged_in_a_repository_without_commits() {
    let (_t, repo) = fixture("staged-empty");
    let r = run_in(&repo, &["scan", "--staged", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(places(&r), vec![place("app.env", 2, "")]);
    // No commit holds a staged secret: the advice is to unstage and rotate, not to
    // rewrite a history that does not have it.
    let r = run_in(&repo, &["scan", "--staged", "--color", "never"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let last = r.stdout.lines().last().unwrap_or_default();
    assert!(
        last.contains("git restore --staged") && last.contains("revoke"),
        "{last}"
    );
    assert!(!r.stdout.contains("history"), "{}", r.stdout);
    // A folder scan of the same tree still says to clean history.
    let r = run_in(&repo, &["scan", ".", "--color", "never"]);
    assert!(r.stdout.contains("remove it from history"), "{}", r.stdout);
}

#[test]
fn staged_changes_renames_deletions_binary_submodules_crlf() {
    for format in FORMATS {
        staged_changes_renames_deletions_binary_submodules_crlf_in(format);
    }
}

fn staged_changes_renames_deletions_binary_submodules_crlf_in(format: &str) {
    let (_t, repo) = fixture_in("staged", format);
    let r = run_in(&repo, &["scan", "--staged", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Only added lines, with new-file line numbers: the untouched secret on config.py:3,
    // the purely renamed file and the deleted file are not reported; the binary file
    // and the submodule are skipped and counted.
    assert_eq!(
        places(&r),
        vec![
            place("conf/settings.ini", 3, ""),
            place("config.py", 4, ""),
            place("windows.txt", 3, "")
        ]
    );
    assert!(
        r.stderr.contains("1 binary") && r.stderr.contains("1 submodule"),
        "{}",
        r.stderr
    );
    // The worktree is not what is scanned: unstaged edits do not count.
    std::fs::write(repo.join("config.py"), "clean\n").unwrap();
    let again = run_in(&repo, &["scan", "--staged", "--format", "json"]);
    assert_eq!(places(&again), places(&r));
}

#[test]
fn staged_during_a_merge() {
    let (_t, repo) = fixture("staged-merge");
    let r = run_in(&repo, &["scan", "--staged", "--format", "json"]);
    // What `git diff --cached` adds against HEAD: the merged-in line and the resolution.
    assert_eq!(
        places(&r),
        vec![place("shared.txt", 3, ""), place("shared.txt", 4, "")]
    );
}

#[test]
fn range_with_merges_and_a_secret_added_then_removed() {
    for format in FORMATS {
        range_with_merges_and_a_secret_added_then_removed_in(format);
    }
}

fn range_with_merges_and_a_secret_added_then_removed_in(format: &str) {
    let (_t, repo) = fixture_in("range", format);
    let r = run_in(
        &repo,
        &["scan", "--range", "c-base..main", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        places(&r),
        vec![
            place("app.yaml", 2, &rev(&repo, "c-add")),
            place("notes.txt", 2, &rev(&repo, "c-feature-note")),
            // The merge's conflict resolution; the merged-in line 3 was scanned in its own commit.
            place("notes.txt", 4, &rev(&repo, "c-merge")),
        ]
    );
    let f = &r.json()["findings"][0];
    assert_eq!(f["commit"]["author"], "Ada Lovelace");
    assert_eq!(f["commit"]["email"], "ada@example.com");
    assert!(f["commit"]["date"].as_i64().unwrap() > 1_700_000_000);
    assert!(r.stderr.contains("scanned 5 commits"), "{}", r.stderr);
    // Full ids on the command line, as CI gives them, and abbreviated ones (loose
    // objects: gix alone finds none by a short SHA-256 id).
    let (base, main) = (rev(&repo, "c-base"), rev(&repo, "main"));
    for ids in [
        format!("{base}..{main}"),
        format!("{}..{}", &base[..7], &main[..12]),
    ] {
        let again = run_in(&repo, &["scan", "--range", &ids, "--format", "json"]);
        assert_eq!(
            places(&again),
            places(&r),
            "{format} {ids}: {}",
            again.stderr
        );
    }
    // --since is REV..HEAD; a range that excludes the leak does not report it.
    let since = run_in(&repo, &["scan", "--since", "c-remove", "--format", "json"]);
    assert_eq!(
        places(&since),
        vec![
            place("notes.txt", 2, &rev(&repo, "c-feature-note")),
            place("notes.txt", 4, &rev(&repo, "c-merge"))
        ]
    );
}

#[test]
fn history_finds_secrets_whose_files_were_deleted() {
    for format in FORMATS {
        history_finds_secrets_whose_files_were_deleted_in(format);
    }
}

fn history_finds_secrets_whose_files_were_deleted_in(format: &str) {
    let (_t, repo) = fixture_in("history", format);
    let r = run_in(&repo, &["scan", "--history", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        places(&r),
        vec![
            place("deploy/push.sh", 3, &rev(&repo, "c-leak")),
            place("side.txt", 1, &rev(&repo, "c-side"))
        ]
    );
    // The folder scan of the same checkout finds nothing: the leak lives only in history.
    assert_eq!(run_in(&repo, &["scan", "."]).code, 0);
}

#[test]
fn shards_union_equals_the_whole() {
    let (_t, repo) = fixture("range");
    let whole = places(&run_in(&repo, &["scan", "--history", "--format", "json"]));
    let mut union = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let r = run_in(
            &repo,
            &["scan", "--history", "--shard", &shard, "--format", "json"],
        );
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        union.extend(places(&r));
    }
    union.sort();
    assert_eq!(union, whole, "shards overlap or miss findings");
    assert_eq!(
        run_in(&repo, &["scan", "--history", "--shard", "4/3"]).code,
        2
    );
    assert_eq!(
        run_in(&repo, &["scan", "--staged", "--shard", "1/2"]).code,
        2
    );
}

#[test]
fn shallow_clone_missing_the_range_base_is_incomplete() {
    let (tmp, repo) = fixture("range");
    let base = rev(&repo, "c-base");
    let clone = tmp.path().join("shallow");
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--no-tags"])
        .arg(format!("file://{}", repo.display()))
        .arg(&clone)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = run_in(&clone, &["scan", "--range", &format!("{base}..HEAD")]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains(&base) && r.stderr.contains("shallow") && r.stderr.contains("git fetch"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stdout.contains("no secrets found"),
        "an incomplete scan must not look clean"
    );
    let h = run_in(&clone, &["scan", "--history"]);
    assert_eq!(h.code, 3, "{}", h.stderr);
    let unknown = run_in(&repo, &["scan", "--range", "no-such-rev..HEAD"]);
    assert_eq!(unknown.code, 3, "{}", unknown.stderr);
}

#[test]
fn deep_history_with_a_large_binary_blob() {
    for format in FORMATS {
        deep_history_with_a_large_binary_blob_in(format);
    }
}

fn deep_history_with_a_large_binary_blob_in(format: &str) {
    let (_t, repo) = fixture_in("deep", format);
    // Loose objects first, then packed with deltas: a long history is read in pack
    // order (trees first, from the pack headers' kinds), and must find the same.
    for packed in [false, true] {
        if packed {
            git(&repo, &["repack", "-a", "-d", "-f", "-q"]);
            git(&repo, &["prune-packed"]);
        }
        let r = run_in(&repo, &["scan", "--history", "--format", "json"]);
        assert_eq!(r.code, 1, "{format}, packed: {packed}: {}", r.stderr);
        assert_eq!(
            places(&r),
            vec![place("log.txt", 151, &rev(&repo, "c-step-150"))],
            "{format}, packed: {packed}"
        );
        assert!(r.stderr.contains("scanned 301 commits"), "{}", r.stderr);
        // Binary content is skipped as binary whatever its size.
        assert!(r.stderr.contains("1 binary"), "{}", r.stderr);
    }
}

#[test]
fn not_a_repository_is_a_usage_error() {
    let dir = tree(&[("a.txt", b"x\n")]);
    let r = run_in(dir.path(), &["scan", "--staged"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not a git repository"), "{}", r.stderr);
}

/// Differential check against gitleaks: every secret `gitleaks git` finds in the
/// fixture histories, `vigil scan --history` finds too. Runs the real gitleaks, which
/// scripts/test installs into bench/.peers (scripts/install-peers.sh); fails, never
/// skips, when it is missing.
#[test]
fn history_finds_everything_gitleaks_finds() {
    let local = repo_root().join("bench/.peers/gitleaks");
    let gitleaks = if local.exists() {
        local
    } else {
        "gitleaks".into()
    };
    for scenario in ["range", "history", "deep"] {
        let (tmp, repo) = fixture(scenario);
        let report = tmp.path().join("gitleaks.json");
        let out = Command::new(&gitleaks)
            .args([
                "git",
                "--no-banner",
                "--report-format",
                "json",
                "--report-path",
            ])
            .arg(&report)
            .arg(&repo)
            .output()
            .expect("gitleaks is installed: scripts/test installs it into bench/.peers");
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        let ours = places(&run_in(&repo, &["scan", "--history", "--format", "json"]));
        for f in theirs.as_array().unwrap() {
            let p = place(
                f["File"].as_str().unwrap(),
                f["StartLine"].as_u64().unwrap(),
                f["Commit"].as_str().unwrap(),
            );
            assert!(
                ours.contains(&p),
                "{scenario}: gitleaks found {p:?}, vigil did not: {ours:?}"
            );
        }
    }
}

/// Runs vigil in `dir` as a CI job would, with only the CI variables given.
fn in_ci(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = vigil();
    for k in [
        "GITHUB_ACTIONS",
        "GITHUB_EVENT_NAME",
        "GITHUB_EVENT_PATH",
        "GITLAB_CI",
        "CI_PIPELINE_SOURCE",
        "CI_COMMIT_SHA",
        "CI_COMMIT_BEFORE_SHA",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
        "CI_COMMIT_TAG",
    ] {
        c.env_remove(k);
    }
    c.envs(env.iter().copied());
    finish(&c.current_dir(dir).args(args).output().unwrap())
}

/// `scan --ci` and `verify --ci` resolve the event (GitHub pull_request, GitLab merge
/// request), say what they resolved, and scan that; a shallow clone missing the base
/// exits 3 naming the setting to change.
#[test]
fn ci_flags_scan_and_verify_what_the_event_says() {
    let (tmp, repo) = fixture("range");
    let base = rev(&repo, "c-base");
    let head = rev(&repo, "main");
    let event = tmp.path().join("event.json");
    std::fs::write(
        &event,
        format!(r#"{{"pull_request":{{"base":{{"sha":"{base}"}},"head":{{"sha":"{head}"}}}}}}"#),
    )
    .unwrap();
    let github = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
    ];
    let r = in_ci(&repo, &["scan", "--ci", "--format", "json"], &github);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let said = format!(
        "range {}..{} from GitHub pull_request",
        &base[..7],
        &head[..7]
    );
    assert!(r.stderr.contains(&said), "{}", r.stderr);
    let direct = run_in(
        &repo,
        &[
            "scan",
            "--range",
            &format!("{base}..{head}"),
            "--format",
            "json",
        ],
    );
    assert_eq!(
        places(&r),
        places(&direct),
        "the same findings as the range itself"
    );

    let gitlab = [
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
        ("CI_COMMIT_SHA", head.as_str()),
    ];
    let r = in_ci(&repo, &["scan", "--ci", "--format", "json"], &gitlab);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(places(&r), places(&direct));

    let signers = tmp.path().join("allowed_signers");
    std::fs::write(&signers, "").unwrap();
    let r = in_ci(
        &repo,
        &[
            "verify",
            "--ci",
            "--allowed-signers",
            signers.to_str().unwrap(),
            "--format",
            "json",
        ],
        &github,
    );
    assert_eq!(r.code, 1, "unsigned commits fail: {}", r.stderr);
    assert!(
        r.stderr.contains("from GitHub pull_request"),
        "{}",
        r.stderr
    );

    // A shallow clone holds the head but not the base.
    let shallow = tmp.path().join("shallow");
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--branch", "main"])
        .arg(format!("file://{}", repo.display()))
        .arg(&shallow)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = in_ci(&shallow, &["scan", "--ci"], &github);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
    let r = in_ci(&shallow, &["scan", "--ci"], &gitlab);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("GIT_DEPTH: 0"), "{}", r.stderr);
}
