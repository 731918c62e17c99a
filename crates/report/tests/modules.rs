//! The crate's module graph stays acyclic: leaves import no format, the format modules
//! import only leaves, and only the dispatcher (`format`) and the modules above it
//! (`merge`) import the formats. Read
//! from the sources, so a new `use crate::…` that breaks the rule fails here.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::{collections::BTreeMap, path::PathBuf};

/// The modules that write one format each.
const FORMATS: &[&str] = &[
    "github", "gitlab", "human", "json", "jsonl", "junit", "release", "sarif", "verdict",
];
/// The one module allowed to import the formats.
const DISPATCHER: &str = "format";
/// Modules above the dispatcher: they may import it, the formats and the leaves, and
/// nothing imports them.
const TOP: &[&str] = &["merge"];
/// Modules that import no format and not the dispatcher.
const LEAVES: &[&str] = &[
    "options", "order", "records", "report", "text", "time", "units",
];

/// The crate modules `source` names (`crate::x…` or `crate::{x…, y…}`), outside
/// comments and `#[cfg(test)]` modules.
fn imports(source: &str) -> Vec<String> {
    let code: String = source
        .split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the brace group.
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(ident(&group[start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(ident(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty());
    out.sort();
    out.dedup();
    out
}

fn graph() -> BTreeMap<String, Vec<String>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut g = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" {
            continue;
        }
        g.insert(name, imports(&std::fs::read_to_string(&path).unwrap()));
    }
    g
}

#[test]
fn imports_point_one_way() {
    let g = graph();
    for (module, deps) in &g {
        let allowed: Vec<&str> = if TOP.contains(&module.as_str()) {
            FORMATS
                .iter()
                .chain(LEAVES)
                .chain([&DISPATCHER])
                .copied()
                .collect()
        } else if *module == DISPATCHER {
            FORMATS.iter().chain(LEAVES).copied().collect()
        } else if FORMATS.contains(&module.as_str()) || LEAVES.contains(&module.as_str()) {
            LEAVES.to_vec()
        } else {
            panic!("src/{module}.rs is new: list it in tests/modules.rs as a format or a leaf")
        };
        for d in deps {
            assert!(
                allowed.contains(&d.as_str()) && d != module,
                "src/{module}.rs imports crate::{d}, which it may not"
            );
        }
    }
}

#[test]
fn the_graph_is_acyclic() {
    let g = graph();
    // Depth-first search with colours: reaching a module still on the stack is a cycle.
    fn visit<'a>(
        m: &'a str,
        g: &'a BTreeMap<String, Vec<String>>,
        state: &mut BTreeMap<&'a str, bool>,
        path: &mut Vec<&'a str>,
    ) {
        match state.get(m) {
            Some(true) => return,
            Some(false) => panic!("import cycle: {} -> {m}", path.join(" -> ")),
            None => {}
        }
        state.insert(m, false);
        path.push(m);
        for d in g.get(m).into_iter().flatten() {
            // Names that are not modules (the root's re-exports) lead nowhere.
            if g.contains_key(d) {
                visit(d, g, state, path);
            }
        }
        path.pop();
        state.insert(m, true);
    }
    let mut state = BTreeMap::new();
    for m in g.keys() {
        visit(m, &g, &mut state, &mut Vec::new());
    }
}

#[test]
fn the_parser_sees_grouped_and_nested_imports() {
    let src = "use crate::{\n    options::Redaction,\n    records::{a, b},\n    report::Report,\n};\n// crate::nope\nfn f() { crate::time::utc_timestamp(); }\n#[cfg(test)]\nmod tests { use crate::json; }";
    assert_eq!(imports(src), ["options", "records", "report", "time"]);
}
