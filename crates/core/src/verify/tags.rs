//! What a signature does not cover by itself: the name a tag is published under, and tag
//! references that name no tag object at all (lightweight tags).
//!
//! - **Name binding**: a tag object names itself (`tag v1.0`), and git hands out the
//!   object under whatever reference points at it. A signed `v1.0` republished as
//!   `refs/tags/v2.0` still verifies with `git verify-tag v2.0`: a rollback. vigil compares
//!   the whole name after `refs/tags/` (`refs/tags/release/v1` must say `tag release/v1`)
//!   and calls a difference `wrong-name`. A tag reached by its id (`--rev <id>`) has no
//!   reference, so nothing to compare.
//! - **Lightweight tags**: a reference under `refs/tags/` that points at a commit (or a
//!   tree or a blob) directly carries no signature of its own: `unsigned`, never skipped.
use vigil_git::SignedObject;
use vigil_model::Verdict;

/// The longest tag name shown in a reason, in characters.
const NAME_CHARS: usize = 100;

/// A tag name (chosen by whoever made the object or the reference) as a reason may show
/// it: control characters escaped, cut short.
pub fn show_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .take(NAME_CHARS)
        .flat_map(|c| {
            let shown: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect();
    if name.chars().count() > NAME_CHARS {
        out.push('…');
    }
    out
}

/// The verdict of a reference under `refs/tags/` that names `what` (a commit, tree or
/// blob) instead of a tag object: nothing signs it, so `unsigned`, whatever it names
/// (a tree or a blob is a legal, well-formed target, not a malformed object).
pub fn lightweight(object: &SignedObject, what: &str) -> (Verdict, String) {
    let name = object.ref_name.as_deref().unwrap_or("the reference");
    (
        Verdict::Unsigned,
        format!(
            "a lightweight tag: `{}` names {what} {} directly, not a signed tag object (make one with `git tag -s`)",
            show_name(name),
            object.id
        ),
    )
}

/// The verdict of a tag whose signature is good but whose name is not the one it is
/// published under; `None` when the names agree or there is no reference to compare.
pub fn name_binding(object: &SignedObject) -> Option<(Verdict, String)> {
    let published = object.ref_name.as_deref()?.strip_prefix("refs/tags/")?;
    match object.split.tag_name.as_deref() {
        Some(signed) if signed == published => None,
        Some(signed) => Some((
            Verdict::WrongName,
            format!(
                "the tag was signed as `{}` but is published as `refs/tags/{}`: a signed tag republished under another name (a rollback?)",
                show_name(signed),
                show_name(published)
            ),
        )),
        None => Some((
            Verdict::Malformed,
            format!(
                "the tag object has no `tag` header, so it does not say which name it was signed for (published as `refs/tags/{}`)",
                show_name(published)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use vigil_git::signed::{split_tag, ObjectKind};

    use super::*;

    fn tag(raw: &[u8], ref_name: Option<&str>) -> SignedObject {
        SignedObject {
            id: "0".repeat(40),
            kind: ObjectKind::Tag,
            ref_name: ref_name.map(str::to_owned),
            split: split_tag(raw),
            malformed: None,
            points_to: None,
            mergetags: Vec::new(),
        }
    }

    #[test]
    fn the_whole_name_after_refs_tags_is_compared() {
        let raw = b"object 1111111111111111111111111111111111111111\ntype commit\ntag release/v1\ntagger T <t@x> 9 +0000\n\nm\n";
        assert_eq!(name_binding(&tag(raw, Some("refs/tags/release/v1"))), None);
        assert_eq!(name_binding(&tag(raw, None)), None);
        for other in [
            "refs/tags/v1",
            "refs/tags/release/v2",
            "refs/tags/x/release/v1",
        ] {
            let (v, reason) = name_binding(&tag(raw, Some(other))).unwrap();
            assert_eq!(v, Verdict::WrongName, "{other}");
            assert!(reason.contains("`release/v1`"), "{reason}");
        }
        let (v, _) =
            name_binding(&tag(b"object x\ntype commit\n\nm\n", Some("refs/tags/v1"))).unwrap();
        assert_eq!(v, Verdict::Malformed);
    }

    #[test]
    fn a_lightweight_tag_is_unsigned_whatever_it_names() {
        for what in ["commit", "tree", "blob"] {
            let mut o = tag(b"", Some("refs/tags/light\u{1b}"));
            o.points_to = Some(what);
            let (v, reason) = lightweight(&o, what);
            assert_eq!(v, Verdict::Unsigned);
            assert!(
                reason.contains(&format!("`refs/tags/light\\u{{1b}}` names {what} 0000")),
                "{reason}"
            );
        }
    }

    #[test]
    fn names_are_shown_escaped_and_cut() {
        assert_eq!(show_name("v1\u{1b}[2J\nx"), "v1\\u{1b}[2J\\nx");
        let long = "v".repeat(300);
        assert_eq!(show_name(&long).chars().count(), NAME_CHARS + 1);
    }
}
