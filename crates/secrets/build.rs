//! Embeds every `rules/*.toml` file so the built-in rules are data, not code; and
//! the same rules as JSON, which loads several times faster than TOML at start-up.
use std::{env, fs, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
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
        let text = fs::read_to_string(f).unwrap_or_else(|e| fail(&format!("{name}: {e}")));
        let value: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| fail(&format!("{name}: {e}")));
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
    let dest = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default()).join("builtin_rules.rs");
    if let Err(e) = fs::write(&dest, out) {
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

fn fail(message: &str) -> ! {
    println!("cargo:warning=built-in rules: {message}");
    std::process::exit(1);
}
