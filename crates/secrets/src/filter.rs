//! Filters that keep findings true: placeholders for every rule, and for generic
//! rules the many things that sit where a secret could but are not one.

/// True when the secret is a placeholder, an example or a template, not a credential.
pub(crate) fn is_placeholder(secret: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(secret).to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "example", "xxxx", "changeme", "change_me", "change-me", "placeholder", "your_",
        "your-", "yourkey", "yoursecret", "yourtoken", "redacted", "****", "<", ">", "${",
        "{{", "}}", "%(", "$(", "dummy", "replace_me", "replaceme", "insert_", "<insert",
        "1234567890", "0123456789", "abcdefghij", "abcdefabcdef", "...",
    ];
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    // One character making up half the secret: AKIA0000000000000000, ghp_aaaa…
    let mut counts = [0usize; 256];
    for &b in secret {
        counts[b as usize] += 1;
    }
    secret.len() >= 8 && counts.iter().any(|&c| c * 2 > secret.len())
}

/// Files that are full of hashes by design.
pub(crate) fn is_lockfile(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    matches!(
        name,
        "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "Cargo.lock"
            | "go.sum"
            | "poetry.lock"
            | "Pipfile.lock"
            | "composer.lock"
            | "Gemfile.lock"
            | "bun.lock"
            | "uv.lock"
            | "flake.lock"
            | "packages.lock.json"
            | "gradle.lockfile"
    ) || name.ends_with(".lock")
        || name.ends_with(".sum")
}

/// For generic rules: `context` is the matched text before the secret (the key name
/// and operator), `line` the line the value sits on.
pub(crate) fn generic_rejects(secret: &[u8], context: &[u8], line: &[u8]) -> bool {
    let s = String::from_utf8_lossy(secret);
    let lower = s.to_ascii_lowercase();
    let ctx = String::from_utf8_lossy(context).to_ascii_lowercase();
    let line_lower = String::from_utf8_lossy(line).to_ascii_lowercase();
    is_lookup(&s, &lower)
        || is_code_reference(&s)
        || is_hash(&s, &lower, &ctx, &line_lower)
        || is_public(&lower, &ctx)
        || is_trivial(&lower, &ctx)
}

/// Environment and variable lookups, template references.
fn is_lookup(s: &str, lower: &str) -> bool {
    const LOOKUPS: &[&str] = &[
        "os.environ", "os.getenv", "getenv(", "process.env", "env[", "env(", "env.", "secrets.",
        "vars.", "#{", "@{", "system.getproperty", "config[", "settings.", "vault:", "ref+",
        "keyvault", "ssm:", "arn:aws:secretsmanager",
    ];
    s.starts_with('$')
        || s.starts_with('%') && s.ends_with('%')
        || LOOKUPS.iter().any(|l| lower.contains(l))
}

/// Identifiers, member accesses and calls: `self.password`, `get_token()`, `cfg.api_key`.
fn is_code_reference(s: &str) -> bool {
    if s.contains(['(', ')', '[', ']', '{', '}']) {
        return true;
    }
    let ident = |p: &str| {
        !p.is_empty()
            && p.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    // dotted path of identifiers: a.b.c (not a version or host: those have digits-only parts)
    let parts: Vec<&str> = s.split("::").flat_map(|p| p.split('.')).collect();
    if parts.len() >= 2 && parts.iter().all(|p| ident(p)) && !s.contains("..") {
        return true;
    }
    // snake_case, kebab-case, SCREAMING_CASE or camelCase words without digits
    let words = s.split(['_', '-']).collect::<Vec<_>>();
    let wordy = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphabetic());
    if words.len() >= 2 && words.iter().all(|w| wordy(w)) {
        return true;
    }
    let b = s.as_bytes();
    if b.len() >= 6 && b.iter().all(u8::is_ascii_alphabetic) && b[0].is_ascii_lowercase() {
        let humps = b.windows(2).filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase()).count();
        let uppers = b.iter().filter(|c| c.is_ascii_uppercase()).count();
        if humps >= 1 && humps == uppers {
            return true;
        }
    }
    false
}

