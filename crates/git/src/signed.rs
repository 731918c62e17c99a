//! Signed commits and tags split into (payload, signature) exactly as git splits them,
//! plus what a verifier needs besides: who claims to have made the object, and when.
//!
//! - **Commits** (git's `parse_buffer_signed_by_header`, commit.c): the payload is the
//!   raw object with the `gpgsig` header (`gpgsig-sha256` in a SHA-256 repository) and its
//!   continuation lines removed; every other header whose name starts with `gpgsig` is
//!   dropped from the payload too. `mergetag` headers stay. Several signature headers
//!   are concatenated into one signature, as git does; vigil refuses that later.
//! - **Tags** (git's `parse_signed_buffer`, gpg-interface.c): the signature is everything
//!   from the last line that begins with a known `-----BEGIN ... -----` marker; any
//!   earlier marker line is part of the message (a tag may quote an armored block), so
//!   it is signed with the rest of the payload. Any `gpgsig`/`gpgsig-sha256` header is
//!   removed from the payload (git's `remove_signature`).
//!
//! The functions here never fail: whatever the bytes, they say what they found, and the
//! verifier decides what is malformed.

/// The line openings git recognises as the start of a signature (`get_format_by_sig`).
pub const SIGNATURE_MARKERS: [(&str, SignatureFormat); 4] = [
    ("-----BEGIN PGP SIGNATURE-----", SignatureFormat::OpenPgp),
    ("-----BEGIN PGP MESSAGE-----", SignatureFormat::OpenPgp),
    ("-----BEGIN SIGNED MESSAGE-----", SignatureFormat::X509),
    ("-----BEGIN SSH SIGNATURE-----", SignatureFormat::Ssh),
];

/// The kind of signature git would hand to which program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFormat {
    OpenPgp,
    X509,
    Ssh,
}

impl SignatureFormat {
    /// The format of a signature that begins with one of git's markers.
    pub fn of(signature: &[u8]) -> Option<SignatureFormat> {
        SIGNATURE_MARKERS
            .iter()
            .find(|(m, _)| signature.starts_with(m.as_bytes()))
            .map(|(_, f)| *f)
    }
}

/// Commit or annotated tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Commit,
    Tag,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Commit => "commit",
            ObjectKind::Tag => "tag",
        }
    }
}

/// A person line (`committer`, `tagger`): `Name <email> seconds tz`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch, as written (chosen by whoever made the object).
    pub time: Option<i64>,
}

impl Person {
    /// Parses the value of a person header; lenient: missing parts stay empty.
    pub fn parse(value: &[u8]) -> Person {
        let text = String::from_utf8_lossy(value);
        let (Some(lt), Some(gt)) = (text.find('<'), text.rfind('>')) else {
            return Person {
                name: text.trim().to_owned(),
                ..Person::default()
            };
        };
        if gt < lt {
            return Person {
                name: text.trim().to_owned(),
                ..Person::default()
            };
        }
        let time = text[gt + 1..]
            .split_whitespace()
            .next()
            .and_then(|t| t.parse::<i64>().ok());
        Person {
            name: text[..lt].trim().to_owned(),
            email: text[lt + 1..gt].trim().to_owned(),
            time,
        }
    }
}

/// A commit or tag, split for verification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    /// The bytes the signature must cover.
    pub payload: Vec<u8>,
    /// The signature as git would pass it to the verifying program (for commits: the
    /// header values with the continuation spaces removed, concatenated). `None`: unsigned.
    pub signature: Option<Vec<u8>>,
    /// How many signature headers were found (commits); for tags 1 when signed (only
    /// the last armored block is the signature, as git reads it).
    pub signature_count: usize,
    /// Names of other `gpgsig*` headers git dropped from the payload (e.g.
    /// `gpgsig-sha256` in a SHA-1 repository): vigil does not accept them.
    pub other_signature_headers: Vec<String>,
    /// `committer` (commits) or `tagger` (tags).
    pub signer: Person,
    /// `author` (commits).
    pub author: Option<Person>,
    /// Parent ids (commits).
    pub parents: Vec<String>,
    /// The `object` header (tags): what the tag points to.
    pub target: Option<String>,
    /// The `tag` header (tags): the tag's name.
    pub tag_name: Option<String>,
}

