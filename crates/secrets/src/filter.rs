//! Filters that keep findings true: placeholders for every rule, and for generic
//! rules the many things that sit where a secret could but are not one.

/// True when the secret is a placeholder, an example or a template, not a credential.
pub(crate) fn is_placeholder(secret: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(secret).to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "example",
        "xxxx",
        "changeme",
        "change_me",
        "change-me",
        "placeholder",
        "your_",
        "your-",
        "yourkey",
        "yoursecret",
        "yourtoken",
        "redacted",
        "****",
        "<",
        ">",
        "${",
        "{{",
        "}}",
        "%(",
        "$(",
        "dummy",
        "replace_me",
        "replaceme",
        "insert_",
        "<insert",
        "1234567890",
        "0123456789",
        "abcdefghij",
        "abcdefabcdef",
        "...",
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
        || is_code_reference(trim_punct(&s))
        || is_hash(&s, &lower, &ctx, &line_lower)
        || is_public(&lower, &ctx)
        || is_trivial(&lower, &ctx)
        || is_not_a_credential(&s, &lower)
        || is_non_secret_context(&ctx)
        || is_badge_line(&line_lower)
        || inside_template(&String::from_utf8_lossy(line), &s)
}

/// A value inside a template expression (`{{ lookup('vault', 'secret=a/b') }}`) is
/// an argument of the template, not a credential.
fn inside_template(line: &str, secret: &str) -> bool {
    let Some(at) = line.find(secret) else {
        return false;
    };
    let (before, after) = line.split_at(at);
    let opened = before
        .rfind("{{")
        .is_some_and(|o| before.rfind("}}").is_none_or(|c| c < o));
    opened && after.contains("}}")
}

/// README badges carry read-only graph tokens (`badge.svg?token=...`), not credentials.
fn is_badge_line(line: &str) -> bool {
    ["badge.svg", "/badge/", "/badges/", "shields.io"]
        .iter()
        .any(|w| line.contains(w))
}

/// `s` without leading and trailing ASCII punctuation (`*alias`, `"value";`, `!tag`).
fn trim_punct(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_punctuation())
}

/// Values that have the wrong shape for a credential: paths, URLs without
/// credentials, numbers and dates, single words, YAML tags, template markers, and
/// bytes that are not text (a mis-decoded `%DB_PASSWORD%`).
fn is_not_a_credential(s: &str, lower: &str) -> bool {
    s.contains('\u{FFFD}')
        || !s.bytes().any(|b| b.is_ascii_alphabetic())
        || lower.contains("://")
        || lower.starts_with("arn:")
        || is_path(s)
        || is_host_name(s)
        || is_word(trim_punct(s))
        || is_template_marker(s)
        || (s.starts_with('!')
            && s[1..]
                .trim_start_matches('!')
                .bytes()
                .all(|b| b.is_ascii_alphabetic()))
}

/// `/etc/ssl/private/key.pem`, `./secrets/token.txt`, `~/.ssh/id_ed25519`, `C:\keys\a.pfx`.
fn is_path(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
    {
        return true;
    }
    let pathy = b
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'.' | b'_' | b'-' | b'~'));
    if !pathy || !s.contains('/') {
        return false;
    }
    let has_ext = s.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && !stem.ends_with('/')
            && (1..=5).contains(&ext.len())
            && ext.bytes().all(|c| c.is_ascii_alphanumeric())
    });
    let rooted = ["/", "./", "../", "~/"].iter().any(|p| s.starts_with(p));
    has_ext || (rooted && s.matches('/').count() >= 2)
}

/// `db.internal`, `repo.packagist.com`, `smtp-relay.corp.net:587`, `localhost:22`: a host
/// (and port), not a secret.
/// Dotted values with digits in the last part (`8oar9w.tn700qk24ojgmkz4`) are kept.
fn is_host_name(s: &str) -> bool {
    let host = match s.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => s,
    };
    if host == "localhost" && host.len() < s.len() {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    let label = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let tld = parts
        .last()
        .is_some_and(|t| (2..=12).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_lowercase()));
    let wordy = parts
        .iter()
        .filter(|p| !p.bytes().any(|b| b.is_ascii_digit()))
        .count();
    parts.len() >= 2 && parts.iter().all(label) && tld && wordy * 2 >= parts.len()
}

