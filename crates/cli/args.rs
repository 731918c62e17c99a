//! The command line's shape: the commands. Each command's options live in its file;
//! options several commands share, in options.rs.
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "vigil",
    version,
    about = "Continuous security for software delivery pipelines"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Refuse any file read whole (configuration, baseline, keys, keyrings,
    /// allowed_signers, reports, imports) larger than this (e.g. 64MiB). Default 16MiB,
    /// or VIGIL_MAX_INPUT_SIZE.
    #[arg(long, global = true, value_name = "SIZE")]
    pub max_input_size: Option<String>,
}

impl Cli {
    /// `--max-input-size`, else `VIGIL_MAX_INPUT_SIZE`, else the default.
    pub fn max_input_size(&self) -> Result<u64, String> {
        let (name, text) = match &self.max_input_size {
            Some(t) => ("--max-input-size", t.clone()),
            None => match std::env::var("VIGIL_MAX_INPUT_SIZE") {
                Ok(t) if !t.trim().is_empty() => ("VIGIL_MAX_INPUT_SIZE", t),
                _ => return Ok(vigil_core::input::DEFAULT_MAX_INPUT_SIZE),
            },
        };
        vigil_core::parse_size(&text).map_err(|m| format!("{name}: {m}"))
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Scan folders, files or stdin (`-`) for leaked credentials.
    ///
    /// Exit codes: 0 nothing found, 1 findings, 2 usage or configuration error,
    /// 3 incomplete (something could not be read).
    Scan(crate::scan_cmd::ScanArgs),
    /// List the rules in force (built-in and from .vigil.toml).
    Rules(crate::rules_cmd::RulesArgs),
    /// Accept the findings already there (create), drop entries that match nothing any
    /// more (prune), or carry over another scanner's accepted findings (import).
    ///
    /// Exit codes: 0 written, 2 usage or configuration error, 3 incomplete scan (nothing written).
    Baseline(crate::baseline_cmd::BaselineArgs),
    /// Show how vigil reads another scanner's configuration (`migrate gitleaks`).
    Migrate(crate::migrate_cmd::MigrateArgs),
    /// Create a release-signing key (Ed25519, for minisign and ssh-keygen).
    ///
    /// Writes a secret key file (minisign format, password-encrypted unless
    /// --unencrypted), its minisign and OpenSSH public keys, and its allowed_signers line.
    ///
    /// Exit codes: 0 written, 2 usage error (files exist, no password).
    Keygen(crate::keygen_cmd::KeygenArgs),
    /// Sign release files: SHA256SUMS, its signatures, and SLSA provenance.
    ///
    /// Writes SHA256SUMS, SHA256SUMS.minisig (minisign), SHA256SUMS.sig (SSHSIG,
    /// namespace `file`) and provenance.intoto.jsonl (SLSA provenance in a DSSE
    /// envelope), reading each file once.
    ///
    /// Exit codes: 0 signed, 2 usage error (bad key file, wrong password, a file that cannot be read).
    Sign(crate::sign_cmd::SignArgs),
    /// Verify a signed release: digests, signatures and provenance.
    ///
    /// Checks every digest, each signature, the trusted comment, and the provenance's
    /// subjects, source and builder against what is expected.
    ///
    /// Exit codes: 0 verified, 1 a check failed, 2 usage error or malformed signature,
    /// 3 incomplete (a file could not be read).
    VerifyArtifact(crate::verify_artifact_cmd::VerifyArtifactArgs),
    /// Verify commit and tag signatures (SSH and OpenPGP, in-process) against the trust
    /// policy in .vigil.toml [verify], or against --allowed-signers / --keyring.
    ///
    /// Exit codes: 0 every object passes, 1 an object fails the policy, 2 usage or
    /// configuration error (bad policy, allowed_signers line, keyring), 3 incomplete
    /// (a revision or object is missing).
    Verify(crate::verify_cmd::VerifyArgs),
    /// Install or remove the git hooks (pre-commit, pre-push) that run vigil.
    ///
    /// Exit codes: 0 done, 2 nothing changed (husky or lefthook manages the hooks, a
    /// hook file vigil did not write is in the way, not a repository).
    Hook(crate::hook_cmd::HookArgs),
    /// Work on reports already written: merge the reports of a sharded scan.
    ///
    /// Exit codes: 0 merged, nothing found, 1 merged, with findings, 2 usage error or
    /// reports that cannot be merged, 3 merged, but a shard's scan was incomplete.
    Report(crate::report_cmd::ReportArgs),
}
