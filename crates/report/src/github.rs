//! GitHub Actions: workflow commands (`--format github`) and a Markdown summary
//! (`--format markdown`, e.g. written to `$GITHUB_STEP_SUMMARY`).
//!
//! Workflow commands are lines a step prints on stdout, which the runner turns into
//! annotations on the diff: `::error file=app/.env,line=2,endLine=2,col=21,endColumn=61,title=…::message`.
//! Critical and high findings are errors, medium warnings, low and info notices.
//!
//! A signature verdict that does not pass is an `::error` without a file (a commit is
//! not one): `::error title=vigil: signature/untrusted-key::commit <id>: <reason>`. The
//! Markdown summary gets a section listing those verdicts and the count of each.
//! Reasons, addresses and refs come from commits anyone can write: besides the
//! escaping of `%`, CR and LF (commands) and of `|` and line breaks (table cells),
//! every other control character becomes U+FFFD.
use std::io;

use vigil_model::{Finding, ObjectVerdict, Severity};

use crate::{options::Redaction, records::verdict_counts, report::Report, text::printable};

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// Escapes a command's message: `%`, CR and LF.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as data, plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn message(f: &Finding, redaction: Redaction) -> String {
    let mut m = format!(
        "{} ({}): {} ({} characters)",
        f.description,
        f.severity.as_str(),
        redaction.show(&f.secret),
        f.secret.len()
    );
    if !f.decoded.is_empty() {
        m.push_str(&format!(", decoded from {}", f.decoded.join(" > ")));
    }
    if let Some(c) = &f.origin.commit {
        m.push_str(&format!(", in commit {}", c.id));
    }
    m.push_str(".\nRevoke the credential first, then remove it from history.");
    if let Some(r) = &f.remediation {
        m.push('\n');
        m.push_str(r);
    }
    if let Some(u) = &f.remediation_url {
        m.push('\n');
        m.push_str(u);
    }
    m.push_str(&format!("\nvigil fingerprint {}", f.fingerprint));
    m
}

/// `commit <id>`, or `tag <ref> (<id>)`.
fn object(v: &ObjectVerdict) -> String {
    match &v.ref_name {
        Some(r) => format!("{} {r} ({})", v.kind, v.id),
        None => format!("{} {}", v.kind, v.id),
    }
}

/// One workflow command per finding, one `::error` per verdict that does not pass,
/// then a warning per item that could not be scanned.
pub fn write_commands(
    out: &mut dyn io::Write,
    report: &Report<'_>,
    redaction: Redaction,
) -> io::Result<()> {
    for f in report.findings {
        let l = f.location;
        let mut props = format!("file={}", escape_property(&f.origin.path));
        props.push_str(&format!(
            ",line={},endLine={}",
            l.line,
            l.end_line.max(l.line)
        ));
        if l.end_line <= l.line {
            props.push_str(&format!(",col={},endColumn={}", l.column, l.end_column));
        }
        props.push_str(&format!(
            ",title={}",
            escape_property(&format!("vigil: {}", f.rule))
        ));
        writeln!(
            out,
            "::{} {props}::{}",
            command(f.severity),
            escape_data(&message(f, redaction))
        )?;
    }
    for v in report.verdicts.iter().filter(|v| !v.verdict.passes()) {
        writeln!(
            out,
            "::error title={}::{}",
            escape_property(&format!("vigil: signature/{}", v.verdict.as_str())),
            escape_data(&printable(&format!("{}: {}", object(v), v.reason)))
        )?;
    }
    for e in &report.info.errors {
        writeln!(
            out,
            "::warning title={}::{}",
            escape_property("vigil: scan incomplete"),
            escape_data(e)
        )?;
    }
    Ok(())
}

