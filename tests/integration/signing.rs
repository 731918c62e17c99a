//! Release signing: `vigil keygen`, `vigil sign` and `vigil verify-artifact`, checked
//! both ways against the real minisign, ssh-keygen, sha256sum and openssl.
use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use base64::{engine::general_purpose::STANDARD, Engine as _};

use crate::harness::{self, Run};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const IDENTITY: &str = "release@example.org";

/// Fails (never skips) when a peer tool is missing.
fn need(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{tool} is not installed: run scripts/test, which installs minisign, openssh-client, coreutils and openssl"
    );
}

/// Runs vigil in `dir` with no CI variables but those given.
fn vigil_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = harness::vigil();
    c.current_dir(dir).args(args);
    for v in [
        "GITHUB_ACTIONS",
        "GITLAB_CI",
        "SOURCE_DATE_EPOCH",
        "GITHUB_SHA",
        "CI_COMMIT_SHA",
    ] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn vigil(dir: &Path, args: &[&str]) -> Run {
    vigil_env(dir, args, &[])
}

/// Runs a peer tool; returns (success, stdout + stderr).
fn tool(dir: &Path, cmd: &str, args: &[&str], stdin: Option<&Path>) -> (bool, String) {
    need(cmd);
    let mut c = Command::new(cmd);
    c.current_dir(dir).args(args);
    c.stdin(match stdin {
        Some(p) => Stdio::from(fs::File::open(dir.join(p)).unwrap()),
        None => Stdio::null(),
    });
    let out = c.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn ok(r: &Run) {
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

/// A failed check: exit 1, and the failing line names `subject`, `check` and `words`.
fn rejected(r: &Run, subject: &str, check: &str, words: &str) {
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("FAILED") && l.contains(&format!("{subject}: {check}:")))
        .unwrap_or_else(|| panic!("no FAILED line for {subject}: {check}:\n{}", r.stdout));
    assert!(line.contains(words), "expected {words:?} in {line:?}");
}

/// A temporary folder with an unencrypted key in keys/ and a signed release in dist/.
struct Release {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Release {
    fn new(sign_args: &[&str]) -> Release {
        Release::with(sign_args, &[])
    }

    fn with(sign_args: &[&str], env: &[(&str, &str)]) -> Release {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        ok(&vigil(
            &root,
            &[
                "keygen",
                "--unencrypted",
                "--out-dir",
                "keys",
                "--identity",
                IDENTITY,
            ],
        ));
        fs::create_dir_all(root.join("dist")).unwrap();
        let big: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        fs::write(root.join("dist/app-linux.tar.gz"), &big).unwrap();
        fs::write(
            root.join("dist/app-macos.zip"),
            b"PK\x03\x04 not really a zip",
        )
        .unwrap();
        fs::write(root.join("dist/notes.txt"), b"release notes\n").unwrap();
        let mut args = vec![
            "sign",
            "--key",
            "keys/vigil.key",
            "--tag",
            "v1.2.0",
            "--commit",
            COMMIT,
            "dist/app-linux.tar.gz",
            "dist/app-macos.zip",
            "dist/notes.txt",
        ];
        args.extend_from_slice(sign_args);
        ok(&vigil_env(&root, &args, env));
        Release { _tmp: tmp, root }
    }

    fn dist(&self) -> PathBuf {
        self.root.join("dist")
    }

    fn verify(&self, extra: &[&str]) -> Run {
        let mut args = vec![
            "verify-artifact",
            "--no-config",
            "--dir",
            "dist",
            "--minisign-key",
            "keys/vigil.pub",
            "--ssh-key",
            "keys/vigil.ssh.pub",
        ];
        args.extend_from_slice(extra);
        vigil(&self.root, &args)
    }

    /// `vigil sign --key keys/vigil.key --tag TAG dist/*` (the shell's glob: every file
    /// of dist/, vigil's earlier outputs included), plus `extra`.
    fn resign(&self, tag: &str, extra: &[&str]) -> Run {
        let mut files: Vec<String> = fs::read_dir(self.dist())
            .unwrap()
            .map(|e| format!("dist/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        files.sort();
        let mut args = vec!["sign", "--key", "keys/vigil.key", "--tag", tag];
        args.extend_from_slice(extra);
        args.extend(files.iter().map(String::as_str));
        vigil(&self.root, &args)
    }

    fn edit(&self, name: &str, f: impl FnOnce(&mut Vec<u8>)) {
        let p = self.dist().join(name);
        let mut b = fs::read(&p).unwrap();
        f(&mut b);
        fs::write(&p, b).unwrap();
    }
}

// ---- the round trip ------------------------------------------------------------------

#[test]
fn sign_writes_every_file_and_verifies() {
    let r = Release::new(&["--per-file"]);
    for f in [
        "SHA256SUMS",
        "SHA256SUMS.minisig",
        "SHA256SUMS.sig",
        "provenance.intoto.jsonl",
        "app-linux.tar.gz.minisig",
        "notes.txt.minisig",
    ] {
        assert!(r.dist().join(f).is_file(), "{f} missing");
    }
    for f in [
        "vigil.key",
        "vigil.pub",
        "vigil.ssh.pub",
        "vigil.allowed_signers",
    ] {
        assert!(r.root.join("keys").join(f).is_file(), "{f} missing");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(r.root.join("keys/vigil.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the secret key is readable by others");
    }
    let sums = fs::read_to_string(r.dist().join("SHA256SUMS")).unwrap();
    let names: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    assert_eq!(names, ["app-linux.tar.gz", "app-macos.zip", "notes.txt"]);
    let tc = fs::read_to_string(r.dist().join("SHA256SUMS.minisig")).unwrap();
    let tc = tc.lines().nth(2).unwrap();
    for part in [
        "timestamp:",
        "file:SHA256SUMS",
        "tag:v1.2.0",
        &format!("commit:{COMMIT}"),
    ] {
        assert!(tc.contains(part), "{tc}");
    }
    let v = r.verify(&[
        "--tag",
        "v1.2.0",
        "--commit",
        &COMMIT[..12],
        "--builder",
        "local",
        "--per-file",
        "--require-provenance",
        "--max-age",
        "1h",
    ]);
    ok(&v);
    assert!(!v.stdout.contains("FAILED"), "{}", v.stdout);
    assert!(
        v.stdout
            .contains("app-linux.tar.gz.minisig: minisign signature"),
        "{}",
        v.stdout
    );
    assert!(v.stderr.contains("verified"), "{}", v.stderr);
    // JSON report
    let j = r.verify(&["--format", "json"]);
    ok(&j);
    assert_eq!(j.json()["ok"], true);
}

#[test]
fn verify_a_subset_by_path() {
    let r = Release::new(&[]);
    let v = vigil(
        &r.root,
        &[
            "verify-artifact",
            "--no-config",
            "--minisign-key",
            "keys/vigil.pub",
            "dist/notes.txt",
        ],
    );
    ok(&v);
    assert!(v.stdout.contains("notes.txt: sha256"), "{}", v.stdout);
    assert!(!v.stdout.contains("app-macos.zip: sha256"), "{}", v.stdout);
}

// ---- interop: the standard tools accept what vigil writes -----------------------------

#[test]
fn sha256sum_checks_the_sums_file() {
    let r = Release::new(&[]);
    let (good, out) = tool(&r.dist(), "sha256sum", &["-c", "SHA256SUMS"], None);
    assert!(good, "{out}");
    assert_eq!(out.matches(": OK").count(), 3, "{out}");
}

#[test]
fn minisign_verifies_vigil_signatures() {
    let r = Release::new(&["--per-file"]);
    let (good, out) = tool(
        &r.dist(),
        "minisign",
        &["-Vm", "SHA256SUMS", "-p", "../keys/vigil.pub"],
        None,
    );
    assert!(good, "{out}");
    assert!(out.contains(&format!("commit:{COMMIT}")), "{out}");
    let (good, out) = tool(
        &r.dist(),
        "minisign",
        &["-Vm", "app-linux.tar.gz", "-p", "../keys/vigil.pub"],
        None,
    );
    assert!(good, "{out}");
    // A re-sign of dist/* replaces vigil's own files, signs only the artifacts, and
    // minisign still verifies every signature.
    ok(&r.resign("v1.2.1", &["--per-file"]));
    let sums = fs::read_to_string(r.dist().join("SHA256SUMS")).unwrap();
    let names: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    assert_eq!(names, ["app-linux.tar.gz", "app-macos.zip", "notes.txt"]);
    for file in ["SHA256SUMS", "app-linux.tar.gz", "notes.txt"] {
        let (good, out) = tool(
            &r.dist(),
            "minisign",
            &["-Vm", file, "-p", "../keys/vigil.pub"],
            None,
        );
        assert!(good, "{file}: {out}");
        if file == "SHA256SUMS" {
            assert!(out.contains("tag:v1.2.1"), "{out}");
        }
    }
    // and rejects a changed sums file
    r.edit("SHA256SUMS", |b| b[0] ^= 1);
    let (good, _) = tool(
        &r.dist(),
        "minisign",
        &["-Vm", "SHA256SUMS", "-p", "../keys/vigil.pub"],
        None,
    );
    assert!(!good);
}

#[test]
fn ssh_keygen_verifies_vigil_signatures() {
    let r = Release::new(&[]);
    let args = [
        "-Y",
        "verify",
        "-f",
        "../keys/vigil.allowed_signers",
        "-I",
        IDENTITY,
        "-n",
        "file",
        "-s",
        "SHA256SUMS.sig",
    ];
    // as signed, and again after a re-sign of dist/*
    for resign in [false, true] {
        if resign {
            ok(&r.resign("v1.2.1", &[]));
        }
        let (good, out) = tool(
            &r.dist(),
            "ssh-keygen",
            &args,
            Some(Path::new("SHA256SUMS")),
        );
        assert!(good && out.contains("Good \"file\" signature"), "{out}");
    }
    // the OpenSSH public key file is the same key
    let (good, out) = tool(
        &r.root,
        "ssh-keygen",
        &["-l", "-f", "keys/vigil.ssh.pub"],
        None,
    );
    assert!(good && out.contains("ED25519"), "{out}");
    // wrong namespace is refused by ssh-keygen too
    let mut wrong = args;
    wrong[7] = "git";
    let (good, _) = tool(
        &r.dist(),
        "ssh-keygen",
        &wrong,
        Some(Path::new("SHA256SUMS")),
    );
    assert!(!good);
}

/// The DSSE signature checked by openssl against a PAE computed here, independently.
#[test]
fn dsse_signature_verifies_over_an_independent_pae() {
    let r = Release::new(&[]);
    let line = fs::read_to_string(r.dist().join("provenance.intoto.jsonl")).unwrap();
    assert_eq!(line.lines().count(), 1);
    let env: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let payload_type = env["payloadType"].as_str().unwrap();
    assert_eq!(payload_type, "application/vnd.in-toto+json");
    let payload = STANDARD.decode(env["payload"].as_str().unwrap()).unwrap();
    let sig = STANDARD
        .decode(env["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    let mut pae = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(&payload);

    // The Ed25519 public key from the minisign key file, as an X.509 SubjectPublicKeyInfo.
    let pubfile = fs::read_to_string(r.root.join("keys/vigil.pub")).unwrap();
    let raw = STANDARD.decode(pubfile.lines().nth(1).unwrap()).unwrap();
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(&raw[10..42]);
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(&der)
    );
    let w = r.root.join("dsse");
    fs::create_dir_all(&w).unwrap();
    fs::write(w.join("pub.pem"), pem).unwrap();
    fs::write(w.join("pae.bin"), &pae).unwrap();
    fs::write(w.join("sig.bin"), &sig).unwrap();
    let check = [
        "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "pae.bin",
        "-sigfile", "sig.bin",
    ];
    let (good, out) = tool(&w, "openssl", &check, None);
    assert!(good, "{out}");
    // A one-byte change to the PAE is rejected.
    pae[7] ^= 1;
    fs::write(w.join("pae.bin"), &pae).unwrap();
    let (good, _) = tool(&w, "openssl", &check, None);
    assert!(!good);

    // The statement: in-toto v1, SLSA provenance v1, every artifact by sha256.
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    let subjects = st["subject"].as_array().unwrap();
    assert_eq!(subjects.len(), 3);
    let sums = fs::read_to_string(r.dist().join("SHA256SUMS")).unwrap();
    for s in subjects {
        let line = format!(
            "{}  {}",
            s["digest"]["sha256"].as_str().unwrap(),
            s["name"].as_str().unwrap()
        );
        assert!(sums.contains(&line), "{line}");
    }
    assert_eq!(
        st["predicate"]["buildDefinition"]["resolvedDependencies"][0]["digest"]["gitCommit"],
        COMMIT
    );
    // When the build started and finished: RFC 3339 UTC, in that order.
    let (started, finished) = build_times(&st);
    assert!(started <= finished, "{started} > {finished}");
}

/// `runDetails.metadata`'s `startedOn` and `finishedOn`, each checked to be RFC 3339 in
/// UTC to the second (`2024-05-01T12:00:00Z`), the form vigil writes.
fn build_times(statement: &serde_json::Value) -> (String, String) {
    let meta = &statement["predicate"]["runDetails"]["metadata"];
    let time = |k: &str| {
        let t = meta[k]
            .as_str()
            .unwrap_or_else(|| panic!("no {k} in {meta}"));
        let shape: String = t
            .chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect();
        assert_eq!(shape, "9999-99-99T99:99:99Z", "{k} is {t:?}");
        t.to_owned()
    };
    (time("startedOn"), time("finishedOn"))
}

/// The statement inside the provenance's one DSSE envelope.
fn provenance_statement(r: &Release) -> serde_json::Value {
    let line = fs::read_to_string(r.dist().join("provenance.intoto.jsonl")).unwrap();
    let env: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let payload = STANDARD.decode(env["payload"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&payload).unwrap()
}

/// SOURCE_DATE_EPOCH fixes both times, so a rebuild writes the same provenance.
#[test]
fn provenance_times_honour_source_date_epoch() {
    let r = Release::with(&[], &[("SOURCE_DATE_EPOCH", "1700000000")]);
    let (started, finished) = build_times(&provenance_statement(&r));
    assert_eq!(started, "2023-11-14T22:13:20Z");
    assert_eq!(finished, "2023-11-14T22:13:20Z");
    let r = Release::new(&["--timestamp", "1700000042"]);
    let (started, finished) = build_times(&provenance_statement(&r));
    assert_eq!(
        (started.as_str(), finished.as_str()),
        ("2023-11-14T22:14:02Z", "2023-11-14T22:14:02Z")
    );
}

// ---- allowed_signers: vigil decides as `ssh-keygen -Y verify` does ---------------------

/// `ssh-keygen -Y verify -f FILE -I PRINCIPAL -n file -s SHA256SUMS.sig [-r REVOKED]`
/// and `vigil verify-artifact --allowed-signers FILE --principal PRINCIPAL [--revoked-keys
/// REVOKED]` over the same files: (ssh-keygen good, vigil exit code, vigil's line for
/// SHA256SUMS.sig).
fn both_verify(r: &Release, signers: &str, principal: &str, revoked: bool) -> (bool, i32, String) {
    fs::write(r.root.join("signers"), signers).unwrap();
    let mut args = vec![
        "-Y",
        "verify",
        "-f",
        "../signers",
        "-I",
        principal,
        "-n",
        "file",
        "-s",
        "SHA256SUMS.sig",
    ];
    let mut ours = vec![
        "verify-artifact",
        "--no-config",
        "--dir",
        "dist",
        "--allowed-signers",
        "signers",
        "--principal",
        principal,
    ];
    if revoked {
        args.extend(["-r", "../revoked"]);
        ours.extend(["--revoked-keys", "revoked"]);
    }
    let (good, _) = tool(
        &r.dist(),
        "ssh-keygen",
        &args,
        Some(Path::new("SHA256SUMS")),
    );
    let v = vigil(&r.root, &ours);
    let line = v
        .stdout
        .lines()
        .find(|l| l.contains("SHA256SUMS.sig: ssh signature:"))
        .unwrap_or_else(|| panic!("no line for SHA256SUMS.sig:\n{}\n{}", v.stdout, v.stderr))
        .to_owned();
    (good, v.code, line)
}

/// Runs ssh-keygen; panics unless it succeeds.
fn ssh_keygen(dir: &Path, args: &[&str]) {
    let (good, out) = tool(dir, "ssh-keygen", args, None);
    assert!(good, "ssh-keygen {args:?}: {out}");
}

/// The first two words of an OpenSSH public key file: `TYPE BASE64`.
fn key_text(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn allowed_signers_judged_as_ssh_keygen_judges_them() {
    let r = Release::new(&[]);
    let k = key_text(&r.root.join("keys/vigil.ssh.pub"));
    ssh_keygen(
        &r.root,
        &[
            "-q", "-t", "ed25519", "-N", "", "-C", "other", "-f", "other",
        ],
    );
    let o = key_text(&r.root.join("other.pub"));
    fs::write(r.root.join("revoked"), format!("{k}\n")).unwrap();
    let me = IDENTITY;
    // (allowed_signers, principal, with the revoked list, good?, what vigil says)
    let cases: Vec<(String, &str, bool, bool, &str)> = vec![
        (
            format!("{me} namespaces=\"file\" {k}\n"),
            me,
            false,
            true,
            "principal \"release@example.org\" (signers:1)",
        ),
        (
            format!("*@example.org {k}\n"),
            me,
            false,
            true,
            "(signers:1)",
        ),
        (
            format!("\"*@example.org,!{me}\" {k}\n"),
            me,
            false,
            false,
            "no line of signers names principal",
        ),
        (
            format!("\"*@example.org,!{me}\" {k}\n{me} {o}\n"),
            me,
            false,
            false,
            "signers:1 trusts this key for \"*@example.org,!release@example.org\"",
        ),
        (
            format!("{me} namespaces=\"git\" {k}\n"),
            me,
            false,
            false,
            "only for namespaces \"git\", not for namespace \"file\"",
        ),
        (
            format!("{me} namespaces=\"git\" {k}\n{me} {k}\n"),
            me,
            false,
            true,
            "(signers:2)",
        ),
        (
            format!("{me} valid-before=\"20200101Z\" {k}\n"),
            me,
            false,
            false,
            "signers:1: the key expired at 1577836800",
        ),
        (
            format!("{me} valid-after=\"20990101Z\" {k}\n"),
            me,
            false,
            false,
            "valid only after",
        ),
        (
            format!("{me} valid-after=\"20200101Z\",valid-before=\"20990101Z\" {k}\n"),
            me,
            false,
            true,
            "(signers:1)",
        ),
        (
            format!("{me} {k}\n"),
            "someone@example.org",
            false,
            false,
            "no line of signers names principal \"someone@example.org\"",
        ),
        (
            format!("{me} {o}\n"),
            me,
            false,
            false,
            "signers does not list key SHA256:",
        ),
        (
            format!("{me} {k}\n"),
            me,
            true,
            false,
            "is revoked: listed in revoked",
        ),
        (format!("{me} {o}\n"), me, true, false, "is revoked"),
    ];
    let mut table = String::new();
    for (signers, principal, revoked, want_good, words) in &cases {
        let (git_good, code, line) = both_verify(&r, signers, principal, *revoked);
        table.push_str(&format!("{signers:?} -I {principal} -r {revoked}: ssh-keygen {git_good}, vigil {code}: {line}\n"));
        assert_eq!(
            git_good, *want_good,
            "ssh-keygen: {signers:?} {principal}\n{table}"
        );
        assert_eq!(
            code == 0,
            *want_good,
            "vigil: {signers:?} {principal}\n{table}"
        );
        assert!(
            line.contains(words),
            "expected {words:?} in {line:?}\n{table}"
        );
    }
    eprintln!("{table}");

    // A certificate signed by a trusted CA (cert-authority), made and used by ssh-keygen.
    ssh_keygen(
        &r.root,
        &["-q", "-t", "ed25519", "-N", "", "-C", "ca", "-f", "ca"],
    );
    ssh_keygen(
        &r.root,
        &["-q", "-t", "ed25519", "-N", "", "-C", "dev", "-f", "dev"],
    );
    ssh_keygen(
        &r.root,
        &[
            "-q", "-s", "ca", "-I", "dev-cert", "-n", me, "-V", "-1d:+1d", "dev.pub",
        ],
    );
    fs::remove_file(r.dist().join("SHA256SUMS.sig")).unwrap();
    // no provenance: its DSSE signature is by the release key, not by this certificate
    fs::remove_file(r.dist().join("provenance.intoto.jsonl")).unwrap();
    ssh_keygen(
        &r.dist(),
        &[
            "-Y",
            "sign",
            "-q",
            "-n",
            "file",
            "-f",
            "../dev-cert.pub",
            "SHA256SUMS",
        ],
    );
    let ca = key_text(&r.root.join("ca.pub"));
    let cert_cases: Vec<(String, &str, bool, &str)> = vec![
        (
            format!("*@example.org cert-authority {ca}\n"),
            me,
            true,
            "(signers:1)",
        ),
        (
            format!("*@example.org cert-authority {ca}\n"),
            "other@example.org",
            false,
            "the certificate is for [\"release@example.org\"]",
        ),
        (
            format!("*@example.org cert-authority,namespaces=\"git\" {ca}\n"),
            me,
            false,
            "not for namespace \"file\"",
        ),
        (
            format!("*@example.org {ca}\n"),
            me,
            false,
            "does not list key",
        ),
        (
            format!("*@example.org cert-authority {k}\n"),
            me,
            false,
            "does not list key",
        ),
    ];
    for (signers, principal, want_good, words) in &cert_cases {
        let (git_good, code, line) = both_verify(&r, signers, principal, false);
        let row =
            format!("{signers:?} -I {principal}: ssh-keygen {git_good}, vigil {code}: {line}");
        assert_eq!(git_good, *want_good, "ssh-keygen: {row}");
        assert_eq!(code == 0, *want_good, "vigil: {row}");
        assert!(line.contains(words), "expected {words:?} in {row}");
        eprintln!("{row}");
    }
}

#[test]
fn allowed_signers_errors_name_what_is_missing() {
    let r = Release::new(&[]);
    let run = |args: &[&str]| {
        let mut all = vec!["verify-artifact", "--no-config", "--dir", "dist"];
        all.extend_from_slice(args);
        vigil(&r.root, &all)
    };
    let v = run(&["--allowed-signers", "keys/vigil.allowed_signers"]);
    assert_eq!(v.code, 2, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stderr.contains("no principal given") && v.stderr.contains("--principal NAME"),
        "{}",
        v.stderr
    );
    let v = run(&["--principal", IDENTITY, "--minisign-key", "keys/vigil.pub"]);
    assert_eq!(v.code, 2, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stderr.contains("need an allowed_signers file"),
        "{}",
        v.stderr
    );
    fs::write(r.root.join("bad"), "release@example.org ssh-ed25519 !!!\n").unwrap();
    let v = run(&["--allowed-signers", "bad", "--principal", IDENTITY]);
    assert_eq!(v.code, 2, "{}{}", v.stdout, v.stderr);
    assert!(v.stderr.contains("bad:1:"), "{}", v.stderr);
    // The file keygen writes is enough, as it is for ssh-keygen.
    let v = run(&[
        "--allowed-signers",
        "keys/vigil.allowed_signers",
        "--principal",
        IDENTITY,
        "--require-provenance",
    ]);
    ok(&v);
    assert!(
        v.stdout
            .contains("provenance.intoto.jsonl: provenance signature"),
        "{}",
        v.stdout
    );
}

// ---- interop: vigil accepts what the standard tools sign ------------------------------

fn peer_release() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    fs::create_dir_all(&dist).unwrap();
    fs::write(dist.join("a.bin"), [7u8; 5000]).unwrap();
    fs::write(dist.join("b.txt"), b"hello\n").unwrap();
    let (good, sums) = tool(&dist, "sha256sum", &["a.bin", "b.txt"], None);
    assert!(good, "{sums}");
    fs::write(dist.join("SHA256SUMS"), sums).unwrap();
    (tmp, dist)
}

#[test]
fn vigil_verifies_minisign_signatures() {
    let (tmp, dist) = peer_release();
    let root = tmp.path();
    let (good, out) = tool(
        root,
        "minisign",
        &["-G", "-W", "-p", "m.pub", "-s", "m.key"],
        None,
    );
    assert!(good, "{out}");
    let (good, out) = tool(
        &dist,
        "minisign",
        &["-S", "-W", "-s", "../m.key", "-m", "SHA256SUMS"],
        None,
    );
    assert!(good, "{out}");
    let v = vigil(
        root,
        &[
            "verify-artifact",
            "--no-config",
            "--dir",
            "dist",
            "--minisign-key",
            "m.pub",
        ],
    );
    ok(&v);
    assert!(v.stdout.contains("b.txt: sha256"), "{}", v.stdout);
    // minisign's per-file signature, beside the file
    let (good, out) = tool(
        &dist,
        "minisign",
        &["-S", "-W", "-s", "../m.key", "-m", "a.bin"],
        None,
    );
    assert!(good, "{out}");
    let v = vigil(
        root,
        &[
            "verify-artifact",
            "--no-config",
            "--dir",
            "dist",
            "--minisign-key",
            "m.pub",
            "--per-file",
            "dist/a.bin",
        ],
    );
    ok(&v);
    // legacy (non-prehashed) signatures too
    let (good, out) = tool(
        &dist,
        "minisign",
        &["-S", "-l", "-W", "-s", "../m.key", "-m", "SHA256SUMS"],
        None,
    );
    assert!(good, "{out}");
    let sig = fs::read_to_string(dist.join("SHA256SUMS.minisig")).unwrap();
    assert!(STANDARD
        .decode(sig.lines().nth(1).unwrap())
        .unwrap()
        .starts_with(b"Ed"));
    ok(&vigil(
        root,
        &[
            "verify-artifact",
            "--no-config",
            "--dir",
            "dist",
            "--minisign-key",
            "m.pub",
        ],
    ));
    // and vigil signs with minisign's key file; the SHA256SUMS sha256sum wrote is not
    // vigil's to replace without --force
    let sign = |extra: &[&str]| {
        let mut args = vec!["sign", "--key", "m.key", "--out-dir", "dist"];
        args.extend_from_slice(extra);
        args.extend(["dist/a.bin", "dist/b.txt"]);
        vigil(root, &args)
    };
    refused_to_overwrite(&sign(&[]), "SHA256SUMS");
    ok(&sign(&["--force"]));
    let (good, out) = tool(
        &dist,
        "minisign",
        &["-Vm", "SHA256SUMS", "-p", "../m.pub"],
        None,
    );
    assert!(good, "{out}");
}

#[test]
fn minisign_signs_with_a_vigil_key() {
    let r = Release::new(&[]);
    fs::write(r.root.join("x.txt"), b"x\n").unwrap();
    let (good, out) = tool(
        &r.root,
        "minisign",
        &["-S", "-W", "-s", "keys/vigil.key", "-m", "x.txt"],
        None,
    );
    assert!(good, "{out}");
    let (good, out) = tool(
        &r.root,
        "minisign",
        &["-Vm", "x.txt", "-p", "keys/vigil.pub"],
        None,
    );
    assert!(good, "{out}");
}

#[test]
fn vigil_verifies_ssh_keygen_signatures() {
    let (tmp, dist) = peer_release();
    let root = tmp.path();
    let (good, out) = tool(
        root,
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "ci@example.org",
            "-f",
            "id",
        ],
        None,
    );
    assert!(good, "{out}");
    let (good, out) = tool(
        &dist,
        "ssh-keygen",
        &["-Y", "sign", "-n", "file", "-f", "../id", "SHA256SUMS"],
        None,
    );
    assert!(good, "{out}");
    let v = vigil(
        root,
        &[
            "verify-artifact",
            "--no-config",
            "--dir",
            "dist",
            "--ssh-key",
            "id.pub",
        ],
    );
    ok(&v);
    assert!(
        v.stdout.contains("SHA256SUMS.sig: ssh signature"),
        "{}",
        v.stdout
    );
    // a signature in another namespace is rejected, and says so
    fs::remove_file(dist.join("SHA256SUMS.sig")).unwrap();
    let (good, out) = tool(
        &dist,
        "ssh-keygen",
        &["-Y", "sign", "-n", "git", "-f", "../id", "SHA256SUMS"],
        None,
    );
    assert!(good, "{out}");
    let v = vigil(
        root,
        &[
            "verify-artifact",
            "--no-config",
            "--dir",
            "dist",
            "--ssh-key",
            "id.pub",
        ],
    );
    rejected(&v, "SHA256SUMS.sig", "ssh signature", "namespace \"git\"");
}

// ---- tampering: each is caught, and the message names the check -----------------------

#[test]
fn flipped_byte_in_an_artifact() {
    let r = Release::new(&[]);
    r.edit("app-linux.tar.gz", |b| b[1_000_000] ^= 0x40);
    rejected(
        &r.verify(&[]),
        "app-linux.tar.gz",
        "sha256",
        "digest mismatch",
    );
}

#[test]
fn flipped_byte_in_a_signature() {
    let r = Release::new(&[]);
    let path = r.dist().join("SHA256SUMS.minisig");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut raw = STANDARD.decode(&lines[1]).unwrap();
    raw[40] ^= 1;
    lines[1] = STANDARD.encode(&raw);
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    rejected(
        &r.verify(&[]),
        "SHA256SUMS.minisig",
        "minisign signature",
        "does not verify",
    );

    let path = r.dist().join("SHA256SUMS.sig");
    let text = fs::read_to_string(&path).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut raw = STANDARD.decode(body).unwrap();
    let n = raw.len();
    raw[n - 10] ^= 1;
    fs::write(
        &path,
        format!(
            "-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n",
            STANDARD.encode(&raw)
        ),
    )
    .unwrap();
    rejected(
        &r.verify(&[]),
        "SHA256SUMS.sig",
        "ssh signature",
        "does not verify",
    );
}

#[test]
fn changed_trusted_comment() {
    let r = Release::new(&[]);
    let path = r.dist().join("SHA256SUMS.minisig");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("tag:v1.2.0", "tag:v1.2.1")).unwrap();
    rejected(
        &r.verify(&[]),
        "SHA256SUMS.minisig",
        "minisign signature",
        "trusted comment was changed",
    );
}

#[test]
fn flipped_byte_in_the_provenance() {
    let r = Release::new(&[]);
    // Change one base64 character of the payload to another valid one.
    r.edit("provenance.intoto.jsonl", |b| {
        let at = b.windows(12).position(|w| w == b"\"payload\":\"e").unwrap() + 40;
        b[at] = if b[at] == b'A' { b'B' } else { b'A' };
    });
    rejected(
        &r.verify(&[]),
        "provenance.intoto.jsonl:1",
        "provenance signature",
        "DSSE",
    );
}

#[test]
fn renamed_artifact() {
    let r = Release::new(&[]);
    fs::rename(r.dist().join("notes.txt"), r.dist().join("NOTES.txt")).unwrap();
    rejected(&r.verify(&[]), "notes.txt", "sha256", "missing");
    let v = vigil(
        &r.root,
        &[
            "verify-artifact",
            "--no-config",
            "--minisign-key",
            "keys/vigil.pub",
            "dist/NOTES.txt",
        ],
    );
    rejected(&v, "NOTES.txt", "listed", "not listed in SHA256SUMS");
}

#[test]
fn swapped_artifacts() {
    let r = Release::new(&[]);
    let a = r.dist().join("app-macos.zip");
    let b = r.dist().join("notes.txt");
    let (da, db) = (fs::read(&a).unwrap(), fs::read(&b).unwrap());
    fs::write(&a, db).unwrap();
    fs::write(&b, da).unwrap();
    let v = r.verify(&[]);
    rejected(&v, "app-macos.zip", "sha256", "swapped");
    rejected(&v, "notes.txt", "sha256", "digest mismatch");
}

#[test]
fn substituted_provenance_from_another_release() {
    let r = Release::new(&[]);
    let other = r.root.join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("app-macos.zip"), b"something else").unwrap();
    ok(&vigil(
        &r.root,
        &[
            "sign",
            "--key",
            "keys/vigil.key",
            "--commit",
            COMMIT,
            "other/app-macos.zip",
        ],
    ));
    fs::copy(
        other.join("provenance.intoto.jsonl"),
        r.dist().join("provenance.intoto.jsonl"),
    )
    .unwrap();
    rejected(
        &r.verify(&[]),
        "provenance.intoto.jsonl",
        "provenance subjects",
        "app-macos.zip: the provenance's sha256",
    );
}

#[test]
fn wrong_key() {
    let r = Release::new(&[]);
    ok(&vigil(
        &r.root,
        &[
            "keygen",
            "--unencrypted",
            "--out-dir",
            "other",
            "--name",
            "other",
        ],
    ));
    let v = vigil(
        &r.root,
        &[
            "verify-artifact",
            "--no-config",
            "--dir",
            "dist",
            "--minisign-key",
            "other/other.pub",
            "--ssh-key",
            "other/other.ssh.pub",
        ],
    );
    rejected(&v, "SHA256SUMS.minisig", "minisign signature", "wrong key");
    rejected(&v, "SHA256SUMS.sig", "ssh signature", "wrong key");
    rejected(
        &v,
        "provenance.intoto.jsonl:1",
        "provenance signature",
        "DSSE",
    );
}

#[test]
fn expired_signature() {
    let r = Release::new(&["--timestamp", "1600000000"]);
    rejected(
        &r.verify(&["--max-age", "30d"]),
        "SHA256SUMS.minisig",
        "trusted comment",
        "expired",
    );
    ok(&r.verify(&[]));
}

#[test]
fn missing_sums_entry() {
    let r = Release::new(&[]);
    fs::write(r.dist().join("extra.bin"), b"not signed").unwrap();
    let v = vigil(
        &r.root,
        &[
            "verify-artifact",
            "--no-config",
            "--minisign-key",
            "keys/vigil.pub",
            "dist/extra.bin",
            "dist/notes.txt",
        ],
    );
    rejected(&v, "extra.bin", "listed", "not listed in SHA256SUMS");
    assert!(
        v.stdout.contains("ok         notes.txt: sha256"),
        "{}",
        v.stdout
    );
    // an entry removed from SHA256SUMS breaks its signatures
    r.edit("SHA256SUMS", |b| {
        let text = String::from_utf8(b.clone()).unwrap();
        *b = text
            .lines()
            .skip(1)
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            .into_bytes();
    });
    let v = r.verify(&[]);
    rejected(
        &v,
        "SHA256SUMS.minisig",
        "minisign signature",
        "does not verify",
    );
    rejected(
        &v,
        "provenance.intoto.jsonl",
        "provenance subjects",
        "not in SHA256SUMS",
    );
}

#[test]
fn missing_signature_files() {
    let r = Release::new(&[]);
    fs::remove_file(r.dist().join("SHA256SUMS.sig")).unwrap();
    rejected(&r.verify(&[]), "SHA256SUMS.sig", "ssh signature", "missing");
    fs::remove_file(r.dist().join("provenance.intoto.jsonl")).unwrap();
    rejected(
        &r.verify(&["--require-provenance"]),
        "provenance.intoto.jsonl",
        "provenance",
        "missing",
    );
}

#[test]
fn wrong_expectations_are_named() {
    let r = Release::new(&[]);
    let v = r.verify(&[
        "--commit",
        "fedcba9876543210fedcba9876543210fedcba98",
        "--tag",
        "v9",
        "--builder",
        "https://github.com/acme/app/*",
    ]);
    rejected(
        &v,
        "SHA256SUMS.minisig",
        "trusted comment",
        "tag is \"v1.2.0\", expected \"v9\"",
    );
    rejected(
        &v,
        "SHA256SUMS.minisig",
        "trusted comment",
        "commit is 0123456789",
    );
    rejected(
        &v,
        "provenance.intoto.jsonl",
        "provenance source",
        "expected fedcba98",
    );
    rejected(
        &v,
        "provenance.intoto.jsonl",
        "provenance builder",
        "urn:vigil:builder:local",
    );
}

// ---- provenance from CI variables, expectations from .vigil.toml -----------------------

#[test]
fn github_actions_provenance_and_config_expectations() {
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_REPOSITORY", "acme/app"),
        ("GITHUB_SHA", COMMIT),
        ("GITHUB_REF", "refs/tags/v1.2.0"),
        ("GITHUB_REF_TYPE", "tag"),
        ("GITHUB_REF_NAME", "v1.2.0"),
        (
            "GITHUB_WORKFLOW_REF",
            "acme/app/.github/workflows/release.yml@refs/tags/v1.2.0",
        ),
        ("GITHUB_RUN_ID", "42"),
        ("GITHUB_RUN_ATTEMPT", "1"),
    ];
    let r = Release::with(&[], &env);
    let line = fs::read_to_string(r.dist().join("provenance.intoto.jsonl")).unwrap();
    let env_json: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let st: serde_json::Value = serde_json::from_slice(
        &STANDARD
            .decode(env_json["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        st["predicate"]["runDetails"]["builder"]["id"],
        "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0"
    );
    assert_eq!(
        st["predicate"]["buildDefinition"]["buildType"],
        "https://actions.github.io/buildtypes/workflow/v1"
    );

    fs::write(
        r.root.join(".vigil.toml"),
        "[release]\nminisign_key = \"keys/vigil.pub\"\nssh_key = \"keys/vigil.ssh.pub\"\nrepository = \"https://github.com/acme/app\"\nbuilder = \"https://github.com/acme/app/.github/workflows/release.yml@*\"\nmax_age = \"30d\"\n",
    )
    .unwrap();
    let v = vigil(
        &r.root,
        &[
            "verify-artifact",
            "--dir",
            "dist",
            "--commit",
            COMMIT,
            "--tag",
            "v1.2.0",
        ],
    );
    ok(&v);
    assert!(v.stdout.contains("provenance builder: https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0"), "{}", v.stdout);

    fs::write(
        r.root.join(".vigil.toml"),
        "[release]\nminisign_key = \"keys/vigil.pub\"\nrepository = \"https://github.com/evil/app\"\n",
    )
    .unwrap();
    let v = vigil(&r.root, &["verify-artifact", "--dir", "dist"]);
    rejected(
        &v,
        "provenance.intoto.jsonl",
        "provenance source",
        "expected https://github.com/evil/app",
    );

    fs::write(
        r.root.join(".vigil.toml"),
        "[release]\nmax_age = \"soon\"\n",
    )
    .unwrap();
    let v = vigil(&r.root, &["verify-artifact", "--dir", "dist"]);
    assert_eq!(v.code, 2);
    assert!(v.stderr.contains("max_age"), "{}", v.stderr);
}

#[test]
fn gitlab_ci_provenance() {
    let env = [
        ("GITLAB_CI", "true"),
        ("CI_SERVER_URL", "https://gitlab.example.com"),
        ("CI_PROJECT_PATH", "acme/app"),
        ("CI_PROJECT_URL", "https://gitlab.example.com/acme/app"),
        ("CI_RUNNER_ID", "12"),
        ("CI_COMMIT_SHA", COMMIT),
        ("CI_COMMIT_TAG", "v1.2.0"),
        (
            "CI_JOB_URL",
            "https://gitlab.example.com/acme/app/-/jobs/99",
        ),
    ];
    let r = Release::with(&[], &env);
    let v = r.verify(&[
        "--builder",
        "https://gitlab.example.com/acme/app/-/runners/12",
        "--repository",
        "https://gitlab.example.com/acme/app",
        "--commit",
        COMMIT,
    ]);
    ok(&v);
}

/// No terminal to ask a new key's password on: the error names every way out.
#[test]
fn keygen_without_a_terminal_names_the_options() {
    let dir = tempfile::tempdir().unwrap();
    let r = vigil(dir.path(), &["keygen", "--out-dir", "keys"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for option in ["--password-env", "--unencrypted", "no terminal"] {
        assert!(r.stderr.contains(option), "{option}: {}", r.stderr);
    }
    assert!(!dir.path().join("keys/vigil.key").exists());
    // Signing with an encrypted key has no use for --unencrypted.
    ok(&vigil_env(
        dir.path(),
        &["keygen", "--out-dir", "keys", "--password-env", "PW"],
        &[("PW", "correct horse battery")],
    ));
    fs::write(dir.path().join("f.txt"), "x").unwrap();
    let r = vigil(dir.path(), &["sign", "--key", "keys/vigil.key", "f.txt"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--password-env"), "{}", r.stderr);
    assert!(!r.stderr.contains("--unencrypted"), "{}", r.stderr);
}

// ---- sign never destroys a file it did not write ----------------------------------------

/// The exit code and message of a refusal to overwrite `name`.
fn refused_to_overwrite(r: &Run, name: &str) {
    assert_eq!(r.code, 2, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(name)
            && r.stderr.contains("did not write it")
            && r.stderr.contains("--force"),
        "{}",
        r.stderr
    );
}

#[test]
fn sign_refuses_to_overwrite_files_it_did_not_write() {
    let r = Release::new(&[]);
    let sign = |extra: &[&str]| {
        let mut args = vec!["sign", "--key", "keys/vigil.key", "dist/notes.txt"];
        args.extend_from_slice(extra);
        vigil(&r.root, &args)
    };
    // Someone else's SHA256SUMS (here: sha256sum's) is kept as it was.
    let theirs = "0000000000000000000000000000000000000000000000000000000000000000  notes.txt\n";
    fs::write(r.dist().join("SHA256SUMS"), theirs).unwrap();
    refused_to_overwrite(&sign(&[]), "SHA256SUMS");
    assert_eq!(
        fs::read_to_string(r.dist().join("SHA256SUMS")).unwrap(),
        theirs
    );
    // ... also when dist/* hands it over as a file to sign.
    refused_to_overwrite(&r.resign("v2", &[]), "SHA256SUMS");
    assert_eq!(
        fs::read_to_string(r.dist().join("SHA256SUMS")).unwrap(),
        theirs
    );
    // --force overwrites it.
    ok(&sign(&["--force"]));
    assert!(fs::read_to_string(r.dist().join("SHA256SUMS"))
        .unwrap()
        .ends_with("  notes.txt\n"));
    ok(&r.verify(&["dist/notes.txt"]));
    // A provenance or per-file signature vigil did not write is kept too.
    fs::write(r.dist().join("provenance.intoto.jsonl"), "{}\n").unwrap();
    refused_to_overwrite(&sign(&[]), "provenance.intoto.jsonl");
    ok(&sign(&["--no-provenance"]));
    fs::write(r.dist().join("notes.txt.minisig"), "someone's signature\n").unwrap();
    refused_to_overwrite(
        &sign(&["--no-provenance", "--per-file"]),
        "notes.txt.minisig",
    );
    // A release signed by another key is not this key's to replace.
    ok(&vigil(
        &r.root,
        &["keygen", "--unencrypted", "--out-dir", "other"],
    ));
    let other = vigil(
        &r.root,
        &[
            "sign",
            "--key",
            "other/vigil.key",
            "--no-provenance",
            "dist/notes.txt",
        ],
    );
    refused_to_overwrite(&other, "SHA256SUMS");
}

#[cfg(unix)]
#[test]
fn sign_never_writes_through_a_symlink() {
    let r = Release::new(&[]);
    let victim = r.root.join("victim.txt");
    fs::write(&victim, "precious\n").unwrap();
    fs::remove_file(r.dist().join("SHA256SUMS.sig")).unwrap();
    std::os::unix::fs::symlink(&victim, r.dist().join("SHA256SUMS.sig")).unwrap();
    // a planted temporary file is not written through either
    std::os::unix::fs::symlink(&victim, r.dist().join("SHA256SUMS.minisig.vigil-tmp")).unwrap();
    let sign = |extra: &[&str]| {
        let mut args = vec!["sign", "--key", "keys/vigil.key", "dist/notes.txt"];
        args.extend_from_slice(extra);
        vigil(&r.root, &args)
    };
    refused_to_overwrite(&sign(&[]), "SHA256SUMS.sig");
    ok(&sign(&["--force"]));
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
    let meta = fs::symlink_metadata(r.dist().join("SHA256SUMS.sig")).unwrap();
    assert!(
        meta.file_type().is_file(),
        "the symlink was replaced by the signature"
    );
    assert!(!r.dist().join("SHA256SUMS.minisig.vigil-tmp").exists());
    ok(&r.verify(&["dist/notes.txt"]));
}

// ---- keys: secrets never print, malformed files get precise errors ---------------------

#[test]
fn key_from_env_is_never_printed() {
    let r = Release::new(&[]);
    let key = fs::read_to_string(r.root.join("keys/vigil.key")).unwrap();
    let secret_line = key.lines().nth(1).unwrap();
    let s = vigil_env(
        &r.root,
        &[
            "sign",
            "--key-env",
            "RELEASE_KEY",
            "--out-dir",
            "dist",
            "dist/notes.txt",
        ],
        &[("RELEASE_KEY", &key)],
    );
    ok(&s);
    assert!(!s.stdout.contains(secret_line) && !s.stderr.contains(secret_line));
    // A broken key in the variable: the error names the variable, not the contents.
    let broken = key.replace(&secret_line[20..40], "!!!!!!!!!!!!!!!!!!!!");
    let s = vigil_env(
        &r.root,
        &["sign", "--key-env", "RELEASE_KEY", "dist/notes.txt"],
        &[("RELEASE_KEY", &broken)],
    );
    assert_eq!(s.code, 2, "{}", s.stderr);
    assert!(
        s.stderr.contains("$RELEASE_KEY") && s.stderr.contains("base64"),
        "{}",
        s.stderr
    );
    assert!(!s.stderr.contains(&secret_line[..20]), "{}", s.stderr);
    let s = vigil(
        &r.root,
        &["sign", "--key-env", "NOT_SET_ANYWHERE", "dist/notes.txt"],
    );
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("NOT_SET_ANYWHERE"), "{}", s.stderr);
}

#[test]
fn encrypted_key_and_wrong_password() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let pw = [("PW", "correct horse"), ("BAD", "battery staple")];
    ok(&vigil_env(root, &["keygen", "--password-env", "PW"], &pw));
    let key = fs::read_to_string(root.join("vigil.key")).unwrap();
    assert!(key.starts_with("untrusted comment: minisign encrypted secret key\n"));
    fs::write(root.join("f.txt"), b"f\n").unwrap();
    let s = vigil_env(
        root,
        &[
            "sign",
            "--key",
            "vigil.key",
            "--password-env",
            "BAD",
            "f.txt",
        ],
        &pw,
    );
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("wrong password"), "{}", s.stderr);
    let s = vigil_env(root, &["sign", "--key", "vigil.key", "f.txt"], &pw);
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("--password-env"), "{}", s.stderr);
    ok(&vigil_env(
        root,
        &[
            "sign",
            "--key",
            "vigil.key",
            "--password-env",
            "PW",
            "f.txt",
        ],
        &pw,
    ));
    let (good, out) = tool(
        root,
        "minisign",
        &["-Vm", "SHA256SUMS", "-p", "vigil.pub"],
        None,
    );
    assert!(good, "{out}");
    // keygen refuses to overwrite
    let s = vigil_env(root, &["keygen", "--unencrypted"], &pw);
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("already exists"), "{}", s.stderr);
}

#[test]
fn malformed_keys_and_signatures_get_precise_errors() {
    let r = Release::new(&[]);
    let pubkey = fs::read_to_string(r.root.join("keys/vigil.pub")).unwrap();
    let b64 = pubkey.lines().nth(1).unwrap().to_owned();
    let verify_with = |text: &str| {
        fs::write(r.root.join("bad.pub"), text).unwrap();
        vigil(
            &r.root,
            &[
                "verify-artifact",
                "--no-config",
                "--dir",
                "dist",
                "--minisign-key",
                "bad.pub",
            ],
        )
    };
    let usage = |run: &Run, words: &[&str]| {
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        for w in words {
            assert!(run.stderr.contains(w), "expected {w:?} in {}", run.stderr);
        }
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    };
    // truncated
    usage(
        &verify_with(&format!("untrusted comment: x\n{}\n", &b64[..52])),
        &["bad.pub", "line 2", "39 bytes, expected 42"],
    );
    usage(
        &verify_with("untrusted comment: x\n"),
        &["bad.pub", "line 2: missing"],
    );
    // bad base64
    usage(
        &verify_with(&format!("untrusted comment: x\n{}*\n", &b64[..55])),
        &["line 2", "base64"],
    );
    // wrong algorithm id
    let mut raw = STANDARD.decode(&b64).unwrap();
    raw[1] = b'X';
    usage(
        &verify_with(&format!(
            "untrusted comment: x\n{}\n",
            STANDARD.encode(&raw)
        )),
        &["algorithm id \"EX\""],
    );
    // wrong key id: a verification failure that says so
    let mut raw = STANDARD.decode(&b64).unwrap();
    raw[2] ^= 1;
    let v = verify_with(&format!(
        "untrusted comment: x\n{}\n",
        STANDARD.encode(&raw)
    ));
    rejected(&v, "SHA256SUMS.minisig", "minisign signature", "wrong key");
    // ssh key file
    fs::write(
        r.root.join("bad.ssh.pub"),
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII4q\n",
    )
    .unwrap();
    let v = vigil(
        &r.root,
        &[
            "verify-artifact",
            "--no-config",
            "--dir",
            "dist",
            "--ssh-key",
            "bad.ssh.pub",
        ],
    );
    usage(&v, &["bad.ssh.pub", "truncated"]);

    // truncated and garbled signature files: MALFORMED, exit 2
    let sig = fs::read_to_string(r.dist().join("SHA256SUMS.minisig")).unwrap();
    fs::write(r.dist().join("SHA256SUMS.minisig"), &sig[..sig.len() / 2]).unwrap();
    let v = r.verify(&[]);
    assert_eq!(v.code, 2, "{}", v.stdout);
    assert!(
        v.stdout
            .contains("MALFORMED  SHA256SUMS.minisig: minisign signature: line"),
        "{}",
        v.stdout
    );
    fs::write(r.dist().join("SHA256SUMS.minisig"), sig).unwrap();
    let ssh = fs::read_to_string(r.dist().join("SHA256SUMS.sig")).unwrap();
    fs::write(
        r.dist().join("SHA256SUMS.sig"),
        ssh.replacen("U1NIU0lH", "U1NIU0lI", 1),
    )
    .unwrap();
    let v = r.verify(&[]);
    assert_eq!(v.code, 2, "{}", v.stdout);
    assert!(
        v.stdout.contains("does not begin with \"SSHSIG\""),
        "{}",
        v.stdout
    );
    // a secret key file that is not one
    fs::write(r.root.join("bad.key"), "untrusted comment: x\nRWQAAEIy\n").unwrap();
    let s = vigil(&r.root, &["sign", "--key", "bad.key", "dist/notes.txt"]);
    usage(&s, &["bad.key", "line 2", "expected 158"]);
}

#[test]
fn sign_refuses_bad_input() {
    let r = Release::new(&[]);
    let s = vigil(
        &r.root,
        &["sign", "--key", "keys/vigil.key", "dist/SHA256SUMS"],
    );
    assert_eq!(s.code, 2);
    assert!(
        s.stderr.contains("one of the files vigil sign writes"),
        "{}",
        s.stderr
    );
    let s = vigil(
        &r.root,
        &[
            "sign",
            "--key",
            "keys/vigil.key",
            "dist/notes.txt",
            "keys/vigil.pub",
        ],
    );
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("--out-dir"), "{}", s.stderr);
    let s = vigil(&r.root, &["sign", "--key", "keys/vigil.key", "dist/nope"]);
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("dist/nope"), "{}", s.stderr);
    let s = vigil(
        &r.root,
        &[
            "sign",
            "--key",
            "keys/vigil.key",
            "--tag",
            "v1 beta",
            "dist/notes.txt",
        ],
    );
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("--tag"), "{}", s.stderr);
    let s = vigil(
        &r.root,
        &["verify-artifact", "--no-config", "--dir", "dist"],
    );
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("no key"), "{}", s.stderr);
}
