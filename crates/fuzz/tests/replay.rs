//! Every seed of the fuzz corpora (`fuzz/corpus/<target>/`, and the project's folders
//! `fuzz/seeds.txt` names) and every input a fuzzer
//! once found to crash, hang or run out of memory (`fuzz/regressions/<target>/`), run
//! through its target's body on the stable toolchain: no panic, no broken invariant,
//! and no input taking longer than [`SLOW`].
use std::{
    fs,
    panic::{catch_unwind, AssertUnwindSafe},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use vigil_fuzz::TARGETS;

/// Longer than any input takes (a debug build of the crate itself); a hang found by
/// the fuzzer is minutes.
const SLOW: Duration = Duration::from_secs(20);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted (none if the folder is missing); for
/// the corpus, with the files below the folders `fuzz/seeds.txt` names for `target`.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(&fuzz_dir().join(kind).join(target), &mut files);
    if kind == "corpus" {
        let seeds = fs::read_to_string(fuzz_dir().join("seeds.txt")).unwrap_or_default();
        for line in seeds.lines().filter(|l| !l.starts_with('#')) {
            let mut words = line.split_whitespace();
            if words.next() == Some(target) {
                for folder in words {
                    walk(&fuzz_dir().join("..").join(folder), &mut files);
                }
            }
        }
    }
    files.sort();
    files
}

/// Adds the files below `dir` to `files`.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, files),
            Ok(t) if t.is_file() => files.push(path),
            _ => {}
        }
    }
}

/// Runs every input of `kind` through its target; returns how many ran, or the
/// failures, each naming its file.
fn replay(kind: &str) -> Result<usize, Vec<String>> {
    let mut failures = Vec::new();
    let mut ran = 0;
    for (name, body) in TARGETS {
        for file in inputs(kind, name) {
            let data = match fs::read(&file) {
                Ok(d) => d,
                Err(e) => {
                    failures.push(format!("{}: {e}", file.display()));
                    continue;
                }
            };
            let start = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| body(&data)));
            let took = start.elapsed();
            ran += 1;
            if outcome.is_err() {
                failures.push(format!("{}: panicked (message above)", file.display()));
            } else if took > SLOW {
                failures.push(format!("{}: took {took:?}", file.display()));
            }
        }
    }
    if failures.is_empty() {
        Ok(ran)
    } else {
        Err(failures)
    }
}

#[test]
fn every_seed_runs_clean() {
    match replay("corpus") {
        Ok(n) => assert!(n >= TARGETS.len(), "only {n} seeds"),
        Err(f) => panic!("seeds that fail:\n{}", f.join("\n")),
    }
}

#[test]
fn every_regression_runs_clean() {
    if let Err(f) = replay("regressions") {
        panic!("regressions that fail again:\n{}", f.join("\n"));
    }
}

/// The targets, their corpus folders and the fuzz targets of `fuzz/Cargo.toml` are the
/// same list, so no folder is silently never replayed and no target lacks seeds.
#[test]
fn folders_and_fuzz_targets_match_the_target_list() {
    let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
    for kind in ["corpus", "regressions"] {
        let Ok(dir) = fs::read_dir(fuzz_dir().join(kind)) else {
            assert_eq!(kind, "regressions", "fuzz/corpus exists");
            continue;
        };
        for e in dir {
            let e = e.map_err(|e| e.to_string());
            let name = e.map(|e| e.file_name().to_string_lossy().into_owned());
            assert!(
                name.as_deref().is_ok_and(|n| names.contains(&n)),
                "fuzz/{kind}/{name:?} names no target of vigil_fuzz::TARGETS"
            );
        }
    }
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap_or_default();
    for name in &names {
        assert!(
            !inputs("corpus", name).is_empty(),
            "fuzz/corpus/{name} has seeds"
        );
        let target = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        let body = fs::read_to_string(&target).unwrap_or_default();
        assert!(
            body.contains(&format!("vigil_fuzz::{name}(data)")),
            "{} calls vigil_fuzz::{name}",
            target.display()
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has a [[bin]] {name}"
        );
    }
    let bins = manifest.matches("[[bin]]").count();
    assert_eq!(
        bins,
        names.len(),
        "fuzz/Cargo.toml has one [[bin]] per target"
    );
}
