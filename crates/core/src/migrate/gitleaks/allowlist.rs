//! gitleaks allowlists, split between vigil's allowlists (which take the `match` and
//! `line` regexes, one target per allowlist) and the post-scan filter (everything
//! else, with gitleaks' semantics).
use regex::{bytes::Regex as BytesRegex, Regex};
use toml::Table;
use vigil_secrets::AllowlistSpec;

use super::{
    re2::re2_to_rust,
    read::{read_allowlists, RawAllowlist, Reader},
    rule_map::vigil_rules_for,
};
use crate::{
    config::{Config, ConfigError},
    suppress::gitleaks::{Gitleaks, PostAllowlist},
};

/// An allowlist and the vigil rules it is for.
pub(super) type Targeted = (Vec<String>, RawAllowlist);

/// The global allowlists (`[allowlist]`, `[[allowlists]]`), every one read before any
/// is applied. Those without `targetRules` go into vigil's global allowlist; the others
/// are returned with the vigil rules they target (none that targets nothing vigil has).
pub(super) fn translate_global_allowlists(
    r: &Reader<'_>,
    doc: &Table,
    config: &mut Config,
    gl: &mut Gitleaks,
    builtin: &[String],
) -> Result<Vec<Targeted>, ConfigError> {
    let mut targeted = Vec::new();
    for a in read_allowlists(r, doc, "global")? {
        if a.target_rules.is_empty() {
            add_allowlist(
                gl,
                &mut config.allowlist,
                None,
                a,
                "vigil's global allowlist",
            );
            continue;
        }
        let ids = target_rule_ids(gl, &a, builtin);
        if !ids.is_empty() {
            targeted.push((ids, a));
        }
    }
    Ok(targeted)
}

/// The vigil rules `a`'s `targetRules` stand for: those of the file's rules as
/// translated, or vigil's counterparts of gitleaks' default rules. A warning for each
/// named rule that stands for none.
fn target_rule_ids(gl: &mut Gitleaks, a: &RawAllowlist, builtin: &[String]) -> Vec<String> {
    let mut v = Vec::new();
    for g in &a.target_rules {
        let ids = match gl.rule_ids.iter().find(|(x, _)| x == g) {
            Some((_, ids)) => ids.clone(),
            None => vigil_rules_for(g, builtin),
        };
        if ids.is_empty() {
            gl.warnings.push(format!(
                "{}: targetRules names `{g}`, which has no vigil counterpart",
                a.place
            ));
        }
        v.extend(ids);
    }
    v
}

/// Applies allowlists meant for particular rules, in order. `match`/`line` regexes
/// need the rule's own allowlist, which only custom rules have; the other checks run
/// after the scan for any rule.
pub(super) fn apply_rule_allowlists(
    config: &mut Config,
    gl: &mut Gitleaks,
    targeted: Vec<Targeted>,
) {
    for (ids, a) in targeted {
        let (custom, builtin_ids): (Vec<String>, Vec<String>) = ids
            .into_iter()
            .partition(|id| config.rules.iter().any(|s| s.id == *id));
        for id in custom {
            add_to_custom_rule(config, gl, id, a.clone());
        }
        if !builtin_ids.is_empty() {
            add_to_builtin_rules(gl, builtin_ids, a);
        }
    }
}

/// `a` for custom rule `id`: its `match`/`line` regexes into the rule's own allowlist.
fn add_to_custom_rule(config: &mut Config, gl: &mut Gitleaks, id: String, a: RawAllowlist) {
    let Some(i) = config.rules.iter().position(|s| s.id == id) else {
        return;
    };
    let what = format!("rule `{id}`'s allowlist");
    add_allowlist(gl, &mut config.rules[i].allowlist, Some(vec![id]), a, &what);
}

/// `a` for vigil's built-in rules `ids`, whose allowlists are not configurable: only
/// its checks that run after the scan apply (none, when `AND` ties them to regexes on
/// the match or line).
fn add_to_builtin_rules(gl: &mut Gitleaks, ids: Vec<String>, mut a: RawAllowlist) {
    if a.target != "secret" && !a.regexes.is_empty() {
        gl.warnings.push(format!(
            "{}: regexes on the {} cannot be applied to vigil's built-in rules {} (their allowlists are not configurable){}",
            a.place,
            a.target,
            ids.join(", "),
            if a.all { "; the allowlist is not applied to them" } else { "; its other checks are" }
        ));
        if a.all {
            return;
        }
        a.regexes.clear();
    }
    if a.commits.is_empty() && a.paths.is_empty() && a.regexes.is_empty() && a.stopwords.is_empty()
    {
        return;
    }
    let mut unused = AllowlistSpec::default();
    add_allowlist(gl, &mut unused, Some(ids), a, "a built-in rule");
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
        if native {
            gl.in_scan_checks.push(format!(
                "{}: {} regex(es) on the {} in {what}",
                a.place,
                a.regexes.len(),
                a.target
            ));
        }
        if !native && a.all {
            return;
        }
    }
    let mut paths = Vec::new();
    for p in &a.paths {
        match Regex::new(&re2_to_rust(p)) {
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
            match BytesRegex::new(&re2_to_rust(p)) {
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
    slot.regexes
        .extend(a.regexes.iter().map(|r| re2_to_rust(r)));
    true
}
