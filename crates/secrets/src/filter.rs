//! Filters that keep findings true: placeholders for every rule, and for generic
//! rules the many things that sit where a secret could but are not one.
//!
//! The code here decides how each filter matches; the word lists it matches with are
//! data, in `rules/filters.toml`, which build.rs turns into the constants below
//! (`PLACEHOLDER_MARKERS` is `[placeholder_markers]`), so nothing is parsed at start-up.

include!(concat!(env!("OUT_DIR"), "/filter_lists.rs"));

/// True when the secret is a placeholder, an example or a template, not a credential.
///
/// `proven`: the secret passed a validator that proves its structure (a checksum, a
/// PEM body, a JWT). A marker inside one is there by chance (`XxXX` in a GitHub
/// token's random body, `xxxx` in one RSA key in a few hundred), so only a body made
/// mostly of one character (`-----BEGIN…` around `AAAA…` or `xxxx…`) counts then.
pub(crate) fn is_placeholder(secret: &[u8], proven: bool) -> bool {
    if proven {
        return is_dominated(&structured_body(secret));
    }
    holds_marker(secret) || is_dominated(secret)
}

/// The part of a proven secret that is random: a PEM block's base64 body, a JWT's
/// signature, else all of it.
fn structured_body(secret: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if secret.windows(10).any(|w| w == b"-----BEGIN") {
        return std::borrow::Cow::Owned(crate::validate::pem_body(secret));
    }
    let signature = secret
        .starts_with(b"eyJ")
        .then(|| secret.rsplit(|&b| b == b'.').next())
        .flatten();
    std::borrow::Cow::Borrowed(signature.unwrap_or(secret))
}

/// One character making up more than half of 8 or more: `AKIA0000000000000000`, `ghp_aaaa…`.
fn is_dominated(secret: &[u8]) -> bool {
    let mut counts = [0usize; 256];
    for &b in secret {
        counts[b as usize] += 1;
    }
    secret.len() >= 8 && counts.iter().any(|&c| c * 2 > secret.len())
}

/// Markers of this many characters or more count wherever they stand (in one case):
/// random text holds seven given letters in a row about once in 10^12 places.
const LONG_MARKER: usize = 7;

/// Whether the secret holds a `[placeholder_markers]` entry that reads as a marker.
/// A marker without letters (`****`, `${`, `1234567890`) counts anywhere. One with
/// letters counts when its letters are in one case (`example`, `EXAMPLE`, `Example`;
/// not `XxXX` or `eXample`) and, if it is shorter than [`LONG_MARKER`], when it stands
/// at a word boundary on at least one side: the start or end of the secret, a
/// character other than a letter or digit (`_`, `-`, `.`), a change between letters
/// and digits, or a lower-case letter followed by an upper-case one. A marker that is
/// one letter repeated (`xxxx`) is taken with the whole run of that letter around it.
fn holds_marker(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    PLACEHOLDER_MARKERS.iter().any(|m| {
        let m = m.as_bytes();
        if !m.iter().any(u8::is_ascii_alphabetic) {
            return lower.windows(m.len()).any(|w| w == m);
        }
        lower
            .windows(m.len())
            .enumerate()
            .any(|(i, w)| w == m && marker_at(secret, i, m))
    })
}

