//! `.gitleaks.toml` and `.gitleaksignore`, read as they are.
//!
//! What maps onto vigil's own configuration becomes part of it:
//! - `[[rules]]` with a `regex` become custom rules (`RuleSpec`): `id` (made kebab-case
//!   when it is not), `description`, `regex` (Go RE2 syntax, which the `regex` crate
//!   accepts nearly always; a rule whose regex does not compile is skipped with a
//!   warning), `keywords`, `entropy`, `secretGroup`, `tags`;
//! - `[extend] useDefault = true` keeps vigil's built-in rules (gitleaks' own default
//!   rules are not copied: vigil's built-ins take their place); without it, as in
//!   gitleaks, only the file's rules run; `disabledRules` disables the vigil rules that
//!   correspond to the named gitleaks rules ([`vigil_rules_for`]);
//! - allowlist `regexes` with `regexTarget = "match"` or `"line"` go into vigil's
//!   allowlists, which hold one target each.
//!
//! The rest is applied to findings after the scan by [`Gitleaks::retains`], with
//! gitleaks' semantics: a rule's `path` (a regex the file path must match); allowlist
//! `paths` (regexes, where vigil's allowlists take globs), `commits`, `stopwords`,
//! `regexes` against the secret, `condition = "AND"` (every check given must match; the
//! default `OR`: any one), `targetRules`; and the `.gitleaksignore` beside the file.
//!
//! Not translated, each with a warning: `[extend] path` and `url` (the extended file is
//! not read; vigil's built-in rules stay on instead), path-only rules (no `regex`),
//! `skipReport` rules, the proximity condition of `[[rules.required]]` (the rule reports
//! alone), an `AND` allowlist whose `match`/`line` regexes must combine with other
//! checks, a second `regexTarget` where vigil's allowlist already holds another, and
//! `match`/`line` regexes aimed at vigil's built-in rules.
use std::path::{Path, PathBuf};

use regex::{bytes::Regex as BytesRegex, Regex};
use toml::{Table, Value};
use vigil_secrets::{builtin_rule_specs, AllowlistSpec, Rule, RuleSpec, Severity};

use crate::{
    config::{Config, ConfigError},
    suppress::gitleaks::{kebab, normalize_path, Gitleaks, IgnoreEntry, PostAllowlist},
};

/// The file gitleaks reads at the repository root.
pub const GITLEAKS_CONFIG: &str = ".gitleaks.toml";
/// gitleaks' list of accepted findings, `[commit:]path:rule:line` per line.
pub const GITLEAKS_IGNORE: &str = ".gitleaksignore";