/// A dictionary-like word rather than a secret: `production`, `Bearer`, `ENABLED`,
/// `SecretStr`, `MySecretPassword`, or a word in a non-Latin script.
fn is_word(core: &str) -> bool {
    let b = core.as_bytes();
    if b.is_empty() || !b.iter().all(|c| c.is_ascii_alphabetic() || *c >= 0x80) {
        return false;
    }
    if !b.iter().any(u8::is_ascii_alphabetic) {
        return true;
    }
    if !b.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let uppers = b.iter().filter(|c| c.is_ascii_uppercase()).count();
    let single_case =
        uppers == 0 || uppers == b.len() || (uppers == 1 && b[0].is_ascii_uppercase());
    if single_case {
        return b.len() <= 16 || uppers == b.len();
    }
    // PascalCase / camelCase made of word-length humps (type and variable names), not
    // random mixed case like `XkPmQvLr`.
    let humps = uppers + usize::from(b[0].is_ascii_lowercase());
    b.windows(2)
        .all(|w| !(w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase()))
        && b.len() * 10 >= 35 * humps
}

/// `__DB_PASSWORD__`, `@db.password@`, `#{token}#`, `$TOKEN$`: a marker a build step replaces.
fn is_template_marker(s: &str) -> bool {
    let b = s.as_bytes();
    let inner_ok = |inner: &[u8]| {
        !inner.is_empty()
            && inner
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
    };
    for marker in ["__", "@@", "@", "##", "#", "%", "$"] {
        let m = marker.as_bytes();
        if b.len() > 2 * m.len()
            && b.starts_with(m)
            && b.ends_with(m)
            && inner_ok(&b[m.len()..b.len() - m.len()])
        {
            return true;
        }
    }
    false
}

/// Names that hold values which are not credentials even though they say `token` or
/// `key`: CSRF tokens, pagination cursors, dummies and mocks, stored hashes.
fn is_non_secret_context(ctx: &str) -> bool {
    const WORDS: &[&str] = &[
        "csrf",
        "xsrf",
        "page_token",
        "pagetoken",
        "page-token",
        "next_token",
        "nexttoken",
        "next-token",
        "continuation",
        "cursor",
        "sync_token",
        "synctoken",
        "dummy",
        "fake",
        "mock",
        "hashed",
        "encrypted",
        "placeholder",
        "forwardtoken",
        "backwardtoken",
        "starting-token",
        "starting_token",
        "startingtoken",
        "idempoten",
        "clienttoken",
        "client_token",
        "client-token",
        "changetoken",
        "change-token",
        "change_token",
        "updatetoken",
        "update_token",
        "verificationtoken",
        "verification_token",
    ];
    WORDS.iter().any(|w| ctx.contains(w))
}

