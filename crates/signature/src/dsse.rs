//! DSSE (Dead Simple Signing Envelope, <https://github.com/secure-systems-lab/dsse>):
//! the signature covers the pre-authentication encoding (PAE) of the payload type and
//! the payload, never the JSON envelope.
//!
//! ```text
//! PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//! ```
//! where `LEN` is the byte length in ASCII decimal.
use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE},
    Engine as _,
};
use ed25519_dalek::Signature;
use serde::{Deserialize, Serialize};

use crate::keys::{Protocol, PublicKey, SecretKey, SignError};

/// The payload type of an in-toto statement.
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The pre-authentication encoding: the bytes a DSSE signature signs.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    v.extend_from_slice(b"DSSEv1 ");
    v.extend_from_slice(payload_type.len().to_string().as_bytes());
    v.push(b' ');
    v.extend_from_slice(payload_type.as_bytes());
    v.push(b' ');
    v.extend_from_slice(payload.len().to_string().as_bytes());
    v.push(b' ');
    v.extend_from_slice(payload);
    v
}

/// A DSSE envelope (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// base64 of the payload.
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// A hint naming the key (vigil writes the minisign key id); not trusted.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyid: String,
    /// base64 of the signature over the PAE.
    pub sig: String,
}

/// What is wrong with a DSSE envelope, or why it does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DsseError {
    #[error("not a DSSE envelope: {0}")]
    Json(String),
    #[error("the envelope's {field} is not valid base64 ({detail})")]
    Base64 { field: String, detail: String },
    #[error("the envelope has no signatures")]
    NoSignatures,
    #[error("payload type {found:?}, expected {expected:?}")]
    PayloadType { expected: String, found: String },
    #[error("none of the envelope's {count} signature(s) verifies with key {key_id}: the payload or the signature was changed, or it was signed by another key")]
    BadSignature {
        count: usize,
        key_id: crate::keys::KeyId,
    },
    #[error(transparent)]
    Sign(#[from] SignError),
}

fn decode(field: &str, s: &str) -> Result<Vec<u8>, DsseError> {
    // The spec asks verifiers to accept both the standard and the URL-safe alphabet.
    STANDARD
        .decode(s)
        .or_else(|_| URL_SAFE.decode(s))
        .map_err(|e| DsseError::Base64 {
            field: field.to_owned(),
            detail: e.to_string(),
        })
}

impl Envelope {
    /// Signs `payload` with `key`.
    pub fn sign(
        key: &SecretKey,
        payload_type: &str,
        payload: &[u8],
    ) -> Result<Envelope, DsseError> {
        let sig = key.sign(Protocol::Dsse, &pae(payload_type, payload))?;
        Ok(Envelope {
            payload: STANDARD.encode(payload),
            payload_type: payload_type.to_owned(),
            signatures: vec![EnvelopeSignature {
                keyid: key.key_id().to_string(),
                sig: STANDARD.encode(sig),
            }],
        })
    }

    pub fn from_json(text: &str) -> Result<Envelope, DsseError> {
        serde_json::from_str(text)
            .map_err(|e| DsseError::Json(vigil_model::sanitize(&e.to_string(), 160)))
    }

    /// One line of JSON (for `.intoto.jsonl`), without the line end.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The payload bytes, unverified.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, DsseError> {
        decode("payload", &self.payload)
    }

    /// Checks that at least one signature verifies with `key` over the PAE of
    /// `expected_type` and the payload; returns the payload.
    pub fn verify(&self, key: &PublicKey, expected_type: &str) -> Result<Vec<u8>, DsseError> {
        if self.payload_type != expected_type {
            return Err(DsseError::PayloadType {
                expected: expected_type.to_owned(),
                found: self.payload_type.clone(),
            });
        }
        if self.signatures.is_empty() {
            return Err(DsseError::NoSignatures);
        }
        let payload = self.payload_bytes()?;
        let message = pae(&self.payload_type, &payload);
        for (i, s) in self.signatures.iter().enumerate() {
            let raw = decode(&format!("signatures[{i}].sig"), &s.sig)?;
            let Ok(sig) = <[u8; 64]>::try_from(raw.as_slice()) else {
                continue;
            };
            if key
                .key
                .verify_strict(&message, &Signature::from_bytes(&sig))
                .is_ok()
            {
                return Ok(payload);
            }
        }
        Err(DsseError::BadSignature {
            count: self.signatures.len(),
            key_id: key.key_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyId;

    #[test]
    fn pae_matches_the_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn sign_verify_and_tamper() {
        let sk = SecretKey::from_seed(KeyId([5; 8]), &[1; 32]);
        let pk = sk.public_key();
        let env = Envelope::sign(&sk, INTOTO_PAYLOAD_TYPE, b"{\"a\":1}").unwrap();
        let back = Envelope::from_json(&env.to_json_line()).unwrap();
        assert_eq!(back.verify(&pk, INTOTO_PAYLOAD_TYPE).unwrap(), b"{\"a\":1}");
        let mut changed = back.clone();
        changed.payload = STANDARD.encode(b"{\"a\":2}");
        assert!(matches!(
            changed.verify(&pk, INTOTO_PAYLOAD_TYPE),
            Err(DsseError::BadSignature { .. })
        ));
        let mut changed = back.clone();
        changed.payload_type = "text/plain".into();
        assert!(changed.verify(&pk, "text/plain").is_err());
        assert!(matches!(
            back.verify(&pk, "text/plain"),
            Err(DsseError::PayloadType { .. })
        ));
        let other = SecretKey::from_seed(KeyId([5; 8]), &[2; 32]).public_key();
        assert!(back.verify(&other, INTOTO_PAYLOAD_TYPE).is_err());
        assert!(Envelope::from_json("{").is_err());
        let mut bad = back;
        bad.payload = "!!".into();
        let m = bad
            .verify(&pk, INTOTO_PAYLOAD_TYPE)
            .unwrap_err()
            .to_string();
        assert!(m.contains("payload is not valid base64"), "{m}");
    }
}
