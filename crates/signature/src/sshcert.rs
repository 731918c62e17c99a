//! What an OpenSSH certificate (PROTOCOL.certkeys) vouches for, for `cert-authority`
//! lines of an allowed_signers file: a signature made with a certified key is trusted
//! when a trusted CA signed the certificate ([`SshCertificate::verify_ca`]), the
//! certificate is a user certificate valid at the verification time
//! ([`SshCertificate::problem_at`]), and it names the principal.
//!
//! The certificate itself, its layout and its parsing are part of the key model in
//! [`crate::sshkey`]: a certificate is a key on the wire ([`SshPublicKey::Certificate`])
//! and holds keys, so reading one cannot be separated from reading keys. This module
//! only checks a certificate that has been read.
//!
//! [`SshPublicKey::Certificate`]: crate::sshkey::SshPublicKey::Certificate
use crate::{
    sshkey::{verify, SshCertificate, VerifyError},
    wire::Reader,
};

/// A user certificate.
pub const USER_CERT: u32 = 1;

impl SshCertificate {
    /// Checks the CA's signature over the certificate.
    pub fn verify_ca(&self) -> Result<(), VerifyError> {
        let mut r = Reader::new(self.ca_signature());
        let algorithm = r
            .text("signature algorithm")
            .map_err(|source| VerifyError::Wire {
                what: "certificate signature",
                source,
            })?;
        let rest = &self.ca_signature()[r.position()..];
        let signed = self.signed_bytes();
        verify(&self.signature_key, algorithm, rest, signed).map_err(|e| {
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
