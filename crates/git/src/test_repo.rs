//! Packed repositories built with git, for the tests of the pack-order readers.
use std::{path::Path, process::Command};

pub(crate) fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
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
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// The object formats git repositories come in (`git init --object-format`): the
/// readers are checked on each.
pub(crate) const FORMATS: [&str; 2] = ["sha1", "sha256"];

/// 40 commits, each changing one of 6 files in `src/deep` (so each version of that
/// tree is a small delta of another) and adding a line to `log.txt` (so each version
/// of that blob is a delta too), then packed with `git repack -a -d -f` on one thread;
/// in a repository of object `format` (see [`FORMATS`]).
pub(crate) fn packed_history(format: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    git(
        dir.path(),
        &["init", "-q", &format!("--object-format={format}")],
    );
    std::fs::create_dir_all(dir.path().join("src/deep")).expect("dirs");
    let mut log = String::new();
    for i in 0..40 {
        for f in 0..6 {
            let name = format!("src/deep/file{f:02}.txt");
            let version = if f == i % 6 { i } else { 0 };
            std::fs::write(dir.path().join(name), format!("{version} {f}\n")).expect("write");
        }
        log.push_str(&format!(
            "step {i}: the build log grows by one line per commit\n"
        ));
        std::fs::write(dir.path().join("log.txt"), &log).expect("write");
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", &format!("c{i}")]);
    }
    // One thread: git's threaded delta search picks different bases from run to run
    // (fewer deltas under load), and the tests count deltas.
    git(
        dir.path(),
        &["-c", "pack.threads=1", "repack", "-a", "-d", "-f", "-q"],
    );
    git(dir.path(), &["prune-packed"]);
    dir
}
