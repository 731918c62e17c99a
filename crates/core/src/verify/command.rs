//! A verification as a front-end asks for it: which objects, which trust policy (the
//! repository's `[verify]`, or one-off trust files), and when keys are judged; the same
//! two steps as a scan, so warnings can be shown before the work runs.
use std::{path::PathBuf, sync::Arc};

use vigil_git::{CommitSelection, GitError, RangeSpec, Repo};
use vigil_model::{ObjectVerdict, Status, VerifySummary};

use crate::{
    config::ConfigError,
    config_source::ConfigSource,
    scan_request::GitSource,
    verify::{
        history::policy_at,
        policy::{Dir, PolicyError},
        verify, KeyTime, Policy, PolicyLocation, VerifyRequest,
    },
};

/// Where trust comes from.
#[derive(Debug, Clone)]
pub enum Trust {
    /// The `[verify]` policy of the configuration (`.vigil.toml`).
    Policy(ConfigSource),
    /// Trust files named for this run only; the configuration's policy is not used.
    OneOff {
        allowed_signers: Option<PathBuf>,
        revoked_keys: Option<PathBuf>,
        keyring: Option<PathBuf>,
    },
}

/// Which objects to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// HEAD's history (from the policy's `start`).
    Head,
    /// The commits reachable from B and not from A (`A..B`).
    Range(String),
    /// Same as `Range` with `REV..HEAD`.
    Since(String),
    /// Every commit reachable from any reference (and every tag when the
    /// policy sets `tags = true`).
    All,
    /// Just these commits or annotated tags.
    Revs(Vec<String>),
    /// A new branch: the commits reachable from this tip and from no remote-tracking ref.
    NotOnRemotes(String),
    /// No commits: only the tags (with `tags`).
    None,
}

impl Selection {
    /// The commits a git source covers, as a selection to verify; `None` for the staged
    /// changes, which have no commits yet.
    pub fn of_source(source: &GitSource) -> Option<Selection> {
        match source {
            GitSource::Range { spec, .. } => Some(Selection::Range(spec.clone())),
            GitSource::Since { rev, .. } => Some(Selection::Since(rev.clone())),
            GitSource::NotOnRemotes { tip, .. } => Some(Selection::NotOnRemotes(tip.clone())),
            GitSource::History { .. } => Some(Selection::All),
            GitSource::Staged => None,
        }
    }
}

/// When keys are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyTimeChoice {
    /// At the time of verification.
    Now,
    /// At the date each object claims (whoever signs chooses it).
    Claimed,
}

/// A verification request. Options left `None` take the policy's value, then the default.
#[derive(Debug, Clone)]
pub struct VerifyCommand {
    /// The repository (at or above this folder).
    pub repo: PathBuf,
    pub selection: Selection,
    /// Also verify every tag under `refs/tags` (a lightweight one is `unsigned`).
    pub tags: bool,
    pub trust: Trust,
    pub key_time: Option<KeyTimeChoice>,
    /// "Now", as Unix seconds (for reproducible runs); default: the clock.
    pub now: Option<i64>,
    /// Verify history before the policy's `start` too.
    pub ignore_start: bool,
    /// The commit whose committed policy is trusted; default: the range's base (the
    /// pushed ref's old tip, the target branch), else HEAD's commit.
    pub trusted_base: Option<String>,
    /// The selection was resolved from a push or a CI event, whose resolver already
    /// decided what there is to verify: an empty range there is a push that added no
    /// commits. A selection asked for by hand that holds nothing is incomplete.
    pub resolved: bool,
}

