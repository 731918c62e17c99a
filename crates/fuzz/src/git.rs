//! Commit and tag objects split into payload and signature (`vigil_git::signed`), and
//! the signed tags a merge carries (`vigil_git::mergetag`).
use vigil_git::{
    mergetag::merge_tags,
    signed::{split_commit, split_tag, Person, SignatureFormat, Split},
};

/// The raw bytes of a commit (SHA-1 and SHA-256 repositories) and of a tag.
///
/// Invariants: the payload is never longer than the object; an object without any
/// signature header splits into itself; a tag without `gpgsig` headers is exactly its
/// payload followed by its signature; an embedded tag (`mergetag`) is never longer than
/// the commit, and one that reads as a tag has a name.
pub fn git_signed(data: &[u8]) {
    for sha256 in [false, true] {
        let split = split_commit(data, sha256);
        check_common(data, &split);
        if split.signature_count == 0 && split.other_signature_headers.is_empty() {
            assert_eq!(split.payload, data, "an unsigned commit is its own payload");
        }
        assert_eq!(split.signature.is_some(), split.signature_count > 0);
    }
    let split = split_tag(data);
    check_common(data, &split);
    if split.other_signature_headers.is_empty() {
        let mut whole = split.payload.clone();
        whole.extend_from_slice(split.signature.as_deref().unwrap_or_default());
        assert_eq!(whole, data, "a tag is its payload and its signature");
    }
    if let Some(sig) = &split.signature {
        assert!(
            SignatureFormat::of(sig).is_some(),
            "a tag signature starts at a marker"
        );
    }
    let _ = Person::parse(data);
    for tag in merge_tags(data) {
        assert!(
            tag.raw.len() <= data.len(),
            "a mergetag is part of the commit"
        );
        check_common(&tag.raw, &tag.split);
        if tag.problem.is_none() {
            assert!(
                tag.split.tag_name.is_some(),
                "a well-formed mergetag names its tag"
            );
        }
    }
}

fn check_common(data: &[u8], split: &Split) {
    assert!(
        split.payload.len() <= data.len(),
        "the payload is part of the object"
    );
    if let Some(sig) = &split.signature {
        let _ = SignatureFormat::of(sig);
    }
}
