//! A `.gitleaks.toml` translated into vigil's configuration, plus the post-scan filter
//! ([`Gitleaks`]) for what that configuration cannot hold, plus a warning for each
//! part not translated.
use std::path::Path;

use regex::Regex;
use toml::Table;
use vigil_model::Severity;
use vigil_secrets::{AllowlistSpec, Rule, RuleSpec};

use super::{
    allowlist::{apply_rule_allowlists, translate_global_allowlists, Targeted},
    re2::re2_to_rust,
    read::{get, read_allowlists, tables, unknown_keys, RawAllowlist, Reader, GITLEAKS_CONFIG},
    rule_map::{builtin_rule_ids, vigil_rules_for},
};
use crate::{
    config::{Config, ConfigError},
    suppress::gitleaks::{kebab, Gitleaks},
};

/// The top-level keys gitleaks reads.
const TOP_LEVEL_KEYS: &[&str] = &[
    "title",
    "description",
    "extend",
    "rules",
    "allowlist",
    "allowlists",
    "minVersion",
];
/// The keys of `[extend]`.
const EXTEND_KEYS: &[&str] = &["useDefault", "path", "url", "disabledRules"];
/// The keys of a `[[rules]]` table.
const RULE_KEYS: &[&str] = &[
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
];

/// Translates the text of a `.gitleaks.toml` into `config`; returns the post-scan part.
pub fn translate_into(
    config: &mut Config,
    path: &Path,
    text: &str,
) -> Result<Gitleaks, ConfigError> {
    let doc: Table = toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: path.to_owned(),
        at: crate::input::toml_error(text, &e),
    })?;
    let mut t = Translation {
        r: Reader { path },
        builtin: builtin_rule_ids()?,
        builtin_on: false,
        config,
        gl: Gitleaks {
            source: path.to_owned(),
            ..Gitleaks::default()
        },
    };
    unknown_keys(&doc, TOP_LEVEL_KEYS, "top level", &mut t.gl.warnings);
    let extend = t.extend(&doc)?;
    t.builtin_on = extend.use_default || extend.keep_builtin;
    let mut targeted = t.rules(&doc, extend.use_default)?;
    if !extend.use_default && !extend.keep_builtin {
        // As in gitleaks: a configuration that does not extend the default replaces it.
        t.disable_builtin_rules();
    }
    targeted.extend(translate_global_allowlists(
        &t.r, &doc, t.config, &mut t.gl, &t.builtin,
    )?);
    apply_rule_allowlists(t.config, &mut t.gl, targeted);
    if !t.builtin_on && t.config.rules.is_empty() {
        return Err(t.no_rule_in_force(&doc));
    }
    Ok(t.gl)
}

/// A translation under way: the file read, the configuration it goes into, the
/// post-scan filter it fills.
struct Translation<'a> {
    r: Reader<'a>,
    config: &'a mut Config,
    gl: Gitleaks,
    /// The ids of vigil's built-in rules.
    builtin: Vec<String>,
    /// Whether they stay on (`[extend]` says so), those the file's rules replace aside.
    builtin_on: bool,
}

/// What `[extend]` says about gitleaks' default rules.
struct Extend {
    /// `useDefault = true`: they stay on (as vigil's built-in rules).
    use_default: bool,
    /// A `path` or `url` names a configuration to extend, which is not read: vigil's
    /// built-in rules stay on in its place.
    keep_builtin: bool,
}

/// Adds `id` to the rules `config` disables, unless it is there already.
fn disable(config: &mut Config, id: &str) {
    if !config.disable_rules.iter().any(|d| d == id) {
        config.disable_rules.push(id.to_owned());
    }
}

