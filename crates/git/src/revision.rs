//! Revisions: `A..B` ranges, resolving a revision to a commit, the tips of every
//! reference, and the commits of a walk (which stops at the end of a shallow clone).
use gix::ObjectId;

use crate::{
    error::{fetch_hint, unreadable, GitError},
    repo::Repo,
};

/// Which commits a range scan covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeSpec {
    /// `A..B`: commits reachable from B and not from A.
    Range { base: String, tip: String },
    /// A new branch: commits reachable from `tip` and from no remote-tracking ref
    /// (`git rev-list TIP --not --remotes`), leaving out remote refs at `tip` itself.
    NotOnRemotes { tip: String },
}

impl RangeSpec {
    /// Parses `A..B` (`A..` means `A..HEAD`).
    pub fn parse(spec: &str) -> Result<RangeSpec, GitError> {
        let bad = |message: &str| GitError::BadRange {
            spec: spec.to_owned(),
            message: message.to_owned(),
        };
        if spec.contains("...") {
            return Err(bad("symmetric ranges (A...B) are not supported; use A..B"));
        }
        let (base, tip) = spec.split_once("..").ok_or_else(|| bad("expected A..B"))?;
        if base.is_empty() {
            return Err(bad("the base (A in A..B) is missing"));
        }
        let tip = if tip.is_empty() { "HEAD" } else { tip };
        Ok(RangeSpec::Range {
            base: base.to_owned(),
            tip: tip.to_owned(),
        })
    }

    /// `--since REV`: the commits after REV up to HEAD.
    pub fn since(rev: &str) -> RangeSpec {
        RangeSpec::Range {
            base: rev.to_owned(),
            tip: "HEAD".to_owned(),
        }
    }
}

/// `local.rev_parse_single(rev)`, where in a SHA-256 repository an abbreviated id
/// names a loose object too: gix 0.90 looks for loose objects by prefix with SHA-1's
/// name length and finds none there (packed ones it finds). On a miss, a hex prefix
/// leading `rev` (4 to 63 digits, then the end or one of `~^@:`) that names exactly
/// one loose object is written out whole, and `rev` parsed again.
pub(crate) fn rev_parse_single<'r>(
    local: &'r gix::Repository,
    rev: &str,
) -> Result<gix::Id<'r>, gix::Error> {
    let first = local.rev_parse_single(rev);
    if first.is_ok() || local.object_hash() != gix::hash::Kind::Sha256 {
        return first;
    }
    let end = rev
        .find(|c: char| !c.is_ascii_hexdigit())
        .unwrap_or(rev.len());
    let (hex, rest) = rev.split_at(end);
    let follows = rest.is_empty() || rest.starts_with(['~', '^', '@', ':']);
    match loose_with_prefix(local, hex) {
        Some(full) if follows => local.rev_parse_single(format!("{full}{rest}").as_str()),
        _ => first,
    }
}

