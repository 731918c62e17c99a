//! `vigil keygen`: a new release-signing key, in the formats the standard tools read.
use std::{
    fs,
    io::{IsTerminal, Write},
    path::Path,
};

use vigil_signature::{
    allowed_signers::allowed_signers_line, minisign::KdfLimits, sshkey::SshPublicKey, SecretKey,
};
use zeroize::Zeroizing;

use crate::{
    args::KeygenArgs,
    exit::{Code, Error},
};

/// A password from the environment variable `env`, or asked on the terminal (twice when
/// `confirm`). Never echoed, never printed.
pub fn read_password(
    env: Option<&str>,
    what: &str,
    confirm: bool,
) -> Result<Zeroizing<String>, Error> {
    if let Some(name) = env {
        let pw = std::env::var(name).map_err(|_| {
            format!("--password-env {name}: the environment variable is not set (or not UTF-8)")
        })?;
        if pw.is_empty() {
            return Err(format!("--password-env {name}: the environment variable is empty").into());
        }
        return Ok(Zeroizing::new(pw));
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{what} needs a password and there is no terminal to ask on: pass --password-env NAME"
        )
        .into());
    }
    let pw = Zeroizing::new(rpassword::prompt_password(format!(
        "Password for {what}: "
    ))?);
    if pw.is_empty() {
        return Err("empty password".into());
    }
    if confirm {
        let again = Zeroizing::new(rpassword::prompt_password("Password (again): ")?);
        if *again != *pw {
            return Err("the two passwords differ".into());
        }
    }
    Ok(pw)
}

/// Creates `path` (failing if it exists, unless `force`), readable by its owner only
/// when `secret`.
fn write_new(path: &Path, bytes: &[u8], force: bool, secret: bool) -> Result<(), Error> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let _ = secret;
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists (pass --force to overwrite it)",
                path.display()
            )
        } else {
            format!("{}: {e}", path.display())
        }
    })?;
    f.write_all(bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

#[allow(clippy::print_stdout)]
pub fn run(args: &KeygenArgs) -> Result<Code, Error> {
    if args.name.is_empty() || args.name.contains(['/', '\\']) {
        return Err(format!("--name {:?}: expected a plain file name", args.name).into());
    }
    if args.identity.is_empty() || args.identity.contains(char::is_whitespace) {
        return Err(format!(
            "--identity {:?}: expected one word, e.g. release@example.org",
            args.identity
        )
        .into());
    }
    let dir = &args.out_dir;
    let path = |ext: &str| dir.join(format!("{}.{ext}", args.name));
    let (key_path, pub_path, ssh_path, signers_path) = (
        path("key"),
        path("pub"),
        path("ssh.pub"),
        path("allowed_signers"),
    );
    if !args.force {
        for p in [&key_path, &pub_path, &ssh_path, &signers_path] {
            if p.exists() {
                return Err(format!(
                    "{} already exists (pass --force to overwrite it)",
                    p.display()
                )
                .into());
            }
        }
    }
    let password = if args.unencrypted {
        None
    } else {
        Some(read_password(
            args.password_env.as_deref(),
            "the new secret key",
            true,
        )?)
    };
    let key = SecretKey::generate()?;
    let secret = key.to_minisign(
        password
            .as_ref()
            .map(|p| (p.as_bytes(), KdfLimits::MINISIGN)),
    )?;
    let public = key.public_key();
    let ssh = SshPublicKey::from(&public);
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write_new(&key_path, secret.as_bytes(), args.force, true)?;
    write_new(
        &pub_path,
        public.to_minisign_file().as_bytes(),
        args.force,
        false,
    )?;
    let ssh_line = format!("{}\n", ssh.to_openssh(&args.identity));
    write_new(&ssh_path, ssh_line.as_bytes(), args.force, false)?;
    let signers = format!("{}\n", allowed_signers_line(&args.identity, "file", &ssh));
    write_new(&signers_path, signers.as_bytes(), args.force, false)?;

    let id = public.key_id;
    println!(
        "secret key      {} ({}; keep it secret)",
        key_path.display(),
        if args.unencrypted {
            "unencrypted: store it only as a CI secret"
        } else {
            "encrypted with your password"
        }
    );
    println!("minisign key    {} (key id {id})", pub_path.display());
    println!(
        "openssh key     {} ({})",
        ssh_path.display(),
        ssh.fingerprint()
    );
    println!("allowed_signers {}", signers_path.display());
    println!();
    println!("Publish the public keys. Verify a release with:");
    println!(
        "  minisign -Vm SHA256SUMS -P {}",
        public.to_minisign_base64()
    );
    println!(
        "  ssh-keygen -Y verify -f {} -I {} -n file -s SHA256SUMS.sig < SHA256SUMS",
        signers_path.display(),
        args.identity
    );
    println!(
        "In CI, store the contents of {} as a secret and sign with",
        key_path.display()
    );
    println!("  vigil sign --key-env VIGIL_SIGNING_KEY dist/*");
    Ok(Code::Clean)
}