/// gitleaks default rule ids and the vigil built-in rules that find the same kind of
/// credential. Ids that are the same in both need no entry.
const RULE_MAP: &[(&str, &[&str])] = &[
    ("aws-access-token", &["aws-access-key-id"]),
    ("github-pat", &["github-pat-classic"]),
    ("github-oauth", &["github-oauth-token"]),
    (
        "github-app-token",
        &[
            "github-user-to-server-token",
            "github-server-to-server-token",
        ],
    ),
    ("gitlab-ptt", &["gitlab-pipeline-trigger-token"]),
    ("gitlab-rrt", &["gitlab-runner-registration-token"]),
    ("gitlab-deploy-token", &["gitlab-deploy-token"]),
    ("gitlab-feed-token", &["gitlab-feed-token"]),
    ("gitlab-cicd-job-token", &["gitlab-ci-job-token"]),
    (
        "gitlab-runner-authentication-token",
        &["gitlab-runner-auth-token"],
    ),
    ("gitlab-scim-token", &["gitlab-scim-token"]),
    ("gitlab-session-cookie", &["gitlab-session-cookie"]),
    (
        "gitlab-incoming-mail-token",
        &["gitlab-incoming-mail-token"],
    ),
    ("gitlab-kubernetes-agent-token", &["gitlab-agent-token"]),
    ("gitlab-oauth-app-secret", &["gitlab-oauth-app-secret"]),
    ("slack-config-access-token", &["slack-config-token"]),
    (
        "slack-webhook-url",
        &["slack-webhook-url", "slack-workflow-webhook-url"],
    ),
    (
        "stripe-access-token",
        &[
            "stripe-secret-key",
            "stripe-test-secret-key",
            "stripe-restricted-key",
            "stripe-restricted-test-key",
        ],
    ),
    ("pypi-upload-token", &["pypi-api-token"]),
    ("rubygems-api-token", &["rubygems-api-key"]),
    (
        "openai-api-key",
        &[
            "openai-api-key",
            "openai-project-key",
            "openai-service-account-key",
            "openai-admin-key",
        ],
    ),
    ("anthropic-admin-api-key", &["anthropic-admin-key"]),
    ("huggingface-access-token", &["huggingface-token"]),
    (
        "huggingface-organization-api-token",
        &["huggingface-org-token"],
    ),
    ("sendgrid-api-token", &["sendgrid-api-key"]),
    ("discord-api-token", &["discord-bot-token"]),
    ("telegram-bot-api-token", &["telegram-bot-token"]),
    ("shopify-custom-access-token", &["shopify-custom-app-token"]),
    (
        "shopify-private-app-access-token",
        &["shopify-private-app-token"],
    ),
    ("digitalocean-pat", &["digitalocean-personal-access-token"]),
    (
        "digitalocean-access-token",
        &["digitalocean-oauth-access-token"],
    ),
    (
        "digitalocean-refresh-token",
        &["digitalocean-oauth-refresh-token"],
    ),
    ("hashicorp-tf-api-token", &["terraform-cloud-api-token"]),
    (
        "databricks-api-token",
        &["databricks-personal-access-token"],
    ),
    ("postman-api-token", &["postman-api-key"]),
    ("pulumi-api-token", &["pulumi-access-token"]),
    ("mailgun-private-api-token", &["mailgun-api-key"]),
    ("mailgun-signing-key", &["mailgun-webhook-signing-key"]),
    ("grafana-cloud-api-token", &["grafana-cloud-token"]),
    ("sentry-access-token", &["sentry-auth-token"]),
    ("new-relic-user-api-key", &["newrelic-user-key"]),
    ("azure-ad-client-secret", &["azure-entra-client-secret"]),
    ("alibaba-secret-key", &["alibaba-access-key-secret"]),
    (
        "1password-service-account-token",
        &["onepassword-service-account-token"],
    ),
    ("flyio-access-token", &["flyio-access-token"]),
    ("cloudflare-api-key", &["cloudflare-api-token"]),
    (
        "doppler-api-token",
        &["doppler-service-token", "doppler-personal-token"],
    ),
    ("npm-access-token", &["npm-access-token"]),
    ("twilio-api-key", &["twilio-api-key"]),
    ("dynatrace-api-token", &["dynatrace-api-token"]),
    (
        "datadog-access-token",
        &["datadog-api-key", "datadog-app-key"],
    ),
    ("plaid-secret-key", &["plaid-secret"]),
    ("plaid-api-token", &["plaid-access-token"]),
    ("confluent-secret-key", &["confluent-cloud-api-secret"]),
    ("square-access-token", &["square-access-token"]),
    ("linear-api-key", &["linear-api-key"]),
    ("jfrog-api-key", &["jfrog-api-key"]),
    (
        "private-key",
        &[
            "private-key-rsa",
            "private-key-dsa",
            "private-key-ec",
            "private-key-pkcs8",
            "private-key-pkcs8-encrypted",
            "private-key-openssh",
            "private-key-ssh2",
            "private-key-pgp",
            "private-key-putty",
            "private-key-pem",
        ],
    ),
];

/// The vigil rules among `known` that correspond to gitleaks rule `id`: the mapped
/// ones, or the rule of the same id. Empty when vigil has no counterpart.
pub fn vigil_rules_for(id: &str, known: &[String]) -> Vec<String> {
    let mut out: Vec<String> = RULE_MAP
        .iter()
        .filter(|(g, _)| *g == id)
        .flat_map(|(_, v)| v.iter())
        .filter(|v| known.iter().any(|k| k == *v))
        .map(|v| (*v).to_owned())
        .collect();
    if out.is_empty() && known.iter().any(|k| k == id) {
        out.push(id.to_owned());
    }
    out
}

