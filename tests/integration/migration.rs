//! Migrating from gitleaks and detect-secrets: a realistic `.gitleaks.toml` read as it
//! is gives the findings it describes on fixtures/gitleaks/repo; reports and baselines
//! of other tools become vigil baseline entries.
use std::path::{Path, PathBuf};

use crate::harness::*;

fn fixture_repo() -> PathBuf {
    repo_root().join("fixtures/gitleaks/repo")
}

fn sorted(mut v: Vec<(String, String, u64)>) -> Vec<(String, String, u64)> {
    v.sort();
    v
}

fn f(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_owned(), path.to_owned(), line)
}

/// What the fixture's `.gitleaks.toml` describes, finding by finding:
/// - `acme-api-token` in app/settings.py; not the test-mode token in tests/ (an `AND`
///   allowlist of path and regex), but the live one there; not in vendor/ (global path
///   allowlist), not the `sample` in docs/ (stopword), not app/legacy.py:2
///   (.gitleaksignore);
/// - `ACME_Signing_Key` (kebab-cased) in config/signing.env; not in config/old.yaml (a
///   line allowlist: `# revoked`), not in config/rotate.sh (the rule's `path`);
/// - vigil's built-in rules (`useDefault = true`): the GitHub token in app/.env, not
///   the one in vendor/; the Slack webhook is not reported (`disabledRules`).
fn expected() -> Vec<(String, String, u64)> {
    sorted(vec![
        f("acme-api-token", "app/settings.py", 4),
        f("acme-api-token", "tests/test_client.py", 4),
        f("acme-signing-key", "config/signing.env", 1),
        f("github-pat-classic", "app/.env", 1),
    ])
}

