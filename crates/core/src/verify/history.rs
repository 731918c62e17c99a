//! The policy in force for each commit, from history: each commit hands its children an
//! *effective policy*, the one its first parent handed it unless it changes the policy's
//! files with a signature that policy trusts (see [`crate::verify`] for the model).
//!
//! Effective policies are memoised per commit and computed along first-parent chains
//! with a loop (no recursion), so a history of any depth costs one pass.
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use vigil_git::{signed::ObjectKind, GitError, ObjectRef, Reader};
use vigil_model::Verdict;

use super::{
    check::{check_under, Compromise, KeyTime},
    policy::{verify_section, Policy, PolicyError, PolicySource},
    PolicyLocation,
};

/// Where an effective policy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The trusted base's policy: for a root commit, or a history with no policy yet.
    Base(String),
    /// The policy in the trust root's tree (the base policy's `start`), trusted as is.
    Root(String),
    /// The policy in this commit's tree: a change its parent's policy authorised.
    Authorised(String),
}

impl Origin {
    /// How a reason names it.
    pub fn describe(&self) -> String {
        match self {
            Origin::Base(b) => format!("the policy of the trusted base {b}"),
            Origin::Root(r) => format!("the policy of the trust root {r} (start)"),
            Origin::Authorised(a) => format!("the policy authorised at {a}"),
        }
    }
}

/// A policy change its parent's policy did not authorise, and the policy it wrote.
#[derive(Debug)]
pub struct Taint {
    pub commit: String,
    pub verdict: Verdict,
    /// The policy in the change's tree (`None`: none, or unreadable).
    pub claimed: Option<Arc<Policy>>,
}

/// The policy a commit hands to its children.
#[derive(Debug)]
pub struct Effective {
    pub policy: Arc<Policy>,
    pub origin: Origin,
    /// The latest unauthorised change since that policy: commits whose signatures only
    /// its policy would trust are said to be trusted only through it.
    pub taint: Option<Arc<Taint>>,
    /// An authorised change left a policy that cannot be read: nothing is trusted
    /// after it, for this reason.
    pub broken: Option<String>,
}

/// The effective policies of a verification.
pub struct History<'a> {
    reader: &'a Reader,
    location: &'a PolicyLocation,
    /// The trusted base's policy, as an effective policy (the fallback).
    pub base: Arc<Effective>,
    /// The trust root (`start`), and the commits before it.
    root: Option<String>,
    before_root: HashSet<String>,
    time: KeyTime,
    memo: HashMap<String, Arc<Effective>>,
    blobs: HashMap<(String, String), Option<String>>,
}

