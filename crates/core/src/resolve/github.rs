//! GitHub Actions: the event's name (`GITHUB_EVENT_NAME`) and its payload (the JSON
//! file at `GITHUB_EVENT_PATH`) say what the run is about.
use serde_json::Value;
use vigil_git::Repo;

use super::{
    push::{require, update},
    target::{
        is_full_id, is_zero_id, CommitRange, Commits, Platform, ResolveError, Resolved, Target,
    },
};

const SUPPORTED: &str =
    "push, pull_request, pull_request_target, merge_group, schedule and workflow_dispatch";

/// What a GitHub Actions run should scan or verify.
pub fn resolve_github(
    repo: &Repo,
    env: &dyn Fn(&str) -> Option<String>,
    read_file: &dyn Fn(&str) -> std::io::Result<String>,
) -> Result<Resolved, ResolveError> {
    let event = env("GITHUB_EVENT_NAME")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ResolveError::MissingVariable {
            name: "GITHUB_EVENT_NAME".to_owned(),
            context: " (GitHub Actions sets it in every job)".to_owned(),
        })?;
    let origin = |note: &str| {
        if note.is_empty() {
            format!("GitHub {event}")
        } else {
            format!("GitHub {event} ({note})")
        }
    };
    let resolved = |target: Target, note: &str| Resolved {
        target,
        origin: origin(note),
    };
    match event.as_str() {
        "schedule" | "workflow_dispatch" => return Ok(resolved(Target::History, "")),
        "push" | "pull_request" | "pull_request_target" | "merge_group" => {}
        _ => {
            return Err(ResolveError::Unsupported {
                platform: "GitHub",
                what: "event",
                name: event,
                supported: SUPPORTED,
            })
        }
    }
    let payload = Payload::read(env, read_file)?;
    let range = |base: &str, head: &str| -> Result<Target, ResolveError> {
        let base = require(repo, Platform::GitHub, "the base commit", base)?;
        let head = require(repo, Platform::GitHub, "the head commit", head)?;
        Ok(Target::Commits(vec![Commits::Range(CommitRange {
            base,
            head,
        })]))
    };
    match event.as_str() {
        "pull_request" | "pull_request_target" => Ok(resolved(
            range(
                payload.id("/pull_request/base/sha")?,
                payload.id("/pull_request/head/sha")?,
            )?,
            "",
        )),
        "merge_group" => Ok(resolved(
            range(
                payload.id("/merge_group/base_sha")?,
                payload.id("/merge_group/head_sha")?,
            )?,
            "",
        )),
        _ => {
            let git_ref = payload.string("/ref")?;
            if payload.0.pointer("/deleted") == Some(&Value::Bool(true)) {
                let why = format!("the push deleted {git_ref}");
                return Ok(resolved(Target::Nothing { why }, "deleted"));
            }
            let after = payload.id("/after")?;
            if git_ref.starts_with("refs/tags/") {
                let tip = require(repo, Platform::GitHub, "the tagged commit", after)?;
                let target = Target::Commits(vec![Commits::New { tip }]);
                return Ok(resolved(target, "tag: the commits on no other ref"));
            }
            match update(repo, Platform::GitHub, payload.id("/before")?, after)? {
                Some(u) => Ok(resolved(Target::Commits(vec![u.commits]), &u.note)),
                None => Ok(resolved(
                    Target::Nothing {
                        why: format!("the push did not move {git_ref}"),
                    },
                    "",
                )),
            }
        }
    }
}

/// The event payload and the path it was read from (for errors).
struct Payload(Value, String);

impl Payload {
    fn read(
        env: &dyn Fn(&str) -> Option<String>,
        read_file: &dyn Fn(&str) -> std::io::Result<String>,
    ) -> Result<Payload, ResolveError> {
        let path = env("GITHUB_EVENT_PATH")
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ResolveError::MissingVariable {
                name: "GITHUB_EVENT_PATH".to_owned(),
                context: " (the event's JSON payload; GitHub Actions sets it)".to_owned(),
            })?;
        let bad = |message: String| ResolveError::BadEvent {
            path: path.clone(),
            message,
        };
        let text = read_file(&path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        let value = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
        Ok(Payload(value, path))
    }

    fn bad(&self, message: String) -> ResolveError {
        ResolveError::BadEvent {
            path: self.1.clone(),
            message,
        }
    }

    /// The string at `pointer` (a JSON pointer), or an error naming the field.
    fn string(&self, pointer: &str) -> Result<&str, ResolveError> {
        let field = pointer.trim_start_matches('/').replace('/', ".");
        self.0
            .pointer(pointer)
            .and_then(Value::as_str)
            .ok_or_else(|| self.bad(format!("{field} is missing or not a string")))
    }

    /// The full commit id at `pointer` (the all-zero id included).
    fn id(&self, pointer: &str) -> Result<&str, ResolveError> {
        let value = self.string(pointer)?;
        if is_full_id(value) || is_zero_id(value) {
            Ok(value)
        } else {
            let field = pointer.trim_start_matches('/').replace('/', ".");
            Err(self.bad(format!(
                "{field} is not a full commit id (40 or 64 hex digits)"
            )))
        }
    }
}