/// Reads a `.gitleaksignore`: `path:rule:line` or `commit:path:rule:line` per line
/// (`#` comments, blank lines; a field of `*` matches anything). Errors name the line.
pub fn parse_gitleaksignore(path: &Path, text: &str) -> Result<Vec<IgnoreEntry>, ConfigError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| ConfigError::Parse {
            path: path.to_owned(),
            message: format!("line {}: {message}", i + 1),
        };
        let parts: Vec<&str> = line.split(':').collect();
        let (commit, file, rule, number) = match parts.as_slice() {
            [f, r, n] => (None, *f, *r, *n),
            [c, f, r, n] => (Some(*c), *f, *r, *n),
            _ => {
                return Err(err(format!(
                    "{line:?} is not a gitleaks fingerprint (expected path:rule:line or commit:path:rule:line)"
                )))
            }
        };
        let any = |s: &str| s == "*";
        let line_number = if any(number) {
            None
        } else {
            Some(
                number
                    .parse::<u32>()
                    .map_err(|_| err(format!("{number:?} is not a line number (in {line:?})")))?,
            )
        };
        out.push(IgnoreEntry {
            commit: commit
                .filter(|c| !any(c))
                .map(|c| c.trim().to_ascii_lowercase()),
            path: (!any(file)).then(|| normalize_path(&file.replace('\\', "/"))),
            rule: (!any(rule)).then(|| rule.to_owned()),
            line: line_number,
        });
    }
    Ok(out)
}

/// Looks for `.gitleaks.toml` at the root of the repository enclosing `start` (the
/// first directory up from it holding `.git`), or in `start` outside a repository.
pub fn find_gitleaks_config(start: &Path) -> Option<PathBuf> {
    let start = if start.is_dir() {
        start
    } else {
        start.parent()?
    };
    let start = std::path::absolute(start).ok()?;
    let root = start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&start);
    let candidate = root.join(GITLEAKS_CONFIG);
    candidate.is_file().then_some(candidate)
}

/// Reads `path` (a `.gitleaks.toml`) and the `.gitleaksignore` beside it into `config`.
pub fn load_into(config: &mut Config, path: &Path) -> Result<(), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut gl = translate_into(config, path, &text)?;
    let ignore = path.parent().map_or_else(
        || PathBuf::from(GITLEAKS_IGNORE),
        |d| d.join(GITLEAKS_IGNORE),
    );
    if ignore.is_file() {
        let text = std::fs::read_to_string(&ignore).map_err(|source| ConfigError::Read {
            path: ignore.clone(),
            source,
        })?;
        gl.ignores = parse_gitleaksignore(&ignore, &text)?;
        let known = known_rule_ids(config)?;
        for e in &gl.ignores {
            if let Some(r) = &e.rule {
                if !gl.rule_ids.iter().any(|(g, _)| g == r) {
                    gl.rule_ids.push((r.clone(), vigil_rules_for(r, &known)));
                }
            }
        }
        gl.ignore_file = Some(ignore);
    }
    if config.path.is_none() {
        config.path = Some(path.to_owned());
    }
    config.gitleaks = Some(gl);
    Ok(())
}

fn known_rule_ids(config: &Config) -> Result<Vec<String>, ConfigError> {
    let mut known: Vec<String> = builtin_rule_specs()
        .map_err(ConfigError::Builtin)?
        .into_iter()
        .map(|s| s.id)
        .collect();
    known.extend(config.rules.iter().map(|r| r.id.clone()));
    Ok(known)
}

/// Case-insensitive key lookup: gitleaks reads its file through viper, which ignores
/// the case of keys (`useDefault`, `usedefault`).
fn get<'a>(t: &'a Table, key: &str) -> Option<&'a Value> {
    t.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn unknown_keys(t: &Table, known: &[&str], place: &str, warnings: &mut Vec<String>) {
    for k in t.keys() {
        if !known.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            warnings.push(format!(
                "{place}: `{k}` is not a gitleaks setting vigil knows; ignored"
            ));
        }
    }
}

/// Tables under `key`, whether written as one table (`[allowlist]`) or an array.
fn tables<'a>(t: &'a Table, key: &str) -> Vec<&'a Table> {
    match get(t, key) {
        Some(Value::Table(x)) => vec![x],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_table).collect(),
        _ => Vec::new(),
    }
}

struct Reader<'a> {
    path: &'a Path,
}

