//! A `.gitleaks.toml` translated into vigil's configuration, plus the post-scan filter
//! ([`Gitleaks`]) for what that configuration cannot hold, plus a warning for each
//! part not translated.
use std::path::Path;

use regex::{bytes::Regex as BytesRegex, Regex};
use toml::Table;
use vigil_secrets::{builtin_rule_specs, AllowlistSpec, Rule, RuleSpec, Severity};

use super::{
    read::{get, read_allowlist, tables, unknown_keys, RawAllowlist, Reader, GITLEAKS_CONFIG},
    rule_map::vigil_rules_for,
};
use crate::{
    config::{Config, ConfigError},
    suppress::gitleaks::{kebab, Gitleaks, PostAllowlist},
};

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
