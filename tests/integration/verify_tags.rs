//! What a signature alone does not bind, against git (fixtures/verify/build.sh `tags`):
//! the name a tag is published under, tag references that name no tag object
//! (lightweight tags: reported, never skipped), and the signed tags a merge carries
//! (`mergetag` headers).
//!
//! Each row records what git says beside vigil's verdict: `git verify-tag` for tag
//! references; for merges `%G?`, `git verify-commit` and what `git log --show-signature`
//! prints about the mergetag (git's `%G?` and `verify-commit` ignore mergetags). vigil is
//! never laxer than git, and stricter only where a row says why.
use std::path::Path;

use crate::{
    harness::rev,
    verify::{build, git, verdicts, verify_trusted},
};

struct Row {
    /// `refs/tags/NAME` (a tag reference) or `c-NAME` (a merge commit).
    what: &'static str,
    /// Whether `git verify-tag` / `git verify-commit` succeeds.
    git_ok: bool,
    /// Merges: a piece of what `git log --show-signature` prints about the mergetag.
    git_shows: &'static str,
    vigil: &'static str,
    /// Why vigil fails what git passes.
    stricter: Option<&'static str>,
    /// A piece of vigil's reason.
    reason: &'static str,
}

const fn row(what: &'static str, git_ok: bool, vigil: &'static str, reason: &'static str) -> Row {
    Row {
        what,
        git_ok,
        git_shows: "",
        vigil,
        stricter: None,
        reason,
    }
}

const fn stricter(
    what: &'static str,
    vigil: &'static str,
    why: &'static str,
    reason: &'static str,
) -> Row {
    Row {
        what,
        git_ok: true,
        git_shows: "",
        vigil,
        stricter: Some(why),
        reason,
    }
}

/// A merge of signed tags: git's `%G?` is `G` and `git verify-commit` passes for all.
const fn merge(
    what: &'static str,
    git_shows: &'static str,
    vigil: &'static str,
    reason: &'static str,
) -> Row {
    Row {
        what,
        git_ok: true,
        git_shows,
        vigil,
        stricter: if matches!(vigil.as_bytes(), b"good") {
            None
        } else {
            Some(MERGETAG_IGNORED)
        },
        reason,
    }
}

const MERGETAG_IGNORED: &str =
    "git's %G? and verify-commit ignore mergetags: the merge passes whatever its tags";

const ROWS: &[Row] = &[
    row("refs/tags/v1.0", true, "good", "good signature"),
    row("refs/tags/release/v3", true, "good", "good signature"),
    stricter("refs/tags/v2.0", "wrong-name",
        "the tag object says `tag v1.0`: a signed v1.0 republished as v2.0 (a rollback); git verify-tag checks only the signature",
        "signed as `v1.0` but is published as `refs/tags/v2.0`"),
    stricter("refs/tags/old/v1.0", "wrong-name",
        "the whole name after refs/tags/ is compared: `old/v1.0` is not `v1.0`",
        "signed as `v1.0` but is published as `refs/tags/old/v1.0`"),
    stricter("refs/tags/release/v4", "wrong-name",
        "a nested name republished: `release/v3` as `release/v4`",
        "signed as `release/v3` but is published as `refs/tags/release/v4`"),
    row("refs/tags/light", false, "unsigned", "a lightweight tag: `refs/tags/light` names commit"),
    row("refs/tags/light-tree", false, "unsigned", "a lightweight tag: `refs/tags/light-tree` names tree"),
    row("refs/tags/light-blob", false, "unsigned", "a lightweight tag: `refs/tags/light-blob` names blob"),
    merge("c-mergetag-ssh", "merged tag 'v1.0' / Good \"git\" signature for ada@example.com", "good", "; mergetag v1.0: good"),
    merge("c-mergetag-pgp", "merged tag 'v1.1' / gpg: Signature made", "good", "; mergetag v1.1: good"),
    merge("c-mergetag-two", "parent #3, tagged 'v1.3'", "good", "; mergetag v1.2, v1.3: good"),
    merge("c-mergetag-untrusted", "merged tag 'm-untrusted' / Good \"git\" signature with ED25519 key", "untrusted-key",
        "mergetag m-untrusted: untrusted-key: ssh-ed25519 SHA256:"),
    merge("c-mergetag-revoked", "merged tag 'm-revoked' / Could not verify signature.", "revoked-key",
        "mergetag m-revoked: revoked-key: the key is listed in"),
    merge("c-mergetag-signer-mismatch", "merged tag 'm-mismatch' / Good \"git\" signature for bob@example.com", "signer-mismatch",
        "mergetag m-mismatch: signer-mismatch: "),
    merge("c-mergetag-second-untrusted", "parent #3, tagged 'm-second'", "untrusted-key",
        "mergetag m-second: untrusted-key: "),
    merge("c-mergetag-tampered", "incorrect signature", "bad-signature",
        "mergetag v1.0: bad-signature: "),
    merge("c-mergetag-unsigned", "merged tag 'unsigned-b'", "unsigned",
        "mergetag unsigned-b: unsigned: no signature"),
    merge("c-mergetag-garbage", "malformed mergetag", "malformed",
        "mergetag (unreadable): malformed: line 1 of the embedded tag should be `object <id>`, found \"not a tag\""),
    merge("c-mergetag-non-parent", "tag v1.0 names a non-parent", "malformed",
        "mergetag v1.0: malformed: it tags "),
];

