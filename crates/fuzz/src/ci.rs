//! CI events as the range resolver reads them: GitHub Actions' variables and event
//! payload, GitLab CI/CD's predefined variables.
use std::{path::Path, process::Command};

use vigil_core::resolve::resolve_ci;
use vigil_git::Repo;

// The repository's commits are made with fixed names and dates, so their ids are the
// same everywhere (the seeds use them): `main~1` (the root), `main` on it, and `side`
// on the root too (a push from `main` to `side` rewrites history).
thread_local! {
    /// The repository (its folder, which must live as long as it) or `None` if git
    /// could not make it.
    static REPO: Option<(tempfile::TempDir, Repo)> = make_repo();
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args(["-c", "user.name=Fuzz", "-c", "user.email=fuzz@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn make_repo() -> Option<(tempfile::TempDir, Repo)> {
    let dir = tempfile::tempdir().ok()?;
    let d = dir.path();
    let made = git(d, &["init", "-q"])
        && git(d, &["commit", "-q", "--allow-empty", "-m", "root"])
        && git(d, &["branch", "side"])
        && git(d, &["commit", "-q", "--allow-empty", "-m", "main"])
        && git(d, &["checkout", "-q", "side"])
        && git(d, &["commit", "-q", "--allow-empty", "-m", "side"])
        && git(d, &["checkout", "-q", "main"]);
    if !made {
        return None;
    }
    let repo = Repo::discover(d).ok()?;
    Some((dir, repo))
}

/// Environment variables (`NAME=value` lines), then a blank line, then the file every
/// path reads as (the GitHub event payload). The resolver runs in a small repository
/// of three commits (see `REPO`).
pub fn ci_event(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (vars, file) = text.split_once("\n\n").unwrap_or((&text, ""));
    let env = |name: &str| {
        vars.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_owned)
    };
    let read_file = |_: &str| Ok(file.to_owned());
    REPO.with(|r| {
        assert!(r.is_some(), "git makes the fuzz repository");
        if let Some((_, repo)) = r {
            let _ = resolve_ci(repo, &env, &read_file);
        }
    });
}
