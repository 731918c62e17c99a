//! A rule as written in TOML ([`RuleSpec`]) and as compiled for matching ([`Rule`]).
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, HirKind};
use serde::{Deserialize, Serialize};

use vigil_model::Severity;

use crate::{
    allowlist::{Allowlist, AllowlistSpec},
    reach::Reach,
    required::Required,
};

/// Checks that make a match certain; see `rules/README.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    GithubChecksum,
    Jwt,
    Pem,
    Base64Credentials,
}

/// A rule exactly as its TOML says; the schema is documented in `rules/README.md`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub regex: String,
    #[serde(default)]
    pub secret_group: Option<usize>,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub validators: Vec<Validator>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub generic: bool,
    #[serde(default)]
    pub remediation: Option<String>,
    #[serde(default)]
    pub remediation_url: Option<String>,
    #[serde(default)]
    pub allowlist: AllowlistSpec,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

fn default_severity() -> Severity {
    Severity::High
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub(crate) rule: Vec<RuleSpec>,
}

/// What is wrong with a rule, naming the file and rule.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: not a valid rule file: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: rule `{id}`: invalid regex: {message}")]
    Regex {
        file: String,
        id: String,
        message: String,
    },
    #[error(
        "{file}: rule `{id}`: secret_group {group} does not exist (the regex has {groups} groups)"
    )]
    Group {
        file: String,
        id: String,
        group: usize,
        groups: usize,
    },
    #[error("{file}: rule `{id}`: {message}")]
    Invalid {
        file: String,
        id: String,
        message: String,
    },
    #[error("rule `{id}` is defined twice (in {first} and {second})")]
    Duplicate {
        id: String,
        first: String,
        second: String,
    },
}

impl RuleError {
    fn invalid(file: &str, spec: &RuleSpec, message: String) -> RuleError {
        RuleError::Invalid {
            file: file.to_owned(),
            id: spec.id.clone(),
            message,
        }
    }
}

/// Parses one TOML file of `[[rule]]` tables. `file` names it in errors.
pub fn load_rule_file(file: &str, text: &str) -> Result<Vec<RuleSpec>, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError::Parse {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    Ok(parsed.rule)
}

/// A checked rule, ready to match. What its regex's syntax tells (and its allowlist)
/// is worked out when the rule is built, or for the built-in rules (see
/// [`Rule::deferred`]) the first time the keyword prefilter selects it; its regex is
/// compiled the first time a window holds what a match needs. Most runs need few of
/// the hundreds of rules, and start-up time matters to a pre-commit hook.
#[derive(Debug)]
pub struct Rule {
    pub spec: RuleSpec,
    /// Where the rule came from (a built-in file name or a config path), for errors.
    pub source: String,
    parts: OnceLock<Result<Parts, RuleError>>,
    regex: OnceLock<Result<Regex, String>>,
}

/// What the detector needs of a rule besides its compiled regex.
#[derive(Debug)]
pub(crate) struct Parts {
    /// How far from a keyword hit a match can reach; the detector searches only that far.
    pub(crate) reach: Reach,
    /// Literals every match holds: a window without them needs no search.
    pub(crate) required: Option<Required>,
    pub(crate) secret_group: usize,
    pub(crate) allowlist: Allowlist,
}

