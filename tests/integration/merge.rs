//! `vigil report merge`: a history scanned as one job and as the shards of a CI
//! matrix, whose merged report must equal the unsharded one in every format it
//! supports, whatever the order the shards are given in; and the inputs it refuses.
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{harness::*, reports::validate};

const SARIF_SCHEMA: &str = "fixtures/schemas/sarif-schema-2.1.0.json";
const GITLAB_SCHEMA: &str = "fixtures/schemas/gitlab-secret-detection-report-15.2.4.json";
/// The formats merged, and a file extension for each.
const FORMATS: [(&str, &str); 4] = [
    ("json", "json"),
    ("jsonl", "jsonl"),
    ("sarif", "sarif"),
    ("gitlab", "gl.json"),
];

/// fixtures/git/build.sh `shards`: 8 findings in 5 files over 7 commits, among them one
/// line rewritten in three commits with the token at three columns.
fn fixture(object_format: &str) -> (tempfile::TempDir, PathBuf) {
    build_fixture_with("git", "shards", &[("VIGIL_OBJECT_FORMAT", object_format)])
}

/// Scans the history of `repo` (`shard` K/N or the whole), writing `format` to `out`.
fn scan(repo: &Path, format: &str, shard: Option<&str>, out: &Path) {
    let out = out.to_str().unwrap();
    let mut args = vec![
        "scan",
        "--history",
        "--format",
        format,
        "--report-path",
        out,
    ];
    if let Some(s) = shard {
        args.extend(["--shard", s]);
    }
    let r = run_in(repo, &args);
    assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
}

fn merge(dir: &Path, args: &[&str]) -> Run {
    run_in(dir, &[&["report", "merge"], args].concat())
}

/// A report's start and end times.
fn span(format: &str, text: &str) -> (String, String) {
    let (doc, start, end) = match format {
        "jsonl" => (text.lines().last().unwrap(), "/started", "/finished"),
        "sarif" => (
            text,
            "/runs/0/invocations/0/startTimeUtc",
            "/runs/0/invocations/0/endTimeUtc",
        ),
        "gitlab" => (text, "/scan/start_time", "/scan/end_time"),
        _ => panic!("{format} has no times"),
    };
    let v: Value = serde_json::from_str(doc).unwrap();
    let at = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap().to_owned();
    (at(start), at(end))
}

/// The text with its start and end times replaced: the only thing allowed to differ
/// between runs made at different times.
fn masked(format: &str, text: &str) -> String {
    if format == "json" {
        return text.to_owned();
    }
    let (start, end) = span(format, text);
    text.replace(&start, "<TIME>").replace(&end, "<TIME>")
}

fn findings_in(format: &str, text: &str) -> usize {
    let v: Value = serde_json::from_str(text).unwrap();
    match format {
        "json" => v["findings"].as_array().unwrap().len(),
        _ => unreachable!(),
    }
}

/// Scans as one job and as `n` shards, merges the shards (in order to a file, and in
/// another order to stdout) and compares with the unsharded report. Returns how many
/// findings each JSON shard held.
fn merged_equals_whole(n: u32) -> Vec<usize> {
    merged_equals_whole_in(n, "sha1")
}

/// The same in a repository of `object_format` (`git init --object-format`).
fn merged_equals_whole_in(n: u32, object_format: &str) -> Vec<usize> {
    let (tmp, repo) = fixture(object_format);
    let dir = tmp.path();
    let mut per_shard = Vec::new();
    for (format, ext) in FORMATS {
        let whole_path = dir.join(format!("whole.{ext}"));
        scan(&repo, format, None, &whole_path);
        let shards: Vec<String> = (1..=n)
            .map(|k| {
                let name = format!("shard-{k}-of-{n}.{ext}");
                scan(&repo, format, Some(&format!("{k}/{n}")), &dir.join(&name));
                name
            })
            .collect();
        let texts: Vec<String> = shards
            .iter()
            .map(|s| std::fs::read_to_string(dir.join(s)).unwrap())
            .collect();
        if format == "json" {
            per_shard = texts.iter().map(|t| findings_in(format, t)).collect();
            let whole: Value =
                serde_json::from_str(&std::fs::read_to_string(&whole_path).unwrap()).unwrap();
            let id_len = if object_format == "sha256" { 64 } else { 40 };
            for f in whole["findings"].as_array().unwrap() {
                assert_eq!(f["commit"]["id"].as_str().unwrap().len(), id_len, "{f}");
            }
        }
        let out = format!("merged.{ext}");
        let names: Vec<&str> = shards.iter().map(String::as_str).collect();
        let to_file = merge(dir, &[&["--output", &out], names.as_slice()].concat());
        assert_eq!(to_file.code, 1, "{format}: {}", to_file.stderr);
        assert!(to_file.stdout.is_empty(), "{}", to_file.stdout);
        assert!(
            to_file
                .stderr
                .contains(&format!("merged {n} {format} reports to {out}: 8 findings")),
            "{}",
            to_file.stderr
        );
        let merged = std::fs::read_to_string(dir.join(&out)).unwrap();
        // Any order gives the same report: here reversed, then the first two swapped.
        let mut shuffled = names.clone();
        shuffled.reverse();
        shuffled.swap(0, 1);
        let to_stdout = merge(dir, &shuffled);
        assert_eq!(to_stdout.code, 1, "{}", to_stdout.stderr);
        assert_eq!(
            to_stdout.stdout, merged,
            "{format}: the order of the shards changed the merge"
        );

        let whole = std::fs::read_to_string(&whole_path).unwrap();
        if format != "json" {
            // The times: the earliest start and the latest end of the shards.
            let spans: Vec<(String, String)> = texts.iter().map(|t| span(format, t)).collect();
            let (start, end) = span(format, &merged);
            assert_eq!(Some(&start), spans.iter().map(|s| &s.0).min());
            assert_eq!(Some(&end), spans.iter().map(|s| &s.1).max());
        }
        let (m, w) = (masked(format, &merged), masked(format, &whole));
        if m != w {
            let line = m.lines().zip(w.lines()).position(|(a, b)| a != b);
            panic!(
                "{format}: the merged report differs from the unsharded one (line {line:?}):\n{m}\n--- unsharded:\n{w}"
            );
        }
        match format {
            "sarif" => {
                validate(SARIF_SCHEMA, &[dir.join(&out), dir.join(&shards[0])]);
            }
            "gitlab" => {
                validate(GITLAB_SCHEMA, &[dir.join(&out), dir.join(&shards[0])]);
            }
            _ => {}
        }
    }
    per_shard
}

