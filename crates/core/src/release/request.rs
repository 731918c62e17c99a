//! Signing and checking a release as a front-end asks for it: the command line's (or a
//! CI input's) values merged with the environment and with `[release]`.
use std::path::{Path, PathBuf};

use vigil_signature::{
    allowed_signers::{AllowedSigners, RevokedKeys},
    sshkey::SshPublicKey,
    PublicKey,
};

use crate::release::{
    now_unix, parse_duration, verify_release, BuildContext, Expectations, ReleaseConfig,
    SignOptions, SshSigners, VerifyKeys, VerifyOptions, VerifyReport,
};

/// What to sign; values left `None` come from the CI's variables, or the defaults.
#[derive(Debug, Clone, Default)]
pub struct SignRequest {
    pub files: Vec<PathBuf>,
    pub out_dir: Option<PathBuf>,
    pub tag: Option<String>,
    pub commit: Option<String>,
    pub repository: Option<String>,
    /// Unix seconds; default `SOURCE_DATE_EPOCH`, or now.
    pub timestamp: Option<u64>,
    pub per_file_minisig: bool,
    pub provenance: bool,
    pub threads: usize,
    /// Overwrite output files vigil did not write.
    pub force: bool,
}

impl SignRequest {
    /// The signing options, with the build context read through `var` (the
    /// environment) and overridden by the request's own values.
    pub fn options(&self, var: &dyn Fn(&str) -> Option<String>) -> Result<SignOptions, String> {
        let mut context = BuildContext::from_env(var);
        if let Some(t) = &self.tag {
            context.tag = Some(t.clone());
        }
        if let Some(c) = &self.commit {
            context.commit = Some(c.clone());
        }
        if let Some(r) = &self.repository {
            context.repository = Some(r.clone());
        }
        // A fixed time (given, or SOURCE_DATE_EPOCH) is also when the build finished:
        // a reproducible build writes the same provenance twice.
        let fixed =
            match self.timestamp {
                Some(t) => Some(t),
                None => match var("SOURCE_DATE_EPOCH") {
                    Some(v) if !v.trim().is_empty() => Some(v.trim().parse().map_err(|_| {
                        format!("SOURCE_DATE_EPOCH={v:?} is not a number of seconds")
                    })?),
                    _ => None,
                },
            };
        let timestamp = fixed.unwrap_or_else(now_unix);
        Ok(SignOptions {
            files: self.files.clone(),
            out_dir: self.out_dir.clone(),
            context,
            timestamp,
            finished_on: fixed,
            per_file_minisig: self.per_file_minisig,
            provenance: self.provenance,
            threads: self.threads,
            force: self.force,
        })
    }
}

/// What a release must be checked against; values left `None` come from `[release]`.
#[derive(Debug, Clone, Default)]
pub struct VerifyArtifactRequest {
    pub artifacts: Vec<PathBuf>,
    /// The folder holding SHA256SUMS; default: the first artifact's folder, or `.`.
    pub dir: Option<PathBuf>,
    pub minisign_key: Option<PathBuf>,
    pub ssh_key: Option<PathBuf>,
    /// Instead of `ssh_key`: an OpenSSH allowed_signers file and the principal.
    pub allowed_signers: Option<PathBuf>,
    pub principal: Option<String>,
    pub revoked_keys: Option<PathBuf>,
    pub tag: Option<String>,
    pub commit: Option<String>,
    pub repository: Option<String>,
    pub builder: Option<String>,
    /// e.g. `90d`.
    pub max_age: Option<String>,
    pub require_provenance: bool,
    pub require_per_file: bool,
    pub threads: usize,
}

fn read(path: &Path, what: &str) -> Result<String, String> {
    crate::input::read_text(path).map_err(|e| format!("{what}: {e}"))
}

