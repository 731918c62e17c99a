//! GitLab CI/CD: predefined variables say what kind of pipeline runs
//! (`CI_PIPELINE_SOURCE`, `CI_COMMIT_TAG`) and which commits it is about.
use vigil_git::Repo;

use super::{
    push::{require, update},
    target::{is_full_id, CommitRange, Commits, Platform, ResolveError, Resolved, Target},
};

const SUPPORTED: &str =
    "push (branch and tag pipelines), merge_request_event, schedule, web and api";

/// What a GitLab CI/CD job should scan or verify.
pub fn resolve_gitlab(
    repo: &Repo,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Resolved, ResolveError> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    let required = |name: &str| {
        var(name).ok_or_else(|| ResolveError::MissingVariable {
            name: name.to_owned(),
            context: " (GitLab CI/CD sets it in this kind of pipeline)".to_owned(),
        })
    };
    let id = |name: &str| {
        let value = required(name)?;
        if is_full_id(&value) {
            Ok(value)
        } else {
            Err(ResolveError::BadVariable {
                name: name.to_owned(),
            })
        }
    };
    let source = required("CI_PIPELINE_SOURCE")?;
    let resolved = |target: Target, origin: String| Ok(Resolved { target, origin });
    match source.as_str() {
        "schedule" | "web" | "api" => {
            resolved(Target::History, format!("GitLab {source} pipeline"))
        }
        "merge_request_event" => {
            let base = id("CI_MERGE_REQUEST_DIFF_BASE_SHA")?;
            let base = require(
                repo,
                Platform::GitLab,
                "the merge request's base commit",
                &base,
            )?;
            let head = require(
                repo,
                Platform::GitLab,
                "the head commit",
                &id("CI_COMMIT_SHA")?,
            )?;
            resolved(
                Target::Commits(vec![Commits::Range(CommitRange { base, head })]),
                "GitLab merge request pipeline".to_owned(),
            )
        }
        "push" if var("CI_COMMIT_TAG").is_some() => {
            let tip = require(
                repo,
                Platform::GitLab,
                "the tagged commit",
                &id("CI_COMMIT_SHA")?,
            )?;
            resolved(
                Target::Commits(vec![Commits::New { tip }]),
                "GitLab tag pipeline (the commits on no other ref)".to_owned(),
            )
        }
        "push" => {
            let before = id("CI_COMMIT_BEFORE_SHA")?;
            let after = id("CI_COMMIT_SHA")?;
            match update(repo, Platform::GitLab, &before, &after)? {
                Some(u) if u.note.is_empty() => resolved(
                    Target::Commits(vec![u.commits]),
                    "GitLab branch pipeline".to_owned(),
                ),
                Some(u) => resolved(
                    Target::Commits(vec![u.commits]),
                    format!("GitLab branch pipeline ({})", u.note),
                ),
                None => resolved(
                    Target::Nothing {
                        why: "the push did not move the branch".to_owned(),
                    },
                    "GitLab branch pipeline".to_owned(),
                ),
            }
        }
        _ => Err(ResolveError::Unsupported {
            platform: "GitLab",
            what: "pipeline source",
            name: source,
            supported: SUPPORTED,
        }),
    }
}
