//! Where a release was built, read from the CI's environment variables, and the SLSA
//! provenance statement made from it.
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use vigil_signature::{
    hex,
    intoto::{
        BuildDefinition, BuildMetadata, Builder, Provenance, ProvenanceStatement,
        ResourceDescriptor, RunDetails, Statement, SLSA_PROVENANCE_TYPE, STATEMENT_TYPE,
    },
    sums::SumsEntry,
};

use super::time::rfc3339;

/// The builder id of a release signed outside CI.
pub const LOCAL_BUILDER_ID: &str = "urn:vigil:builder:local";
/// The build type of a release signed outside CI.
pub const LOCAL_BUILD_TYPE: &str = "urn:vigil:buildtype:local:v1";
/// GitHub's build type for workflow runs.
const GITHUB_BUILD_TYPE: &str = "https://actions.github.io/buildtypes/workflow/v1";

/// What is known about the build: from CI variables, overridden by the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildContext {
    /// `github-actions`, `gitlab-ci` or `local`.
    pub platform: &'static str,
    pub builder_id: String,
    pub build_type: String,
    pub repository: Option<String>,
    pub commit: Option<String>,
    pub git_ref: Option<String>,
    pub tag: Option<String>,
    pub invocation_id: Option<String>,
    pub external: BTreeMap<String, String>,
    pub internal: BTreeMap<String, String>,
}

