//! Which configuration a command runs with: the file the user named, or the
//! `.vigil.toml` found from where the command starts, or none; plus a `.gitleaks.toml`.
use std::path::{Path, PathBuf};

use crate::{
    config::{Config, ConfigError, CONFIG_FILE},
    migrate::gitleaks::{find_gitleaks_config, load_into},
};

/// Where the configuration comes from, as a front-end was told.
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    /// Use this file instead of looking for `.vigil.toml`.
    pub config: Option<PathBuf>,
    /// Use no configuration file at all.
    pub no_config: bool,
    /// Also read this gitleaks configuration (and the `.gitleaksignore` beside it).
    pub gitleaks_config: Option<PathBuf>,
}

/// A configuration, and what its loading has to say (for the front-end to show).
#[derive(Debug, Default)]
pub struct LoadedConfig {
    pub config: Config,
    /// What a `.gitleaks.toml` held that vigil does not translate, or translates with a
    /// difference; each names the file.
    pub warnings: Vec<String>,
}

impl ConfigSource {
    /// The configuration named, or the `.vigil.toml` found from `start`, or none; plus a
    /// `.gitleaks.toml`: the one named, or the one at the repository root when there is
    /// no `.vigil.toml`.
    pub fn load(&self, start: &Path) -> Result<LoadedConfig, ConfigError> {
        if self.no_config {
            return Ok(LoadedConfig::default());
        }
        let vigil = self.config.clone().or_else(|| find_config(start));
        let gitleaks = self.gitleaks_config.clone().or_else(|| {
            vigil
                .is_none()
                .then(|| find_gitleaks_config(start))
                .flatten()
        });
        let mut config = match vigil {
            Some(path) => {
                if self.config.is_none() {
                    crate::input::confine_found(&crate::input::confinement_root(&path), &path)?;
                }
                Config::load(&path)?
            }
            None => Config::default(),
        };
        let mut warnings = Vec::new();
        if let Some(path) = gitleaks {
            if self.gitleaks_config.is_none() {
                crate::input::confine_found(&crate::input::confinement_root(&path), &path)?;
            }
            load_into(&mut config, &path)?;
            if let Some(gl) = &config.gitleaks {
                warnings.extend(
                    gl.warnings
                        .iter()
                        .map(|w| format!("{}: {w}", path.display())),
                );
            }
        }
        Ok(LoadedConfig { config, warnings })
    }
}

/// Looks for `.vigil.toml` in `start` and its parents up to the enclosing repository's
/// root (the first directory holding `.git`). Outside a repository only `start` is tried.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let start = if start.is_dir() {
        start
    } else {
        start.parent()?
    };
    let start = std::path::absolute(start).ok()?;
    let in_repo = start.ancestors().any(|d| d.join(".git").exists());
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE);
        // Whatever it is (a link, a FIFO): loading it says what is wrong with it.
        if candidate.symlink_metadata().is_ok() && !candidate.is_dir() {
            return Some(candidate);
        }
        if !in_repo || dir.join(".git").exists() {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn finds_config_up_to_repo_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join(CONFIG_FILE), "").unwrap();
        assert_eq!(find_config(&root.join("a/b")), Some(root.join(CONFIG_FILE)));
        let outside = tempfile::tempdir().unwrap();
        fs::create_dir_all(outside.path().join("x")).unwrap();
        assert_eq!(find_config(&outside.path().join("x")), None);
    }

    #[test]
    fn no_config_reads_nothing_and_a_named_file_wins() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(root.join(CONFIG_FILE), "[scan]\ngitignore = true\n").unwrap();
        fs::write(root.join("other.toml"), "[scan]\ngitignore = false\n").unwrap();
        let none = ConfigSource {
            no_config: true,
            ..ConfigSource::default()
        };
        assert!(none.load(root).unwrap().config.path.is_none());
        let found = ConfigSource::default().load(root).unwrap().config;
        assert_eq!(found.gitignore, Some(true));
        let named = ConfigSource {
            config: Some(root.join("other.toml")),
            ..ConfigSource::default()
        };
        assert_eq!(named.load(root).unwrap().config.gitignore, Some(false));
    }

    #[test]
    fn a_root_gitleaks_config_is_read_only_without_a_vigil_config() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(
            root.join(".gitleaks.toml"),
            "title = \"t\"\nbogus = 1\n[extend]\nuseDefault = true\n",
        )
        .unwrap();
        let loaded = ConfigSource::default().load(root).unwrap();
        assert!(loaded.config.gitleaks.is_some());
        assert!(
            loaded.warnings.iter().all(|w| w.contains(".gitleaks.toml")),
            "warnings name the file: {:?}",
            loaded.warnings
        );
        fs::write(root.join(CONFIG_FILE), "").unwrap();
        let loaded = ConfigSource::default().load(root).unwrap();
        assert!(loaded.config.gitleaks.is_none());
    }
}
