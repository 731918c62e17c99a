//! Which lines of a new blob a change added.
use std::{hash::BuildHasher, ops::Range};

use imara_diff::{diff_with_tokens, intern::Token, Algorithm};

/// The lines of a new blob that are new to every old version, as 1-based line ranges
/// with the bytes they cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedLines {
    /// Sorted and non-overlapping.
    spans: Vec<Span>,
}

/// Lines `lines` (1-based, end exclusive) of the new blob, which are its bytes `bytes`:
/// from the first line's start to the start of the line after the last.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    lines: Range<u32>,
    bytes: Range<usize>,
}

impl AddedLines {
    pub fn all() -> AddedLines {
        AddedLines {
            spans: vec![Span {
                lines: 1..u32::MAX,
                bytes: 0..usize::MAX,
            }],
        }
    }

    /// Spans for byte `ranges` of `new` (whole lines, ascending), with their line numbers.
    fn of_ranges(new: &[u8], ranges: &[Range<usize>]) -> AddedLines {
        let mut spans: Vec<Span> = Vec::with_capacity(ranges.len());
        let (mut line, mut counted) = (1, 0);
        for range in ranges {
            line += count_newlines(&new[counted..range.start]);
            let inside = count_newlines(&new[range.clone()]);
            let lines = inside + u32::from(!new[..range.end].ends_with(b"\n"));
            match spans.last_mut() {
                Some(last) if last.bytes.end == range.start => {
                    last.bytes.end = range.end;
                    last.lines.end += lines;
                }
                _ => spans.push(Span {
                    lines: line..line + lines,
                    bytes: range.clone(),
                }),
            }
            line += inside;
            counted = range.end;
        }
        AddedLines { spans }
    }

    /// For each added range: the first line scanned (up to `context` lines earlier),
    /// the bytes of `new` from that line to the end of the range, and the range itself.
    pub fn blocks(&self, new: &[u8], context: u32) -> Vec<(u32, Range<usize>, Range<u32>)> {
        let mut blocks = Vec::with_capacity(self.spans.len());
        let mut floor = 0;
        for span in &self.spans {
            let (start, end) = (
                span.bytes.start.min(new.len()),
                span.bytes.end.min(new.len()),
            );
            if start >= end {
                break;
            }
            // Context lines above, not reaching into the previous block.
            let mut first = span.lines.start;
            let mut from = start;
            while first > 1 && span.lines.start - first < context && from > floor {
                from = memchr::memrchr(b'\n', &new[..from - 1]).map_or(0, |i| i + 1);
                first -= 1;
            }
            blocks.push((first, from..end, span.lines.clone()));
            floor = end;
        }
        blocks
    }

    /// True when any line of `first..=last` was added.
    pub fn touches(&self, first: u32, last: u32) -> bool {
        self.spans
            .iter()
            .any(|s| s.lines.start <= last && first < s.lines.end)
    }

    /// The added line ranges, 1-based, end exclusive; `1..u32::MAX` means every line.
    pub fn ranges(&self) -> Vec<Range<u32>> {
        self.spans.iter().map(|s| s.lines.clone()).collect()
    }

    /// The lines added against both versions. Both describe the same new blob, so a
    /// line number stands for the same bytes in each.
    fn intersect(&self, other: &AddedLines) -> AddedLines {
        let mut spans = Vec::new();
        for a in &self.spans {
            for b in &other.spans {
                let (lines_start, bytes_start) = if a.lines.start >= b.lines.start {
                    (a.lines.start, a.bytes.start)
                } else {
                    (b.lines.start, b.bytes.start)
                };
                let (lines_end, bytes_end) = if a.lines.end <= b.lines.end {
                    (a.lines.end, a.bytes.end)
                } else {
                    (b.lines.end, b.bytes.end)
                };
                if lines_start < lines_end {
                    spans.push(Span {
                        lines: lines_start..lines_end,
                        bytes: bytes_start..bytes_end,
                    });
                }
            }
        }
        AddedLines { spans }
    }
}

