//! Every format written from fixed reports, compared byte for byte with the files in
//! `tests/golden/` (`VIGIL_UPDATE_SNAPSHOTS=1` rewrites them). The findings-only files
//! were written by the code before verdicts joined the reports: a report without
//! verdicts must read exactly as it did.
#![allow(clippy::unwrap_used, clippy::panic)]
use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use vigil_model::{CommitInfo, Finding, Location, Origin, Secret, Severity};
use vigil_report::{
    human, Format, Options, Redaction, Report, RuleInfo, ScanInfo, SkipReason, Skipped,
};

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("VIGIL_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; VIGIL_UPDATE_SNAPSHOTS=1 writes it",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from tests/golden/{name} at line {}:\n  expected: {:?}\n  actual:   {:?}",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn info(files: u64, commits: u64, errors: &[&str]) -> ScanInfo {
    let mut info = ScanInfo::new("vigil", "0.1.0", at(1_714_564_800));
    info.finished = at(1_714_564_800) + Duration::from_millis(1250);
    info.scanned.files = files;
    info.scanned.commits = commits;
    info.errors = errors.iter().map(|e| (*e).to_owned()).collect();
    info.rules = vec![RuleInfo {
        id: "acme-deploy-key".into(),
        description: "ACME deploy key".into(),
        severity: Severity::Critical,
        tags: vec!["acme".into(), "key".into()],
        remediation: Some("Delete the key under Settings > Deploy keys.".into()),
        remediation_url: Some("https://acme.example/docs/deploy-keys#revoke".into()),
    }];
    info
}

struct F<'a> {
    rule: &'a str,
    severity: Severity,
    path: &'a str,
    line: u32,
    secret: &'a str,
    commit: Option<&'a str>,
    decoded: Vec<&'static str>,
    remediation: bool,
}

fn finding(f: F<'_>) -> Finding {
    Finding {
        rule: f.rule.into(),
        description: format!("{} <with markup> & \"quotes\" at 100%", f.rule).into(),
        severity: f.severity,
        tags: vec!["t".to_owned()].into(),
        remediation: f
            .remediation
            .then(|| "Rotate it: see the console | keys.".into()),
        remediation_url: f
            .remediation
            .then(|| "https://example.com/rotate?a=1&b=2".into()),
        origin: Arc::new(Origin {
            path: f.path.into(),
            commit: f.commit.map(|id| {
                Arc::new(CommitInfo {
                    id: id.into(),
                    author_name: "Ada Lovelace".into(),
                    author_email: "ada@example.com".into(),
                    date: 1_714_000_000,
                })
            }),
        }),
        location: Location {
            line: f.line,
            column: 9,
            end_line: f.line,
            end_column: 9 + f.secret.len() as u32,
        },
        secret: Secret::new(f.secret.as_bytes().to_vec()),
        entropy: 4.123_456,
        decoded: f.decoded,
        fingerprint: format!("{}:{}:{}", f.rule, f.path, f.line),
    }
}

/// A folder scan: findings in files, no commits, complete.
fn folder_findings() -> Vec<Finding> {
    vec![
        finding(F {
            rule: "acme-deploy-key",
            severity: Severity::Critical,
            path: "app/.env",
            line: 2,
            secret: "acmedk_q8w7e6r5t4y3u2i1o0p9a8s7",
            commit: None,
            decoded: Vec::new(),
            remediation: false,
        }),
        finding(F {
            rule: "generic-password",
            severity: Severity::Medium,
            path: "config/db one,two:three.yml",
            line: 14,
            secret: "hunter2hunter2",
            commit: None,
            decoded: vec!["base64"],
            remediation: true,
        }),
        finding(F {
            rule: "acme-deploy-key",
            severity: Severity::Critical,
            path: "app/.env",
            line: 5,
            secret: "acmedk_z9x8c7v6b5n4m3l2k1j0h9g8",
            commit: None,
            decoded: Vec::new(),
            remediation: false,
        }),
        finding(F {
            rule: "low-entropy-token",
            severity: Severity::Low,
            path: "/abs/notes.txt",
            line: 1,
            secret: "tok_abcdef",
            commit: None,
            decoded: Vec::new(),
            remediation: false,
        }),
    ]
}