/// Text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Text for a code span inside a table cell.
fn code(s: &str) -> String {
    format!("`{}`", cell(&s.replace('`', "'")))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The verdicts section of the Markdown summary: a headline, a table of the objects
/// that fail, and how many got each verdict.
fn write_verdicts(out: &mut dyn io::Write, verdicts: &[ObjectVerdict]) -> io::Result<()> {
    let failing: Vec<&ObjectVerdict> = verdicts.iter().filter(|v| !v.verdict.passes()).collect();
    let n = verdicts.len();
    writeln!(out)?;
    if failing.is_empty() {
        writeln!(
            out,
            "### Signatures: {} verified",
            plural(n, "object", "objects")
        )?;
    } else {
        writeln!(
            out,
            "### Signatures: {} of {} failed",
            failing.len(),
            plural(n, "object", "objects")
        )?;
        writeln!(out)?;
        writeln!(out, "| Verdict | Object | Reason |")?;
        writeln!(out, "|---|---|---|")?;
        for v in &failing {
            let short = v.id.get(..12).unwrap_or(&v.id);
            let what = match &v.ref_name {
                Some(r) => format!("{} {r} @ {short}", v.kind),
                None => format!("{} {short}", v.kind),
            };
            writeln!(
                out,
                "| {} | {} | {} |",
                v.verdict.as_str(),
                code(&printable(&what)),
                code(&printable(&v.reason)),
            )?;
        }
    }
    writeln!(out)?;
    let counts: Vec<String> = verdict_counts(verdicts)
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    writeln!(out, "Verdicts: {}.", counts.join(", "))
}

/// A Markdown summary: a headline, a table of findings, how to revoke each kind of
/// credential, the signature verdicts when there are any, and what was scanned.
pub fn write_markdown(
    out: &mut dyn io::Write,
    report: &Report<'_>,
    redaction: Redaction,
) -> io::Result<()> {
    let info = report.info;
    let n = report.findings.len();
    if n == 0 {
        writeln!(out, "## vigil: no secrets found")?;
    } else {
        writeln!(out, "## vigil: {} found", plural(n, "secret", "secrets"))?;
        writeln!(out)?;
        writeln!(
            out,
            "Revoke each credential first, then remove it from history: a pushed secret has already been copied."
        )?;
        writeln!(out)?;
        writeln!(out, "| Severity | Rule | Location | Secret | Fingerprint |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in report.findings {
            let mut place = format!("{}:{}", f.origin.path, f.location.line);
            if let Some(c) = &f.origin.commit {
                place.push_str(&format!(" @ {}", c.id.get(..12).unwrap_or(&c.id)));
            }
            writeln!(
                out,
                "| {} | {} | {} | {} ({} chars) | {} |",
                f.severity.as_str(),
                code(&f.rule),
                code(&place),
                code(&redaction.show(&f.secret)),
                f.secret.len(),
                code(&f.fingerprint),
            )?;
        }
        writeln!(out)?;
        writeln!(out, "### How to revoke")?;
        writeln!(out)?;
        let mut seen: Vec<&str> = Vec::new();
        for f in report.findings {
            if seen.contains(&f.rule.as_ref()) {
                continue;
            }
            seen.push(&f.rule);
            let how = f
                .remediation
                .as_deref()
                .unwrap_or("Revoke or rotate the credential with its issuer.");
            let mut line = format!("- **{}** ({}): {}", f.rule, cell(&f.description), cell(how));
            if let Some(u) = &f.remediation_url {
                line.push_str(&format!(" [Provider documentation]({u})"));
            }
            writeln!(out, "{line}")?;
        }
    }
    if !report.verdicts.is_empty() {
        write_verdicts(out, report.verdicts)?;
    }
    if !info.errors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "> **Warning**: the scan is incomplete; {} could not be read:",
            plural(info.errors.len(), "item", "items")
        )?;
        for e in &info.errors {
            writeln!(out, "> - {}", cell(e))?;
        }
    }
    writeln!(out)?;
    let mut scanned = Vec::new();
    if info.scanned.files > 0 || info.scanned.commits == 0 {
        scanned.push(plural(info.scanned.files as usize, "file", "files"));
    }
    if info.scanned.commits > 0 {
        scanned.push(plural(info.scanned.commits as usize, "commit", "commits"));
    }
    writeln!(
        out,
        "<sub>{} {} scanned {} with {}.</sub>",
        info.tool_name,
        info.tool_version,
        scanned.join(" and "),
        plural(info.rules.len(), "rule", "rules")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
