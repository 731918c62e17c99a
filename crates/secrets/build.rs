//! Embeds every `rules/*.toml` rule file so the built-in rules are data, not code; and
//! the same rules as JSON, which loads several times faster than TOML at start-up.
//! Turns `rules/filters.toml`, the filters' word lists, into Rust constants, so the
//! filters read their lists without parsing anything at start-up.
use std::{env, fs, path::Path, path::PathBuf};

/// The file of filter lists beside the rule files; it holds no rules.
const FILTERS_FILE: &str = "filters.toml";

fn main() {
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("rules");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed={}", dir.display());
    write(&out_dir.join("builtin_rules.rs"), &rule_files(&dir));
    write(
        &out_dir.join("filter_lists.rs"),
        &filter_lists(&dir.join(FILTERS_FILE)),
    );
}

fn rule_files(dir: &Path) -> String {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.extension().is_some_and(|e| e == "toml")
            && p.file_name().is_some_and(|n| n != FILTERS_FILE)
    });
    files.sort();
    let mut out = String::from("/// (file name, contents) of every built-in rule file.\npub static BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n");
    let mut parsed = Vec::new();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
        let value = read_toml(f, &name);
        // JSON has no `nan` or `inf`: serde_json would write null, and a rule's
        // `entropy = nan` would then load as no threshold at all.
        if let Some(x) = non_finite(&value) {
            fail(&format!("{name}: {x} is not a finite number"));
        }
        parsed.push(value);
    }
    out.push_str("];\n");
    let json = serde_json::to_string(&parsed).unwrap_or_else(|e| fail(&e.to_string()));
    out.push_str(&format!(
        "/// Every built-in rule file as JSON, in the order above.\npub static BUILTIN_RULES_JSON: &str = {json:?};\n"
    ));
    out
}

/// What a filter list holds, and so the Rust constant it becomes.
#[derive(Clone, Copy)]
enum Kind {
    /// Strings, in the file's order: `&[&str]`. `lower`: matched against lower-cased
    /// text, so an upper-case letter could never match.
    Words { lower: bool },
    /// Strings matched whole: `&[&str]`, sorted and without duplicates, for `binary_search`.
    Set { lower: bool },
    /// Non-negative integers: `&[usize]`.
    Lengths,
    /// `{ prefix, hex_digits }` tables: `&[(&str, usize)]`.
    Prefixed,
    /// `{ value, source }` tables: exact values (case included) and the `https://` page that
    /// publishes each: `&[(&str, &str)]`, sorted by value for `binary_search`.
    Sourced,
    /// A table of one ASCII character to one lower-case letter: `[u8; 128]` indexed
    /// by the character, 0 where it stands for no letter.
    Letters,
}

/// Every list of `filters.toml` and its kind; each becomes a constant named after it
/// in upper case. A section the file lacks, or one this table lacks, fails the build.
const FILTER_LISTS: &[(&str, Kind)] = &[
    ("placeholder_markers", Kind::Words { lower: true }),
    ("lockfile_names", Kind::Set { lower: false }),
    ("lockfile_extensions", Kind::Words { lower: false }),
    ("badge_markers", Kind::Words { lower: true }),
    ("path_roots", Kind::Words { lower: false }),
    ("template_marker_delimiters", Kind::Words { lower: false }),
    ("non_secret_names", Kind::Words { lower: true }),
    ("lookups", Kind::Words { lower: true }),
    ("hash_prefixes", Kind::Words { lower: true }),
    ("hash_words", Kind::Words { lower: true }),
    ("hex_digest_lengths", Kind::Lengths),
    ("stored_hashes", Kind::Prefixed),
    ("public_names", Kind::Words { lower: true }),
    ("public_prefixes", Kind::Words { lower: true }),
    ("trivial_values", Kind::Set { lower: true }),
    ("stock_password_bases", Kind::Set { lower: true }),
    ("stock_password_leet", Kind::Letters),
    ("stock_password_words", Kind::Words { lower: true }),
    ("vendor_examples", Kind::Sourced),
    ("ui_text_punctuation", Kind::Words { lower: false }),
];

