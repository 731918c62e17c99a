//! What vigil makes of a `.gitleaks.toml`, for `vigil migrate gitleaks`.
use std::path::{Path, PathBuf};

use vigil_secrets::DetectorOptions;

use crate::{
    config::{Config, ConfigError},
    migrate::gitleaks::{find_gitleaks_config, load_into, GITLEAKS_CONFIG},
};

/// A `.gitleaks.toml` as vigil reads it.
#[derive(Debug)]
pub struct GitleaksMigration {
    /// The file read.
    pub path: PathBuf,
    /// Ids of the rules translated into vigil rules.
    pub translated: Vec<String>,
    /// Built-in rules still in force, and how many are not (disabled, or replaced by
    /// a rule of the file with the same id).
    pub builtin_in_force: usize,
    pub disabled: usize,
    /// Allowlist regexes on the match or line, checked in the scan, for people.
    pub in_scan_checks: Vec<String>,
    /// What is checked after the scan (rule paths, allowlists, ignore entries), for people.
    pub post_scan_checks: Vec<String>,
    /// What is not translated, or translated with a difference.
    pub warnings: Vec<String>,
}

/// Why there is nothing to describe.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "no .gitleaks.toml here or at the repository root; name one: vigil migrate gitleaks FILE"
    )]
    NotFound,
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Reads `file`, or the `.gitleaks.toml` in `cwd`, or the one at the repository root.
pub fn describe_gitleaks(
    file: Option<&Path>,
    cwd: &Path,
) -> Result<GitleaksMigration, MigrateError> {
    let here = cwd.join(GITLEAKS_CONFIG);
    let path = match file {
        Some(p) => p.to_path_buf(),
        None if here.is_file() => here,
        None => find_gitleaks_config(cwd).ok_or(MigrateError::NotFound)?,
    };
    let mut config = Config::default();
    load_into(&mut config, &path)?;
    let detector = config.detector(DetectorOptions::default())?;
    let translated: Vec<String> = config.rules.iter().map(|r| r.id.clone()).collect();
    // Rule ids are unique in a detector: the rules in force that are not the file's.
    let builtin_in_force = detector
        .rules()
        .iter()
        .filter(|r| !translated.iter().any(|t| t == r.id()))
        .count();
    let builtin_total = vigil_secrets::builtin_rule_specs()
        .map_err(ConfigError::Builtin)?
        .len();
    let (in_scan_checks, post_scan_checks, warnings) = match &config.gitleaks {
        Some(gl) => (
            gl.in_scan_checks().to_vec(),
            gl.post_scan_checks(),
            gl.warnings.clone(),
        ),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    Ok(GitleaksMigration {
        path,
        translated,
        builtin_in_force,
        disabled: builtin_total.saturating_sub(builtin_in_force),
        in_scan_checks,
        post_scan_checks,
        warnings,
    })
}
