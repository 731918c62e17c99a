//! Inline suppression and the repository's `.vigil.toml`.
use crate::harness::*;

#[test]
fn inline_markers_suppress_their_line_only() {
    let text = format!(
        "a = \"{GH_TOKEN}\"  # vigil:allow\nb = \"{GH_TOKEN}\"  // gitleaks:allow\nc = \"{GH_TOKEN}\"  # pragma: allowlist secret\nd = \"{GH_TOKEN_2}\"\ne = \"{GH_TOKEN}\"  # vigil: allow\nf = \"{GH_TOKEN}\"  # VIGIL: ALLOW\n"
    );
    let dir = tree(&[("conf.py", text.as_bytes())]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(
        r.findings(),
        vec![
            ("github-pat-classic".into(), "conf.py".into(), 4),
            ("github-pat-classic".into(), "conf.py".into(), 6)
        ]
    );
}

#[test]
fn config_allowlists_paths_regexes_and_stopwords() {
    let config = r#"
[allowlist]
paths = ["tests/fixtures/**"]
regexes = ['Eeeby3']
stopwords = ["9pf34q"]
"#;
    let dir = tree(&[
        (".vigil.toml", config.as_bytes()),
        (
            "tests/fixtures/token.txt",
            format!("{GH_TOKEN}\n").as_bytes(),
        ),
        (
            "src/a.txt",
            format!("{GH_TOKEN}\n{GH_TOKEN_2}\n").as_bytes(),
        ),
    ]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // The fixture file and .vigil.toml itself (its rule examples are test data).
    assert!(r.stderr.contains("2 allowlisted"), "{}", r.stderr);
    // Scanning a subfolder still finds the config at the folder root and applies it.
    let sub = run_in(
        &dir.path().join("tests"),
        &["scan", "fixtures", "--config", "../.vigil.toml"],
    );
    assert_eq!(sub.code, 0, "{}", sub.stderr);
    // --no-config ignores it.
    let r = run_in(
        dir.path(),
        &["scan", ".", "--no-config", "--format", "json"],
    );
    assert_eq!(r.findings().len(), 3);
}

#[test]
fn config_adds_and_disables_rules() {
    let config = r#"
[scan]
disable_rules = ["github-pat-classic"]

[[rule]]
id = "acme-deploy-key"
description = "ACME deploy key"
keywords = ["acmedk_"]
regex = '''\b(acmedk_[a-z0-9]{24})\b'''
severity = "medium"
tags = ["internal"]
remediation = "Revoke it in the ACME console."
examples = ["key = acmedk_q8w7e6r5t4y3u2i1o0p9a8s7"]
negative_examples = ["acmedk_short"]
"#;
    let dir = tree(&[
        (".vigil.toml", config.as_bytes()),
        (
            "deploy.sh",
            format!("GH={GH_TOKEN}\nACME=acmedk_z1x2c3v4b5n6m7q8w9e0r1t2\n").as_bytes(),
        ),
    ]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(
        r.findings(),
        vec![("acme-deploy-key".into(), "deploy.sh".into(), 2)]
    );
    let rules = run_in(dir.path(), &["rules"]);
    assert!(
        rules.stdout.contains("acme-deploy-key") && !rules.stdout.contains("github-pat-classic")
    );
}

#[test]
fn malformed_config_is_a_clear_error() {
    let dir = tree(&[
        (".vigil.toml", b"[scan]\nmax_file_size = \n"),
        ("a.txt", b"x\n"),
    ]);
    let r = run_in(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".vigil.toml:2:"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn invalid_regex_in_custom_rule_is_a_clear_error() {
    let config =
        "[[rule]]\nid = \"broken\"\ndescription = \"d\"\nkeywords = [\"x\"]\nregex = '(unclosed'\n";
    let dir = tree(&[(".vigil.toml", config.as_bytes()), ("a.txt", b"x\n")]);
    let r = run_in(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("broken")
            && r.stderr.contains("regex")
            && r.stderr.contains(".vigil.toml"),
        "{}",
        r.stderr
    );
    // The parts of a rule worked out from its regex and allowlist are checked at load
    // for a user's rule too (built-in rules wait until first use).
    for (rule, expected) in [
        ("regex = 'a(b)'\nsecret_group = 2\n", "secret_group 2"),
        // A rule that can only match the empty string would never report: not clean.
        ("regex = ''\n", "matches only the empty string"),
        ("regex = '^$'\n", "matches only the empty string"),
        (
            "regex = 'x=()'\n",
            "secret_group 1 matches only the empty string",
        ),
        (
            "regex = 'ab'\n[rule.allowlist]\nregexes = ['(']\n",
            "allowlist",
        ),
    ] {
        let config =
            format!("[[rule]]\nid = \"broken\"\ndescription = \"d\"\nkeywords = [\"x\"]\n{rule}");
        let dir = tree(&[(".vigil.toml", config.as_bytes()), ("a.txt", b"x\n")]);
        let r = run_in(dir.path(), &["scan", "."]);
        assert_eq!(r.code, 2, "{rule}: {}", r.stderr);
        assert!(
            r.stderr.contains("broken") && r.stderr.contains(expected),
            "{rule}: {}",
            r.stderr
        );
    }
    let unknown = tree(&[
        (".vigil.toml", b"[scan]\ndisable_rules = [\"nope\"]\n"),
        ("a.txt", b"x\n"),
    ]);
    let r = run_in(unknown.path(), &["scan", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`nope`"), "{}", r.stderr);
}
