//! `--format junit`: JUnit XML, as Jenkins and GitLab (`artifacts:reports:junit`) read it.
//!
//! One `<testsuite>`; one failing `<testcase>` per file or commit where secrets were
//! found (`classname` says which). Jenkins keeps only one `<failure>` per test case, so
//! a case has exactly one: its `message` names every finding, and its body has one line
//! per finding (rule, place, redacted secret, fingerprint, how to revoke). The units
//! scanned without findings are summed up in one passing case, so `tests` still counts
//! every unit. Items that could not be read are `<error>` cases.
//!
//! Signature verification verdicts, when the report has any, make a second suite,
//! `<testsuite name="signatures">`, with one test case per object (`commit <id>`,
//! `tag <ref>`); a verdict that does not pass is a `<failure>` whose type is the verdict
//! and whose message is its reason. `<testsuites>` counts both suites.
use std::io;

use vigil_model::{Finding, ObjectVerdict};

use crate::{
    options::Redaction,
    report::Report,
    time::utc_timestamp,
    units::{unit_of, Target},
};

/// Escapes text for XML content and attribute values, and drops characters XML 1.0
/// cannot hold.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The same for element content, where newlines stay newlines.
fn xml_text(s: &str) -> String {
    xml(s).replace("&#10;", "\n")
}

struct Case<'a> {
    name: String,
    classname: &'static str,
    file: Option<String>,
    findings: Vec<&'a Finding>,
}

fn describe(f: &Finding, redaction: Redaction) -> String {
    let mut line = format!(
        "{}: {} ({}) at {}:{}:{}: {} ({} characters)",
        f.rule,
        f.description,
        f.severity.as_str(),
        f.origin.path,
        f.location.line,
        f.location.column,
        redaction.show(&f.secret),
        f.secret.len()
    );
    if !f.decoded.is_empty() {
        line.push_str(&format!(", decoded from {}", f.decoded.join(" > ")));
    }
    if let Some(c) = &f.origin.commit {
        line.push_str(&format!(", commit {}", c.id));
    }
    line.push_str(&format!(", fingerprint {}", f.fingerprint));
    if let Some(r) = &f.remediation {
        line.push_str(&format!("\n    revoke: {r}"));
    }
    if let Some(u) = &f.remediation_url {
        line.push_str(&format!("\n    {u}"));
    }
    line
}

/// `commit <id>`, or `tag <ref>` (the id when the tag has no ref).
fn object_name(v: &ObjectVerdict) -> String {
    format!("{} {}", v.kind, v.ref_name.as_deref().unwrap_or(&v.id))
}

/// A failing verdict's details, one per line.
fn verdict_body(v: &ObjectVerdict) -> String {
    let mut body = format!("{}: {}", v.verdict.as_str(), v.reason);
    body.push_str(&format!("\n    {} {}", v.kind, v.id));
    if let Some(s) = &v.signer {
        body.push_str(&format!("\n    signer: {s}"));
    }
    if let Some(f) = &v.fingerprint {
        body.push_str(&format!("\n    key: {} {f}", v.format.unwrap_or("")));
    }
    if !v.email.is_empty() {
        let who = if v.kind == "tag" {
            "tagger"
        } else {
            "committer"
        };
        body.push_str(&format!("\n    {who}: {}", v.email));
    }
    if v.policy_change {
        body.push_str("\n    note: this commit changes the trust policy; it was judged by its parent's policy");
    }
    body
}