/// The occurrence of marker `m` at `i` in `s` (equal ignoring ASCII case) reads as a
/// marker: see [`holds_marker`].
fn marker_at(s: &[u8], i: usize, m: &[u8]) -> bool {
    let word = &s[i..i + m.len()];
    let letters: Vec<u8> = word
        .iter()
        .copied()
        .filter(u8::is_ascii_alphabetic)
        .collect();
    let lower = letters.iter().all(u8::is_ascii_lowercase);
    let upper = letters.iter().all(u8::is_ascii_uppercase);
    let title = letters.len() > 1
        && letters[0].is_ascii_uppercase()
        && letters[1..].iter().all(u8::is_ascii_lowercase);
    let run = m.len() > 1 && m.iter().all(|&c| c == m[0]);
    if !(lower || upper || (title && !run)) {
        return false;
    }
    if m.len() >= LONG_MARKER {
        return true;
    }
    let (mut start, mut end) = (i, i + m.len());
    if run {
        while start > 0 && s[start - 1] == s[i] {
            start -= 1;
        }
        while end < s.len() && s[end] == s[i] {
            end += 1;
        }
    }
    let boundary = |a: u8, c: u8| {
        !a.is_ascii_alphanumeric()
            || !c.is_ascii_alphanumeric()
            || a.is_ascii_digit() != c.is_ascii_digit()
            || (a.is_ascii_lowercase() && c.is_ascii_uppercase())
    };
    let left = start == 0 || boundary(s[start - 1], s[start]);
    let right = end == s.len() || boundary(s[end - 1], s[end]);
    left || right
}

/// A user name and password that only show where a credential goes: the password is a
/// `[trivial_values]` word (`user:pass`, `foo:bar`, `admin:admin`, `test:test`,
/// `username:password`), the user name again (`guest:guest`), or a template or variable
/// a script fills in (`${VAR}`, `$VAR`, `%VAR%`, `<password>`, `{{pass}}`).
pub(crate) fn is_placeholder_pair(user: &[u8], password: &[u8]) -> bool {
    if matches!(password.first(), Some(b'$' | b'%' | b'<' | b'{')) {
        return true;
    }
    let password = String::from_utf8_lossy(password).to_ascii_lowercase();
    TRIVIAL_VALUES.binary_search(&password.as_str()).is_ok()
        || password.as_bytes() == user.to_ascii_lowercase()
}

/// The source of a value that a provider publishes in its documentation as an
/// example (`[vendor_examples]`), when the secret is exactly one.
pub(crate) fn vendor_example(secret: &[u8]) -> Option<&'static str> {
    let s = std::str::from_utf8(secret).ok()?;
    VENDOR_EXAMPLES
        .binary_search_by(|(value, _)| (*value).cmp(s))
        .ok()
        .map(|i| VENDOR_EXAMPLES[i].1)
}

/// Files that are full of hashes by design.
pub(crate) fn is_lockfile(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    LOCKFILE_NAMES.binary_search(&name).is_ok()
        || LOCKFILE_EXTENSIONS.iter().any(|e| name.ends_with(e))
}

