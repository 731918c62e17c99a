//! minisign secret key files, scrypt-encrypted or not (`minisign -G`, `minisign -G -W`),
//! read into and written from [`SecretKey`], with their scrypt limits ([`KdfLimits`]).
//! The decoded key, the scrypt stream and the file text written are held in
//! `Zeroizing` buffers.
//!
//! ```text
//! secret key  "Ed" || kdf "Sc" or "\0\0" || "B2" || salt[32] || opslimit u64le || memlimit u64le
//!             || ( key_id[8] || seed[32] || pk[32] || checksum[32] ) XOR scrypt(password, salt)
//!             checksum = BLAKE2b-256("Ed" || key_id || seed || pk)
//! ```
use base64::{engine::general_purpose::STANDARD, Engine as _};
use blake2::{digest::consts::U32, Blake2b, Digest};
use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use crate::{
    keys::{KeyId, SecretKey, SignError},
    minisign::{
        error::MinisignError,
        text::{alg_name, comment_then_base64, lines, LENIENT, SIG_ALG, UNTRUSTED},
    },
};

const KDF_SCRYPT: &[u8; 2] = b"Sc";
const KDF_NONE: &[u8; 2] = b"\0\0";
const CHK_BLAKE2B: &[u8; 2] = b"B2";
const SECRET_HEADER_LEN: usize = 2 + 2 + 2 + 32 + 8 + 8;
const SECRET_PAYLOAD_LEN: usize = 8 + 64 + 32;
const SECRET_KEY_LEN: usize = SECRET_HEADER_LEN + SECRET_PAYLOAD_LEN;

fn b64_secret(line: usize, text: &str) -> Result<Zeroizing<Vec<u8>>, MinisignError> {
    let mut out = Zeroizing::new(Vec::with_capacity(SECRET_KEY_LEN + 3));
    LENIENT
        .decode_vec(text.trim(), &mut out)
        .map_err(|e| MinisignError::Base64 {
            line,
            what: "secret key",
            detail: e.to_string(),
        })?;
    Ok(out)
}

/// scrypt cost limits stored in an encrypted secret key (libsodium's
/// `crypto_pwhash_scryptsalsa208sha256` opslimit and memlimit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfLimits {
    pub opslimit: u64,
    pub memlimit: u64,
}

impl KdfLimits {
    /// minisign's defaults (libsodium's `_SENSITIVE` limits): scrypt N=2^20, r=8, p=1, 1 GiB.
    pub const MINISIGN: KdfLimits = KdfLimits {
        opslimit: 33_554_432,
        memlimit: 1_073_741_824,
    };

    /// (log2 N, r, p) as libsodium picks them (`pickparams` in its scrypt code).
    pub fn scrypt_params(self) -> (u8, u32, u64) {
        let opslimit = self.opslimit.max(32_768);
        let r: u64 = 8;
        let first_above = |max_n: u64| -> u8 {
            let mut log_n = 1u8;
            while log_n < 63 && (1u64 << log_n) <= max_n / 2 {
                log_n += 1;
            }
            log_n
        };
        if opslimit < self.memlimit / 32 {
            (first_above(opslimit / (r * 4)), 8, 1)
        } else {
            let log_n = first_above(self.memlimit / (r * 128));
            let maxrp = ((opslimit / 4) >> log_n).min(0x3fff_ffff);
            (log_n, 8, maxrp / r)
        }
    }

    fn derive(self, password: &[u8], salt: &[u8]) -> Result<Zeroizing<Vec<u8>>, MinisignError> {
        let (log_n, r, p) = self.scrypt_params();
        let too_high = MinisignError::KdfLimits {
            opslimit: self.opslimit,
            memlimit: self.memlimit,
        };
        // 128 * r * N bytes of memory; p sequential passes.
        if log_n > 21 || p > 16 {
            return Err(too_high);
        }
        let p = u32::try_from(p.max(1)).map_err(|_| too_high)?;
        let params = scrypt::Params::new(log_n, r, p, 32)
            .map_err(|e| MinisignError::Kdf(format!("scrypt parameters: {e}")))?;
        let mut out = Zeroizing::new(vec![0u8; SECRET_PAYLOAD_LEN]);
        scrypt::scrypt(password, salt, &params, &mut out)
            .map_err(|e| MinisignError::Kdf(e.to_string()))?;
        Ok(out)
    }
}

