//! SSHSIG signatures (OpenSSH's PROTOCOL.sshsig), as `ssh-keygen -Y sign` writes them
//! and `ssh-keygen -Y verify` checks them: [`SshSignature`], its armored and binary
//! forms, the bytes it signs ([`signed_data`]), the message hash ([`HashAlgorithm`]),
//! and what can go wrong ([`SshsigError`]).
//!
//! ```text
//! signature blob:  "SSHSIG" || uint32 1 || string publickey || string namespace
//!                  || string reserved || string hash_algorithm || string signature
//! signed data:     "SSHSIG" || string namespace || string reserved
//!                  || string hash_algorithm || string H(message)
//! ```
//!
//! Parsing is general: the signature's key is read as any [`SshPublicKey`] and the
//! signature algorithm and blob are kept as read, so that support for more key types is
//! added in one place, [`crate::sshkey`], without touching this parser. Ed25519, RSA,
//! ECDSA (P-256/384/521), security keys and OpenSSH certificates are verified
//! ([`crate::sshkey`], [`crate::sshcert`]); other types are reported as unsupported,
//! never accepted.
use base64::{engine::general_purpose::STANDARD, Engine as _};
use sha2::{Digest, Sha256, Sha512};

use crate::{
    armor::{self, ArmorError},
    keys::{Protocol, SecretKey, SignError, SSHSIG_PREFIX},
    sshkey::{SshKeyError, SshPublicKey, VerifyError, ED25519},
    wire::{put_string, put_u32, Reader, WireError},
};

pub const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
pub const END: &str = "-----END SSH SIGNATURE-----";
const VERSION: u32 = 1;

/// The hash an SSHSIG signature applies to the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    Sha256,
    Sha512,
}

impl HashAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    pub fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha256 => Sha256::digest(msg).to_vec(),
            HashAlgorithm::Sha512 => Sha512::digest(msg).to_vec(),
        }
    }
}

/// What is wrong with an SSHSIG signature, or why it does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SshsigError {
    #[error("not an armored SSH signature: {0}")]
    Armor(&'static str),
    #[error("the armored signature is not valid base64 ({0})")]
    Base64(String),
    /// The armor is not in the one canonical shape vigil accepts in a git object.
    #[error("the armor is not canonical: {0}")]
    NotCanonical(ArmorError),
    #[error("the signature does not begin with \"SSHSIG\"")]
    Magic,
    #[error("{what}: {source}")]
    Wire {
        what: &'static str,
        source: WireError,
    },
    #[error("signature version {found}, expected 1")]
    Version { found: u32 },
    #[error("hash algorithm {found:?}, expected \"sha256\" or \"sha512\"")]
    HashAlgorithm { found: String },
    #[error("the signature is for namespace {found:?}, expected {expected:?}")]
    NamespaceMismatch { expected: String, found: String },
    #[error("the namespace is empty")]
    EmptyNamespace,
    #[error("the signature's public key: {0}")]
    Key(SshKeyError),
    #[error("signed by {found}, expected {expected}: wrong key")]
    KeyMismatch { expected: String, found: String },
    /// The signature does not verify with its key (or a certificate's CA signature
    /// does not): see [`crate::sshkey::VerifyError`].
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// A parsed SSHSIG signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSignature {
    pub public_key: SshPublicKey,
    pub namespace: String,
    pub reserved: Vec<u8>,
    pub hash_algorithm: HashAlgorithm,
    /// The signature algorithm named inside the signature (e.g. `ssh-ed25519`, `rsa-sha2-512`).
    pub signature_algorithm: String,
    /// The signature blob after its algorithm name (for Ed25519, the 64 signature bytes;
    /// for other types, whatever their encoding holds).
    pub signature: Vec<u8>,
}

fn wire(what: &'static str) -> impl Fn(WireError) -> SshsigError {
    move |source| SshsigError::Wire { what, source }
}

/// The bytes an SSHSIG signature signs.
pub fn signed_data(
    namespace: &str,
    reserved: &[u8],
    hash: HashAlgorithm,
    digest: &[u8],
) -> Vec<u8> {
    let mut v = Vec::with_capacity(6 + 4 * 4 + namespace.len() + reserved.len() + 6 + digest.len());
    v.extend_from_slice(SSHSIG_PREFIX);
    put_string(&mut v, namespace.as_bytes());
    put_string(&mut v, reserved);
    put_string(&mut v, hash.name().as_bytes());
    put_string(&mut v, digest);
    v
}

