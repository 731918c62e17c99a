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

use crate::{
    options::Redaction, records::verdict_counts, report::Report,
    text::printable_keeping_breaks as printable,
};

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

/// GitHub shows at most this many annotations of each kind (error, warning, notice)
/// per step; the rest are dropped without a word.
pub const ANNOTATIONS_PER_KIND: usize = 10;

/// One annotation: its kind, its rank (0 is the most severe) and its whole line.
struct Annotation {
    kind: &'static str,
    rank: u8,
    line: String,
}

fn finding_rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 0,
        Severity::High => 2,
        Severity::Medium => 4,
        Severity::Low => 5,
        Severity::Info => 6,
    }
}

/// A workflow command per finding, an `::error` per verdict that does not pass and a
/// warning per item that could not be scanned: the most severe first (critical
/// findings, failing verdicts, high findings, unread items, medium, low, info), at most
/// [`ANNOTATIONS_PER_KIND`] of each kind, then one notice with the totals, so a cut is
/// never silent. Nothing at all to say writes nothing.
pub fn write_commands(
    out: &mut dyn io::Write,
    report: &Report<'_>,
    redaction: Redaction,
) -> io::Result<()> {
    let mut all: Vec<Annotation> = Vec::new();
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
        let kind = command(f.severity);
        all.push(Annotation {
            kind,
            rank: finding_rank(f.severity),
            line: format!("::{kind} {props}::{}", escape_data(&message(f, redaction))),
        });
    }
    let failing = report.verdicts.iter().filter(|v| !v.verdict.passes());
    for v in failing.clone() {
        all.push(Annotation {
            kind: "error",
            rank: 1,
            line: format!(
                "::error title={}::{}",
                escape_property(&format!("vigil: signature/{}", v.verdict.as_str())),
                escape_data(&printable(&format!("{}: {}", object(v), v.reason)))
            ),
        });
    }
    for e in &report.info.errors {
        all.push(Annotation {
            kind: "warning",
            rank: 3,
            line: format!(
                "::warning title={}::{}",
                escape_property("vigil: scan incomplete"),
                escape_data(&printable(e))
            ),
        });
    }
    for s in &report.info.skipped {
        all.push(Annotation {
            kind: "notice",
            rank: 4,
            line: format!(
                "::notice file={},title={}::{}",
                escape_property(&s.path),
                escape_property("vigil: not scanned"),
                escape_data(&printable(&s.to_string()))
            ),
        });
    }
    if all.is_empty() {
        return Ok(());
    }
    // Stable: within a rank, the report's own order.
    all.sort_by_key(|a| a.rank);
    let mut shown = [("error", 0usize), ("warning", 0), ("notice", 0)];
    let mut cut = 0;
    for a in &all {
        let Some(slot) = shown.iter_mut().find(|(k, _)| *k == a.kind) else {
            continue;
        };
        // One notice is kept for the totals.
        let room = ANNOTATIONS_PER_KIND - usize::from(a.kind == "notice");
        if slot.1 < room {
            slot.1 += 1;
            writeln!(out, "{}", a.line)?;
        } else {
            cut += 1;
        }
    }
    let mut totals = Vec::new();
    if !report.findings.is_empty() {
        totals.push(plural(report.findings.len(), "finding", "findings"));
    }
    let failing = failing.count();
    if failing > 0 {
        totals.push(format!(
            "{} failing signature verification",
            plural(failing, "object", "objects")
        ));
    }
    if !report.info.errors.is_empty() {
        totals.push(format!(
            "scan incomplete ({})",
            plural(report.info.errors.len(), "error", "errors")
        ));
    }
    if !report.info.skipped.is_empty() {
        totals.push(plural(
            report.info.skipped.len(),
            "item not scanned",
            "items not scanned",
        ));
    }
    let mut total = format!("{}.", totals.join(", "));
    if cut > 0 {
        total.push_str(&format!(
            " {} not shown here (GitHub shows {ANNOTATIONS_PER_KIND} of each kind per step, the most severe first); the job summary and the reports list all.",
            plural(cut, "annotation is", "annotations are")
        ));
    }
    writeln!(
        out,
        "::notice title={}::{}",
        escape_property("vigil: totals"),
        escape_data(&total)
    )
}