fn checksum(key_id: &[u8], keypair: &[u8]) -> [u8; 32] {
    let mut h = Blake2b::<U32>::new();
    h.update(SIG_ALG);
    h.update(key_id);
    h.update(keypair);
    h.finalize().into()
}

/// Whether a minisign secret key file is password-protected (`None` if it cannot tell).
///
/// Only the algorithm ids at the front of the key are decoded: its first 8 base64
/// characters, 6 bytes (`"Ed"`, the key derivation, the checksum algorithm). The salt,
/// the limits and the secret itself are never decoded.
pub fn secret_key_is_encrypted(text: &str) -> Option<bool> {
    let lines = lines(text);
    let (_, b) = lines.iter().find(|(_, l)| !l.starts_with(UNTRUSTED))?;
    let header = STANDARD.decode(b.trim().get(..8)?).ok()?;
    let kdf = header.get(2..4)?;
    Some(kdf == KDF_SCRYPT)
}

impl SecretKey {
    /// Reads a minisign secret key file. `password` is needed if it is encrypted.
    pub fn from_minisign(text: &str, password: Option<&[u8]>) -> Result<SecretKey, MinisignError> {
        let (line, b) = comment_then_base64(text, "secret key", "the base64 secret key", false)?;
        let mut raw = b64_secret(line, b)?;
        if raw.len() != SECRET_KEY_LEN {
            return Err(MinisignError::Length {
                line,
                what: "secret key",
                expected: SECRET_KEY_LEN,
                found: raw.len(),
            });
        }
        if &raw[0..2] != SIG_ALG {
            return Err(MinisignError::Algorithm {
                line,
                what: "secret key",
                found: alg_name(&raw[0..2]),
                expected: "\"Ed\"",
            });
        }
        if &raw[4..6] != CHK_BLAKE2B {
            return Err(MinisignError::Algorithm {
                line,
                what: "secret key's checksum",
                found: alg_name(&raw[4..6]),
                expected: "\"B2\"",
            });
        }
        let encrypted = match &raw[2..4] {
            k if k == KDF_SCRYPT => true,
            k if k == KDF_NONE => false,
            k => {
                return Err(MinisignError::Algorithm {
                    line,
                    what: "secret key's key derivation",
                    found: alg_name(k),
                    expected: "\"Sc\" (scrypt) or none",
                })
            }
        };
        if encrypted {
            let password = password.ok_or(MinisignError::PasswordRequired)?;
            let mut ops = [0u8; 8];
            let mut mem = [0u8; 8];
            ops.copy_from_slice(&raw[38..46]);
            mem.copy_from_slice(&raw[46..54]);
            let limits = KdfLimits {
                opslimit: u64::from_le_bytes(ops),
                memlimit: u64::from_le_bytes(mem),
            };
            let stream = limits.derive(password, &raw[6..38])?;
            for (b, s) in raw[SECRET_HEADER_LEN..].iter_mut().zip(stream.iter()) {
                *b ^= s;
            }
        }
        let payload = &raw[SECRET_HEADER_LEN..];
        let (id, rest) = payload.split_at(8);
        let (keypair, chk) = rest.split_at(64);
        let expected = checksum(id, keypair);
        // minisign -W (unencrypted) leaves the checksum zeroed.
        let unchecked = !encrypted && chk.iter().all(|&b| b == 0);
        if expected.as_slice() != chk && !unchecked {
            return Err(if encrypted {
                MinisignError::WrongPassword
            } else {
                MinisignError::BadChecksum
            });
        }
        let mut kp = Zeroizing::new([0u8; 64]);
        kp.copy_from_slice(keypair);
        let signing =
            SigningKey::from_keypair_bytes(&kp).map_err(|_| MinisignError::KeyMismatch)?;
        let mut key_id = [0u8; 8];
        key_id.copy_from_slice(id);
        Ok(SecretKey::from_signing_key(KeyId(key_id), signing))
    }

