//! Hostile and unusual input: never a panic, never a silent "nothing found".
use crate::harness::*;

#[test]
fn unreadable_file_makes_the_scan_incomplete() {
    // /proc/self/mem fails to read with EIO even for root, which owns every other file.
    let r = run(&["scan", "/proc/self/mem"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot read /proc/self/mem"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("scan incomplete"), "{}", r.stderr);
}

#[test]
fn one_megabyte_single_line_is_scanned() {
    let mut line = "q".repeat(1 << 20);
    line.push_str(&format!(" token={GH_TOKEN}"));
    let dir = tree(&[("min.js", line.as_bytes())]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let f = &r.json()["findings"][0];
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"].as_u64(), Some((1 << 20) + 8));
}

#[test]
fn invalid_utf8_is_scanned() {
    let mut bytes = b"\xff\xfe\xc3(caf\xe9)\nkey=".to_vec();
    bytes.extend_from_slice(GH_TOKEN.as_bytes());
    bytes.extend_from_slice(b"\xff\n");
    let dir = tree(&[("latin1.txt", &bytes)]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(
        r.findings(),
        vec![("github-pat-classic".into(), "latin1.txt".into(), 2)]
    );
}

#[test]
fn secrets_inside_base64_escapes_and_percent_encoding_are_found() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("token={GH_TOKEN}"));
    let k8s = format!("apiVersion: v1\nkind: Secret\ndata:\n  creds: {b64}\n");
    let json = format!("{{\"cell\": \"x = \\\"{GH_TOKEN_2}\\\"\\n\"}}\n");
    let dir = tree(&[
        ("secret.yaml", k8s.as_bytes()),
        ("nb.ipynb", json.as_bytes()),
    ]);
    let r = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    let found = r.findings();
    assert!(
        found.contains(&("github-pat-classic".into(), "secret.yaml".into(), 4)),
        "{found:?}"
    );
    assert!(
        found.contains(&("github-pat-classic".into(), "nb.ipynb".into(), 1)),
        "{found:?}"
    );
    let report = r.json();
    let k8s_finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "secret.yaml")
        .unwrap();
    assert_eq!(k8s_finding["decoded"], serde_json::json!(["base64"]));
    // With decoding off, the base64-wrapped token is not seen (a generic rule may
    // still flag the encoded blob under its `creds` key).
    let r = run_in(
        dir.path(),
        &[
            "scan",
            "secret.yaml",
            "--decode-depth",
            "0",
            "--format",
            "json",
        ],
    );
    assert!(
        !r.findings()
            .iter()
            .any(|(rule, ..)| rule == "github-pat-classic"),
        "{:?}",
        r.findings()
    );
}

#[test]
fn garbage_input_never_panics() {
    // Bytes that stress the decoder: unterminated escapes, stray percent signs,
    // base64-looking runs, NUL-free binary noise.
    let mut noise = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let b = (x >> 16) as u8;
        noise.push(if b == 0 { b'\\' } else { b });
    }
    noise.extend_from_slice(b"\\u12 \\x \\ %4 %zz ==== ghp_ -----BEGIN");
    let dir = tree(&[("noise.dat", &noise)]);
    let r = run_in(dir.path(), &["scan", "."]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
}