/// Iterates the lines of `buf`, each with its `\n` (the last may lack one).
fn lines(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = buf;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// The header name of a header line (up to the first space), if it is one.
fn header_name(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .position(|&b| b == b' ' || b == b'\n')
        .unwrap_or(line.len());
    &line[..end]
}

fn strip_nl(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\n").unwrap_or(line)
}

/// Reads the ordinary headers both splits need (`parent`, `committer`, `author`,
/// `object`, `tag`, `tagger`), up to the first blank line.
fn read_headers(raw: &[u8], split: &mut Split) {
    for line in lines(raw) {
        if line == b"\n" {
            break;
        }
        let line = strip_nl(line);
        let Some(sp) = line.iter().position(|&b| b == b' ') else {
            continue;
        };
        let (name, value) = (&line[..sp], &line[sp + 1..]);
        match name {
            b"parent" => split
                .parents
                .push(String::from_utf8_lossy(value).into_owned()),
            b"committer" | b"tagger" => split.signer = Person::parse(value),
            b"author" => split.author = Some(Person::parse(value)),
            b"object" => split.target = Some(String::from_utf8_lossy(value).into_owned()),
            b"tag" => split.tag_name = Some(String::from_utf8_lossy(value).into_owned()),
            _ => {}
        }
    }
}

/// Splits a raw commit as git does. `sha256`: the repository's hash is SHA-256, so the
/// signature header is `gpgsig-sha256` and `gpgsig` is "another" signature.
pub fn split_commit(raw: &[u8], sha256: bool) -> Split {
    let sig_header: &[u8] = if sha256 { b"gpgsig-sha256" } else { b"gpgsig" };
    let mut split = Split::default();
    read_headers(raw, &mut split);
    let mut signature = Vec::new();
    let mut payload = Vec::with_capacity(raw.len());
    let (mut in_signature, mut other_signature) = (false, false);
    let mut offset = 0;
    for line in lines(raw) {
        offset += line.len();
        let sig: Option<&[u8]> = if in_signature && line.first() == Some(&b' ') {
            Some(&line[1..])
        } else if line.starts_with(sig_header) && line.get(sig_header.len()) == Some(&b' ') {
            other_signature = false;
            split.signature_count += 1;
            Some(&line[sig_header.len() + 1..])
        } else if line.starts_with(b"gpgsig") {
            other_signature = true;
            split
                .other_signature_headers
                .push(String::from_utf8_lossy(header_name(line)).into_owned());
            None
        } else {
            if other_signature && line.first() != Some(&b' ') {
                other_signature = false;
            }
            None
        };
        if let Some(sig) = sig {
            signature.extend_from_slice(sig);
            in_signature = true;
        } else {
            if line == b"\n" {
                // The message: the whole rest of the buffer, as it is.
                payload.extend_from_slice(&raw[offset - line.len()..]);
                break;
            }
            if !other_signature {
                payload.extend_from_slice(line);
            }
            in_signature = false;
        }
    }
    split.payload = payload;
    if split.signature_count > 0 {
        split.signature = Some(signature);
    }
    split
}

/// Splits a raw annotated tag as git does.
pub fn split_tag(raw: &[u8]) -> Split {
    let mut split = Split::default();
    read_headers(raw, &mut split);
    let mut start = raw.len();
    let mut offset = 0;
    for line in lines(raw) {
        if SignatureFormat::of(line).is_some() {
            start = offset;
            split.signature_count = 1;
        }
        offset += line.len();
    }
    let (payload, signature) = raw.split_at(start);
    split.payload = remove_header_signatures(payload, &mut split.other_signature_headers);
    if start < raw.len() {
        split.signature = Some(signature.to_vec());
    }
    split
}

/// git's `remove_signature`: drops `gpgsig` and `gpgsig-sha256` headers (and their
/// continuation lines) from a tag's payload, naming each in `found`.
fn remove_header_signatures(payload: &[u8], found: &mut Vec<String>) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len());
    let mut in_signature = false;
    let mut offset = 0;
    for line in lines(payload) {
        offset += line.len();
        if in_signature && line.first() == Some(&b' ') {
            continue;
        }
        let name = header_name(line);
        if line.starts_with(b"gpgsig")
            && (name == b"gpgsig" || name == b"gpgsig-sha256")
            && line.get(name.len()) == Some(&b' ')
        {
            found.push(String::from_utf8_lossy(name).into_owned());
            in_signature = true;
            continue;
        }
        in_signature = false;
        if line == b"\n" {
            out.extend_from_slice(&payload[offset - line.len()..]);
            break;
        }
        out.extend_from_slice(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: &[u8] = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
parent 1111111111111111111111111111111111111111\n\
author A <a@x> 1700000000 +0000\n\
committer C D <c@x> 1700000001 +0100\n\
gpgsig -----BEGIN SSH SIGNATURE-----\n \
U1NIU0lH\n \n \
-----END SSH SIGNATURE-----\n\
mergetag object 2222222222222222222222222222222222222222\n \
type commit\n\
\n\
message\ngpgsig not a header\n";

    #[test]
    fn commit_split_as_git() {
        let s = split_commit(SIGNED, false);
        assert_eq!(
            s.signature.as_deref(),
            Some(&b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n\n-----END SSH SIGNATURE-----\n"[..])
        );
        let payload = String::from_utf8(s.payload).unwrap();
        assert!(!payload.contains("SSH SIGNATURE"));
        assert!(payload.contains("mergetag object 2222"), "{payload}");
        assert!(payload.ends_with("\n\nmessage\ngpgsig not a header\n"));
        assert_eq!(s.signature_count, 1);
        assert_eq!(s.signer.email, "c@x");
        assert_eq!(s.signer.name, "C D");
        assert_eq!(s.signer.time, Some(1_700_000_001));
        assert_eq!(s.parents.len(), 1);
        assert!(s.other_signature_headers.is_empty());
    }

    #[test]
    fn commit_other_signature_headers_are_dropped_and_named() {
        let raw = b"tree t\ngpgsig-sha256 -----BEGIN PGP SIGNATURE-----\n x\n -----END PGP SIGNATURE-----\ncommitter c <c@x> 5 +0000\n\nm\n";
        let s = split_commit(raw, false);
        assert_eq!(s.signature, None);
        assert_eq!(s.other_signature_headers, vec!["gpgsig-sha256".to_owned()]);
        assert_eq!(s.payload, b"tree t\ncommitter c <c@x> 5 +0000\n\nm\n");
        // In a SHA-256 repository it is the signature.
        let s = split_commit(raw, true);
        assert!(s.signature.is_some());
        assert_eq!(s.payload, b"tree t\ncommitter c <c@x> 5 +0000\n\nm\n");
    }

    #[test]
    fn two_signature_headers_are_concatenated_and_counted() {
        let raw = b"tree t\ngpgsig A\n B\ngpgsig C\n\nm";
        let s = split_commit(raw, false);
        assert_eq!(s.signature.as_deref(), Some(&b"A\nB\nC\n"[..]));
        assert_eq!(s.signature_count, 2);
        assert_eq!(s.payload, b"tree t\n\nm");
    }

    #[test]
    fn unsigned_and_garbage_never_panic() {
        let s = split_commit(b"tree t\n\nmsg", false);
        assert_eq!(s.signature, None);
        assert_eq!(s.payload, b"tree t\n\nmsg");
        for raw in [
            &b""[..],
            b"\n",
            b"gpgsig",
            b"gpgsig ",
            b" \n \n",
            b"\xff\xfe gpgsig x",
        ] {
            let _ = split_commit(raw, false);
            let _ = split_tag(raw);
        }
        assert_eq!(
            Person::parse(b"no email"),
            Person {
                name: "no email".into(),
                ..Person::default()
            }
        );
        assert_eq!(Person::parse(b"x > y <").email, "");
    }

    #[test]
    fn tag_split_at_last_marker() {
        let raw = b"object 1111111111111111111111111111111111111111\ntype commit\ntag v1\ntagger T <t@x> 9 +0000\n\nrelease\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n";
        let s = split_tag(raw);
        assert_eq!(s.tag_name.as_deref(), Some("v1"));
        assert_eq!(s.signer.email, "t@x");
        assert!(s.payload.ends_with(b"\n\nrelease\n"));
        assert!(s
            .signature
            .as_deref()
            .unwrap()
            .starts_with(b"-----BEGIN PGP SIGNATURE-----"));
        assert_eq!(s.signature_count, 1);
        let s = split_tag(b"object x\ntag v\n\nno signature\n");
        assert_eq!(s.signature, None);
        // Two blocks: the last one is the signature, the first is signed with the
        // message (git's reading).
        let ssh = b"-----BEGIN SSH SIGNATURE-----\nx\n-----END SSH SIGNATURE-----\n";
        let s = split_tag(&[&raw[..], ssh].concat());
        assert_eq!(s.signature_count, 1);
        assert_eq!(s.signature.as_deref(), Some(&ssh[..]));
        assert_eq!(s.payload, raw);
        assert_eq!(
            SignatureFormat::of(b"-----BEGIN SIGNED MESSAGE-----"),
            Some(SignatureFormat::X509)
        );
    }

    #[test]
    fn tag_header_signatures_are_removed_and_named() {
        let raw = b"object x\ntype commit\ntag v\ntagger T <t@x> 9 +0000\ngpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n y\n -----END SSH SIGNATURE-----\n\nmsg\n";
        let s = split_tag(raw);
        assert_eq!(s.other_signature_headers, vec!["gpgsig-sha256".to_owned()]);
        assert_eq!(
            s.payload,
            b"object x\ntype commit\ntag v\ntagger T <t@x> 9 +0000\n\nmsg\n"
        );
    }
}
