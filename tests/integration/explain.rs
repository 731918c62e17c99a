//! `vigil scan --explain`: each candidate a rule matched and then dropped, with why.
use crate::harness::*;

/// `GH_TOKEN` with its 6-character CRC32 checksum replaced: the documented format,
/// a checksum that fails.
const BAD_CHECKSUM: &str = "ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y000000";

/// The `Dropped candidates` line for `place`, else a failure showing the output.
fn line_for<'a>(r: &'a Run, place: &str) -> &'a str {
    r.stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{place} ")))
        .unwrap_or_else(|| panic!("no line for {place}:\n{}\n{}", r.stdout, r.stderr))
}

/// No output shows any of `secrets` whole.
fn never_whole(r: &Run, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !r.stdout.contains(s) && !r.stderr.contains(s),
            "{s} shown whole:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
}

const FILE: &str = "BAD=ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y000000
MARKED=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 # vigil:allow
password = \"aaaaaaaaaa\"
password = \"self.password\"
api_key = \"EXAMPLE_KEY_abc123XYZ\"
STOP=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
";

#[test]
fn each_reason_the_detector_drops_a_candidate_is_said() {
    let config = "[allowlist]\nstopwords = [\"eeeby3\"]\n";
    let dir = tree(&[
        ("a.env", FILE.as_bytes()),
        (".vigil.toml", config.as_bytes()),
    ]);
    let r = run_in(dir.path(), &["scan", ".", "--explain"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (report, section) = r
        .stdout
        .split_once("\nDropped candidates: 6\n")
        .unwrap_or_else(|| panic!("no section:\n{}", r.stdout));
    assert!(report.contains("no secrets found"), "{report}");
    assert_eq!(section.lines().count(), 6, "{section}");
    let expect = [
        (
            "a.env:1:5",
            "github-pat-classic  ghp_Ky… (40 chars): validator failed: checksum",
        ),
        ("a.env:2:8", "inline allow marker on its line"),
        (
            "a.env:3:13",
            "generic-password  aa… (10 chars): entropy 0.00 is below the rule's threshold",
        ),
        ("a.env:4:13", "generic-rule filter: a code reference"),
        ("a.env:5:12", "placeholder or example value"),
        ("a.env:6:6", "allowlist in .vigil.toml: stopword \"eeeby3\""),
    ];
    for (place, reason) in expect {
        let line = line_for(&r, place);
        assert!(line.contains(reason), "{place}: {line}");
    }
    never_whole(
        &r,
        &[
            BAD_CHECKSUM,
            GH_TOKEN,
            GH_TOKEN_2,
            "aaaaaaaaaa",
            "EXAMPLE_KEY_abc123XYZ",
        ],
    );
}

#[test]
fn without_explain_the_output_is_unchanged() {
    let dir = tree(&[("a.env", FILE.as_bytes())]);
    let strip_time = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("\"elapsed") && !l.contains("Time") && !l.contains("time\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for format in ["human", "json", "sarif"] {
        let plain = run_in(dir.path(), &["scan", ".", "--format", format]);
        assert!(!plain.stdout.contains("ropped"), "{}", plain.stdout);
        assert!(!plain.stderr.contains("ropped"), "{}", plain.stderr);
        if format == "human" {
            continue;
        }
        // A machine format on stdout: the section goes to stderr; SARIF stays exactly
        // as it is, JSON gains only a `dropped` array.
        let explained = run_in(dir.path(), &["scan", ".", "--format", format, "--explain"]);
        assert!(
            explained.stderr.contains("Dropped candidates: 5"),
            "{}",
            explained.stderr
        );
        if format == "json" {
            let out = tempfile::tempdir().unwrap();
            let file = out.path().join("explained.json");
            std::fs::write(&file, &explained.stdout).unwrap();
            crate::reports::validate(crate::reports::JSON_SCHEMA, &[file]);
            let mut json = explained.json();
            let dropped = json
                .as_object_mut()
                .and_then(|o| o.remove("dropped"))
                .unwrap_or_else(|| panic!("no dropped array: {}", explained.stdout));
            assert_eq!(json, plain.json());
            let reasons: Vec<&str> = dropped
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["reason"].as_str().unwrap())
                .collect();
            assert_eq!(reasons.len(), 5, "{reasons:?}");
            assert!(
                reasons[0].starts_with("validator failed: checksum"),
                "{reasons:?}"
            );
            never_whole(&explained, &[BAD_CHECKSUM, GH_TOKEN, GH_TOKEN_2]);
        } else {
            assert_eq!(strip_time(&plain.stdout), strip_time(&explained.stdout));
        }
    }
}

#[test]
fn a_baseline_and_a_gitleaks_filter_are_named() {
    let dir = tree(&[
        ("a.env", format!("T={GH_TOKEN}\n").as_bytes()),
        ("b.env", format!("T={GH_TOKEN_2}\n").as_bytes()),
        (
            ".gitleaks.toml",
            b"[extend]\nuseDefault = true\n\n[allowlist]\npaths = ['''^b\\.env$''']\n",
        ),
    ]);
    let found = run_in(dir.path(), &["scan", "a.env"]);
    assert_eq!(found.code, 1, "{}\n{}", found.stdout, found.stderr);
    assert_eq!(run_in(dir.path(), &["baseline", "create"]).code, 0);
    let r = run_in(
        dir.path(),
        &["scan", ".", "--baseline", ".vigil-baseline", "--explain"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        line_for(&r, "a.env:1:3").contains("accepted by the baseline .vigil-baseline"),
        "{}",
        r.stdout
    );
    assert!(
        line_for(&r, "b.env:1:3").contains(".gitleaks.toml: an [allowlist] allows it"),
        "{}",
        r.stdout
    );
    never_whole(&r, &[GH_TOKEN, GH_TOKEN_2]);
}

#[test]
fn no_redact_shows_the_candidate_as_it_shows_findings() {
    let dir = tree(&[("a.env", format!("BAD={BAD_CHECKSUM}\n").as_bytes())]);
    let r = run_in(dir.path(), &["scan", ".", "--explain", "--no-redact"]);
    assert!(
        line_for(&r, "a.env:1:5").contains(BAD_CHECKSUM),
        "{}",
        r.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_hostile_file_name_neither_escapes_nor_forges_a_line() {
    let dir = tree(&[(
        "x\x1b[31m\nforged.env",
        format!("BAD={BAD_CHECKSUM}\n").as_bytes(),
    )]);
    let r = run_in(dir.path(), &["scan", ".", "--explain"]);
    assert!(!r.stdout.contains('\x1b'), "{:?}", r.stdout);
    let section = r.stdout.split_once("Dropped candidates: 1\n").map(|s| s.1);
    assert_eq!(
        section.map(|s| s.lines().count()),
        Some(1),
        "{:?}",
        r.stdout
    );
    assert!(
        r.stdout.contains("x\\x1b[31m\\nforged.env:1:5"),
        "{:?}",
        r.stdout
    );
}
