//! Suppression: after a scan, drop what the repository has accepted — what a
//! `.gitleaks.toml`'s allowlists, rule paths and `.gitleaksignore` allow, then what the
//! baseline accepts (until its entry expires). Inline allow comments act earlier, in the
//! detector, where the line is at hand.
//!
//! - [`gitleaks`]: the part of a `.gitleaks.toml` that vigil's own configuration cannot
//!   hold (rule paths, allowlists with gitleaks' semantics) and the `.gitleaksignore`
//!   beside it; [`crate::migrate::gitleaks`] reads both files into it.
pub mod gitleaks;
use std::path::{Path, PathBuf};

use vigil_model::Finding;
use vigil_secrets::{DropReason, Dropped};

use crate::baseline::{Baseline, Date};
use gitleaks::Gitleaks;

/// What suppression dropped, for the front-end to say.
#[derive(Debug, Default)]
pub struct Suppressed {
    /// The `.gitleaks.toml` applied and how many findings it dropped.
    pub gitleaks: Option<(PathBuf, usize)>,
    pub baseline: Option<BaselineApplied>,
}

/// What a baseline did to a scan's findings.
#[derive(Debug)]
pub struct BaselineApplied {
    pub path: PathBuf,
    /// Findings it accepted.
    pub suppressed: usize,
    /// Findings whose entry expired, reported again: (fingerprint, expiry date).
    pub expired: Vec<(String, Date)>,
    /// It was not named: it is the `.vigil-baseline` found at the scan's root.
    pub by_default: bool,
}

/// Drops from `findings` what `gitleaks` allows and what `baseline` accepts on `today`;
/// with `explain`, adds each finding dropped to it, with why.
pub fn apply(
    findings: &mut Vec<Finding>,
    gitleaks: Option<&Gitleaks>,
    baseline: Option<(&Path, &Baseline)>,
    today: Date,
    mut explain: Option<&mut Vec<Dropped>>,
) -> Suppressed {
    let mut done = Suppressed::default();
    if let Some(gl) = gitleaks {
        if let Some(out) = explain.as_deref_mut() {
            for f in findings.iter() {
                if let Some(why) = gl.drops(f) {
                    out.push(dropped(f, format!("{}: {why}", gl.source.display())));
                }
            }
        }
        let dropped = gl.filter(findings);
        done.gitleaks = Some((gl.source.clone(), dropped));
    }
    if let Some((path, baseline)) = baseline {
        if let Some(out) = explain {
            for f in findings.iter() {
                if baseline
                    .get(&f.fingerprint)
                    .is_some_and(|e| !e.is_expired(today))
                {
                    out.push(dropped(
                        f,
                        format!("accepted by the baseline {}", path.display()),
                    ));
                }
            }
        }
        let applied = baseline.apply(std::mem::take(findings), today);
        *findings = applied.findings;
        done.baseline = Some(BaselineApplied {
            path: path.to_owned(),
            suppressed: applied.suppressed,
            expired: applied.expired,
            by_default: false,
        });
    }
    done
}

fn dropped(f: &Finding, why: String) -> Dropped {
    Dropped {
        finding: f.clone(),
        reason: DropReason::Suppressed(why),
    }
}
