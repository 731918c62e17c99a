//! Hostile text in what vigil shows people: author names and e-mails, commit messages,
//! file names, principals and names in SHA256SUMS carry terminal escapes, CR, LF and
//! bidi overrides. None may reach the human output raw, and none may forge a line;
//! a reader that closes the pipe early never makes vigil panic.
use std::{
    ffi::OsStr,
    fs,
    io::Read,
    os::unix::ffi::OsStrExt,
    path::Path,
    process::{Command, Stdio},
};

use crate::harness::{self, git, Run};

/// Every hostile piece ends in this word, so a forged line would start with it.
const FORGED: &str = "FORGED";

const COMMITTER: &str = "m\x1b]0;x\x07\u{202e}@example.com";

const HOSTILE: &str = "a\x1b[31mred\x1b]0;title\x07\u{202e}gnp.exe\u{2066}\u{9b}2J\r\nFORGED";

/// No byte of `text` is a control character but the line breaks vigil writes, no bidi
/// control is there, and no line starts with what the hostile text tried to forge.
fn clean(what: &str, text: &str) {
    for (i, c) in text.char_indices() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !(bidi || c.is_control() && c != '\n'),
            "{what}: raw {c:?} at byte {i}:\n{text}"
        );
    }
    // A line of vigil's own starts at the margin; a hostile one must not get there.
    for line in text.lines() {
        let bare = line.trim_start_matches("vigil: ");
        assert!(
            !bare.starts_with(FORGED),
            "{what}: forged line {line:?}:\n{text}"
        );
    }
}

fn clean_run(what: &str, r: &Run) {
    clean(&format!("{what} stdout"), &r.stdout);
    clean(&format!("{what} stderr"), &r.stderr);
}

/// Runs `git ARGS MESSAGE` in `root` as `author`, committed by [`COMMITTER`].
fn commit_as(root: &Path, args: &[&str], message: &str, author: (&str, &str)) {
    let out = Command::new("git")
        .args(args)
        .arg(message)
        .current_dir(root)
        .env("GIT_AUTHOR_NAME", author.0)
        .env("GIT_AUTHOR_EMAIL", author.1)
        .env("GIT_COMMITTER_NAME", author.0)
        .env("GIT_COMMITTER_EMAIL", COMMITTER)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// A repository whose one commit has a hostile author, e-mail and message, and adds a
/// secret under file names holding escapes, CR, LF, bidi characters and invalid UTF-8.
fn hostile_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    let secret = format!("token = \"{}\"\n", harness::GH_TOKEN);
    let names: [&[u8]; 3] = [
        HOSTILE.as_bytes(),
        b"bidi\xe2\x80\xaeexe.txt\nFORGED",
        b"bad-utf8-\xff\xfe\x1b[2J.txt",
    ];
    for (i, name) in names.into_iter().enumerate() {
        // distinct blobs, so a history scan reports each file
        let text = format!("# file {i}\n{secret}");
        fs::write(root.join(OsStr::from_bytes(name)), text).unwrap();
    }
    git(root, &["add", "-A"]);
    commit_as(
        root,
        &["-c", "commit.gpgsign=false", "commit", "-q", "-m"],
        &format!("subject {HOSTILE}\n\nbody {HOSTILE}"),
        (
            &format!("Mallory {HOSTILE}"),
            &format!("m\x1b[2J@example.com{HOSTILE}"),
        ),
    );
    // git keeps the ESC and CR of the author's name: the test is only worth its salt
    // if the hostile bytes are really in the commit.
    let raw = git(root, &["cat-file", "commit", "HEAD"]);
    assert!(raw.contains("\x1b[31m") && raw.contains('\r'), "{raw:?}");
    dir
}

#[test]
fn hostile_names_and_commits_never_reach_the_terminal_raw() {
    let dir = hostile_repo();
    let root = dir.path();
    for args in [
        &["scan", "--color", "never", "."][..],
        &["scan", "--color", "always", "."],
        &["scan", "--color", "never", "--history", "."],
        &["scan", "--color", "never", "--range", "HEAD~0"],
    ] {
        let r = harness::run_in(root, args);
        if args.contains(&"--range") {
            // A bad range is an error whose message quotes it: still escaped.
            clean_run(&format!("{args:?}"), &r);
            continue;
        }
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stdout.matches("github-pat").count(), 3, "{}", r.stdout);
        if args.contains(&"always") {
            // vigil's own colours are the only escapes: each opens after a space or
            // at a line start and is one of the SGR codes it writes.
            let stripped = r
                .stdout
                .replace("\x1b[0m", "")
                .replace("\x1b[1;31m", "")
                .replace("\x1b[1m", "")
                .replace("\x1b[36m", "")
                .replace("\x1b[2m", "")
                .replace("\x1b[4m", "");
            clean("--color always stdout", &stripped);
            clean("--color always stderr", &r.stderr);
        } else {
            clean_run(&format!("{args:?}"), &r);
        }
        if args.contains(&"--history") {
            assert!(r.stdout.contains("Mallory a\\x1b[31mred"), "{}", r.stdout);
            assert!(r.stdout.contains("\\u{202e}"), "{}", r.stdout);
        }
    }
    // verify: a commit signed by a key whose principal is the hostile committer e-mail,
    // over the unsigned one; the e-mail, the signer and the reasons carry hostile text.
    let key = root.join("signing-key");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "k", "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen is installed by scripts/test");
    assert!(out.status.success(), "{out:?}");
    let public = fs::read_to_string(root.join("signing-key.pub")).unwrap();
    let signers = root.join("allowed_signers");
    fs::write(&signers, format!("{COMMITTER} {public}")).unwrap();
    fs::write(root.join("second.txt"), "x\n").unwrap();
    git(root, &["add", "second.txt"]);
    let signing_key = format!("user.signingkey={}", key.display());
    commit_as(
        root,
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &signing_key,
            "commit",
            "-q",
            "-S",
            "-m",
        ],
        "signed",
        ("Mallory", "m@example.com"),
    );
    for format in ["human", "github", "markdown"] {
        let r = harness::run_in(
            root,
            &[
                "verify",
                "--allowed-signers",
                signers.to_str().unwrap(),
                "--color",
                "never",
                "--verbose",
                "--format",
                format,
            ],
        );
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("unsigned"), "{}", r.stdout);
        if format == "human" {
            assert!(r.stdout.contains("signer:      m\\x1b]0;x"), "{}", r.stdout);
        }
        clean_run(&format!("verify --format {format}"), &r);
    }
}