/// Password hashes, digests, SRI hashes and commit ids.
fn is_hash(s: &str, lower: &str, ctx: &str, line: &str) -> bool {
    const HASH_PREFIXES: &[&str] = &[
        "$2a$", "$2b$", "$2y$", "$2x$", "$argon2", "$1$", "$5$", "$6$", "$y$", "$scrypt$",
        "{ssha}", "{sha}", "{ssha256}", "{ssha512}", "{bcrypt}", "{noop}", "pbkdf2_", "pbkdf2:",
        "sha1$", "md5$", "scrypt:", "sha1:", "sha256:", "sha384:", "sha512:", "sha1-",
        "sha256-", "sha384-", "sha512-", "md5:", "blake2b", "blake3:",
    ];
    if HASH_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    let hexlen = s.len();
    let all_hex = s.bytes().all(|b| b.is_ascii_hexdigit());
    const HASH_WORDS: &[&str] = &[
        "hash", "digest", "checksum", "integrity", "sha", "md5", "commit", "etag", "revision",
        "rev", "fingerprint", "nonce", "salt", "uuid", "guid",
    ];
    let hashy_ctx = HASH_WORDS.iter().any(|w| ctx.contains(w) || line.contains(w));
    all_hex && matches!(hexlen, 32 | 40 | 56 | 64 | 96 | 128) && hashy_ctx || is_uuid(s)
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Public material next to a secret-sounding key: `public_key`, publishable keys.
fn is_public(lower: &str, ctx: &str) -> bool {
    ctx.contains("public")
        || ctx.contains("pubkey")
        || ctx.contains("publishable")
        || ctx.contains("pub_key")
        || ctx.contains("site_key")
        || ctx.contains("sitekey")
        || lower.starts_with("ssh-rsa ")
        || lower.starts_with("ssh-ed25519 ")
        || lower.starts_with("ecdsa-sha2-")
        || lower.starts_with("pk_live_")
        || lower.starts_with("pk_test_")
}

/// Values that are words, not secrets: `password = "password"`, `token: true`.
fn is_trivial(lower: &str, ctx: &str) -> bool {
    const TRIVIAL: &[&str] = &[
        "password", "passwd", "secret", "token", "true", "false", "null", "none", "nil",
        "undefined", "empty", "required", "optional", "string", "value", "default", "admin",
        "root", "user", "username", "test", "testing", "foo", "bar", "baz", "foobar", "qwerty",
        "letmein", "hunter2", "pass", "secret123", "password123", "password1", "p@ssw0rd",
        "notasecret", "not-a-secret", "n/a", "na", "tbd", "todo", "fixme", "unset", "blank",
        "hidden", "masked", "api_key", "apikey", "access_token", "client_secret",
    ];
    let bare = lower.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    TRIVIAL.contains(&lower)
        || TRIVIAL.contains(&bare)
        || (bare.len() >= 4 && ctx.contains(bare))
        || lower.len() < 6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "xxxxxxxxxxxxxxxxxxxx",
            "<your-api-key>",
            "${API_TOKEN}",
            "{{ .Values.token }}",
            "changeme",
            "ghp_000000000000000000000000000000000000",
            "sk_live_1234567890abcdef",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for real in ["ghp_Zq3uT8wXo2Lk9VbN4mR7cYs1HdJfEa0mLq17", "wJalrXUtnFEMIK7MDENGbPxRfiCYzq9Lk2Nw"] {
            assert!(!is_placeholder(real.as_bytes()), "{real}");
        }
    }

    #[test]
    fn generic_filters() {
        let rejects = |s: &str, ctx: &str| generic_rejects(s.as_bytes(), ctx.as_bytes(), b"");
        assert!(rejects("os.environ['DB_PASSWORD']", "password = "));
        assert!(rejects("$DB_PASSWORD", "password="));
        assert!(rejects("self.password", "password = "));
        assert!(rejects("get_secret_value", "secret = "));
        assert!(rejects("passwordField", "password = "));
        assert!(rejects("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "password: "));
        assert!(rejects("sha512-Zk3v2nQxY8pLmR4tW7uJ0aB5cD9eF1gH2iJ3kL4mN5oP6qR7sT8uV9wX0yZ1aB==", "integrity: "));
        assert!(rejects("password", "password = "));
        assert!(rejects("3f786850e387550fdab836ed7e6dc881de23001b", "commit_token = "));
        assert!(rejects("0f8fad5b-d9cb-469f-a165-70867728950e", "token = "));
        assert!(rejects("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "public_key = "));
        assert!(!rejects("Xk9#mP2$vL8qR4nT", "password = "));
        assert!(!rejects("a8Fk29xLq0PzR7mW3vNc", "api_key = "));
    }

    #[test]
    fn lockfiles() {
        assert!(is_lockfile("web/package-lock.json"));
        assert!(is_lockfile("Cargo.lock"));
        assert!(!is_lockfile("src/lock.rs"));
    }
}
