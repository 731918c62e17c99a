//! `--memory SIZE` / `[scan] memory`: a history scan's caches stay within a budget, and
//! the budget changes the time a scan takes, never its report.
use crate::{harness::*, resume::long_history};

fn history_json(repo: &std::path::Path, extra: &[&str]) -> Run {
    run_in(
        repo,
        &[&["scan", "--history", "--format", "json"], extra].concat(),
    )
}

/// The smallest budget and the default give byte-identical reports on a packed history
/// long enough to be read in pack order (more than 256 commits).
#[test]
fn the_memory_budget_changes_nothing_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    long_history(dir.path(), 1500);
    git(dir.path(), &["repack", "-a", "-d", "-q"]);
    let whole = history_json(dir.path(), &[]);
    assert_eq!(whole.code, 1, "{}", whole.stderr);
    assert!(whole.stdout.contains("\"findings\""), "{}", whole.stdout);
    for budget in ["32MiB", "1GiB"] {
        let run = history_json(dir.path(), &["--memory", budget, "-j", "2"]);
        assert_eq!(run.code, 1, "{budget}: {}", run.stderr);
        assert_eq!(
            without_elapsed(&run.stdout),
            without_elapsed(&whole.stdout),
            "{budget}"
        );
    }
}

/// A report's JSON without the fields that hold the time the scan took.
fn without_elapsed(json: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    if let Some(scan) = value.get_mut("scan").and_then(|s| s.as_object_mut()) {
        scan.retain(|k, _| !k.contains("elapsed") && !k.contains("started"));
    }
    value.to_string()
}

/// A budget below what a scan needs, or not a size, is a usage error naming the flag
/// or the file and line.
#[test]
fn a_budget_too_small_or_not_a_size_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    long_history(dir.path(), 3);
    let run = history_json(dir.path(), &["--memory", "1M"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--memory: 1 MiB is below the 32 MiB a git scan needs"),
        "{}",
        run.stderr
    );
    let run = history_json(dir.path(), &["--memory", "lots"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--memory: \"lots\" is not a size"),
        "{}",
        run.stderr
    );

    std::fs::write(dir.path().join(".vigil.toml"), "[scan]\nmemory = \"8M\"\n").unwrap();
    let run = history_json(dir.path(), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(".vigil.toml")
            && run
                .stderr
                .contains("[scan] memory: 8 MiB is below the 32 MiB"),
        "{}",
        run.stderr
    );
}
