//! gitleaks' default rule ids and the vigil built-in rules that stand for them.
use vigil_secrets::builtin_rule_specs;

use crate::config::ConfigError;

/// gitleaks default rule ids and the vigil built-in rules that find the same kind of
/// credential. Ids that are the same in both need no entry.
const RULE_MAP: &[(&str, &[&str])] = &[
    ("aws-access-token", &["aws-access-key-id"]),
    ("github-pat", &["github-pat-classic"]),
    ("github-oauth", &["github-oauth-token"]),
    (
        "github-app-token",
        &[
            "github-user-to-server-token",
            "github-server-to-server-token",
        ],
    ),
    ("gitlab-ptt", &["gitlab-pipeline-trigger-token"]),
    ("gitlab-rrt", &["gitlab-runner-registration-token"]),
    ("gitlab-deploy-token", &["gitlab-deploy-token"]),
    ("gitlab-feed-token", &["gitlab-feed-token"]),
    ("gitlab-cicd-job-token", &["gitlab-ci-job-token"]),
    (
        "gitlab-runner-authentication-token",
        &["gitlab-runner-auth-token"],
    ),
    ("gitlab-scim-token", &["gitlab-scim-token"]),
    ("gitlab-session-cookie", &["gitlab-session-cookie"]),
    (
        "gitlab-incoming-mail-token",
        &["gitlab-incoming-mail-token"],
    ),
    ("gitlab-kubernetes-agent-token", &["gitlab-agent-token"]),
    ("gitlab-oauth-app-secret", &["gitlab-oauth-app-secret"]),
    ("slack-config-access-token", &["slack-config-token"]),
    (
        "slack-webhook-url",
        &["slack-webhook-url", "slack-workflow-webhook-url"],
    ),
    (
        "stripe-access-token",
        &[
            "stripe-secret-key",
            "stripe-test-secret-key",
            "stripe-restricted-key",
            "stripe-restricted-test-key",
        ],
    ),
    ("pypi-upload-token", &["pypi-api-token"]),
    ("rubygems-api-token", &["rubygems-api-key"]),
    (
        "openai-api-key",
        &[
            "openai-api-key",
            "openai-project-key",
            "openai-service-account-key",
            "openai-admin-key",
        ],
    ),
    ("anthropic-admin-api-key", &["anthropic-admin-key"]),
    ("huggingface-access-token", &["huggingface-token"]),
    (
        "huggingface-organization-api-token",
        &["huggingface-org-token"],
    ),
    ("sendgrid-api-token", &["sendgrid-api-key"]),
    ("discord-api-token", &["discord-bot-token"]),
    ("telegram-bot-api-token", &["telegram-bot-token"]),
    ("shopify-custom-access-token", &["shopify-custom-app-token"]),
    (
        "shopify-private-app-access-token",
        &["shopify-private-app-token"],
    ),
    ("digitalocean-pat", &["digitalocean-personal-access-token"]),
    (
        "digitalocean-access-token",
        &["digitalocean-oauth-access-token"],
    ),
    (
        "digitalocean-refresh-token",
        &["digitalocean-oauth-refresh-token"],
    ),
    ("hashicorp-tf-api-token", &["terraform-cloud-api-token"]),
    (
        "databricks-api-token",
        &["databricks-personal-access-token"],
    ),
    ("postman-api-token", &["postman-api-key"]),
    ("pulumi-api-token", &["pulumi-access-token"]),
    ("mailgun-private-api-token", &["mailgun-api-key"]),
    ("mailgun-signing-key", &["mailgun-webhook-signing-key"]),
    ("grafana-cloud-api-token", &["grafana-cloud-token"]),
    ("sentry-access-token", &["sentry-auth-token"]),
    ("new-relic-user-api-key", &["newrelic-user-key"]),
    ("azure-ad-client-secret", &["azure-entra-client-secret"]),
    ("alibaba-secret-key", &["alibaba-access-key-secret"]),
    (
        "1password-service-account-token",
        &["onepassword-service-account-token"],
    ),
    ("flyio-access-token", &["flyio-access-token"]),
    ("cloudflare-api-key", &["cloudflare-api-token"]),
    (
        "doppler-api-token",
        &["doppler-service-token", "doppler-personal-token"],
    ),
    ("npm-access-token", &["npm-access-token"]),
    ("twilio-api-key", &["twilio-api-key"]),
    ("dynatrace-api-token", &["dynatrace-api-token"]),
    (
        "datadog-access-token",
        &["datadog-api-key", "datadog-app-key"],
    ),
    ("plaid-secret-key", &["plaid-secret"]),
    ("plaid-api-token", &["plaid-access-token"]),
    ("confluent-secret-key", &["confluent-cloud-api-secret"]),
    ("square-access-token", &["square-access-token"]),
    ("linear-api-key", &["linear-api-key"]),
    ("jfrog-api-key", &["jfrog-api-key"]),
    (
        "private-key",
        &[
            "private-key-rsa",
            "private-key-dsa",
            "private-key-ec",
            "private-key-pkcs8",
            "private-key-pkcs8-encrypted",
            "private-key-openssh",
            "private-key-ssh2",
            "private-key-pgp",
            "private-key-putty",
            "private-key-pem",
        ],
    ),
];

/// The vigil rules among `known` that correspond to gitleaks rule `id`: the mapped
/// ones, or the rule of the same id. Empty when vigil has no counterpart.
pub fn vigil_rules_for(id: &str, known: &[String]) -> Vec<String> {
    let mut out: Vec<String> = RULE_MAP
        .iter()
        .filter(|(g, _)| *g == id)
        .flat_map(|(_, v)| v.iter())
        .filter(|v| known.iter().any(|k| k == *v))
        .map(|v| (*v).to_owned())
        .collect();
    if out.is_empty() && known.iter().any(|k| k == id) {
        out.push(id.to_owned());
    }
    out
}

/// The ids of vigil's built-in rules.
pub(super) fn builtin_rule_ids() -> Result<Vec<String>, ConfigError> {
    Ok(builtin_rule_specs()
        .map_err(ConfigError::Builtin)?
        .into_iter()
        .map(|s| s.id)
        .collect())
}
