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

/// gitleaks' own default configuration (fixtures/gitleaks/default-config.toml, see the
/// README there), counted from the file: its rules with a regex, and its allowlists.
struct DefaultConfig {
    text: String,
    with_regex: Vec<String>,
    path_only: Vec<String>,
    rule_allowlists: usize,
}

fn gitleaks_default_config() -> DefaultConfig {
    let text =
        std::fs::read_to_string(repo_root().join("fixtures/gitleaks/default-config.toml")).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let rules = doc["rules"].as_array().unwrap();
    let id = |r: &toml::Value| r["id"].as_str().unwrap().to_owned();
    DefaultConfig {
        with_regex: rules
            .iter()
            .filter(|r| r.get("regex").is_some())
            .map(id)
            .collect(),
        path_only: rules
            .iter()
            .filter(|r| r.get("regex").is_none())
            .map(id)
            .collect(),
        rule_allowlists: rules
            .iter()
            .filter_map(|r| r.get("allowlists"))
            .map(|a| a.as_array().unwrap().len())
            .sum(),
        text,
    }
}

/// A folder that looks like a clone (a `.git` folder) with gitleaks' default
/// configuration as its `.gitleaks.toml`, and `files`.
fn with_default_config(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tree(files);
    std::fs::write(
        dir.path().join(".gitleaks.toml"),
        gitleaks_default_config().text,
    )
    .unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

#[test]
fn gitleaks_default_config_translates_whole() {
    let d = gitleaks_default_config();
    assert_eq!(d.with_regex.len(), 221, "the fixture changed: recount");
    assert_eq!(d.path_only, ["pkcs12-file"]);
    assert_eq!(d.rule_allowlists, 13);
    let dir = with_default_config(&[]);
    let r = run_in(dir.path(), &["migrate", "gitleaks"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Every rule with a regex is translated, under its own id, and in force: vigil's
    // built-in rules are off, as gitleaks' defaults are for a file without [extend].
    let translated = r
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("rules translated: "))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        translated.starts_with(&format!("{} (", d.with_regex.len())),
        "{translated}"
    );
    for id in &d.with_regex {
        assert!(
            translated.contains(&format!(" {id},"))
                || translated.contains(&format!("({id},"))
                || translated.ends_with(&format!(" {id})")),
            "{id} missing: {translated}"
        );
    }
    assert!(
        r.stdout.contains("built-in rules in force: 0 ("),
        "{}",
        r.stdout
    );
    // Every allowlist is applied: the global one and each rule's, all but the two of
    // generic-api-key that need what vigil's allowlists cannot hold (said as such).
    assert!(
        r.stdout.contains("global allowlist #1 (OR) for every rule"),
        "{}",
        r.stdout
    );
    // Each applied allowlist is listed once or twice: its regexes on the match or line
    // checked in the scan, the rest after it.
    let listed: std::collections::BTreeSet<String> = r
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("    - rule `"))
        .filter_map(|l| {
            let (rule, rest) = l.split_once(" allowlist #")?;
            Some(format!("{rule} #{}", rest.split([' ', ':']).next()?))
        })
        .collect();
    assert_eq!(
        listed.len(),
        d.rule_allowlists - 2,
        "{listed:?}\n{}",
        r.stdout
    );
    let warnings: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("  - ")).collect();
    assert_eq!(warnings.len(), 3, "{}", r.stdout);
    assert!(
        warnings[0].contains("`pkcs12-file`: a path-only rule"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].contains("generic-api-key` allowlist #3"),
        "{warnings:?}"
    );
    assert!(
        warnings[2].contains("generic-api-key` allowlist #4"),
        "{warnings:?}"
    );
    assert!(!r.stdout.contains("does not compile"), "{}", r.stdout);
}

#[test]
fn gitleaks_default_config_scans_with_its_rules_and_allowlists() {
    // The global allowlist holds the RE2-only regexes (`{\d+}`): it once failed to
    // compile and was dropped whole, paths and stopwords with it.
    let token = format!("print(\"{GH_TOKEN}\")\n");
    let dir = with_default_config(&[
        ("app/config.py", token.as_bytes()),
        ("node_modules/lib/index.js", token.as_bytes()),
    ]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.findings(),
        vec![("github-pat".to_owned(), "app/config.py".to_owned(), 1)],
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("does not compile"), "{}", r.stderr);
}

#[test]
fn a_gitleaks_config_with_no_rule_in_force_is_a_configuration_error() {
    // gitleaks would scan with no rule and say "no leaks found".
    let token = format!("token = \"{GH_TOKEN}\"\n");
    let dir = tree(&[
        ("a.txt", token.as_bytes()),
        (
            ".gitleaks.toml",
            b"[[rules]]\nid = \"lookahead\"\nregex = '''tok(?=en)'''\n",
        ),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for args in [&["scan", "."][..], &["migrate", "gitleaks"]] {
        let r = run_in(dir.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(".gitleaks.toml")
                && r.stderr.contains("no rule would be in force")
                && r.stderr.contains("lookahead"),
            "{}",
            r.stderr
        );
    }
    // With vigil's built-in rules on, the same rule is only a warning.
    std::fs::write(
        dir.path().join(".gitleaks.toml"),
        "[extend]\nuseDefault = true\n[[rules]]\nid = \"lookahead\"\nregex = '''tok(?=en)'''\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("lookahead"), "{}", r.stderr);
}

#[test]
fn a_gitleaks_rule_that_can_only_match_the_empty_string_is_not_translated() {
    // (In a .vigil.toml it is an error: suppression.rs.)
    let dir = tree(&[
        ("a.txt", b"x\n"),
        (
            ".gitleaks.toml",
            b"[extend]\nuseDefault = true\n[[rules]]\nid = \"empty\"\nregex = ''\n",
        ),
    ]);
    let r = run_in(dir.path(), &["migrate", "gitleaks", ".gitleaks.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("rule `empty` is not translated")
            && r.stdout.contains("only the empty string"),
        "{}",
        r.stdout
    );
}
