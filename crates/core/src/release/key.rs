//! The release-signing secret key: read from a file or from an environment variable (a
//! CI secret), decrypted with a password from a source the front-end provides. Errors
//! name where the key came from, never what it holds.
use std::path::PathBuf;

use vigil_signature::{minisign::secret_key_is_encrypted, SecretKey};
use zeroize::Zeroizing;

/// Where the secret key file's contents come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    File(PathBuf),
    /// The name of an environment variable holding the file's contents.
    Env(String),
}

/// Asks for a key's password: the CLI asks on the terminal; a CI door reads a secret.
pub trait PasswordSource {
    /// The password for `what` (a key file, or "the new secret key"), typed twice when
    /// `confirm`. `Err` says why there is none.
    fn password(&self, what: &str, confirm: bool) -> Result<Zeroizing<String>, String>;
}

/// A password in an environment variable.
pub struct EnvPassword(pub String);

impl PasswordSource for EnvPassword {
    fn password(&self, _: &str, _: bool) -> Result<Zeroizing<String>, String> {
        let name = &self.0;
        let pw = std::env::var(name).map_err(|_| {
            format!("--password-env {name}: the environment variable is not set (or not UTF-8)")
        })?;
        if pw.is_empty() {
            return Err(format!(
                "--password-env {name}: the environment variable is empty"
            ));
        }
        Ok(Zeroizing::new(pw))
    }
}

/// Loads the secret key, asking `passwords` only when the key is encrypted.
pub fn load_secret_key(
    source: &KeySource,
    passwords: &dyn PasswordSource,
) -> Result<SecretKey, String> {
    let (name, text) = match source {
        KeySource::File(p) => {
            let text = crate::input::read_text(p).map_err(|e| format!("--key: {e}"))?;
            (p.display().to_string(), Zeroizing::new(text))
        }
        KeySource::Env(var) => {
            let text = std::env::var(var).map_err(|_| {
                format!("--key-env {var}: the environment variable is not set (or not UTF-8)")
            })?;
            (format!("the secret key in ${var}"), Zeroizing::new(text))
        }
    };
    let password = if secret_key_is_encrypted(&text) == Some(true) {
        Some(passwords.password(&name, false)?)
    } else {
        None
    };
    SecretKey::from_minisign(&text, password.as_ref().map(|p| p.as_bytes()))
        .map_err(|e| format!("{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(&'static str);

    impl PasswordSource for Fixed {
        fn password(&self, _: &str, _: bool) -> Result<Zeroizing<String>, String> {
            Ok(Zeroizing::new(self.0.to_owned()))
        }
    }

    struct Refuse;

    impl PasswordSource for Refuse {
        fn password(&self, what: &str, _: bool) -> Result<Zeroizing<String>, String> {
            Err(format!("no password for {what}"))
        }
    }

    #[test]
    fn asks_for_a_password_only_when_the_key_is_encrypted() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::generate().unwrap();
        let plain = dir.path().join("plain.key");
        let locked = dir.path().join("locked.key");
        std::fs::write(&plain, key.to_minisign(None).unwrap().as_bytes()).unwrap();
        // Cheap scrypt limits: this tests the asking, not the key derivation.
        let limits = vigil_signature::minisign::KdfLimits {
            opslimit: 32_768,
            memlimit: 16 << 20,
        };
        let encrypted = key.to_minisign(Some((b"pw".as_slice(), limits))).unwrap();
        std::fs::write(&locked, encrypted.as_bytes()).unwrap();
        let id = key.key_id();
        let loaded = load_secret_key(&KeySource::File(plain), &Refuse).unwrap();
        assert_eq!(loaded.key_id(), id);
        let e = load_secret_key(&KeySource::File(locked.clone()), &Refuse)
            .err()
            .unwrap_or_default();
        assert!(
            e.contains("no password for") && e.contains("locked.key"),
            "{e}"
        );
        let loaded = load_secret_key(&KeySource::File(locked.clone()), &Fixed("pw")).unwrap();
        assert_eq!(loaded.key_id(), id);
        let e = load_secret_key(&KeySource::File(locked), &Fixed("wrong"))
            .err()
            .unwrap_or_default();
        assert!(e.contains("locked.key"), "{e}");
    }
}