/// Environment and variable lookups, template references.
fn is_lookup(s: &str, lower: &str) -> bool {
    const LOOKUPS: &[&str] = &[
        "os.environ",
        "os.getenv",
        "getenv(",
        "process.env",
        "env[",
        "env(",
        "env.",
        "secrets.",
        "vars.",
        "#{",
        "@{",
        "system.getproperty",
        "config[",
        "settings.",
        "vault:",
        "ref+",
        "keyvault",
        "ssm:",
        "arn:aws:secretsmanager",
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
            && p.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    // dotted path of identifiers: a.b.c (not a version or host: those have digits-only
    // parts). Each part must read like a name (`self`, `db_password`, `DB_PASSWORD`,
    // `getToken`, `DSAPrivateKey`): one case, or a lower-case run of three letters, so a
    // password such as `sp.EfzNB7vXeSS` is not taken for code.
    let named = |p: &str| {
        let b = p.as_bytes();
        let one_case =
            !b.iter().any(u8::is_ascii_uppercase) || !b.iter().any(u8::is_ascii_lowercase);
        let has_word = b.windows(3).any(|w| w.iter().all(u8::is_ascii_lowercase));
        ident(p) && p.len() <= 48 && (one_case || has_word || is_word(p))
    };
    let parts: Vec<&str> = s.split("::").flat_map(|p| p.split('.')).collect();
    if parts.len() >= 2 && parts.iter().all(|p| named(p)) && !s.contains("..") {
        return true;
    }
    // snake_case, kebab-case, SCREAMING_CASE or camelCase words without digits
    let words = s.split(['_', '-', '$', '*']).collect::<Vec<_>>();
    let wordy = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphabetic());
    if words.len() >= 2 && words.iter().all(|w| wordy(w)) {
        return true;
    }
    if s.contains("::") || is_constant_name(s) || is_type_name(s) {
        return true;
    }
    let b = s.as_bytes();
    if b.len() >= 6 && b.iter().all(u8::is_ascii_alphabetic) && b[0].is_ascii_lowercase() {
        let humps = b
            .windows(2)
            .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
            .count();
        let uppers = b.iter().filter(|c| c.is_ascii_uppercase()).count();
        if humps >= 1 && humps == uppers {
            return true;
        }
    }
    false
}

/// `WIN32_ERROR`, `_bindgen_ty_5`, `MSV1_0_PROTOCOL_MESSAGE_TYPE`, `max_retries_2`: a
/// one-case identifier with underscores whose parts are words or short. A lower-case
/// token such as `dop_v1_64076d2e...` has a long part with digits and is kept.
fn is_constant_name(s: &str) -> bool {
    let b = s.as_bytes();
    let one_case = !b.iter().any(u8::is_ascii_uppercase) || !b.iter().any(u8::is_ascii_lowercase);
    // a word with at most three digits after it: `CREDENTIAL0`, `SHA256`, `AWS4`
    let word = |p: &str| {
        let w = p.trim_end_matches(|c: char| c.is_ascii_digit());
        !w.is_empty() && p.len() - w.len() <= 3 && w.bytes().all(|c| c.is_ascii_alphabetic())
    };
    s.contains(['_', '-'])
        && one_case
        && b.first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
        && s.split('_')
            .all(|p| p.split('-').all(word) || (!p.contains('-') && (p.is_empty() || p.len() <= 8)))
}

/// `BCryptDestroySecretFn`, `X509HardwareKeyUsageFlags`, `MI_UserCredentials_0`: most of
/// the value is capitalised words, at least one of five letters or more, the way type
/// names are built. Random mixed case (`Xk9mP2vL8qR4nT7w`, `Ngs1VE_AinvEuj`) has only
/// short lower-case runs.
fn is_type_name(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 6 || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return false;
    }
    let (mut covered, mut words, mut longest, mut i) = (0, 0, 0, 0);
    while i < b.len() {
        if b[i].is_ascii_uppercase() {
            let run = b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase())
                .count();
            if run >= 2 {
                covered += run + 1;
                words += 1;
                longest = longest.max(run);
            }
            i += run + 1;
        } else {
            i += 1;
        }
    }
    let letters = b.iter().filter(|c| c.is_ascii_alphanumeric()).count();
    words >= 2 && longest >= 4 && covered * 10 >= letters * 8
}