impl Translation<'_> {
    /// `[extend]`: `useDefault`, the configuration extended (`path`, `url`) and
    /// `disabledRules`.
    fn extend(&mut self, doc: &Table) -> Result<Extend, ConfigError> {
        let mut extend = Extend {
            use_default: false,
            keep_builtin: false,
        };
        let Some(ext) = get(doc, "extend") else {
            return Ok(extend);
        };
        let Some(ext) = ext.as_table() else {
            return Err(self.r.err("[extend] must be a table".into()));
        };
        unknown_keys(ext, EXTEND_KEYS, "[extend]", &mut self.gl.warnings);
        extend.use_default = self
            .r
            .boolean(ext, "useDefault", "[extend]")?
            .unwrap_or(false);
        for key in ["path", "url"] {
            if let Some(p) = self.r.string(ext, key, "[extend]")? {
                self.gl.warnings.push(format!(
                    "[extend] {key} = {p:?}: the extended configuration is not read; vigil's built-in rules stay on in its place"
                ));
                extend.keep_builtin = true;
            }
        }
        for id in self.r.strings(ext, "disabledRules", "[extend]")? {
            self.disable_counterparts(id);
        }
        Ok(extend)
    }

    /// `[extend] disabledRules`: disables the vigil rules that stand for gitleaks rule `id`.
    fn disable_counterparts(&mut self, id: String) {
        let vigil = vigil_rules_for(&id, &self.builtin);
        if vigil.is_empty() {
            self.gl.warnings.push(format!(
                "[extend] disabledRules: gitleaks rule `{id}` has no vigil counterpart; nothing disabled for it"
            ));
        }
        for v in &vigil {
            disable(self.config, v);
        }
        self.gl.rule_ids.push((id, vigil));
    }

    /// Disables every built-in rule: only the file's rules run (those that replace a
    /// built-in of the same id are off already, see `custom_rule_id`).
    fn disable_builtin_rules(&mut self) {
        for id in &self.builtin {
            if !self.config.replaced_rules.contains(id) {
                disable(self.config, id);
            }
        }
    }

    /// The error for a file that replaces vigil's built-in rules (no `[extend]
    /// useDefault = true`) with rules of which none could be translated: scanning with
    /// no rule would look clean.
    fn no_rule_in_force(&self, doc: &Table) -> ConfigError {
        let n = tables(doc, "rules").len();
        let why = if n == 0 {
            "it has no [[rules]]".to_owned()
        } else {
            let reasons: Vec<&str> = self
                .gl
                .warnings
                .iter()
                .filter(|w| w.starts_with("rule `"))
                .map(String::as_str)
                .take(3)
                .collect();
            format!(
                "none of its {n} [[rules]] could be translated ({}{})",
                reasons.join("; "),
                if reasons.len() < n { "; …" } else { "" }
            )
        };
        self.r.err(format!(
            "no rule would be in force: {why}, and without [extend] useDefault = true vigil's built-in rules are off, as gitleaks' defaults would be; fix the rules or add [extend] useDefault = true"
        ))
    }

    /// `[[rules]]`, in order. Returns their allowlists with the vigil rules each is for,
    /// to apply once every rule is known.
    fn rules(&mut self, doc: &Table, use_default: bool) -> Result<Vec<Targeted>, ConfigError> {
        let mut taken: Vec<String> = self.config.rules.iter().map(|s| s.id.clone()).collect();
        let source = self.r.path.display().to_string();
        let mut targeted = Vec::new();
        for (n, t) in tables(doc, "rules").into_iter().enumerate() {
            targeted.extend(self.rule(n, t, use_default, &mut taken, &source)?);
        }
        Ok(targeted)
    }

    /// The `n`-th `[[rules]]` table (from 0): a custom rule, the extension of a
    /// gitleaks default rule, or only a warning. `taken` holds the custom rule ids so
    /// far. Returns its allowlists with the vigil rules they are for.
    fn rule(
        &mut self,
        n: usize,
        t: &Table,
        use_default: bool,
        taken: &mut Vec<String>,
        source: &str,
    ) -> Result<Vec<Targeted>, ConfigError> {
        let r = &self.r;
        let gid = r
            .string(t, "id", &format!("[[rules]] #{}", n + 1))?
            .ok_or_else(|| r.err(format!("[[rules]] #{}: a rule needs an `id`", n + 1)))?;
        let place = format!("rule `{gid}`");
        unknown_keys(t, RULE_KEYS, &place, &mut self.gl.warnings);
        let regex = r.string(t, "regex", &place)?.map(|re| re2_to_rust(&re));
        let path_re = r.string(t, "path", &place)?.map(|re| re2_to_rust(&re));
        let allowlists = read_allowlists(r, t, &place)?;
        if r.boolean(t, "skipReport", &place)?.unwrap_or(false) {
            self.gl.warnings.push(format!(
                "{place}: skipReport = true (only a part of other rules' `required`): not translated"
            ));
            return Ok(Vec::new());
        }
        let Some(regex) = regex else {
            return Ok(self.rule_without_regex(
                gid,
                &place,
                path_re.is_some(),
                allowlists,
                use_default,
            ));
        };
        let id = self.custom_rule_id(&gid, n, &place, taken);
        let spec = self.rule_spec(t, &place, &gid, &id, regex)?;
        if let Err(e) = Rule::compile(spec.clone(), source) {
            self.gl.warnings.push(format!(
                "{place} is not translated: {e} (gitleaks uses Go RE2 syntax; vigil the Rust `regex` crate, bytes with Unicode classes off)"
            ));
            return Ok(Vec::new());
        }
        if self.builtin.contains(&id) {
            // The file's rule replaces the built-in of the same id, as gitleaks' own
            // rules override the defaults they extend (worth a word only where the
            // built-in rules stay on).
            self.config.replaced_rules.push(id.clone());
            if self.builtin_on {
                self.gl.warnings.push(format!(
                    "{place} replaces vigil's built-in rule of the same id"
                ));
            }
        }
        if let Some(p) = path_re {
            self.restrict_to_paths(&place, &id, &p);
        }
        taken.push(id.clone());
        self.config.rules.push(spec);
        let targeted = allowlists
            .into_iter()
            .map(|a| (vec![id.clone()], a))
            .collect();
        self.gl.rule_ids.push((gid, vec![id]));
        Ok(targeted)
    }

    /// A rule without a regex: a path-only rule (not translated), or the extension of
    /// a gitleaks default rule, whose allowlists then apply to vigil's counterparts.
    fn rule_without_regex(
        &mut self,
        gid: String,
        place: &str,
        has_path: bool,
        allowlists: Vec<RawAllowlist>,
        use_default: bool,
    ) -> Vec<Targeted> {
        if has_path {
            self.gl.warnings.push(format!(
                "{place}: a path-only rule (reports files by name) is not translated; vigil reports secrets, not files"
            ));
            return Vec::new();
        }
        // An extension of a default rule (allowlists, keywords, tags for it).
        let vigil = vigil_rules_for(&gid, &self.builtin);
        let mut targeted = Vec::new();
        if !use_default || vigil.is_empty() {
            self.gl.warnings.push(format!(
                "{place} has no regex and extends a gitleaks default rule vigil has no counterpart for; not translated"
            ));
        } else {
            targeted.extend(allowlists.into_iter().map(|a| (vigil.clone(), a)));
        }
        self.gl.rule_ids.push((gid, vigil));
        targeted
    }

    /// The vigil id of rule `gid`, the `n`-th: kebab-case, and unique among `taken`.
    fn custom_rule_id(&mut self, gid: &str, n: usize, place: &str, taken: &[String]) -> String {
        let mut id = kebab(gid);
        if id.is_empty() {
            id = format!("gitleaks-rule-{}", n + 1);
        }
        let base = id.clone();
        let mut k = 2;
        while taken.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        if id != gid {
            self.gl.warnings.push(format!(
                "{place} is called `{id}` in vigil (rule ids are kebab-case and unique)"
            ));
        }
        id
    }

    /// The custom rule `id` that rule `gid` (table `t`) becomes; its regex is not
    /// compiled yet.
    fn rule_spec(
        &mut self,
        t: &Table,
        place: &str,
        gid: &str,
        id: &str,
        regex: String,
    ) -> Result<RuleSpec, ConfigError> {
        let keywords = self.keywords(t, place)?;
        let r = &self.r;
        let secret_group = r
            .number(t, "secretGroup", place)?
            .filter(|g| *g > 0.0)
            .map(|g| g as usize);
        let entropy = r.number(t, "entropy", place)?.filter(|e| *e > 0.0);
        if let Some(req) = get(t, "required") {
            let n = req.as_array().map_or(1, Vec::len);
            self.gl.warnings.push(format!(
                "{place}: its {n} `required` companion rule(s) are not checked; it reports on its own regex alone"
            ));
        }
        Ok(RuleSpec {
            id: id.to_owned(),
            description: r
                .string(t, "description", place)?
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| format!("{gid} (from {GITLEAKS_CONFIG})")),
            keywords,
            regex,
            secret_group,
            entropy: entropy.map(|e| e.min(8.0)),
            validators: Vec::new(),
            severity: Severity::High,
            tags: r.strings(t, "tags", place)?,
            generic: false,
            remediation: Some(format!(
                "Revoke or rotate this credential with its issuer (rule `{gid}` from {GITLEAKS_CONFIG})."
            )),
            remediation_url: None,
            allowlist: AllowlistSpec::default(),
            examples: Vec::new(),
            negative_examples: Vec::new(),
        })
    }

    /// A rule's `keywords`, lowercased; none (the rule runs on all content) when one is
    /// empty or not ASCII.
    fn keywords(&mut self, t: &Table, place: &str) -> Result<Vec<String>, ConfigError> {
        let mut keywords: Vec<String> = self
            .r
            .strings(t, "keywords", place)?
            .into_iter()
            .map(|k| k.to_lowercase())
            .collect();
        if keywords.iter().any(|k| k.is_empty() || !k.is_ascii()) {
            self.gl.warnings.push(format!(
                "{place}: a keyword is empty or not ASCII, so the rule runs on all content (no keyword prefilter)"
            ));
            keywords.clear();
        }
        Ok(keywords)
    }

    /// A rule's `path`: rule `id` reports only in files whose path matches, which is
    /// checked after the scan.
    fn restrict_to_paths(&mut self, place: &str, id: &str, p: &str) {
        match Regex::new(p) {
            Ok(re) => self.gl.rule_paths.push((id.to_owned(), re)),
            Err(e) => {
                self.gl.warnings.push(format!(
                    "{place}: path regex {p:?} does not compile ({e}); the rule applies to every path"
                ));
            }
        }
    }
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
