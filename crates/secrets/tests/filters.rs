//! The filter lists' self-test, beside the rule self-test: every list in
//! `rules/filters.toml` makes the scan drop each of its examples and still lets each
//! of its negative examples through. Examples are scanned with the built-in rules,
//! so they go through the real filters exactly as a file's content does. Then the
//! placeholder filter's limits: real secrets that hold a marker by chance.
#![allow(clippy::panic)]
use std::{collections::BTreeMap, fmt, sync::OnceLock};

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

/// The built-in rules, compiled once for every test of this file.
fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        let specs = builtin_rule_specs().unwrap_or_else(|e| panic!("{e}"));
        let rules = specs
            .into_iter()
            .map(|s| Rule::compile(s, "builtin").unwrap_or_else(|e| panic!("{e}")))
            .collect();
        Detector::new(rules, Allowlist::default(), DetectorOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The rules that report something in the example.
fn findings(d: &Detector, ex: &Example) -> Vec<String> {
    reported(d, ex.path(), ex.text())
}

/// The rules that report something in `text`, scanned as `path`.
fn reported(d: &Detector, path: &str, text: &str) -> Vec<String> {
    let origin = Origin::path(path);
    let frag = Fragment::new(&origin, text.as_bytes());
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
            let found = findings(d, ex);
            if !found.is_empty() {
                failures.push(format!("[{name}]: example {ex} was reported by {found:?}"));
            } else if !a_regex_matches(d, ex.text()) {
                failures.push(format!(
                    "[{name}]: no rule's regex matches example {ex}, so it tests no filter"
                ));
            }
        }
        for ex in &list.negative_examples {
            if findings(d, ex).is_empty() {
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

// A real secret whose random body holds a placeholder marker by chance is still
// reported: the marker filter reads markers as words, and never applies to a secret
// that a structural validator (`github-checksum`, `pem`) accepted.

/// GitHub's token checksum, computed here independently of the validator: CRC32 of
/// the body, written in base62 (0-9A-Za-z) on 6 characters, zero-padded.
fn github_token(prefix: &str, body: &str) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n = crc32fast::hash(body.as_bytes());
    let mut sum = [b'0'; 6];
    for digit in sum.iter_mut().rev() {
        *digit = BASE62[(n % 62) as usize];
        n /= 62;
    }
    format!("{prefix}{body}{}", String::from_utf8_lossy(&sum))
}

#[test]
fn a_checksum_valid_github_token_holding_xxxx_in_mixed_case_is_reported() {
    let d = detector();
    // A random 30-character body that happens to hold `XxXX`.
    let token = github_token("ghp_", "q7Vm2RtLp9XxXXk3Bn8Lc4DjH5FsZw");
    assert_eq!(token.len(), 40);
    let found = reported(d, "deploy.env", &format!("GITHUB_TOKEN={token}\n"));
    assert!(
        found.iter().any(|r| r == "github-pat-classic"),
        "{token}: {found:?}"
    );
}

#[test]
fn a_checksum_valid_github_token_holding_a_marker_word_is_reported() {
    let d = detector();
    // Even a marker that reads as one (`xxxx` after a digit, `EXAMPLE`) is chance
    // inside a body that carries a valid checksum.
    for body in [
        "q7Vm2RtLp9xxxxk3Bn8Lc4DjH5FsZw",
        "q7Vm2RtLp9k3Bn8Lc4DjH5FEXAMPLE",
    ] {
        assert_eq!(body.len(), 30);
        let token = github_token("ghp_", body);
        let found = reported(d, "deploy.env", &format!("GITHUB_TOKEN={token}\n"));
        assert!(
            found.iter().any(|r| r == "github-pat-classic"),
            "{token}: {found:?}"
        );
    }
}

#[test]
fn a_checksum_valid_token_of_one_character_is_still_a_placeholder() {
    let d = detector();
    // A placeholder token with a valid checksum, made of one character, is dropped.
    let placeholder = github_token("ghp_", &"x".repeat(30));
    let found = reported(d, "deploy.env", &format!("GITHUB_TOKEN={placeholder}\n"));
    assert!(
        !found.iter().any(|r| r == "github-pat-classic"),
        "{placeholder}: {found:?}"
    );
}

#[test]
fn an_rsa_key_whose_body_holds_xxxx_by_chance_is_reported() {
    let d = detector();
    // A 1024-bit key made with `openssl genrsa` (PKCS#8, as OpenSSL 3 writes it), a
    // test key never used anywhere: the first of 692 generated whose base64 body holds
    // `xxxx` in some case (`jxxxXu`). About one 2048-bit key in 700 does.
    let pem = include_str!("fixtures/rsa-key-holding-xxxx.pem");
    assert!(
        pem.lines()
            .filter(|l| !l.starts_with("-----"))
            .any(|l| l.to_ascii_lowercase().contains("xxxx")),
        "the fixture no longer holds xxxx"
    );
    let found = reported(d, "deploy/id_rsa", pem);
    assert!(
        found.iter().any(|r| r.starts_with("private-key")),
        "{found:?}"
    );
}

#[test]
fn a_pem_block_of_placeholder_lines_is_still_dropped() {
    let d = detector();
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n-----END RSA PRIVATE KEY-----\n",
        "x".repeat(64),
        "x".repeat(64)
    );
    let found = reported(d, "deploy/id_rsa", &pem);
    assert!(found.is_empty(), "{found:?}");
}