/// Parses a rule's regex as the regex crate will compile it: bytes, ASCII classes.
/// The error is the parser's message.
pub(crate) fn parse_regex(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// Regexes of all rules share these limits: big enough for long alternations,
/// small enough that a hostile custom rule cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 16 << 20;

impl Rule {
    /// Checks the whole rule now: a rule from a user's configuration.
    pub fn compile(spec: RuleSpec, source: &str) -> Result<Rule, RuleError> {
        let rule = Rule::deferred(spec, source)?;
        rule.check_allowlist()?;
        Ok(rule)
    }

    /// Checks the rule's fields now and its regex and allowlist when the rule is first
    /// needed: for the built-in rules, which the rule self-test checks in full. A
    /// rule whose deferred part fails never matches.
    pub fn deferred(spec: RuleSpec, source: &str) -> Result<Rule, RuleError> {
        let invalid = |message: String| RuleError::invalid(source, &spec, message);
        if spec.id.is_empty()
            || !spec
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(invalid(format!(
                "id `{}` must be non-empty kebab-case (a-z, 0-9, -)",
                spec.id
            )));
        }
        if let Some(k) = spec.keywords.iter().find(|k| k.is_empty() || !k.is_ascii()) {
            return Err(invalid(format!("keyword {k:?} must be non-empty ASCII")));
        }
        if let Some(e) = spec.entropy {
            if !(0.0..=8.0).contains(&e) {
                return Err(invalid(format!(
                    "entropy {e} is outside 0..=8 bits per byte"
                )));
            }
        }
        Ok(Rule {
            source: source.to_owned(),
            parts: OnceLock::new(),
            regex: OnceLock::new(),
            spec,
        })
    }

    /// Parses the regex (cheap: it catches syntax errors and the group count;
    /// compiling waits, see `regex`) and the allowlist (its regexes wait too).
    fn build_parts(&self) -> Result<Parts, RuleError> {
        let (spec, source) = (&self.spec, &self.source);
        let hir = parse_regex(&spec.regex).map_err(|message| RuleError::Regex {
            file: source.clone(),
            id: spec.id.clone(),
            message,
        })?;
        let groups = hir.properties().explicit_captures_len();
        let secret_group = spec.secret_group.unwrap_or(usize::from(groups >= 1));
        if secret_group > groups {
            return Err(RuleError::Group {
                file: source.clone(),
                id: spec.id.clone(),
                group: secret_group,
                groups,
            });
        }
        // A secret is never empty: a regex (or secret group) that matches only the
        // empty string would report nothing, and a scan with it would look clean.
        let empty_only = |h: &Hir| h.properties().maximum_len() == Some(0);
        if empty_only(&hir) {
            return Err(RuleError::invalid(
                source,
                spec,
                format!(
                    "regex {:?} matches only the empty string, so the rule can never report a secret",
                    spec.regex
                ),
            ));
        }
        if secret_group > 0 && capture(&hir, secret_group).is_some_and(empty_only) {
            return Err(RuleError::invalid(
                source,
                spec,
                format!(
                    "secret_group {secret_group} matches only the empty string, so the rule can never report a secret"
                ),
            ));
        }
        // A group around the whole regex is the whole match, which the regex finds
        // without a capture search: on a long match (a private key) that search costs
        // several times the finding.
        let secret_group = match hir.kind() {
            HirKind::Capture(c) if c.index as usize == secret_group => 0,
            _ => secret_group,
        };
        let allowlist = Allowlist::deferred(&spec.allowlist)
            .map_err(|message| RuleError::invalid(source, spec, format!("allowlist: {message}")))?;
        Ok(Parts {
            reach: Reach::of(&hir, &spec.keywords),
            required: Required::of(&hir),
            secret_group,
            allowlist,
        })
    }

    fn parts_once(&self) -> &Result<Parts, RuleError> {
        self.parts.get_or_init(|| self.build_parts())
    }

    /// Works out the parts and compiles the allowlist's regexes now.
    fn check_allowlist(&self) -> Result<(), RuleError> {
        let parts = self.checked_parts()?;
        parts.allowlist.check_regexes().map_err(|message| {
            RuleError::invalid(&self.source, &self.spec, format!("allowlist: {message}"))
        })
    }

    fn checked_parts(&self) -> Result<&Parts, RuleError> {
        self.parts_once().as_ref().map_err(RuleError::clone)
    }

    /// The rule's parts, worked out on first use; `None` if they failed (see `deferred`).
    pub(crate) fn parts(&self) -> Option<&Parts> {
        self.parts_once().as_ref().ok()
    }

    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// Where a match can lie around its keyword: the detector searches only there.
    pub fn reach(&self) -> Result<Reach, RuleError> {
        self.checked_parts().map(|p| p.reach)
    }

    /// The compiled regex (compiled on first use); `None` if it exceeds the size limits.
    pub(crate) fn regex(&self) -> Option<&Regex> {
        self.regex.get_or_init(|| self.build_regex()).as_ref().ok()
    }

    /// Checks the whole rule and compiles its regex now, so a rule too big to compile
    /// is an error at load time.
    pub fn check_regex(&self) -> Result<(), RuleError> {
        self.check_allowlist()?;
        match self.regex.get_or_init(|| self.build_regex()) {
            Ok(_) => Ok(()),
            Err(message) => Err(RuleError::Regex {
                file: self.source.clone(),
                id: self.spec.id.clone(),
                message: message.clone(),
            }),
        }
    }

    fn build_regex(&self) -> Result<Regex, String> {
        RegexBuilder::new(&self.spec.regex)
            .unicode(false)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| e.to_string())
    }
}

/// The capture group `index` of `hir`.
fn capture(hir: &Hir, index: usize) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(c) if c.index as usize == index => Some(hir),
        HirKind::Capture(c) => capture(&c.sub, index),
        HirKind::Repetition(r) => capture(&r.sub, index),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().find_map(|s| capture(s, index))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regex_or_secret_group_that_matches_only_the_empty_string_is_an_error() {
        let compile = |regex: &str, group: Option<usize>| {
            let mut spec: RuleSpec = toml::from_str(&format!(
                "id = 't'\ndescription = 'd'\nregex = '''{regex}'''"
            ))
            .expect("spec");
            spec.secret_group = group;
            Rule::compile(spec, "test")
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        for re in ["", "^", "(?:)", r"\b$", "()", "a{0}"] {
            let e = compile(re, None).expect_err(re);
            assert!(
                e.contains("rule `t`") && e.contains("only the empty string"),
                "{e}"
            );
        }
        let e = compile("key=()", None).expect_err("empty group");
        assert!(e.contains("secret_group 1"), "{e}");
        let e = compile("(a)(x{0})", Some(2)).expect_err("empty group 2");
        assert!(e.contains("secret_group 2"), "{e}");
        assert!(compile("a*", None).is_ok());
        assert!(compile("key=(a?)", None).is_ok());
    }

    #[test]
    fn a_group_around_the_whole_regex_is_the_whole_match() {
        let secret_group = |regex: &str, group: Option<usize>| {
            let mut spec: RuleSpec = toml::from_str(&format!(
                "id = 't'\ndescription = 'd'\nregex = '''{regex}'''"
            ))
            .expect("spec");
            spec.secret_group = group;
            let rule = Rule::compile(spec, "test").expect("rule");
            rule.parts().map(|p| p.secret_group)
        };
        assert_eq!(secret_group("(ab+)", None), Some(0));
        assert_eq!(secret_group("(?m)(ab+$)", None), Some(0));
        assert_eq!(secret_group("((a)b+)", None), Some(0));
        assert_eq!(secret_group("((a)b+)", Some(2)), Some(2));
        assert_eq!(secret_group("x(ab+)", None), Some(1));
        assert_eq!(secret_group("(a)|(b)", None), Some(1));
        assert_eq!(secret_group("(a)(b)", Some(2)), Some(2));
        assert_eq!(secret_group("ab+", None), Some(0));
    }
}
