//! The detector over arbitrary bytes, and every report format over what it found.
use std::{sync::Arc, time::SystemTime};

use vigil_core::Config;
use vigil_model::{Finding, Origin};
use vigil_report::{Format, Options, Report, RuleInfo, ScanInfo};
use vigil_secrets::{Detector, DetectorOptions, Fragment};

/// Fake secrets (the built-in rules' own examples, made from the documented formats)
/// planted in every input of [`detector`]: no report may show one whole.
pub const PLANTED: [&str; 2] = [
    "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",
    "AKIAA7HBPXXTK6IZ25GS",
];

thread_local! {
    /// The detector of `vigil scan` without a configuration file (built once: building
    /// it reads every built-in rule).
    static DETECTOR: Option<Detector> = Config::default().detector(DetectorOptions::default()).ok();
}

/// Runs `f` with the default detector.
fn with_detector<T>(f: impl FnOnce(&Detector) -> T) -> T {
    DETECTOR.with(|d| {
        let d = d.as_ref();
        assert!(d.is_some(), "the built-in rules make a detector");
        d.map(f).unwrap_or_else(|| unreachable!())
    })
}

/// Findings of the default detector in a small fixed text, for the targets that filter
/// findings (a `.gitleaks.toml`'s allowlists, a baseline).
pub fn sample_findings() -> Vec<Finding> {
    let text = format!(
        "export GITHUB_TOKEN={}\naws_access_key_id = {}\n",
        PLANTED[0], PLANTED[1]
    );
    let origin = Origin::path("config/app.env");
    with_detector(|d| d.scan(&Fragment::new(&origin, text.as_bytes())))
}

/// The fuzz bytes with a line holding each [`PLANTED`] secret after them, scanned with
/// the built-in rules as one file, then written in every report format, redacted.
///
/// Invariant: no report holds a planted secret whole, whatever surrounds it.
pub fn detector(data: &[u8]) {
    let mut input = data.to_vec();
    for secret in PLANTED {
        input.extend_from_slice(b"\nexport TOKEN=");
        input.extend_from_slice(secret.as_bytes());
        input.push(b'\n');
    }
    let origin: Arc<Origin> = Origin::path("fuzz/input.txt");
    let findings = with_detector(|d| d.scan(&Fragment::new(&origin, &input)));
    let mut info = ScanInfo::new("vigil", "0.0.0", SystemTime::UNIX_EPOCH);
    info.scanned.files = 1;
    for f in &findings {
        if info.rule(&f.rule).is_none() {
            info.rules.push(RuleInfo::of(f));
        }
    }
    let report = Report::new(&info, &findings);
    for format in Format::ALL {
        let mut out = Vec::new();
        let written = format.write(&mut out, &report, &Options::default());
        assert!(written.is_ok(), "{} writes to memory", format.name());
        for secret in PLANTED {
            assert!(
                crate::find(&out, secret.as_bytes()).is_none(),
                "the {} report shows the planted secret {secret}",
                format.name()
            );
        }
    }
}
