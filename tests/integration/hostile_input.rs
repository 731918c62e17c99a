//! Hostile input read whole: a repository whose configuration points at the machine's
//! secrets, endless or blocking files, absurd thread counts. vigil must never print the
//! content, never hang, and say which rule was broken (exit 2), or that the input was
//! too large.
use std::{
    fs,
    os::unix::fs::symlink,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::harness::{finish, git, vigil, Run};

/// Planted in vigil's environment: `/proc/self/environ` holds it, so it must never
/// appear in what vigil prints (a fake token in GitHub's documented format).
const CANARY: &str = "ghp_CanaryCanaryCanaryCanaryCanary0000xx";

/// How long any of these runs may take: each is refused before reading much.
const LIMIT: Duration = Duration::from_secs(30);

/// Runs `cmd` with the canary in its environment, killing it after [`LIMIT`] (a hang
/// fails the test instead of stalling the suite).
fn run_bounded(mut cmd: Command, stdin: Stdio) -> Run {
    let mut child = cmd
        .env("VIGIL_TEST_CANARY", CANARY)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > LIMIT {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {LIMIT:?}: {:?}\nstderr: {}",
                cmd,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let run = finish(&child.wait_with_output().unwrap());
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains(CANARY) && !text.contains("VIGIL_TEST_CANARY"),
            "the environment leaked: {cmd:?}\n{text}"
        );
        assert!(!text.contains('\0'), "a NUL byte was printed: {cmd:?}");
    }
    run
}

fn in_dir(dir: &Path, args: &[&str]) -> Run {
    let mut c = vigil();
    c.current_dir(dir).args(args);
    run_bounded(c, Stdio::null())
}

/// A repository with one committed file, and a folder beside it (outside it).
fn new_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    fs::write(repo.join("a.txt"), "hello\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "first"]);
    (tmp, repo)
}

fn refused(run: &Run, names: &[&str]) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    for n in names {
        assert!(run.stderr.contains(n), "expected {n:?} in: {}", run.stderr);
    }
}

const LINK_OUT: &str = "symbolic link that leads out of the repository";

#[test]
fn configuration_files_linked_to_the_environment_are_refused() {
    // .vigil.toml itself
    let (_tmp, repo) = new_repo();
    symlink("/proc/self/environ", repo.join(".vigil.toml")).unwrap();
    refused(&in_dir(&repo, &["scan", "."]), &[".vigil.toml", LINK_OUT]);
    refused(&in_dir(&repo, &["verify"]), &[".vigil.toml", LINK_OUT]);
    // .gitleaks.toml, read when there is no .vigil.toml
    let (_tmp, repo) = new_repo();
    symlink("/proc/self/environ", repo.join(".gitleaks.toml")).unwrap();
    refused(
        &in_dir(&repo, &["scan", "."]),
        &[".gitleaks.toml", LINK_OUT],
    );
    // .gitleaksignore beside a valid .gitleaks.toml
    let (_tmp, repo) = new_repo();
    fs::write(repo.join(".gitleaks.toml"), "title = \"t\"\n").unwrap();
    symlink("/proc/self/environ", repo.join(".gitleaksignore")).unwrap();
    refused(
        &in_dir(&repo, &["scan", "."]),
        &[".gitleaksignore", LINK_OUT],
    );
    // a trust file the policy names, through a link in the repository
    let (_tmp, repo) = new_repo();
    symlink("/proc/self/environ", repo.join("signers")).unwrap();
    fs::write(
        repo.join(".vigil.toml"),
        "[verify]\nallowed_signers = \"signers\"\n",
    )
    .unwrap();
    refused(&in_dir(&repo, &["verify"]), &["signers", LINK_OUT]);
}

