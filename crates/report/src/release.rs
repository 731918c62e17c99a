//! The report of `vigil verify-artifact`: every check of a signed release.
//!
//! Human: one line per check, `STATUS     subject: check: message`. JSON:
//! `{"version": 1, "ok": bool, "checks": [{"subject", "check", "status", "message"}]}`,
//! with `status` one of `ok`, `failed`, `malformed`, `unreadable`, `skipped`.
use std::io;

use serde::Serialize;
use vigil_model::{CheckStatus, VerifyReport};

use crate::text::printable;

/// The label a status is shown with, and its message.
pub fn label(s: &CheckStatus) -> (&'static str, &str) {
    match s {
        CheckStatus::Passed(m) => ("ok", m),
        CheckStatus::Failed(m) => ("FAILED", m),
        CheckStatus::Malformed(m) => ("MALFORMED", m),
        CheckStatus::Incomplete(m) => ("UNREADABLE", m),
        CheckStatus::Skipped(m) => ("skipped", m),
    }
}

/// One line per check.
pub fn write_human(out: &mut dyn io::Write, report: &VerifyReport) -> io::Result<()> {
    for c in &report.checks {
        let (tag, msg) = label(&c.status);
        writeln!(
            out,
            "{tag:<10} {}: {}: {}",
            printable(&c.subject),
            c.check,
            crate::text::printable_message(msg)
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    ok: bool,
    checks: Vec<JsonCheck<'a>>,
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    subject: &'a str,
    check: &'a str,
    status: String,
    message: &'a str,
}

/// One JSON object on one line, versioned like every other JSON report.
pub fn write_json(out: &mut dyn io::Write, report: &VerifyReport) -> io::Result<()> {
    let json = JsonReport {
        version: 1,
        ok: report.ok(),
        checks: report
            .checks
            .iter()
            .map(|c| {
                let (tag, message) = label(&c.status);
                JsonCheck {
                    subject: &c.subject,
                    check: c.check,
                    status: tag.to_ascii_lowercase(),
                    message,
                }
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &json).map_err(io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> VerifyReport {
        let mut r = VerifyReport::default();
        r.add(
            "SHA256SUMS.minisig",
            "minisign signature",
            CheckStatus::Passed("signed by key 0123".into()),
        );
        r.add(
            "app.tar.gz",
            "sha256",
            CheckStatus::Failed("digest differs".into()),
        );
        r
    }

    #[test]
    fn human_lines_and_versioned_json() {
        let mut out = Vec::new();
        write_human(&mut out, &report()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ok         SHA256SUMS.minisig: minisign signature: signed by key 0123\nFAILED     app.tar.gz: sha256: digest differs\n"
        );
        let mut out = Vec::new();
        write_json(&mut out, &report()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["ok"], false);
        assert_eq!(v["checks"][1]["status"], "failed");
    }
}