impl Reader<'_> {
    fn err(&self, message: String) -> ConfigError {
        ConfigError::Parse {
            path: self.path.to_owned(),
            message,
        }
    }

    fn string(&self, t: &Table, key: &str, place: &str) -> Result<Option<String>, ConfigError> {
        match get(t, key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.err(format!(
                "{place}: `{key}` must be a string, not {}",
                other.type_str()
            ))),
        }
    }

    fn strings(&self, t: &Table, key: &str, place: &str) -> Result<Vec<String>, ConfigError> {
        match get(t, key) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.err(format!(
                        "{place}: `{key}` must list strings, not {}",
                        other.type_str()
                    ))),
                })
                .collect(),
            Some(other) => Err(self.err(format!(
                "{place}: `{key}` must be an array of strings, not {}",
                other.type_str()
            ))),
        }
    }

    fn number(&self, t: &Table, key: &str, place: &str) -> Result<Option<f64>, ConfigError> {
        match get(t, key) {
            None => Ok(None),
            Some(Value::Integer(i)) => Ok(Some(*i as f64)),
            Some(Value::Float(f)) => Ok(Some(*f)),
            Some(other) => Err(self.err(format!(
                "{place}: `{key}` must be a number, not {}",
                other.type_str()
            ))),
        }
    }

    fn boolean(&self, t: &Table, key: &str, place: &str) -> Result<Option<bool>, ConfigError> {
        match get(t, key) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(other) => Err(self.err(format!(
                "{place}: `{key}` must be true or false, not {}",
                other.type_str()
            ))),
        }
    }
}

/// A gitleaks allowlist as written.
#[derive(Clone)]
struct RawAllowlist {
    place: String,
    all: bool,
    commits: Vec<String>,
    paths: Vec<String>,
    target: String,
    regexes: Vec<String>,
    stopwords: Vec<String>,
    target_rules: Vec<String>,
}

fn read_allowlist(r: &Reader<'_>, t: &Table, place: String) -> Result<RawAllowlist, ConfigError> {
    let condition = r.string(t, "condition", &place)?.unwrap_or_default();
    let all = match condition.to_ascii_uppercase().as_str() {
        "AND" | "&&" => true,
        "" | "OR" | "||" => false,
        other => return Err(r.err(format!("{place}: condition {other:?} is not AND or OR"))),
    };
    let target = r
        .string(t, "regexTarget", &place)?
        .unwrap_or_else(|| "secret".into());
    if !matches!(target.as_str(), "secret" | "match" | "line") {
        return Err(r.err(format!(
            "{place}: regexTarget {target:?} is not secret, match or line"
        )));
    }
    let a = RawAllowlist {
        commits: r
            .strings(t, "commits", &place)?
            .into_iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect(),
        paths: r.strings(t, "paths", &place)?,
        regexes: r.strings(t, "regexes", &place)?,
        stopwords: r
            .strings(t, "stopwords", &place)?
            .into_iter()
            .map(|s| s.to_lowercase())
            .collect(),
        target_rules: r.strings(t, "targetRules", &place)?,
        target,
        all,
        place,
    };
    if a.commits.is_empty() && a.paths.is_empty() && a.regexes.is_empty() && a.stopwords.is_empty()
    {
        return Err(r.err(format!(
            "{}: an allowlist must contain at least one of commits, paths, regexes or stopwords",
            a.place
        )));
    }
    Ok(a)
}

/// Puts `a`'s regexes (target `match` or `line`) into a vigil allowlist slot, which
/// holds one target: a second target cannot join it. True when they went in.
fn put_native(
    slot: &mut AllowlistSpec,
    a: &RawAllowlist,
    warnings: &mut Vec<String>,
    what: &str,
) -> bool {
    // The engine's target type is read from its TOML name, as `.vigil.toml` spells it.
    let Ok(with_target) =
        toml::from_str::<AllowlistSpec>(&format!("regex_target = {:?}", a.target))
    else {
        return false;
    };
    if !slot.regexes.is_empty() && slot.regex_target != with_target.regex_target {
        warnings.push(format!(
            "{}: regexTarget = {:?} cannot join {what}, which already matches its regexes against another target; these regexes are not applied",
            a.place, a.target
        ));
        return false;
    }
    slot.regex_target = with_target.regex_target;
    slot.regexes.extend(a.regexes.iter().cloned());
    true
}

