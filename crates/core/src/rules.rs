//! The rules in force, as reports and `vigil rules` describe them.
use vigil_report::RuleInfo;
use vigil_secrets::Rule;

use crate::{
    config::ConfigError,
    config_source::{ConfigSource, LoadedConfig},
};

/// A rule as reports describe it.
pub fn info(rule: &Rule) -> RuleInfo {
    RuleInfo {
        id: rule.spec.id.clone(),
        description: rule.spec.description.clone(),
        severity: rule.spec.severity,
        tags: rule.spec.tags.clone(),
        remediation: rule.spec.remediation.clone(),
        remediation_url: rule.spec.remediation_url.clone(),
    }
}

/// One rule in force, with what `vigil rules` lists besides the report's description.
#[derive(Debug, Clone)]
pub struct RuleListing {
    pub info: RuleInfo,
    pub keywords: Vec<String>,
    pub generic: bool,
    /// Where it comes from: `built-in rules` or the configuration file.
    pub source: String,
}

/// The rules the configuration found from `start` puts in force, built-in ones first.
pub fn rules_in_force(
    source: &ConfigSource,
    start: &std::path::Path,
) -> Result<(Vec<RuleListing>, LoadedConfig), ConfigError> {
    let loaded = source.load(start)?;
    let detector = loaded
        .config
        .detector(vigil_secrets::DetectorOptions::default())?;
    let list = detector
        .rules()
        .iter()
        .map(|r| RuleListing {
            info: info(r),
            keywords: r.spec.keywords.clone(),
            generic: r.spec.generic,
            source: r.source.to_string(),
        })
        .collect();
    Ok((list, loaded))
}
