//! The git pre-push hook: git writes one line per ref it is about to push,
//! `<local ref> SP <local sha> SP <remote ref> SP <remote sha>` (githooks(5)).
use vigil_git::Repo;

use super::{
    push::update,
    target::{
        is_full_id, is_zero_id, CommitRange, Commits, Platform, ResolveError, Resolved, Target,
    },
};

/// One line of the hook's input.
struct Line<'a> {
    local_sha: &'a str,
    remote_ref: &'a str,
    remote_sha: &'a str,
}

/// Parses line `number` (1-based); the error names the field at fault, never the text.
fn parse(number: usize, text: &str) -> Result<Line<'_>, ResolveError> {
    let bad = |message: String| ResolveError::PrePushLine {
        line: number,
        message,
    };
    let fields: Vec<&str> = text.split(' ').collect();
    let [local_ref, local_sha, remote_ref, remote_sha] = fields[..] else {
        return Err(bad(format!(
            "{} space-separated fields instead of 4",
            fields.len()
        )));
    };
    for (name, value) in [("local ref", local_ref), ("remote ref", remote_ref)] {
        if value.is_empty() || value.chars().any(char::is_control) {
            return Err(bad(format!(
                "the {name} is empty or holds control characters"
            )));
        }
    }
    for (name, value) in [("local sha", local_sha), ("remote sha", remote_sha)] {
        if !is_full_id(value) {
            return Err(bad(format!(
                "the {name} is not a full commit id (40 or 64 hex digits)"
            )));
        }
    }
    Ok(Line {
        local_sha,
        remote_ref,
        remote_sha,
    })
}

/// What a push adds, from the text git gives the pre-push hook on stdin: one set of
/// commits per pushed ref (deleted refs add nothing).
pub fn resolve_pre_push(repo: &Repo, stdin: &str) -> Result<Resolved, ResolveError> {
    let lines = stdin
        .lines()
        .enumerate()
        .map(|(i, text)| parse(i + 1, text))
        .collect::<Result<Vec<_>, _>>()?;
    let mut commits = Vec::new();
    let mut origins = Vec::new();
    let mut skipped = Vec::new();
    for line in &lines {
        if is_zero_id(line.local_sha) {
            skipped.push(format!("{} is deleted", line.remote_ref));
            continue;
        }
        match update(repo, Platform::Local, line.remote_sha, line.local_sha)? {
            Some(u) => {
                origins.push(if u.note.is_empty() {
                    line.remote_ref.to_owned()
                } else {
                    format!("{} ({})", line.remote_ref, u.note)
                });
                if !commits.contains(&u.commits) {
                    commits.push(u.commits);
                }
            }
            None => skipped.push(format!("{} does not move", line.remote_ref)),
        }
    }
    if commits.is_empty() {
        let why = if skipped.is_empty() {
            "git is pushing no refs".to_owned()
        } else {
            format!("the push adds no commits: {}", skipped.join(", "))
        };
        return Ok(Resolved {
            target: Target::Nothing { why },
            origin: "git pre-push".to_owned(),
        });
    }
    Ok(Resolved {
        target: Target::Commits(commits),
        origin: format!("git pre-push of {}", origins.join(", ")),
    })
}

/// The pre-commit framework's hook: a range when it gives one (`pre-commit run
/// --from-ref A --to-ref B`, or its pre-push stage), else the staged changes.
pub fn resolve_pre_commit(
    repo: &Repo,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Resolved, ResolveError> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    let (from, to) = (var("PRE_COMMIT_FROM_REF"), var("PRE_COMMIT_TO_REF"));
    let (from, to) = match (from, to) {
        (None, None) => {
            return Ok(Resolved {
                target: Target::Staged,
                origin: "pre-commit".to_owned(),
            })
        }
        (Some(from), Some(to)) => (from, to),
        (from, _) => {
            let (name, other) = if from.is_none() {
                ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF")
            } else {
                ("PRE_COMMIT_TO_REF", "PRE_COMMIT_FROM_REF")
            };
            return Err(ResolveError::MissingVariable {
                name: name.to_owned(),
                context: format!(" (but {other} is: the pre-commit framework sets both)"),
            });
        }
    };
    let resolve = |name: &str, rev: &str| {
        repo.commit_id(rev).ok_or_else(|| {
            ResolveError::missing(
                Platform::Local,
                format!("the commit {name} names"),
                rev,
                repo.is_shallow_clone(),
            )
        })
    };
    let base = resolve("PRE_COMMIT_FROM_REF", &from)?;
    let head = resolve("PRE_COMMIT_TO_REF", &to)?;
    Ok(Resolved {
        target: Target::Commits(vec![Commits::Range(CommitRange { base, head })]),
        origin: "pre-commit (PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF)".to_owned(),
    })
}