impl VerifyArtifactRequest {
    /// Checks the release against the request and the configuration's `[release]`
    /// (whose paths are relative to `root`, the configuration file's folder).
    /// `Err`: a key or a value could not be used (nothing was checked).
    pub fn run(&self, rc: &ReleaseConfig, root: Option<&Path>) -> Result<VerifyReport, String> {
        let dir = match (&self.dir, self.artifacts.first()) {
            (Some(d), _) => d.clone(),
            (None, Some(a)) => a
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
            (None, None) => PathBuf::from("."),
        };
        // A key the configuration names stays inside its repository (or its folder).
        let from_config = |p: &Option<PathBuf>, key: &str| -> Result<Option<PathBuf>, String> {
            let Some(p) = p else { return Ok(None) };
            let base = root.unwrap_or(Path::new("."));
            crate::input::confine(
                &crate::input::folder_root(base),
                &std::path::absolute(base).map_err(|e| e.to_string())?,
                &p.to_string_lossy(),
                &format!("[release] {key}"),
            )
            .map(Some)
            .map_err(|e| e.to_string())
        };
        let minisign_path = match &self.minisign_key {
            Some(p) => Some(p.clone()),
            None => from_config(&rc.minisign_key, "minisign_key")?,
        };
        // A key or file named on the command line replaces the configuration's (of
        // either kind): `--allowed-signers` overrides `[release] ssh_key`, and back.
        let cli_ssh = self.ssh_key.is_some() || self.allowed_signers.is_some();
        let (ssh_path, signers_path) = if cli_ssh {
            (self.ssh_key.clone(), self.allowed_signers.clone())
        } else {
            (
                from_config(&rc.ssh_key, "ssh_key")?,
                from_config(&rc.allowed_signers, "allowed_signers")?,
            )
        };
        let revoked_path = match &self.revoked_keys {
            Some(p) => Some(p.clone()),
            None => from_config(&rc.revoked_keys, "revoked_keys")?,
        };
        let principal = self.principal.clone().or_else(|| rc.principal.clone());
        let mut keys = VerifyKeys::default();
        if let Some(p) = &minisign_path {
            let key = PublicKey::from_minisign(&read(p, "minisign key")?)
                .map_err(|e| format!("minisign key {}: {e}", p.display()))?;
            keys.minisign = Some(key);
        }
        if let Some(p) = &ssh_path {
            let (key, _) = SshPublicKey::from_openssh(&read(p, "ssh key")?)
                .map_err(|e| format!("ssh key {}: {e}", p.display()))?;
            keys.ssh = Some(key);
        }
        keys.ssh_signers =
            ssh_signers(signers_path.as_deref(), principal, revoked_path.as_deref())?;
        if keys.ssh.is_some() && keys.ssh_signers.is_some() {
            return Err("[release] sets both ssh_key and allowed_signers: keep one (or choose on the command line with --ssh-key or --allowed-signers)".into());
        }
        if keys.minisign.is_none() && keys.ssh.is_none() && keys.ssh_signers.is_none() {
            return Err("no key to verify against: pass --minisign-key FILE, --ssh-key FILE or --allowed-signers FILE --principal NAME, or set [release] minisign_key / ssh_key / allowed_signers in .vigil.toml".into());
        }
        let max_age = match self.max_age.as_ref().or(rc.max_age.as_ref()) {
            Some(s) => Some(parse_duration(s).map_err(|m| format!("--max-age: {m}"))?),
            None => None,
        };
        let expect = Expectations {
            tag: self.tag.clone(),
            commit: self.commit.clone(),
            repository: self.repository.clone().or_else(|| rc.repository.clone()),
            builder: self.builder.clone().or_else(|| rc.builder.clone()),
            max_age,
        };
        let options = VerifyOptions {
            dir,
            artifacts: self.artifacts.clone(),
            keys,
            expect,
            require_provenance: self.require_provenance || rc.require_provenance.unwrap_or(false),
            require_per_file: self.require_per_file,
            now: now_unix(),
            threads: self.threads,
        };
        Ok(verify_release(&options))
    }
}

/// The allowed_signers file at `signers` with its `principal` and the revoked keys at
/// `revoked`, or `None` when no file is named. `Err` names what is missing or unreadable.
fn ssh_signers(
    signers: Option<&Path>,
    principal: Option<String>,
    revoked: Option<&Path>,
) -> Result<Option<SshSigners>, String> {
    let Some(p) = signers else {
        if principal.is_some() || revoked.is_some() {
            return Err("--principal and --revoked-keys ([release] principal, revoked_keys) need an allowed_signers file: pass --allowed-signers FILE".into());
        }
        return Ok(None);
    };
    let principal = match principal {
        Some(n) if !n.trim().is_empty() => n,
        _ => return Err(format!("no principal given for allowed_signers file {}: pass --principal NAME (or set [release] principal), the identity SHA256SUMS.sig must be signed by, as `ssh-keygen -Y verify -I NAME`", p.display())),
    };
    let source = p.display().to_string();
    let allowed = AllowedSigners::parse(&source, &read(p, "allowed_signers file")?)
        .map_err(|e| e.to_string())?;
    let revoked = match revoked {
        Some(r) => {
            let bytes = crate::input::read_bytes(r).map_err(|e| format!("revoked keys: {e}"))?;
            Some(RevokedKeys::parse(&r.display().to_string(), &bytes).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    Ok(Some(SshSigners {
        allowed,
        principal,
        revoked,
    }))
}
