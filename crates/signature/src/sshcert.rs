//! OpenSSH certificates (PROTOCOL.certkeys), for `cert-authority` lines of an
//! allowed_signers file: a signature made with a certified key is trusted when a
//! trusted CA signed the certificate, the certificate is a user certificate valid at
//! the verification time, and it names the principal.
//!
//! ```text
//! string type ("ssh-ed25519-cert-v01@openssh.com", ...)   string nonce
//! <the key's fields, as in its plain blob>
//! uint64 serial   uint32 type (1 user, 2 host)   string key id
//! string valid principals   uint64 valid after   uint64 valid before
//! string critical options   string extensions   string reserved
//! string signature key      string signature (over everything before it)
//! ```
use crate::{
    sshkey::{parse_fields, SshKeyError, SshPublicKey, VerifyError},
    wire::{put_string, Reader, WireError},
};

/// A user certificate.
pub const USER_CERT: u32 = 1;

/// A parsed certificate; its CA signature is checked by [`SshCertificate::verify_ca`].
#[derive(Clone, PartialEq, Eq)]
pub struct SshCertificate {
    pub algorithm: String,
    /// The whole certificate blob.
    pub blob: Vec<u8>,
    /// The certified key, as a plain key.
    pub key: SshPublicKey,
    pub serial: u64,
    pub cert_type: u32,
    pub key_id: String,
    pub principals: Vec<String>,
    pub valid_after: u64,
    pub valid_before: u64,
    /// Critical options by name (OpenSSH refuses a certificate with one it does not know).
    pub critical_options: Vec<String>,
    pub signature_key: SshPublicKey,
    signature: Vec<u8>,
    signed_len: usize,
}

/// True for `*-cert-v01@openssh.com` type names.
pub fn is_certificate_type(algorithm: &str) -> bool {
    algorithm.ends_with("-cert-v01@openssh.com")
}

fn plain_type(algorithm: &str) -> Option<&str> {
    let base = algorithm.strip_suffix("-cert-v01@openssh.com")?;
    Some(match base {
        "ssh-ed25519" => "ssh-ed25519",
        "ssh-rsa" => "ssh-rsa",
        "ecdsa-sha2-nistp256" => "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384" => "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521" => "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519" => "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256" => "sk-ecdsa-sha2-nistp256@openssh.com",
        _ => return None,
    })
}

fn packed_strings(b: &[u8], field: &'static str) -> Result<Vec<String>, WireError> {
    let mut r = Reader::new(b);
    let mut out = Vec::new();
    while r.position() < b.len() {
        out.push(r.text(field)?.to_owned());
    }
    Ok(out)
}

impl SshCertificate {
    pub fn from_blob(blob: &[u8]) -> Result<SshCertificate, SshKeyError> {
        let mut r = Reader::new(blob);
        let algorithm = r.text("key type")?.to_owned();
        let plain = plain_type(&algorithm).ok_or_else(|| SshKeyError::Invalid {
            algorithm: algorithm.clone(),
            detail: "unknown certificate type".into(),
        })?;
        r.string("nonce")?;
        let mut plain_blob = Vec::new();
        put_string(&mut plain_blob, plain.as_bytes());
        let key = if plain == "ssh-ed25519" {
            let pk = r.string("ed25519 key")?;
            put_string(&mut plain_blob, pk);
            SshPublicKey::from_blob(&plain_blob)?
        } else {
            // Parse the fields in place to find where they end, then re-read them as a
            // plain key blob so the key compares equal to the same key outside a cert.
            let before = r.position();
            parse_fields(plain, &mut r, &[])?;
            plain_blob.extend_from_slice(&blob[before..r.position()]);
            SshPublicKey::from_blob(&plain_blob)?
        };
        let serial = r.u64("serial")?;
        let cert_type = r.u32("certificate type")?;
        let key_id = r.text("key id")?.to_owned();
        let principals = packed_strings(r.string("valid principals")?, "principal")?;
        let valid_after = r.u64("valid after")?;
        let valid_before = r.u64("valid before")?;
        let options = r.string("critical options")?;
        let mut critical_options = Vec::new();
        let mut or = Reader::new(options);
        while or.position() < options.len() {
            critical_options.push(or.text("critical option name")?.to_owned());
            or.string("critical option value")?;
        }
        r.string("extensions")?;
        r.string("reserved")?;
        let signature_key = SshPublicKey::from_blob(r.string("signature key")?)?;
        if matches!(signature_key, SshPublicKey::Certificate(_)) {
            return Err(SshKeyError::Invalid {
                algorithm,
                detail: "the CA key is itself a certificate".into(),
            });
        }
        let signed_len = r.position();
        let signature = r.string("signature")?.to_vec();
        r.finish()?;
        Ok(SshCertificate {
            algorithm,
            blob: blob.to_vec(),
            key,
            serial,
            cert_type,
            key_id,
            principals,
            valid_after,
            valid_before,
            critical_options,
            signature_key,
            signature,
            signed_len,
        })
    }

    /// Checks the CA's signature over the certificate.
    pub fn verify_ca(&self) -> Result<(), VerifyError> {
        let mut r = Reader::new(&self.signature);
        let algorithm = r
            .text("signature algorithm")
            .map_err(|source| VerifyError::Wire {
                what: "certificate signature",
                source,
            })?;
        let rest = &self.signature[r.position()..];
        let signed = &self.blob[..self.signed_len];
        crate::sshkey::verify(&self.signature_key, algorithm, rest, signed).map_err(|e| {
            VerifyError::Certificate(format!(
                "the CA signature ({}) does not verify: {e}",
                self.signature_key.fingerprint()
            ))
        })
    }

    /// Why the certificate cannot be used at `time` (Unix seconds), if it cannot: not a
    /// user certificate, outside its validity, or a critical option OpenSSH would refuse.
    pub fn problem_at(&self, time: i64) -> Option<String> {
        if self.cert_type != USER_CERT {
            return Some(format!(
                "certificate type {} is not a user certificate",
                self.cert_type
            ));
        }
        let t = u64::try_from(time).unwrap_or(0);
        if t < self.valid_after {
            return Some(format!(
                "the certificate is valid only from {} (Unix time)",
                self.valid_after
            ));
        }
        if t >= self.valid_before {
            return Some(format!(
                "the certificate expired at {} (Unix time)",
                self.valid_before
            ));
        }
        if let Some(o) = self.critical_options.first() {
            return Some(format!("unsupported critical option {o:?}"));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_certificates_are_errors() {
        let mut blob = Vec::new();
        put_string(&mut blob, b"ssh-ed25519-cert-v01@openssh.com");
        put_string(&mut blob, b"nonce");
        put_string(&mut blob, &[1; 32]);
        for n in 0..blob.len() {
            assert!(SshCertificate::from_blob(&blob[..n]).is_err());
        }
        assert!(SshCertificate::from_blob(&blob).is_err());
        assert!(is_certificate_type("ssh-rsa-cert-v01@openssh.com"));
        assert_eq!(
            plain_type("sk-ssh-ed25519-cert-v01@openssh.com"),
            Some("sk-ssh-ed25519@openssh.com")
        );
    }
}