fn filter_lists(path: &Path) -> String {
    println!("cargo:rerun-if-changed={}", path.display());
    let file = read_toml(path, FILTERS_FILE);
    let Some(sections) = file.as_table() else {
        fail(&format!("{FILTERS_FILE}: not a table"))
    };
    if let Some(name) = sections
        .keys()
        .find(|k| !FILTER_LISTS.iter().any(|(n, _)| n == k))
    {
        fail(&format!(
            "{FILTERS_FILE}: [{name}] is not a filter list (src/filter.rs would not use it; build.rs names the lists)"
        ));
    }
    let mut out = format!(
        "/// The filter lists' data file, `rules/{FILTERS_FILE}`, as written.\npub static BUILTIN_FILTERS_TOML: &str = include_str!({:?});\n",
        path.display().to_string()
    );
    for &(name, kind) in FILTER_LISTS {
        let Some(section) = sections.get(name).and_then(toml::Value::as_table) else {
            bad_list(name, "missing (src/filter.rs uses it)")
        };
        if let Some(key) = section
            .keys()
            .find(|k| !["values", "examples", "negative_examples"].contains(&k.as_str()))
        {
            bad_list(
                name,
                &format!("unknown key `{key}` (values, examples, negative_examples)"),
            );
        }
        let values = section
            .get("values")
            .unwrap_or_else(|| bad_list(name, "no `values`"));
        let constant = name.to_ascii_uppercase();
        let rust = match kind {
            Kind::Words { lower } | Kind::Set { lower } => {
                let mut words = strings(values, lower).unwrap_or_else(|m| bad_list(name, &m));
                if matches!(kind, Kind::Set { .. }) {
                    words.sort();
                    words.dedup();
                }
                format!("&[&str] = &{words:?}")
            }
            Kind::Lengths => {
                let lengths = values
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|v| v.as_integer().and_then(|i| usize::try_from(i).ok()))
                            .collect::<Option<Vec<usize>>>()
                    })
                    .unwrap_or_else(|| {
                        bad_list(name, "`values` must be a list of non-negative integers")
                    });
                format!("&[usize] = &{lengths:?}")
            }
            Kind::Prefixed => {
                let pairs = values
                    .as_array()
                    .and_then(|a| a.iter().map(prefixed).collect::<Option<Vec<_>>>())
                    .unwrap_or_else(|| {
                        bad_list(name, "`values` must be a list of { prefix = \"lower-case text\", hex_digits = N }")
                    });
                format!("&[(&str, usize)] = &{pairs:?}")
            }
            Kind::Sourced => {
                let mut pairs = values
                    .as_array()
                    .and_then(|a| a.iter().map(sourced).collect::<Option<Vec<_>>>())
                    .unwrap_or_else(|| {
                        bad_list(name, "`values` must be a list of { value = \"the exact value\", source = \"https://… (the page that publishes it)\" }")
                    });
                pairs.sort();
                if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
                    bad_list(name, &format!("{:?} is listed twice", w[0].0));
                }
                format!("&[(&str, &str)] = &{pairs:?}")
            }
            Kind::Letters => {
                let table = letters(values).unwrap_or_else(|| {
                    bad_list(
                        name,
                        "`values` must be a table of one ASCII character = one lower-case letter",
                    )
                });
                format!("[u8; 128] = {table:?}")
            }
        };
        out.push_str(&format!(
            "/// `[{name}]` of `rules/{FILTERS_FILE}`.\npub(crate) static {constant}: {rust};\n"
        ));
    }
    out
}

/// A list of non-empty strings (an empty one would match everything), in lower case
/// if `lower`.
fn strings(values: &toml::Value, lower: bool) -> Result<Vec<String>, String> {
    let list = values
        .as_array()
        .ok_or("`values` must be a list of strings")?;
    list.iter()
        .map(|v| match v.as_str() {
            Some("") => Err("an empty string would match everything".to_owned()),
            Some(s) if lower && s.bytes().any(|b| b.is_ascii_uppercase()) => Err(format!(
                "{s:?}: the list is compared with lower-cased text, so write it in lower case"
            )),
            Some(s) => Ok(s.to_owned()),
            None => Err(format!("{v}: not a string")),
        })
        .collect()
}

fn prefixed(v: &toml::Value) -> Option<(String, usize)> {
    let t = v.as_table()?;
    let prefix = t.get("prefix")?.as_str()?;
    let digits = usize::try_from(t.get("hex_digits")?.as_integer()?).ok()?;
    let fine = t.len() == 2 && !prefix.bytes().any(|b| b.is_ascii_uppercase());
    fine.then(|| (prefix.to_owned(), digits))
}

/// `{ value, source }`: a non-empty value and the `https://` page it was taken from.
fn sourced(v: &toml::Value) -> Option<(String, String)> {
    let t = v.as_table()?;
    let value = t.get("value")?.as_str()?;
    let source = t.get("source")?.as_str()?;
    let fine = t.len() == 2 && !value.is_empty() && source.starts_with("https://");
    fine.then(|| (value.to_owned(), source.to_owned()))
}

fn letters(v: &toml::Value) -> Option<Vec<u8>> {
    let mut table = vec![0u8; 128];
    for (from, to) in v.as_table()? {
        let (&[f], &[t]) = (from.as_bytes(), to.as_str()?.as_bytes()) else {
            return None;
        };
        if !f.is_ascii() || !t.is_ascii_lowercase() {
            return None;
        }
        table[usize::from(f)] = t;
    }
    Some(table)
}

fn read_toml(path: &Path, name: &str) -> toml::Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("{name}: {e}")));
    toml::from_str(&text).unwrap_or_else(|e| fail(&format!("{name}: {e}")))
}

fn write(dest: &Path, text: &str) {
    if let Err(e) = fs::write(dest, text) {
        fail(&format!("cannot write {}: {e}", dest.display()));
    }
}

fn non_finite(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Float(x) if !x.is_finite() => Some(*x),
        toml::Value::Array(items) => items.iter().find_map(non_finite),
        toml::Value::Table(table) => table.values().find_map(non_finite),
        _ => None,
    }
}

fn bad_list(name: &str, message: &str) -> ! {
    fail(&format!("{FILTERS_FILE}: [{name}]: {message}"))
}

fn fail(message: &str) -> ! {
    println!("cargo:warning=built-in rules: {message}");
    std::process::exit(1);
}