/// For generic rules: `context` is the matched text before the secret (the key name
/// and operator), `line` the line the value sits on. The filter that rejects the
/// secret, named for `--explain`, or `None` when none does.
pub(crate) fn generic_rejects(secret: &[u8], context: &[u8], line: &[u8]) -> Option<&'static str> {
    let s = String::from_utf8_lossy(secret);
    let lower = s.to_ascii_lowercase();
    let ctx = String::from_utf8_lossy(context).to_ascii_lowercase();
    let line_lower = String::from_utf8_lossy(line).to_ascii_lowercase();
    let checks: [(&'static str, &dyn Fn() -> bool); 11] = [
        ("a variable or template lookup", &|| is_lookup(&s, &lower)),
        ("a code reference (identifier, member or call)", &|| {
            is_code_reference(&s) || is_code_reference(trim_punct(&s))
        }),
        ("a hash or checksum", &|| {
            is_hash(&s, &lower, &ctx, &line_lower)
        }),
        ("a public value (the key name says so)", &|| {
            is_public(&lower, &ctx)
        }),
        ("a trivial value", &|| is_trivial(&lower, &ctx)),
        (
            "not shaped like a credential (word, path, URL, host, number)",
            &|| is_not_a_credential(&s, &lower),
        ),
        (
            "a name that holds no credential (CSRF token, cursor, mock…)",
            &|| is_non_secret_context(&ctx),
        ),
        ("a README badge line", &|| is_badge_line(&line_lower)),
        ("an argument inside a template expression", &|| {
            inside_template(&String::from_utf8_lossy(line), &s)
        }),
        (
            "the name of a setting or secret (configuration key, vault path)",
            &|| is_setting_name(&s),
        ),
        ("text for people (a translation or UI string)", &|| {
            is_ui_text(&s)
        }),
    ];
    checks
        .iter()
        .find(|(_, check)| check())
        .map(|(name, _)| *name)
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

/// `AppSettings:Payments:ApiKey` (.NET configuration), `kv/data/ci/deploy#token` (a
/// vault path and field), `projects/acme/secrets/db-password`: a name that says where
/// a secret is kept, made of words: two or more parts joined by `:`, or three or more
/// joined by `/`, each made of words (`_ - .` between, up to three digits after).
fn is_setting_name(s: &str) -> bool {
    let (path, field) = s.split_once('#').unwrap_or((s, "word"));
    let words = |p: &str| {
        p.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && p.split(['_', '-', '.']).all(|w| {
                let core = w.trim_end_matches(|c: char| c.is_ascii_digit());
                w.len() - core.len() <= 3 && is_name_word(core)
            })
    };
    let joined = |sep: char, min: usize| {
        let parts: Vec<&str> = path.split(sep).collect();
        parts.len() >= min && parts.iter().all(|p| words(p))
    };
    words(field) && (joined(':', 2) || joined('/', 3))
}

/// `deploy`, `DB`, `ApiKey`, `AppSettings`: ASCII letters in one case, or words that
/// each start with a capital followed by two lower-case letters or more (`Zk`, `XyZq`
/// are not).
fn is_name_word(w: &str) -> bool {
    let b = w.as_bytes();
    let one_case = !b.iter().any(u8::is_ascii_uppercase) || !b.iter().any(u8::is_ascii_lowercase);
    !b.is_empty()
        && b.iter().all(u8::is_ascii_alphabetic)
        && (one_case
            || b.iter().enumerate().all(|(i, c)| {
                !c.is_ascii_uppercase()
                    || b.get(i + 1..i + 3)
                        .is_some_and(|n| n.iter().all(u8::is_ascii_lowercase))
            }))
}

/// `Mot_de_passe_oublié?`, `Contraseña`, `Zugangstoken…`: letters (of any script) and
/// `[ui_text_punctuation]` only, with something outside ASCII: a translation, not a
/// credential (credentials are ASCII; translated text often is not).
fn is_ui_text(s: &str) -> bool {
    let mut buf = [0u8; 4];
    !s.is_ascii()
        && s.chars()
            .all(|c| c.is_alphabetic() || UI_TEXT_PUNCTUATION.contains(&&*c.encode_utf8(&mut buf)))
}

/// README badges carry read-only graph tokens (`badge.svg?token=...`), not credentials.
fn is_badge_line(line: &str) -> bool {
    BADGE_MARKERS.iter().any(|w| line.contains(w))
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
    let rooted = PATH_ROOTS.iter().any(|p| s.starts_with(p));
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
    for marker in TEMPLATE_MARKER_DELIMITERS {
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
    NON_SECRET_NAMES.iter().any(|w| ctx.contains(w))
}

/// Environment and variable lookups, template references.
fn is_lookup(s: &str, lower: &str) -> bool {
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
    if HASH_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    let hexlen = s.len();
    let all_hex = s.bytes().all(|b| b.is_ascii_hexdigit());
    let hashy_ctx = HASH_WORDS
        .iter()
        .any(|w| ctx.contains(w) || line.contains(w));
    // PostgreSQL `md5` + 32 hex digits, MySQL 4.1+ `*` + 40 hex digits.
    let stored = |&(prefix, n): &(&str, usize)| {
        s.len() == prefix.len() + n
            && lower.starts_with(prefix)
            && s[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit())
    };
    all_hex && HEX_DIGEST_LENGTHS.contains(&hexlen) && hashy_ctx
        || is_uuid(s)
        || STORED_HASHES.iter().any(stored)
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
    PUBLIC_NAMES.iter().any(|w| ctx.contains(w))
        || PUBLIC_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Values that are words, not secrets: `password = "password"`, `token: true`,
/// `-u foo:bar`.
fn is_trivial(lower: &str, ctx: &str) -> bool {
    let bare = lower.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let pair = bare.split_once(':').is_some_and(|(u, p)| {
        !u.is_empty() && !p.contains(':') && is_placeholder_pair(u.as_bytes(), p.as_bytes())
    });
    pair || TRIVIAL_VALUES.binary_search(&lower).is_ok()
        || TRIVIAL_VALUES.binary_search(&bare).is_ok()
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
    let core = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let alnum: String = core.chars().filter(char::is_ascii_alphanumeric).collect();
    let leet: String = core
        .chars()
        .filter_map(|c| match leet(c) {
            Some(letter) => Some(letter),
            None if c.is_ascii_alphanumeric() => Some(c),
            None => None,
        })
        .collect();
    [alnum.as_str(), leet.as_str()]
        .iter()
        .any(|v| !v.is_empty() && STOCK_PASSWORD_BASES.binary_search(v).is_ok())
        || STOCK_PASSWORD_WORDS.iter().any(|w| lower.contains(w))
        || is_sequential(lower)
}

/// The letter a leetspeak digit or symbol stands for (`0` is `o`, `@` is `a`).
fn leet(c: char) -> Option<char> {
    let i = usize::try_from(u32::from(c)).ok()?;
    STOCK_PASSWORD_LEET
        .get(i)
        .filter(|&&letter| letter != 0)
        .map(|&letter| char::from(letter))
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
            assert!(is_placeholder(p.as_bytes(), false), "{p}");
        }
        for real in [
            "ghp_Zq3uT8wXo2Lk9VbN4mR7cYs1HdJfEa0mLq17",
            "wJalrXUtnFEMIK7MDENGbPxRfiCYzq9Lk2Nw",
        ] {
            assert!(!is_placeholder(real.as_bytes(), false), "{real}");
        }
    }

    /// A marker must read as one: letters in one case, and a short one at a word
    /// boundary. Both directions.
    #[test]
    fn markers_are_words_in_one_case() {
        for p in [
            // one case, any position, at a boundary
            "sk_live_EXAMPLE7vLm2Rt9xKpZw4",
            "Q7vLm2Rt-CHANGEME-9xKp",
            "Q7vLm2RtExampleKey9xKp",
            "your_api_token_9xKpQ7vLm2",
            "YOUR_API_TOKEN_9xKpQ7vLm2",
            "sample-Q7vLm2Rt9xKp",
            "Q7vLm2Rt9xKp.SAMPLE",
            "Q7vLm2RtFake9xKp",
            "sk_live_51Hxxxxxxxxxxxxxxxxxxxxx",
            "AKIAXXXXXXXXXXXXXXXX",
            "Q7vLm2Rt9xKp_dummy",
            // seven letters or more: anywhere, in one case
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "q7vlmplaceholderq9x",
            "Q7vLm2RtREDACTEDq9x",
        ] {
            assert!(is_placeholder(p.as_bytes(), false), "{p}");
        }
        for real in [
            // mixed case is chance
            "ghp_Zq3uT8wXo2XxXXVbN4mR7cYs1HdJfEa0mLq1",
            "Q7vLm2RtxXxx9xKpZw4Bn8",
            "Q7vLm2RteXaMpLe4Bn8Lc3",
            // a short marker inside a run of letters on both sides
            "Q7vLm2Rt9kxxxxpZw4Bn8Lc3",
            "Q7vLm2Rt9qfakeqZw4Bn8Lc3",
            "Q7vLm2Rt9KSAMPLEQZw4Bn8Lc3",
            "Q7vLm2RtdummyzZw4Bn8Lc3",
        ] {
            assert!(!is_placeholder(real.as_bytes(), false), "{real}");
        }
    }

    /// A secret a structural validator accepted is dropped only when its random part
    /// is mostly one character: a marker in it is chance.
    #[test]
    fn proven_secrets_keep_their_markers() {
        for real in [
            "ghp_Zq3uT8wXo2xxxxVbN4mR7cYs1HdJfEa0mLq1",
            "ghp_EXAMPLEo2XxXXVbN4mR7cYs1HdJfEa0mLq1",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.Q7vLm2Rt9xKpZw4xxxxBn8Lc3DjH5FsQ7vLm2Rt9xKpZw4",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAxxxxQ7vLm2Rt9xKpZw4Bn8Lc3DjH5Fs\n-----END RSA PRIVATE KEY-----",
        ] {
            assert!(!is_placeholder(real.as_bytes(), true), "{real}");
            assert!(is_placeholder(real.as_bytes(), false), "{real}");
        }
        for p in [
            "-----BEGIN RSA PRIVATE KEY-----\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nxxxxxxxxxxxxxxxx\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nMIIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----",
            "ghp_000000000000000000000000000000000000",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ] {
            assert!(is_placeholder(p.as_bytes(), true), "{p}");
        }
    }

    #[test]
    fn vendor_examples_match_whole_and_exact() {
        assert!(vendor_example(b"AKIAIOSFODNN7EXAMPLE").is_some_and(|s| s.starts_with("https://")));
        assert!(vendor_example(b"sk_test_BQokikJOvBiI2HlWgH4olfQ2").is_some());
        assert!(vendor_example(b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c").is_some());
        assert!(vendor_example(b"sk_test_BQokikJOvBiI2HlWgH4olfQ").is_none());
        assert!(vendor_example(b"xsk_test_BQokikJOvBiI2HlWgH4olfQ2").is_none());
        assert!(vendor_example(b"SK_TEST_BQOKIKJOVBII2HLWGH4OLFQ2").is_none());
    }

    #[test]
    fn generic_filters() {
        let rejects =
            |s: &str, ctx: &str| generic_rejects(s.as_bytes(), ctx.as_bytes(), b"").is_some();
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
        let rejects =
            |s: &str, ctx: &str| generic_rejects(s.as_bytes(), ctx.as_bytes(), b"").is_some();
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
        // names of settings and secrets, and text for people
        for v in [
            "AppSettings:Payments:ApiKey",
            "Database:Password",
            "kv/data/ci/deploy#token",
            "projects/acme-prod/secrets/db-password/versions/latest",
            "env:STRIPE_API_KEY",
            "Mot_de_passe_oublié?",
            "Contraseña",
            "Jeton_secret_expiré",
            "Zugangstoken…",
            "Mật_khẩu_mới",
        ] {
            assert!(rejects(v, "password = "), "{v}");
        }
        for v in [
            "Zk3mQ9x:Lw2RtP0vN8",
            "q8vz1/lm3rt/x7kpw2",
            "Zk3m/Q9xL/w2Rt#P0vN",
            "Zk3mé9xLw2RtP0vN",
            "Contraseña_9xKp2Lm7",
        ] {
            assert!(!rejects(v, "password = "), "{v}");
        }
        assert!(!rejects("3KA3R2D9fV", "token="));
        assert_eq!(
            generic_rejects(
                b"3KA3R2D9fV",
                b"token=",
                b"[![codecov](https://codecov.io/gh/o/r/graph/badge.svg?token=3KA3R2D9fV)]"
            ),
            Some("a README badge line")
        );
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

    /// build.rs wrote the constants from `rules/filters.toml`; this reads the file
    /// the other way, so a constant that drifted from its list fails here.
    #[test]
    fn the_constants_are_the_data_file() {
        let file: toml::Table = toml::from_str(BUILTIN_FILTERS_TOML).expect("filters.toml");
        let values = |name: &str| file[name]["values"].clone();
        let words = |name: &str| -> Vec<String> {
            let list = values(name);
            let list = list.as_array().expect(name);
            list.iter()
                .map(|v| v.as_str().expect(name).to_owned())
                .collect()
        };
        let sorted = |name: &str| {
            let mut w = words(name);
            w.sort();
            w.dedup();
            w
        };
        for (name, constant) in [
            ("placeholder_markers", PLACEHOLDER_MARKERS),
            ("lockfile_extensions", LOCKFILE_EXTENSIONS),
            ("badge_markers", BADGE_MARKERS),
            ("path_roots", PATH_ROOTS),
            ("template_marker_delimiters", TEMPLATE_MARKER_DELIMITERS),
            ("non_secret_names", NON_SECRET_NAMES),
            ("lookups", LOOKUPS),
            ("hash_prefixes", HASH_PREFIXES),
            ("hash_words", HASH_WORDS),
            ("public_names", PUBLIC_NAMES),
            ("public_prefixes", PUBLIC_PREFIXES),
            ("stock_password_words", STOCK_PASSWORD_WORDS),
            ("ui_text_punctuation", UI_TEXT_PUNCTUATION),
        ] {
            assert_eq!(words(name), constant, "{name}");
        }
        for (name, constant) in [
            ("lockfile_names", LOCKFILE_NAMES),
            ("trivial_values", TRIVIAL_VALUES),
            ("stock_password_bases", STOCK_PASSWORD_BASES),
        ] {
            assert_eq!(sorted(name), constant, "{name}");
        }
        let mut vendor: Vec<(String, String)> = values("vendor_examples")
            .as_array()
            .expect("vendor_examples")
            .iter()
            .map(|v| {
                let value = v["value"].as_str().expect("value").to_owned();
                let source = v["source"].as_str().expect("source").to_owned();
                (value, source)
            })
            .collect();
        vendor.sort();
        let constant: Vec<(String, String)> = VENDOR_EXAMPLES
            .iter()
            .map(|&(v, s)| (v.to_owned(), s.to_owned()))
            .collect();
        assert_eq!(vendor, constant);
        let lengths: Vec<usize> = values("hex_digest_lengths")
            .as_array()
            .expect("hex_digest_lengths")
            .iter()
            .map(|v| usize::try_from(v.as_integer().expect("integer")).expect("usize"))
            .collect();
        assert_eq!(lengths, HEX_DIGEST_LENGTHS);
        let stored: Vec<(String, usize)> = values("stored_hashes")
            .as_array()
            .expect("stored_hashes")
            .iter()
            .map(|v| {
                let prefix = v["prefix"].as_str().expect("prefix").to_owned();
                let digits = v["hex_digits"].as_integer().expect("hex_digits");
                (prefix, usize::try_from(digits).expect("usize"))
            })
            .collect();
        let constant: Vec<(String, usize)> = STORED_HASHES
            .iter()
            .map(|&(p, n)| (p.to_owned(), n))
            .collect();
        assert_eq!(stored, constant);
        let table = values("stock_password_leet");
        let table = table.as_table().expect("stock_password_leet");
        let mut mapped = 0;
        for c in (0u8..128).map(char::from) {
            let letter = table.get(&c.to_string()).and_then(|l| l.as_str());
            assert_eq!(leet(c).map(String::from).as_deref(), letter, "{c:?}");
            mapped += usize::from(letter.is_some());
        }
        assert_eq!(mapped, table.len());
        assert_eq!(leet('\u{e9}'), None);
    }

    #[test]
    fn lockfiles() {
        assert!(is_lockfile("web/package-lock.json"));
        assert!(is_lockfile("Cargo.lock"));
        assert!(!is_lockfile("src/lock.rs"));
    }
}