/// Why a verification could not run (nothing was verified).
#[derive(Debug, thiserror::Error)]
pub enum VerifyCommandError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("no trust policy: add a [verify] section to .vigil.toml (see docs/verifying-signatures.md), or pass --allowed-signers FILE and/or --keyring FILE for a one-off check")]
    NoPolicy,
    #[error(
        "{0}: [verify] names no allowed_signers file and no keyring: nothing could be trusted"
    )]
    NoTrust(PathBuf),
    #[error("commit {commit} (the trusted base) has no trust policy: {file} there has no [verify] section. Commit a policy on the target branch first, or name one with --config FILE (outside the repository) or --allowed-signers FILE / --keyring FILE for a one-off check")]
    NoBasePolicy { commit: String, file: String },
    #[error("the trusted base's policy cannot be read: {0}")]
    BasePolicy(String),
    #[error("{file} in commit {commit} (the trusted base): [verify] names no allowed_signers file and no keyring: nothing could be trusted")]
    NoBaseTrust { commit: String, file: String },
    #[error("--trusted-base {0}: the policy is not read from the repository's history (a one-off policy, or --config FILE outside it), so there is no base to trust")]
    BaseWithoutHistory(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The trust policy a verification will use.
enum PreparedTrust {
    /// One policy for every object: one-off trust files, or a policy file from outside
    /// the repository.
    Flat(Arc<Policy>),
    /// The policy committed in history at this path: the trusted base's, then each
    /// commit's parent's effective policy. `bool`: the work tree has a policy too
    /// (when the base has none, the error says the base's is the one that counts).
    History(PolicyLocation, bool),
}

/// A request whose repository and policy are loaded.
pub struct PreparedVerify {
    repo: Repo,
    trust: PreparedTrust,
    command: VerifyCommand,
    /// What loading the configuration and the policy had to say.
    pub warnings: Vec<String>,
}

/// The verdicts, in walk order (commits newest first, then tags).
#[derive(Debug)]
pub struct Verified {
    pub verdicts: Vec<ObjectVerdict>,
    pub summary: VerifySummary,
    pub status: Status,
    /// The repository's trust policy file, relative to its root; `None` for one-off
    /// trust files.
    pub policy_file: Option<String>,
}

/// The outcome of [`PreparedVerify::run`].
pub enum VerifyResult {
    Done(Verified),
    /// The objects to verify could not all be read: nothing is reported.
    Incomplete(GitError),
}

impl VerifyCommand {
    /// Opens the repository and loads the trust policy.
    pub fn prepare(self) -> Result<PreparedVerify, VerifyCommandError> {
        let repo = Repo::discover(&self.repo)?;
        let mut warnings = Vec::new();
        let trust = load_policy(&self.trust, &repo, &mut warnings)?;
        if let (Some(base), PreparedTrust::Flat(_)) = (&self.trusted_base, &trust) {
            return Err(VerifyCommandError::BaseWithoutHistory(base.clone()));
        }
        Ok(PreparedVerify {
            repo,
            trust,
            command: self,
            warnings,
        })
    }
}

/// The policy from one-off trust files, or from a policy file outside the repository
/// (flat), or where the repository's committed policy lives. The checked-out
/// configuration is still read and checked (a broken or hostile one is an error), but
/// no verdict comes from it.
fn load_policy(
    trust: &Trust,
    repo: &Repo,
    warnings: &mut Vec<String>,
) -> Result<PreparedTrust, VerifyCommandError> {
    let source = match trust {
        Trust::OneOff {
            allowed_signers,
            revoked_keys,
            keyring,
        } => {
            let policy = Policy::from_files(
                allowed_signers.as_deref(),
                revoked_keys.as_deref(),
                keyring.as_deref(),
            )?;
            return Ok(PreparedTrust::Flat(Arc::new(policy)));
        }
        Trust::Policy(source) => source,
    };
    if source.no_config {
        return Err(VerifyCommandError::NoPolicy);
    }
    let loaded = source.load(&repo.root)?;
    warnings.extend(loaded.warnings);
    let config = loaded.config;
    let root = std::path::absolute(&repo.root)?;
    let path = match &config.path {
        Some(p) => Some(std::path::absolute(p)?),
        None => None,
    };
    let rel = path.as_ref().and_then(|p| {
        p.strip_prefix(&root)
            .ok()
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .filter(|r| r != ".git" && !r.starts_with(".git/"))
    });
    match (path, rel) {
        (Some(path), None) if source.config.is_some() => {
            if config.verify.is_empty() {
                return Err(VerifyCommandError::NoPolicy);
            }
            warnings.push(format!(
                "{}: the trust policy is outside the repository, so commits that change it are not judged by their parent's policy",
                path.display()
            ));
            // Its files stay inside its own repository, or its folder.
            let dir = crate::input::confinement_root(&path);
            let name = path
                .strip_prefix(&dir)
                .map(|n| n.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let policy = Policy::load(&Dir(dir), &name, &config.verify)?;
            if !policy.has_trust() {
                return Err(VerifyCommandError::NoTrust(path));
            }
            Ok(PreparedTrust::Flat(Arc::new(policy)))
        }
        (_, rel) => {
            let config_rel = rel.unwrap_or_else(|| crate::config::CONFIG_FILE.to_owned());
            let in_work_tree = !config.verify.is_empty();
            if in_work_tree {
                // The checked-out policy must be sound too (no link out, no `..`).
                Policy::load(&Dir(root), &config_rel, &config.verify)?;
            }
            Ok(PreparedTrust::History(
                PolicyLocation { config_rel },
                in_work_tree,
            ))
        }
    }
}

/// The commit whose committed policy is trusted, as the selection implies it.
fn base_revision(repo: &Repo, command: &VerifyCommand) -> Result<String, GitError> {
    if let Some(b) = &command.trusted_base {
        return Ok(b.clone());
    }
    Ok(match &command.selection {
        Selection::Range(spec) => match RangeSpec::parse(spec)? {
            RangeSpec::Range { base, .. } => base,
            RangeSpec::NotOnRemotes { tip } => not_on_remotes_base(repo, &tip)?,
        },
        Selection::Since(rev) => rev.clone(),
        Selection::NotOnRemotes(tip) => not_on_remotes_base(repo, tip)?,
        Selection::Head | Selection::All | Selection::Revs(_) | Selection::None => {
            "HEAD".to_owned()
        }
    })
}

/// For a new branch: the newest commit it shares with the remote-tracking refs (the
/// merge base that descends from every other one); HEAD when it shares none.
fn not_on_remotes_base(repo: &Repo, tip: &str) -> Result<String, GitError> {
    let mut bases = Vec::new();
    for remote in repo.remote_tip_ids(tip)? {
        if let Some(b) = repo.merge_base(&remote, tip)? {
            if !bases.contains(&b) {
                bases.push(b);
            }
        }
    }
    for b in &bases {
        let mut newest = true;
        for other in &bases {
            if !repo.is_ancestor(other, b)? {
                newest = false;
                break;
            }
        }
        if newest {
            return Ok(b.clone());
        }
    }
    Ok("HEAD".to_owned())
}

impl PreparedVerify {
    /// Why the selection held no object to verify.
    fn why_empty(&self) -> String {
        let c = &self.command;
        let tags = if c.tags { " and no tag" } else { "" };
        match &c.selection {
            Selection::Range(spec) => match RangeSpec::parse(spec) {
                Ok(RangeSpec::Range { base, tip }) => {
                    format!("{}{tags}", crate::range::why_empty(&self.repo, &base, &tip))
                }
                _ => format!("range {spec} holds no commits{tags}"),
            },
            Selection::Since(rev) => format!(
                "{}{tags}",
                crate::range::why_empty(&self.repo, rev, "HEAD")
            ),
            Selection::None => "no tag under refs/tags".to_owned(),
            Selection::Head if !c.ignore_start => format!(
                "HEAD's history holds no commit to verify{tags} (the policy's start may leave it all out: --ignore-start verifies it)"
            ),
            Selection::Head => format!("HEAD's history holds no commit to verify{tags}"),
            Selection::All => "the repository holds no commit to verify".to_owned(),
            Selection::Revs(_) | Selection::NotOnRemotes(_) => {
                format!("the selection holds no commit{tags}")
            }
        }
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Verified {
    /// What a report of these verdicts says besides them (tool, time, count, errors).
    pub fn report_info(&self) -> vigil_report::ScanInfo {
        let finished = std::time::SystemTime::now();
        let mut info = vigil_report::ScanInfo::new("vigil", env!("CARGO_PKG_VERSION"), finished);
        info.started = finished
            .checked_sub(std::time::Duration::from_secs_f64(
                self.summary.elapsed_secs.max(0.0),
            ))
            .unwrap_or(finished);
        info.scanned.commits = self.verdicts.iter().filter(|v| v.kind == "commit").count() as u64;
        info.errors = self.summary.errors.clone();
        info.policy_file = self.policy_file.clone();
        info
    }
}

impl PreparedVerify {
    /// The trusted base's policy, read from its commit; `Ok(Err)`: the base cannot be
    /// read (the verification is incomplete).
    fn base_policy(
        &self,
        location: &PolicyLocation,
        in_work_tree: bool,
    ) -> Result<Result<(String, Policy), GitError>, VerifyCommandError> {
        let rev = match base_revision(&self.repo, &self.command) {
            Ok(r) => r,
            Err(e) if e.is_incomplete() => return Ok(Err(e)),
            Err(e) => return Err(e.into()),
        };
        let Some(commit) = self.repo.commit_id(&rev) else {
            if rev == "HEAD" && self.command.trusted_base.is_none() {
                // No commit yet: nothing committed, so no policy.
                return Err(VerifyCommandError::NoPolicy);
            }
            return Ok(Err(GitError::Missing {
                what: format!("the trusted base {rev:?}"),
                hint: String::new(),
            }));
        };
        let file = location.config_rel.clone();
        match policy_at(&self.repo.reader(), &commit, location) {
            Ok(Some(p)) if p.has_trust() => Ok(Ok((commit, p))),
            Ok(Some(_)) => Err(VerifyCommandError::NoBaseTrust { commit, file }),
            Ok(None) if !in_work_tree && self.command.trusted_base.is_none() => {
                Err(VerifyCommandError::NoPolicy)
            }
            Ok(None) => Err(VerifyCommandError::NoBasePolicy { commit, file }),
            Err(message) => Err(VerifyCommandError::BasePolicy(message)),
        }
    }

    /// Selects, reads and judges every object.
    pub fn run(self) -> Result<VerifyResult, VerifyCommandError> {
        let (policy, location, base) = match &self.trust {
            PreparedTrust::Flat(p) => (p.clone(), None, None),
            PreparedTrust::History(location, in_work_tree) => {
                match self.base_policy(location, *in_work_tree)? {
                    Ok((base, p)) => (Arc::new(p), Some(location.clone()), Some(base)),
                    Err(e) => return Ok(VerifyResult::Incomplete(e)),
                }
            }
        };
        let c = &self.command;
        let commits = match &c.selection {
            Selection::Range(spec) => CommitSelection::Range(RangeSpec::parse(spec)?),
            Selection::Since(rev) => CommitSelection::Range(RangeSpec::since(rev)),
            Selection::All => CommitSelection::All,
            Selection::Revs(revs) => CommitSelection::Revs(revs.clone()),
            Selection::None => CommitSelection::None,
            Selection::Head => CommitSelection::Head,
            Selection::NotOnRemotes(tip) => {
                CommitSelection::Range(RangeSpec::NotOnRemotes { tip: tip.clone() })
            }
        };
        let now = c.now.unwrap_or_else(now_secs);
        let claimed = match c.key_time {
            Some(k) => k == KeyTimeChoice::Claimed,
            None => policy.claimed_time,
        };
        let time = if claimed {
            KeyTime::Claimed { now }
        } else {
            KeyTime::At(now)
        };
        let request = VerifyRequest {
            repo: &self.repo,
            commits,
            tags: c.tags || (c.selection == Selection::All && policy.tags),
            policy,
            location: location.clone(),
            base,
            time,
            ignore_start: c.ignore_start,
        };
        let outcome = match verify(&request) {
            Ok(o) => o,
            Err(e) if e.is_incomplete() => return Ok(VerifyResult::Incomplete(e)),
            Err(e) => return Err(e.into()),
        };
        let mut errors = outcome.errors.clone();
        if outcome.verdicts.is_empty() && !c.resolved {
            errors.push(format!("nothing was verified: {}", self.why_empty()));
        }
        let summary = VerifySummary::of(&outcome.verdicts, outcome.elapsed_secs, errors);
        let status = Status::of(summary.failed > 0, !summary.errors.is_empty());
        Ok(VerifyResult::Done(Verified {
            verdicts: outcome.verdicts,
            summary,
            status,
            policy_file: location.as_ref().map(|l| l.config_rel.clone()),
        }))
    }
}