/// A history scan: findings in commits, one item unreadable.
fn history_findings() -> Vec<Finding> {
    vec![
        finding(F {
            rule: "acme-deploy-key",
            severity: Severity::High,
            path: "src/ünï.rs",
            line: 3,
            secret: "acmedk_aaaaaaaabbbbbbbbcccccccc",
            commit: Some("0123456789abcdef0123456789abcdef01234567"),
            decoded: vec!["percent", "base64"],
            remediation: true,
        }),
        finding(F {
            rule: "generic-password",
            severity: Severity::Info,
            path: "README.md",
            line: 40,
            secret: "p4ssw0rd-example",
            commit: Some("89abcdef0123456789abcdef0123456789abcdef"),
            decoded: Vec::new(),
            remediation: false,
        }),
    ]
}

fn ext(format: Format) -> &'static str {
    match format {
        Format::Human => "human.txt",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
        Format::Sarif => "sarif",
        Format::Gitlab => "gitlab.json",
        Format::Github => "github.txt",
        Format::Markdown => "md",
        Format::Junit => "junit.xml",
    }
}

fn render(format: Format, report: &Report<'_>, options: &Options) -> String {
    let mut out = Vec::new();
    format.write(&mut out, report, options).unwrap();
    String::from_utf8(out).unwrap()
}

fn check_all(scenario: &str, report: &Report<'_>) {
    for format in Format::ALL {
        let text = render(format, report, &Options::default());
        golden(&format!("{scenario}.{}", ext(format)), &text);
    }
}

#[test]
fn folder_scan_reads_as_before() {
    let info = info(3, 0, &[]);
    let findings = folder_findings();
    check_all("folder", &Report::new(&info, &findings));
}

#[test]
fn history_scan_reads_as_before() {
    let mut info = info(0, 4, &["cannot read object 0badc0de: truncated"]);
    info.skipped = skipped();
    let findings = history_findings();
    check_all("history", &Report::new(&info, &findings));
}

/// Items not scanned, sorted as a scan sorts them.
fn skipped() -> Vec<Skipped> {
    vec![
        Skipped {
            path: "data/dump.sql".into(),
            commit: Some("0badc0de".repeat(5)),
            reason: SkipReason::TooLarge,
        },
        Skipped {
            path: "src/<odd> & \"name\"".into(),
            commit: Some("1dea".repeat(10)),
            reason: SkipReason::Unreadable,
        },
    ]
}