/// Password hashes, digests, SRI hashes and commit ids.
fn is_hash(s: &str, lower: &str, ctx: &str, line: &str) -> bool {
    const HASH_PREFIXES: &[&str] = &[
        "$2a$",
        "$2b$",
        "$2y$",
        "$2x$",
        "$argon2",
        "$1$",
        "$5$",
        "$6$",
        "$y$",
        "$scrypt$",
        "{ssha}",
        "{sha}",
        "{ssha256}",
        "{ssha512}",
        "{bcrypt}",
        "{noop}",
        "pbkdf2_",
        "pbkdf2:",
        "sha1$",
        "md5$",
        "scrypt:",
        "sha1:",
        "sha256:",
        "sha384:",
        "sha512:",
        "sha1-",
        "sha256-",
        "sha384-",
        "sha512-",
        "md5:",
        "blake2b",
        "blake3:",
        "scram-sha-256$",
        "scram-sha-1$",
        "{pbkdf2",
        "$pbkdf2",
        "{crypt}",
        "{md5}",
        "{smd5}",
        "{sha256}",
        "{sha512}",
        "{ssha384}",
        "{argon2",
        "bcrypt$",
        "bcrypt_sha256$",
        "argon2$",
        "$sha1$",
    ];
    if HASH_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    let hexlen = s.len();
    let all_hex = s.bytes().all(|b| b.is_ascii_hexdigit());
    const HASH_WORDS: &[&str] = &[
        "hash",
        "digest",
        "checksum",
        "integrity",
        "sha",
        "md5",
        "commit",
        "etag",
        "revision",
        "rev",
        "fingerprint",
        "nonce",
        "salt",
        "uuid",
        "guid",
    ];
    let hashy_ctx = HASH_WORDS
        .iter()
        .any(|w| ctx.contains(w) || line.contains(w));
    // PostgreSQL `md5` + 32 hex digits, MySQL 4.1+ `*` + 40 hex digits.
    let stored = |prefix: &str, n: usize| {
        s.len() == prefix.len() + n
            && lower.starts_with(prefix)
            && s[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit())
    };
    all_hex && matches!(hexlen, 32 | 40 | 56 | 64 | 96 | 128) && hashy_ctx
        || is_uuid(s)
        || stored("md5", 32)
        || stored("*", 40)
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
        // the base64 blob of an SSH public key (`ssh-rsa`, `ssh-ed25519`, `ecdsa-sha2-*`, `ssh-dss`)
        || ["aaaab3nzac1", "aaaac3nzac1", "aaaae2vjzhnh", "aaaab3nzac1kc3m"].iter().any(|p| lower.starts_with(p))
}

/// Values that are words, not secrets: `password = "password"`, `token: true`.
fn is_trivial(lower: &str, ctx: &str) -> bool {
    const TRIVIAL: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "true",
        "false",
        "null",
        "none",
        "nil",
        "undefined",
        "empty",
        "required",
        "optional",
        "string",
        "value",
        "default",
        "admin",
        "root",
        "user",
        "username",
        "test",
        "testing",
        "foo",
        "bar",
        "baz",
        "foobar",
        "qwerty",
        "letmein",
        "hunter2",
        "pass",
        "secret123",
        "password123",
        "password1",
        "p@ssw0rd",
        "notasecret",
        "not-a-secret",
        "n/a",
        "na",
        "tbd",
        "todo",
        "fixme",
        "unset",
        "blank",
        "hidden",
        "masked",
        "api_key",
        "apikey",
        "access_token",
        "client_secret",
        "changeit",
        "user:pass",
        "user:password",
        "username:password",
        "admin:admin",
        "foobared",
    ];
    let bare = lower.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    TRIVIAL.contains(&lower)
        || TRIVIAL.contains(&bare)
        || (bare.len() >= 4 && ctx.contains(bare))
        || lower.len() < 6
        || is_stock_password(lower)
}

/// `a1b2c3d4`, `abcd1234efgh5678`, `qwer1234`: letters and digits that mostly count up.
fn is_sequential(lower: &str) -> bool {
    let steps = |seq: Vec<u8>| -> (usize, usize) {
        let up = seq
            .windows(2)
            .filter(|w| w[1] == w[0] + 1 || w[1] == w[0])
            .count();
        (up, seq.len().saturating_sub(1))
    };
    let (lu, ln) = steps(lower.bytes().filter(u8::is_ascii_lowercase).collect());
    let (du, dn) = steps(lower.bytes().filter(u8::is_ascii_digit).collect());
    let (up, n) = (lu + du, ln + dn);
    n >= 5 && up * 4 >= n * 3
}