#[test]
fn files_named_by_the_user_are_read_but_never_quoted() {
    // The user may name any file; its content still never reaches the error.
    let (_tmp, repo) = new_repo();
    for args in [
        &["verify", "--allowed-signers", "/proc/self/environ"][..],
        &[
            "verify",
            "--revoked-keys",
            "/proc/self/environ",
            "--allowed-signers",
            "/proc/self/environ",
        ],
        &["verify", "--keyring", "/proc/self/environ"],
        &["scan", "--config", "/proc/self/environ", "."],
        &["scan", "--gitleaks-config", "/proc/self/environ", "."],
        &["scan", "--baseline", "/proc/self/environ", "."],
    ] {
        let run = in_dir(&repo, args);
        refused(&run, &["/proc/self/environ"]);
    }
}

#[test]
fn paths_the_configuration_names_stay_in_the_repository() {
    let (tmp, repo) = new_repo();
    let creds = tmp.path().join("credentials");
    fs::write(
        &creds,
        format!("[default]\naws_secret_access_key = {CANARY}\n"),
    )
    .unwrap();
    let cases = [
        (
            format!("allowed_signers = {:?}", creds.display().to_string()),
            "an absolute path",
        ),
        (
            "allowed_signers = \"/proc/self/environ\"".to_owned(),
            "an absolute path",
        ),
        (
            "allowed_signers = \"../credentials\"".to_owned(),
            "through `..`",
        ),
        (
            "keyring = \"sub/../../credentials\"".to_owned(),
            "through `..`",
        ),
        (
            "revoked_keys = \"../credentials\"".to_owned(),
            "through `..`",
        ),
        ("policy = \"../credentials\"".to_owned(), "through `..`"),
    ];
    for (line, rule) in cases {
        fs::write(repo.join(".vigil.toml"), format!("[verify]\n{line}\n")).unwrap();
        let run = in_dir(&repo, &["verify"]);
        refused(&run, &["named by .vigil.toml", rule]);
        assert!(!run.stderr.contains("aws_secret"), "{}", run.stderr);
    }
    // [release] keys too
    fs::write(
        repo.join(".vigil.toml"),
        format!(
            "[release]\nminisign_key = {:?}\n",
            creds.display().to_string()
        ),
    )
    .unwrap();
    let run = in_dir(&repo, &["verify-artifact", "a.txt"]);
    refused(&run, &["[release] minisign_key", "an absolute path"]);
}

#[test]
fn endless_and_blocking_inputs_are_refused_quickly() {
    let (tmp, repo) = new_repo();
    let fifo = tmp.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let fifo = fifo.to_str().unwrap();
    for (args, what) in [
        (
            &["scan", "--baseline", "/dev/zero", "."][..],
            "character device",
        ),
        (&["verify", "--keyring", "/dev/zero"], "character device"),
        (
            &["verify", "--allowed-signers", "/dev/zero"],
            "character device",
        ),
        (&["scan", "--config", "/dev/zero", "."], "character device"),
        (&["scan", "--baseline", fifo, "."], "a FIFO"),
        (&["verify", "--keyring", fifo], "a FIFO"),
        (&["baseline", "import", "--gitleaksignore", fifo], "a FIFO"),
    ] {
        let run = in_dir(&repo, args);
        refused(&run, &[what, "not a regular file"]);
    }
    // a FIFO found as the repository's configuration
    symlink(fifo, repo.join(".vigil.toml")).unwrap();
    refused(&in_dir(&repo, &["scan", "."]), &[".vigil.toml", LINK_OUT]);
    fs::remove_file(repo.join(".vigil.toml")).unwrap();
    let made = Command::new("mkfifo")
        .arg(repo.join(".vigil.toml"))
        .status()
        .unwrap();
    assert!(made.success());
    refused(&in_dir(&repo, &["scan", "."]), &[".vigil.toml", "a FIFO"]);
}