/// Every machine format says whether the scan was complete and lists each item not
/// scanned with its reason; a clean, complete scan says it is complete.
#[test]
fn machine_formats_say_complete_and_what_was_skipped() {
    let mut folder = info(2, 0, &["nothing was scanned: every item was skipped"]);
    folder.skipped = vec![
        Skipped {
            path: "big.bin".into(),
            commit: None,
            reason: SkipReason::TooLarge,
        },
        Skipped {
            path: "link".into(),
            commit: None,
            reason: SkipReason::Symlink,
        },
        Skipped {
            path: "pipe".into(),
            commit: None,
            reason: SkipReason::NotAFile,
        },
    ];
    let report = Report::new(&folder, &[]);
    let text = |f: Format| render(f, &report, &Options::default());
    let json: serde_json::Value = serde_json::from_str(&text(Format::Json)).unwrap();
    assert_eq!(json["complete"], false);
    assert_eq!(json["skipped"][0]["path"], "big.bin");
    assert_eq!(json["skipped"][0]["reason"], "too-large");
    assert_eq!(json["skipped"][1]["reason"], "symlink");
    assert_eq!(json["skipped"][2]["reason"], "not-a-regular-file");
    let jsonl = text(Format::Jsonl);
    let summary: serde_json::Value = serde_json::from_str(jsonl.lines().last().unwrap()).unwrap();
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["skipped"], json["skipped"]);
    let sarif: serde_json::Value = serde_json::from_str(&text(Format::Sarif)).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    for (path, reason) in [
        ("big.bin", "too-large"),
        ("link", "symlink"),
        ("pipe", "not-a-regular-file"),
    ] {
        assert!(
            notes.iter().any(|n| n["properties"]["path"] == path
                && n["properties"]["reason"] == reason
                && n["level"] == "note"
                && n["descriptor"]["id"] == format!("skipped/{reason}")),
            "{path}: {notes:?}"
        );
    }
    let gitlab: serde_json::Value = serde_json::from_str(&text(Format::Gitlab)).unwrap();
    assert_eq!(gitlab["scan"]["status"], "failure");
    let messages = gitlab["scan"]["messages"].as_array().unwrap();
    assert!(
        messages.iter().any(
            |m| m["value"] == "link: not scanned: a symbolic link (not followed)"
                && m["level"] == "info"
        ),
        "{messages:?}"
    );
    let junit = text(Format::Junit);
    assert!(
        junit.contains(r#"<property name="complete" value="false"/>"#),
        "{junit}"
    );
    assert!(junit.contains(r#"skipped="3""#), "{junit}");
    assert!(junit.contains(r#"<skipped message="big.bin: not scanned: larger than the size limit" type="too-large"/>"#), "{junit}");
    let github = text(Format::Github);
    assert!(
        github.contains(
            "::notice file=pipe,title=vigil%3A not scanned::pipe: not scanned: not a regular file"
        ),
        "{github}"
    );
    assert!(
        github.contains("scan incomplete (1 error), 3 items not scanned."),
        "{github}"
    );
    let markdown = text(Format::Markdown);
    assert!(
        markdown.starts_with("## vigil: scan incomplete"),
        "{markdown}"
    );
    assert!(
        markdown.contains("> - link: not scanned: a symbolic link (not followed)"),
        "{markdown}"
    );
    let human = text(Format::Human);
    assert!(!human.starts_with("no secrets found\n"), "{human}");
    assert!(human.contains("incomplete"), "{human}");

    let clean = info(2, 0, &[]);
    let report = Report::new(&clean, &[]);
    let json: serde_json::Value =
        serde_json::from_str(&render(Format::Json, &report, &Options::default())).unwrap();
    assert_eq!(json["complete"], true);
    assert_eq!(json["errors"], serde_json::json!([]));
    assert_eq!(json["skipped"], serde_json::json!([]));
}

#[test]
fn clean_scan_reads_as_before() {
    let info = info(12, 0, &[]);
    check_all("clean", &Report::new(&info, &[]));
}

#[test]
fn unredacted_and_coloured_read_as_before() {
    let info = info(3, 0, &[]);
    let findings = folder_findings();
    let report = Report::new(&info, &findings);
    let options = Options {
        redaction: Redaction::Off,
        color: human::Color::On,
    };
    for format in [Format::Human, Format::Sarif, Format::Github] {
        let text = render(format, &report, &options);
        golden(&format!("folder-unredacted.{}", ext(format)), &text);
    }
}

/// `n` findings: a third critical, a third medium, a third low, in that cycle.
fn many_findings(n: usize) -> Vec<Finding> {
    let severities = [Severity::Critical, Severity::Medium, Severity::Low];
    (0..n)
        .map(|i| {
            finding(F {
                rule: "acme-deploy-key",
                severity: severities[i % 3],
                path: "src/many.rs",
                line: i as u32 + 1,
                secret: "acmedk_q8w7e6r5t4y3u2i1o0p9a8s7",
                commit: None,
                decoded: Vec::new(),
                remediation: false,
            })
        })
        .collect()
}

#[test]
fn github_shows_ten_of_each_kind_most_severe_first_then_the_totals() {
    let info = info(1, 0, &[]);
    let findings = many_findings(60);
    let text = render(
        Format::Github,
        &Report::new(&info, &findings),
        &Options::default(),
    );
    let count = |kind: &str| text.lines().filter(|l| l.starts_with(kind)).count();
    assert_eq!(count("::error "), 10, "{text}");
    assert_eq!(count("::warning "), 10, "{text}");
    assert_eq!(
        count("::notice "),
        10,
        "nine findings and the totals: {text}"
    );
    let last = text.lines().last().unwrap();
    assert_eq!(
        last,
        "::notice title=vigil%3A totals::60 findings. 31 annotations are not shown here (GitHub shows 10 of each kind per step, the most severe first); the job summary and the reports list all."
    );
    // Errors come first, in the report's order.
    assert!(
        text.starts_with("::error file=src/many.rs,line=1,"),
        "{text}"
    );
}

#[test]
fn the_markdown_summary_stays_under_one_mebibyte_and_says_what_was_cut() {
    let info = info(1, 0, &[]);
    let findings = many_findings(20_000);
    let text = render(
        Format::Markdown,
        &Report::new(&info, &findings),
        &Options::default(),
    );
    assert!(
        text.len() <= vigil_report::github::SUMMARY_LIMIT,
        "{}",
        text.len()
    );
    assert!(
        text.len() > vigil_report::github::SUMMARY_LIMIT - 4096,
        "as much as fits"
    );
    let rows = text
        .lines()
        .filter(|l| {
            l.starts_with("| critical ") || l.starts_with("| medium ") || l.starts_with("| low ")
        })
        .count();
    let cut = format!(
        "*{} more findings not shown: a job summary is limited to 1 MiB.",
        20_000 - rows
    );
    assert!(text.contains(&cut), "{cut}");
    assert!(
        text.contains("### How to revoke"),
        "the sections after the table remain"
    );
    assert!(text.trim_end().ends_with("</sub>"));
    let small = render(
        Format::Markdown,
        &Report::new(&info, &findings[..3]),
        &Options::default(),
    );
    assert!(!small.contains("not shown"), "{small}");
}

mod verify {
    use vigil_model::{ObjectVerdict, TimeBasis, Verdict, VerifySummary};
    use vigil_report::{human::Color, verdict};

    use super::golden;

    pub fn verdicts() -> Vec<ObjectVerdict> {
        let v = |kind: &'static str, id: &str, verdict: Verdict, reason: &str| ObjectVerdict {
            kind,
            id: id.into(),
            ref_name: (kind == "tag").then(|| "refs/tags/v1.0".into()),
            verdict,
            format: (verdict != Verdict::Unsigned).then_some("ssh"),
            signer: (verdict == Verdict::Good).then(|| "ada@example.com".into()),
            fingerprint: (verdict != Verdict::Unsigned).then(|| "SHA256:abcdef".into()),
            email: "ada@example.com".into(),
            reason: reason.into(),
            time: 1_714_000_000,
            time_basis: TimeBasis::Now,
            policy_change: verdict == Verdict::UntrustedKey,
        };
        vec![
            v(
                "commit",
                "0123456789abcdef0123456789abcdef01234567",
                Verdict::Good,
                "signed by ada@example.com",
            ),
            v(
                "commit",
                "89abcdef0123456789abcdef0123456789abcdef",
                Verdict::UntrustedKey,
                "key SHA256:abcdef is not in allowed_signers",
            ),
            v(
                "commit",
                "fedcba9876543210fedcba9876543210fedcba98",
                Verdict::Unsigned,
                "no signature",
            ),
            v(
                "tag",
                "00112233445566778899aabbccddeeff00112233",
                Verdict::Good,
                "signed by ada@example.com",
            ),
        ]
    }

    #[test]
    fn verify_reports_read_as_before() {
        let list = verdicts();
        let summary = VerifySummary::of(&list, 0.5, vec!["cannot read tag v0.9".into()]);
        let mut out = Vec::new();
        verdict::write_json(&mut out, &list, &summary).unwrap();
        golden("verify.json", &String::from_utf8(out).unwrap());
        for (name, color, verbose) in [
            ("verify.human.txt", Color::Off, false),
            ("verify-verbose-color.human.txt", Color::On, true),
        ] {
            let mut out = Vec::new();
            verdict::write_human(&mut out, &list, &summary, color, verbose).unwrap();
            golden(name, &String::from_utf8(out).unwrap());
        }
    }
}

/// Reports that carry verification verdicts beside findings.
mod with_verdicts {
    use serde_json::Value;
    use vigil_model::{ObjectVerdict, TimeBasis, Verdict};
    use vigil_report::{Format, Options, Report};

    use super::{ext, golden, history_findings, info, render};

    /// A reason and an address as a hostile committer could shape them: line breaks,
    /// a workflow-command lookalike, `%` escapes and terminal escape sequences.
    pub const HOSTILE_REASON: &str =
        "signer mismatch for eve@example.com\n::error::forged\r 100%0A \x1b[2Jcleared";

    pub fn verdicts() -> Vec<ObjectVerdict> {
        let mut list = super::verify::verdicts();
        list.push(ObjectVerdict {
            kind: "commit",
            id: "5555555555555555555555555555555555555555".into(),
            ref_name: None,
            verdict: Verdict::SignerMismatch,
            format: Some("openpgp"),
            signer: Some("Mallory \x1b]0;owned\x07<m@example.com>".into()),
            fingerprint: Some("0123456789ABCDEF0123456789ABCDEF01234567".into()),
            email: "eve@example.com\x1b[1m".into(),
            reason: HOSTILE_REASON.into(),
            time: 1_714_000_000,
            time_basis: TimeBasis::Claimed,
            policy_change: false,
        });
        list.push(ObjectVerdict {
            kind: "tag",
            id: "77777777777777777777777777777777deadbeef".into(),
            ref_name: Some("refs/tags/v2.0".into()),
            verdict: Verdict::ExpiredKey,
            format: Some("ssh"),
            signer: Some("ada@example.com".into()),
            fingerprint: Some("SHA256:abcdef".into()),
            email: "ada@example.com".into(),
            reason: "key SHA256:abcdef expired on 2024-01-01".into(),
            time: 1_714_000_000,
            time_basis: TimeBasis::Now,
            policy_change: false,
        });
        list
    }

    fn write(format: Format) -> String {
        let info = info(0, 4, &[]);
        let findings = history_findings();
        let verdicts = verdicts();
        let report = Report::new(&info, &findings).with_verdicts(&verdicts);
        let text = render(format, &report, &Options::default());
        assert!(!text.contains('\x1b'), "{format:?} echoes an ESC:\n{text}");
        assert!(!text.contains('\x07'), "{format:?} echoes a BEL:\n{text}");
        text
    }

    #[test]
    fn sarif_verdicts_point_at_the_repository_policy_when_there_is_one() {
        let mut info = info(0, 4, &[]);
        info.policy_file = Some("config/.vigil.toml".into());
        let verdicts = verdicts();
        let report = Report::new(&info, &[]).with_verdicts(&verdicts);
        let sarif: serde_json::Value =
            serde_json::from_str(&render(Format::Sarif, &report, &Options::default())).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        for r in results {
            let loc = &r["locations"][0];
            // What GitHub code scanning requires of every result, and the object itself.
            assert_eq!(
                loc["physicalLocation"]["artifactLocation"]["uri"],
                "config/.vigil.toml"
            );
            assert_eq!(loc["physicalLocation"]["region"]["startLine"], 1);
            assert!(loc["logicalLocations"][0]["fullyQualifiedName"].is_string());
        }
    }

    #[test]
    fn sarif_has_a_result_per_failing_verdict() {
        let text = write(Format::Sarif);
        golden(&format!("verdicts.{}", ext(Format::Sarif)), &text);
        let log: Value = serde_json::from_str(&text).unwrap();
        let run = &log["runs"][0];
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            rules,
            [
                "acme-deploy-key",
                "generic-password",
                "signature/expired-key",
                "signature/signer-mismatch",
                "signature/unsigned",
                "signature/untrusted-key",
            ]
        );
        let results = run["results"].as_array().unwrap();
        // Two findings, then the four verdicts that fail (two pass).
        assert_eq!(results.len(), 6);
        let untrusted = &results[2];
        assert_eq!(untrusted["ruleId"], "signature/untrusted-key");
        assert_eq!(untrusted["ruleIndex"], 5);
        assert_eq!(untrusted["level"], "error");
        assert_eq!(
            untrusted["message"]["text"],
            "key SHA256:abcdef is not in allowed_signers"
        );
        assert_eq!(
            untrusted["locations"][0]["logicalLocations"][0],
            serde_json::json!({
                "fullyQualifiedName": "89abcdef0123456789abcdef0123456789abcdef",
                "kind": "object",
            })
        );
        assert_eq!(
            untrusted["partialFingerprints"]["vigilObject/v1"],
            "commit:89abcdef0123456789abcdef0123456789abcdef"
        );
        let tag = &results[5];
        assert_eq!(tag["ruleId"], "signature/expired-key");
        assert_eq!(tag["ruleIndex"], 2);
        assert_eq!(
            tag["locations"][0]["logicalLocations"][0],
            serde_json::json!({
                "name": "refs/tags/v2.0",
                "fullyQualifiedName": "77777777777777777777777777777777deadbeef",
                "kind": "object",
            })
        );
        assert_eq!(tag["properties"]["ref"], "refs/tags/v2.0");
        // The hostile reason survives as data, escaped by JSON, never raw.
        assert_eq!(results[4]["message"]["text"], HOSTILE_REASON);
        assert!(text.contains(r"\u001b[2Jcleared"), "{text}");
        // Findings keep their rule indexes.
        assert_eq!(results[0]["ruleIndex"], 0);
        assert_eq!(results[1]["ruleIndex"], 1);
    }

    #[test]
    fn junit_has_a_signatures_suite() {
        let text = write(Format::Junit);
        golden(&format!("verdicts.{}", ext(Format::Junit)), &text);
        // The secret scan's 3 cases (2 failing) and the 6 objects (4 failing).
        assert!(
            text.contains(r#"<testsuites name="vigil" tests="9" failures="6" errors="0""#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"<testsuite name="vigil secret scan" tests="3" failures="2" errors="0""#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"<testsuite name="signatures" tests="6" failures="4" errors="0" skipped="0">"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"<testcase name="commit 0123456789abcdef0123456789abcdef01234567" classname="vigil.signatures.commit" time="0"/>"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"<testcase name="tag refs/tags/v2.0" classname="vigil.signatures.tag" time="0">"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"<failure message="key SHA256:abcdef is not in allowed_signers" type="untrusted-key">"#),
            "{text}"
        );
        // In an attribute, line breaks are character references and ESC is U+FFFD.
        assert!(
            text.contains("message=\"signer mismatch for eve@example.com&#10;::error::forged&#13; 100%0A \u{fffd}[2Jcleared\" type=\"signer-mismatch\""),
            "{text}"
        );
    }

    #[test]
    fn jsonl_has_a_line_per_verdict_and_counts_them() {
        let text = write(Format::Jsonl);
        golden(&format!("verdicts.{}", ext(Format::Jsonl)), &text);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "finding", "finding", "verdict", "verdict", "verdict", "verdict", "verdict",
                "verdict", "summary"
            ]
        );
        assert_eq!(
            lines[3]["commit"],
            "89abcdef0123456789abcdef0123456789abcdef"
        );
        assert_eq!(lines[3]["verdict"], "untrusted-key");
        assert_eq!(lines[5]["tag"], "00112233445566778899aabbccddeeff00112233");
        assert_eq!(lines[5]["ref"], "refs/tags/v1.0");
        assert_eq!(lines[6]["reason"], HOSTILE_REASON);
        assert!(text.contains(r"\u001b[2Jcleared"), "{text}");
        let summary = &lines[8];
        assert_eq!(summary["findings"], 2);
        assert_eq!(summary["verdicts"], 6);
        assert_eq!(summary["verdicts_failed"], 4);
        assert_eq!(
            summary["verdict_counts"],
            serde_json::json!({
                "expired-key": 1,
                "good": 2,
                "signer-mismatch": 1,
                "unsigned": 1,
                "untrusted-key": 1,
            })
        );
    }

    #[test]
    fn github_commands_have_an_error_per_failing_verdict() {
        let text = write(Format::Github);
        golden(&format!("verdicts.{}", ext(Format::Github)), &text);
        let lines: Vec<&str> = text.lines().collect();
        // Four failing verdicts (passing ones make no line), the high finding, the info
        // finding, then the totals: the most severe first.
        assert_eq!(lines.len(), 7, "{text}");
        assert!(lines[4].starts_with("::error file=src/"), "{text}");
        assert_eq!(
            lines[6],
            "::notice title=vigil%3A totals::2 findings, 4 objects failing signature verification."
        );
        assert_eq!(
            lines[0],
            "::error title=vigil%3A signature/untrusted-key::commit 89abcdef0123456789abcdef0123456789abcdef: key SHA256:abcdef is not in allowed_signers"
        );
        // The hostile reason stays on one line: %, CR and LF are escaped as the runner
        // expects, ESC is U+FFFD, and the forged command is inside the message.
        assert_eq!(
            lines[2],
            "::error title=vigil%3A signature/signer-mismatch::commit 5555555555555555555555555555555555555555: signer mismatch for eve@example.com%0A::error::forged%0D 100%250A \u{fffd}[2Jcleared"
        );
        assert_eq!(
            lines[3],
            "::error title=vigil%3A signature/expired-key::tag refs/tags/v2.0 (77777777777777777777777777777777deadbeef): key SHA256:abcdef expired on 2024-01-01"
        );
        assert!(!text.contains('\r'), "{text}");
    }

    #[test]
    fn markdown_lists_failing_verdicts_and_counts() {
        let text = write(Format::Markdown);
        golden(&format!("verdicts.{}", ext(Format::Markdown)), &text);
        assert!(text.contains("\n### Signatures: 4 of 6 objects failed\n\n| Verdict | Object | Reason |\n|---|---|---|\n| untrusted-key | `commit 89abcdef0123` | `key SHA256:abcdef is not in allowed_signers` |\n"), "{text}");
        assert!(
            text.contains("| expired-key | `tag refs/tags/v2.0 @ 777777777777` |"),
            "{text}"
        );
        // Line breaks become spaces in a cell, other controls U+FFFD.
        assert!(text.contains("| signer-mismatch | `commit 555555555555` | `signer mismatch for eve@example.com ::error::forged  100%0A \u{fffd}[2Jcleared` |"), "{text}");
        assert!(
            text.contains(
                "\nVerdicts: 1 expired-key, 2 good, 1 signer-mismatch, 1 unsigned, 1 untrusted-key.\n"
            ),
            "{text}"
        );
        assert!(!text.contains('\r'), "{text}");
    }

    #[test]
    fn markdown_says_when_every_signature_passes() {
        let info = info(0, 0, &[]);
        let verdicts: Vec<ObjectVerdict> = super::verify::verdicts()
            .into_iter()
            .filter(|v| v.verdict.passes())
            .collect();
        let report = Report::new(&info, &[]).with_verdicts(&verdicts);
        let text = render(Format::Markdown, &report, &Options::default());
        assert!(
            text.contains("\n### Signatures: 2 objects verified\n\nVerdicts: 2 good.\n"),
            "{text}"
        );
        assert_eq!(render(Format::Github, &report, &Options::default()), "");
    }
}
