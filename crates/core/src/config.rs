//! `.vigil.toml`: the repository's own settings, rules and allowlists.
use std::path::{Path, PathBuf};

use serde::Deserialize;
use vigil_git::MemoryBudget;
use vigil_model::{FailOn, Origin};
use vigil_secrets::{
    builtin_rule_specs, Allowlist, AllowlistSpec, Detector, DetectorOptions, FingerprintKey,
    Fragment, Rule, RuleError, RuleSpec,
};

use crate::size::parse_size;

/// The file name looked for at the repository or folder root.
pub const CONFIG_FILE: &str = ".vigil.toml";

/// What is wrong with a configuration, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// The file is not valid TOML, or a value has the wrong type: `at` is
    /// `LINE:COLUMN: MESSAGE (at `the line, cut and redacted`)`.
    #[error("{path}:{at}")]
    Syntax { path: PathBuf, at: String },
    #[error("{}", named(path, source))]
    Rule { path: PathBuf, source: RuleError },
    #[error(
        "{path}: [scan] disable_rules names `{id}`, which is not a rule (`vigil rules` lists them)"
    )]
    UnknownRule { path: PathBuf, id: String },
    #[error("{path}: [allowlist]: {message}")]
    Allowlist { path: PathBuf, message: String },
    #[error("{path}: rule `{id}` does not find its own example {example:?}")]
    ExampleMissed {
        path: PathBuf,
        id: String,
        example: String,
    },
    #[error("{path}: rule `{id}` finds its own negative example {example:?}")]
    NegativeMatched {
        path: PathBuf,
        id: String,
        example: String,
    },
    #[error("built-in rules are broken: {0}")]
    Builtin(RuleError),
}

#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "expected a size, a number of bytes (1048576) or a string with a unit (\"500k\", \"10MiB\", \"1 GiB\")"
)]
enum SizeValue {
    Bytes(u64),
    Text(String),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ScanSection {
    max_file_size: Option<SizeValue>,
    memory: Option<SizeValue>,
    #[serde(default)]
    disable_rules: Vec<String>,
    gitignore: Option<bool>,
    archives: Option<bool>,
    fingerprint_key: Option<String>,
    fail_on: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    scan: ScanSection,
    #[serde(default)]
    allowlist: AllowlistSpec,
    #[serde(default)]
    rule: Vec<RuleSpec>,
    #[serde(default)]
    release: crate::release::ReleaseConfig,
    #[serde(default)]
    verify: crate::verify::VerifyConfig,
}

/// A loaded configuration; `Config::default()` is "no file".
#[derive(Debug, Default)]
pub struct Config {
    /// The file it came from.
    pub path: Option<PathBuf>,
    pub max_file_size: Option<u64>,
    /// `[scan] memory`: what a git scan's caches may hold.
    pub memory: Option<MemoryBudget>,
    pub gitignore: Option<bool>,
    /// `[scan] archives`: open archives and scan the files inside (default true).
    pub archives: Option<bool>,
    pub disable_rules: Vec<String>,
    /// Built-in rules that a custom rule of the same id replaces (a `.gitleaks.toml`
    /// rule named like one of gitleaks' default rules, as gitleaks' own rules override
    /// the defaults): off, while the custom rule stays on.
    pub replaced_rules: Vec<String>,
    /// `[scan] fingerprint_key`: keys every finding's fingerprint, so published
    /// fingerprints (baselines, SARIF) cannot be used to test guesses of a secret.
    pub fingerprint_key: Option<FingerprintKey>,
    /// `[scan] fail_on`: which findings fail a scan.
    pub fail_on: Option<FailOn>,
    pub allowlist: AllowlistSpec,
    pub rules: Vec<RuleSpec>,
    /// A `.gitleaks.toml` read into this configuration: what vigil applies after the
    /// scan, and what could not be translated (see [`crate::migrate::gitleaks`]).
    pub gitleaks: Option<crate::suppress::gitleaks::Gitleaks>,
    /// `[release]`: what `vigil verify-artifact` expects of a signed release.
    pub release: crate::release::ReleaseConfig,
    /// `[verify]`: the trust policy `vigil verify` checks commits and tags against.
    pub verify: crate::verify::VerifyConfig,
}

impl Config {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = crate::input::read_text(path)?;
        Config::parse(path, &text)
    }