#[test]
fn hostile_names_in_sha256sums_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("a.txt"), b"x").unwrap();
    let r = harness::run_in(root, &["keygen", "--unencrypted", "--out-dir", "keys"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = harness::run_in(
        root,
        &[
            "sign",
            "--key",
            "keys/vigil.key",
            "--no-provenance",
            "a.txt",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut sums = fs::read(root.join("SHA256SUMS")).unwrap();
    let zeros = "0".repeat(64);
    let one_line = HOSTILE.replace('\n', "");
    sums.extend_from_slice(format!("{zeros}  {one_line}.bin\n").as_bytes());
    // GNU's escaped form: the name holds a real LF once read.
    sums.extend_from_slice(format!("\\{zeros}  x\\nFORGED\\\\\n").as_bytes());
    let long = "n".repeat(5000);
    sums.extend_from_slice(format!("{zeros}  {long}\n").as_bytes());
    fs::write(root.join("SHA256SUMS"), sums).unwrap();
    for extra in [&[][..], &[HOSTILE][..]] {
        let mut args = vec![
            "verify-artifact",
            "--no-config",
            "--dir",
            ".",
            "--minisign-key",
            "keys/vigil.pub",
        ];
        args.extend_from_slice(extra);
        let r = harness::run_in(root, &args);
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        clean_run("verify-artifact", &r);
        if extra.is_empty() {
            assert!(r.stdout.contains("a\\x1b[31mred"), "{}", r.stdout);
            assert!(r.stdout.contains("x\\nFORGED"), "{}", r.stdout);
            // An absurdly long name is cut, and says how long it was.
            assert!(r.stdout.contains("… (5000 chars in all)"), "{}", r.stdout);
            assert!(!r.stdout.contains(&"n".repeat(300)), "{}", r.stdout);
        }
    }
}

/// Errors quote what the user or a file said: escaped too, as a last line of defence.
#[test]
fn errors_quoting_hostile_text_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let r = harness::run_in(dir.path(), &["scan", &format!("missing-{HOSTILE}")]);
    assert_ne!(r.code, 0);
    clean_run("scan of a missing hostile path", &r);
    let r = harness::run_in(
        dir.path(),
        &[
            "verify-artifact",
            "--no-config",
            "--dir",
            HOSTILE,
            "--minisign-key",
            "k",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    clean_run("verify-artifact --dir hostile", &r);
}

/// Runs vigil with its stdout and stderr one pipe whose reader is gone before vigil
/// writes: no panic, and the exit code is the scan's, not Rust's 101.
fn closed_pipe(dir: &Path, args: &[&str]) -> i32 {
    let (reader, writer) = std::io::pipe().unwrap();
    let mut child = harness::vigil()
        .current_dir(dir)
        .args(args)
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .spawn()
        .unwrap();
    drop(reader);
    let status = child.wait().unwrap();
    status.code().unwrap_or(-1)
}

#[test]
fn a_closed_pipe_is_a_quiet_stop() {
    let dir = hostile_repo();
    let root = dir.path();
    assert_eq!(closed_pipe(root, &["scan", "."]), 1);
    assert_eq!(closed_pipe(root, &["scan", "--format", "json", "."]), 1);
    assert_eq!(closed_pipe(root, &["scan", "--history", "."]), 1);
    assert_eq!(closed_pipe(root, &["rules"]), 0);
    assert_eq!(closed_pipe(root, &["scan", "nope-missing"]), 2);
    assert_eq!(closed_pipe(root, &["keygen", "--unencrypted"]), 0);
    // stderr read to the end while stdout is closed: no panic message on stderr.
    let mut child = harness::vigil()
        .current_dir(root)
        .args(["scan", "."])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
}
