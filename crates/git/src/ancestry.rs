//! Questions a caller asks before choosing what to scan or verify: which commit a
//! revision names, whether one commit is an ancestor of another, and their merge base.
//! Ids go in and out as hex strings, so no gix type crosses the crate line.
use std::collections::HashSet;

use crate::{error::GitError, repo::Repo, revision::rev_parse_single};

impl Repo {
    /// The full id of the commit `rev` names (a tag is peeled to its commit), or `None`
    /// when the repository does not have it (or it names no commit).
    pub fn commit_id(&self, rev: &str) -> Option<String> {
        let local = self.local();
        let id = rev_parse_single(&local, rev).ok()?;
        let commit = id.object().ok()?.peel_to_commit().ok()?;
        Some(commit.id.to_string())
    }

    /// True when the repository has the commit `rev` names.
    pub fn has_commit(&self, rev: &str) -> bool {
        self.commit_id(rev).is_some()
    }

    /// The best common ancestor of the commits `one` and `two`, or `None` when they
    /// share no history. Fails when either is missing or the walk cannot finish (it
    /// reaches past the end of a shallow clone).
    pub fn merge_base(&self, one: &str, two: &str) -> Result<Option<String>, GitError> {
        let local = self.local();
        let id = |rev: &str| {
            self.commit_id(rev)
                .and_then(|hex| gix::ObjectId::from_hex(hex.as_bytes()).ok())
                .ok_or_else(|| GitError::Missing {
                    what: format!("commit {rev}"),
                    hint: String::new(),
                })
        };
        let (one, two) = (id(one)?, id(two)?);
        let base = local
            .merge_base(one, two)
            .map_err(|e| GitError::read(format!("the merge base of {one} and {two}"), e))?;
        Ok(base.map(|id| id.to_string()))
    }

    /// True when `ancestor` is `descendant` or one of its ancestors (as
    /// `git merge-base --is-ancestor`).
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool, GitError> {
        let base = self.merge_base(ancestor, descendant)?;
        Ok(base.is_some() && base == self.commit_id(ancestor))
    }

    /// Every ancestor of the parents of `commit` (the history before it), as hex ids:
    /// what a `start` commit leaves out.
    pub fn history_before(&self, commit: &str) -> Result<HashSet<String>, GitError> {
        let local = self.local();
        let id = crate::revision::resolve(self, &local, commit)?;
        let found = local
            .find_commit(id)
            .map_err(|e| GitError::read(format!("commit {id}"), e))?;
        let parents: Vec<gix::ObjectId> = found.parent_ids().map(gix::Id::detach).collect();
        if parents.is_empty() {
            return Ok(HashSet::new());
        }
        let walk = local
            .rev_walk(parents)
            .all()
            .map_err(|e| GitError::read("the commit graph", e))?;
        Ok(crate::revision::collect_walk(self, walk)?
            .into_iter()
            .map(|id| id.to_string())
            .collect())
    }

    /// The commits the remote-tracking refs point at (leaving out `tip` itself), as hex.
    pub fn remote_tip_ids(&self, tip: &str) -> Result<Vec<String>, GitError> {
        let local = self.local();
        let tip = crate::revision::resolve(self, &local, tip)?;
        Ok(crate::revision::remote_tips(&local, tip)?
            .into_iter()
            .map(|id| id.to_string())
            .collect())
    }

    /// True when the repository is a shallow clone (its history is cut off).
    pub fn is_shallow_clone(&self) -> bool {
        self.is_shallow()
    }
}

impl crate::repo::Reader {
    /// The parents of `commit`, as hex ids (decoding only its header).
    pub fn parent_ids(&self, commit: &str) -> Result<Vec<String>, GitError> {
        let what = || format!("commit {commit}");
        let id =
            gix::ObjectId::from_hex(commit.as_bytes()).map_err(|e| GitError::read(what(), e))?;
        let found = self
            .repo
            .find_commit(id)
            .map_err(|e| GitError::read(what(), e))?;
        Ok(found.parent_ids().map(|p| p.to_string()).collect())
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use crate::{repo::Repo, test_repo::git};

    fn rev(dir: &std::path::Path, rev: &str) -> String {
        let out = Command::new("git")
            .args(["rev-parse", rev])
            .current_dir(dir)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    #[test]
    fn answers_as_git_merge_base_does() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q"]);
        for (name, branch) in [("a", None), ("b", None), ("c", Some("side")), ("d", None)] {
            if let Some(b) = branch {
                git(d, &["checkout", "-q", "-b", b, "HEAD~1"]);
            }
            std::fs::write(d.join(name), name).unwrap();
            git(d, &["add", name]);
            git(d, &["commit", "-q", "-m", name]);
        }
        git(d, &["tag", "-a", "-m", "t", "v1", "main"]);
        let repo = Repo::discover(d).unwrap();
        let (a, b, d_) = (rev(d, "main~1"), rev(d, "main"), rev(d, "side"));
        assert_eq!(repo.commit_id("main").as_deref(), Some(b.as_str()));
        assert_eq!(
            repo.commit_id("v1").as_deref(),
            Some(b.as_str()),
            "tags peel"
        );
        assert_eq!(repo.commit_id(&"0".repeat(40)), None);
        assert!(!repo.has_commit(&"1".repeat(40)));
        assert_eq!(
            repo.merge_base(&b, &d_).unwrap().as_deref(),
            Some(a.as_str())
        );
        assert!(repo.is_ancestor(&a, &b).unwrap());
        assert!(repo.is_ancestor(&b, &b).unwrap());
        assert!(!repo.is_ancestor(&b, &d_).unwrap());
        assert!(!repo.is_ancestor(&d_, &b).unwrap());
        assert!(repo.merge_base(&"1".repeat(40), &b).is_err());
        assert!(!repo.is_shallow_clone());
    }

    /// Abbreviated ids name commits in both object formats, loose and packed (gix
    /// alone finds no loose object by a short SHA-256 id), with a suffix too; a prefix
    /// that names no object or several names no commit.
    #[test]
    fn abbreviated_ids_in_both_formats() {
        for format in crate::test_repo::FORMATS {
            let dir = tempfile::tempdir().unwrap();
            let d = dir.path();
            git(d, &["init", "-q", &format!("--object-format={format}")]);
            for name in ["a", "b"] {
                std::fs::write(d.join(name), name).unwrap();
                git(d, &["add", name]);
                git(d, &["commit", "-q", "-m", name]);
            }
            let (a, b) = (rev(d, "main~1"), rev(d, "main"));
            for packed in [false, true] {
                if packed {
                    git(d, &["gc", "-q"]);
                }
                let repo = Repo::discover(d).unwrap();
                for n in [4, 7, 12, a.len() - 1, a.len()] {
                    let what = format!("{format}, packed: {packed}, {n} digits");
                    assert_eq!(repo.commit_id(&a[..n]).as_deref(), Some(&*a), "{what}");
                    let child = format!("{}~1", &b[..n]);
                    assert_eq!(repo.commit_id(&child).as_deref(), Some(&*a), "{what}");
                }
                assert_eq!(repo.commit_id(&"f".repeat(12)), None);
                assert_eq!(repo.commit_id(&a[..3]), None, "too short");
            }
        }
    }
}
