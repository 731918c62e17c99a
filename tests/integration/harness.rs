//! Running the binary and reading its output.
use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use serde_json::Value;

/// Fake GitHub classic tokens with valid checksums (built from the documented format).
pub const GH_TOKEN: &str = "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";
pub const GH_TOKEN_2: &str = "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";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn vigil() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env_remove("NO_COLOR").current_dir(repo_root());
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// (path, reason) of each item a JSON report lists as skipped.
    pub fn skipped(&self) -> Vec<(String, String)> {
        self.json()["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["path"].as_str().unwrap().to_owned(),
                    s["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// (rule, path, line) of each finding of a JSON report.
    pub fn findings(&self) -> Vec<(String, String, u64)> {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_owned(),
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect()
    }
}

pub fn finish(out: &Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn run(args: &[&str]) -> Run {
    finish(&vigil().args(args).output().unwrap())
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    finish(&vigil().current_dir(dir).args(args).output().unwrap())
}

pub fn run_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut child = vigil()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    finish(&child.wait_with_output().unwrap())
}

/// A temporary folder with the given files.
pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

/// Runs a fixture script (`fixtures/<kind>/build.sh SCENARIO DIR`) into a fresh
/// temporary folder and returns the folder and the built repository.
pub fn build_fixture(kind: &str, scenario: &str) -> (tempfile::TempDir, PathBuf) {
    build_fixture_with(kind, scenario, &[])
}

/// [`build_fixture`] with variables in the script's environment (e.g.
/// `VIGIL_OBJECT_FORMAT=sha256`).
pub fn build_fixture_with(
    kind: &str,
    scenario: &str,
    env: &[(&str, &str)],
) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(scenario);
    let out = Command::new("bash")
        .arg(repo_root().join("fixtures").join(kind).join("build.sh"))
        .arg(scenario)
        .arg(&dir)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fixtures/{kind}/build.sh {scenario}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (tmp, dir)
}

/// The commit id a revision names in `repo`.
pub fn rev(repo: &Path, name: &str) -> String {
    let out = Command::new("git")
        .args(["rev-parse", name])
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "rev-parse {name}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Runs git in `dir` with a fixed identity and dates and no ambient configuration;
/// returns its output, failing the test if git fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Ada Lovelace",
            "-c",
            "user.email=ada@example.com",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2024-05-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-05-01T12:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "git {args:?}: {text}");
    text
}