#[test]
fn four_shards_merge_into_the_unsharded_report() {
    let per_shard = merged_equals_whole(4);
    assert_eq!(per_shard.iter().sum::<usize>(), 8);
    // Not a trivial split: the findings are spread over several shards.
    assert!(
        per_shard.iter().filter(|n| **n > 0).count() >= 2,
        "{per_shard:?}"
    );
}

/// A SHA-256 repository: the reports carry 64-hex commit ids, and merge back the same.
#[test]
fn shards_of_a_sha256_history_merge_into_the_unsharded_report() {
    let per_shard = merged_equals_whole_in(3, "sha256");
    assert_eq!(per_shard.iter().sum::<usize>(), 8);
}

#[test]
fn shards_without_findings_merge_too() {
    let per_shard = merged_equals_whole(16);
    assert!(per_shard.contains(&0), "{per_shard:?}");
    assert_eq!(per_shard.iter().sum::<usize>(), 8);
}

#[test]
fn a_clean_history_merges_into_a_clean_report() {
    let dir = tree(&[]);
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::write(repo.join("a.txt"), "nothing here\n").unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "clean"]);
    for (format, ext) in FORMATS {
        let names: Vec<String> = (1..=2).map(|k| format!("s{k}.{ext}")).collect();
        for (k, name) in names.iter().enumerate() {
            scan(
                repo,
                format,
                Some(&format!("{}/2", k + 1)),
                &repo.join(name),
            );
        }
        let r = merge(repo, &[names[0].as_str(), names[1].as_str()]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(r.stderr.contains(": 0 findings"), "{}", r.stderr);
    }
}

#[test]
fn reports_that_cannot_be_merged_are_refused_by_name() {
    let (tmp, repo) = fixture("sha1");
    let dir = tmp.path();
    for k in 1..=2 {
        scan(
            &repo,
            "json",
            Some(&format!("{k}/2")),
            &dir.join(format!("s{k}.json")),
        );
        scan(
            &repo,
            "sarif",
            Some(&format!("{k}/2")),
            &dir.join(format!("s{k}.sarif")),
        );
    }
    scan(&repo, "json", None, &dir.join("whole.json"));
    let token = "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";
    std::fs::write(
        dir.join("broken.json"),
        format!("{{\"version\": 1, \"findings\": [{{\"secret\": \"{token}\""),
    )
    .unwrap();
    std::fs::write(
        dir.join("other.json"),
        format!("{{\"token\": \"{token}\"}}"),
    )
    .unwrap();
    let before = std::fs::read(dir.join("s1.json")).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["s1.json", "s2.sarif"],
            "s2.sarif is a SARIF report, but s1.json is a vigil JSON report",
        ),
        (&["s1.json", "broken.json"], "broken.json: not JSON (line 1"),
        (
            &["other.json", "s1.json"],
            "other.json: a JSON object of no known report",
        ),
        (&["s1.json", "missing.json"], "missing.json: no such file"),
        (&["s1.json", "s1.json"], "s1.json is given twice"),
        (&["s1.json"], "1 shard of 2 missing (2/2)"),
        (
            &["s1.json", "s2.json", "whole.json"],
            "whole.json: names no shard",
        ),
        (
            &["s1.sarif", "s2.sarif", "s1.sarif"],
            "s1.sarif is given twice",
        ),
        (
            &["-o", "s1.json", "s1.json", "s2.json"],
            "the output s1.json is the report s1.json",
        ),
        (
            &["-o", "merged.json", "."],
            ".: not a regular file (a folder)",
        ),
    ];
    for (args, expected) in cases {
        let r = merge(dir, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains("ghp_") && !r.stdout.contains("ghp_"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    assert_eq!(
        std::fs::read(dir.join("s1.json")).unwrap(),
        before,
        "an input was overwritten"
    );
    assert!(
        !dir.join("merged.json").exists(),
        "a failed merge wrote its output"
    );
    // A copy of shard 1 under another name is shard 1 twice.
    std::fs::copy(dir.join("s1.sarif"), dir.join("copy.sarif")).unwrap();
    let r = merge(dir, &["s1.sarif", "copy.sarif", "s2.sarif"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("copy.sarif and s1.sarif both hold shard 1/2"),
        "{}",
        r.stderr
    );
    // No report at all is a usage error too.
    assert_eq!(merge(dir, &[]).code, 2);
}
