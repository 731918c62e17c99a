//! The range resolver against real repositories built with git: one row per hook
//! input, GitHub event and GitLab pipeline, in a full clone and in a shallow one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::{collections::HashMap, path::Path, process::Command};

use vigil_core::resolve::{
    resolve_ci, resolve_pre_commit, resolve_pre_push, Commits, ResolveError, Resolved, Target,
};
use vigil_git::Repo;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn commit(dir: &Path, name: &str) {
    std::fs::write(dir.join(name), name).unwrap();
    git(dir, &["add", name]);
    git(dir, &["commit", "-q", "-m", name]);
}

/// main: c1 - c2 - c3 (annotated tag v1 on c3); side: c1 - s1; an orphan branch: o1.
/// And a shallow clone of main (depth 1: only c3).
struct Fixture {
    _dir: tempfile::TempDir,
    full: Repo,
    shallow: Repo,
    names: Vec<(&'static str, String)>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    git(&src, &["init", "-q"]);
    for c in ["c1", "c2", "c3"] {
        commit(&src, c);
    }
    git(&src, &["tag", "-a", "-m", "v1", "v1"]);
    git(&src, &["checkout", "-q", "-b", "side", "main~2"]);
    commit(&src, "s1");
    git(&src, &["checkout", "-q", "--orphan", "orphan"]);
    commit(&src, "o1");
    git(&src, &["checkout", "-q", "main"]);
    let url = format!("file://{}", src.display());
    git(
        dir.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "main", &url, "shallow",
        ],
    );
    let mut names = vec![("zero", "0".repeat(40)), ("gone", "1234567890".repeat(4))];
    for (name, rev) in [
        ("c1", "main~2"),
        ("c2", "main~1"),
        ("c3", "main"),
        ("s1", "side"),
        ("o1", "orphan"),
        ("v1", "v1"),
    ] {
        names.push((name, git(&src, &["rev-parse", rev])));
    }
    Fixture {
        full: Repo::discover(&src).unwrap(),
        shallow: Repo::discover(&dir.path().join("shallow")).unwrap(),
        names,
        _dir: dir,
    }
}

impl Fixture {
    /// `text` with each `{name}` replaced by that commit's id.
    fn fill(&self, text: &str) -> String {
        self.names.iter().fold(text.to_owned(), |t, (n, id)| {
            t.replace(&format!("{{{n}}}"), id)
        })
    }

    fn name(&self, id: &str) -> String {
        self.names
            .iter()
            .find(|(_, i)| i == id)
            .map_or_else(|| format!("?{id}"), |(n, _)| (*n).to_owned())
    }