impl<'a> History<'a> {
    pub fn new(
        reader: &'a Reader,
        location: &'a PolicyLocation,
        base: Arc<Effective>,
        root: Option<String>,
        before_root: HashSet<String>,
        time: KeyTime,
    ) -> History<'a> {
        History {
            reader,
            location,
            base,
            root,
            before_root,
            time,
            memo: HashMap::new(),
            blobs: HashMap::new(),
        }
    }

    /// Forgets the effective policies (to compute them again with more compromised keys).
    pub fn reset(&mut self) {
        self.memo.clear();
    }

    /// The effective policy of every commit computed so far.
    pub fn known(&self) -> &HashMap<String, Arc<Effective>> {
        &self.memo
    }

    /// The policy `commit` hands to its children.
    pub fn effective(
        &mut self,
        commit: &str,
        compromised: &[Compromise],
    ) -> Result<Arc<Effective>, GitError> {
        let mut chain: Vec<(String, Option<String>)> = Vec::new();
        let mut current = commit.to_owned();
        let mut eff = loop {
            if let Some(e) = self.memo.get(&current) {
                break e.clone();
            }
            if self.before_root.contains(&current) {
                break self.base.clone();
            }
            if self.root.as_deref() == Some(current.as_str()) {
                let e = self.root_policy(&current);
                self.memo.insert(current, e.clone());
                break e;
            }
            let parent = self.reader.parent_ids(&current)?.into_iter().next();
            chain.push((current, parent.clone()));
            match parent {
                Some(p) => current = p,
                None => break self.base.clone(),
            }
        };
        for (c, parent) in chain.into_iter().rev() {
            eff = self.step(&c, parent.as_deref(), eff, compromised)?;
            self.memo.insert(c, eff.clone());
        }
        Ok(eff)
    }

    /// E(R): the policy in the trust root's tree (the base's when it has none).
    fn root_policy(&self, root: &str) -> Arc<Effective> {
        self.adopt(root, Origin::Root(root.to_owned()))
    }

    /// The policy in `commit`'s tree, trusted from `origin` on: the base's when it has
    /// none (a policy removed by an authorised change), nothing when it cannot be read.
    fn adopt(&self, commit: &str, origin: Origin) -> Arc<Effective> {
        match policy_at(self.reader, commit, self.location) {
            Ok(Some(p)) => Arc::new(Effective {
                policy: Arc::new(p),
                origin,
                taint: None,
                broken: None,
            }),
            Ok(None) => self.base.clone(),
            Err(message) => Arc::new(broken(self.location, origin, message)),
        }
    }

    fn blob(&mut self, commit: &str, path: &str) -> Result<Option<String>, GitError> {
        let key = (commit.to_owned(), path.to_owned());
        if let Some(b) = self.blobs.get(&key) {
            return Ok(b.clone());
        }
        let b = self.reader.blob_id_at(commit, path)?;
        self.blobs.insert(key, b.clone());
        Ok(b)
    }

    /// Whether `commit` changes any file of `policy` against its first parent.
    pub fn changes(
        &mut self,
        commit: &str,
        parent: Option<&str>,
        policy: &Policy,
    ) -> Result<bool, GitError> {
        for path in &policy.files {
            let now = self.blob(commit, path)?;
            let before = match parent {
                Some(p) => self.blob(p, path)?,
                None => None,
            };
            if now != before {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// E(c) from E(parent).
    fn step(
        &mut self,
        c: &str,
        parent: Option<&str>,
        ep: Arc<Effective>,
        compromised: &[Compromise],
    ) -> Result<Arc<Effective>, GitError> {
        if !self.changes(c, parent, &ep.policy)? {
            return Ok(ep);
        }
        let object = self.reader.signed_object(&ObjectRef {
            id: c.to_owned(),
            kind: ObjectKind::Commit,
            ref_name: None,
            points_to: None,
        })?;
        let verdict = check_under(&object, &ep.policy, compromised, self.time).verdict;
        if verdict != Verdict::Good || ep.broken.is_some() {
            let claimed = policy_at(self.reader, c, self.location)
                .ok()
                .flatten()
                .map(Arc::new);
            return Ok(Arc::new(Effective {
                policy: ep.policy.clone(),
                origin: ep.origin.clone(),
                taint: Some(Arc::new(Taint {
                    commit: c.to_owned(),
                    verdict,
                    claimed,
                })),
                broken: ep.broken.clone(),
            }));
        }
        Ok(self.adopt(c, Origin::Authorised(c.to_owned())))
    }
}

/// An effective policy that trusts nothing, because the policy cannot be read.
fn broken(location: &PolicyLocation, origin: Origin, message: String) -> Effective {
    Effective {
        policy: Arc::new(Policy {
            files: vec![location.config_rel.clone()],
            ..Policy::default()
        }),
        origin,
        taint: None,
        broken: Some(message),
    }
}

/// The files of one commit's tree.
struct CommitTree<'a> {
    reader: &'a Reader,
    commit: &'a str,
}

impl PolicySource for CommitTree<'_> {
    fn read(&self, path: &str, by: &str) -> Result<Option<Vec<u8>>, PolicyError> {
        let bytes = self
            .reader
            .file_at(self.commit, path)
            .map(|f| f.map(|(_, b)| b))
            .map_err(|e| PolicyError::Read {
                path: path.to_owned(),
                by: by.to_owned(),
                message: e.to_string(),
            })?;
        let limit = crate::input::max_input_size();
        match bytes {
            Some(b) if b.len() as u64 > limit => Err(PolicyError::Read {
                path: path.to_owned(),
                by: by.to_owned(),
                message: crate::input::InputError::TooLarge {
                    path: path.into(),
                    limit,
                }
                .reason(),
            }),
            other => Ok(other),
        }
    }

    fn name(&self, path: &str) -> String {
        path.to_owned()
    }
}

/// The policy committed in `commit`'s tree (`Ok(None)`: it has none); the error names
/// the commit and the file.
pub fn policy_at(
    reader: &Reader,
    commit: &str,
    location: &PolicyLocation,
) -> Result<Option<Policy>, String> {
    let tree = CommitTree { reader, commit };
    let Some(bytes) = tree
        .read(&location.config_rel, "the repository")
        .map_err(|e| format!("in commit {commit}: {e}"))?
    else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(section) = verify_section(&text)
        .map_err(|m| format!("{} in commit {commit}: {m}", location.config_rel))?
    else {
        return Ok(None);
    };
    if section.is_empty() {
        return Ok(None);
    }
    section
        .validate()
        .map_err(|m| format!("{} in commit {commit}: {m}", location.config_rel))?;
    let policy = Policy::load(&tree, &location.config_rel, &section)
        .map_err(|e| format!("in commit {commit}: {e}"))?;
    Ok(Some(policy))
}