impl BuildContext {
    /// Reads GitHub Actions' or GitLab CI's variables through `var`; local otherwise.
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>) -> BuildContext {
        let get = |k: &str| var(k).filter(|v| !v.trim().is_empty());
        let mut ctx = BuildContext {
            platform: "local",
            builder_id: LOCAL_BUILDER_ID.to_owned(),
            build_type: LOCAL_BUILD_TYPE.to_owned(),
            repository: None,
            commit: None,
            git_ref: None,
            tag: None,
            invocation_id: None,
            external: BTreeMap::new(),
            internal: BTreeMap::new(),
        };
        if get("GITHUB_ACTIONS").as_deref() == Some("true") {
            let server = get("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
            let repo = get("GITHUB_REPOSITORY");
            ctx.platform = "github-actions";
            ctx.build_type = GITHUB_BUILD_TYPE.to_owned();
            ctx.repository = repo.as_ref().map(|r| format!("{server}/{r}"));
            ctx.commit = get("GITHUB_SHA");
            ctx.git_ref = get("GITHUB_REF");
            if get("GITHUB_REF_TYPE").as_deref() == Some("tag") {
                ctx.tag = get("GITHUB_REF_NAME");
            }
            // The workflow that ran (owner/repo/.github/workflows/x.yml@ref) is the
            // builder a verifier pins.
            match get("GITHUB_WORKFLOW_REF") {
                Some(w) => {
                    ctx.builder_id = format!("{server}/{w}");
                    let path = w
                        .split_once('@')
                        .map(|(p, _)| p)
                        .and_then(|p| repo.as_ref().and_then(|r| p.strip_prefix(&format!("{r}/"))));
                    if let Some(path) = path {
                        ctx.external.insert("workflow.path".into(), path.to_owned());
                    }
                }
                None => ctx.builder_id = format!("{server}/actions/runner"),
            }
            if let (Some(r), Some(id)) = (&repo, get("GITHUB_RUN_ID")) {
                let attempt = get("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".into());
                ctx.invocation_id =
                    Some(format!("{server}/{r}/actions/runs/{id}/attempts/{attempt}"));
            }
            for (key, var_name) in [
                ("event_name", "GITHUB_EVENT_NAME"),
                ("repository_id", "GITHUB_REPOSITORY_ID"),
                ("repository_owner_id", "GITHUB_REPOSITORY_OWNER_ID"),
                ("runner_environment", "RUNNER_ENVIRONMENT"),
                ("workflow_sha", "GITHUB_WORKFLOW_SHA"),
            ] {
                if let Some(v) = get(var_name) {
                    ctx.internal.insert(key.into(), v);
                }
            }
        } else if get("GITLAB_CI").as_deref() == Some("true") {
            let server = get("CI_SERVER_URL").unwrap_or_else(|| "https://gitlab.com".into());
            ctx.platform = "gitlab-ci";
            let version = get("CI_RUNNER_VERSION")
                .map(|v| format!("v{v}"))
                .unwrap_or_else(|| "main".into());
            ctx.build_type = format!(
                "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/{version}/PROVENANCE.md"
            );
            ctx.repository = get("CI_PROJECT_URL");
            ctx.commit = get("CI_COMMIT_SHA");
            ctx.git_ref = get("CI_COMMIT_REF_NAME");
            ctx.tag = get("CI_COMMIT_TAG");
            ctx.builder_id = match (get("CI_PROJECT_PATH"), get("CI_RUNNER_ID")) {
                (Some(p), Some(id)) => format!("{server}/{p}/-/runners/{id}"),
                (Some(p), None) => format!("{server}/{p}/-/runners"),
                _ => format!("{server}/-/runners"),
            };
            ctx.invocation_id = get("CI_JOB_URL");
            for (key, var_name) in [
                ("job_name", "CI_JOB_NAME"),
                ("pipeline_source", "CI_PIPELINE_SOURCE"),
                ("config_path", "CI_CONFIG_PATH"),
            ] {
                if let Some(v) = get(var_name) {
                    ctx.external.insert(key.into(), v);
                }
            }
            for (key, var_name) in [
                ("project_id", "CI_PROJECT_ID"),
                ("pipeline_id", "CI_PIPELINE_ID"),
                ("runner_description", "CI_RUNNER_DESCRIPTION"),
            ] {
                if let Some(v) = get(var_name) {
                    ctx.internal.insert(key.into(), v);
                }
            }
        }
        ctx
    }

    pub fn is_local(&self) -> bool {
        self.builder_id == LOCAL_BUILDER_ID
    }

    /// The in-toto statement naming every artifact by SHA-256, the source and the
    /// builder, and when the build started and finished (Unix seconds).
    pub fn statement(
        &self,
        entries: &[SumsEntry],
        started_on: u64,
        finished_on: u64,
    ) -> ProvenanceStatement {
        let mut subject: Vec<ResourceDescriptor> = entries
            .iter()
            .map(|e| ResourceDescriptor {
                name: Some(e.name.clone()),
                uri: None,
                digest: BTreeMap::from([("sha256".to_owned(), hex(&e.sha256))]),
            })
            .collect();
        subject.sort_by(|a, b| a.name.cmp(&b.name));

        let mut external = Map::new();
        if self.platform == "github-actions" {
            let mut workflow = Map::new();
            if let Some(r) = &self.git_ref {
                workflow.insert("ref".into(), json!(r));
            }
            if let Some(r) = &self.repository {
                workflow.insert("repository".into(), json!(r));
            }
            if let Some(p) = self.external.get("workflow.path") {
                workflow.insert("path".into(), json!(p));
            }
            external.insert("workflow".into(), Value::Object(workflow));
        } else {
            if let Some(r) = &self.repository {
                external.insert("source".into(), json!(r));
            }
            if let Some(r) = &self.git_ref {
                external.insert("ref".into(), json!(r));
            }
            for (k, v) in &self.external {
                external.insert(k.clone(), json!(v));
            }
        }
        if let Some(t) = &self.tag {
            external.insert("tag".into(), json!(t));
        }
        let internal = (!self.internal.is_empty()).then(|| {
            let key = if self.platform == "github-actions" {
                "github"
            } else {
                "gitlab"
            };
            json!({ key: self.internal })
        });

        let mut resolved = Vec::new();
        if self.repository.is_some() || self.commit.is_some() {
            let uri = self.repository.as_ref().map(|r| match &self.git_ref {
                Some(gr) => format!("git+{r}@{gr}"),
                None => format!("git+{r}"),
            });
            let digest = self
                .commit
                .iter()
                .map(|c| ("gitCommit".to_owned(), c.clone()))
                .collect();
            resolved.push(ResourceDescriptor {
                name: None,
                uri,
                digest,
            });
        }

        Statement {
            statement_type: STATEMENT_TYPE.to_owned(),
            subject,
            predicate_type: SLSA_PROVENANCE_TYPE.to_owned(),
            predicate: Provenance {
                build_definition: BuildDefinition {
                    build_type: self.build_type.clone(),
                    external_parameters: Value::Object(external),
                    internal_parameters: internal,
                    resolved_dependencies: resolved,
                },
                run_details: RunDetails {
                    builder: Builder {
                        id: self.builder_id.clone(),
                        version: BTreeMap::from([(
                            "vigil".to_owned(),
                            env!("CARGO_PKG_VERSION").to_owned(),
                        )]),
                    },
                    metadata: Some(BuildMetadata {
                        invocation_id: self.invocation_id.clone(),
                        started_on: Some(rfc3339(started_on)),
                        finished_on: Some(rfc3339(finished_on)),
                    }),
                },
            },
        }
    }
}

