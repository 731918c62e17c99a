//! The bodies of vigil's fuzz targets, one function per parser family of untrusted
//! bytes. The cargo-fuzz targets in `fuzz/fuzz_targets/` call them; the stable test
//! `tests/replay.rs` runs every corpus file (`fuzz/corpus/<target>/`) and every input
//! that once crashed, hung or ran out of memory (`fuzz/regressions/<target>/`) through
//! them, so `cargo test` keeps each fixed crash fixed.
//!
//! Each function must not panic on any input; where it is cheap, it also checks an
//! invariant (a round trip, or that a split loses nothing) with `assert!`, which the
//! fuzzer reports as a crash. Inputs made of several parts (a keyring and a signature,
//! environment variables and an event payload) are split with [`parts`].
//!
//! [`TARGETS`] lists them all by the name of their fuzz target and corpus folder. Two
//! targets run several bodies over each input, so that ten targets cover every parser
//! in a fixed time: [`ssh`] (keys, certificates, signatures) and [`config`] (the files
//! a repository configures vigil with).
mod ci;
mod config;
mod detect;
mod git;
mod signature;

pub use ci::ci_event;
pub use config::{baseline, config, gitleaks, vigil_config};
pub use detect::{detector, PLANTED};
pub use git::git_signed;
pub use signature::{allowed_signers, dsse, minisign, openpgp, ssh, ssh_key, sshsig, sums};

/// A target's body: any bytes in, a panic out when it finds a bug.
pub type Target = fn(&[u8]);

/// Every fuzz target: its name (of the fuzz target, and of its folders under
/// `fuzz/corpus/` and `fuzz/regressions/`) and its body.
pub const TARGETS: &[(&str, Target)] = &[
    ("git_signed", git_signed),
    ("ssh", ssh),
    ("allowed_signers", allowed_signers),
    ("openpgp", openpgp),
    ("minisign", minisign),
    ("sums", sums),
    ("dsse", dsse),
    ("config", config),
    ("ci_event", ci_event),
    ("detector", detector),
];

/// The separator between the parts of a several-part input: a line holding `-8<-`.
pub const SEPARATOR: &[u8] = b"\n-8<-\n";

/// Splits `data` at each [`SEPARATOR`] into at most `n` parts (the last takes the rest);
/// missing parts are empty.
pub fn parts(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(n);
    let mut rest = data;
    while out.len() + 1 < n {
        match find(rest, SEPARATOR) {
            Some(i) => {
                out.push(&rest[..i]);
                rest = &rest[i + SEPARATOR.len()..];
            }
            None => break,
        }
    }
    out.push(rest);
    out.resize(n, &[]);
    out
}

/// The first position of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The bytes as text, as the callers that read files as UTF-8 see them.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_split_at_each_separator_and_pad() {
        assert_eq!(
            parts(b"a\n-8<-\nb\n-8<-\nc", 2),
            vec![&b"a"[..], b"b\n-8<-\nc"]
        );
        assert_eq!(parts(b"a", 3), vec![&b"a"[..], b"", b""]);
        assert_eq!(parts(b"", 1), vec![&b""[..]]);
    }
}
