//! Folder, file and stdin scanning through the CLI: output, redaction, exit codes.
use crate::harness::*;

#[test]
fn folder_scan_reports_path_line_and_column_in_json() {
    let dir = tree(&[
        (
            "app/.env",
            format!("# settings\nexport GITHUB_TOKEN={GH_TOKEN}\n").as_bytes(),
        ),
        ("app/clean.py", b"print('hello')\n"),
    ]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = r.json();
    assert_eq!(report["version"], 1);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "github-pat-classic");
    assert_eq!(f["path"], "app/.env");
    assert_eq!(f["line"], 2);
    assert_eq!(f["column"], 21);
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["secret_length"], 40);
    assert_eq!(f["redacted"], true);
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
    assert!(f["remediation"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    assert!(r.stderr.contains("scanned 2 files"), "{}", r.stderr);
}

#[test]
fn secrets_are_redacted_unless_asked() {
    let dir = tree(&[("t.sh", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    for format in ["human", "json"] {
        let r = run_in(dir.path(), &["scan", ".", "--format", format]);
        assert_eq!(r.code, 1);
        assert!(
            !r.stdout.contains(GH_TOKEN) && !r.stderr.contains(GH_TOKEN),
            "{format} leaks the secret"
        );
        assert!(
            r.stdout.contains("ghp_Ky"),
            "{format} keeps a prefix: {}",
            r.stdout
        );
        let r = run_in(
            dir.path(),
            &["scan", ".", "--format", format, "--no-redact"],
        );
        assert!(r.stdout.contains(GH_TOKEN), "{format} --no-redact shows it");
    }
}

#[test]
fn fingerprint_ignores_line_moves_but_not_paths() {
    let a = tree(&[("x.env", format!("T={GH_TOKEN}\n").as_bytes())]);
    let b = tree(&[("x.env", format!("\n\n\nT={GH_TOKEN}\n").as_bytes())]);
    let c = tree(&[("y.env", format!("T={GH_TOKEN}\n").as_bytes())]);
    let fp = |d: &tempfile::TempDir| {
        run_in(d.path(), &["scan", ".", "--format", "json"]).json()["findings"][0]["fingerprint"]
            .clone()
    };
    assert_eq!(fp(&a), fp(&b));
    assert_ne!(fp(&a), fp(&c));
}

#[test]
fn stdin_is_scanned() {
    let r = run_stdin(
        &["scan", "-", "--format", "json"],
        format!("token: {GH_TOKEN_2}\n").as_bytes(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.findings(),
        vec![("github-pat-classic".into(), "-".into(), 1)]
    );
    let r = run_stdin(
        &[
            "scan",
            "-",
            "--stdin-name",
            "ci/deploy.yml",
            "--format",
            "json",
        ],
        format!("token: {GH_TOKEN_2}\n").as_bytes(),
    );
    assert_eq!(r.findings()[0].1, "ci/deploy.yml");
    let r = run_stdin(&["scan", "-"], b"nothing to see\n");
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("no secrets found"));
}

#[test]
fn named_files_are_scanned() {
    let dir = tree(&[
        ("a.txt", format!("{GH_TOKEN}\n").as_bytes()),
        ("b.txt", format!("{GH_TOKEN_2}\n").as_bytes()),
    ]);
    let r = run_in(dir.path(), &["scan", "a.txt", "--format", "json"]);
    assert_eq!(
        r.findings(),
        vec![("github-pat-classic".into(), "a.txt".into(), 1)]
    );
}

#[test]
fn exit_codes() {
    let clean = tree(&[("ok.txt", b"fine\n")]);
    assert_eq!(run_in(clean.path(), &["scan", "."]).code, 0);
    let r = run(&["scan", "/no/such/path"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/no/such/path"), "{}", r.stderr);
    assert_eq!(run(&["scan", "--format", "yaml"]).code, 2);
    assert_eq!(run(&["scan", "-", "other"]).code, 2);
}

#[test]
fn fail_on_sets_which_findings_fail_and_all_are_still_reported() {
    // examples/leaky-app holds critical, high and medium findings (and no info or low).
    let app = || env!("CARGO_MANIFEST_DIR").to_owned() + "/examples/leaky-app";
    let all = run(&["scan", &app(), "--format", "json"]).findings().len();
    for (threshold, code) in [("critical", 1), ("medium", 1), ("never", 0)] {
        let r = run(&["scan", &app(), "--format", "json", "--fail-on", threshold]);
        assert_eq!(r.code, code, "--fail-on {threshold}: {}", r.stderr);
        assert_eq!(r.findings().len(), all, "--fail-on {threshold} reports all");
    }
    let r = run(&["scan", &app(), "--fail-on", "severe"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("expected one of critical"),
        "{}",
        r.stderr
    );
    let configured = tree(&[
        (".vigil.toml", b"[scan]\nfail_on = \"high\"\n"),
        ("notes.txt", b"nothing here\n"),
    ]);
    assert_eq!(run_in(configured.path(), &["scan", "."]).code, 0);
    let bad = tree(&[(".vigil.toml", b"[scan]\nfail_on = \"loud\"\n")]);
    let r = run_in(bad.path(), &["scan", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("[scan] fail_on"), "{}", r.stderr);
}

#[test]
fn binary_and_large_files_are_skipped_and_counted() {
    let mut binary = b"\x00\x01\x02".to_vec();
    binary.extend_from_slice(GH_TOKEN.as_bytes());
    let large = format!("{}\n{GH_TOKEN}\n", "a".repeat(2000));
    let dir = tree(&[
        ("img.bin", &binary),
        ("big.txt", large.as_bytes()),
        ("small.txt", b"ok\n"),
    ]);
    let r = run_in(dir.path(), &["scan", ".", "--max-file-size", "1k"]);
    // The text file over the limit is not scanned: incomplete, not clean.
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("scanned 1 file"), "{}", r.stderr);
    assert!(
        r.stderr.contains("1 binary") && r.stderr.contains("1 larger than 1 KiB"),
        "{}",
        r.stderr
    );
    let r = run_in(dir.path(), &["scan", ".", "--max-file-size", "lots"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--max-file-size"), "{}", r.stderr);
}

#[test]
fn human_output_has_colour_only_when_asked_or_on_a_terminal() {
    let dir = tree(&[("t.sh", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    let piped = run_in(dir.path(), &["scan", "."]);
    assert!(!piped.stdout.contains('\x1b'), "no colour into a pipe");
    let forced = run_in(dir.path(), &["scan", ".", "--color", "always"]);
    assert!(forced.stdout.contains('\x1b'));
    // Through a pseudo-terminal (util-linux `script`): colour, unless NO_COLOR is set.
    let bin = env!("CARGO_BIN_EXE_vigil");
    let tty = |no_color: bool| {
        let mut c = std::process::Command::new("script");
        c.args(["-qec", &format!("{bin} scan --no-config ."), "/dev/null"])
            .current_dir(dir.path());
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        String::from_utf8_lossy(&c.output().expect("util-linux `script` is installed").stdout)
            .into_owned()
    };
    assert!(tty(false).contains('\x1b'), "colour on a terminal");
    assert!(!tty(true).contains('\x1b'), "NO_COLOR turns colour off");
}

#[test]
fn rules_lists_at_least_150_in_both_formats() {
    let r = run(&["rules", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rules = r.json()["rules"].as_array().unwrap().clone();
    assert!(rules.len() >= 150, "{} rules", rules.len());
    assert!(rules
        .iter()
        .all(|r| r["id"].is_string() && r["description"].is_string()));
    let human = run(&["rules"]);
    assert!(human.stdout.contains("github-pat-classic"));
    assert!(human
        .stdout
        .trim_end()
        .ends_with(&format!("{} rules", rules.len())));
}

/// `--gitleaks-config` is offered only where a gitleaks configuration acts: the commands
/// that scan or list rules.
#[test]
fn gitleaks_config_only_where_it_acts() {
    for (command, takes) in [
        (&["scan"][..], true),
        (&["rules"], true),
        (&["baseline", "create"], true),
        (&["verify"], false),
        (&["verify-artifact"], false),
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let r = run(&args);
        assert_eq!(r.code, 0, "{command:?}: {}", r.stderr);
        assert_eq!(
            r.stdout.contains("--gitleaks-config"),
            takes,
            "{command:?}:\n{}",
            r.stdout
        );
        assert!(r.stdout.contains("--no-config"), "{command:?}");
    }
    let r = run(&["verify", "--gitleaks-config", ".gitleaks.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// A configuration error names its file once.
#[test]
fn a_bad_rule_names_its_file_once() {
    let dir = tree(&[(
        ".vigil.toml",
        b"[[rule]]\nid = \"x-rule\"\ndescription = \"d\"\nkeywords = [\"abc\"]\nregex = \"abc(\"\nseverity = \"high\"\n",
    )]);
    let r = run_in(dir.path(), &["scan", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.matches(".vigil.toml").count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("rule `x-rule`: invalid regex"),
        "{}",
        r.stderr
    );
}
