//! The `[release]` section of `.vigil.toml`: what `vigil verify-artifact` expects.
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// `[release]` in `.vigil.toml`. Paths are relative to the configuration file's folder.
///
/// ```toml
/// [release]
/// minisign_key = "keys/vigil.pub"
/// ssh_key = "keys/vigil.ssh.pub"   # or: who may sign, as `ssh-keygen -Y verify` reads it
/// # allowed_signers = "keys/allowed_signers"
/// # principal = "release@example.org"
/// repository = "https://github.com/acme/app"
/// builder = "https://github.com/acme/app/.github/workflows/release.yml@*"
/// max_age = "400d"
/// require_provenance = true
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseConfig {
    /// The minisign public key releases are signed with.
    pub minisign_key: Option<PathBuf>,
    /// The same key as an OpenSSH public key, to check `SHA256SUMS.sig`.
    pub ssh_key: Option<PathBuf>,
    /// Instead of `ssh_key`: an OpenSSH allowed_signers file, to check `SHA256SUMS.sig`
    /// as signed by `principal` in namespace `file`.
    pub allowed_signers: Option<PathBuf>,
    /// The principal `SHA256SUMS.sig` must be from (with `allowed_signers`).
    pub principal: Option<String>,
    /// Revoked SSH keys (one public key a line), with `allowed_signers`.
    pub revoked_keys: Option<PathBuf>,
    /// The source repository the provenance must name.
    pub repository: Option<String>,
    /// The builder id the provenance must name (`*` at the end matches any rest).
    pub builder: Option<String>,
    /// How old a signature may be, e.g. `90d`, `12h` (a unit is required).
    pub max_age: Option<String>,
    /// Fail when the release has no provenance.
    pub require_provenance: Option<bool>,
}

impl ReleaseConfig {
    /// Checks the values that have a syntax; `Err` holds a message naming the field.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(age) = &self.max_age {
            parse_duration(age).map_err(|m| format!("[release] max_age: {m}"))?;
        }
        Ok(())
    }

    /// A configured path, resolved against the configuration file's folder.
    pub fn resolve(root: Option<&Path>, p: &Path) -> PathBuf {
        match root {
            Some(r) if p.is_relative() => r.join(p),
            _ => p.to_path_buf(),
        }
    }
}

/// `90d`, `12h`, `30m`, `45s` or `2w`. A number needs its unit: `5` could mean five
/// seconds or five days, and a check of a signature's age must not guess (Go's
/// `time.ParseDuration` refuses a bare number for the same reason).
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let shown = vigil_model::excerpt(s);
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None if !s.is_empty() => {
            return Err(format!(
                "`{shown}` has no unit: write e.g. {shown}d for days, {shown}h for hours, {shown}m for minutes or {shown}s for seconds"
            ))
        }
        None => (s, ""),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{shown}` is not a duration (expected e.g. 90d, 12h, 30m, 45s)"))?;
    let mult = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        other => {
            return Err(format!(
                "unknown unit `{}` in `{shown}` (expected s, m, h, d or w)",
                vigil_model::excerpt(other)
            ))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{shown}` is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90d"), Ok(90 * 86_400));
        assert_eq!(parse_duration("3600s"), Ok(3600));
        let e = parse_duration("5").unwrap_err();
        assert!(e.contains("no unit") && e.contains("5d"), "{e}");
        assert_eq!(parse_duration("2w"), Ok(14 * 86_400));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5y").unwrap_err().contains("unit"));
        assert!(parse_duration("99999999999999999999d").is_err());
    }
}
