//! The signed tags a merge commit carries. `git merge` of a signed tag writes the whole
//! tag object into the merge commit as a `mergetag` header, each line after the first
//! continued with one leading space (git's `add_mergetag` and
//! `read_commit_extra_header_lines`, commit.c). The merge's own signature covers these
//! bytes; the tag's signature covers the tag, and is split as git splits a tag
//! (`show_one_mergetag`, log-tree.c).
use crate::signed::{split_tag, Split};

/// One `mergetag` header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeTag {
    /// The embedded tag object, as git reads it (continuation spaces removed).
    pub raw: Vec<u8>,
    /// It, split as git splits a tag.
    pub split: Split,
    /// Why it is not a tag object git would parse (`object <id>`, `type`, `tag`, then
    /// `tagger`, in that order), when it is not.
    pub problem: Option<String>,
}

/// Every `mergetag` header of a raw commit, in order. Never fails.
pub fn merge_tags(raw: &[u8]) -> Vec<MergeTag> {
    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut rest = raw;
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        if line.first() == Some(&b' ') {
            if let Some(value) = current.as_mut() {
                value.extend_from_slice(&line[1..]);
            }
            continue;
        }
        found.extend(current.take());
        if line == b"\n" {
            break;
        }
        if let Some(value) = line.strip_prefix(b"mergetag ") {
            current = Some(value.to_vec());
        } else if line == b"mergetag\n" || line == b"mergetag" {
            current = Some(Vec::new());
        }
    }
    found.extend(current);
    found
        .into_iter()
        .map(|raw| MergeTag {
            split: split_tag(&raw),
            problem: problem(&raw),
            raw,
        })
        .collect()
}

/// Checks the first four lines as git's `parse_tag_buffer` and fsck do.
fn problem(raw: &[u8]) -> Option<String> {
    let mut lines = raw.split(|&b| b == b'\n');
    let expected: [(&str, &str); 4] = [
        ("object ", "object <id>"),
        ("type ", "type <kind>"),
        ("tag ", "tag <name>"),
        ("tagger ", "tagger <name> <email> <time> <zone>"),
    ];
    for (n, (prefix, shape)) in expected.iter().enumerate() {
        let line = lines.next().unwrap_or_default();
        let value = line
            .strip_prefix(prefix.as_bytes())
            .filter(|v| !v.is_empty());
        let ok = match (n, value) {
            (0, Some(id)) => {
                matches!(id.len(), 40 | 64)
                    && id
                        .iter()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            }
            (_, v) => v.is_some(),
        };
        if !ok {
            let found = String::from_utf8_lossy(line);
            return Some(format!(
                "line {} of the embedded tag should be `{shape}`, found {:?}",
                n + 1,
                vigil_model::excerpt(&found)
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str = "object 1111111111111111111111111111111111111111\ntype commit\ntag v1.0\ntagger T <t@x> 9 +0000\n\nv1.0\n-----BEGIN SSH SIGNATURE-----\nU1NI\n-----END SSH SIGNATURE-----\n";

    fn header(tag: &str) -> String {
        let mut lines = tag.lines();
        let mut out = format!("mergetag {}\n", lines.next().unwrap());
        for l in lines {
            out.push_str(&format!(" {l}\n"));
        }
        out
    }

    #[test]
    fn each_mergetag_is_the_tag_git_wrote() {
        let raw = format!(
            "tree t\nparent a\nparent b\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n{}{}gpgsig -----BEGIN SSH SIGNATURE-----\n x\n -----END SSH SIGNATURE-----\n\nmergetag not a header\n",
            header(TAG),
            header(&TAG.replace("v1.0", "v1.1"))
        );
        let found = merge_tags(raw.as_bytes());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].raw, TAG.as_bytes());
        assert_eq!(found[0].split.tag_name.as_deref(), Some("v1.0"));
        assert_eq!(found[0].split.signer.email, "t@x");
        assert!(found[0].split.signature.is_some());
        assert!(found[0].split.payload.ends_with(b"\n\nv1.0\n"));
        assert_eq!(found[0].problem, None);
        assert_eq!(found[1].split.tag_name.as_deref(), Some("v1.1"));
        assert!(merge_tags(b"tree t\n\nmergetag object x\n").is_empty());
    }

    #[test]
    fn a_mergetag_that_is_no_tag_says_why() {
        for (raw, line) in [
            ("mergetag not a tag\n\nm", 1),
            ("mergetag\n\nm", 1),
            ("mergetag object 1111111111111111111111111111111111111111\n type commit\n tagger T <t@x> 9 +0000\n\nm", 3),
            ("mergetag object 11\n type commit\n tag v\n tagger T\n", 1),
            ("mergetag object 1111111111111111111111111111111111111111\n type commit\n tag v\n", 4),
        ] {
            let found = merge_tags(raw.as_bytes());
            assert_eq!(found.len(), 1, "{raw:?}");
            let p = found[0].problem.as_deref().unwrap_or_else(|| panic!("{raw:?}"));
            assert!(p.starts_with(&format!("line {line} ")), "{raw:?}: {p}");
        }
        for raw in [
            &b""[..],
            b"mergetag",
            b"mergetag ",
            b" \n \n",
            b"mergetag \xff\n \xfe",
        ] {
            let _ = merge_tags(raw);
        }
    }
}
