//! One bad object never stops the others: commits and tags with the header errors
//! `git fsck` reports, written with `git hash-object --literally`, each get a verdict
//! (`malformed`, naming the fault) from a whole-history audit, which walks on past them
//! to the commits behind. git's own view (`git fsck`, `git log --format=%G?`) is
//! recorded beside vigil's.
use std::{
    collections::HashMap,
    fs,
    io::Write,
    path::Path,
    process::{Command, Stdio},
};

use crate::harness::*;

/// git in `repo`, isolated from ambient configuration.
fn git(repo: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", repo)
        .args(args)
        .output()
        .unwrap()
}

fn git_ok(repo: &Path, args: &[&str]) -> String {
    let out = git(repo, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Writes `raw` as an object of `kind` as it is (`--literally`); returns its id.
fn write_object(repo: &Path, kind: &str, raw: &[u8]) -> String {
    let mut child = Command::new("git")
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["hash-object", "--literally", "-t", kind, "-w", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Points `name` at `id` by writing the ref file: `git update-ref` refuses objects it
/// cannot parse ("bad parents", "unknown tag type"), but git's other commands read them.
fn set_ref(repo: &Path, name: &str, id: &str) {
    let path = repo.join(".git").join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, format!("{id}\n")).unwrap();
}

const ME: &str = "Ada <ada@example.org> 1700000000 +0000";

#[test]
fn a_whole_history_audit_judges_every_malformed_object() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    fs::create_dir_all(&repo).unwrap();
    git_ok(&repo, &["init", "-q", "-b", "main"]);
    let tree = git_ok(&repo, &["hash-object", "-t", "tree", "-w", "/dev/null"]);
    let root = write_object(
        &repo,
        "commit",
        format!("tree {tree}\nauthor {ME}\ncommitter {ME}\n\nroot\n").as_bytes(),
    );

    // (case, the header after the tree and parent lines, or the whole header; the fsck
    // id vigil must name). Each is the parent of the next, so the walk must pass all.
    let tail = format!("author {ME}\ncommitter {ME}\n");
    let chained: Vec<(&str, String, &str)> = vec![
        (
            "cr-author",
            format!("author {ME}\r\ncommitter {ME}\n"),
            "badTimezone",
        ),
        (
            "cr-committer",
            format!("author {ME}\ncommitter {ME}\r\n"),
            "badTimezone",
        ),
        (
            "bad-timezone",
            format!("author Ada <ada@example.org> 1700000000 +01\ncommitter {ME}\n"),
            "badTimezone",
        ),
        (
            "zero-padded-date",
            format!("author Ada <ada@example.org> 01700000000 +0000\ncommitter {ME}\n"),
            "zeroPaddedDate",
        ),
        (
            "bad-date",
            format!("author Ada <ada@example.org> soon +0000\ncommitter {ME}\n"),
            "badDate",
        ),
        (
            "bad-email",
            format!("author Ada <ada@example.org 1700000000 +0000\ncommitter {ME}\n"),
            "badEmail",
        ),
        (
            "missing-email",
            format!("author Ada 1700000000 +0000\ncommitter {ME}\n"),
            "missingEmail",
        ),
        (
            "missing-name",
            format!("author <ada@example.org> 1700000000 +0000\ncommitter {ME}\n"),
            "missingNameBeforeEmail",
        ),
        (
            "missing-author",
            format!("committer {ME}\n"),
            "missingAuthor",
        ),
        (
            "missing-committer",
            format!("author {ME}\n"),
            "missingCommitter",
        ),
        (
            "duplicate-author",
            format!("author {ME}\n{tail}"),
            "multipleAuthors",
        ),
        (
            "duplicate-tree",
            format!("tree {tree}\n{tail}"),
            "missingAuthor",
        ),
        ("bad-tree-id", "BAD-TREE".to_owned(), "badTreeSha1"),
        ("missing-tree", "NO-TREE".to_owned(), "missingTree"),
        (
            "nul-in-header",
            format!("{tail}x-note a\0b\n"),
            "nulInHeader",
        ),
    ];
    let mut ids: Vec<(String, String, &str)> = Vec::new();
    let mut parent = root.clone();
    for (name, rest, fsck) in &chained {
        let head = match rest.as_str() {
            "BAD-TREE" => format!("tree 123\nparent {parent}\n{tail}"),
            "NO-TREE" => format!("parent {parent}\n{tail}"),
            _ => format!("tree {tree}\nparent {parent}\n{rest}"),
        };
        let id = write_object(&repo, "commit", format!("{head}\n{name}\n").as_bytes());
        ids.push(((*name).to_owned(), id.clone(), fsck));
        parent = id;
    }
    // A commit with a good SSH signature over a malformed header: git says G.
    let key = tmp.path().join("key");
    let keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen is installed: run scripts/test");
    assert!(keygen.success());
    let pubkey = fs::read_to_string(tmp.path().join("key.pub")).unwrap();
    let signers = tmp.path().join("allowed_signers");
    fs::write(&signers, format!("ada@example.org {pubkey}")).unwrap();
    let header = format!("tree {tree}\nparent {parent}\nauthor {ME}\ncommitter {ME}\r\n");
    let payload = format!("{header}\nsigned\n");
    fs::write(tmp.path().join("payload"), &payload).unwrap();
    let sign = Command::new("ssh-keygen")
        .current_dir(tmp.path())
        .args(["-Y", "sign", "-q", "-n", "git", "-f", "key", "payload"])
        .status()
        .unwrap();
    assert!(sign.success());
    let sig = fs::read_to_string(tmp.path().join("payload.sig")).unwrap();
    let gpgsig = sig.trim_end().replace('\n', "\n ");
    let signed = write_object(
        &repo,
        "commit",
        format!("{header}gpgsig {gpgsig}\n\nsigned\n").as_bytes(),
    );
    ids.push(("signed-cr-committer".into(), signed.clone(), "badTimezone"));
    git_ok(&repo, &["update-ref", "refs/heads/main", &signed]);

    // A commit whose parent line cannot be read ends its own line of history only.
    let bad_parent = write_object(
        &repo,
        "commit",
        format!("tree {tree}\nparent nothex\n{tail}\nbad parent\n").as_bytes(),
    );
    ids.push(("bad-parent-id".into(), bad_parent.clone(), "badParentSha1"));
    set_ref(&repo, "refs/heads/bad-parent", &bad_parent);

    // Tags: a good one, and malformed ones, each on a good commit.
    let mut tags: Vec<(String, String, Option<&str>)> = Vec::new();
    for (name, head, fsck) in [
        (
            "good",
            format!("type commit\ntag good\ntagger {ME}\n"),
            None,
        ),
        (
            "cr-tagger",
            format!("type commit\ntag cr-tagger\ntagger {ME}\r\n"),
            Some("badTimezone"),
        ),
        (
            "bad-type",
            format!("type commits\ntag bad-type\ntagger {ME}\n"),
            Some("badType"),
        ),
        (
            "no-tag-line",
            format!("type commit\ntagger {ME}\n"),
            Some("missingTagEntry"),
        ),
    ] {
        let id = write_object(
            &repo,
            "tag",
            format!("object {root}\n{head}\nmessage\n").as_bytes(),
        );
        set_ref(&repo, &format!("refs/tags/{name}"), &id);
        tags.push((format!("refs/tags/{name}"), id, fsck));
    }

    // git's view, recorded beside vigil's.
    let fsck = git(&repo, &["fsck", "--no-dangling"]);
    let fsck =
        String::from_utf8_lossy(&fsck.stderr).into_owned() + &String::from_utf8_lossy(&fsck.stdout);
    let log = |id: &str| {
        let out = git(
            &repo,
            &[
                "-c",
                "gpg.format=ssh",
                "-c",
                &format!("gpg.ssh.allowedSignersFile={}", signers.display()),
                "log",
                "-1",
                "--format=%G?",
                id,
            ],
        );
        if out.status.success() {
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        } else {
            "die".to_owned()
        }
    };

    let r = run_in(
        &repo,
        &[
            "verify",
            "--all",
            "--tags",
            "--format",
            "json",
            "--allowed-signers",
            &signers.display().to_string(),
        ],
    );
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    let json = r.json();
    let verdicts: HashMap<String, (String, String)> = json["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let key = v["ref"]
                .as_str()
                .or(v["commit"].as_str())
                .unwrap()
                .to_owned();
            let verdict = v["verdict"].as_str().unwrap().to_owned();
            (
                key,
                (verdict, v["reason"].as_str().unwrap_or("").to_owned()),
            )
        })
        .collect();
    // Every object has a verdict: every commit git can list (it dies on none of the
    // chain; the bad parent is one more) plus the tags.
    let commits = ids.len() + 1;
    assert_eq!(
        json["verdicts"].as_array().unwrap().len(),
        commits + tags.len(),
        "{}",
        r.stdout
    );
    // git fsck's first line about an object: its own id for the fault, or (for an
    // object git cannot parse at all) "could not be parsed".
    let fsck_says = |id: &str| {
        fsck.lines()
            .find(|l| l.contains(id))
            .map(|l| l.rsplit(": ").next().unwrap_or(l).to_owned())
            .unwrap_or_else(|| panic!("git fsck does not report {id}:\n{fsck}"))
    };
    let mut table = vec![format!(
        "{:<22} {:<5} {:<10} {:<45} {}",
        "case", "%G?", "vigil", "git fsck", "vigil's reason"
    )];
    for (name, id, want) in &ids {
        let (verdict, reason) = verdicts
            .get(id)
            .unwrap_or_else(|| panic!("{name} ({id}) has no verdict:\n{}", r.stdout));
        table.push(format!(
            "{name:<22} {:<5} {verdict:<10} {:<45} {reason}",
            log(id),
            fsck_says(id)
        ));
        assert_eq!(verdict, "malformed", "{name}: {reason}");
        assert!(reason.contains(want), "{name}: {reason}");
    }
    assert_eq!(verdicts[&root].0, "unsigned", "the walk reaches the root");
    assert_eq!(log(&signed), "G", "git accepts the signed malformed commit");
    for (name, id, want) in &tags {
        let (verdict, reason) = &verdicts[name];
        match want {
            Some(w) => {
                table.push(format!(
                    "{name:<22} {:<5} {verdict:<10} {:<45} {reason}",
                    "-",
                    fsck_says(id)
                ));
                assert_eq!(verdict, "malformed", "{name}: {reason}");
                assert!(reason.contains(w), "{name}: {reason}");
            }
            None => assert_eq!(verdict, "unsigned", "{name}: {reason}"),
        }
    }
    eprintln!("{}", table.join("\n"));
}

/// `vigil scan --history` over a history with a malformed commit in the middle: the
/// commits before and after it are scanned (their secrets found), and the malformed
/// one is named in `skipped` and in the errors, with git fsck's name for the fault.
#[test]
fn a_history_scan_skips_a_malformed_commit_and_scans_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().to_path_buf();
    git_ok(&repo, &["init", "-q", "-b", "main"]);
    fs::write(
        repo.join("a.env"),
        "TOKEN=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\n",
    )
    .unwrap();
    git_ok(&repo, &["add", "a.env"]);
    git_ok(
        &repo,
        &[
            "-c",
            "user.name=Ada",
            "-c",
            "user.email=ada@example.org",
            "commit",
            "-q",
            "-m",
            "a",
        ],
    );
    let a = git_ok(&repo, &["rev-parse", "HEAD"]);
    let tree_a = git_ok(&repo, &["rev-parse", "HEAD^{tree}"]);
    let bad = write_object(
        &repo,
        "commit",
        format!("tree {tree_a}\nparent {a}\nauthor {ME}\r\ncommitter {ME}\n\nbad\n").as_bytes(),
    );
    fs::write(
        repo.join("b.env"),
        "TOKEN=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\n",
    )
    .unwrap();
    git_ok(&repo, &["add", "b.env"]);
    let tree_b = git_ok(&repo, &["write-tree"]);
    let b = write_object(
        &repo,
        "commit",
        format!("tree {tree_b}\nparent {bad}\nauthor {ME}\ncommitter {ME}\n\nb\n").as_bytes(),
    );
    set_ref(&repo, "refs/heads/main", &b);

    let r = run_in(&repo, &["scan", "--history", "--format", "json"]);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    let json = r.json();
    let found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_owned(),
                f["commit"]
                    .as_str()
                    .or(f["commit"]["id"].as_str())
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect();
    assert!(found.iter().any(|(p, _)| p == "a.env"), "{}", r.stdout);
    assert!(found.iter().any(|(p, _)| p == "b.env"), "{}", r.stdout);
    assert_eq!(json["complete"], false, "{}", r.stdout);
    let skipped = json["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["commit"] == bad.as_str() && s["reason"] == "unreadable"),
        "{}",
        r.stdout
    );
    let errors = json["errors"].to_string();
    assert!(
        errors.contains(&bad) && errors.contains("badTimezone"),
        "{errors}"
    );
}
