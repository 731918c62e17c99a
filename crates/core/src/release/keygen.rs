//! A new release-signing key, written in the formats the standard tools read: the
//! secret key (minisign format, readable by its owner only), its minisign and OpenSSH
//! public keys, and its allowed_signers line.
use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use vigil_signature::{
    allowed_signers::allowed_signers_line, minisign::KdfLimits, sshkey::SshPublicKey, PublicKey,
    SecretKey,
};
use zeroize::Zeroizing;

/// What to create.
#[derive(Debug, Clone)]
pub struct KeygenRequest {
    /// Folder for the key files (created if missing).
    pub out_dir: PathBuf,
    /// Base name: NAME.key, NAME.pub, NAME.ssh.pub, NAME.allowed_signers.
    pub name: String,
    /// The principal of the allowed_signers line and the OpenSSH key's comment.
    pub identity: String,
    /// Replace existing files (they are left readable by their owner only, as new ones).
    pub force: bool,
}

/// The files written, and the new key's public facts.
pub struct Keygen {
    pub secret_key: PathBuf,
    pub minisign_key: PathBuf,
    pub ssh_key: PathBuf,
    pub allowed_signers: PathBuf,
    pub public: PublicKey,
    pub ssh: SshPublicKey,
}

impl KeygenRequest {
    /// The four files' paths, in the order they are written.
    pub fn paths(&self) -> [PathBuf; 4] {
        let path = |ext: &str| self.out_dir.join(format!("{}.{ext}", self.name));
        [
            path("key"),
            path("pub"),
            path("ssh.pub"),
            path("allowed_signers"),
        ]
    }

    /// Checks the name and identity, and (without `force`) that no file exists yet:
    /// before a password is asked for.
    pub fn check(&self) -> Result<(), String> {
        if self.name.is_empty() || self.name.contains(['/', '\\']) {
            return Err(format!(
                "--name {:?}: expected a plain file name",
                self.name
            ));
        }
        if self.identity.is_empty() || self.identity.contains(char::is_whitespace) {
            return Err(format!(
                "--identity {:?}: expected one word, e.g. release@example.org",
                self.identity
            ));
        }
        if !self.force {
            if let Some(p) = self.paths().iter().find(|p| p.exists()) {
                return Err(format!(
                    "{} already exists (pass --force to overwrite it)",
                    p.display()
                ));
            }
        }
        Ok(())
    }

    /// Generates the key and writes the files; the secret key is encrypted with
    /// `password` unless it is `None`.
    pub fn generate(&self, password: Option<&Zeroizing<String>>) -> Result<Keygen, String> {
        self.check()?;
        let key = SecretKey::generate().map_err(|e| e.to_string())?;
        let secret = key
            .to_minisign(password.map(|p| (p.as_bytes(), KdfLimits::MINISIGN)))
            .map_err(|e| e.to_string())?;
        let public = key.public_key();
        let ssh = SshPublicKey::from(&public);
        let dir = &self.out_dir;
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let [key_path, pub_path, ssh_path, signers_path] = self.paths();
        write_new(&key_path, secret.as_bytes(), self.force, true)?;
        write_new(
            &pub_path,
            public.to_minisign_file().as_bytes(),
            self.force,
            false,
        )?;
        let ssh_line = format!("{}\n", ssh.to_openssh(&self.identity));
        write_new(&ssh_path, ssh_line.as_bytes(), self.force, false)?;
        let signers = format!("{}\n", allowed_signers_line(&self.identity, "file", &ssh));
        write_new(&signers_path, signers.as_bytes(), self.force, false)?;
        Ok(Keygen {
            secret_key: key_path,
            minisign_key: pub_path,
            ssh_key: ssh_path,
            allowed_signers: signers_path,
            public,
            ssh,
        })
    }
}

/// Creates `path` (failing if it exists, unless `force`). A `secret` file is readable
/// by its owner only, also when it replaces an existing file, whose mode `open` keeps.
fn write_new(path: &Path, bytes: &[u8], force: bool, secret: bool) -> Result<(), String> {
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
    let named = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists (pass --force to overwrite it)",
                path.display()
            )
        } else {
            named(e)
        }
    })?;
    #[cfg(unix)]
    if secret {
        // Tighten before writing: an existing file keeps its mode through `open`.
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(named)?;
    }
    let _ = secret;
    f.write_all(bytes).map_err(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn force_over_a_readable_file_leaves_the_secret_key_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let request = KeygenRequest {
            out_dir: dir.path().to_path_buf(),
            name: "k".into(),
            identity: "rel@example.org".into(),
            force: false,
        };
        let [key, ..] = request.paths();
        fs::write(&key, "old").unwrap();
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        let e = request.generate(None).err().unwrap_or_default();
        assert!(e.contains("already exists"), "{e}");
        let forced = KeygenRequest {
            force: true,
            ..request
        };
        let made = forced.generate(None).unwrap();
        let mode = fs::metadata(&made.secret_key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn names_and_identities_are_checked() {
        let request = KeygenRequest {
            out_dir: PathBuf::from("."),
            name: "a/b".into(),
            identity: "x".into(),
            force: false,
        };
        assert!(request.check().is_err_and(|e| e.contains("--name")));
        let request = KeygenRequest {
            name: "ok".into(),
            identity: "two words".into(),
            ..request
        };
        assert!(request.check().is_err_and(|e| e.contains("--identity")));
    }
}