#[test]
fn stdin_is_read_up_to_max_file_size() {
    let mut c = vigil();
    c.args(["scan", "-"]);
    let run = run_bounded(c, Stdio::from(fs::File::open("/dev/zero").unwrap()));
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("more than 10 MiB") && run.stderr.contains("--max-file-size"),
        "{}",
        run.stderr
    );
    let mut c = vigil();
    c.args(["scan", "--max-file-size", "1k", "-"]);
    let big = tempfile::NamedTempFile::new().unwrap();
    fs::write(big.path(), "x".repeat(2000)).unwrap();
    let run = run_bounded(c, Stdio::from(fs::File::open(big.path()).unwrap()));
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("more than 1 KiB"), "{}", run.stderr);
}

#[test]
fn the_input_limit_is_documented_and_can_be_raised() {
    let (tmp, repo) = new_repo();
    let big = tmp.path().join("big");
    fs::write(&big, "# comment\n".repeat(200)).unwrap();
    let big = big.to_str().unwrap();
    let mut c = vigil();
    c.current_dir(&repo)
        .env("VIGIL_MAX_INPUT_SIZE", "1k")
        .args(["verify", "--allowed-signers", big]);
    let run = run_bounded(c, Stdio::null());
    refused(
        &run,
        &[
            big,
            "larger than the input limit of 1 KiB",
            "--max-input-size",
        ],
    );
    let mut c = vigil();
    c.current_dir(&repo)
        .env("VIGIL_MAX_INPUT_SIZE", "1k")
        .args(["--max-input-size", "1M", "verify", "--allowed-signers", big]);
    let run = run_bounded(c, Stdio::null());
    // read whole: it holds no signer, and the commit is not signed
    assert_ne!(run.code, 2, "{}", run.stderr);
    let run = in_dir(&repo, &["--max-input-size", "lots", "scan", "."]);
    refused(&run, &["--max-input-size", "not a size"]);
}

#[test]
fn absurd_thread_counts_are_capped() {
    let (_tmp, repo) = new_repo();
    let run = in_dir(&repo, &["scan", "-j", "100000", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("-j 100000: using"), "{}", run.stderr);
    let run = in_dir(&repo, &["scan", "-j", "100000", "--history", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn messages_say_what_was_wrong() {
    let (tmp, repo) = new_repo();
    // a size of the wrong type
    fs::write(repo.join(".vigil.toml"), "[scan]\nmax_file_size = true\n").unwrap();
    let run = in_dir(&repo, &["scan", "."]);
    refused(&run, &[".vigil.toml:2:17", "expected a size", "10MiB"]);
    assert!(!run.stderr.contains("untagged"), "{}", run.stderr);
    fs::remove_file(repo.join(".vigil.toml")).unwrap();
    // an SSH public key given as a keyring
    let key = tmp.path().join("id");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "me", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success(), "ssh-keygen");
    let pubkey = format!("{}.pub", key.display());
    let run = in_dir(&repo, &["verify", "--keyring", &pubkey]);
    refused(
        &run,
        &["this is an SSH public key", "expected an OpenPGP keyring"],
    );
    assert!(!run.stderr.contains("packet header"), "{}", run.stderr);
    // a minisign public key given as the secret key
    let made = in_dir(
        tmp.path(),
        &[
            "keygen",
            "--unencrypted",
            "--out-dir",
            tmp.path().to_str().unwrap(),
        ],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    let run = in_dir(
        tmp.path(),
        &[
            "sign",
            "--key",
            "vigil.pub",
            "--out-dir",
            "out",
            "repo/a.txt",
        ],
    );
    refused(&run, &["this is a minisign public key, not a secret key"]);
    // a missing trust file named on the command line names it once, and by nothing
    let run = in_dir(&repo, &["verify", "--allowed-signers", "nope"]);
    refused(&run, &["nope: no such file"]);
    assert!(!run.stderr.contains("(named by )"), "{}", run.stderr);
    // a bare number of seconds, days or years
    let run = in_dir(
        tmp.path(),
        &[
            "verify-artifact",
            "--max-age",
            "5",
            "--minisign-key",
            "vigil.pub",
            "repo/a.txt",
        ],
    );
    refused(&run, &["--max-age", "`5` has no unit", "5d"]);
}