    /// Parses `text`; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let parse_err = |message: String| ConfigError::Parse {
            path: path.to_owned(),
            message,
        };
        let file: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_owned(),
            at: crate::input::toml_error(text, &e),
        })?;
        let size = |value: Option<SizeValue>, name: &str| match value {
            None => Ok(None),
            Some(SizeValue::Bytes(n)) => Ok(Some(n)),
            Some(SizeValue::Text(t)) => parse_size(&t)
                .map(Some)
                .map_err(|m| parse_err(format!("[scan] {name}: {m}"))),
        };
        let max_file_size = size(file.scan.max_file_size, "max_file_size")?;
        let memory = size(file.scan.memory, "memory")?
            .map(|bytes| memory_budget(bytes).map_err(|m| parse_err(format!("[scan] memory: {m}"))))
            .transpose()?;
        let fingerprint_key = match &file.scan.fingerprint_key {
            None => None,
            Some(hex) => Some(parse_fingerprint_key(hex).map_err(parse_err)?),
        };
        let fail_on = match &file.scan.fail_on {
            None => None,
            Some(name) => {
                Some(FailOn::parse(name).map_err(|m| parse_err(format!("[scan] fail_on: {m}")))?)
            }
        };
        Allowlist::compile(&file.allowlist).map_err(|message| ConfigError::Allowlist {
            path: path.to_owned(),
            message,
        })?;
        file.release.validate().map_err(parse_err)?;
        file.verify.validate().map_err(parse_err)?;
        Ok(Config {
            path: Some(path.to_owned()),
            max_file_size,
            memory,
            gitignore: file.scan.gitignore,
            archives: file.scan.archives,
            disable_rules: file.scan.disable_rules,
            replaced_rules: Vec::new(),
            fingerprint_key,
            fail_on,
            allowlist: file.allowlist,
            rules: file.rule,
            gitleaks: None,
            release: file.release,
            verify: file.verify,
        })
    }

    /// The directory holding the configuration file, which its path globs are relative to.
    pub fn root(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// Built-in rules less the disabled ones, plus this file's rules, each custom rule
    /// checked against its own examples so a broken rule is caught when it is written.
    pub fn detector(&self, options: DetectorOptions) -> Result<Detector, ConfigError> {
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(CONFIG_FILE));
        let builtin = builtin_rule_specs().map_err(ConfigError::Builtin)?;
        let mut known: Vec<&str> = builtin.iter().map(|s| s.id.as_str()).collect();
        known.extend(self.rules.iter().map(|s| s.id.as_str()));
        if let Some(id) = self
            .disable_rules
            .iter()
            .find(|id| !known.contains(&id.as_str()))
        {
            return Err(ConfigError::UnknownRule {
                path,
                id: id.clone(),
            });
        }
        let enabled = |s: &RuleSpec| !self.disable_rules.contains(&s.id);
        // Built-in rules are checked in full when first needed (see `Rule::deferred`).
        let mut rules = builtin
            .into_iter()
            .filter(|s| enabled(s) && !self.replaced_rules.contains(&s.id))
            .map(|spec| Rule::deferred(spec, "built-in rules"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ConfigError::Builtin)?;
        let source = path.display().to_string();
        for spec in self.rules.iter().filter(|s| enabled(s)) {
            let rule =
                Rule::compile(spec.clone(), &source).map_err(|source| ConfigError::Rule {
                    path: path.clone(),
                    source,
                })?;
            rule.check_regex().map_err(|source| ConfigError::Rule {
                path: path.clone(),
                source,
            })?;
            check_examples(&rule, &path)?;
            rules.push(rule);
        }
        let allowlist =
            Allowlist::compile(&self.allowlist).map_err(|message| ConfigError::Allowlist {
                path: path.clone(),
                message,
            })?;
        Detector::new(rules, allowlist, options)
            .map_err(|source| ConfigError::Rule { path, source })
    }
}

/// A rule's error, which names the file it was compiled from, said once: the file is
/// added only when the error does not start with it (a rule defined twice).
fn named(path: &Path, e: &RuleError) -> String {
    let file = path.display().to_string();
    let text = e.to_string();
    if text.starts_with(&file) {
        text
    } else {
        format!("{file}: {text}")
    }
}

/// 64 hex digits (32 random bytes, e.g. from `openssl rand -hex 32`).
fn parse_fingerprint_key(hex: &str) -> Result<FingerprintKey, String> {
    let expected = "[scan] fingerprint_key: expected 64 hex digits (32 random bytes, e.g. from `openssl rand -hex 32`)";
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return Err(format!("{expected}, found {} characters", bytes.len()));
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut key = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        match (digit(pair[0]), digit(pair[1])) {
            (Some(h), Some(l)) => key[i] = h << 4 | l,
            _ => return Err(format!("{expected}, found a character that is not one")),
        }
    }
    Ok(FingerprintKey(key))
}

