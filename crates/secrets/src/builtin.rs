//! The rule files under `rules/`, embedded at build time by `build.rs`.
use crate::rule::{load_rule_file, RuleError, RuleSpec};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Parses every embedded rule file. An error here is a defect in a rule file,
/// which the rule self-test catches before release.
pub fn builtin_rule_specs() -> Result<Vec<RuleSpec>, RuleError> {
    let mut specs = Vec::new();
    for (name, text) in BUILTIN_RULE_FILES {
        specs.extend(load_rule_file(name, text)?);
    }
    Ok(specs)
}
