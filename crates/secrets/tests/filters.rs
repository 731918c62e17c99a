//! The filter lists' self-test, beside the rule self-test: every list in
//! `rules/filters.toml` makes the scan drop each of its examples and still lets each
//! of its negative examples through. Examples are scanned with the built-in rules,
//! so they go through the real filters exactly as a file's content does.
#![allow(clippy::panic)]
use std::{collections::BTreeMap, fmt};

use regex::bytes::RegexBuilder;
use serde::Deserialize;
use vigil_model::Origin;
use vigil_secrets::{
    builtin_rule_specs, Allowlist, Detector, DetectorOptions, Fragment, Rule, BUILTIN_FILTERS_TOML,
};

/// One section of `filters.toml`; its `values` are build.rs's business.
#[derive(Deserialize)]
struct List {
    #[serde(default)]
    examples: Vec<Example>,
    #[serde(default)]
    negative_examples: Vec<Example>,
}

/// The text of a file, scanned as `example.txt` or under `path`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Example {
    Text(String),
    File { path: String, text: String },
}

impl Example {
    fn path(&self) -> &str {
        match self {
            Example::Text(_) => "example.txt",
            Example::File { path, .. } => path,
        }
    }

    fn text(&self) -> &str {
        match self {
            Example::Text(text) | Example::File { text, .. } => text,
        }
    }
}

impl fmt::Display for Example {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} in {}", self.text(), self.path())
    }
}

fn detector() -> Detector {
    let specs = builtin_rule_specs().unwrap_or_else(|e| panic!("{e}"));
    let rules = specs
        .into_iter()
        .map(|s| Rule::compile(s, "builtin").unwrap_or_else(|e| panic!("{e}")))
        .collect();
    Detector::new(rules, Allowlist::default(), DetectorOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The rules that report something in the example.
fn findings(d: &Detector, ex: &Example) -> Vec<String> {
    let origin = Origin::path(ex.path());
    let frag = Fragment::new(&origin, ex.text().as_bytes());
    d.scan(&frag).iter().map(|f| f.rule.to_string()).collect()
}

/// Whether some rule's regex matches the text (compiled as the detector compiles it:
/// over bytes, ASCII classes). An example no regex matches never reaches a filter,
/// so it would pass however the list changed.
fn a_regex_matches(d: &Detector, text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    d.rules().iter().any(|rule| {
        let s = &rule.spec;
        s.keywords
            .iter()
            .any(|k| lower.contains(&k.to_ascii_lowercase()))
            && RegexBuilder::new(&s.regex)
                .unicode(false)
                .size_limit(16 << 20)
                .dfa_size_limit(16 << 20)
                .build()
                .unwrap_or_else(|e| panic!("{}: {e}", s.id))
                .is_match(text.as_bytes())
    })
}

#[test]
fn every_filter_list_drops_its_examples_and_keeps_its_negatives() {
    let lists: BTreeMap<String, List> =
        toml::from_str(BUILTIN_FILTERS_TOML).unwrap_or_else(|e| panic!("filters.toml: {e}"));
    assert!(lists.len() >= 10, "only {} filter lists", lists.len());
    let d = detector();
    let mut failures = Vec::new();
    for (name, list) in &lists {
        if list.examples.is_empty() {
            failures.push(format!("[{name}]: has no examples"));
        }
        if list.negative_examples.is_empty() {
            failures.push(format!("[{name}]: has no negative examples"));
        }
        for ex in &list.examples {
            let found = findings(&d, ex);
            if !found.is_empty() {
                failures.push(format!("[{name}]: example {ex} was reported by {found:?}"));
            } else if !a_regex_matches(&d, ex.text()) {
                failures.push(format!(
                    "[{name}]: no rule's regex matches example {ex}, so it tests no filter"
                ));
            }
        }
        for ex in &list.negative_examples {
            if findings(&d, ex).is_empty() {
                failures.push(format!("[{name}]: negative example {ex} was not reported"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} filter example failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