/// `P@ssw0rd!`, `Secret123`, `admin@123`, `Welcome1`, `s3cr3t`: a stock word with
/// leetspeak and trailing digits or symbols, the kind docs and samples use.
fn is_stock_password(lower: &str) -> bool {
    const BASES: &[&str] = &[
        "password",
        "passwd",
        "passw",
        "pass",
        "pwd",
        "secret",
        "mysecret",
        "supersecret",
        "topsecret",
        "secretpassword",
        "mysecretpassword",
        "mypassword",
        "yourpassword",
        "admin",
        "administrator",
        "root",
        "test",
        "user",
        "guest",
        "welcome",
        "letmein",
        "qwerty",
        "changeme",
        "changeit",
        "default",
        "demo",
        "abc",
        "abcd",
        "abcde",
        "abcdef",
        "iloveyou",
        "master",
        "login",
        "hello",
        "token",
        "mytoken",
        "apikey",
        "myapikey",
        "foobar",
        "passphrase",
        "sesame",
        "opensesame",
        "trustno",
        "qwertyuiop",
        "asdf",
        "asdfgh",
    ];
    let core = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let alnum: String = core.chars().filter(char::is_ascii_alphanumeric).collect();
    let leet: String = core
        .chars()
        .filter_map(|c| match c {
            '0' => Some('o'),
            '1' | '!' => Some('i'),
            '3' => Some('e'),
            '4' | '@' => Some('a'),
            '5' | '$' => Some('s'),
            '7' => Some('t'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect();
    [alnum.as_str(), leet.as_str()]
        .iter()
        .any(|v| !v.is_empty() && BASES.contains(v))
        || ["password", "passw0rd", "p@ssw"]
            .iter()
            .any(|w| lower.contains(w))
        || is_sequential(lower)
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
        for real in [
            "ghp_Zq3uT8wXo2Lk9VbN4mR7cYs1HdJfEa0mLq17",
            "wJalrXUtnFEMIK7MDENGbPxRfiCYzq9Lk2Nw",
        ] {
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
        assert!(rejects(
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "password: "
        ));
        assert!(rejects(
            "sha512-Zk3v2nQxY8pLmR4tW7uJ0aB5cD9eF1gH2iJ3kL4mN5oP6qR7sT8uV9wX0yZ1aB==",
            "integrity: "
        ));
        assert!(rejects("password", "password = "));
        assert!(rejects(
            "3f786850e387550fdab836ed7e6dc881de23001b",
            "commit_token = "
        ));
        assert!(rejects("0f8fad5b-d9cb-469f-a165-70867728950e", "token = "));
        assert!(rejects(
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
            "public_key = "
        ));
        assert!(!rejects("Xk9#mP2$vL8qR4nT", "password = "));
        assert!(!rejects("a8Fk29xLq0PzR7mW3vNc", "api_key = "));
        // Random mixed case that happens to hold a few capitalised runs is not a type name.
        assert!(!rejects(
            "6LDDGpgAIeqN58SbdFpdwdbWeAWth3TAYKdqHjuv",
            "\"secret_key\": \""
        ));
        assert!(inside_template(
            "key: \"{{ lookup('hashi_vault', 'secret=secret/data/dd:api_key') }}\"",
            "secret/data/dd:api_key"
        ));
        assert!(!inside_template(
            "{{ x }} token: Zk3vQ9pL2mR8tW4u",
            "Zk3vQ9pL2mR8tW4u"
        ));
    }

    #[test]
    fn generic_shapes_that_are_not_credentials() {
        let rejects = |s: &str, ctx: &str| generic_rejects(s.as_bytes(), ctx.as_bytes(), b"");
        // words, type names, identifiers
        for w in [
            "production",
            "Bearer",
            "ENABLED",
            "SecretStr",
            "MySecretPassword",
            "*pw_alias",
            "Пароль",
        ] {
            assert!(rejects(w, "password: "), "{w}");
        }
        // paths, URLs, host names, numbers, dates
        for v in [
            "/etc/ssl/private/server.key",
            "./secrets/token.txt",
            "~/.ssh/id_ed25519",
            "/run/secrets/db_password",
            "C:\\keys\\signing.pfx",
            "keys/private.pem",
            "https://vault.corp.net/v1/secret/data/app",
            "db.internal",
            "smtp-relay.corp.net",
            "3600",
            "2024-01-01",
            "\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}",
        ] {
            assert!(rejects(v, "secret = "), "{v}");
        }
        // YAML tags, build-time markers, mis-decoded bytes
        for v in [
            "!vault",
            "!Ref",
            "!secret",
            "__DB_PASSWORD__",
            "@db.password@",
            "#{token}#",
            "\u{FFFD}_PASSWORD%",
        ] {
            assert!(rejects(v, "password: "), "{v}");
        }
        // stock passwords with leetspeak and suffixes
        for v in [
            "P@ssw0rd!",
            "Secret123",
            "admin@123",
            "s3cr3t",
            "Welcome1",
            "pa$$word",
            "changeit",
            "Passw0rd2024!",
        ] {
            assert!(rejects(v, "password = "), "{v}");
        }
        // stored hashes and public material
        assert!(rejects("md5a3556571e93b0d20722ba62be61e8c2d", "password "));
        assert!(rejects(
            "*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4",
            "password: "
        ));
        assert!(rejects(
            "SCRAM-SHA-256$4096:c2FsdHNhbHQ=$c3RvcmVk:c2VydmVy",
            "password: "
        ));
        assert!(rejects(
            "AAAAC3NzaC1lZDI1NTE5AAAAIGqK3mZ9xLw2RtP0vN8bC4xY7uQ2",
            "deploy_key: "
        ));
        // names whose values are not credentials
        assert!(rejects("Zk3mQ9xLw2RtP0vN8bC4", "csrf_token = \""));
        assert!(rejects("CAoQAA8sR3tXk2mPq", "nextpagetoken: \""));
        assert!(rejects("Zk3mQ9xLw2RtP0vN8bC4", "mock_secret = \""));
        assert!(rejects(
            "access_token$production$merchant_id$token",
            "token="
        ));
        // code: dotted names are code, dotted random strings are not
        assert!(rejects("cfg.DbPassword", "password = "));
        assert!(rejects("random_password.db.result", "password = "));
        // type annotations, constants and enum values
        for v in [
            "_bindgen_ty_22",
            "WIN32_ERROR",
            "IKEEXT_CREDENTIAL0",
            "MSV1_0_PROTOCOL_MESSAGE_TYPE",
            "BCryptDestroySecretFn",
            "X509HardwareKeyUsageFlags",
            "super::Win32::Foundation::HANDLE",
            "dsa.DSAPrivateKey",
            "Colors.Red",
            "AWS4-HMAC-SHA256",
            "arn:aws:kms:eu-west-1:123456789012:key/0f8fad5b",
        ] {
            assert!(rejects(v, "token: "), "{v}");
        }
        // sequences and values that spell out `password`
        for v in [
            "a1b2c3d4",
            "abcd1234defg5678",
            "newpassword99",
            "generatedwebdavpassword1",
        ] {
            assert!(rejects(v, "password = "), "{v}");
        }
        assert!(!rejects("3KA3R2D9fV", "token="));
        assert!(generic_rejects(
            b"3KA3R2D9fV",
            b"token=",
            b"[![codecov](https://codecov.io/gh/o/r/graph/badge.svg?token=3KA3R2D9fV)]"
        ));
        assert!(rejects(
            "1:X9QGexP7HASDlsFp+G31Iw==",
            "\"policyupdatetoken\": \""
        ));
        // real-looking values survive
        for v in [
            "XkPmQvLr9",
            "sp.EfzNB7vXeSS",
            "8oar9w.tn700qk24ojgmkz4",
            "Tr0ub4dor3x",
            "/xK9abc+def==Qz",
            "0x4c0883a69102937d6231471b5dbb6204fe512961708279f3a0b1c2d3e4f5a6b7",
        ] {
            assert!(!rejects(v, "token = "), "{v}");
        }
    }

    #[test]
    fn lockfiles() {
        assert!(is_lockfile("web/package-lock.json"));
        assert!(is_lockfile("Cargo.lock"));
        assert!(!is_lockfile("src/lock.rs"));
    }
}
