//! OpenSSH public keys and SSHSIG signatures (OpenSSH's PROTOCOL.sshsig), as
//! `ssh-keygen -Y sign` writes them and `ssh-keygen -Y verify` checks them.
//!
//! ```text
//! signature blob:  "SSHSIG" || uint32 1 || string publickey || string namespace
//!                  || string reserved || string hash_algorithm || string signature
//! signed data:     "SSHSIG" || string namespace || string reserved
//!                  || string hash_algorithm || string H(message)
//! ```
//!
//! Parsing is general: any key type and signature algorithm is read and kept
//! ([`SshPublicKey::Other`]), so that support for more key types (RSA, ECDSA, security
//! keys) can be added in one place, [`verify_raw`], without touching the parser.
//! Ed25519, RSA, ECDSA (P-256/384/521), security keys and OpenSSH certificates are
//! verified ([`crate::sshkey`], [`crate::sshcert`]); other types are reported as
//! unsupported, never accepted.
use std::fmt;

use base64::{
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD},
    Engine as _,
};
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256, Sha512};

use crate::{
    keys::{Protocol, PublicKey, SecretKey, SignError, SSHSIG_PREFIX},
    wire::{put_string, put_u32, Reader, WireError},
};

pub const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
pub const END: &str = "-----END SSH SIGNATURE-----";
const VERSION: u32 = 1;
const ED25519: &str = "ssh-ed25519";

/// An SSH public key. `Debug` shows the algorithm and fingerprint only.
///
/// The key types OpenSSH signs with are parsed and verified in-process (see
/// [`crate::sshkey`]); any other type is kept as read ([`SshPublicKey::Other`]) and never
/// verifies.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SshPublicKey {
    Ed25519(VerifyingKey),
    /// `ssh-rsa`: exponent and modulus as big-endian unsigned bytes.
    Rsa {
        blob: Vec<u8>,
        e: Vec<u8>,
        n: Vec<u8>,
    },
    /// `ecdsa-sha2-nistp256/384/521`: the SEC1 point, checked to be on the curve.
    Ecdsa {
        blob: Vec<u8>,
        curve: crate::sshkey::Curve,
        point: Vec<u8>,
    },
    /// `sk-ssh-ed25519@openssh.com`: a FIDO security key's Ed25519 key.
    SkEd25519 {
        blob: Vec<u8>,
        key: VerifyingKey,
        application: String,
    },
    /// `sk-ecdsa-sha2-nistp256@openssh.com`: a FIDO security key's P-256 key.
    SkEcdsa {
        blob: Vec<u8>,
        point: Vec<u8>,
        application: String,
    },
    /// An OpenSSH certificate (`*-cert-v01@openssh.com`) of one of the types above.
    Certificate(Box<crate::sshcert::SshCertificate>),
    /// A key of another type: its algorithm name and whole wire blob, kept as read.
    Other {
        algorithm: String,
        blob: Vec<u8>,
    },
}

/// What is wrong with an OpenSSH public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SshKeyError {
    #[error("no public key found (expected `ssh-ed25519 AAAA... [comment]`)")]
    Empty,
    #[error("line {line}: expected `KEYTYPE BASE64 [COMMENT]`, found only one word")]
    MissingBase64 { line: usize },
    #[error("line {line}: the key is not valid base64 ({detail})")]
    Base64 { line: usize, detail: String },
    #[error("public key blob: {0}")]
    Wire(#[from] WireError),
    #[error("line {line}: the line says `{line_type}` but the key inside is `{blob_type}`")]
    TypeMismatch {
        line: usize,
        line_type: String,
        blob_type: String,
    },
    #[error("the ssh-ed25519 key is {found} bytes, expected 32")]
    Length { found: usize },
    #[error("the ssh-ed25519 key is not a valid Ed25519 point")]
    InvalidPoint,
    #[error("the {algorithm} key is invalid: {detail}")]
    Invalid { algorithm: String, detail: String },
}

impl SshPublicKey {
    /// Reads a key from its wire blob.
    pub fn from_blob(blob: &[u8]) -> Result<SshPublicKey, SshKeyError> {
        let mut r = Reader::new(blob);
        let algorithm = r.text("key type")?;
        if algorithm == ED25519 {
            let pk = r.string("ed25519 key")?;
            r.finish()?;
            let pk: [u8; 32] = pk
                .try_into()
                .map_err(|_| SshKeyError::Length { found: pk.len() })?;
            let key = VerifyingKey::from_bytes(&pk).map_err(|_| SshKeyError::InvalidPoint)?;
            Ok(SshPublicKey::Ed25519(key))
        } else if crate::sshcert::is_certificate_type(algorithm) {
            let cert = crate::sshcert::SshCertificate::from_blob(blob)?;
            Ok(SshPublicKey::Certificate(Box::new(cert)))
        } else if let Some(key) = crate::sshkey::parse_fields(algorithm, &mut r, blob)? {
            r.finish()?;
            Ok(key)
        } else {
            Ok(SshPublicKey::Other {
                algorithm: algorithm.to_owned(),
                blob: blob.to_vec(),
            })
        }
    }

    pub fn to_blob(&self) -> Vec<u8> {
        match self {
            SshPublicKey::Ed25519(k) => {
                let mut v = Vec::with_capacity(51);
                put_string(&mut v, ED25519.as_bytes());
                put_string(&mut v, k.as_bytes());
                v
            }
            SshPublicKey::Rsa { blob, .. }
            | SshPublicKey::Ecdsa { blob, .. }
            | SshPublicKey::SkEd25519 { blob, .. }
            | SshPublicKey::SkEcdsa { blob, .. }
            | SshPublicKey::Other { blob, .. } => blob.clone(),
            SshPublicKey::Certificate(c) => c.blob.clone(),
        }
    }