/// Lines of `new` added relative to each of `olds` (`None` = the file did not exist):
/// for a merge, a line counts only if it is new to every parent, which leaves the
/// conflict resolutions and nothing the parents already had.
pub fn added_lines(olds: &[Option<&[u8]>], new: &[u8]) -> AddedLines {
    let mut result = AddedLines::all();
    for old in olds {
        let Some(old) = old else { continue };
        result = result.intersect(&added_against(old, new));
    }
    result
}

/// The lines of `new` around its edits, found with byte comparisons and substring
/// searches only: against each old version, every line outside its spans appears in
/// that version in the same order, and (as for [`added_lines`] of a merge) the spans
/// are intersected, so a line outside them appears in at least one old version. Most
/// edits touch a few places, so this is close to the lines a line diff adds, at a
/// small part of its cost; scanning these and diffing only when something is found
/// costs far less than diffing every change.
pub fn changed_lines(olds: &[Option<&[u8]>], new: &[u8]) -> AddedLines {
    let mut result = AddedLines::all();
    for old in olds.iter().flatten() {
        let mut ranges = Vec::new();
        edited(old, new, 0, MAX_SPLITS, &mut ranges);
        result = result.intersect(&AddedLines::of_ranges(new, &ranges));
    }
    result
}

/// How deep [`edited`] splits a changed stretch, and the shortest stretch it splits.
const MAX_SPLITS: u32 = 12;
const SPLIT_MIN: usize = 1024;
/// Bytes of `new` searched for in `old` to align a stretch.
const ANCHOR: usize = 64;

/// Pushes the byte ranges of `new` (whole lines, ascending; `new` starts at `at` of the
/// blob) outside which `new` matches `old` line for line, in order: the unchanged ends
/// are cut off, and a long stretch between them is split where a run of its middle
/// lines also starts a line of `old`.
fn edited(old: &[u8], new: &[u8], at: usize, splits: u32, out: &mut Vec<Range<usize>>) {
    let (prefix, suffix) = unchanged_ends(old, new);
    let (old, new) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    let at = at + prefix;
    if new.is_empty() {
        return;
    }
    if old.is_empty() || new.len() < SPLIT_MIN || splits == 0 {
        return out.push(at..at + new.len());
    }
    match anchor(old, new) {
        Some((o, n)) => {
            edited(&old[..o], &new[..n], at, splits - 1, out);
            edited(&old[o..], &new[n..], at + n, splits - 1, out);
        }
        None => out.push(at..at + new.len()),
    }
}

/// A line start `n` near the middle of `new` whose next [`ANCHOR`] bytes also start a
/// line of `old`, at `o`.
fn anchor(old: &[u8], new: &[u8]) -> Option<(usize, usize)> {
    let mid = new.len() / 2;
    let n = mid + 1 + memchr::memchr(b'\n', &new[mid..])?;
    let needle = new.get(n..n + ANCHOR)?;
    memchr::memmem::find_iter(old, needle)
        .take(4)
        .find(|&o| o == 0 || old[o - 1] == b'\n')
        .map(|o| (o, n))
}

/// The common prefix and suffix of `old` and `new` in whole lines, found with a plain
/// byte comparison: most edits touch a few lines of a large file.
fn unchanged_ends(old: &[u8], new: &[u8]) -> (usize, usize) {
    let mut prefix = common_prefix(old, new);
    // Back off to the start of the line the first difference is on.
    prefix = memchr::memrchr(b'\n', &new[..prefix]).map_or(0, |i| i + 1);
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let mut suffix = common_suffix(
        &old[old.len() - max_suffix..],
        &new[new.len() - max_suffix..],
    );
    // Keep whole lines: the suffix must start a line in both blobs (`ab` is not the
    // line `b`). Backing off to the first newline in it does that, as the suffix is
    // the same bytes in each.
    let starts_line = |blob: &[u8], n: usize| n == blob.len() || blob[blob.len() - n - 1] == b'\n';
    if suffix > 0 && !(starts_line(new, suffix) && starts_line(old, suffix)) {
        let tail = &new[new.len() - suffix..];
        suffix = memchr::memchr(b'\n', tail).map_or(0, |i| suffix - (i + 1));
    }
    (prefix, suffix)
}

