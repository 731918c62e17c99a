//! How bad a leak is.
use serde::{Deserialize, Serialize};

/// How bad a leak of this kind of credential is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Which findings fail a scan (`--fail-on`, `[scan] fail_on`): those at least as severe
/// as a threshold, or none. Findings below it are still reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    AtLeast(Severity),
    Never,
}

impl Default for FailOn {
    /// Every finding fails the scan.
    fn default() -> Self {
        FailOn::AtLeast(Severity::Info)
    }
}

impl FailOn {
    /// The names `--fail-on` and `[scan] fail_on` take.
    pub const NAMES: [&'static str; 6] = ["critical", "high", "medium", "low", "info", "never"];

    pub fn parse(name: &str) -> Result<FailOn, String> {
        Ok(match name {
            "critical" => FailOn::AtLeast(Severity::Critical),
            "high" => FailOn::AtLeast(Severity::High),
            "medium" => FailOn::AtLeast(Severity::Medium),
            "low" => FailOn::AtLeast(Severity::Low),
            "info" => FailOn::AtLeast(Severity::Info),
            "never" => FailOn::Never,
            _ => {
                return Err(format!(
                    "expected one of {}, not {:?}",
                    FailOn::NAMES.join(", "),
                    name.chars().take(40).collect::<String>()
                ))
            }
        })
    }

    /// Whether a finding of `severity` fails the scan.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::AtLeast(min) => severity >= min,
            FailOn::Never => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_fail_what_is_at_least_as_severe() {
        let high = FailOn::parse("high").unwrap();
        assert!(high.fails(Severity::Critical) && high.fails(Severity::High));
        assert!(!high.fails(Severity::Medium));
        assert!(!FailOn::parse("never").unwrap().fails(Severity::Critical));
        assert!(FailOn::default().fails(Severity::Info));
        let e = FailOn::parse("bogus").unwrap_err();
        assert!(
            e.contains("critical, high") && e.contains("\"bogus\""),
            "{e}"
        );
    }
}