#[test]
fn gitleaks_config_gives_the_findings_it_describes() {
    let r = run_in(
        &fixture_repo(),
        &[
            "scan",
            ".",
            "--gitleaks-config",
            ".gitleaks.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(sorted(r.findings()), expected(), "{}", r.stderr);
    // What could not be translated is said.
    assert!(
        r.stderr.contains("acme-p12-bundle") && r.stderr.contains("path-only"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("`ACME_Signing_Key` is called `acme-signing-key`"),
        "{}",
        r.stderr
    );
    // The configuration file itself is not scanned.
    assert!(r.stderr.contains("skipped 1 allowlisted"), "{}", r.stderr);
}

/// Copies the fixture repository into a temporary folder that looks like a repository
/// root (a `.git` folder), so `.gitleaks.toml` is found the way it is in a clone.
fn fixture_clone() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&fixture_repo(), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

#[test]
fn gitleaks_config_at_the_root_is_read_when_there_is_no_vigil_toml() {
    let dir = fixture_clone();
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(sorted(r.findings()), expected(), "{}", r.stderr);
    let r = run_in(dir.path(), &["scan", "app", "--format", "json"]);
    assert!(
        r.findings().iter().any(|x| x.0 == "acme-api-token"),
        "{}",
        r.stderr
    );
    // `vigil rules` sees the same rules.
    let r = run_in(dir.path(), &["rules"]);
    assert!(r.stdout.contains("acme-api-token") && r.stdout.contains("acme-signing-key"));
    assert!(
        !r.stdout.contains("slack-webhook-url "),
        "disabled: {}",
        r.stdout
    );
    // A .vigil.toml takes precedence: the gitleaks file is then read only when named.
    std::fs::write(dir.path().join(".vigil.toml"), "").unwrap();
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert!(
        !r.findings().iter().any(|x| x.0.starts_with("acme-")),
        "{}",
        r.stdout
    );
    let r = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--gitleaks-config",
            ".gitleaks.toml",
        ],
    );
    assert_eq!(sorted(r.findings()), expected(), "{}", r.stderr);
    // --no-config ignores both.
    let r = run_in(
        dir.path(),
        &["scan", ".", "--format", "json", "--no-config"],
    );
    assert!(!r.findings().iter().any(|x| x.0.starts_with("acme-")));
}

#[test]
fn migrate_gitleaks_explains_the_translation() {
    let r = run_in(&fixture_repo(), &["migrate", "gitleaks"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("rules translated: 2 (acme-api-token, acme-signing-key)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("checked after the scan"), "{}", r.stdout);
    assert!(
        r.stdout.contains(".gitleaksignore: 1 accepted findings"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("path-only"), "{}", r.stdout);
}

#[test]
fn malformed_gitleaks_config_is_a_usage_error_naming_the_place() {
    let dir = tree(&[
        ("a.txt", b"x\n"),
        (".gitleaks.toml", b"[[rules]]\nid = \"x\"\nregex = '''x'''\n\n[[allowlists]]\ncondition = \"XOR\"\npaths = ['a']\n"),
    ]);
    let r = run_in(
        dir.path(),
        &["scan", ".", "--gitleaks-config", ".gitleaks.toml"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(".gitleaks.toml") && r.stderr.contains("XOR"),
        "{}",
        r.stderr
    );
    let dir = tree(&[("a.txt", b"x\n"), (".gitleaks.toml", b"[[rules]\n")]);
    let r = run_in(
        dir.path(),
        &["scan", ".", "--gitleaks-config", ".gitleaks.toml"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".gitleaks.toml:1:"), "{}", r.stderr);
}

fn baseline_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn gitleaks_report_becomes_baseline_entries() {
    let out = tempfile::tempdir().unwrap();
    let baseline = out.path().join("baseline");
    let b = baseline.display().to_string();
    let report = repo_root().join("fixtures/gitleaks/gitleaks-report.json");
    let r = run_in(
        &fixture_repo(),
        &[
            "baseline",
            "import",
            "--gitleaks-report",
            report.to_str().unwrap(),
            "--no-config",
            "--baseline",
            &b,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("3 entries added"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("not carried over: deploy/id_rsa:1 private-key"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("app/.env:2 slack-webhook-url: matched by file and line"),
        "{}",
        r.stderr
    );
    let lines = baseline_lines(&baseline);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines
        .iter()
        .all(|l| l.contains("# imported from gitleaks report")));
    assert!(lines
        .iter()
        .any(|l| l.contains(" github-pat-classic app/.env ")));
    assert!(lines
        .iter()
        .any(|l| l.contains(" slack-webhook-url app/.env ")));
    assert!(lines
        .iter()
        .any(|l| l.contains(" github-pat-classic vendor/lib/client.js ")));
    let r = run_in(
        &fixture_repo(),
        &[
            "scan",
            ".",
            "--no-config",
            "--baseline",
            &b,
            "--format",
            "json",
        ],
    );
    let left = r.findings();
    assert!(
        !left
            .iter()
            .any(|x| x.0 == "github-pat-classic" || x.0 == "slack-webhook-url"),
        "{left:?}"
    );
}

#[test]
fn detect_secrets_baseline_becomes_baseline_entries() {
    let out = tempfile::tempdir().unwrap();
    let baseline = out.path().join("baseline");
    let b = baseline.display().to_string();
    let input = repo_root().join("fixtures/gitleaks/secrets.baseline");
    let r = run_in(
        &fixture_repo(),
        &[
            "baseline",
            "import",
            "--detect-secrets",
            input.to_str().unwrap(),
            "--no-config",
            "--baseline",
            &b,
            "--expires",
            "2999-01-01",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("2 entries added"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("not carried over: vendor/lib/client.js:30 Secret Keyword"),
        "{}",
        r.stderr
    );
    let lines = baseline_lines(&baseline);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines
        .iter()
        .all(|l| l.contains(" expires=2999-01-01 # imported from detect-secrets (GitHub Token")));
    assert!(lines
        .iter()
        .any(|l| l.contains("app/.env") && l.contains("audited: false positive")));
}

#[test]
fn gitleaksignore_becomes_baseline_entries() {
    let dir = tree(&[
        ("a.env", format!("TOKEN={GH_TOKEN}\n").as_bytes()),
        (
            "ignore",
            b"# accepted\na.env:github-pat:1\nb.env:generic-api-key:3\n",
        ),
    ]);
    let r = run_in(
        dir.path(),
        &[
            "baseline",
            "import",
            "--gitleaksignore",
            "ignore",
            "--no-config",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("1 entry added"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("not carried over: b.env:generic-api-key:3"),
        "{}",
        r.stderr
    );
    let r = run_in(
        dir.path(),
        &["scan", ".", "--no-config", "--baseline", ".vigil-baseline"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run_in(dir.path(), &["baseline", "import", "--no-config"]);
    assert_eq!(r.code, 2, "one source is required");
}