impl SshSignature {
    /// Reads an armored signature (`-----BEGIN SSH SIGNATURE-----` ...).
    pub fn from_armored(text: &str) -> Result<SshSignature, SshsigError> {
        let text = text.trim();
        let body = text.strip_prefix(BEGIN).ok_or(SshsigError::Armor(
            "the first line is not `-----BEGIN SSH SIGNATURE-----`",
        ))?;
        let body = body.strip_suffix(END).ok_or(SshsigError::Armor(
            "the last line is not `-----END SSH SIGNATURE-----`",
        ))?;
        let b64: String = body.split_whitespace().collect();
        let blob = STANDARD
            .decode(b64)
            .map_err(|e| SshsigError::Base64(e.to_string()))?;
        SshSignature::from_bytes(&blob)
    }

    /// Reads the armored signature of a git commit or tag, in its one canonical shape
    /// only ([`crate::armor`]): ssh-keygen also reads carriage returns, spaces, blank
    /// lines and bytes after the END line, each a new object id for the same signed
    /// commit that anyone can make without the key. Any one wrapping width is read
    /// (signers differ).
    pub fn from_canonical_armor(text: &[u8]) -> Result<SshSignature, SshsigError> {
        let a = armor::decode(text, BEGIN, END, false).map_err(SshsigError::NotCanonical)?;
        SshSignature::from_bytes(&a.data)
    }

