//! The order reports list findings in, which scans sort by and `vigil report merge`
//! restores. A leaf: it imports nothing from the crate.
//!
//! By path, line, commit, then the exact path, column, end and rule. The commit comes
//! before the column so that every report can restore the order of findings from
//! different shards of a scan (`--shard K/N` splits a scan by change: a file in a
//! commit): a file and a commit name one change, and the GitLab report, which has no
//! column, still has the path, the line and the commit. Findings of one change are in
//! one shard, already in order.
//!
//! A `\` in a path sorts as `/`: SARIF writes it as `/`, and the order is then the same
//! whichever separator a platform uses.
use std::cmp::Ordering;

use vigil_model::Finding;

/// Compares two findings as reports order them.
pub fn compare(a: &Finding, b: &Finding) -> Ordering {
    compare_places(place(a), place(b))
        .then_with(|| (a.location, &a.rule).cmp(&(b.location, &b.rule)))
}

fn place(f: &Finding) -> Place<'_> {
    (
        f.origin.path.as_str(),
        f.location.line,
        f.origin.commit.as_deref().map(|c| c.id.as_str()),
    )
}

/// Where a finding is, as far as every report format says: path, line and commit id.
pub(crate) type Place<'a> = (&'a str, u32, Option<&'a str>);

/// The order of two places: path (`\` read as `/`), line, commit (none first), then
/// the exact path.
pub(crate) fn compare_places(a: Place<'_>, b: Place<'_>) -> Ordering {
    let loose = |p: &str| {
        p.bytes()
            .map(|c| if c == b'\\' { b'/' } else { c })
            .collect::<Vec<u8>>()
    };
    let (pa, la, ca) = a;
    let (pb, lb, cb) = b;
    let path = if pa == pb {
        Ordering::Equal
    } else {
        loose(pa).cmp(&loose(pb))
    };
    path.then(la.cmp(&lb))
        .then_with(|| ca.cmp(&cb))
        .then_with(|| pa.cmp(pb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_order_by_path_line_then_commit() {
        let order = |a: Place<'_>, b: Place<'_>| compare_places(a, b);
        assert_eq!(order(("a", 9, None), ("b", 1, None)), Ordering::Less);
        assert_eq!(
            order(("a", 2, Some("f")), ("a", 3, Some("0"))),
            Ordering::Less
        );
        assert_eq!(
            order(("a", 2, Some("0")), ("a", 2, Some("f"))),
            Ordering::Less
        );
        assert_eq!(order(("a", 2, None), ("a", 2, Some("0"))), Ordering::Less);
        // `\` sorts as `/`, before `0` (as `/` does) though its byte is after it.
        assert_eq!(order(("a\\b", 1, None), ("a0b", 1, None)), Ordering::Less);
        assert_eq!(order(("a/b", 1, None), ("a0b", 1, None)), Ordering::Less);
        // The exact path decides last.
        assert_eq!(order(("a/b", 1, None), ("a\\b", 1, None)), Ordering::Less);
        assert_eq!(order(("a/b", 1, None), ("a/b", 1, None)), Ordering::Equal);
    }
}
