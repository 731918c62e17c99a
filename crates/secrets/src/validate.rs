//! Validators: structural checks that make a match certain.
use base64::{
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD},
    Engine,
};

use crate::rule::Validator;

impl Validator {
    pub fn accepts(self, secret: &[u8]) -> bool {
        match self {
            Validator::GithubChecksum => github_checksum_ok(secret),
            Validator::Jwt => jwt_ok(secret),
            Validator::Pem => pem_ok(secret),
            Validator::Base64Credentials => base64_credentials_ok(secret),
        }
    }

    /// Whether passing proves the secret's structure (a checksum, a decodable key body,
    /// a JWT's JSON header), so that a placeholder marker inside it is chance. Base64
    /// credentials only decode to `user:password`, which may well be `user:pass`.
    pub fn proves_structure(self) -> bool {
        match self {
            Validator::GithubChecksum | Validator::Jwt | Validator::Pem => true,
            Validator::Base64Credentials => false,
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 6-character checksum GitHub (and npm) append to a token body: CRC32 of the
/// body, base62 in the 0-9A-Za-z alphabet, zero-padded on the left.
pub fn github_checksum_of(body: &[u8]) -> String {
    let mut n = crc32fast::hash(body);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn github_checksum_ok(token: &[u8]) -> bool {
    // prefix is everything up to the last '_' (ghp_, npm_, github_pat_ would not apply).
    let start = token.iter().rposition(|&b| b == b'_').map_or(0, |i| i + 1);
    let rest = &token[start..];
    if rest.len() <= 6 || !rest.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (body, sum) = rest.split_at(rest.len() - 6);
    github_checksum_of(body).as_bytes() == sum
}

fn decode_b64url(segment: &[u8]) -> Option<Vec<u8>> {
    let trimmed: &[u8] = segment
        .strip_suffix(b"==")
        .or_else(|| segment.strip_suffix(b"="))
        .unwrap_or(segment);
    URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| STANDARD_NO_PAD.decode(trimmed))
        .ok()
}

fn json_object(bytes: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice(bytes) {
        Ok(serde_json::Value::Object(map)) => Some(map),
        _ => None,
    }
}

fn jwt_ok(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    let Some(header) = decode_b64url(header).and_then(|h| json_object(&h)) else {
        return false;
    };
    header.contains_key("alg")
        && decode_b64url(payload)
            .and_then(|p| json_object(&p))
            .is_some()
}

/// The base64 body of a PEM block, however it was embedded (YAML indentation,
/// JSON `\n` escapes, quotes and string concatenation).
pub(crate) fn pem_body(block: &[u8]) -> Vec<u8> {
    // A key pasted onto one line keeps spaces where its line breaks were.
    let text = String::from_utf8_lossy(block)
        .replace("\\n", "\n")
        .replace("\\r", "\n")
        .replace("----- ", "-----\n")
        .replace(" -----", "\n-----");
    let mut body = Vec::new();
    for line in text.lines() {
        let line = strip_code_quoting(line);
        // Armor lines and headers (`Proc-Type:`).
        if line.starts_with("-----") || line.contains(':') {
            continue;
        }
        for word in line.split_ascii_whitespace() {
            let word = word.bytes().filter(|b| *b != b'"' && *b != b'\'');
            let start = body.len();
            body.extend(word);
            // The OpenPGP armour checksum (`=AbCd`): on its own line, or among the
            // body's words in a key pasted onto one line. Base64 never starts with `=`.
            if body.len() - start == 5 && body[start] == b'=' {
                body.truncate(start);
            }
        }
    }
    body
}

/// Removes what source code wraps a base64 line in (`"MIIE…" +`, `+ "…"`, `"…",`)
/// while keeping a `+` that belongs to the base64 itself.
fn strip_code_quoting(line: &str) -> &str {
    let mut line = line.trim();
    for _ in 0..2 {
        line = line.trim_end_matches([',', ';', ')']).trim_end();
        if let Some(rest) = line
            .strip_suffix('+')
            .filter(|r| r.ends_with(['"', '\'', ' ']))
        {
            line = rest.trim_end();
        }
        if let Some(rest) = line
            .strip_prefix('+')
            .filter(|r| r.starts_with(['"', '\'', ' ']))
        {
            line = rest.trim_start();
        }
        line = line.trim_matches(|c| c == '"' || c == '\'').trim();
    }
    line
}

fn pem_ok(block: &[u8]) -> bool {
    let body = pem_body(block);
    let body: &[u8] = &body;
    let unpadded = body
        .strip_suffix(b"==")
        .or_else(|| body.strip_suffix(b"="))
        .unwrap_or(body);
    STANDARD_NO_PAD
        .decode(unpadded)
        .is_ok_and(|der| der.len() >= 32)
}

fn base64_credentials_ok(secret: &[u8]) -> bool {
    base64_credentials(secret).is_some()
}

/// The `(user, password)` a base64 credential decodes to, both non-empty and printable.
pub(crate) fn base64_credentials(secret: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let decoded = STANDARD
        .decode(secret)
        .or_else(|_| STANDARD_NO_PAD.decode(secret))
        .ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    let (user, pass) = (&decoded[..colon], &decoded[colon + 1..]);
    let printable = |s: &[u8]| !s.is_empty() && s.iter().all(|b| (0x21..0x7f).contains(b));
    (printable(user) && printable(pass)).then(|| (user.to_vec(), pass.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_token(prefix: &str, body: &str) -> String {
        format!("{prefix}{body}{}", github_checksum_of(body.as_bytes()))
    }

    #[test]
    fn github_checksum_round_trip() {
        let t = github_token("ghp_", "Zq3uT8wXo2Lk9VbN4mR7cYs1HdJfEa");
        assert_eq!(t.len(), 40);
        assert!(github_checksum_ok(t.as_bytes()));
        let mut bad = t.into_bytes();
        bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
        assert!(!github_checksum_ok(&bad));
        assert!(!github_checksum_ok(b"ghp_short"));
    }

    #[test]
    fn jwt_needs_alg_header() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"1234"}"#);
        assert!(jwt_ok(
            format!("{header}.{payload}.c2lnbmF0dXJl").as_bytes()
        ));
        let no_alg = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT"}"#);
        assert!(!jwt_ok(format!("{no_alg}.{payload}.sig").as_bytes()));
        assert!(!jwt_ok(b"eyJhbGciOi.not.base64"));
    }

    #[test]
    fn pem_body_survives_embedding() {
        // 0xfb bytes encode to base64 that begins and ends lines with `+`.
        let body = STANDARD.encode([0xfb, 0xef, 0xbe].repeat(16));
        assert!(body.starts_with('+') && body[..32].ends_with('+'));
        let plain = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n{}\n-----END PRIVATE KEY-----",
            &body[..32],
            &body[32..]
        );
        assert!(pem_ok(plain.as_bytes()));
        let json = plain.replace('\n', "\\n");
        assert!(pem_ok(json.as_bytes()));
        let code = format!(
            "\"-----BEGIN PRIVATE KEY-----\\n\" +\n  \"{}\" +\n  \"{}\\n-----END PRIVATE KEY-----\";",
            &body[..32],
            &body[32..]
        );
        assert!(pem_ok(code.as_bytes()), "{code}");
        let one_line = plain.replace('\n', " ");
        assert!(pem_ok(one_line.as_bytes()), "{one_line}");
        let pgp = plain.replace("-----END", "=Zx9q\n-----END");
        assert!(pem_ok(pgp.as_bytes()), "{pgp}");
        let pgp_one_line = pgp.replace('\n', " ");
        assert!(pem_ok(pgp_one_line.as_bytes()), "{pgp_one_line}");
        let pgp_tab = pgp_one_line.replace(" =Zx9q", "\t=Zx9q");
        assert!(pem_ok(pgp_tab.as_bytes()), "{pgp_tab}");
        assert!(!pem_ok(
            b"-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"
        ));
    }

    #[test]
    fn base64_credentials() {
        assert!(base64_credentials_ok(
            STANDARD.encode("deploy:s3cr3tPass").as_bytes()
        ));
        assert!(!base64_credentials_ok(
            STANDARD.encode("nocolon").as_bytes()
        ));
        assert!(!base64_credentials_ok(b"!!!"));
    }

    #[test]
    fn base64_credentials_of_placeholder_pairs_are_placeholders() {
        // The validator decodes; the placeholder-pair filter (filter.rs) drops these.
        let placeholder = |pair: &str| {
            // Not decoding to a printable pair at all (`{{ password }}`) fails the
            // validator itself.
            super::base64_credentials(STANDARD.encode(pair).as_bytes())
                .is_none_or(|(user, pass)| crate::filter::is_placeholder_pair(&user, &pass))
        };
        for pair in [
            "admin:admin",
            "user:password",
            "foo:bar",
            "test:test",
            "Deploy:deploy",
            "ci:${CI_PASSWORD}",
            "ci:$CI_PASSWORD",
            "ci:%CI_PASSWORD%",
            "ci:<password>",
            "ci:{{ password }}",
        ] {
            assert!(placeholder(pair), "{pair}");
        }
        assert!(!placeholder("admin:Qm4.vR8-xL2!"));
        assert!(!placeholder("ci:passw0rd-Zk8q"));
    }
}
