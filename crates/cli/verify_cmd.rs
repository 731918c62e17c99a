//! `vigil verify`: commit and tag signatures against the repository's trust policy.
use std::{
    io::{IsTerminal, Write},
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use clap::{Args, ValueEnum};
use vigil_core::model::VerifySummary;
use vigil_core::verify::{
    policy::{Dir, VerifyConfig},
    verify, KeyTime, Policy, PolicyLocation, VerifyRequest,
};
use vigil_git::{CommitSelection, RangeSpec, Repo};
use vigil_report::{
    human::Color,
    verdict::{write_human, write_json},
};

use crate::{
    args::{ColorChoice, ConfigArgs, Format},
    exit::{note, write_ok, Code, Error},
};

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
    /// Every commit reachable from any reference (and, with --tags, every annotated tag).
    #[arg(long)]
    pub all: bool,
    /// Just this commit or annotated tag (repeatable).
    #[arg(long = "rev", value_name = "REV")]
    pub revs: Vec<String>,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The repository (default: the current one).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub source: VerifySource,
    /// Also verify every annotated tag under refs/tags (alone: only the tags).
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
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// List every object in the human report, not only those that fail.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The policy from the one-off flags, or from `[verify]`, and where it lives.
fn load_policy(args: &VerifyArgs, repo: &Repo) -> Result<(Policy, Option<PolicyLocation>), Error> {
    let one_off =
        args.allowed_signers.is_some() || args.keyring.is_some() || args.revoked_keys.is_some();
    if one_off {
        let cwd = std::env::current_dir()?;
        let abs = |p: &PathBuf| -> String { cwd.join(p).display().to_string() };
        let section = VerifyConfig {
            allowed_signers: args.allowed_signers.as_ref().map(abs),
            revoked_keys: args.revoked_keys.as_ref().map(abs),
            keyring: args.keyring.as_ref().map(abs),
            ..VerifyConfig::default()
        };
        let policy = Policy::load(&Dir(PathBuf::from("/")), "", &section)?;
        return Ok((policy, None));
    }
    let config = crate::load_config(&args.config, &repo.root)?;
    let Some(path) = config.path.clone().filter(|_| !config.verify.is_empty()) else {
        return Err(
            "no trust policy: add a [verify] section to .vigil.toml (see the README, \"Verifying signatures\"), \
             or pass --allowed-signers FILE and/or --keyring FILE for a one-off check"
                .into(),
        );
    };
    let path = std::path::absolute(&path)?;
    let root = std::path::absolute(&repo.root)?;
    let (dir, rel, location) = match path.strip_prefix(&root) {
        Ok(rel) => {
            let rel = rel.to_string_lossy().replace('\\', "/");
            (
                root.clone(),
                rel.clone(),
                Some(PolicyLocation { config_rel: rel }),
            )
        }
        Err(_) => {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (dir, name, None)
        }
    };
    let policy = Policy::load(&Dir(dir), &rel, &config.verify)?;
    if !policy.has_trust() {
        return Err(format!(
            "{}: [verify] names no allowed_signers file and no keyring: nothing could be trusted",
            path.display()
        )
        .into());
    }
    Ok((policy, location))
}

pub fn run(args: &VerifyArgs) -> Result<Code, Error> {
    let repo = Repo::discover(args.path.as_deref().unwrap_or(Path::new(".")))?;
    let (policy, location) = load_policy(args, &repo)?;
    let s = &args.source;
    let commits = if let Some(spec) = &s.range {
        CommitSelection::Range(RangeSpec::parse(spec)?)
    } else if let Some(rev) = &s.since {
        CommitSelection::Range(RangeSpec::since(rev))
    } else if s.all {
        CommitSelection::All
    } else if !s.revs.is_empty() {
        CommitSelection::Revs(s.revs.clone())
    } else if args.tags {
        CommitSelection::None
    } else {
        CommitSelection::Head
    };
    let now = args.now.unwrap_or_else(now_secs);
    let claimed = match args.key_time {
        Some(k) => k == KeyTimeArg::Claimed,
        None => policy.claimed_time,
    };
    let time = if claimed {
        KeyTime::Claimed { now }
    } else {
        KeyTime::At(now)
    };
    let request = VerifyRequest {
        repo: &repo,
        commits,
        tags: args.tags || (s.all && policy.tags),
        policy: &policy,
        location,
        time,
        ignore_start: args.ignore_start,
    };
    let outcome = match verify(&request) {
        Ok(o) => o,
        Err(e) if e.is_incomplete() => {
            note(&format!("error: {e}"));
            note("verification incomplete: the objects to verify could not all be read");
            return Ok(Code::Incomplete);
        }
        Err(e) => return Err(e.into()),
    };
    let summary = VerifySummary::of(
        &outcome.verdicts,
        outcome.elapsed_secs,
        outcome.errors.clone(),
    );
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => write_ok(write_json(&mut out, &outcome.verdicts, &summary))?,
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => Color::On,
                ColorChoice::Never => Color::Off,
                ColorChoice::Auto => {
                    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                    if stdout.is_terminal() && !no_color {
                        Color::On
                    } else {
                        Color::Off
                    }
                }
            };
            write_ok(write_human(
                &mut out,
                &outcome.verdicts,
                &summary,
                color,
                args.verbose,
            ))?;
        }
    }
    write_ok(out.flush())?;
    let commits = outcome
        .verdicts
        .iter()
        .filter(|v| v.kind == "commit")
        .count();
    let tags = outcome.verdicts.len() - commits;
    note(&format!(
        "verified {commits} commit{}, {tags} tag{} in {:.2} s; {} failed",
        if commits == 1 { "" } else { "s" },
        if tags == 1 { "" } else { "s" },
        outcome.elapsed_secs,
        summary.failed
    ));
    for e in &outcome.errors {
        note(&format!("error: {e}"));
    }
    Ok(if summary.failed > 0 {
        Code::Findings
    } else if !outcome.errors.is_empty() {
        Code::Incomplete
    } else {
        Code::Clean
    })
}
