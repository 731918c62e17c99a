//! Signature verification verdicts (`vigil verify`): their human and JSON reports.
//!
//! JSON: `{"version": 1, "verdicts": [{"commit": ID, "verdict": ..., ...}], "summary": {...}}`,
//! one record per object; tags are `{"tag": ID, "ref": "refs/tags/v1", ...}`.
use std::io;

use serde::Serialize;

use vigil_model::{ObjectVerdict, VerifySummary};

use crate::{
    options::Color,
    records::{verdict_counts, verdict_to_json, JsonVerdict},
    text::printable,
};

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    verdicts: Vec<JsonVerdict<'a>>,
    summary: JsonSummary<'a>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    objects: usize,
    failed: usize,
    counts: std::collections::BTreeMap<&'static str, usize>,
    /// False when an object could not be read or nothing was verified (`errors` says
    /// what).
    complete: bool,
    errors: &'a [String],
}

/// `--format json`.
pub fn write_json(
    out: &mut dyn io::Write,
    verdicts: &[ObjectVerdict],
    summary: &VerifySummary,
) -> io::Result<()> {
    let report = JsonReport {
        version: 1,
        verdicts: verdicts.iter().map(verdict_to_json).collect(),
        summary: JsonSummary {
            objects: summary.objects,
            failed: summary.failed,
            counts: verdict_counts(verdicts),
            complete: summary.errors.is_empty(),
            errors: &summary.errors,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

/// The human report: one line per object that fails (all objects with `verbose`).
pub fn write_human(
    out: &mut dyn io::Write,
    verdicts: &[ObjectVerdict],
    summary: &VerifySummary,
    color: Color,
    verbose: bool,
) -> io::Result<()> {
    let paint = |code: &str, text: &str| match color {
        Color::On => format!("\x1b[{code}m{text}\x1b[0m"),
        Color::Off => text.to_owned(),
    };
    for v in verdicts {
        if v.verdict.passes() && !verbose {
            continue;
        }
        let short = v.id.get(..12).unwrap_or(&v.id);
        let what = match &v.ref_name {
            Some(r) => format!("{} {} ({})", v.kind, printable(short), printable(r)),
            None => format!("{} {}", v.kind, printable(short)),
        };
        let verdict = if v.verdict.passes() {
            paint("32", v.verdict.as_str())
        } else {
            paint("1;31", v.verdict.as_str())
        };
        writeln!(out, "{what}: {verdict}")?;
        if let Some(s) = &v.signer {
            writeln!(out, "  signer:      {}", printable(s))?;
        }
        if let Some(f) = &v.fingerprint {
            writeln!(
                out,
                "  key:         {} {}",
                v.format.unwrap_or(""),
                printable(f)
            )?;
        }
        if !v.email.is_empty() {
            writeln!(
                out,
                "  {:<12} {}",
                if v.kind == "tag" {
                    "tagger:"
                } else {
                    "committer:"
                },
                printable(&v.email)
            )?;
        }
        writeln!(
            out,
            "  reason:      {}",
            crate::text::printable_message(&v.reason)
        )?;
        if v.policy_change {
            writeln!(out, "  note:        this commit changes the trust policy; it was judged by its parent's policy")?;
        }
    }
    let c = verdict_counts(verdicts);
    let list: Vec<String> = c.iter().map(|(k, n)| format!("{n} {k}")).collect();
    writeln!(
        out,
        "{} object{} verified, {} failed{}{}",
        summary.objects,
        if summary.objects == 1 { "" } else { "s" },
        summary.failed,
        if list.is_empty() {
            String::new()
        } else {
            format!(" ({})", list.join(", "))
        },
        if summary.errors.is_empty() {
            String::new()
        } else {
            format!(
                "; incomplete ({} error{})",
                summary.errors.len(),
                if summary.errors.len() == 1 { "" } else { "s" }
            )
        }
    )
}

#[cfg(test)]
mod tests {
    use vigil_model::{TimeBasis, Verdict};

    use super::*;

    fn v(verdict: Verdict) -> ObjectVerdict {
        ObjectVerdict {
            kind: "commit",
            id: "0123456789abcdef0123456789abcdef01234567".into(),
            ref_name: None,
            verdict,
            format: Some("ssh"),
            signer: Some("ada@example.com".into()),
            fingerprint: Some("SHA256:abc".into()),
            email: "ada@example.com".into(),
            reason: "r".into(),
            time: 5,
            time_basis: TimeBasis::Now,
            policy_change: false,
        }
    }

    #[test]
    fn json_has_one_record_per_object() {
        let list = [v(Verdict::Good), v(Verdict::SignerMismatch)];
        let s = VerifySummary::of(&list, 0.0, Vec::new());
        let mut out = Vec::new();
        write_json(&mut out, &list, &s).unwrap();
        let j: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(j["verdicts"][1]["verdict"], "signer-mismatch");
        assert_eq!(
            j["verdicts"][0]["commit"],
            "0123456789abcdef0123456789abcdef01234567"
        );
        assert_eq!(j["summary"]["failed"], 1);
        for x in Verdict::ALL {
            assert_eq!(Verdict::from_name(x.as_str()), Some(x));
            assert_eq!(serde_json::to_value(x).unwrap(), x.as_str());
        }
    }

    #[test]
    fn human_lists_failures() {
        let list = [v(Verdict::Good), v(Verdict::Unsigned)];
        let s = VerifySummary::of(&list, 0.0, Vec::new());
        let mut out = Vec::new();
        write_human(&mut out, &list, &s, Color::Off, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("commit 0123456789ab: unsigned"), "{text}");
        assert!(!text.contains(": good"), "{text}");
        assert!(text.contains("2 objects verified, 1 failed"), "{text}");
    }
}
