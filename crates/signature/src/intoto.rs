//! in-toto Statement v1 (<https://in-toto.io/Statement/v1>) with a SLSA provenance v1
//! predicate (<https://slsa.dev/provenance/v1>). Unknown fields are accepted when
//! reading, as both specs ask.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const SLSA_PROVENANCE_TYPE: &str = "https://slsa.dev/provenance/v1";

/// An in-toto statement about `subject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement<P> {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<ResourceDescriptor>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: P,
}

/// An in-toto ResourceDescriptor: an artifact or a source, by name, URI and digests.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
}

/// The SLSA provenance v1 predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    pub build_definition: BuildDefinition,
    pub run_details: RunDetails,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    pub build_type: String,
    pub external_parameters: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_parameters: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetails {
    pub builder: Builder,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BuildMetadata>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Builder {
    pub id: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub version: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_on: Option<String>,
}

/// What is wrong with a provenance statement.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    #[error("not an in-toto statement with SLSA provenance: {0}")]
    Json(String),
    #[error("`_type` is {found:?}, expected {STATEMENT_TYPE:?}")]
    StatementType { found: String },
    #[error("`predicateType` is {found:?}, expected {SLSA_PROVENANCE_TYPE:?}")]
    PredicateType { found: String },
}

/// A statement of SLSA provenance.
pub type ProvenanceStatement = Statement<Provenance>;

impl ProvenanceStatement {
    /// Reads and checks the statement and predicate types.
    pub fn from_json(bytes: &[u8]) -> Result<ProvenanceStatement, StatementError> {
        // Check the types before the shape, so a wrong predicate is named as such.
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|e| StatementError::Json(vigil_model::sanitize(&e.to_string(), 160)))?;
        let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        if field("_type") != STATEMENT_TYPE {
            return Err(StatementError::StatementType {
                found: field("_type"),
            });
        }
        if field("predicateType") != SLSA_PROVENANCE_TYPE {
            return Err(StatementError::PredicateType {
                found: field("predicateType"),
            });
        }
        serde_json::from_value(v)
            .map_err(|e| StatementError::Json(vigil_model::sanitize(&e.to_string(), 160)))
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_type_checks() {
        let st = Statement {
            statement_type: STATEMENT_TYPE.into(),
            subject: vec![ResourceDescriptor {
                name: Some("a.tar.gz".into()),
                digest: BTreeMap::from([("sha256".into(), "ab".repeat(32))]),
                ..Default::default()
            }],
            predicate_type: SLSA_PROVENANCE_TYPE.into(),
            predicate: Provenance {
                build_definition: BuildDefinition {
                    build_type: "https://example.invalid/bt".into(),
                    external_parameters: serde_json::json!({"x": 1}),
                    internal_parameters: None,
                    resolved_dependencies: vec![],
                },
                run_details: RunDetails {
                    builder: Builder {
                        id: "https://example.invalid/builder".into(),
                        version: BTreeMap::new(),
                    },
                    metadata: None,
                },
            },
        };
        let json = st.to_json();
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(text.contains("\"predicateType\":\"https://slsa.dev/provenance/v1\""));
        assert!(text.contains("\"buildDefinition\""));
        assert_eq!(ProvenanceStatement::from_json(&json).unwrap(), st);
        let wrong = text.replace("provenance/v1", "provenance/v0.2");
        assert!(matches!(
            ProvenanceStatement::from_json(wrong.as_bytes()),
            Err(StatementError::PredicateType { .. })
        ));
        assert!(ProvenanceStatement::from_json(b"[]").is_err());
    }
}