/// The source commit a provenance names (the first `gitCommit` digest).
pub(crate) fn provenance_commit(p: &ProvenanceStatement) -> Option<&str> {
    p.predicate
        .build_definition
        .resolved_dependencies
        .iter()
        .find_map(|d| d.digest.get("gitCommit").map(String::as_str))
}

/// The source repository a provenance names (`git+URL[@ref]`, vigil's form).
pub(crate) fn provenance_repository(p: &ProvenanceStatement) -> Option<&str> {
    p.predicate
        .build_definition
        .resolved_dependencies
        .iter()
        .find_map(|d| d.uri.as_deref())
        .map(|u| u.strip_prefix("git+").unwrap_or(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn entry() -> Vec<SumsEntry> {
        vec![SumsEntry {
            name: "app.tar.gz".into(),
            sha256: [1; 32],
        }]
    }

    #[test]
    fn github_actions() {
        let ctx = BuildContext::from_env(&env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/app"),
            ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
            ("GITHUB_REF", "refs/tags/v1.2.0"),
            ("GITHUB_REF_TYPE", "tag"),
            ("GITHUB_REF_NAME", "v1.2.0"),
            (
                "GITHUB_WORKFLOW_REF",
                "acme/app/.github/workflows/release.yml@refs/tags/v1.2.0",
            ),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_RUN_ATTEMPT", "2"),
            ("RUNNER_ENVIRONMENT", "github-hosted"),
        ]));
        assert_eq!(ctx.platform, "github-actions");
        assert_eq!(
            ctx.builder_id,
            "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0"
        );
        assert_eq!(ctx.tag.as_deref(), Some("v1.2.0"));
        let st = ctx.statement(&entry(), 1_700_000_000, 1_700_000_042);
        let v = serde_json::to_value(&st).unwrap();
        assert_eq!(
            v["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["path"],
            ".github/workflows/release.yml"
        );
        assert_eq!(
            v["predicate"]["buildDefinition"]["resolvedDependencies"][0]["uri"],
            "git+https://github.com/acme/app@refs/tags/v1.2.0"
        );
        assert_eq!(
            v["predicate"]["runDetails"]["metadata"]["invocationId"],
            "https://github.com/acme/app/actions/runs/42/attempts/2"
        );
        let meta = &v["predicate"]["runDetails"]["metadata"];
        assert_eq!(meta["startedOn"], "2023-11-14T22:13:20Z");
        assert_eq!(meta["finishedOn"], "2023-11-14T22:14:02Z");
        assert_eq!(
            provenance_commit(&st),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(
            provenance_repository(&st),
            Some("https://github.com/acme/app@refs/tags/v1.2.0")
        );
    }

    #[test]
    fn gitlab_ci() {
        let ctx = BuildContext::from_env(&env(&[
            ("GITLAB_CI", "true"),
            ("CI_SERVER_URL", "https://gitlab.example.com"),
            ("CI_PROJECT_PATH", "acme/app"),
            ("CI_PROJECT_URL", "https://gitlab.example.com/acme/app"),
            ("CI_RUNNER_ID", "7"),
            ("CI_COMMIT_SHA", "abc"),
            ("CI_COMMIT_TAG", "v2"),
            ("CI_JOB_URL", "https://gitlab.example.com/acme/app/-/jobs/9"),
        ]));
        assert_eq!(ctx.platform, "gitlab-ci");
        assert_eq!(
            ctx.builder_id,
            "https://gitlab.example.com/acme/app/-/runners/7"
        );
        assert_eq!(ctx.tag.as_deref(), Some("v2"));
        assert_eq!(ctx.commit.as_deref(), Some("abc"));
    }

    #[test]
    fn local_when_no_ci() {
        let ctx = BuildContext::from_env(&env(&[("GITHUB_ACTIONS", "")]));
        assert!(ctx.is_local());
        let st = ctx.statement(&entry(), 0, 0);
        assert!(st
            .predicate
            .build_definition
            .resolved_dependencies
            .is_empty());
        assert_eq!(st.subject[0].digest["sha256"], hex(&[1; 32]));
    }
}