/// Lines of `new` not in `old`: the unchanged ends are cut off first, so the line diff
/// only sees the part that changed.
fn added_against(old: &[u8], new: &[u8]) -> AddedLines {
    let (prefix, suffix) = unchanged_ends(old, new);
    let old_mid = &old[prefix..old.len() - suffix];
    let new_mid = &new[prefix..new.len() - suffix];
    let first = 1 + count_newlines(&new[..prefix]);
    if new_mid.is_empty() {
        return AddedLines { spans: Vec::new() };
    }
    if old_mid.is_empty() {
        let lines = count_newlines(new_mid) + u32::from(!new_mid.ends_with(b"\n"));
        return AddedLines {
            spans: vec![Span {
                lines: first..first + lines,
                bytes: prefix..prefix + new_mid.len(),
            }],
        };
    }
    let hasher = foldhash::fast::RandomState::default();
    let mut tokens = Tokens::new((old_mid.len() + new_mid.len()) / 32);
    let mut before = Vec::new();
    for_each_line(old_mid, |_, line| {
        before.push(tokens.intern(hasher.hash_one(line)));
    });
    let mut after = Vec::new();
    // Where each line of `new_mid` starts, and its end.
    let mut starts = Vec::new();
    for_each_line(new_mid, |start, line| {
        starts.push(start);
        after.push(tokens.intern(hasher.hash_one(line)));
    });
    starts.push(new_mid.len());
    let mut spans = Vec::new();
    diff_with_tokens(
        Algorithm::Histogram,
        &before,
        &after,
        tokens.count,
        |_before: Range<u32>, added: Range<u32>| {
            if added.start < added.end {
                spans.push(Span {
                    lines: first + added.start..first + added.end,
                    bytes: prefix + starts[added.start as usize]
                        ..prefix + starts[added.end as usize],
                });
            }
        },
    );
    AddedLines { spans }
}

/// Line hashes to dense token numbers for the diff: an open-addressing table keyed by
/// the hash itself (already uniform, and keyed per process), so interning a line is a
/// probe or two, with no second hash and no byte comparison.
struct Tokens {
    /// (hash, token); `EMPTY` tokens mark free slots.
    slots: Vec<(u64, u32)>,
    count: u32,
}

const EMPTY: u32 = u32::MAX;

impl Tokens {
    fn new(expected: usize) -> Tokens {
        Tokens {
            slots: vec![(0, EMPTY); (expected * 2).next_power_of_two().max(64)],
            count: 0,
        }
    }

