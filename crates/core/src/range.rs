//! Why a commit range asked for by hand holds no commits: the two ends are one
//! commit, or the range is reversed (its tip is an ancestor of its base), or the
//! tip's history is already part of the base's.
use vigil_git::Repo;

/// The sentence saying why `base..tip` is empty, naming both ends as given.
pub(crate) fn why_empty(repo: &Repo, base: &str, tip: &str) -> String {
    let range = format!("{base}..{tip}");
    let (Some(b), Some(t)) = (repo.commit_id(base), repo.commit_id(tip)) else {
        return format!("range {range} holds no commits");
    };
    if b == t {
        return format!(
            "range {range} holds no commits: {base} and {tip} are the same commit ({})",
            &b[..b.len().min(12)]
        );
    }
    if repo.is_ancestor(&t, &b).unwrap_or(false) {
        return format!(
            "range {range} holds no commits: is it reversed? {tip} is an ancestor of {base} \
             (the commits between them are {tip}..{base})"
        );
    }
    format!(
        "range {range} holds no commits: every commit reachable from {tip} is reachable from {base}"
    )
}
