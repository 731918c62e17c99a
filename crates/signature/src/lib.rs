//! Signature formats for vigil, each readable and writable by the standard tools. One
//! module per concern; `(-> a, b)` names the modules each one uses, and no two modules
//! use each other:
//!
//! - [`keys`]: vigil's signing key, one Ed25519 key pair ([`SecretKey`], [`PublicKey`])
//!   with minisign's key id, and the rule that keeps its protocols apart.
//! - [`minisign`] (-> `keys`): public keys, secret key files (scrypt-encrypted or not)
//!   and prehashed signatures with trusted comments (`minisign -Vm`), one file each.
//! - [`sshkey`] (-> `keys`, `wire`): OpenSSH public keys of every type OpenSSH signs
//!   with, and certificates of them: parsing, printing, fingerprints, and how each
//!   key type verifies a signature.
//! - [`sshcert`] (-> `sshkey`, `wire`): what a certificate vouches for (its CA
//!   signature, its type and validity).
//! - [`armor`]: the one canonical shape of a signature's ASCII armor in a git object.
//! - [`sshsig`] (-> `keys`, `sshkey`, `sshcert`, `wire`, `armor`): SSHSIG signatures
//!   (`ssh-keygen -Y sign`, `ssh-keygen -Y verify`).
//! - [`allowed_signers`] (-> `sshkey`): OpenSSH allowed_signers files and revoked-key
//!   lists, and the line that trusts one key.
//! - [`openpgp`] (-> `hex`, `armor`): OpenPGP signatures checked against a keyring,
//!   in-process.
//! - [`dsse`] (-> `keys`): DSSE envelopes and their pre-authentication encoding.
//! - [`intoto`]: in-toto Statement v1 with SLSA provenance v1.
//! - [`sums`] (-> `hex`): GNU `SHA256SUMS` (`sha256sum -c`).
//! - `wire`: the SSH wire encoding; `hex`: [`hex()`] and [`unhex`].
//!
//! One Ed25519 key ([`SecretKey`]) signs in all three signature protocols; the bytes each
//! protocol signs are checked to have that protocol's shape and no other's (see
//! [`keys::Protocol`]). Secret key types have no `Debug`, and are zeroized on drop.
pub mod allowed_signers;
pub mod armor;
pub mod dsse;
mod hex;
pub mod intoto;
pub mod keys;
pub mod minisign;
pub mod openpgp;
pub mod sshcert;
pub mod sshkey;
pub mod sshsig;
pub mod sums;
mod wire;

pub use hex::{hex, unhex};
pub use keys::{KeyId, Protocol, PublicKey, SecretKey, SignError};
pub use wire::WireError;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every truncation and many one-byte changes of each format: errors, never panics.
    #[test]
    fn parsers_never_panic_on_mangled_input() {
        let sk = SecretKey::from_seed(KeyId([9; 8]), &[4; 32]);
        let pk = sk.public_key();
        let sig = minisign::MinisignSignature::sign_prehashed(
            &sk,
            &minisign::prehash(b"x"),
            "timestamp:1\tfile:x",
            "u",
        )
        .unwrap();
        let ssh =
            sshsig::SshSignature::sign(&sk, "file", sshsig::HashAlgorithm::Sha512, b"x").unwrap();
        let env = dsse::Envelope::sign(&sk, dsse::INTOTO_PAYLOAD_TYPE, b"{}").unwrap();
        let samples: Vec<String> = vec![
            pk.to_minisign_file(),
            sk.to_minisign(None).unwrap().to_string(),
            sig.to_file_string(),
            ssh.to_armored(),
            sshkey::SshPublicKey::from(&pk).to_openssh("c"),
            sums::format_sums(&[sums::SumsEntry {
                name: "a\\b".into(),
                sha256: [1; 32],
            }]),
            env.to_json_line(),
        ];
        let parse_all = |t: &str| {
            let _ = PublicKey::from_minisign(t);
            let _ = SecretKey::from_minisign(t, None);
            let _ = minisign::secret_key_is_encrypted(t);
            if let Ok(s) = minisign::MinisignSignature::parse(t) {
                let _ = s.verify(&pk, b"x");
            }
            if let Ok(s) = sshsig::SshSignature::from_armored(t) {
                let _ = s.verify(&sshkey::SshPublicKey::from(&pk), "file", b"x");
            }
            let _ = sshkey::SshPublicKey::from_openssh(t);
            let _ = sums::parse_sums(t);
            if let Ok(e) = dsse::Envelope::from_json(t) {
                let _ = e.verify(&pk, dsse::INTOTO_PAYLOAD_TYPE);
            }
            let _ = intoto::ProvenanceStatement::from_json(t.as_bytes());
        };
        for sample in &samples {
            let bytes = sample.as_bytes();
            for n in 0..bytes.len() {
                parse_all(&String::from_utf8_lossy(&bytes[..n]));
                for v in [b'A', b'/', b'\n', b'=', 0] {
                    let mut m = bytes.to_vec();
                    m[n] = v;
                    parse_all(&String::from_utf8_lossy(&m));
                }
            }
        }
    }
}