/// Translates the text of a `.gitleaks.toml` into `config`; returns the post-scan part.
pub fn translate_into(
    config: &mut Config,
    path: &Path,
    text: &str,
) -> Result<Gitleaks, ConfigError> {
    let r = Reader { path };
    let doc: Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    let mut gl = Gitleaks {
        source: path.to_owned(),
        ..Gitleaks::default()
    };
    let w = &mut gl.warnings;
    unknown_keys(
        &doc,
        &[
            "title",
            "description",
            "extend",
            "rules",
            "allowlist",
            "allowlists",
            "minVersion",
        ],
        "top level",
        w,
    );
    let builtin: Vec<String> = builtin_rule_specs()
        .map_err(ConfigError::Builtin)?
        .into_iter()
        .map(|s| s.id)
        .collect();

    // [extend]
    let mut use_default = false;
    let mut keep_builtin = false;
    if let Some(ext) = get(&doc, "extend") {
        let Some(ext) = ext.as_table() else {
            return Err(r.err("[extend] must be a table".into()));
        };
        unknown_keys(
            ext,
            &["useDefault", "path", "url", "disabledRules"],
            "[extend]",
            w,
        );
        use_default = r.boolean(ext, "useDefault", "[extend]")?.unwrap_or(false);
        for key in ["path", "url"] {
            if let Some(p) = r.string(ext, key, "[extend]")? {
                w.push(format!(
                    "[extend] {key} = {p:?}: the extended configuration is not read; vigil's built-in rules stay on in its place"
                ));
                keep_builtin = true;
            }
        }
        for id in r.strings(ext, "disabledRules", "[extend]")? {
            let vigil = vigil_rules_for(&id, &builtin);
            if vigil.is_empty() {
                w.push(format!(
                    "[extend] disabledRules: gitleaks rule `{id}` has no vigil counterpart; nothing disabled for it"
                ));
            }
            for v in &vigil {
                if !config.disable_rules.contains(v) {
                    config.disable_rules.push(v.clone());
                }
            }
            gl.rule_ids.push((id, vigil));
        }
    }
    if !use_default && !keep_builtin {
        // As in gitleaks: a configuration that does not extend the default replaces it.
        for id in &builtin {
            if !config.disable_rules.contains(id) {
                config.disable_rules.push(id.clone());
            }
        }
    }

    // [[rules]]
    let mut taken: Vec<String> = config.rules.iter().map(|s| s.id.clone()).collect();
    let mut rule_allowlists: Vec<(Vec<String>, RawAllowlist)> = Vec::new();
    let source = path.display().to_string();
    for (n, t) in tables(&doc, "rules").into_iter().enumerate() {
        let gid = r
            .string(t, "id", &format!("[[rules]] #{}", n + 1))?
            .ok_or_else(|| r.err(format!("[[rules]] #{}: a rule needs an `id`", n + 1)))?;
        let place = format!("rule `{gid}`");
        unknown_keys(
            t,
            &[
                "id",
                "description",
                "regex",
                "path",
                "secretGroup",
                "entropy",
                "keywords",
                "tags",
                "allowlist",
                "allowlists",
                "required",
                "skipReport",
            ],
            &place,
            &mut gl.warnings,
        );
        let regex = r.string(t, "regex", &place)?;
        let path_re = r.string(t, "path", &place)?;
        let mut allowlists = Vec::new();
        for (i, a) in tables(t, "allowlist")
            .into_iter()
            .chain(tables(t, "allowlists"))
            .enumerate()
        {
            allowlists.push(read_allowlist(
                &r,
                a,
                format!("{place} allowlist #{}", i + 1),
            )?);
        }
        if r.boolean(t, "skipReport", &place)?.unwrap_or(false) {
            gl.warnings.push(format!(
                "{place}: skipReport = true (only a part of other rules' `required`): not translated"
            ));
            continue;
        }
        let Some(regex) = regex else {
            if path_re.is_some() {
                gl.warnings.push(format!(
                    "{place}: a path-only rule (reports files by name) is not translated; vigil reports secrets, not files"
                ));
                continue;
            }
            // An extension of a default rule (allowlists, keywords, tags for it).
            let vigil = vigil_rules_for(&gid, &builtin);
            if !use_default || vigil.is_empty() {
                gl.warnings.push(format!(
                    "{place} has no regex and extends a gitleaks default rule vigil has no counterpart for; not translated"
                ));
            } else {
                for a in allowlists {
                    rule_allowlists.push((vigil.clone(), a));
                }
            }
            gl.rule_ids.push((gid, vigil));
            continue;
        };
        let mut id = kebab(&gid);
        if id.is_empty() {
            id = format!("gitleaks-rule-{}", n + 1);
        }
        if builtin.contains(&id) && !taken.contains(&id) {
            // The file's rule replaces the built-in of the same id, as gitleaks' own
            // rules override the defaults they extend.
            if !config.disable_rules.contains(&id) {
                config.disable_rules.push(id.clone());
            }
            gl.warnings.push(format!(
                "{place} replaces vigil's built-in rule of the same id"
            ));
        }
        let base = id.clone();
        let mut k = 2;
        while taken.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        if id != gid {
            gl.warnings.push(format!(
                "{place} is called `{id}` in vigil (rule ids are kebab-case and unique)"
            ));
        }
        let mut keywords: Vec<String> = r
            .strings(t, "keywords", &place)?
            .into_iter()
            .map(|k| k.to_lowercase())
            .collect();
        if keywords.iter().any(|k| k.is_empty() || !k.is_ascii()) {
            gl.warnings.push(format!(
                "{place}: a keyword is empty or not ASCII, so the rule runs on all content (no keyword prefilter)"
            ));
            keywords.clear();
        }
        let secret_group = r
            .number(t, "secretGroup", &place)?
            .filter(|g| *g > 0.0)
            .map(|g| g as usize);
        let entropy = r.number(t, "entropy", &place)?.filter(|e| *e > 0.0);
        if let Some(req) = get(t, "required") {
            let n = req.as_array().map_or(1, Vec::len);
            gl.warnings.push(format!(
                "{place}: its {n} `required` companion rule(s) are not checked; it reports on its own regex alone"
            ));
        }
        let spec = RuleSpec {
            id: id.clone(),
            description: r
                .string(t, "description", &place)?
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| format!("{gid} (from {GITLEAKS_CONFIG})")),
            keywords,
            regex,
            secret_group,
            entropy: entropy.map(|e| e.min(8.0)),
            validators: Vec::new(),
            severity: Severity::High,
            tags: r.strings(t, "tags", &place)?,
            generic: false,
            remediation: Some(format!(
                "Revoke or rotate this credential with its issuer (rule `{gid}` from {GITLEAKS_CONFIG})."
            )),
            remediation_url: None,
            allowlist: AllowlistSpec::default(),
            examples: Vec::new(),
            negative_examples: Vec::new(),
        };
        if let Err(e) = Rule::compile(spec.clone(), &source) {
            gl.warnings.push(format!(
                "{place} is not translated: {e} (gitleaks uses Go RE2 syntax; vigil the Rust `regex` crate, bytes with Unicode classes off)"
            ));
            continue;
        }
        if let Some(p) = path_re {
            match Regex::new(&p) {
                Ok(re) => gl.rule_paths.push((id.clone(), re)),
                Err(e) => {
                    gl.warnings.push(format!(
                        "{place}: path regex {p:?} does not compile ({e}); the rule applies to every path"
                    ));
                }
            }
        }
        taken.push(id.clone());
        config.rules.push(spec);
        for a in allowlists {
            rule_allowlists.push((vec![id.clone()], a));
        }
        gl.rule_ids.push((gid, vec![id]));
    }

    // Global allowlists.
    let mut global = Vec::new();
    for (i, a) in tables(&doc, "allowlist")
        .into_iter()
        .chain(tables(&doc, "allowlists"))
        .enumerate()
    {
        let place = format!("global allowlist #{}", i + 1);
        global.push(read_allowlist(&r, a, place)?);
    }
    for a in global {
        let targets = if a.target_rules.is_empty() {
            None
        } else {
            let mut v = Vec::new();
            for g in &a.target_rules {
                let ids = match gl.rule_ids.iter().find(|(x, _)| x == g) {
                    Some((_, ids)) => ids.clone(),
                    None => vigil_rules_for(g, &builtin),
                };
                if ids.is_empty() {
                    gl.warnings.push(format!(
                        "{}: targetRules names `{g}`, which has no vigil counterpart",
                        a.place
                    ));
                }
                v.extend(ids);
            }
            if v.is_empty() {
                continue;
            }
            Some(v)
        };
        match targets {
            None => add_allowlist(
                &mut gl,
                &mut config.allowlist,
                None,
                a,
                "vigil's global allowlist",
            ),
            Some(ids) => rule_allowlists.push((ids, a)),
        }
    }
    for (ids, a) in rule_allowlists {
        // match/line regexes need the rule's own allowlist, which only custom rules
        // have; the other checks run after the scan for any rule.
        let (custom, builtin_ids): (Vec<String>, Vec<String>) = ids
            .into_iter()
            .partition(|id| config.rules.iter().any(|s| s.id == *id));
        for id in custom {
            let Some(i) = config.rules.iter().position(|s| s.id == id) else {
                continue;
            };
            let mut slot = std::mem::take(&mut config.rules[i].allowlist);
            let what = format!("rule `{id}`'s allowlist");
            add_allowlist(&mut gl, &mut slot, Some(vec![id]), a.clone(), &what);
            config.rules[i].allowlist = slot;
        }
        if builtin_ids.is_empty() {
            continue;
        }
        let mut a = a;
        if a.target != "secret" && !a.regexes.is_empty() {
            gl.warnings.push(format!(
                "{}: regexes on the {} cannot be applied to vigil's built-in rules {} (their allowlists are not configurable){}",
                a.place,
                a.target,
                builtin_ids.join(", "),
                if a.all { "; the allowlist is not applied to them" } else { "; its other checks are" }
            ));
            if a.all {
                continue;
            }
            a.regexes.clear();
        }
        if a.commits.is_empty()
            && a.paths.is_empty()
            && a.regexes.is_empty()
            && a.stopwords.is_empty()
        {
            continue;
        }
        let mut unused = AllowlistSpec::default();
        add_allowlist(
            &mut gl,
            &mut unused,
            Some(builtin_ids),
            a,
            "a built-in rule",
        );
    }
    Ok(gl)
}