/// A quoted paragraph: `head`, then at most `max_rows` of `items`, then how many more.
fn write_quoted_list(
    out: &mut dyn io::Write,
    head: &str,
    items: &[String],
    max_rows: usize,
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{head}")?;
    for e in items.iter().take(max_rows) {
        writeln!(out, "> - {}", cell(&printable(e)))?;
    }
    if items.len() > max_rows {
        writeln!(
            out,
            "> - … {} more (a job summary is limited to 1 MiB)",
            items.len() - max_rows
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
fn write_verdicts(
    out: &mut dyn io::Write,
    verdicts: &[ObjectVerdict],
    max_rows: usize,
) -> io::Result<()> {
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
        for v in failing.iter().take(max_rows) {
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
        not_shown(out, failing.len(), max_rows, "object", "objects")?;
    }
    writeln!(out)?;
    let counts: Vec<String> = verdict_counts(verdicts)
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    writeln!(out, "Verdicts: {}.", counts.join(", "))
}

/// GitHub's limit on one step's job summary: a larger one is refused whole.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

/// Says how many rows of a list of `n` were left out when only `max_rows` were shown.
fn not_shown(
    out: &mut dyn io::Write,
    n: usize,
    max_rows: usize,
    one: &str,
    many: &str,
) -> io::Result<()> {
    if n > max_rows {
        writeln!(out)?;
        writeln!(
            out,
            "*{} more {} not shown: a job summary is limited to 1 MiB. The other reports list them all.*",
            n - max_rows,
            if n - max_rows == 1 { one } else { many }
        )?;
    }
    Ok(())
}

/// A Markdown summary: a headline, a table of findings, how to revoke each kind of
/// credential, the signature verdicts when there are any, and what was scanned. At most
/// [`SUMMARY_LIMIT`] bytes: the longest tables that fit, saying how many rows were cut.
pub fn write_markdown(
    out: &mut dyn io::Write,
    report: &Report<'_>,
    redaction: Redaction,
) -> io::Result<()> {
    let render = |max_rows: usize| -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        write_markdown_rows(&mut buf, report, redaction, max_rows)?;
        Ok(buf)
    };
    let mut best = render(usize::MAX)?;
    if best.len() > SUMMARY_LIMIT {
        // The most rows per table that fit: a binary search over the row count.
        let longest = report
            .findings
            .len()
            .max(report.verdicts.len())
            .max(report.info.errors.len())
            .max(report.info.skipped.len());
        let (mut fits, mut too_many) = (0, longest);
        best = render(0)?;
        while too_many - fits > 1 {
            let mid = fits + (too_many - fits) / 2;
            let text = render(mid)?;
            if text.len() <= SUMMARY_LIMIT {
                (fits, best) = (mid, text);
            } else {
                too_many = mid;
            }
        }
    }
    out.write_all(&best)
}

fn write_markdown_rows(
    out: &mut dyn io::Write,
    report: &Report<'_>,
    redaction: Redaction,
    max_rows: usize,
) -> io::Result<()> {
    let info = report.info;
    let n = report.findings.len();
    if n == 0 && !info.complete() {
        writeln!(
            out,
            "## vigil: scan incomplete, no secrets found in what was scanned"
        )?;
    } else if n == 0 {
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
        for f in report.findings.iter().take(max_rows) {
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
        not_shown(out, n, max_rows, "finding", "findings")?;
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
        write_verdicts(out, report.verdicts, max_rows)?;
    }
    if !info.errors.is_empty() {
        let head = format!(
            "> **Warning**: the scan is incomplete ({}):",
            plural(info.errors.len(), "error", "errors")
        );
        write_quoted_list(out, &head, &info.errors, max_rows)?;
    }
    if !info.skipped.is_empty() {
        let head = format!(
            "> **Note**: {} not scanned:",
            plural(info.skipped.len(), "item was", "items were")
        );
        let lines: Vec<String> = info.skipped.iter().map(ToString::to_string).collect();
        write_quoted_list(out, &head, &lines, max_rows)?;
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
