//! The rule self-test: every built-in rule finds each of its examples and none of
//! its negative examples, and carries what a user needs to respond to a finding.
#![allow(clippy::panic)]
use vigil_model::Origin;
use vigil_secrets::{
    builtin_rule_specs, Allowlist, Detector, DetectorOptions, Fragment, Reach, Rule,
};

fn detector() -> Detector {
    detector_with(DetectorOptions::default())
}

fn detector_with(options: DetectorOptions) -> Detector {
    let specs = builtin_rule_specs().unwrap_or_else(|e| panic!("{e}"));
    let rules = specs
        .into_iter()
        .map(|s| {
            let rule = Rule::compile(s, "builtin").unwrap_or_else(|e| panic!("{e}"));
            rule.check_regex().unwrap_or_else(|e| panic!("{e}"));
            rule
        })
        .collect();
    Detector::new(rules, Allowlist::default(), options).unwrap_or_else(|e| panic!("{e}"))
}

fn rules_found(d: &Detector, text: &str) -> Vec<String> {
    let origin = Origin::path("example.txt");
    let frag = Fragment::new(&origin, text.as_bytes());
    d.scan(&frag).iter().map(|f| f.rule.to_string()).collect()
}

#[test]
fn every_rule_finds_its_examples_and_not_its_negatives() {
    let d = detector();
    let mut failures = Vec::new();
    for rule in d.rules() {
        let s = &rule.spec;
        if s.examples.is_empty() {
            failures.push(format!("{}: has no examples", s.id));
        }
        if s.negative_examples.is_empty() {
            failures.push(format!("{}: has no negative examples", s.id));
        }
        for ex in &s.examples {
            let found = rules_found(&d, ex);
            if !found.contains(&s.id) {
                failures.push(format!("{}: missed example {ex:?} (found {found:?})", s.id));
            }
        }
        for ex in &s.negative_examples {
            if rules_found(&d, ex).contains(&s.id) {
                failures.push(format!("{}: matched negative example {ex:?}", s.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} rule example failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_is_complete() {
    let d = detector();
    let mut failures = Vec::new();
    for rule in d.rules() {
        let s = &rule.spec;
        if s.keywords.is_empty() {
            failures.push(format!(
                "{}: built-in rules need keywords for the prefilter",
                s.id
            ));
        }
        if s.remediation.as_deref().is_none_or(str::is_empty)
            || s.remediation_url
                .as_deref()
                .is_none_or(|u| !u.starts_with("https://"))
        {
            failures.push(format!(
                "{}: needs remediation text and an https remediation_url",
                s.id
            ));
        }
        // The prefilter searches only as far as a rule's regex can reach from its
        // keyword; an unbounded multi-line regex makes it search 32 KiB around every hit,
        // which only private keys need.
        if let Reach::Bytes(n) = rule.reach().unwrap_or_else(|e| panic!("{e}")) {
            if n >= 32 << 10 && !s.tags.iter().any(|t| t == "private-key") {
                failures.push(format!(
                    "{}: the regex can match across {n} bytes of lines; bound its repetitions (`\\s{{0,16}}`, not `\\s*`)",
                    s.id,
                ));
            }
        }
        if s.tags.is_empty() {
            failures.push(format!("{}: needs tags", s.id));
        }
        // Each keyword group must be able to select the rule for each example.
        for ex in &s.examples {
            let lower = ex.to_ascii_lowercase();
            if !s
                .keywords
                .iter()
                .any(|k| lower.contains(&k.to_ascii_lowercase()))
            {
                failures.push(format!("{}: no keyword occurs in example {ex:?}", s.id));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn at_least_150_rules() {
    let n = detector().rules().len();
    assert!(n >= 150, "only {n} built-in rules");
}

/// `--explain`: dropped candidates are recorded only when asked, and a generic rule's
/// candidate that a specific finding covers (the same secret, reported) is not listed.
#[test]
fn dropped_candidates_are_recorded_only_when_explaining() {
    // A fake SendGrid key (corpus) that generic-password drops as a code reference
    // and sendgrid-api-key reports; and a GitHub token whose checksum fails.
    let ini = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/corpus/config/app.ini"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let sendgrid = ini.lines().nth(15).unwrap_or_default();
    let text = format!("{sendgrid}\nBAD=ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y000000\n");
    let origin = Origin::path("app.ini");
    let frag = Fragment::new(&origin, text.as_bytes());
    let quiet = detector();
    assert_eq!(quiet.scan(&frag).len(), 1);
    assert!(quiet.take_dropped().is_empty());
    let explaining = detector_with(DetectorOptions {
        explain: true,
        ..DetectorOptions::default()
    });
    let found: Vec<String> = explaining
        .scan(&frag)
        .iter()
        .map(|f| f.rule.to_string())
        .collect();
    assert_eq!(found, ["sendgrid-api-key"]);
    let dropped: Vec<(String, u32, String)> = explaining
        .take_dropped()
        .iter()
        .map(|d| {
            (
                d.finding.rule.to_string(),
                d.finding.location.line,
                d.reason.to_string(),
            )
        })
        .collect();
    assert_eq!(dropped.len(), 1, "{dropped:?}");
    assert_eq!(dropped[0].0, "github-pat-classic");
    assert_eq!(dropped[0].1, 2);
    assert!(
        dropped[0].2.starts_with("validator failed: checksum"),
        "{dropped:?}"
    );
    assert!(explaining.take_dropped().is_empty(), "taken twice");
}

/// A password on a command line that a rule for that command names is reported once,
/// by that rule, not again by the catch-all `generic-cli-password`.
#[test]
fn a_named_generic_rule_explains_the_catch_all_on_the_same_secret() {
    let d = detector();
    for (line, rule) in [
        (
            "mysql -u admin -pQ7vLm2Rt9xKpZw production",
            "mysql-cli-password",
        ),
        (
            "sshpass -p 'Q7vLm2Rt9xKpZw' ssh deploy@10.0.0.5",
            "sshpass-password",
        ),
        (
            "docker login -u deploy -p Q7vLm2Rt9xKpZw registry.corp.net",
            "docker-login-password",
        ),
        (
            "PGPASSWORD=Q7vLm2Rt9xKpZw psql -h db -U app",
            "pgpassword-env",
        ),
    ] {
        assert_eq!(rules_found(&d, line), [rule], "{line}");
    }
    // A command no rule names is still the catch-all's.
    assert_eq!(
        rules_found(&d, "acmectl login -u ci -p Q7vLm2Rt9xKpZw"),
        ["generic-cli-password"]
    );
}
