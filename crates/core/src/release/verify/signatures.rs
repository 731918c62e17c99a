//! The minisign trusted comment: what a verified signature says about the release.
use vigil_signature::minisign::TrustedComment;

use super::options::{commit_matches, Expectations};

/// Checks of a verified trusted comment: file name, tag, commit, age. Returns the problems.
pub(super) fn comment_problems(
    tc: &TrustedComment,
    file: &str,
    expect: &Expectations,
    now: u64,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(f) = tc.get("file") {
        if f != file {
            problems.push(format!(
                "it names file {f:?}, but the signature is for {file:?} (renamed or swapped)"
            ));
        }
    }
    if let Some(t) = &expect.tag {
        match tc.get("tag") {
            Some(found) if found == t => {}
            Some(found) => problems.push(format!("tag is {found:?}, expected {t:?}")),
            None => problems.push(format!("it names no tag, expected {t:?}")),
        }
    }
    if let Some(c) = &expect.commit {
        match tc.get("commit") {
            Some(found) if commit_matches(c, found) => {}
            Some(found) => problems.push(format!("commit is {found}, expected {c}")),
            None => problems.push(format!("it names no commit, expected {c}")),
        }
    }
    if let Some(max) = expect.max_age {
        match tc.get("timestamp").map(str::parse::<u64>) {
            Some(Ok(ts)) => {
                if ts > now.saturating_add(300) {
                    problems.push(format!("its timestamp {ts} is in the future"));
                } else if now.saturating_sub(ts) > max {
                    problems.push(format!(
                        "expired: signed {} ago, more than the allowed {}",
                        human_age(now.saturating_sub(ts)),
                        human_age(max)
                    ));
                }
            }
            Some(Err(_)) => problems.push("its timestamp is not a number".into()),
            None => problems.push("it has no timestamp, so its age cannot be checked".into()),
        }
    }
    problems
}

fn human_age(secs: u64) -> String {
    match secs {
        s if s >= 2 * 86_400 => format!("{} days", s / 86_400),
        s if s >= 2 * 3600 => format!("{} hours", s / 3600),
        s => format!("{s} seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::SUMS_NAME;

    #[test]
    fn trusted_comment_checks() {
        let tc = TrustedComment::parse(
            "timestamp:1000\tfile:SHA256SUMS\ttag:v1\tcommit:abcdef12\thashed",
        );
        let mut ex = Expectations {
            tag: Some("v1".into()),
            commit: Some("abcdef12".into()),
            max_age: Some(100),
            ..Default::default()
        };
        assert!(comment_problems(&tc, SUMS_NAME, &ex, 1050).is_empty());
        let p = comment_problems(&tc, SUMS_NAME, &ex, 2000);
        assert!(p[0].contains("expired"), "{p:?}");
        ex.tag = Some("v2".into());
        let p = comment_problems(&tc, "other", &ex, 1000);
        assert!(p.iter().any(|m| m.contains("renamed")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("tag is \"v1\"")), "{p:?}");
    }
}
