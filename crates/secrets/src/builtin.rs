//! The rule files under `rules/`, embedded at build time by `build.rs`.
use rayon::prelude::*;

use crate::rule::{load_rule_file, RuleError, RuleSpec};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Parses every embedded rule file. An error here is a defect in a rule file,
/// which the rule self-test catches before release.
/// The files are parsed on all cores: parsing is a sixth of start-up.
pub fn builtin_rule_specs() -> Result<Vec<RuleSpec>, RuleError> {
    let files: Vec<Vec<RuleSpec>> = BUILTIN_RULE_FILES
        .par_iter()
        .map(|(name, text)| load_rule_file(name, text))
        .collect::<Result<_, _>>()?;
    Ok(files.into_iter().flatten().collect())
}
