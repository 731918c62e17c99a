//! Recall and precision on the labelled corpus in fixtures/corpus.
use std::collections::BTreeSet;

use serde::Deserialize;

use crate::harness::*;

#[derive(Deserialize)]
struct Labels {
    secret: Vec<Label>,
}

#[derive(Deserialize)]
struct Label {
    path: String,
    line: u64,
    kind: String,
}

#[test]
fn corpus_recall_and_precision_are_at_least_98_percent() {
    let text = std::fs::read_to_string(repo_root().join("fixtures/corpus-expected.toml")).unwrap();
    let labels: Labels = toml::from_str(&text).unwrap();
    let expected: BTreeSet<(String, u64)> = labels
        .secret
        .iter()
        .map(|l| (l.path.clone(), l.line))
        .collect();
    assert_eq!(expected.len(), labels.secret.len(), "duplicate labels");

    let r = run_in(
        &repo_root().join("fixtures/corpus"),
        &["scan", ".", "--no-config", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let found: BTreeSet<(String, u64)> = r.findings().into_iter().map(|(_, p, l)| (p, l)).collect();

    let true_positives = found.intersection(&expected).count();
    let recall = true_positives as f64 / expected.len() as f64;
    let precision = true_positives as f64 / found.len().max(1) as f64;
    println!(
        "corpus: {} labelled secrets, {} lines reported, {true_positives} correct",
        expected.len(),
        found.len()
    );
    println!("corpus: recall {recall:.4}, precision {precision:.4}");
    for miss in expected.difference(&found) {
        let kind = labels
            .secret
            .iter()
            .find(|l| (l.path.as_str(), l.line) == (miss.0.as_str(), miss.1))
            .map_or("", |l| l.kind.as_str());
        println!("  missed       {}:{} ({kind})", miss.0, miss.1);
    }
    for extra in found.difference(&expected) {
        let rules: Vec<_> = r
            .findings()
            .into_iter()
            .filter(|(_, p, l)| (p, *l) == (&extra.0, extra.1))
            .map(|(rule, ..)| rule)
            .collect();
        println!(
            "  false alarm  {}:{} ({})",
            extra.0,
            extra.1,
            rules.join(", ")
        );
    }
    assert!(recall >= 0.98, "recall {recall:.4} < 0.98");
    assert!(precision >= 0.98, "precision {precision:.4} < 0.98");
}