/// Splits one gitleaks allowlist between a vigil allowlist slot (match/line regexes)
/// and a post-scan allowlist (everything else).
fn add_allowlist(
    gl: &mut Gitleaks,
    slot: &mut AllowlistSpec,
    rules: Option<Vec<String>>,
    a: RawAllowlist,
    what: &str,
) {
    let other_checks = !(a.commits.is_empty() && a.paths.is_empty() && a.stopwords.is_empty());
    let mut native = false;
    if a.target != "secret" && !a.regexes.is_empty() {
        if a.all && other_checks {
            gl.warnings.push(format!(
                "{}: condition = \"AND\" combines regexes on the {} with other checks, which vigil cannot express; the allowlist is not applied (more findings, never fewer)",
                a.place, a.target
            ));
            return;
        }
        native = put_native(slot, &a, &mut gl.warnings, what);
        if !native && a.all {
            return;
        }
    }
    let mut paths = Vec::new();
    for p in &a.paths {
        match Regex::new(p) {
            Ok(re) => paths.push(re),
            Err(e) => {
                gl.warnings.push(format!(
                    "{}: path regex {p:?} does not compile ({e}); the allowlist is not applied",
                    a.place
                ));
                return;
            }
        }
    }
    let mut regexes = Vec::new();
    if a.target == "secret" {
        for p in &a.regexes {
            match BytesRegex::new(p) {
                Ok(re) => regexes.push(re),
                Err(e) => {
                    gl.warnings.push(format!(
                        "{}: regex {p:?} does not compile ({e}); the allowlist is not applied",
                        a.place
                    ));
                    return;
                }
            }
        }
    }
    if a.commits.is_empty() && paths.is_empty() && regexes.is_empty() && a.stopwords.is_empty() {
        return;
    }
    gl.allowlists.push(PostAllowlist {
        origin: a.place,
        rules,
        all: a.all,
        commits: a.commits,
        paths,
        regexes,
        stopwords: a.stopwords,
        native_regexes: native,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suppress::gitleaks::tests::finding;

    fn translate(text: &str) -> (Config, Gitleaks) {
        let mut c = Config::default();
        let gl = translate_into(&mut c, Path::new(".gitleaks.toml"), text).unwrap();
        (c, gl)
    }

    #[test]
    fn rules_translate_and_ids_become_kebab_case() {
        let (c, gl) = translate(
            r#"
[extend]
useDefault = true
disabledRules = ["github-pat", "no-such-gitleaks-rule"]

[[rules]]
id = "Acme_Token"
description = "ACME token"
regex = '''acme_([a-z0-9]{16})'''
secretGroup = 1
entropy = 2.5
keywords = ["ACME_"]
tags = ["internal"]
"#,
        );
        assert_eq!(c.rules.len(), 1);
        let r = &c.rules[0];
        assert_eq!(r.id, "acme-token");
        assert_eq!(r.keywords, vec!["acme_"]);
        assert_eq!(r.secret_group, Some(1));
        assert_eq!(r.entropy, Some(2.5));
        assert!(c.disable_rules.contains(&"github-pat-classic".to_owned()));
        assert!(!c.disable_rules.contains(&"aws-access-key-id".to_owned()));
        assert!(gl
            .warnings
            .iter()
            .any(|w| w.contains("no-such-gitleaks-rule")));
        assert!(gl.warnings.iter().any(|w| w.contains("acme-token")));
        assert!(c
            .detector(vigil_secrets::DetectorOptions::default())
            .is_ok());
    }

    #[test]
    fn without_use_default_only_the_files_rules_run() {
        let (c, _) = translate("[[rules]]\nid = \"a\"\nregex = 'a_[0-9]{8}'\n");
        let d = c
            .detector(vigil_secrets::DetectorOptions::default())
            .unwrap();
        let ids: Vec<&str> = d.rules().iter().map(|r| r.id()).collect();
        assert_eq!(ids, vec!["a"]);
    }

    #[test]
    fn untranslatable_parts_are_warned_about() {
        let (c, gl) = translate(
            r#"
[extend]
path = "base.toml"
[[rules]]
id = "pem-file"
path = '''\.pem$'''
[[rules]]
id = "lookaround"
regex = '''foo(?=bar)'''
[[rules]]
id = "both"
regex = '''both_[0-9]{4}'''
[[rules.allowlists]]
condition = "AND"
regexTarget = "line"
regexes = ['''test''']
paths = ['''^docs/''']
"#,
        );
        let all = gl.warnings.join("\n");
        assert!(all.contains("base.toml"), "{all}");
        assert!(all.contains("path-only"), "{all}");
        assert!(all.contains("lookaround") && all.contains("regex"), "{all}");
        assert!(all.contains("AND"), "{all}");
        assert_eq!(c.rules.len(), 1);
        assert!(
            c.disable_rules.is_empty(),
            "built-ins stay on when extending a file"
        );
    }

    #[test]
    fn allowlists_and_or_and_targets() {
        let (c, gl) = translate(
            r#"
[[rules]]
id = "tok"
regex = '''tok_[a-z0-9]{8}'''
path = '''\.env$'''
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''# test fixture''']

[[allowlists]]
condition = "AND"
paths = ['''^config/''']
stopwords = ["staging"]

[[allowlists]]
commits = ["ABCDEF1234"]
"#,
        );
        assert_eq!(c.rules[0].allowlist.regexes, vec!["# test fixture"]);
        // rule path: only .env files.
        assert!(gl.retains(&finding("tok", "a.env", "tok_12345678", 1, None)));
        assert!(!gl.retains(&finding("tok", "a.txt", "tok_12345678", 1, None)));
        // AND: the path and the stopword must both match.
        assert!(gl.retains(&finding("tok", "config/a.env", "tok_prod1234", 1, None)));
        assert!(gl.retains(&finding("tok", "b.env", "tok_staging1", 1, None)));
        assert!(!gl.retains(&finding("tok", "config/b.env", "tok_staging1", 1, None)));
        // commits are case-insensitive.
        assert!(!gl.retains(&finding(
            "tok",
            "a.env",
            "tok_12345678",
            1,
            Some("abcdef1234")
        )));
    }

    #[test]
    fn gitleaksignore_forms() {
        let e = parse_gitleaksignore(
            Path::new(".gitleaksignore"),
            "# comment\n\napp/.env:github-pat:2\nabc123:src\\x.py:generic-api-key:7\n*:acme:*\n",
        )
        .unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].path.as_deref(), Some("app/.env"));
        assert_eq!(e[1].commit.as_deref(), Some("abc123"));
        assert_eq!(e[1].path.as_deref(), Some("src/x.py"));
        assert_eq!(e[2].line, None);
        let err = parse_gitleaksignore(Path::new(".gitleaksignore"), "a:b\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1") && err.contains("path:rule:line"),
            "{err}"
        );
    }

    #[test]
    fn keys_are_case_insensitive_and_bad_values_are_named() {
        let (c, _) = translate("[extend]\nusedefault = true\n");
        assert!(c.disable_rules.is_empty());
        let mut c = Config::default();
        let e = translate_into(&mut c, Path::new(".gitleaks.toml"), "[[rules]]\nid = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(".gitleaks.toml") && e.contains("id"), "{e}");
        let e = translate_into(
            &mut c,
            Path::new(".gitleaks.toml"),
            "[[allowlists]]\ncondition = \"XOR\"\npaths = ['a']\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("XOR"), "{e}");
    }
}
