//! `vigil sign`: hash, sign and describe release files.
use std::path::PathBuf;

use clap::Args;
use vigil_core::release::{load_secret_key, sign_release, KeySource, SignRequest};

use crate::{
    exit::{note, Code, Error},
    keygen_cmd::Passwords,
};

/// Where the secret key and its password come from (never printed, never logged).
#[derive(Args)]
pub struct SecretKeyArgs {
    /// The secret key file (from `vigil keygen` or `minisign -G`).
    #[arg(long, value_name = "FILE", conflicts_with = "key_env")]
    pub key: Option<PathBuf>,
    /// Read the secret key file's contents from this environment variable (a CI secret).
    #[arg(long, value_name = "NAME")]
    pub key_env: Option<String>,
    /// Read the key's password from this environment variable (default: ask on the terminal).
    #[arg(long, value_name = "NAME")]
    pub password_env: Option<String>,
}

#[derive(Args)]
pub struct SignArgs {
    /// The release files to sign.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub key: SecretKeyArgs,
    /// Where SHA256SUMS and the signatures go; names in SHA256SUMS are relative to it
    /// (default: the folder holding the files).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The version or tag released (default in CI: the tag that triggered the run).
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// The source commit (default in CI: GITHUB_SHA or CI_COMMIT_SHA).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The source repository URL (default in CI: from the CI's variables).
    #[arg(long, value_name = "URL")]
    pub repository: Option<String>,
    /// Signing time as Unix seconds (default: SOURCE_DATE_EPOCH, or now).
    #[arg(long, value_name = "SECONDS")]
    pub timestamp: Option<u64>,
    /// Also write NAME.minisig beside each file (`minisign -Vm NAME` checks it alone).
    #[arg(long)]
    pub per_file: bool,
    /// Do not write provenance.intoto.jsonl.
    #[arg(long)]
    pub no_provenance: bool,
    /// Hashing threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

impl SecretKeyArgs {
    fn source(&self) -> Result<KeySource, Error> {
        match (&self.key, &self.key_env) {
            (Some(p), _) => Ok(KeySource::File(p.clone())),
            (None, Some(name)) => Ok(KeySource::Env(name.clone())),
            (None, None) => {
                Err("no signing key: pass --key FILE, or --key-env NAME for a CI secret".into())
            }
        }
    }
}

#[allow(clippy::print_stdout)]
pub fn run(args: &SignArgs) -> Result<Code, Error> {
    let key = load_secret_key(
        &args.key.source()?,
        &Passwords(args.key.password_env.as_deref()),
    )?;
    let request = SignRequest {
        files: args.files.clone(),
        out_dir: args.out_dir.clone(),
        tag: args.tag.clone(),
        commit: args.commit.clone(),
        repository: args.repository.clone(),
        timestamp: args.timestamp,
        per_file_minisig: args.per_file,
        provenance: !args.no_provenance,
        threads: crate::exit::threads(args.threads),
    };
    let options = request.options(&|k| std::env::var(k).ok())?;
    let outcome = sign_release(&key, &options)?;
    for p in &outcome.written {
        println!("{}", p.display());
    }
    let ctx = &options.context;
    note(&format!(
        "signed {} file{} ({:.1} MB) in {:.2} s with key {}; builder: {}{}",
        outcome.entries.len(),
        if outcome.entries.len() == 1 { "" } else { "s" },
        outcome.bytes as f64 / 1e6,
        outcome.elapsed.as_secs_f64(),
        key.key_id(),
        ctx.platform,
        if ctx.commit.is_none() {
            " (no source commit: pass --commit)"
        } else {
            ""
        }
    ));
    Ok(Code::Clean)
}