fn check_examples(rule: &Rule, path: &Path) -> Result<(), ConfigError> {
    if rule.spec.examples.is_empty() && rule.spec.negative_examples.is_empty() {
        return Ok(());
    }
    let spec = rule.spec.clone();
    let alone = Detector::new(
        vec![
            Rule::compile(spec.clone(), &path.display().to_string()).map_err(|source| {
                ConfigError::Rule {
                    path: path.to_owned(),
                    source,
                }
            })?,
        ],
        Allowlist::default(),
        DetectorOptions::default(),
    )
    .map_err(|source| ConfigError::Rule {
        path: path.to_owned(),
        source,
    })?;
    let origin = Origin::path("example");
    let finds = |text: &str| {
        !alone
            .scan(&Fragment::new(&origin, text.as_bytes()))
            .is_empty()
    };
    if let Some(ex) = spec.examples.iter().find(|e| !finds(e)) {
        return Err(ConfigError::ExampleMissed {
            path: path.to_owned(),
            id: spec.id,
            example: ex.clone(),
        });
    }
    if let Some(ex) = spec.negative_examples.iter().find(|e| finds(e)) {
        return Err(ConfigError::NegativeMatched {
            path: path.to_owned(),
            id: spec.id,
            example: ex.clone(),
        });
    }
    Ok(())
}

/// A memory budget of `bytes`, which must be at least what a git scan needs.
pub(crate) fn memory_budget(bytes: u64) -> Result<MemoryBudget, String> {
    MemoryBudget::new(bytes).ok_or_else(|| {
        format!(
            "{} is below the {} a git scan needs at least",
            crate::input::human_size(bytes),
            crate::input::human_size(MemoryBudget::MIN_BYTES)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new(".vigil.toml"), text)
    }

    #[test]
    fn empty_config_builds_the_builtin_detector() {
        let c = parse("").unwrap();
        assert!(c.detector(DetectorOptions::default()).is_ok());
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = parse("[scan]\nmax_file_size = \n").unwrap_err().to_string();
        assert!(e.starts_with(".vigil.toml:2:"), "{e}");
        // a wrong type says what a size looks like, not how serde tried to read it
        let e = parse("[scan]\nmax_file_size = true\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(".vigil.toml:2:17: expected a size")
                && e.contains("10MiB")
                && e.contains("`max_file_size = true`")
                && !e.contains("untagged"),
            "{e}"
        );
        let e = parse("[scan]\nmemory = \"lots\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("[scan] memory:") && e.contains("lots"), "{e}");
        let c = parse("[scan]\nmemory = \"300MiB\"\n").expect("a size");
        assert_eq!(c.memory.map(MemoryBudget::bytes), Some(300 << 20));
        let e = parse("[scan]\nmemory = \"1M\"\n").unwrap_err().to_string();
        assert!(e.contains("1 MiB is below the 32 MiB"), "{e}");
        let e = parse("[scan]\nbogus = 1\n").unwrap_err().to_string();
        assert!(e.contains("bogus"), "{e}");
        let e = parse("[scan]\nmax_file_size = \"ten\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("max_file_size"), "{e}");
    }

    #[test]
    fn custom_rule_with_bad_regex_is_named() {
        let c =
            parse("[[rule]]\nid = \"acme\"\ndescription = \"d\"\nregex = '(unclosed'\n").unwrap();
        let e = c
            .detector(DetectorOptions::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("acme") && e.contains("regex"), "{e}");
    }

    #[test]
    fn custom_rule_examples_are_checked() {
        let c = parse(
            "[[rule]]\nid = \"acme\"\ndescription = \"d\"\nkeywords = [\"acme_\"]\nregex = '(acme_[a-z0-9]{16})'\nexamples = [\"acme_short\"]\n",
        )
        .unwrap();
        let e = c
            .detector(DetectorOptions::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("does not find its own example"), "{e}");
    }

    #[test]
    fn fingerprint_keys_are_64_hex_digits_and_never_echoed() {
        let key = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
        let c = parse(&format!("[scan]\nfingerprint_key = \"{key}\"\n")).unwrap();
        assert_eq!(c.fingerprint_key.map(|k| k.0[1]), Some(0x11));
        let e = parse("[scan]\nfingerprint_key = \"s3cr3t-but-short\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("64 hex digits") && !e.contains("s3cr3t"), "{e}");
        let bad = format!("{}zz", &key[..62]);
        let e = parse(&format!("[scan]\nfingerprint_key = \"{bad}\"\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not one") && !e.contains(&bad), "{e}");
    }

    #[test]
    fn unknown_disabled_rule_is_an_error() {
        let c = parse("[scan]\ndisable_rules = [\"no-such-rule\"]\n").unwrap();
        assert!(matches!(
            c.detector(DetectorOptions::default()),
            Err(ConfigError::UnknownRule { .. })
        ));
    }
}
