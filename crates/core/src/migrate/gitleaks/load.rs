//! Finding a `.gitleaks.toml` and reading it, with the `.gitleaksignore` beside it,
//! into a [`Config`].
use std::path::{Path, PathBuf};

use super::{
    ignore::{parse_gitleaksignore, GITLEAKS_IGNORE},
    read::GITLEAKS_CONFIG,
    rule_map::{builtin_rule_ids, vigil_rules_for},
    translate::translate_into,
};
use crate::config::{Config, ConfigError};

/// Looks for `.gitleaks.toml` at the root of the repository enclosing `start` (the
/// first directory up from it holding `.git`), or in `start` outside a repository.
pub fn find_gitleaks_config(start: &Path) -> Option<PathBuf> {
    let start = if start.is_dir() {
        start
    } else {
        start.parent()?
    };
    let start = std::path::absolute(start).ok()?;
    let root = start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&start);
    let candidate = root.join(GITLEAKS_CONFIG);
    // Whatever it is (a link, a FIFO): loading it says what is wrong with it.
    (candidate.symlink_metadata().is_ok() && !candidate.is_dir()).then_some(candidate)
}

/// Reads `path` (a `.gitleaks.toml`) and the `.gitleaksignore` beside it into `config`;
/// the `.gitleaksignore` must not be a link out of the repository holding `path`.
pub fn load_into(config: &mut Config, path: &Path) -> Result<(), ConfigError> {
    let text = crate::input::read_text(path)?;
    let mut gl = translate_into(config, path, &text)?;
    let ignore = path.parent().map_or_else(
        || PathBuf::from(GITLEAKS_IGNORE),
        |d| d.join(GITLEAKS_IGNORE),
    );
    if ignore.symlink_metadata().is_ok() {
        // Found beside the configuration, not named: it stays in its repository (or
        // the configuration's folder).
        crate::input::confine_found(&crate::input::confinement_root(path), &ignore)?;
        let text = crate::input::read_text(&ignore)?;
        gl.ignores = parse_gitleaksignore(&ignore, &text)?;
        let known = known_rule_ids(config)?;
        for e in &gl.ignores {
            if let Some(r) = &e.rule {
                if !gl.rule_ids.iter().any(|(g, _)| g == r) {
                    gl.rule_ids.push((r.clone(), vigil_rules_for(r, &known)));
                }
            }
        }
        gl.ignore_file = Some(ignore);
    }
    if config.path.is_none() {
        config.path = Some(path.to_owned());
    }
    config.gitleaks = Some(gl);
    Ok(())
}

/// The ids of the rules vigil knows: built-in, and `config`'s own.
fn known_rule_ids(config: &Config) -> Result<Vec<String>, ConfigError> {
    let mut known = builtin_rule_ids()?;
    known.extend(config.rules.iter().map(|r| r.id.clone()));
    Ok(known)
}