    /// "c1..c3", "new s1", "history", "staged", "nothing", or "incomplete: …" / "error: …".
    fn render(&self, result: &Result<Resolved, ResolveError>) -> String {
        match result {
            Ok(r) => match &r.target {
                Target::Staged => "staged".to_owned(),
                Target::History => "history".to_owned(),
                Target::Nothing { .. } => "nothing".to_owned(),
                Target::Commits(sets) => sets
                    .iter()
                    .map(|c| match c {
                        Commits::Range(r) => {
                            format!("{}..{}", self.name(&r.base), self.name(&r.head))
                        }
                        Commits::New { tip } => format!("new {}", self.name(tip)),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            Err(e) if e.is_incomplete() => format!("incomplete: {e}"),
            Err(e) => format!("error: {e}"),
        }
    }
}

/// Checks `expect`: an exact rendering, or for an error its kind and a part of its message.
fn check(row: &str, got: &str, origin: &str, expect: &str, origin_part: &str) {
    match expect.split_once(": ") {
        Some((kind @ ("incomplete" | "error"), part)) => assert!(
            got.starts_with(kind) && got.contains(part),
            "{row}: expected {kind} with {part:?}, got {got:?}"
        ),
        _ => assert_eq!(got, expect, "{row}"),
    }
    assert!(
        origin.contains(origin_part),
        "{row}: origin {origin:?} lacks {origin_part:?}"
    );
}

#[derive(Clone, Copy)]
enum Clone_ {
    Full,
    Shallow,
}
use Clone_::{Full, Shallow};

const GH: &str = "GITHUB_ACTIONS=true GITHUB_EVENT_PATH=event.json GITHUB_EVENT_NAME=";
const GL: &str = "GITLAB_CI=true CI_PIPELINE_SOURCE=";

/// (row, clone, environment "K=V K=V", event JSON, expected, a part of the origin).
const CI: &[(&str, Clone_, &str, &str, &str, &str)] = &[
    (
        "gh push",
        Full,
        "push",
        r#"{"ref":"refs/heads/main","before":"{c1}","after":"{c3}"}"#,
        "c1..c3",
        "GitHub push",
    ),
    (
        "gh push new branch",
        Full,
        "push",
        r#"{"ref":"refs/heads/side","before":"{zero}","after":"{s1}","created":true}"#,
        "new s1",
        "new ref",
    ),
    (
        "gh push forced, old head here",
        Full,
        "push",
        r#"{"ref":"refs/heads/main","before":"{s1}","after":"{c3}","forced":true}"#,
        "c1..c3",
        "merge base",
    ),
    (
        "gh push forced, old head gone",
        Full,
        "push",
        r#"{"ref":"refs/heads/main","before":"{gone}","after":"{c3}","forced":true}"#,
        "new c3",
        "forced push?",
    ),
    (
        "gh push forced, no shared history",
        Full,
        "push",
        r#"{"ref":"refs/heads/main","before":"{o1}","after":"{c3}"}"#,
        "new c3",
        "shares no history",
    ),
    (
        "gh push deleted",
        Full,
        "push",
        r#"{"ref":"refs/heads/side","before":"{s1}","after":"{zero}","deleted":true}"#,
        "nothing",
        "deleted",
    ),
    (
        "gh push not moved",
        Full,
        "push",
        r#"{"ref":"refs/heads/main","before":"{c3}","after":"{c3}"}"#,
        "nothing",
        "GitHub push",
    ),
    (
        "gh push tag",
        Full,
        "push",
        r#"{"ref":"refs/tags/v1","before":"{zero}","after":"{v1}"}"#,
        "new c3",
        "tag",
    ),
    (
        "gh pull_request",
        Full,
        "pull_request",
        r#"{"pull_request":{"base":{"sha":"{c1}"},"head":{"sha":"{c3}"}}}"#,
        "c1..c3",
        "GitHub pull_request",
    ),
    (
        "gh pull_request_target",
        Full,
        "pull_request_target",
        r#"{"pull_request":{"base":{"sha":"{c2}"},"head":{"sha":"{s1}"}}}"#,
        "c2..s1",
        "GitHub pull_request_target",
    ),
    (
        "gh merge_group",
        Full,
        "merge_group",
        r#"{"merge_group":{"base_sha":"{c2}","head_sha":"{c3}"}}"#,
        "c2..c3",
        "GitHub merge_group",
    ),
    (
        "gh schedule",
        Full,
        "schedule",
        "",
        "history",
        "GitHub schedule",
    ),
    (
        "gh workflow_dispatch",
        Full,
        "workflow_dispatch",
        "",
        "history",
        "GitHub workflow_dispatch",
    ),
    (
        "gh unknown event",
        Full,
        "issues",
        "{}",
        "error: \"issues\" is not supported; vigil resolves push, pull_request",
        "",
    ),
    (
        "gh event lacks a field",
        Full,
        "pull_request",
        r#"{"pull_request":{"base":{"sha":"{c1}"}}}"#,
        "error: pull_request.head.sha is missing",
        "",
    ),
    (
        "gh event not JSON",
        Full,
        "pull_request",
        "{",
        "error: event.json: not JSON",
        "",
    ),
    (
        "gh event bad id",
        Full,
        "merge_group",
        r#"{"merge_group":{"base_sha":"main","head_sha":"{c3}"}}"#,
        "error: merge_group.base_sha is not a full commit id",
        "",
    ),
    (
        "gh shallow push",
        Shallow,
        "push",
        r#"{"ref":"refs/heads/main","before":"{c2}","after":"{c3}"}"#,
        "incomplete: `fetch-depth: 0`",
        "",
    ),
    (
        "gh shallow pull_request",
        Shallow,
        "pull_request",
        r#"{"pull_request":{"base":{"sha":"{c1}"},"head":{"sha":"{c3}"}}}"#,
        "incomplete: `fetch-depth: 0`",
        "",
    ),
    (
        "gl merge request",
        Full,
        "merge_request_event CI_MERGE_REQUEST_DIFF_BASE_SHA={c1} CI_COMMIT_SHA={c3}",
        "",
        "c1..c3",
        "GitLab merge request",
    ),
    (
        "gl branch",
        Full,
        "push CI_COMMIT_BEFORE_SHA={c2} CI_COMMIT_SHA={c3}",
        "",
        "c2..c3",
        "GitLab branch",
    ),
    (
        "gl new branch",
        Full,
        "push CI_COMMIT_BEFORE_SHA={zero} CI_COMMIT_SHA={s1}",
        "",
        "new s1",
        "new ref",
    ),
    (
        "gl forced push",
        Full,
        "push CI_COMMIT_BEFORE_SHA={s1} CI_COMMIT_SHA={c3}",
        "",
        "c1..c3",
        "merge base",
    ),
    (
        "gl tag",
        Full,
        "push CI_COMMIT_TAG=v1 CI_COMMIT_BEFORE_SHA={zero} CI_COMMIT_SHA={c3}",
        "",
        "new c3",
        "GitLab tag",
    ),
    (
        "gl schedule",
        Full,
        "schedule CI_COMMIT_SHA={c3}",
        "",
        "history",
        "GitLab schedule",
    ),
    (
        "gl web",
        Full,
        "web CI_COMMIT_SHA={c3}",
        "",
        "history",
        "GitLab web",
    ),
    (
        "gl api",
        Full,
        "api CI_COMMIT_SHA={c3}",
        "",
        "history",
        "GitLab api",
    ),
    (
        "gl unknown source",
        Full,
        "trigger CI_COMMIT_SHA={c3}",
        "",
        "error: \"trigger\" is not supported",
        "",
    ),
    (
        "gl merge request without base",
        Full,
        "merge_request_event CI_COMMIT_SHA={c3}",
        "",
        "error: CI_MERGE_REQUEST_DIFF_BASE_SHA is not set",
        "",
    ),
    (
        "gl shallow branch",
        Shallow,
        "push CI_COMMIT_BEFORE_SHA={c2} CI_COMMIT_SHA={c3}",
        "",
        "incomplete: `GIT_DEPTH: 0`",
        "",
    ),
    (
        "gl shallow merge request",
        Shallow,
        "merge_request_event CI_MERGE_REQUEST_DIFF_BASE_SHA={c1} CI_COMMIT_SHA={c3}",
        "",
        "incomplete: `GIT_DEPTH: 0`",
        "",
    ),
];

#[test]
fn ci_events() {
    let f = fixture();
    for &(row, clone, vars, event, expect, origin_part) in CI {
        let prefix = if row.starts_with("gh") { GH } else { GL };
        let vars = f.fill(&format!("{prefix}{vars}"));
        let env: HashMap<&str, &str> = vars
            .split(' ')
            .map(|kv| kv.split_once('=').unwrap())
            .collect();
        let event = f.fill(event);
        let read = |path: &str| {
            assert_eq!(path, "event.json", "{row}");
            Ok(event.clone())
        };
        let repo = match clone {
            Full => &f.full,
            Shallow => &f.shallow,
        };
        let result = resolve_ci(repo, &|k| env.get(k).map(|v| (*v).to_owned()), &read);
        let origin = result
            .as_ref()
            .map(|r| r.origin.clone())
            .unwrap_or_default();
        check(row, &f.render(&result), &origin, expect, origin_part);
    }
}

#[test]
fn outside_ci_is_an_error() {
    let f = fixture();
    let result = resolve_ci(&f.full, &|_| None, &|_| Ok(String::new()));
    let got = f.render(&result);
    assert!(got.starts_with("error: not in a CI job"), "{got}");
}

/// (row, clone, stdin, expected, a part of the origin).
const PRE_PUSH: &[(&str, Clone_, &str, &str, &str)] = &[
    ("update", Full, "refs/heads/main {c3} refs/heads/main {c1}\n", "c1..c3", "git pre-push of refs/heads/main"),
    ("new branch", Full, "refs/heads/side {s1} refs/heads/side {zero}\n", "new s1", "new ref"),
    ("new tag", Full, "refs/tags/v1 {v1} refs/tags/v1 {zero}\n", "new c3", "refs/tags/v1"),
    ("forced push", Full, "refs/heads/main {c3} refs/heads/main {s1}\n", "c1..c3", "merge base"),
    ("remote head not fetched", Full, "refs/heads/main {c3} refs/heads/main {gone}\n", "new c3", "not in this repository"),
    ("delete", Full, "(delete) {zero} refs/heads/old {c1}\n", "nothing", "pre-push"),
    ("up to date", Full, "refs/heads/main {c3} refs/heads/main {c3}\n", "nothing", "pre-push"),
    ("several refs", Full, "refs/heads/main {c3} refs/heads/main {c1}\nrefs/heads/side {s1} refs/heads/side {zero}\n", "c1..c3, new s1", "refs/heads/main, refs/heads/side"),
    ("delete and update", Full, "(delete) {zero} refs/heads/old {c1}\nrefs/heads/main {c3} refs/heads/main {c2}\n", "c2..c3", "refs/heads/main"),
    ("empty push", Full, "", "nothing", "pre-push"),
    ("too few fields", Full, "refs/heads/main {c3} refs/heads/main {c1}\nrefs/heads/x ghp_NotARealTokenButSecretLooking refs/heads/x\n", "error: line 2: 3 space-separated fields instead of 4", ""),
    ("bad sha", Full, "refs/heads/main c3 refs/heads/main {c1}\n", "error: line 1: the local sha is not a full commit id", ""),
    ("blank line", Full, "\nrefs/heads/main {c3} refs/heads/main {c1}\n", "error: line 1: 1 space-separated fields", ""),
    ("shallow", Shallow, "refs/heads/main {c3} refs/heads/main {c2}\n", "incomplete: `git fetch --unshallow`", ""),
];

#[test]
fn pre_push_lines() {
    let f = fixture();
    for &(row, clone, stdin, expect, origin_part) in PRE_PUSH {
        let repo = match clone {
            Full => &f.full,
            Shallow => &f.shallow,
        };
        let result = resolve_pre_push(repo, &f.fill(stdin));
        let origin = result
            .as_ref()
            .map(|r| r.origin.clone())
            .unwrap_or_default();
        let got = f.render(&result);
        check(row, &got, &origin, expect, origin_part);
        assert!(
            !got.contains("ghp_"),
            "{row}: the error echoes the line: {got}"
        );
    }
}

/// (row, PRE_COMMIT_FROM_REF, PRE_COMMIT_TO_REF, expected).
const PRE_COMMIT: &[(&str, Option<&str>, Option<&str>, &str)] = &[
    ("no range: staged", None, None, "staged"),
    ("range of ids", Some("{c1}"), Some("{c3}"), "c1..c3"),
    ("range of refs", Some("side"), Some("main"), "s1..c3"),
    (
        "only from",
        Some("{c1}"),
        None,
        "error: PRE_COMMIT_TO_REF is not set",
    ),
    (
        "missing commit",
        Some("{gone}"),
        Some("main"),
        "incomplete: git fetch origin",
    ),
];

#[test]
fn pre_commit_framework() {
    let f = fixture();
    for &(row, from, to, expect) in PRE_COMMIT {
        let (from, to) = (from.map(|v| f.fill(v)), to.map(|v| f.fill(v)));
        let env = |k: &str| match k {
            "PRE_COMMIT_FROM_REF" => from.clone(),
            "PRE_COMMIT_TO_REF" => to.clone(),
            _ => None,
        };
        let result = resolve_pre_commit(&f.full, &env);
        let origin = result
            .as_ref()
            .map(|r| r.origin.clone())
            .unwrap_or_default();
        check(row, &f.render(&result), &origin, expect, "");
    }
}
