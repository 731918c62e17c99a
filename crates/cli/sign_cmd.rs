//! `vigil sign`: hash, sign and describe release files.
use std::fs;

use vigil_core::release::{now_unix, sign_release, BuildContext, SignOptions};
use vigil_signature::{minisign::secret_key_is_encrypted, SecretKey};
use zeroize::Zeroizing;

use crate::{
    args::{SecretKeyArgs, SignArgs},
    exit::{note, Code, Error},
    keygen_cmd::read_password,
};

/// Loads the secret key from `--key FILE` or `--key-env NAME`. Errors name the source,
/// never the contents.
pub fn load_secret_key(args: &SecretKeyArgs) -> Result<SecretKey, Error> {
    let (source, text) = match (&args.key, &args.key_env) {
        (Some(p), _) => {
            let text = fs::read_to_string(p).map_err(|e| format!("--key {}: {e}", p.display()))?;
            (p.display().to_string(), Zeroizing::new(text))
        }
        (None, Some(name)) => {
            let text = std::env::var(name).map_err(|_| {
                format!("--key-env {name}: the environment variable is not set (or not UTF-8)")
            })?;
            (format!("the secret key in ${name}"), Zeroizing::new(text))
        }
        (None, None) => {
            return Err("no signing key: pass --key FILE, or --key-env NAME for a CI secret".into())
        }
    };
    let password = if secret_key_is_encrypted(&text) == Some(true) {
        Some(read_password(args.password_env.as_deref(), &source, false)?)
    } else {
        None
    };
    SecretKey::from_minisign(&text, password.as_ref().map(|p| p.as_bytes()))
        .map_err(|e| format!("{source}: {e}").into())
}

#[allow(clippy::print_stdout)]
pub fn run(args: &SignArgs) -> Result<Code, Error> {
    let key = load_secret_key(&args.key)?;
    let mut context = BuildContext::from_env(&|k| std::env::var(k).ok());
    if let Some(t) = &args.tag {
        context.tag = Some(t.clone());
    }
    if let Some(c) = &args.commit {
        context.commit = Some(c.clone());
    }
    if let Some(r) = &args.repository {
        context.repository = Some(r.clone());
    }
    let timestamp = match args.timestamp {
        Some(t) => t,
        None => match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if !v.trim().is_empty() => v
                .trim()
                .parse()
                .map_err(|_| format!("SOURCE_DATE_EPOCH={v:?} is not a number of seconds"))?,
            _ => now_unix(),
        },
    };
    let options = SignOptions {
        files: args.files.clone(),
        out_dir: args.out_dir.clone(),
        context,
        timestamp,
        per_file_minisig: args.per_file,
        provenance: !args.no_provenance,
        threads: args.threads,
    };
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
