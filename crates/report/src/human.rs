//! The report for people: one block per finding, colour only when asked.
use std::io;

use vigil_model::{Finding, Severity};

pub use crate::options::Color;
use crate::{options::Redaction, text::printable};

struct Paint(Color);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        match self.0 {
            Color::On => format!("\x1b[{code}m{text}\x1b[0m"),
            Color::Off => text.to_owned(),
        }
    }
}

fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

/// Writes each finding and a closing count line with what to do: for `staged` changes,
/// which no commit holds yet, unstage and rotate; otherwise revoke, then clean history.
pub fn write(
    out: &mut dyn io::Write,
    findings: &[Finding],
    redaction: Redaction,
    color: Color,
    staged: bool,
) -> io::Result<()> {
    let paint = Paint(color);
    for f in findings {
        let sev = format!("{:<8}", f.severity.as_str());
        writeln!(
            out,
            "{} {}  {}",
            paint.wrap(severity_code(f.severity), &sev),
            paint.wrap("1", &printable(&f.rule)),
            printable(&f.description)
        )?;
        let mut place = format!(
            "{}:{}:{}",
            printable(&f.origin.path),
            f.location.line,
            f.location.column
        );
        if let Some(c) = &f.origin.commit {
            let short = c.id.get(..12).unwrap_or(&c.id);
            place.push_str(&format!(
                "  commit {} by {} <{}>",
                printable(short),
                printable(&c.author_name),
                printable(&c.author_email)
            ));
        }
        writeln!(out, "    at      {}", paint.wrap("36", &place))?;
        let mut secret = format!(
            "{} ({} chars)",
            crate::text::printable_message(&redaction.show(&f.secret)),
            f.secret.len()
        );
        if !f.decoded.is_empty() {
            secret.push_str(&format!(
                ", decoded from {}",
                printable(&f.decoded.join(" > "))
            ));
        }
        writeln!(out, "    secret  {secret}")?;
        writeln!(
            out,
            "    id      {}",
            paint.wrap("2", &printable(&f.fingerprint))
        )?;
        if let Some(r) = &f.remediation {
            writeln!(out, "    revoke  {}", printable(r))?;
        }
        if let Some(u) = &f.remediation_url {
            writeln!(out, "            {}", paint.wrap("4", &printable(u)))?;
        }
        writeln!(out)?;
    }
    let mut counts: Vec<(Severity, usize)> = Vec::new();
    for f in findings {
        match counts.iter_mut().find(|(s, _)| *s == f.severity) {
            Some((_, n)) => *n += 1,
            None => counts.push((f.severity, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.0));
    let detail: Vec<String> = counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let (one, each) = if staged {
        (
            "revoke the credential, then take it out of the file and `git add` it again (or `git restore --staged` the file); no commit holds it yet",
            "revoke each credential, then take it out of its file and `git add` it again (or `git restore --staged` the file); no commit holds them yet",
        )
    } else {
        (
            "revoke the credential first, then remove it from history",
            "revoke each credential first, then remove it from history",
        )
    };
    match findings.len() {
        0 => writeln!(out, "no secrets found"),
        1 => writeln!(out, "1 finding ({}); {one}", detail.join(", ")),
        n => writeln!(out, "{n} findings ({}); {each}", detail.join(", ")),
    }
}
