//! Secrets however the text is written: UTF-16 (as Windows tools write it), bare CR
//! line ends, private keys commented out line by line; in folder and git scans alike.
use std::{path::Path, process::Command};

use crate::harness::{git, run_in, Run, GH_TOKEN, GH_TOKEN_2};

/// `text` in UTF-16, little- or big-endian, with or without a byte order mark.
fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    units
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

/// (rule, path, line, column, commit id or "") of each finding.
fn places(r: &Run) -> Vec<(String, String, u64, u64, String)> {
    let mut all: Vec<_> = r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["commit"]["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

fn place(rule: &str, path: &str, line: u64, column: u64) -> (String, String, u64, u64, String) {
    (rule.into(), path.into(), line, column, String::new())
}

/// A .reg export (UTF-16 LE with a mark, as regedit writes it) with a token on line 4.
fn registry_export(token: &str) -> Vec<u8> {
    let text = format!(
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Acme]\r\n\"Token\"=\"{token}\"\r\n"
    );
    utf16(&text, false, true)
}

/// A PowerShell script (UTF-16 LE with a mark, as Windows PowerShell 5 writes it).
fn powershell(token: &str) -> Vec<u8> {
    let text = format!("# deploy\r\n$headers = @{{}}\r\n$env:GITHUB_TOKEN = \"{token}\"\r\n");
    utf16(&text, false, true)
}

/// Bytes that hold NULs and are no text: a PNG's start, and noise.
fn binaries() -> (Vec<u8>, Vec<u8>) {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0".to_vec();
    png.extend_from_slice(GH_TOKEN.as_bytes());
    let mut seed = 99u32;
    let mut noise: Vec<u8> = (0..4096)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 16) as u8
        })
        .collect();
    noise[100] = 0;
    noise.extend_from_slice(GH_TOKEN.as_bytes());
    (png, noise)
}

/// A fresh PEM RSA key (`BEGIN RSA PRIVATE KEY`) from ssh-keygen: generated, never used.
fn rsa_key(dir: &Path) -> String {
    keygen(dir, "rsa", &["-b", "1024", "-m", "PEM"])
}

/// A fresh OpenSSH ed25519 key (`BEGIN OPENSSH PRIVATE KEY`).
fn openssh_key(dir: &Path) -> String {
    keygen(dir, "ed25519", &[])
}

