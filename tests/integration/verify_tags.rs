//! What a signature alone does not bind, against git (fixtures/verify/build.sh `tags`):
//! the name a tag is published under and tag references that name no tag object
//! (lightweight tags: reported, never skipped).
//!
//! Each row records what git says beside vigil's verdict: `git verify-tag` for tag
//! references. vigil is never laxer than git, and stricter only where a row says why.
use std::path::Path;

use crate::verify::{build, git, verdicts, verify_trusted};

struct Row {
    /// `refs/tags/NAME` (a tag reference).
    what: &'static str,
    /// Whether `git verify-tag NAME` succeeds.
    git_ok: bool,
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
        vigil,
        stricter: Some(why),
        reason,
    }
}

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
];

/// `git verify-tag NAME` succeeds.
fn git_verifies_tag(dir: &Path, repo: &Path, name: &str) -> bool {
    git(dir, repo)
        .args(["verify-tag", name])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn tags_against_git() {
    let (_t, dir) = build("tags");
    let repo = dir.join("repo");
    let (_, r) = verify_trusted(&dir, &repo, &["--all", "--tags", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let found = verdicts(&r);
    let mut table = vec![format!(
        "{:<34} {:<6} {:<12} {}",
        "object", "git", "vigil", "vigil stricter because"
    )];
    let mut problems = Vec::new();
    for row in ROWS {
        let name = row.what.strip_prefix("refs/tags/").unwrap();
        let git_ok = git_verifies_tag(&dir, &repo, name);
        let v = found
            .get(row.what)
            .unwrap_or_else(|| panic!("no verdict for {}:\n{}", row.what, r.stdout));
        let vigil = v["verdict"].as_str().unwrap();
        let reason = v["reason"].as_str().unwrap();
        table.push(format!(
            "{:<34} {:<6} {:<12} {}",
            row.what,
            if git_ok { "pass" } else { "fail" },
            vigil,
            row.stricter.unwrap_or("")
        ));
        if git_ok != row.git_ok {
            problems.push(format!(
                "{}: git says {git_ok}, expected {}",
                row.what, row.git_ok
            ));
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
}