    /// Reads the binary signature blob.
    pub fn from_bytes(blob: &[u8]) -> Result<SshSignature, SshsigError> {
        let mut r = Reader::new(blob);
        let w = wire("signature");
        if r.bytes(6, "magic").map_err(&w)? != SSHSIG_PREFIX {
            return Err(SshsigError::Magic);
        }
        let version = r.u32("version").map_err(&w)?;
        if version != VERSION {
            return Err(SshsigError::Version { found: version });
        }
        let key_blob = r.string("publickey").map_err(&w)?;
        let namespace = r.text("namespace").map_err(&w)?;
        let reserved = r.string("reserved").map_err(&w)?;
        let hash = r.text("hash_algorithm").map_err(&w)?;
        let sig = r.string("signature").map_err(&w)?;
        r.finish().map_err(&w)?;
        let hash_algorithm = match hash {
            "sha256" => HashAlgorithm::Sha256,
            "sha512" => HashAlgorithm::Sha512,
            other => {
                return Err(SshsigError::HashAlgorithm {
                    found: other.to_owned(),
                })
            }
        };
        if namespace.is_empty() {
            return Err(SshsigError::EmptyNamespace);
        }
        let public_key = SshPublicKey::from_blob(key_blob).map_err(SshsigError::Key)?;
        let mut sr = Reader::new(sig);
        let ws = wire("signature blob");
        let signature_algorithm = sr.text("signature algorithm").map_err(&ws)?.to_owned();
        // The rest is type-specific (Ed25519: string sig; sk-* keys add flags and a
        // counter): keep it whole for verify_raw.
        let rest = sig.get(4 + signature_algorithm.len()..).unwrap_or_default();
        Ok(SshSignature {
            public_key,
            namespace: namespace.to_owned(),
            reserved: reserved.to_vec(),
            hash_algorithm,
            signature_algorithm,
            signature: rest.to_vec(),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut sig = Vec::new();
        put_string(&mut sig, self.signature_algorithm.as_bytes());
        sig.extend_from_slice(&self.signature);
        let mut v = Vec::new();
        v.extend_from_slice(SSHSIG_PREFIX);
        put_u32(&mut v, VERSION);
        put_string(&mut v, &self.public_key.to_blob());
        put_string(&mut v, self.namespace.as_bytes());
        put_string(&mut v, &self.reserved);
        put_string(&mut v, self.hash_algorithm.name().as_bytes());
        put_string(&mut v, &sig);
        v
    }

    /// The armored form, lines of 70 characters, as ssh-keygen writes it.
    pub fn to_armored(&self) -> String {
        let b64 = STANDARD.encode(self.to_bytes());
        let mut s = String::with_capacity(b64.len() + b64.len() / 70 + 64);
        s.push_str(BEGIN);
        s.push('\n');
        for chunk in b64.as_bytes().chunks(70) {
            s.push_str(&String::from_utf8_lossy(chunk));
            s.push('\n');
        }
        s.push_str(END);
        s.push('\n');
        s
    }

    /// Signs `message` in `namespace` with an Ed25519 key.
    pub fn sign(
        key: &SecretKey,
        namespace: &str,
        hash: HashAlgorithm,
        message: &[u8],
    ) -> Result<SshSignature, SshsigError> {
        SshSignature::sign_digest(key, namespace, hash, &hash.digest(message))
    }

    /// Signs a message given its digest under `hash`.
    pub fn sign_digest(
        key: &SecretKey,
        namespace: &str,
        hash: HashAlgorithm,
        digest: &[u8],
    ) -> Result<SshSignature, SshsigError> {
        if namespace.is_empty() {
            return Err(SshsigError::EmptyNamespace);
        }
        let data = signed_data(namespace, b"", hash, digest);
        let sig = key.sign(Protocol::Sshsig, &data)?;
        let mut signature = Vec::with_capacity(68);
        put_string(&mut signature, &sig);
        Ok(SshSignature {
            public_key: SshPublicKey::from(&key.public_key()),
            namespace: namespace.to_owned(),
            reserved: Vec::new(),
            hash_algorithm: hash,
            signature_algorithm: ED25519.to_owned(),
            signature,
        })
    }

    /// Checks the namespace, that the signature is by `trusted`, and the signature over
    /// `message`.
    pub fn verify(
        &self,
        trusted: &SshPublicKey,
        namespace: &str,
        message: &[u8],
    ) -> Result<(), SshsigError> {
        self.verify_digest(trusted, namespace, &self.hash_algorithm.digest(message))
    }

    /// As [`Self::verify`], given the message's digest under `self.hash_algorithm`.
    pub fn verify_digest(
        &self,
        trusted: &SshPublicKey,
        namespace: &str,
        digest: &[u8],
    ) -> Result<(), SshsigError> {
        if self.namespace != namespace {
            return Err(SshsigError::NamespaceMismatch {
                expected: namespace.to_owned(),
                found: self.namespace.clone(),
            });
        }
        if &self.public_key != trusted {
            return Err(SshsigError::KeyMismatch {
                expected: trusted.fingerprint(),
                found: self.public_key.fingerprint(),
            });
        }
        let data = signed_data(&self.namespace, &self.reserved, self.hash_algorithm, digest);
        verify_raw(
            &self.public_key,
            &self.signature_algorithm,
            &self.signature,
            &data,
        )
    }
}

/// Verifies an SSH signature (algorithm name, then the type-specific rest of the
/// signature blob) over `data`, with the key alone (no trust decision). The key types
/// are in [`crate::sshkey`].
pub fn verify_raw(
    key: &SshPublicKey,
    algorithm: &str,
    rest: &[u8],
    data: &[u8],
) -> Result<(), SshsigError> {
    crate::sshkey::verify(key, algorithm, rest, data).map_err(SshsigError::Verify)
}

impl SshSignature {
    /// Checks the signature over `message` with the key it carries, and nothing else:
    /// neither the namespace nor whether the key is trusted (`ssh-keygen -Y
    /// check-novalidate`). For a certificate, its own CA signature is checked too.
    pub fn check(&self, message: &[u8]) -> Result<(), SshsigError> {
        if let SshPublicKey::Certificate(c) = &self.public_key {
            c.verify_ca()?;
        }
        let digest = self.hash_algorithm.digest(message);
        let data = signed_data(
            &self.namespace,
            &self.reserved,
            self.hash_algorithm,
            &digest,
        );
        verify_raw(
            &self.public_key,
            &self.signature_algorithm,
            &self.signature,
            &data,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyId;

    // Made by OpenSSH 9: `ssh-keygen -Y sign -n file -f id f` over "hello\n".
    const PUB: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII4qGrJ74eTnTBHMrZZfDKV/Fu8CwS2xvHH388l2mdHr test@x\n";
    const SIG: &str = "-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgjioasnvh5OdMEcytll8MpX8W7w
LBLbG8cffzyXaZ0esAAAAEZmlsZQAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gtZWQyNTUx
OQAAAEBupvKL4un4Ny/YUAtCbsEJ0grXYd7J8bNStjR0QW1QYA7G0P41PXKGc7hmbsVWeV
jwAYao0rSeFD6kAErKvPgL
-----END SSH SIGNATURE-----
";

    #[test]
    fn verifies_ssh_keygen_signature() {
        let (key, comment) = SshPublicKey::from_openssh(PUB).unwrap();
        assert_eq!(comment, "test@x");
        assert_eq!(key.to_openssh("test@x") + "\n", PUB);
        let sig = SshSignature::from_armored(SIG).unwrap();
        assert_eq!(sig.namespace, "file");
        assert_eq!(sig.hash_algorithm, HashAlgorithm::Sha512);
        sig.verify(&key, "file", b"hello\n").unwrap();
        assert!(matches!(
            sig.verify(&key, "file", b"hello"),
            Err(SshsigError::Verify(VerifyError::BadSignature { .. }))
        ));
        assert!(matches!(
            sig.verify(&key, "git", b"hello\n"),
            Err(SshsigError::NamespaceMismatch { .. })
        ));
        assert_eq!(sig.to_armored(), SIG);
    }

    #[test]
    fn canonical_armor_any_width_nothing_else() {
        let want = SshSignature::from_armored(SIG).unwrap();
        let read = |t: &str| SshSignature::from_canonical_armor(t.as_bytes());
        assert_eq!(read(SIG).unwrap(), want);
        assert_eq!(read(&want.to_armored()).unwrap(), want);
        let b64: String = SIG.lines().filter(|l| !l.starts_with("-----")).collect();
        for width in [64, 76, 1000] {
            let lines: Vec<&str> = b64
                .as_bytes()
                .chunks(width)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            let t = format!("{BEGIN}\n{}\n{END}\n", lines.join("\n"));
            assert_eq!(read(&t).unwrap(), want, "width {width}");
        }
        // What ssh-keygen reads too, and a third party can make without the key.
        for t in [
            SIG.replace('\n', "\r\n"),
            SIG.replacen("7w\n", "7w\r\n", 1),
            SIG.replacen("7w\n", "7w \n", 1),
            SIG.replacen("7w\n", "7w\n\n", 1),
            format!("{SIG}\n"),
            SIG.replace(&format!("{END}\n"), &format!("{END} \n")),
            format!(" {SIG}"),
        ] {
            let e = read(&t).unwrap_err();
            assert!(matches!(e, SshsigError::NotCanonical(_)), "{t:?}: {e}");
            assert!(
                e.to_string().starts_with("the armor is not canonical"),
                "{e}"
            );
            // ... while the lenient reader (artifact signature files) still takes it.
            assert_eq!(SshSignature::from_armored(&t).unwrap(), want);
        }
    }

    #[test]
    fn sign_round_trip() {
        let sk = SecretKey::from_seed(KeyId([3; 8]), &[9; 32]);
        let pk = SshPublicKey::from(&sk.public_key());
        for hash in [HashAlgorithm::Sha256, HashAlgorithm::Sha512] {
            let sig = SshSignature::sign(&sk, "file", hash, b"msg").unwrap();
            let back = SshSignature::from_armored(&sig.to_armored()).unwrap();
            assert_eq!(back, sig);
            back.verify(&pk, "file", b"msg").unwrap();
        }
        let other = SshPublicKey::from(&SecretKey::from_seed(KeyId([3; 8]), &[8; 32]).public_key());
        let sig = SshSignature::sign(&sk, "file", HashAlgorithm::Sha512, b"msg").unwrap();
        assert!(matches!(
            sig.verify(&other, "file", b"msg"),
            Err(SshsigError::KeyMismatch { .. })
        ));
        assert!(pk.fingerprint().starts_with("SHA256:"));
    }

    #[test]
    fn other_key_types_parse_but_do_not_verify() {
        let mut blob = Vec::new();
        // (ECDSA, RSA and security keys are supported now: DSA stands for "other".)
        put_string(&mut blob, b"ssh-dss");
        put_string(&mut blob, &[4; 65]);
        let key = SshPublicKey::from_blob(&blob).unwrap();
        assert_eq!(key.algorithm(), "ssh-dss");
        let mut sig = SshSignature::from_armored(SIG).unwrap();
        sig.public_key = key.clone();
        let back = SshSignature::from_bytes(&sig.to_bytes()).unwrap();
        assert!(matches!(
            back.verify(&key, "file", b"hello\n"),
            Err(SshsigError::Verify(VerifyError::UnsupportedKeyType { .. }))
        ));
    }

    #[test]
    fn malformed_signatures_get_precise_errors() {
        let e = |t: &str| SshSignature::from_armored(t).unwrap_err().to_string();
        assert!(e("hello").contains("BEGIN"));
        assert!(e(&SIG.replace(END, "")).contains("END"));
        assert!(e(&SIG.replacen("U1NI", "U1N!", 1)).contains("base64"));
        let blob = SshSignature::from_armored(SIG).unwrap().to_bytes();
        let arm = |b: &[u8]| format!("{BEGIN}\n{}\n{END}\n", STANDARD.encode(b));
        // truncated at every length: always an error, never a panic
        for n in 0..blob.len() {
            assert!(SshSignature::from_armored(&arm(&blob[..n])).is_err(), "{n}");
        }
        let m = e(&arm(&blob[..40]));
        assert!(m.contains("truncated") && m.contains("publickey"), "{m}");
        let m = e(&arm(&blob[..70]));
        assert!(m.contains("truncated") && m.contains("namespace"), "{m}");
        let mut wrong = blob.clone();
        wrong[0] = b'X';
        assert!(e(&arm(&wrong)).contains("SSHSIG"));
        let mut v2 = blob.clone();
        v2[9] = 2;
        assert!(e(&arm(&v2)).contains("version 2"));
        let m = e(&arm(&[blob.as_slice(), b"x"].concat()));
        assert!(m.contains("unexpected bytes"), "{m}");
        // wrong algorithm id in the signature blob
        let mut s = SshSignature::from_armored(SIG).unwrap();
        s.signature_algorithm = "ssh-rsa".into();
        let (key, _) = SshPublicKey::from_openssh(PUB).unwrap();
        let m = s.verify(&key, "file", b"hello\n").unwrap_err().to_string();
        assert!(m.contains("does not fit"), "{m}");
    }
}
