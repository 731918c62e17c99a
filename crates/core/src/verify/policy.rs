//! The trust policy: `[verify]` in `.vigil.toml` (or the file it names with `policy =`).
//!
//! ```toml
//! [verify]
//! allowed_signers = ".vigil/allowed_signers"   # OpenSSH allowed_signers
//! revoked_keys = ".vigil/revoked_keys"         # SSH public keys, one per line
//! keyring = ".vigil/keyring.asc"               # armored OpenPGP public keys
//! start = "3f2a…"                              # history before this commit is not checked
//! tags = true                                  # verify annotated tags too
//! key_time = "now"                             # or "claimed": the committer date
//! forge_keys = ["968479A1AFF927E37D1A566BB5690EEEBB952194"]  # e.g. GitHub web-flow: merges only
//! ```
//!
//! Paths are relative to the folder holding the file that names them, and must stay
//! inside the repository (see [`crate::input::confine`]). A commit that
//! changes any policy file is judged by its first parent's policy, so a change cannot
//! vouch for itself (see [`crate::verify`]).
use std::path::{Path, PathBuf};

use serde::Deserialize;
use vigil_signature::{
    allowed_signers::{AllowedSigners, RevokedKeys},
    openpgp::Keyring,
};

/// `[verify]` as written.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct VerifyConfig {
    /// Read the settings below from this TOML file instead (its keys at top level, or
    /// under `[verify]`).
    pub policy: Option<String>,
    pub allowed_signers: Option<String>,
    pub revoked_keys: Option<String>,
    pub keyring: Option<String>,
    pub start: Option<String>,
    pub tags: Option<bool>,
    pub key_time: Option<String>,
    #[serde(default)]
    pub forge_keys: Vec<String>,
    /// Also verify the pushed commits' signatures in the pre-push hook
    /// (`vigil hook pre-push`), not only in CI.
    pub on_push: Option<bool>,
}

impl VerifyConfig {
    /// Whether the section says anything.
    pub fn is_empty(&self) -> bool {
        *self == VerifyConfig::default()
    }

    /// Checks the values that need no file.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(t) = &self.key_time {
            if t != "now" && t != "claimed" {
                return Err(format!(
                    "[verify] key_time = {t:?}: expected \"now\" or \"claimed\""
                ));
            }
        }
        if self.policy.is_some()
            && (self.allowed_signers.is_some()
                || self.keyring.is_some()
                || self.revoked_keys.is_some())
        {
            return Err(
                "[verify] names a `policy` file and trust files too: put them in one place".into(),
            );
        }
        Ok(())
    }
}

/// A policy file named by `policy =`: the same keys, at top level or under `[verify]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum PolicyFile {
    Section { verify: VerifyConfig },
    Flat(VerifyConfig),
}