    /// The key type, e.g. `ssh-ed25519`.
    pub fn algorithm(&self) -> &str {
        match self {
            SshPublicKey::Ed25519(_) => ED25519,
            SshPublicKey::Rsa { .. } => crate::sshkey::RSA,
            SshPublicKey::Ecdsa { curve, .. } => curve.key_type(),
            SshPublicKey::SkEd25519 { .. } => crate::sshkey::SK_ED25519,
            SshPublicKey::SkEcdsa { .. } => crate::sshkey::SK_ECDSA,
            SshPublicKey::Certificate(c) => &c.algorithm,
            SshPublicKey::Other { algorithm, .. } => algorithm,
        }
    }

    /// The key itself: for a certificate the certified key, else this key.
    pub fn plain(&self) -> &SshPublicKey {
        match self {
            SshPublicKey::Certificate(c) => &c.key,
            other => other,
        }
    }

    /// `SHA256:...`, as `ssh-keygen -l` shows it (for a certificate: its key's).
    pub fn fingerprint(&self) -> String {
        format!(
            "SHA256:{}",
            STANDARD_NO_PAD.encode(Sha256::digest(self.plain().to_blob()))
        )
    }

    /// Reads the first key of an OpenSSH public key file (`KEYTYPE BASE64 [COMMENT]`;
    /// blank lines and `#` comments are skipped). Returns the key and its comment.
    pub fn from_openssh(text: &str) -> Result<(SshPublicKey, String), SshKeyError> {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            return SshPublicKey::from_openssh_line(i + 1, line);
        }
        Err(SshKeyError::Empty)
    }

    fn from_openssh_line(n: usize, line: &str) -> Result<(SshPublicKey, String), SshKeyError> {
        let mut words = line.split_whitespace();
        let line_type = words.next().ok_or(SshKeyError::Empty)?;
        let b64 = words.next().ok_or(SshKeyError::MissingBase64 { line: n })?;
        let comment = words.collect::<Vec<_>>().join(" ");
        let blob = STANDARD.decode(b64).map_err(|e| SshKeyError::Base64 {
            line: n,
            detail: e.to_string(),
        })?;
        let key = SshPublicKey::from_blob(&blob)?;
        if key.algorithm() != line_type {
            return Err(SshKeyError::TypeMismatch {
                line: n,
                line_type: line_type.to_owned(),
                blob_type: key.algorithm().to_owned(),
            });
        }
        Ok((key, comment))
    }

    /// `ssh-ed25519 AAAA... comment`.
    pub fn to_openssh(&self, comment: &str) -> String {
        let mut s = format!("{} {}", self.algorithm(), STANDARD.encode(self.to_blob()));
        if !comment.is_empty() {
            s.push(' ');
            s.push_str(comment);
        }
        s
    }
}

impl fmt::Debug for SshPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SshPublicKey({} {})",
            self.algorithm(),
            self.fingerprint()
        )
    }
}

impl From<&PublicKey> for SshPublicKey {
    fn from(k: &PublicKey) -> SshPublicKey {
        SshPublicKey::Ed25519(k.key)
    }
}

/// The `allowed_signers` line for a key: `IDENTITY namespaces="file" ssh-ed25519 AAAA...`.
pub fn allowed_signers_line(identity: &str, namespaces: &str, key: &SshPublicKey) -> String {
    format!(
        "{identity} namespaces=\"{namespaces}\" {}",
        key.to_openssh("")
    )
}

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
    #[error("signature algorithm {found:?} does not fit a {key} key")]
    SignatureAlgorithm { key: String, found: String },
    #[error("{algorithm} keys are not supported for verification yet")]
    UnsupportedKeyType { algorithm: String },
    #[error("the {what} is {found} bytes, expected {expected}")]
    Length {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("the signature does not verify with {fingerprint}: the signed data or the signature was changed")]
    BadSignature { fingerprint: String },
    #[error(transparent)]
    Sign(#[from] SignError),
    #[error("the ed25519 signature is not canonical (its S is not reduced below the group order): a malleated copy of a signature")]
    NonCanonical,
    #[error("the {algorithm} key is unusable: {detail}")]
    InvalidKey { algorithm: String, detail: String },
    #[error("the security key signature does not assert user presence (flags {flags:#04x})")]
    UserPresence { flags: u8 },
    #[error("certificate: {0}")]
    Certificate(String),
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
    crate::sshkey::verify(key, algorithm, rest, data)
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
            Err(SshsigError::BadSignature { .. })
        ));
        assert!(matches!(
            sig.verify(&key, "git", b"hello\n"),
            Err(SshsigError::NamespaceMismatch { .. })
        ));
        assert_eq!(sig.to_armored(), SIG);
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
        let line = allowed_signers_line("rel@example.org", "file", &pk);
        assert!(line.starts_with("rel@example.org namespaces=\"file\" ssh-ed25519 AAAA"));
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
            Err(SshsigError::UnsupportedKeyType { .. })
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

    #[test]
    fn malformed_keys_get_precise_errors() {
        let e = |t: &str| SshPublicKey::from_openssh(t).unwrap_err().to_string();
        assert!(e("").contains("no public key"));
        assert!(e("ssh-ed25519").contains("only one word"));
        assert!(e("ssh-ed25519 AAA!").contains("base64"));
        assert!(
            e("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAII4qGrJ74eTnTBHMrZZfDKV/Fu8CwS2xvHH388l2mdHr")
                .contains("says `ssh-rsa`")
        );
        let m = e("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII4qGrJ74eTnTBHMrZZfDKV/Fu8CwS2xvHH388l2");
        assert!(m.contains("truncated"), "{m}");
    }
}