/// What git says of a row: `%G?` (`-` for a tag), whether `git verify-tag` or
/// `git verify-commit` succeeds, and (merges) the lines `git log --show-signature` prints
/// after the merge's own signature, joined with ` / `.
fn git_says(dir: &Path, repo: &Path, what: &str) -> (String, bool, String) {
    if let Some(name) = what.strip_prefix("refs/tags/") {
        let ok = git(dir, repo).args(["verify-tag", name]).output().unwrap();
        return ("-".into(), ok.status.success(), String::new());
    }
    let g = git(dir, repo)
        .args(["log", "-1", "--format=%G?", what])
        .output()
        .unwrap();
    let ok = git(dir, repo)
        .args(["verify-commit", what])
        .output()
        .unwrap();
    let shown = git(dir, repo)
        .args(["log", "-1", "--show-signature", "--format=", what])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    let tag_part: Vec<&str> = shown.lines().skip(1).filter(|l| !l.is_empty()).collect();
    (
        String::from_utf8_lossy(&g.stdout).trim().to_owned(),
        ok.status.success(),
        tag_part.join(" / "),
    )
}

#[test]
fn tags_and_mergetags_against_git() {
    let (_t, dir) = build("tags");
    let repo = dir.join("repo");
    let (_, r) = verify_trusted(&dir, &repo, &["--all", "--tags", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let found = verdicts(&r);
    let mut table = vec![format!(
        "{:<30} {:<4} {:<5} {:<16} {:<60} {}",
        "object",
        "%G?",
        "git",
        "vigil",
        "git log --show-signature (the mergetag)",
        "vigil stricter because"
    )];
    let mut problems = Vec::new();
    for row in ROWS {
        let (g, git_ok, shows) = git_says(&dir, &repo, row.what);
        let key = if row.what.starts_with("refs/") {
            row.what.to_owned()
        } else {
            rev(&repo, row.what)
        };
        let v = found
            .get(&key)
            .unwrap_or_else(|| panic!("no verdict for {}:\n{}", row.what, r.stdout));
        let vigil = v["verdict"].as_str().unwrap();
        let reason = v["reason"].as_str().unwrap();
        table.push(format!(
            "{:<30} {:<4} {:<5} {:<16} {:<60} {}",
            row.what,
            g,
            if git_ok { "pass" } else { "fail" },
            vigil,
            shows.chars().take(60).collect::<String>(),
            row.stricter.unwrap_or("")
        ));
        if git_ok != row.git_ok || !shows.contains(row.git_shows) {
            problems.push(format!(
                "{}: git says {git_ok} ({shows}), expected {} ({})",
                row.what, row.git_ok, row.git_shows
            ));
        }
        if !row.what.starts_with("refs/") && g != "G" {
            problems.push(format!("{}: git's %G? is {g}, expected G", row.what));
        }
        if vigil != row.vigil || !reason.contains(row.reason) {
            problems.push(format!(
                "{}: vigil says {vigil} ({reason}), expected {} ({})",
                row.what, row.vigil, row.reason
            ));
        }
        if !git_ok && vigil == "good" {
            problems.push(format!("{}: git fails it, vigil passes it", row.what));
        }
        if git_ok && vigil != "good" && row.stricter.is_none() {
            problems.push(format!(
                "{}: git passes it, vigil does not, and no reason is named",
                row.what
            ));
        }
    }
    println!("{}", table.join("\n"));
    assert!(
        problems.is_empty(),
        "{}\n\n{}",
        problems.join("\n"),
        table.join("\n")
    );

    // Without --tags no tag is verified, lightweight or not.
    let (_, r) = verify_trusted(&dir, &repo, &["--all", "--format", "json"]);
    assert!(
        verdicts(&r).keys().all(|k| !k.starts_with("refs/")),
        "{}",
        r.stdout
    );

    // One tag named on the command line is bound to the reference that names it.
    let (_, r) = verify_trusted(&dir, &repo, &["--rev", "v2.0", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        r.json()["verdicts"][0]["verdict"],
        "wrong-name",
        "{}",
        r.stdout
    );
    let (_, r) = verify_trusted(&dir, &repo, &["--rev", "release/v3", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);

    // The human report names the merged tag that fails the merge.
    let (_, h) = verify_trusted(&dir, &repo, &["--rev", "c-mergetag-untrusted"]);
    assert_eq!(h.code, 1, "{}", h.stdout);
    assert!(
        h.stdout.contains(": untrusted-key")
            && h.stdout.contains("mergetag m-untrusted: untrusted-key"),
        "{}",
        h.stdout
    );
}