/// Why a policy could not be loaded; each names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read {path} (named by {by}): {message}")]
    Read {
        path: String,
        by: String,
        message: String,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    /// Not valid TOML, or a value of the wrong type: `at` is `LINE:COLUMN: MESSAGE`.
    #[error("{path}:{at}")]
    Syntax { path: String, at: String },
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
    #[error(transparent)]
    Signers(#[from] vigil_signature::allowed_signers::AllowedSignersError),
    #[error(transparent)]
    Keyring(#[from] vigil_signature::openpgp::KeyringError),
}

/// Where the policy's files come from: the work tree, or a commit's tree.
pub trait PolicySource {
    /// The bytes of the file at `path` (`/`-separated, relative to the root, already
    /// checked to stay inside it by name), `Ok(None)` if it does not exist; `by` names
    /// the file that named it.
    fn read(&self, path: &str, by: &str) -> Result<Option<Vec<u8>>, PolicyError>;
    /// How errors name the file.
    fn name(&self, path: &str) -> String;
}

/// Files under a repository's (or a folder's) root in the file system: each read is
/// bounded, must be a regular file, and may not lead out of the root through a link.
pub struct Dir(pub PathBuf);

impl PolicySource for Dir {
    fn read(&self, path: &str, by: &str) -> Result<Option<Vec<u8>>, PolicyError> {
        let full = self.0.join(path);
        crate::input::confine_link(&self.0, &full, path, by)?;
        match crate::input::read_bytes(&full) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.is_missing() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn name(&self, path: &str) -> String {
        self.0.join(path).display().to_string()
    }
}

/// The trust material in force.
#[derive(Debug, Default)]
pub struct Policy {
    pub signers: Option<AllowedSigners>,
    pub revoked: Option<RevokedKeys>,
    pub keyring: Option<Keyring>,
    pub start: Option<String>,
    pub tags: bool,
    pub claimed_time: bool,
    /// Fingerprints (OpenPGP hex, upper-case, or SSH `SHA256:...`) allowed only on merges.
    pub forge_keys: Vec<String>,
    /// The files it was read from, relative to the repository (for the change rule).
    pub files: Vec<String>,
}

impl Policy {
    /// Loads `section` (from the file at `config_rel`, relative to `source`'s root).
    pub fn load(
        source: &dyn PolicySource,
        config_rel: &str,
        section: &VerifyConfig,
    ) -> Result<Policy, PolicyError> {
        let dir_of = |p: &str| -> String {
            Path::new(p)
                .parent()
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        // A file the policy names stays inside the root: no absolute path, no `..` out.
        let join = |dir: &str, p: &str, by: &str| -> Result<String, PolicyError> {
            Ok(crate::input::confine_rel(dir, p, by)?)
        };
        let mut files = vec![config_rel.to_owned()];
        let mut base = dir_of(config_rel);
        let mut by = config_rel.to_owned();
        let section = match &section.policy {
            Some(p) => {
                let path = join(&base, p, &by)?;
                let bytes = read_required(source, &path, &by)?;
                let text = String::from_utf8(bytes).map_err(|_| PolicyError::Parse {
                    path: source.name(&path),
                    message: "not UTF-8 text".into(),
                })?;
                let parsed: PolicyFile =
                    toml::from_str(&text).map_err(|e| PolicyError::Syntax {
                        path: source.name(&path),
                        at: crate::input::toml_error(&text, &e),
                    })?;
                let inner = match parsed {
                    PolicyFile::Section { verify } => verify,
                    PolicyFile::Flat(v) => v,
                };
                if inner.policy.is_some() {
                    return Err(PolicyError::Parse {
                        path: source.name(&path),
                        message: "a policy file cannot name another policy file".into(),
                    });
                }
                inner.validate().map_err(|message| PolicyError::Parse {
                    path: source.name(&path),
                    message,
                })?;
                files.push(path.clone());
                base = dir_of(&path);
                by = path;
                inner
            }
            None => section.clone(),
        };
        let mut policy = Policy {
            start: section.start.clone(),
            tags: section.tags.unwrap_or(false),
            claimed_time: section.key_time.as_deref() == Some("claimed"),
            forge_keys: section
                .forge_keys
                .iter()
                .map(|k| normalize_fingerprint(k))
                .collect(),
            ..Policy::default()
        };
        if let Some(p) = &section.allowed_signers {
            let path = join(&base, p, &by)?;
            let bytes = read_required(source, &path, &by)?;
            let text = String::from_utf8_lossy(&bytes);
            policy.signers = Some(AllowedSigners::parse(&source.name(&path), &text)?);
            files.push(path);
        }
        if let Some(p) = &section.revoked_keys {
            let path = join(&base, p, &by)?;
            let bytes = read_required(source, &path, &by)?;
            policy.revoked = Some(RevokedKeys::parse(&source.name(&path), &bytes)?);
            files.push(path);
        }
        if let Some(p) = &section.keyring {
            let path = join(&base, p, &by)?;
            let bytes = read_required(source, &path, &by)?;
            policy.keyring = Some(Keyring::parse(&source.name(&path), &bytes)?);
            files.push(path);
        }
        policy.files = files;
        Ok(policy)
    }

    /// Trust files named for one run (on the command line): they may be anywhere, and
    /// are read bounded, as regular files.
    pub fn from_files(
        allowed_signers: Option<&Path>,
        revoked_keys: Option<&Path>,
        keyring: Option<&Path>,
    ) -> Result<Policy, PolicyError> {
        let mut policy = Policy::default();
        let read = |p: &Path| crate::input::read_bytes(p).map_err(PolicyError::from);
        if let Some(p) = allowed_signers {
            let text = String::from_utf8_lossy(&read(p)?).into_owned();
            policy.signers = Some(AllowedSigners::parse(&p.display().to_string(), &text)?);
        }
        if let Some(p) = revoked_keys {
            policy.revoked = Some(RevokedKeys::parse(&p.display().to_string(), &read(p)?)?);
        }
        if let Some(p) = keyring {
            policy.keyring = Some(Keyring::parse(&p.display().to_string(), &read(p)?)?);
        }
        Ok(policy)
    }

    /// Whether there is anything to trust with.
    pub fn has_trust(&self) -> bool {
        self.signers.is_some() || self.keyring.is_some()
    }
}

/// OpenPGP fingerprints compare upper-case without spaces; SSH ones as written.
pub fn normalize_fingerprint(fp: &str) -> String {
    if fp.starts_with("SHA256:") {
        fp.to_owned()
    } else {
        fp.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase()
    }
}

fn read_required(source: &dyn PolicySource, path: &str, by: &str) -> Result<Vec<u8>, PolicyError> {
    match source.read(path, by)? {
        Some(b) => Ok(b),
        None => Err(PolicyError::Read {
            path: source.name(path),
            by: by.to_owned(),
            message: "no such file".into(),
        }),
    }
}

/// Reads just `[verify]` from a `.vigil.toml` (other sections are not looked at, so an
/// old file with settings this version does not know still yields its policy).
pub fn verify_section(text: &str) -> Result<Option<VerifyConfig>, String> {
    #[derive(Deserialize)]
    struct Only {
        verify: Option<VerifyConfig>,
    }
    let only: Only = toml::from_str(text).map_err(|e| crate::input::toml_error(text, &e))?;
    Ok(only.verify)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Mem(Vec<(&'static str, &'static str)>);
    impl PolicySource for Mem {
        fn read(&self, path: &str, _by: &str) -> Result<Option<Vec<u8>>, PolicyError> {
            Ok(self
                .0
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| t.as_bytes().to_vec()))
        }
        fn name(&self, path: &str) -> String {
            format!("mem:{path}")
        }
    }

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII4qGrJ74eTnTBHMrZZfDKV/Fu8CwS2xvHH388l2mdHr";

    #[test]
    fn loads_named_files_relative_to_the_config() {
        let signers = Box::leak(format!("ada@x {KEY}\n").into_boxed_str());
        let src = Mem(vec![("sub/.vigil/allowed", signers)]);
        let c = VerifyConfig {
            allowed_signers: Some(".vigil/allowed".into()),
            key_time: Some("claimed".into()),
            forge_keys: vec!["aa bb".into()],
            ..VerifyConfig::default()
        };
        let p = Policy::load(&src, "sub/.vigil.toml", &c).unwrap();
        assert_eq!(p.signers.unwrap().entries.len(), 1);
        assert!(p.claimed_time);
        assert_eq!(p.forge_keys, vec!["AABB".to_owned()]);
        assert_eq!(
            p.files,
            vec![
                "sub/.vigil.toml".to_owned(),
                "sub/.vigil/allowed".to_owned()
            ]
        );
    }

    #[test]
    fn errors_name_the_file() {
        let src = Mem(vec![
            (".vigil/allowed", "ada@x ssh-ed25519\n"),
            ("p.toml", "[verify]\nbogus = 1\n"),
        ]);
        let c = VerifyConfig {
            allowed_signers: Some(".vigil/allowed".into()),
            ..VerifyConfig::default()
        };
        let e = Policy::load(&src, ".vigil.toml", &c)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("mem:.vigil/allowed:1:"), "{e}");
        let c = VerifyConfig {
            keyring: Some("missing.asc".into()),
            ..VerifyConfig::default()
        };
        let e = Policy::load(&src, ".vigil.toml", &c)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("mem:missing.asc") && e.contains("no such file"),
            "{e}"
        );
        let c = VerifyConfig {
            policy: Some("p.toml".into()),
            ..VerifyConfig::default()
        };
        let e = Policy::load(&src, ".vigil.toml", &c)
            .unwrap_err()
            .to_string();
        assert!(e.contains("mem:p.toml"), "{e}");
        assert!(VerifyConfig {
            key_time: Some("later".into()),
            ..VerifyConfig::default()
        }
        .validate()
        .is_err());
        assert_eq!(verify_section("[scan]\nx = 1\n").unwrap(), None);
        assert!(verify_section("[verify]\nstart = \"abc\"\n")
            .unwrap()
            .is_some());
    }
}