    /// The secret key file, encrypted with `password` under `limits` (minisign's own
    /// defaults are [`KdfLimits::MINISIGN`]), or unencrypted when `password` is `None`.
    /// The result holds the key: it is zeroized when dropped.
    pub fn to_minisign(
        &self,
        password: Option<(&[u8], KdfLimits)>,
    ) -> Result<Zeroizing<String>, MinisignError> {
        let mut raw = Zeroizing::new(Vec::with_capacity(SECRET_KEY_LEN));
        raw.extend_from_slice(SIG_ALG);
        raw.extend_from_slice(if password.is_some() {
            KDF_SCRYPT
        } else {
            KDF_NONE
        });
        raw.extend_from_slice(CHK_BLAKE2B);
        let mut salt = [0u8; 32];
        let limits = match password {
            Some((_, limits)) => {
                getrandom::fill(&mut salt)
                    .map_err(|e| MinisignError::Sign(SignError::Random(e.to_string())))?;
                limits
            }
            None => KdfLimits {
                opslimit: 0,
                memlimit: 0,
            },
        };
        raw.extend_from_slice(&salt);
        raw.extend_from_slice(&limits.opslimit.to_le_bytes());
        raw.extend_from_slice(&limits.memlimit.to_le_bytes());
        let id = self.key_id().0;
        let kp = self.keypair_bytes();
        raw.extend_from_slice(&id);
        raw.extend_from_slice(kp.as_slice());
        raw.extend_from_slice(&checksum(&id, kp.as_slice()));
        if let Some((password, limits)) = password {
            let stream = limits.derive(password, &salt)?;
            for (b, s) in raw[SECRET_HEADER_LEN..].iter_mut().zip(stream.iter()) {
                *b ^= s;
            }
        }
        let comment = if password.is_some() {
            "minisign encrypted secret key"
        } else {
            "minisign secret key (unencrypted)"
        };
        let mut out = Zeroizing::new(String::with_capacity(256));
        out.push_str(UNTRUSTED);
        out.push_str(comment);
        out.push('\n');
        STANDARD.encode_string(raw.as_slice(), &mut out);
        out.push('\n');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        keys::PublicKey,
        minisign::testdata::{KEY, PUB},
    };

    fn low() -> KdfLimits {
        KdfLimits {
            opslimit: 32_768,
            memlimit: 16 << 20,
        }
    }

    #[test]
    fn reads_minisign_secret_keys() {
        let sk = SecretKey::from_minisign(KEY, None).unwrap();
        assert_eq!(sk.public_key(), PublicKey::from_minisign(PUB).unwrap());
    }

    #[test]
    fn secret_key_files_round_trip() {
        let sk = SecretKey::generate().unwrap();
        let plain = sk.to_minisign(None).unwrap();
        assert_eq!(secret_key_is_encrypted(&plain), Some(false));
        assert_eq!(
            SecretKey::from_minisign(&plain, None).unwrap().public_key(),
            sk.public_key()
        );
        let enc = sk.to_minisign(Some((b"pw", low()))).unwrap();
        assert_eq!(secret_key_is_encrypted(&enc), Some(true));
        assert!(matches!(
            SecretKey::from_minisign(&enc, None),
            Err(MinisignError::PasswordRequired)
        ));
        assert!(matches!(
            SecretKey::from_minisign(&enc, Some(b"wrong")),
            Err(MinisignError::WrongPassword)
        ));
        assert_eq!(
            SecretKey::from_minisign(&enc, Some(b"pw"))
                .unwrap()
                .public_key(),
            sk.public_key()
        );
    }

