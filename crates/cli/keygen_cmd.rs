//! `vigil keygen`: a new release-signing key, in the formats the standard tools read.
use std::{io::IsTerminal, path::PathBuf};

use clap::Args;
use vigil_core::release::{EnvPassword, KeygenRequest, PasswordSource};
use zeroize::Zeroizing;

use crate::exit::{Code, Error};

#[derive(Args)]
pub struct KeygenArgs {
    /// Folder for the key files.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Base name: NAME.key, NAME.pub, NAME.ssh.pub, NAME.allowed_signers.
    #[arg(long, value_name = "NAME", default_value = "vigil")]
    pub name: String,
    /// The principal in the allowed_signers line and the OpenSSH key's comment.
    #[arg(long, value_name = "ID", default_value = "release@vigil")]
    pub identity: String,
    /// Write the secret key without a password (for a CI secret, which is protected by the CI).
    #[arg(long, conflicts_with = "password_env")]
    pub unencrypted: bool,
    /// Read the new password from this environment variable (default: ask twice on the terminal).
    #[arg(long, value_name = "NAME")]
    pub password_env: Option<String>,
    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
}

/// Passwords from `--password-env NAME`, or asked on the terminal (never echoed).
pub struct Passwords<'a>(pub Option<&'a str>);

impl PasswordSource for Passwords<'_> {
    fn password(&self, what: &str, confirm: bool) -> Result<Zeroizing<String>, String> {
        if let Some(name) = self.0 {
            return EnvPassword(name.to_owned()).password(what, confirm);
        }
        if !std::io::stdin().is_terminal() {
            // `confirm`: a new key, which may also be written without a password.
            return Err(if confirm {
                format!(
                    "{what} needs a password and there is no terminal to ask on: pass --password-env NAME (the variable holding the password), or --unencrypted for a key kept only as a CI secret"
                )
            } else {
                format!(
                    "{what} needs a password and there is no terminal to ask on: pass --password-env NAME (the variable holding the password)"
                )
            });
        }
        let ask = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|e| e.to_string())
        };
        let pw = ask(&format!("Password for {what}: "))?;
        if pw.is_empty() {
            return Err("empty password".into());
        }
        if confirm && *ask("Password (again): ")? != *pw {
            return Err("the two passwords differ".into());
        }
        Ok(pw)
    }
}

pub fn run(args: &KeygenArgs) -> Result<Code, Error> {
    let request = KeygenRequest {
        out_dir: args.out_dir.clone(),
        name: args.name.clone(),
        identity: args.identity.clone(),
        force: args.force,
    };
    request.check()?;
    let password = if args.unencrypted {
        None
    } else {
        Some(Passwords(args.password_env.as_deref()).password("the new secret key", true)?)
    };
    let made = request.generate(password.as_ref())?;
    let id = made.public.key_id;
    outln!(
        "secret key      {} ({}; keep it secret)",
        made.secret_key.display(),
        if args.unencrypted {
            "unencrypted: store it only as a CI secret"
        } else {
            "encrypted with your password"
        }
    );
    outln!(
        "minisign key    {} (key id {id})",
        made.minisign_key.display()
    );
    outln!(
        "openssh key     {} ({})",
        made.ssh_key.display(),
        made.ssh.fingerprint()
    );
    outln!("allowed_signers {}", made.allowed_signers.display());
    outln!();
    outln!("Publish the public keys. Verify a release with:");
    outln!(
        "  minisign -Vm SHA256SUMS -P {}",
        made.public.to_minisign_base64()
    );
    outln!(
        "  ssh-keygen -Y verify -f {} -I {} -n file -s SHA256SUMS.sig < SHA256SUMS",
        made.allowed_signers.display(),
        args.identity
    );
    outln!(
        "In CI, store the contents of {} as a secret and sign with",
        made.secret_key.display()
    );
    outln!("  vigil sign --key-env VIGIL_SIGNING_KEY dist/*");
    Ok(Code::Clean)
}