/// The id of the one loose object whose hex id starts with `hex` (4 to 63 digits of a
/// SHA-256 id); `None` when none or several do.
fn loose_with_prefix(local: &gix::Repository, hex: &str) -> Option<String> {
    if !(4..64).contains(&hex.len()) {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    let (dir, rest) = hex.split_at(2);
    let mut found = None;
    for entry in std::fs::read_dir(local.objects.store_ref().path().join(dir))
        .ok()?
        .flatten()
    {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let whole = name.len() == 62 && name.bytes().all(|b| b.is_ascii_hexdigit());
        if whole && name.starts_with(rest) {
            if found.is_some() {
                return None;
            }
            found = Some(format!("{dir}{name}"));
        }
    }
    found
}

/// Resolves a revision to a commit id, or says it is missing and how to fetch it.
pub(crate) fn resolve(
    repo: &Repo,
    local: &gix::Repository,
    rev: &str,
) -> Result<ObjectId, GitError> {
    let what = || format!("revision {rev:?}");
    let id =
        rev_parse_single(local, rev).map_err(|e| unreadable(what(), rev, repo.is_shallow(), &e))?;
    let object = id
        .object()
        .map_err(|e| unreadable(what(), rev, repo.is_shallow(), &e))?;
    let commit = object.peel_to_commit().map_err(|e| GitError::BadRange {
        spec: rev.to_owned(),
        message: format!("does not name a commit: {e}"),
    })?;
    Ok(commit.id)
}

/// HEAD and every reference, peeled to commits.
pub(crate) fn all_tips(local: &gix::Repository) -> Result<Vec<ObjectId>, GitError> {
    let mut tips: Vec<ObjectId> = named_tips(local)?.into_iter().map(|(_, id)| id).collect();
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// HEAD and every reference that names a commit, each with its name, sorted by name.
pub(crate) fn named_tips(local: &gix::Repository) -> Result<Vec<(String, ObjectId)>, GitError> {
    let mut tips = Vec::new();
    let shallow = local.is_shallow().unwrap_or(false);
    // A reference that names nothing (an unborn HEAD, a dangling symbolic ref) is no
    // tip, as before; one whose object is here but cannot be decoded is an error, not
    // a history with fewer commits.
    let corrupt = |what: String, rev: &str, e: &(dyn std::error::Error + 'static)| match unreadable(
        what, rev, shallow, e,
    ) {
        e @ GitError::Corrupt { .. } => Err(e),
        _ => Ok(()),
    };
    match local.head_id() {
        Ok(head) => tips.push(("HEAD".to_owned(), head.detach())),
        Err(e) => corrupt("HEAD".to_owned(), "HEAD", &e)?,
    }
    let refs = local
        .references()
        .map_err(|e| GitError::read("references", e))?;
    for r in refs.all().map_err(|e| GitError::read("references", e))? {
        let Ok(mut r) = r else { continue };
        let name = r.name().as_bstr().to_string();
        let id = match r.peel_to_id() {
            Ok(id) => id,
            Err(e) => {
                corrupt(format!("reference {name}"), &name, &e)?;
                continue;
            }
        };
        if let Ok(commit) = id.object().and_then(|o| o.peel_to_commit()) {
            tips.push((name, commit.id));
        }
    }
    tips.sort();
    Ok(tips)
}

/// HEAD and every reference of `repo` that names a commit (`(name, commit id)`, sorted
/// by name): the tips a history scan starts from.
pub fn history_tips(repo: &Repo) -> Result<Vec<(String, crate::ObjectId)>, GitError> {
    Ok(named_tips(&repo.local())?
        .into_iter()
        .map(|(name, id)| (name, crate::ObjectId(id)))
        .collect())
}

impl RangeSpec {
    /// The commits the range's ends name (`A..B`: A and B; a new branch: its tip), resolved.
    pub fn resolved_ends(&self, repo: &Repo) -> Result<Vec<crate::ObjectId>, GitError> {
        let local = repo.local();
        let ends = match self {
            RangeSpec::Range { base, tip } => vec![base, tip],
            RangeSpec::NotOnRemotes { tip } => vec![tip],
        };
        ends.into_iter()
            .map(|rev| resolve(repo, &local, rev).map(crate::ObjectId))
            .collect()
    }
}

/// The commits the remote-tracking refs (`refs/remotes/*`) point at, leaving out those
/// at `tip` itself: in CI the checkout has already fetched the branch being pushed.
pub(crate) fn remote_tips(
    local: &gix::Repository,
    tip: ObjectId,
) -> Result<Vec<ObjectId>, GitError> {
    let refs = local
        .references()
        .map_err(|e| GitError::read("references", e))?;
    let mut tips = Vec::new();
    for r in refs
        .prefixed("refs/remotes/")
        .map_err(|e| GitError::read("references", e))?
    {
        let Ok(mut r) = r else { continue };
        let Ok(id) = r.peel_to_id() else { continue };
        if let Ok(commit) = id.object().and_then(|o| o.peel_to_commit()) {
            if commit.id != tip {
                tips.push(commit.id);
            }
        }
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// The error for a walk that reaches the end of a shallow clone at `commit`.
pub(crate) fn shallow_end(commit: ObjectId) -> GitError {
    GitError::Missing {
        what: format!("the parent of commit {commit} (the shallow clone ends there)"),
        hint: fetch_hint(&commit.to_string(), true),
    }
}

/// The commits of `walk`, in its order; a walk that reaches the end of a shallow
/// clone is missing commits.
pub(crate) fn collect_walk(
    repo: &Repo,
    walk: gix::revision::Walk<'_>,
) -> Result<Vec<ObjectId>, GitError> {
    let shallow = repo.local().shallow_commits().ok().flatten();
    let mut ids = Vec::new();
    for info in walk {
        let info = info.map_err(|e| GitError::Missing {
            what: format!("a commit of the walked history ({e})"),
            hint: fetch_hint("<commit>", repo.is_shallow()),
        })?;
        if shallow.as_ref().is_some_and(|s| s.contains(&info.id)) {
            return Err(shallow_end(info.id));
        }
        ids.push(info.id);
    }
    Ok(ids)
}