    #[test]
    fn encryption_is_read_from_the_algorithm_ids_alone() {
        let sk = SecretKey::generate().unwrap();
        let plain = sk.to_minisign(None).unwrap();
        let enc = sk.to_minisign(Some((b"pw", low()))).unwrap();
        assert_eq!(secret_key_is_encrypted(KEY), Some(false));
        // Only the first 8 base64 characters are decoded: past them the line may be
        // cut short or not base64 at all, and the answer is the same.
        let cut = |t: &str, n: usize| {
            let (comment, key) = t.split_once('\n').unwrap();
            format!("{comment}\n{}\n", &key[..n])
        };
        let garbled = |t: &str| {
            let (comment, key) = t.split_once('\n').unwrap();
            format!("{comment}\n{}!{}", &key[..8], &key[9..])
        };
        for (text, encrypted) in [(&enc, true), (&plain, false)] {
            assert_eq!(secret_key_is_encrypted(text), Some(encrypted));
            assert_eq!(secret_key_is_encrypted(&cut(text, 8)), Some(encrypted));
            assert_eq!(secret_key_is_encrypted(&garbled(text)), Some(encrypted));
        }
        assert_eq!(secret_key_is_encrypted(&cut(&enc, 7)), None);
        assert_eq!(secret_key_is_encrypted(""), None);
        assert_eq!(secret_key_is_encrypted("untrusted comment: x\n"), None);
        assert_eq!(
            secret_key_is_encrypted("untrusted comment: x\nRWR!Y0Iy\n"),
            None
        );
        // a multi-byte character across the 8th byte: no panic
        assert_eq!(
            secret_key_is_encrypted("untrusted comment: x\nRWRTY0I\u{e9}Iy\n"),
            None
        );
    }

    #[test]
    fn pickparams_matches_libsodium() {
        assert_eq!(KdfLimits::MINISIGN.scrypt_params(), (20, 8, 1));
        assert_eq!(low().scrypt_params(), (10, 8, 1));
    }

    #[test]
    fn malformed_secret_keys_get_precise_errors() {
        let k = |t: &str, pw: Option<&[u8]>| {
            SecretKey::from_minisign(t, pw)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let edit = |at: usize, v: u8| {
            let mut raw = STANDARD.decode(KEY.lines().nth(1).unwrap()).unwrap();
            raw[at] = v;
            format!("untrusted comment: x\n{}\n", STANDARD.encode(&raw))
        };
        let m = k(&edit(5, b'3'), None);
        assert!(m.contains("checksum") && m.contains("\"B3\""), "{m}");
        let m = k(&edit(2, b'X'), None);
        assert!(m.contains("key derivation"), "{m}");
        // a changed key id fails the checksum: wrong key id inside the file
        let sk = SecretKey::generate().unwrap();
        let plain = sk.to_minisign(None).unwrap();
        let mut raw = STANDARD.decode(plain.lines().nth(1).unwrap()).unwrap();
        raw[SECRET_HEADER_LEN] ^= 1;
        let m = k(
            &format!("untrusted comment: x\n{}\n", STANDARD.encode(&raw)),
            None,
        );
        assert!(m.contains("fails its checksum"), "{m}");
        let m = k(&KEY[..120], None);
        assert!(m.contains("base64") || m.contains("bytes"), "{m}");
        let m = k("untrusted comment: x\n", None);
        assert!(m.contains("line 2: missing"), "{m}");
    }

    #[test]
    fn absurd_kdf_limits_are_refused_without_running() {
        let sk = SecretKey::generate().unwrap();
        let enc = sk.to_minisign(Some((b"pw", low()))).unwrap();
        let mut raw = STANDARD.decode(enc.lines().nth(1).unwrap()).unwrap();
        raw[46..54].copy_from_slice(&(1u64 << 50).to_le_bytes());
        raw[38..46].copy_from_slice(&(1u64 << 50).to_le_bytes());
        let text = format!("untrusted comment: x\n{}\n", STANDARD.encode(&raw));
        assert!(matches!(
            SecretKey::from_minisign(&text, Some(b"pw")),
            Err(MinisignError::KdfLimits { .. })
        ));
    }
}
