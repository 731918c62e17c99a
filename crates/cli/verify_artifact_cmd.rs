//! `vigil verify-artifact`: check a signed release against its keys and expectations.
use std::{io::Write, path::PathBuf};

use clap::Args;
use vigil_core::{
    model::VerifyReport,
    release::VerifyArtifactRequest,
    report::release::{write_human, write_json},
};

use crate::{
    exit::{note, write_ok, Code, Error},
    options::Format,
};

#[derive(Args)]
pub struct VerifyArtifactArgs {
    /// Artifacts to check (default: every file SHA256SUMS lists).
    #[arg(value_name = "FILE")]
    pub artifacts: Vec<PathBuf>,
    /// The folder holding SHA256SUMS (default: the first FILE's folder, or the current one).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The minisign public key (default: [release] minisign_key).
    #[arg(long, value_name = "FILE")]
    pub minisign_key: Option<PathBuf>,
    /// The OpenSSH public key, to check SHA256SUMS.sig (default: [release] ssh_key).
    #[arg(long, value_name = "FILE", conflicts_with = "allowed_signers")]
    pub ssh_key: Option<PathBuf>,
    /// Instead of --ssh-key: an OpenSSH allowed_signers file; SHA256SUMS.sig must be
    /// signed by a key it lets sign as --principal in namespace `file`, as
    /// `ssh-keygen -Y verify` decides (default: [release] allowed_signers).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// The identity SHA256SUMS.sig must be from, with --allowed-signers (default:
    /// [release] principal).
    #[arg(long, value_name = "NAME")]
    pub principal: Option<String>,
    /// Revoked SSH keys, one public key a line, with --allowed-signers (default:
    /// [release] revoked_keys).
    #[arg(long, value_name = "FILE")]
    pub revoked_keys: Option<PathBuf>,
    /// The tag the signature must name.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// The source commit the signature and provenance must name (full, or 7+ hex digits).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The source repository the provenance must name (default: [release] repository).
    #[arg(long, value_name = "URL")]
    pub repository: Option<String>,
    /// The builder id the provenance must name; `*` at the end matches any rest; `local`
    /// means signed outside CI (default: [release] builder).
    #[arg(long, value_name = "ID")]
    pub builder: Option<String>,
    /// Reject signatures older than this (e.g. 90d, 12h; default: [release] max_age).
    #[arg(long, value_name = "AGE")]
    pub max_age: Option<String>,
    /// Fail if there is no provenance.intoto.jsonl.
    #[arg(long)]
    pub require_provenance: bool,
    /// Require NAME.minisig beside every artifact.
    #[arg(long)]
    pub per_file: bool,
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::options::Format,
    #[command(flatten)]
    pub config: crate::options::ConfigArgs,
    /// Hashing threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

pub fn run(args: &VerifyArtifactArgs) -> Result<Code, Error> {
    // The expectations are the verifier's policy: looked for from the current folder.
    let loaded = args.config.source().load(&std::env::current_dir()?)?;
    for w in &loaded.warnings {
        note(w);
    }
    let request = VerifyArtifactRequest {
        artifacts: args.artifacts.clone(),
        dir: args.dir.clone(),
        minisign_key: args.minisign_key.clone(),
        ssh_key: args.ssh_key.clone(),
        allowed_signers: args.allowed_signers.clone(),
        principal: args.principal.clone(),
        revoked_keys: args.revoked_keys.clone(),
        tag: args.tag.clone(),
        commit: args.commit.clone(),
        repository: args.repository.clone(),
        builder: args.builder.clone(),
        max_age: args.max_age.clone(),
        require_provenance: args.require_provenance,
        require_per_file: args.per_file,
        threads: crate::exit::threads(args.threads),
    };
    let config = &loaded.config;
    let report = request.run(&config.release, config.root())?;
    write_report(args.format, &report)?;
    Ok(Code::of(report.status()))
}

fn write_report(format: Format, report: &VerifyReport) -> Result<(), Error> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match format {
        Format::Human => write_human(&mut out, report),
        Format::Json => write_json(&mut out, report),
    };
    write_ok(written.and_then(|()| out.flush()))?;
    if report.ok() {
        note(&format!("verified: {} checks passed", report.passed()));
    } else {
        note(&format!(
            "verification FAILED: {} failed, {} malformed, {} unreadable, {} passed",
            report.failed(),
            report.malformed(),
            report.incomplete(),
            report.passed()
        ));
    }
    Ok(())
}
