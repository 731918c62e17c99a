//! The files a repository configures vigil with: `.vigil.toml`, `.gitleaks.toml` and
//! `.gitleaksignore`, and baseline files.
use std::path::Path;

use vigil_core::{
    baseline::{Baseline, Date},
    migrate::gitleaks::{load_into, parse_gitleaksignore, GITLEAKS_CONFIG, GITLEAKS_IGNORE},
    Config,
};
use vigil_secrets::DetectorOptions;

use crate::{detect::sample_findings, parts, text};

/// The files a repository configures vigil with: each input read as a `.vigil.toml`
/// ([`vigil_config`]), a `.gitleaks.toml` and its `.gitleaksignore` ([`gitleaks`]), and
/// a baseline file ([`baseline`]).
pub fn config(data: &[u8]) {
    vigil_config(data);
    gitleaks(data);
    baseline(data);
}

/// A `.vigil.toml`; when it reads, the detector it configures is built (custom rules
/// compiled and checked against their examples).
pub fn vigil_config(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Ok(config) = Config::parse(Path::new(".vigil.toml"), t) {
        let _ = config.root();
        let _ = config.detector(DetectorOptions::default());
    }
}

/// A `.gitleaks.toml`, then a `.gitleaksignore` ([`parts`]): both written to a
/// folder and loaded as `vigil scan` loads them (the file translated into vigil's
/// configuration, the ignore file beside it read), the detector built, and the
/// post-scan filters applied to a few findings. The ignore file is parsed alone too.
pub fn gitleaks(data: &[u8]) {
    let p = parts(data, 2);
    if let Some(t) = text(p[1]) {
        let _ = parse_gitleaksignore(Path::new(GITLEAKS_IGNORE), t);
    }
    if text(p[0]).is_none() {
        return;
    }
    FOLDER.with(|dir| {
        let Some(dir) = dir else { return };
        let config_path = dir.path().join(GITLEAKS_CONFIG);
        let ignore_path = dir.path().join(GITLEAKS_IGNORE);
        if std::fs::write(&config_path, p[0]).is_err() {
            return;
        }
        let written = if p[1].is_empty() {
            std::fs::remove_file(&ignore_path).or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            })
        } else {
            std::fs::write(&ignore_path, p[1])
        };
        if written.is_err() {
            return;
        }
        let mut config = Config::default();
        if load_into(&mut config, &config_path).is_err() {
            return;
        }
        let Some(gl) = &config.gitleaks else { return };
        let _ = gl.post_scan_checks();
        let _ = gl.vigil_rules("generic-api-key");
        let _ = gl.ignores().len();
        if config.detector(DetectorOptions::default()).is_ok() {
            let mut findings = sample_findings();
            let before = findings.len();
            let dropped = gl.filter(&mut findings);
            assert_eq!(before, findings.len() + dropped);
        }
    });
}

thread_local! {
    /// The folder [`gitleaks`] writes its two files to (`None` if it cannot be made).
    static FOLDER: Option<tempfile::TempDir> = tempfile::tempdir().ok();
}

/// A baseline file.
///
/// Invariant: a baseline written and read back is the same baseline.
pub fn baseline(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let path = Path::new("vigil-baseline.txt");
    if let Ok(b) = Baseline::parse(path, t) {
        let written = b.to_text();
        let again = Baseline::parse(path, &written);
        assert!(
            again.as_ref().ok() == Some(&b),
            "a baseline reads back: {written:?} -> {again:?}"
        );
        let applied = b.apply(sample_findings(), Date::from_days(20_000));
        let _ = applied.suppressed;
    }
    for word in t.split_whitespace().take(16) {
        let _ = Date::parse(word);
    }
}
