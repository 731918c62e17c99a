//! The verdict on a signed commit or tag, and counts over many.
use serde::Serialize;

/// What vigil concluded about one commit or tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Signed by a trusted key valid at the verification time, for the signer's address.
    Good,
    /// The signature does not verify over the object (changed, replayed, malleated).
    BadSignature,
    /// Signed, but by a key the policy does not trust (for this).
    UntrustedKey,
    /// The key was not valid at the verification time.
    ExpiredKey,
    RevokedKey,
    /// An SSH signature made for another purpose than git (`-n file`, ...).
    WrongNamespace,
    /// A trusted key whose principals do not include the committer's (tagger's) address.
    SignerMismatch,
    /// A tag published under another name than the one it was signed with (its `tag`
    /// header differs from its reference under `refs/tags/`): a signed `v1.0` republished
    /// as `v2.0` is a rollback.
    WrongName,
    Unsigned,
    /// The signature (or the object) cannot be read, or breaks a strictness rule.
    Malformed,
}

impl Verdict {
    pub const ALL: [Verdict; 10] = [
        Verdict::Good,
        Verdict::BadSignature,
        Verdict::UntrustedKey,
        Verdict::ExpiredKey,
        Verdict::RevokedKey,
        Verdict::WrongNamespace,
        Verdict::SignerMismatch,
        Verdict::WrongName,
        Verdict::Unsigned,
        Verdict::Malformed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Good => "good",
            Verdict::BadSignature => "bad-signature",
            Verdict::UntrustedKey => "untrusted-key",
            Verdict::ExpiredKey => "expired-key",
            Verdict::RevokedKey => "revoked-key",
            Verdict::WrongNamespace => "wrong-namespace",
            Verdict::SignerMismatch => "signer-mismatch",
            Verdict::WrongName => "wrong-name",
            Verdict::Unsigned => "unsigned",
            Verdict::Malformed => "malformed",
        }
    }

    pub fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == name)
    }

    /// Whether the object passes the policy.
    pub fn passes(self) -> bool {
        self == Verdict::Good
    }
}

/// How the key's validity time was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeBasis {
    /// The time of verification.
    Now,
    /// The committer (tagger) date, which whoever signed chose: a claim, not a fact.
    Claimed,
}

/// The verdict on one object, with what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectVerdict {
    /// `commit` or `tag`.
    pub kind: &'static str,
    pub id: String,
    /// For tags, the reference naming it.
    pub ref_name: Option<String>,
    pub verdict: Verdict,
    /// `ssh`, `openpgp` or `x509`, when there is a signature.
    pub format: Option<&'static str>,
    /// The principal the signature speaks for (the allowed_signers principal or the
    /// OpenPGP user ID), when known.
    pub signer: Option<String>,
    /// The signing key's fingerprint (`SHA256:...` for SSH, hex for OpenPGP).
    pub fingerprint: Option<String>,
    /// The committer's (tagger's) address, which the signer must match.
    pub email: String,
    /// Why, in one sentence.
    pub reason: String,
    /// The time key validity was judged at (Unix seconds) and how it was chosen.
    pub time: i64,
    pub time_basis: TimeBasis,
    /// The commit changes the trust policy, so it was judged by its parent's policy.
    pub policy_change: bool,
}

/// Counts per verdict, and the errors that kept objects from being read.
#[derive(Debug, Clone, Default)]
pub struct VerifySummary {
    pub objects: usize,
    pub failed: usize,
    pub elapsed_secs: f64,
    pub errors: Vec<String>,
}

impl VerifySummary {
    pub fn of(verdicts: &[ObjectVerdict], elapsed_secs: f64, errors: Vec<String>) -> VerifySummary {
        VerifySummary {
            objects: verdicts.len(),
            failed: verdicts.iter().filter(|v| !v.verdict.passes()).count(),
            elapsed_secs,
            errors,
        }
    }
}