fn keygen(dir: &Path, kind: &str, extra: &[&str]) -> String {
    let file = dir.join(format!("key-{kind}"));
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", "", "-C", "", "-f"])
        .arg(&file)
        .args(extra)
        .output()
        .expect("ssh-keygen is installed: run scripts/test");
    assert!(out.status.success(), "{out:?}");
    let key = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    std::fs::remove_file(file.with_extension("pub")).unwrap();
    key
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn utf16_files_and_bare_cr_line_ends_in_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = tempfile::tempdir().unwrap();
    write(dir, "settings.reg", &registry_export(GH_TOKEN));
    write(dir, "deploy.ps1", &powershell(GH_TOKEN_2));
    let be = format!("line one\nline two\ntoken: {GH_TOKEN}\n");
    write(dir, "big-endian.txt", &utf16(&be, true, true));
    let bomless = format!("[auth]\r\ntoken = {GH_TOKEN_2}\r\n");
    write(dir, "no-mark.ini", &utf16(&bomless, false, false));
    let classic_mac = format!("# notes\r{}", rsa_key(key.path())).replace('\n', "\r");
    write(dir, "mac.pem", classic_mac.as_bytes());
    let (png, noise) = binaries();
    write(dir, "logo.png", &png);
    write(dir, "noise.bin", &noise);
    let r = run_in(dir, &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Lines and columns of the decoded text; the mark is not a column.
    assert_eq!(
        places(&r),
        vec![
            place("github-pat-classic", "big-endian.txt", 3, 8),
            place("github-pat-classic", "deploy.ps1", 3, 22),
            place("github-pat-classic", "no-mark.ini", 2, 9),
            place("github-pat-classic", "settings.reg", 4, 10),
            place("private-key-rsa", "mac.pem", 2, 1),
        ]
    );
    assert!(
        r.stderr.contains("scanned 5 files") && r.stderr.contains("skipped 2 binary"),
        "{}",
        r.stderr
    );
}

#[test]
fn utf16_files_in_history_and_staged_scans() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q"]);
    write(repo, "settings.reg", &registry_export(GH_TOKEN));
    write(repo, "deploy.ps1", &powershell(GH_TOKEN_2));
    let (png, _) = binaries();
    write(repo, "logo.png", &png);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "one"]);
    let first = crate::harness::rev(repo, "HEAD");
    // A second value added to the export: only its line is new in the decoded text.
    let mut export = String::from_utf16_lossy(
        &registry_export(GH_TOKEN)[2..]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect::<Vec<_>>(),
    );
    export.push_str(&format!("\"Backup\"=\"{GH_TOKEN_2}\"\r\n"));
    write(repo, "settings.reg", &utf16(&export, false, true));
    let bomless = format!("[auth]\r\ntoken = {GH_TOKEN}\r\n");
    write(repo, "no-mark.ini", &utf16(&bomless, true, false));
    git(repo, &["add", "."]);
    let staged = run_in(repo, &["scan", "--staged", "--format", "json"]);
    assert_eq!(staged.code, 1, "{}", staged.stderr);
    assert_eq!(
        places(&staged),
        vec![
            place("github-pat-classic", "no-mark.ini", 2, 9),
            place("github-pat-classic", "settings.reg", 5, 11),
        ]
    );
    git(repo, &["commit", "-q", "-m", "two"]);
    let second = crate::harness::rev(repo, "HEAD");
    let r = run_in(repo, &["scan", "--history", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let at = |path: &str, line, column, commit: &str| {
        (
            "github-pat-classic".to_owned(),
            path.to_owned(),
            line,
            column,
            commit.to_owned(),
        )
    };
    let mut expected = vec![
        at("deploy.ps1", 3, 22, &first),
        at("settings.reg", 4, 10, &first),
        at("no-mark.ini", 2, 9, &second),
        at("settings.reg", 5, 11, &second),
    ];
    expected.sort();
    assert_eq!(places(&r), expected);
    assert!(
        r.stderr.contains("1 binary") && r.stderr.contains("scanned 2 commits"),
        "{}",
        r.stderr
    );
}

/// Each line of `key` behind `prefix`.
fn commented(key: &str, prefix: &str) -> String {
    key.lines().map(|l| format!("{prefix}{l}\n")).collect()
}

#[test]
fn private_keys_commented_out_line_by_line() {
    let keys = tempfile::tempdir().unwrap();
    let (rsa, openssh) = (rsa_key(keys.path()), openssh_key(keys.path()));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let shell = format!(
        "#!/bin/sh\n# old deploy key:\n{}echo done\n",
        commented(&rsa, "# ")
    );
    write(dir, "deploy.sh", shell.as_bytes());
    let js = format!(
        "const a = 1;\n  {}",
        commented(&openssh, "// ").replace("\n//", "\n  //")
    );
    write(dir, "client.js", js.as_bytes());
    let sql = format!("-- seed\nSELECT 1;\n\n{}", commented(&rsa, "--"));
    write(dir, "seed.sql", sql.as_bytes());
    // A commented certificate is no key; a prefix that changes midway is no block.
    let cert = commented(&rsa, "# ").replace("RSA PRIVATE KEY", "CERTIFICATE");
    let mut lines: Vec<String> = commented(&rsa, "# ").lines().map(str::to_owned).collect();
    lines[3] = lines[3].replacen("# ", "", 1);
    write(
        dir,
        "notes.txt",
        format!("{cert}{}\n", lines.join("\n")).as_bytes(),
    );
    let r = run_in(dir, &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // At the BEGIN line of the original text, where the key starts after its prefix.
    assert_eq!(
        places(&r),
        vec![
            place("private-key-openssh", "client.js", 2, 6),
            place("private-key-rsa", "deploy.sh", 3, 3),
            place("private-key-rsa", "seed.sql", 4, 3),
        ]
    );
    let end_line = |path: &str| {
        r.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["end_line"].as_u64().unwrap())
    };
    assert_eq!(end_line("deploy.sh"), Some(2 + rsa.lines().count() as u64));
}

/// Writes a zip at `path` holding one stored entry `name` with `bytes`.
fn zip(path: &Path, name: &str, bytes: &[u8]) {
    let data = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(data.path(), bytes).unwrap();
    let script = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    z.write(sys.argv[3], sys.argv[2])\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .arg(name)
        .arg(data.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_utf16_file_in_a_changed_archive_is_compared_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q"]);
    zip(
        &repo.join("conf.zip"),
        "settings.reg",
        &registry_export(GH_TOKEN),
    );
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "one"]);
    let first = crate::harness::rev(repo, "HEAD");
    // The archive changes; in the file inside, only a line without a secret is new.
    let export =
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Acme]\r\n";
    let changed = format!("{export}\"Token\"=\"{GH_TOKEN}\"\r\n\"Region\"=\"eu-west-1\"\r\n");
    zip(
        &repo.join("conf.zip"),
        "settings.reg",
        &utf16(&changed, false, true),
    );
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "two"]);
    let r = run_in(repo, &["scan", "--history", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let found: Vec<_> = places(&r).into_iter().map(|p| (p.1, p.2, p.4)).collect();
    assert_eq!(found, [("conf.zip!settings.reg".to_owned(), 4, first)]);
}