    fn intern(&mut self, hash: u64) -> Token {
        // At most half full, so a free slot is always near.
        if self.count as usize * 2 >= self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            match self.slots[i] {
                (_, EMPTY) => {
                    self.slots[i] = (hash, self.count);
                    self.count += 1;
                    return Token(self.count - 1);
                }
                (h, token) if h == hash => return Token(token),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let bigger = vec![(0, EMPTY); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        for (hash, token) in old.into_iter().filter(|s| s.1 != EMPTY) {
            let mut i = hash as usize & mask;
            while self.slots[i].1 != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = (hash, token);
        }
    }
}

/// Calls `f(start, line)` for each line of `text`, without its `\n` or `\r\n`: a
/// change of line ending adds no content.
fn for_each_line(text: &[u8], mut f: impl FnMut(usize, &[u8])) {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text) {
        let line = &text[start..end];
        f(start, line.strip_suffix(b"\r").unwrap_or(line));
        start = end + 1;
    }
    if start < text.len() {
        f(start, &text[start..]);
    }
}

/// Length of the common prefix, compared a block at a time (memcmp) before byte by byte.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Length of the common suffix of two equally long slices, a block at a time.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + BLOCK <= n && a[n - i - BLOCK..n - i] == b[n - i - BLOCK..n - i] {
        i += BLOCK;
    }
    i + a[..n - i]
        .iter()
        .rev()
        .zip(b[..n - i].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Newlines in `bytes`; memchr counts them with vector instructions, about six
/// times as fast as a plain filtered count.
fn count_newlines(bytes: &[u8]) -> u32 {
    memchr::memchr_iter(b'\n', bytes).count() as u32
}

#[cfg(test)]
mod tests {
    #![allow(clippy::single_range_in_vec_init)]
    use super::*;

    #[test]
    fn added_lines_of_a_modification() {
        let a = added_lines(&[Some(b"a\nb\nc\n")], b"a\nB\nc\nd\n");
        assert!(a.touches(2, 2) && a.touches(4, 4));
        assert!(!a.touches(1, 1) && !a.touches(3, 3));
    }

    #[test]
    fn prefix_and_suffix_trimming_keeps_line_numbers() {
        let old = b"l1\nl2\nl3\nl4\nl5\n";
        let new = b"l1\nl2\nX\nl3\nl4\nl5\n";
        assert_eq!(added_lines(&[Some(old)], new).ranges(), &[3..4]);
        // Appended at the end, with and without a final newline.
        assert_eq!(
            added_lines(&[Some(b"a\nb\n")], b"a\nb\nc\n").ranges(),
            &[3..4]
        );
        // Line terminators are not content: `b` gaining its newline adds nothing.
        assert_eq!(added_lines(&[Some(b"a\nb")], b"a\nb\nc").ranges(), &[3..4]);
        // A change inside a line: that line only.
        assert_eq!(
            added_lines(&[Some(b"a\nkey=1\nb\n")], b"a\nkey=2\nb\n").ranges(),
            &[2..3]
        );
        // Identical and removed content add nothing.
        assert!(added_lines(&[Some(b"a\nb\n")], b"a\nb\n")
            .ranges()
            .is_empty());
        assert!(added_lines(&[Some(b"a\nb\nc\n")], b"a\nc\n")
            .ranges()
            .is_empty());
        // A line split in two: both halves are new lines, though `b\n` ends both blobs.
        assert_eq!(added_lines(&[Some(b"ab\n")], b"a\nb\n").ranges(), &[1..3]);
        assert_eq!(changed_lines(&[Some(b"ab\n")], b"a\nb\n").ranges(), &[1..3]);
        // Prefix and suffix overlapping in a repeated line.
        assert_eq!(
            added_lines(&[Some(b"x\nx\n")], b"x\nx\nx\n").ranges().len(),
            1
        );
    }

    #[test]
    fn blocks_carry_bytes_and_context() {
        let old = b"a\nb\nc\nd\ne\n";
        let new = b"a\nb\nc\nX\nd\ne\nY\n";
        let added = added_lines(&[Some(old)], new);
        assert_eq!(added.ranges(), &[4..5, 7..8]);
        let blocks = added.blocks(new, 2);
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            (blocks[0].0, &new[blocks[0].1.clone()]),
            (2, &b"b\nc\nX\n"[..])
        );
        // The second block's context stops at the first block's end.
        assert_eq!(
            (blocks[1].0, &new[blocks[1].1.clone()]),
            (5, &b"d\ne\nY\n"[..])
        );
        let all = AddedLines::all().blocks(b"x\ny", 2);
        assert_eq!(all, vec![(1, 0..3, 1..u32::MAX)]);
    }

    #[test]
    fn block_comparisons_match_bytewise_ones() {
        let a: Vec<u8> = (0..2000u32).map(|i| (i % 251) as u8).collect();
        let mut b = a.clone();
        b[1500] ^= 1;
        assert_eq!(common_prefix(&a, &b), 1500);
        assert_eq!(common_suffix(&a, &b), 499);
        assert_eq!(common_prefix(&a, &a[..700]), 700);
        assert_eq!(common_suffix(&a[..10], &b[..10]), 10);
    }

    #[test]
    fn tokens_are_dense_and_stable_across_growth() {
        let mut tokens = Tokens::new(0);
        let hashes: Vec<u64> = (0..1000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let first: Vec<u32> = hashes.iter().map(|&h| tokens.intern(h).0).collect();
        assert_eq!(first, (0..1000).collect::<Vec<u32>>());
        let again: Vec<u32> = hashes.iter().map(|&h| tokens.intern(h).0).collect();
        assert_eq!(again, first);
        assert_eq!(tokens.count, 1000);
    }

    /// Every range of `added` lies inside one of `spans`.
    fn assert_covers(spans: &[Range<u32>], added: &[Range<u32>]) {
        for range in added {
            assert!(
                spans
                    .iter()
                    .any(|c| c.start <= range.start && range.end <= c.end),
                "{added:?} outside {spans:?}"
            );
        }
    }

    #[test]
    fn changed_lines_span_every_added_line() {
        let cases: [(&[&[u8]], &[u8]); 5] = [
            (&[b"a\nb\nc\nd\n"], b"a\nB\nc\nD\n"),
            (&[b"l1\nl2\nl3\n"], b"l1\nl2\nl3\nl4"),
            (&[b"x\ny\n"], b"new\nx\ny\n"),
            (
                &[b"base\nours\n", b"base\ntheirs\n"],
                b"base\nours\ntheirs\nfix\n",
            ),
            (&[b"same\n"], b"same\n"),
        ];
        for (olds, new) in cases {
            let olds: Vec<Option<&[u8]>> = olds.iter().map(|o| Some(*o)).collect();
            let changed = changed_lines(&olds, new).ranges();
            let added = added_lines(&olds, new).ranges();
            assert_covers(&changed, &added);
            assert_eq!(changed.is_empty(), added.is_empty(), "{new:?}");
        }
        // Between the first and last change, unchanged lines are inside the span.
        let old = b"a\nb\nc\nd\n";
        assert_eq!(
            changed_lines(&[Some(old)], b"a\nB\nc\nD\n").ranges(),
            &[2..5]
        );
        // A new file: every line.
        assert_eq!(changed_lines(&[None], b"x\ny").ranges(), &[1..u32::MAX]);
    }

    #[test]
    fn changed_lines_split_around_unchanged_stretches() {
        // A long file edited in three far-apart places, with an insertion and a
        // deletion, so the stretches between edits shift.
        let old: Vec<String> = (0..3000)
            .map(|i| format!("line {i} of the old file\n"))
            .collect();
        let mut new = old.clone();
        new[2500] = "edited near the end\n".into();
        new.remove(1500);
        new.insert(40, "inserted near the start\n".into());
        let (old, new) = (old.concat(), new.concat());
        let olds = [Some(old.as_bytes())];
        let changed = changed_lines(&olds, new.as_bytes());
        let added = added_lines(&olds, new.as_bytes()).ranges();
        assert_eq!(added, &[41..42, 2501..2502]);
        let spans = changed.ranges();
        assert_covers(&spans, &added);
        // Far fewer lines than the whole stretch from the first edit to the last.
        let lines: u32 = spans.iter().map(|r| r.end - r.start).sum();
        assert!(spans.len() >= 2 && lines < 100, "{spans:?}");
        // Byte ranges and line numbers agree.
        for (first, bytes, lines) in changed.blocks(new.as_bytes(), 0) {
            assert_eq!(first, lines.start);
            let text = &new.as_bytes()[bytes];
            assert_eq!(count_newlines(text), lines.end - lines.start, "{spans:?}");
        }
    }

    #[test]
    fn a_new_file_is_all_added() {
        assert!(added_lines(&[None], b"x\n").touches(1, 1));
    }

    #[test]
    fn merge_keeps_only_lines_new_to_both_parents() {
        let ours = b"base\nours\n";
        let theirs = b"base\ntheirs\n";
        let merged = b"base\nours\ntheirs\nresolved\n";
        let a = added_lines(&[Some(ours), Some(theirs)], merged);
        assert!(a.touches(4, 4));
        assert!(!a.touches(2, 3));
    }
}