fn write_signatures(out: &mut dyn io::Write, verdicts: &[ObjectVerdict]) -> io::Result<()> {
    let failures = verdicts.iter().filter(|v| !v.verdict.passes()).count();
    writeln!(
        out,
        r#"  <testsuite name="signatures" tests="{}" failures="{failures}" errors="0" skipped="0">"#,
        verdicts.len()
    )?;
    for v in verdicts {
        let open = format!(
            r#"    <testcase name="{}" classname="vigil.signatures.{}" time="0""#,
            xml(&object_name(v)),
            xml(v.kind)
        );
        if v.verdict.passes() {
            writeln!(out, "{open}/>")?;
            continue;
        }
        writeln!(out, "{open}>")?;
        writeln!(
            out,
            r#"      <failure message="{}" type="{}">{}</failure>"#,
            xml(&v.reason),
            v.verdict.as_str(),
            xml_text(&verdict_body(v))
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")
}

fn case_of(target: &Target) -> Case<'static> {
    match target {
        Target::File(p) => Case {
            name: p.clone(),
            classname: "vigil.secrets.file",
            file: Some(p.clone()),
            findings: Vec::new(),
        },
        Target::Commit(c) => Case {
            name: c.clone(),
            classname: "vigil.secrets.commit",
            file: None,
            findings: Vec::new(),
        },
    }
}

pub fn write(out: &mut dyn io::Write, report: &Report<'_>, redaction: Redaction) -> io::Result<()> {
    let info = report.info;
    let mut cases: Vec<Case<'_>> = Vec::new();
    for f in report.findings {
        let unit = unit_of(f);
        let name = match &unit {
            Target::File(p) | Target::Commit(p) => p,
        };
        match cases.iter_mut().find(|c| c.name == *name) {
            Some(c) => c.findings.push(f),
            None => {
                let mut c = case_of(&unit);
                c.findings.push(f);
                cases.push(c);
            }
        }
    }
    // Units scanned without findings: one passing case stands for them.
    // A history or range is scanned commit by commit; a folder file by file.
    let scanned_units = if info.scanned.commits > 0 {
        info.scanned.commits
    } else {
        info.scanned.files
    } as usize;
    let unlisted = scanned_units.saturating_sub(cases.len());
    let failures = cases.iter().filter(|c| !c.findings.is_empty()).count();
    let errors = info.errors.len();
    let skipped = info.skipped.len();
    let tests = cases.len() + usize::from(unlisted > 0) + errors + skipped;
    let time = format!("{:.3}", info.elapsed_secs());
    let timestamp = utc_timestamp(info.started, false);
    let all_tests = tests + report.verdicts.len();
    let all_failures = failures
        + report
            .verdicts
            .iter()
            .filter(|v| !v.verdict.passes())
            .count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="{}" tests="{all_tests}" failures="{all_failures}" errors="{errors}" time="{time}">"#,
        xml(&info.tool_name)
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{} secret scan" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{time}" timestamp="{timestamp}">"#,
        xml(&info.tool_name)
    )?;
    writeln!(out, "    <properties>")?;
    writeln!(
        out,
        r#"      <property name="{}.version" value="{}"/>"#,
        xml(&info.tool_name),
        xml(&info.tool_version)
    )?;
    writeln!(
        out,
        r#"      <property name="findings" value="{}"/>"#,
        report.findings.len()
    )?;
    writeln!(
        out,
        r#"      <property name="complete" value="{}"/>"#,
        info.complete()
    )?;
    writeln!(out, "    </properties>")?;
    for c in &cases {
        let file = c
            .file
            .as_deref()
            .map(|f| format!(r#" file="{}""#, xml(f)))
            .unwrap_or_default();
        writeln!(
            out,
            r#"    <testcase name="{}" classname="{}"{file} time="0">"#,
            xml(&c.name),
            c.classname
        )?;
        let summary: Vec<String> = c
            .findings
            .iter()
            .map(|f| format!("{} at line {}", f.rule, f.location.line))
            .collect();
        let n = c.findings.len();
        let message = format!(
            "{n} secret{} found: {}",
            if n == 1 { "" } else { "s" },
            summary.join(", ")
        );
        let body: Vec<String> = c.findings.iter().map(|f| describe(f, redaction)).collect();
        writeln!(
            out,
            r#"      <failure message="{}" type="leaked-secret">{}"#,
            xml(&message),
            xml_text(&body.join("\n"))
        )?;
        writeln!(
            out,
            "Revoke each credential first, then remove it from history.</failure>"
        )?;
        writeln!(out, "    </testcase>")?;
    }
    if unlisted > 0 {
        writeln!(
            out,
            r#"    <testcase name="{unlisted} more scanned without findings" classname="vigil.secrets.rest" time="0"/>"#
        )?;
    }
    for (i, e) in info.errors.iter().enumerate() {
        writeln!(
            out,
            r#"    <testcase name="unreadable item {}" classname="vigil.secrets.error" time="0">"#,
            i + 1
        )?;
        writeln!(
            out,
            r#"      <error message="{}" type="incomplete">{}</error>"#,
            xml(e),
            xml_text(e)
        )?;
        writeln!(out, "    </testcase>")?;
    }
    for s in &info.skipped {
        let file = match &s.commit {
            Some(c) => format!("{}@{}", s.path, &c[..c.len().min(12)]),
            None => s.path.clone(),
        };
        writeln!(
            out,
            r#"    <testcase name="{}" classname="vigil.secrets.skipped" file="{}" time="0">"#,
            xml(&file),
            xml(&s.path)
        )?;
        writeln!(
            out,
            r#"      <skipped message="{}" type="{}"/>"#,
            xml(&s.to_string()),
            s.reason.as_str()
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    if !report.verdicts.is_empty() {
        write_signatures(out, report.verdicts)?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(xml(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1}y"), "x\u{fffd}y");
        assert_eq!(xml_text("a\nb"), "a\nb");
    }
}
