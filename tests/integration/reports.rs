//! Report formats: a snapshot per format, schema validation of every SARIF and GitLab
//! report these tests produce (with `check-jsonschema` against fixtures/schemas/),
//! redaction in every format, and the --format/--report-path/--report plumbing.
use std::{
    path::PathBuf,
    process::Command,
    sync::Arc,
    time::{Duration, UNIX_EPOCH},
};

use vigil_core::fingerprint;
use vigil_core::model::{CommitInfo, Finding, Location, Origin, Secret, Severity};
use vigil_core::report::{Format, Options, Redaction, Report, ScanInfo, Scanned};

use crate::harness::*;

const SARIF_SCHEMA: &str = "fixtures/schemas/sarif-schema-2.1.0.json";
const GITLAB_SCHEMA: &str = "fixtures/schemas/gitlab-secret-detection-report-15.2.4.json";
/// vigil's own JSON report (`--format json`).
pub const JSON_SCHEMA: &str = "fixtures/schemas/vigil-scan-report-1.json";

/// Every format, as `--report` names it, and the snapshot file it is compared with.
const FORMATS: &[(&str, &str)] = &[
    ("human", "report.human.txt"),
    ("json", "report.json"),
    ("jsonl", "report.jsonl"),
    ("sarif", "report.sarif"),
    ("gitlab", "gl-secret-detection-report.json"),
    ("github", "report.github.txt"),
    ("markdown", "report.md"),
    ("junit", "report.junit.xml"),
];

const DEPLOY_KEY: &str = "acmedk_q8w7e6r5t4y3u2i1o0p9a8s7";
const DEPLOY_KEY_2: &str = "acmedk_z9x8c7v6b5n4m3l2k1j0h9g8";
const SESSION: &str = "acmesess-7Hq2Lx9Vb4Nw6Tz1";

/// Validates `files` against `schema` (relative to the repository root) with
/// check-jsonschema. Fails, never skips, when the tool is missing.
pub fn validate(schema: &str, files: &[PathBuf]) {
    assert!(!files.is_empty());
    let schema = repo_root().join(schema);
    let attempts: [(&str, &[&str]); 2] = [
        ("check-jsonschema", &[]),
        ("python3", &["-m", "check_jsonschema"]),
    ];
    for (program, prefix) in attempts {
        let out = Command::new(program)
            .args(prefix)
            .arg("--schemafile")
            .arg(&schema)
            .args(files)
            .output();
        let Ok(out) = out else { continue };
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if !out.status.success() && text.contains("No module named") {
            continue;
        }
        assert!(
            out.status.success(),
            "{} fails schema {}:\n{text}",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            schema.display()
        );
        return;
    }
    panic!(
        "check-jsonschema is not installed, so the reports cannot be validated against {}; \
         scripts/test installs it (python3 -m pip install check-jsonschema)",
        schema.display()
    );
}

