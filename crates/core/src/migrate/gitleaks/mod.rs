//! `.gitleaks.toml` and `.gitleaksignore`, read as they are.
//!
//! What maps onto vigil's own configuration becomes part of it:
//! - `[[rules]]` with a `regex` become custom rules (`RuleSpec`): `id` (made kebab-case
//!   when it is not), `description`, `regex` (Go RE2 syntax, rewritten where the Rust
//!   `regex` crate differs, see `re2`; a rule whose regex still does not compile is
//!   skipped with a warning), `keywords`, `entropy`, `secretGroup`, `tags`;
//! - `[extend] useDefault = true` keeps vigil's built-in rules (gitleaks' own default
//!   rules are not copied: vigil's built-ins take their place); without it, as in
//!   gitleaks, only the file's rules run; `disabledRules` disables the vigil rules that
//!   correspond to the named gitleaks rules ([`vigil_rules_for`]);
//! - allowlist `regexes` with `regexTarget = "match"` or `"line"` go into vigil's
//!   allowlists, which hold one target each.
//!
//! The rest is applied to findings after the scan by [`Gitleaks::retains`](crate::suppress::gitleaks::Gitleaks::retains), with
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
//!
//! One part per file: `read` (the TOML as gitleaks reads it: keys in any case, typed
//! values, allowlists as written), `re2` (gitleaks' regex syntax in Rust's), `rule_map` (gitleaks rule ids and vigil's),
//! `ignore` (the `.gitleaksignore`), `translate` (a `.gitleaks.toml` into vigil's
//! configuration and the post-scan filter), `allowlist` (its allowlists, split between
//! the two) and `load` (finding and reading the files).
mod allowlist;
mod ignore;
mod load;
mod re2;
mod read;
mod rule_map;
mod translate;

pub use ignore::{parse_gitleaksignore, GITLEAKS_IGNORE};
pub use load::{find_gitleaks_config, load_into};
pub use read::GITLEAKS_CONFIG;
pub use rule_map::vigil_rules_for;
pub use translate::translate_into;
