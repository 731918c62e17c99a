//! The rule files under `rules/`, embedded at build time by `build.rs`.
use crate::rule::{load_rule_file, RuleError, RuleFile, RuleSpec};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Reads every embedded rule file, from the JSON `build.rs` made of them: parsing
/// the TOML took a fifth of start-up. An error here is a defect in a rule file,
/// which the rule self-test catches before release.
pub fn builtin_rule_specs() -> Result<Vec<RuleSpec>, RuleError> {
    match serde_json::from_str::<Vec<RuleFile>>(BUILTIN_RULES_JSON) {
        Ok(files) => Ok(files.into_iter().flat_map(|f| f.rule).collect()),
        Err(e) => {
            // The TOML names the file and line of what is wrong.
            toml_rule_specs()?;
            Err(RuleError::Parse {
                file: "built-in rules".to_owned(),
                message: e.to_string(),
            })
        }
    }
}

/// Every embedded rule file, parsed from its TOML.
fn toml_rule_specs() -> Result<Vec<RuleSpec>, RuleError> {
    let mut specs = Vec::new();
    for (name, text) in BUILTIN_RULE_FILES {
        specs.extend(load_rule_file(name, text)?);
    }
    Ok(specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_rules_are_the_toml_rules() -> Result<(), RuleError> {
        let from_toml = toml_rule_specs()?;
        let as_json = |specs: &[RuleSpec]| serde_json::to_value(specs).ok();
        assert!(!from_toml.is_empty());
        assert_eq!(as_json(&builtin_rule_specs()?), as_json(&from_toml));
        Ok(())
    }
}
