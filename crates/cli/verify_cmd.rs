//! `vigil verify`: commit and tag signatures against the repository's trust policy.
use std::{
    io::Write,
    path::{Path, PathBuf},
};

use clap::{Args, ValueEnum};
use vigil_core::{
    hooks::plan_ci_from_env,
    report::{
        verdict::{write_human, write_json},
        Format as ReportFormat, Options, Report,
    },
    verify::command::{KeyTimeChoice, Selection, Trust, Verified, VerifyCommand, VerifyResult},
    write_report_file,
};

use crate::{
    exit::{note, write_ok, Code, Error},
    options::{ColorChoice, ConfigArgs},
};

/// `vigil verify --format`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Human,
    Json,
    Jsonl,
    Sarif,
    Junit,
    Github,
    Markdown,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyTimeArg {
    /// Judge key validity at the time of verification (the default).
    Now,
    /// At the committer (tagger) date each object claims: whoever signs chooses it.
    Claimed,
}

/// Which objects: at most one of --range, --since, --all, --rev (default: HEAD's history).
#[derive(Args)]
#[group(id = "verify_source", multiple = false)]
pub struct VerifySource {
    /// The commits reachable from B and not from A.
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// Same as --range REV..HEAD.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Every commit reachable from any reference (and, with --tags, every tag).
    #[arg(long)]
    pub all: bool,
    /// Just this commit or annotated tag (repeatable).
    #[arg(long = "rev", value_name = "REV")]
    pub revs: Vec<String>,
    /// What the CI event says (GitHub Actions or GitLab CI): a pull or merge request's
    /// range, a push's new commits, every commit for scheduled runs.
    #[arg(long)]
    pub ci: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The repository (default: the current one).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub source: VerifySource,
    /// Also verify every tag under refs/tags, a lightweight one (no tag object) being
    /// unsigned (alone: only the tags).
    #[arg(long)]
    pub tags: bool,
    /// Trust the SSH keys of this allowed_signers file (a one-off check: the [verify]
    /// policy of .vigil.toml is not used).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// SSH public keys that are revoked, one per line (with --allowed-signers).
    #[arg(long, value_name = "FILE")]
    pub revoked_keys: Option<PathBuf>,
    /// Trust the OpenPGP public keys of this keyring (armored or binary; one-off check).
    #[arg(long, value_name = "FILE")]
    pub keyring: Option<PathBuf>,
    /// When key validity is judged (default: now, or [verify] key_time).
    #[arg(long, value_enum, value_name = "WHEN")]
    pub key_time: Option<KeyTimeArg>,
    /// Judge "now" as this Unix time (reproducible runs).
    #[arg(long, value_name = "SECONDS")]
    pub now: Option<i64>,
    /// Verify history before the policy's `start` commit too.
    #[arg(long)]
    pub ignore_start: bool,
    /// Trust the policy committed at this revision (default: the range's base, the
    /// target branch in CI, the remote's old tip in the pre-push hook; else HEAD's
    /// commit). The work tree's policy is never trusted.
    #[arg(long, value_name = "REV", conflicts_with_all = ["allowed_signers", "keyring", "revoked_keys"])]
    pub trusted_base: Option<String>,
    /// Report format: human, json, or a CI format whose reports also carry findings
    /// (sarif, junit, jsonl, github, markdown).
    #[arg(long, value_enum, default_value = "human")]
    pub format: VerifyFormat,
    /// One more report to a file: FORMAT (jsonl, sarif, junit, github, markdown) to FILE,
    /// e.g. --report junit=verify.xml. Repeatable.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_verify_report)]
    pub report: Vec<crate::report_out::ReportSpec>,
    /// List every object in the human report, not only those that fail.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// `--report FORMAT=FILE`: a CI format, to a file.
fn parse_verify_report(text: &str) -> Result<crate::report_out::ReportSpec, String> {
    use crate::report_out::ReportFormat as F;
    let spec = crate::report_out::parse_report_spec(text)?;
    if !matches!(
        spec.format,
        F::Jsonl | F::Sarif | F::Junit | F::Github | F::Markdown
    ) {
        return Err(format!(
            "{text:?}: verify writes jsonl, sarif, junit, github or markdown to a file (human and json go to stdout with --format)"
        ));
    }
    if spec.path.is_none() {
        return Err(format!(
            "{text:?} names no file (expected FORMAT=FILE; stdout is --format's)"
        ));
    }
    Ok(spec)
}

/// What `--ci` resolves to, said on stderr; `Err(code)`: stop with that exit code.
fn ci_selection(repo: &Path) -> Result<Result<Selection, Code>, Error> {
    let plan = match plan_ci_from_env(repo) {
        Ok(plan) => plan,
        Err(e) if e.is_incomplete() => {
            note(&format!("error: {e}"));
            note("verification incomplete: the objects to verify could not all be read");
            return Ok(Err(Code::Incomplete));
        }
        Err(e) => return Err(e.into()),
    };
    note(&plan.describe());
    match plan.sources.as_slice() {
        [] => Ok(Err(Code::Clean)),
        [source] => match Selection::of_source(source) {
            Some(selection) => Ok(Ok(selection)),
            None => Err(format!("{}: nothing this command can verify", plan.origin).into()),
        },
        _ => Err(format!("{}: nothing this command can verify", plan.origin).into()),
    }
}

pub fn run(args: &VerifyArgs) -> Result<Code, Error> {
    let s = &args.source;
    let repo_dir = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let selection = if s.ci {
        match ci_selection(&repo_dir)? {
            Ok(selection) => selection,
            Err(code) => return Ok(code),
        }
    } else if let Some(spec) = &s.range {
        Selection::Range(spec.clone())
    } else if let Some(rev) = &s.since {
        Selection::Since(rev.clone())
    } else if s.all {
        Selection::All
    } else if !s.revs.is_empty() {
        Selection::Revs(s.revs.clone())
    } else if args.tags {
        Selection::None
    } else {
        Selection::Head
    };
    let one_off =
        args.allowed_signers.is_some() || args.keyring.is_some() || args.revoked_keys.is_some();
    let trust = if one_off {
        Trust::OneOff {
            allowed_signers: args.allowed_signers.clone(),
            revoked_keys: args.revoked_keys.clone(),
            keyring: args.keyring.clone(),
        }
    } else {
        Trust::Policy(args.config.source())
    };
    let command = VerifyCommand {
        repo: repo_dir,
        selection,
        tags: args.tags,
        trust,
        key_time: args.key_time.map(|k| match k {
            KeyTimeArg::Now => KeyTimeChoice::Now,
            KeyTimeArg::Claimed => KeyTimeChoice::Claimed,
        }),
        now: args.now,
        ignore_start: args.ignore_start,
        trusted_base: args.trusted_base.clone(),
        resolved: s.ci,
    };
    let prepared = command.prepare()?;
    for w in &prepared.warnings {
        note(w);
    }
    let verified = match prepared.run()? {
        VerifyResult::Done(v) => v,
        VerifyResult::Incomplete(e) => {
            note(&format!("error: {e}"));
            note("verification incomplete: the objects to verify could not all be read");
            return Ok(Code::Incomplete);
        }
    };
    let Verified {
        verdicts,
        summary,
        status,
        ..
    } = &verified;
    let mut out = std::io::stdout().lock();
    // One report for stdout and every file, so they all give the same times.
    let info = verified.report_info();
    let report = Report::new(&info, &[]).with_verdicts(verdicts);
    let ci_format =
        |format: ReportFormat, out: &mut dyn Write| format.write(out, &report, &Options::default());
    let written = match args.format {
        VerifyFormat::Json => write_json(&mut out, verdicts, summary),
        VerifyFormat::Human => write_human(
            &mut out,
            verdicts,
            summary,
            args.color.for_stdout(),
            args.verbose,
        ),
        VerifyFormat::Jsonl => ci_format(ReportFormat::Jsonl, &mut out),
        VerifyFormat::Sarif => ci_format(ReportFormat::Sarif, &mut out),
        VerifyFormat::Junit => ci_format(ReportFormat::Junit, &mut out),
        VerifyFormat::Github => ci_format(ReportFormat::Github, &mut out),
        VerifyFormat::Markdown => ci_format(ReportFormat::Markdown, &mut out),
    };
    write_ok(written.and_then(|()| out.flush()))?;
    for spec in &args.report {
        if let Some(path) = &spec.path {
            write_report_file(path, spec.format.format(), &report, &Options::default())?;
        }
    }
    let commits = verdicts.iter().filter(|v| v.kind == "commit").count();
    let tags = verdicts.len() - commits;
    note(&format!(
        "verified {commits} commit{}, {tags} tag{} in {:.2} s; {} failed",
        if commits == 1 { "" } else { "s" },
        if tags == 1 { "" } else { "s" },
        summary.elapsed_secs,
        summary.failed
    ));
    for e in &summary.errors {
        note(&format!("error: {e}"));
    }
    Ok(Code::of(*status))
}