/// Replaces what changes from run to run: dates and times, the version, durations.
pub fn normalize(text: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    let is_stamp = |s: &[u8]| {
        s.len() >= 19
            && s[..19].iter().enumerate().all(|(k, c)| match k {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                _ => c.is_ascii_digit(),
            })
    };
    while i < b.len() {
        if is_stamp(&b[i..]) {
            out.push_str("<TIME>");
            i += 19;
            continue;
        }
        let ch = text[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    // JUnit durations: time="0.003".
    let mut result = String::new();
    let mut rest = out.as_str();
    while let Some(at) = rest.find("time=\"") {
        result.push_str(&rest[..at + 6]);
        rest = &rest[at + 6..];
        let end = rest.find('"').unwrap_or(0);
        result.push_str(if rest[..end].contains('.') {
            "<ELAPSED>"
        } else {
            &rest[..end]
        });
        rest = &rest[end..];
    }
    result.push_str(rest);
    result
        .replace(&format!("\"{version}\""), "\"<VERSION>\"")
        .replace(&format!("vigil {version} "), "vigil <VERSION> ")
}

/// Compares `actual` with fixtures/snapshots/`name`; `VIGIL_UPDATE_SNAPSHOTS=1` rewrites it.
fn snapshot(name: &str, actual: &str) {
    let path = repo_root().join("fixtures/snapshots").join(name);
    if std::env::var_os("VIGIL_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with VIGIL_UPDATE_SNAPSHOTS=1 to write it",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(5)
            .map(|(n, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", n + 1))
            .collect();
        panic!(
            "{name} differs from its snapshot ({} vs {} lines); VIGIL_UPDATE_SNAPSHOTS=1 rewrites it\n{}",
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

/// A `.vigil.toml` with every built-in rule disabled and two custom rules, so the
/// snapshots do not change when built-in rules do.
fn controlled_config() -> String {
    let r = run(&["rules", "--format", "json", "--no-config"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ids: Vec<String> = r.json()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| format!("{:?}", x["id"].as_str().unwrap()))
        .collect();
    format!(
        r#"[scan]
disable_rules = [{}]

[[rule]]
id = "acme-deploy-key"
description = "ACME deploy key"
keywords = ["acmedk_"]
regex = '''\b(acmedk_[a-z0-9]{{24}})\b'''
severity = "critical"
tags = ["internal", "acme"]
remediation = "Revoke it under ACME console > Deploy keys, then create a new one."
remediation_url = "https://acme.example.com/docs/deploy-keys#revoke"

[[rule]]
id = "acme-session-id"
description = "ACME session identifier"
keywords = ["acmesess-"]
regex = '''\b(acmesess-[A-Za-z0-9]{{16}})\b'''
severity = "medium"
tags = ["acme"]
"#,
        ids.join(", ")
    )
}

fn snapshot_tree() -> tempfile::TempDir {
    let config = controlled_config();
    tree(&[
        (".vigil.toml", config.as_bytes()),
        (
            "app/.env",
            format!("# deploy settings\nACME_DEPLOY_KEY={DEPLOY_KEY}\n").as_bytes(),
        ),
        (
            "config/deploy key.yaml",
            format!("deploy:\n  key: \"{DEPLOY_KEY_2}\"\n  session: {SESSION}\n").as_bytes(),
        ),
        ("src/main.py", b"print('hello')\n"),
    ])
}

#[test]
fn snapshot_of_every_format_and_schemas() {
    let dir = snapshot_tree();
    let out = tempfile::tempdir().unwrap();
    for (format, file) in FORMATS {
        let r = run_in(dir.path(), &["scan", ".", "--format", format]);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        std::fs::write(out.path().join(file), &r.stdout).unwrap();
        assert!(
            !r.stdout.contains(DEPLOY_KEY) && !r.stdout.contains(SESSION),
            "{format} leaks a secret"
        );
        snapshot(file, &normalize(&r.stdout));
    }
    validate(SARIF_SCHEMA, &[out.path().join("report.sarif")]);
    validate(
        GITLAB_SCHEMA,
        &[out.path().join("gl-secret-detection-report.json")],
    );
    validate(JSON_SCHEMA, &[out.path().join("report.json")]);
}

/// Scans the snapshot tree with `args`, each `OUT/` in them a fresh folder; returns
/// the run and that folder.
fn scan_to_files(args: &[&str]) -> (Run, tempfile::TempDir) {
    let dir = snapshot_tree();
    let out = tempfile::tempdir().unwrap();
    let prefix = format!("{}/", out.path().display());
    let args: Vec<String> = args.iter().map(|a| a.replace("OUT/", &prefix)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    (run_in(dir.path(), &args), out)
}

/// The report `file` in `out`, normalized, against the snapshot `snapshot`.
fn matches_snapshot(out: &tempfile::TempDir, file: &str, snapshot: &str) {
    let written = normalize(&std::fs::read_to_string(out.path().join(file)).unwrap());
    let snap =
        std::fs::read_to_string(repo_root().join("fixtures/snapshots").join(snapshot)).unwrap();
    assert_eq!(written, snap, "{file}");
}

#[test]
fn several_reports_at_once_match_the_single_ones() {
    let dir = snapshot_tree();
    let out = tempfile::tempdir().unwrap();
    let o = |f: &str| out.path().join(f).display().to_string();
    let r = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--format",
            "sarif",
            "--report-path",
            &o("a.sarif"),
            "--format",
            "github",
            "--report",
            &format!("gitlab={}", o("gl.json")),
            "--report",
            &format!("junit={}", o("junit.xml")),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // stdout holds the one format without a path.
    assert!(
        r.stdout.starts_with("::error file=app/.env,"),
        "{}",
        r.stdout
    );
    let read = |f: &str| normalize(&std::fs::read_to_string(out.path().join(f)).unwrap());
    let snap =
        |f: &str| std::fs::read_to_string(repo_root().join("fixtures/snapshots").join(f)).unwrap();
    assert_eq!(read("a.sarif"), snap("report.sarif"));
    assert_eq!(read("gl.json"), snap("gl-secret-detection-report.json"));
    assert_eq!(read("junit.xml"), snap("report.junit.xml"));
    assert_eq!(normalize(&r.stdout), snap("report.github.txt"));
    validate(SARIF_SCHEMA, &[out.path().join("a.sarif")]);
    validate(GITLAB_SCHEMA, &[out.path().join("gl.json")]);
}

#[test]
fn report_flag_errors_are_usage_errors() {
    let dir = tree(&[("a.txt", b"nothing\n")]);
    let r = run_in(
        dir.path(),
        &["scan", ".", "--format", "sarif", "--format", "json"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("only one report can go to stdout"),
        "{}",
        r.stderr
    );
    let r = run_in(dir.path(), &["scan", ".", "--report-path", "x"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--report-path") && r.stderr.contains("--format"),
        "{}",
        r.stderr
    );
    let r = run_in(dir.path(), &["scan", ".", "--report", "xml=out.xml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown format") && r.stderr.contains("junit"),
        "{}",
        r.stderr
    );
    let r = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--report",
            "sarif=a.sarif",
            "--report",
            "json=a.sarif",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("two reports"), "{}", r.stderr);
    // Folders are created, but not inside a file.
    let r = run_in(
        dir.path(),
        &["scan", ".", "--report", "sarif=a.txt/dir/a.sarif"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("cannot create the folder a.txt/dir for the sarif report"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_format_redacts_unless_asked() {
    let dir = tree(&[("t.sh", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    let out = tempfile::tempdir().unwrap();
    for (format, file) in FORMATS {
        let path = out.path().join(file);
        let spec = format!("{format}={}", path.display());
        let r = run_in(dir.path(), &["scan", ".", "--report", &spec]);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(GH_TOKEN), "{format} leaks the secret");
        assert!(text.contains("ghp_Ky"), "{format} keeps a prefix");
        let r = run_in(dir.path(), &["scan", ".", "--report", &spec, "--no-redact"]);
        assert_eq!(r.code, 1);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(GH_TOKEN), "{format} --no-redact shows it");
        if *format == "sarif" {
            validate(SARIF_SCHEMA, std::slice::from_ref(&path));
        }
        if *format == "gitlab" {
            validate(GITLAB_SCHEMA, std::slice::from_ref(&path));
        }
    }
}

#[test]
fn clean_scans_give_valid_empty_reports() {
    let dir = tree(&[("a.txt", b"nothing here\n")]);
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("clean.sarif");
    let gitlab = out.path().join("clean.json");
    let junit = out.path().join("clean.xml");
    let r = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--report",
            &format!("sarif={}", sarif.display()),
            "--report",
            &format!("gitlab={}", gitlab.display()),
            "--report",
            &format!("junit={}", junit.display()),
            "--format",
            "github",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "", "no annotations when nothing is found");
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(s["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert_eq!(
        s["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gitlab).unwrap()).unwrap();
    assert_eq!(g["scan"]["status"], "success");
    let start = g["scan"]["start_time"].as_str().unwrap();
    assert!(!start.ends_with('Z') && start.len() == 19, "{start}");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(x.contains(r#"tests="1" failures="0""#), "{x}");
    validate(SARIF_SCHEMA, &[sarif]);
    validate(GITLAB_SCHEMA, &[gitlab]);
}

#[test]
fn history_reports_carry_commits() {
    let dir = tree(&[("app.env", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "add settings"]);
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("h.sarif");
    let gitlab = out.path().join("h.json");
    let junit = out.path().join("h.xml");
    let r = run_in(
        dir.path(),
        &[
            "scan",
            "--history",
            "--report",
            &format!("sarif={}", sarif.display()),
            "--report",
            &format!("gitlab={}", gitlab.display()),
            "--report",
            &format!("junit={}", junit.display()),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gitlab).unwrap()).unwrap();
    let commit = &g["vulnerabilities"][0]["location"]["commit"];
    assert_eq!(commit["sha"].as_str().unwrap().len(), 40);
    assert_eq!(commit["author"], "Ada Lovelace");
    assert_eq!(commit["date"], "2024-05-01T12:00:00");
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(
        s["runs"][0]["results"][0]["properties"]["commit"],
        commit["sha"]
    );
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(
        x.contains(&format!(
            r#"<testcase name="{}" classname="vigil.secrets.commit""#,
            commit["sha"].as_str().unwrap()
        )),
        "{x}"
    );
    validate(SARIF_SCHEMA, &[sarif]);
    validate(GITLAB_SCHEMA, &[gitlab]);
}

#[test]
fn markdown_is_appended_to_the_github_step_summary() {
    let dir = tree(&[("t.sh", format!("TOKEN={GH_TOKEN}\n").as_bytes())]);
    let out = tempfile::tempdir().unwrap();
    let summary = out.path().join("step_summary.md");
    std::fs::write(&summary, "## Build\n\nok\n").unwrap();
    let spec = format!("markdown={}", summary.display());
    let r = crate::harness::vigil()
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["scan", ".", "--report", &spec])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("## Build\n\nok\n## vigil: 1 secret found"),
        "{text}"
    );
    assert!(!text.contains(GH_TOKEN));
}

fn finding(path: &str, line: u32, secret: &str, commit: Option<&str>) -> Finding {
    Finding {
        rule: Arc::from("acme-deploy-key"),
        description: Arc::from("ACME deploy key <with markup> & \"quotes\""),
        severity: Severity::High,
        tags: Arc::from(vec!["acme".to_owned()]),
        remediation: Some(Arc::from("Revoke it.\nThen rotate, 100%.")),
        remediation_url: None,
        origin: Arc::new(Origin {
            path: path.into(),
            commit: commit.map(|id| {
                Arc::new(CommitInfo {
                    id: id.into(),
                    author_name: "Ada".into(),
                    author_email: "ada@example.com".into(),
                    date: 1_714_564_800,
                })
            }),
        }),
        location: Location {
            line,
            column: 3,
            end_line: line + 1,
            end_column: 5,
        },
        secret: Secret::new(secret.as_bytes().to_vec()),
        entropy: 4.2,
        decoded: vec!["base64"],
        fingerprint: fingerprint("acme-deploy-key", secret.as_bytes(), path),
    }
}

/// What the CLI cannot easily produce: an incomplete scan, commits,
/// absolute and odd paths, decoded and multi-line findings, markup in texts.
#[test]
fn library_reports_for_unusual_inputs_are_valid() {
    let at = UNIX_EPOCH + Duration::from_secs(1_714_564_800);
    let mut info = ScanInfo::new("vigil", "0.1.0", at);
    info.finished = at + Duration::from_millis(1500);
    info.errors = vec!["cannot read /srv/app/secret.env: permission denied".into()];
    info.scanned = Scanned {
        files: 2,
        commits: 1,
    };
    let findings = vec![
        finding("a b/c#d.env", 1, "acmedk_aaaaaaaabbbbbbbbcccccccc", None),
        finding(
            "/abs/path/x.env",
            7,
            "acmedk_ddddddddeeeeeeeeffffffff",
            None,
        ),
        finding(
            "src/ünï.rs",
            2,
            "acmedk_gggggggghhhhhhhhiiiiiiii",
            Some("0123456789abcdef0123456789abcdef01234567"),
        ),
    ];
    let report = Report::new(&info, &findings);
    let out = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for format in Format::ALL {
        let mut buf = Vec::new();
        format
            .write(&mut buf, &report, &Options::default())
            .unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            !text.contains("acmedk_aaaaaaaabbbbbbbbcccccccc"),
            "{format:?} leaks"
        );
        let path = out.path().join(format.name());
        std::fs::write(&path, &text).unwrap();
        files.push((format, path, text));
    }
    let get = |f: Format| files.iter().find(|x| x.0 == f).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&get(Format::Sarif).2).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "a%20b/c%23d.env"
    );
    assert_eq!(
        sarif["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "file:///abs/path/x.env"
    );
    let gitlab: serde_json::Value = serde_json::from_str(&get(Format::Gitlab).2).unwrap();
    assert_eq!(gitlab["scan"]["status"], "failure");
    assert_eq!(gitlab["scan"]["start_time"], "2024-05-01T12:00:00");
    let junit = &get(Format::Junit).2;
    assert!(
        junit.contains(r#"tests="4" failures="3" errors="1""#),
        "{junit}"
    );
    assert!(junit.contains(r#"<testcase name="0123456789abcdef0123456789abcdef01234567" classname="vigil.secrets.commit" time="0">"#), "{junit}");
    assert!(
        junit.contains("&lt;with markup&gt; &amp; &quot;quotes&quot;"),
        "{junit}"
    );
    let github = &get(Format::Github).2;
    assert_eq!(
        github.lines().count(),
        5,
        "three findings, one unread item, the totals: {github}"
    );
    assert!(
        github.contains("file=a b/c#d.env,line=1,endLine=2,title=vigil%3A acme-deploy-key::"),
        "{github}"
    );
    assert!(github.contains("100%25"), "{github}");
    let jsonl = &get(Format::Jsonl).2;
    for line in jsonl.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    validate(SARIF_SCHEMA, &[get(Format::Sarif).1.clone()]);
    validate(GITLAB_SCHEMA, &[get(Format::Gitlab).1.clone()]);
    // Secrets show only when asked.
    let mut buf = Vec::new();
    Format::Sarif
        .write(
            &mut buf,
            &report,
            &Options {
                redaction: Redaction::Off,
                ..Options::default()
            },
        )
        .unwrap();
    assert!(String::from_utf8(buf)
        .unwrap()
        .contains("acmedk_aaaaaaaabbbbbbbbcccccccc"));
}

/// Verdicts beside findings: the SARIF with signature results still validates, and
/// control characters from a commit reach no report raw.
#[test]
fn library_reports_with_verdicts_are_valid() {
    use vigil_core::model::{ObjectVerdict, TimeBasis, Verdict};

    let at = UNIX_EPOCH + Duration::from_secs(1_714_564_800);
    let info = ScanInfo::new("vigil", "0.1.0", at);
    let findings = vec![finding(
        "src/lib.rs",
        4,
        "acmedk_aaaaaaaabbbbbbbbcccccccc",
        Some("0123456789abcdef0123456789abcdef01234567"),
    )];
    let verdict = |kind: &'static str, id: &str, ref_name: Option<&str>, verdict, reason: &str| {
        ObjectVerdict {
            kind,
            id: id.into(),
            ref_name: ref_name.map(Into::into),
            verdict,
            format: Some("ssh"),
            signer: None,
            fingerprint: Some("SHA256:abc".into()),
            email: "eve@example.com\u{1b}[1m".into(),
            reason: reason.into(),
            time: 1_714_564_800,
            time_basis: TimeBasis::Now,
            policy_change: false,
        }
    };
    let verdicts = vec![
        verdict(
            "commit",
            "0123456789abcdef0123456789abcdef01234567",
            None,
            Verdict::Good,
            "signed",
        ),
        verdict(
            "commit",
            "89abcdef0123456789abcdef0123456789abcdef",
            None,
            Verdict::UntrustedKey,
            "key SHA256:abc is not trusted for eve@example.com\u{1b}[2J\n::error::x 100%",
        ),
        verdict(
            "tag",
            "00112233445566778899aabbccddeeff00112233",
            Some("refs/tags/v1"),
            Verdict::Unsigned,
            "no signature",
        ),
    ];
    let report = Report::new(&info, &findings).with_verdicts(&verdicts);
    let out = tempfile::tempdir().unwrap();
    for format in Format::ALL {
        let mut buf = Vec::new();
        format
            .write(&mut buf, &report, &Options::default())
            .unwrap();
        assert!(!buf.contains(&0x1b), "{format:?} echoes an ESC");
        if format == Format::Sarif {
            let path = out.path().join("verdicts.sarif");
            std::fs::write(&path, &buf).unwrap();
            let sarif: serde_json::Value = serde_json::from_slice(&buf).unwrap();
            assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 3);
            assert_eq!(
                sarif["runs"][0]["results"][2]["ruleId"],
                "signature/unsigned"
            );
            validate(SARIF_SCHEMA, &[path]);
        }
    }
}

/// A real scan with the built-in rules: the generic-secret rule's own `secret` tag is
/// not repeated after SARIF's, so the report passes the schema (`uniqueItems`).
#[test]
fn sarif_of_a_generic_secret_passes_the_schema() {
    let dir = tree(&[("app.py", b"client_secret = \"Zx8Qp2Lm7Rt4Vn9Kc3Wb6Hy1\"\n")]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "sarif"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rules = r.json()["runs"][0]["tool"]["driver"]["rules"].clone();
    assert_eq!(rules[0]["id"], "generic-secret", "{rules}");
    let path = dir.path().join("report.sarif");
    std::fs::write(&path, &r.stdout).unwrap();
    validate(SARIF_SCHEMA, &[path]);
}

/// `--report-path` alone takes the format its file name says, and the folders a report
/// goes in are created; a name that says no format is an error naming --format.
#[test]
fn report_paths_infer_their_format_and_get_their_folders() {
    let (r, out) = scan_to_files(&[
        "scan",
        ".",
        "--report-path",
        "OUT/new/dir/vigil.sarif",
        "--report-path",
        "OUT/other/gl-secret-detection-report.json",
        "--report-path",
        "OUT/r.json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Every report asked for goes to a file, as with --report FORMAT=FILE: none to stdout.
    assert_eq!(r.stdout, "");
    matches_snapshot(&out, "new/dir/vigil.sarif", "report.sarif");
    matches_snapshot(
        &out,
        "other/gl-secret-detection-report.json",
        "gl-secret-detection-report.json",
    );
    matches_snapshot(&out, "r.json", "report.json");
    // --format pairs with the first path; the second is inferred.
    let (r, out) = scan_to_files(&[
        "scan",
        ".",
        "--format",
        "junit",
        "--report-path",
        "OUT/a.out",
        "--report-path",
        "OUT/b.md",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    matches_snapshot(&out, "a.out", "report.junit.xml");
    matches_snapshot(&out, "b.md", "report.md");
    let (r, _out) = scan_to_files(&["scan", ".", "--report-path", "OUT/report"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--format"), "{}", r.stderr);
}
