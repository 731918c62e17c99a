//! The keyword prefilter: every place where a rule keyword occurs, case-insensitively.
//!
//! An Aho-Corasick automaton over every keyword, built here straight into a table.
//! Bytes fall into classes (each letter or symbol of a keyword, both cases of a
//! letter together, and one class for every other byte), and a state has a row of
//! next states, one per class: the table is a few times smaller than 256 columns
//! would make it, so it is quick to build, and a step costs the same (a byte's class
//! does not depend on the state, so its load is off the chain of dependent loads).
//! Following a DFA is still such a chain, one load per byte, so a long text is cut
//! into `LANES` parts walked in the same loop: the processor overlaps their loads.

/// Parts walked side by side in a long text.
const LANES: usize = 4;

pub(crate) struct Keywords {
    /// The class of each byte.
    class: [u8; 256],
    /// `next[state + class]`; a state is its row's offset, its index shifted by
    /// `row_shift` (rows are the number of classes rounded up to a power of two).
    /// Match states come last, from a power-of-two offset that no other state
    /// reaches, so one OR of several states tells whether any is a match state.
    next: Vec<u32>,
    row_shift: u32,
    start: u32,
    /// States from this one (a power of two) are match states.
    matching: u32,
    /// For each match state, the keywords that end there: (keyword, length).
    ends: Vec<Vec<(u32, usize)>>,
    /// The longest keyword's length.
    longest: usize,
}

/// A missing move while the trie is built.
const NONE: u32 = u32::MAX;

/// A keyword occurrence: where it starts, and which keyword (its index when built).
pub(crate) type KeywordHit = (usize, u32);

impl Keywords {
    /// `keywords` must be lowercase ASCII; they match in any case.
    pub(crate) fn new(keywords: &[String]) -> Result<Keywords, String> {
        if let Some(i) = keywords.iter().position(String::is_empty) {
            return Err(format!("keyword {i} is empty"));
        }
        // Class 0 is every byte no keyword holds.
        let mut class = [0u8; 256];
        let mut classes = 1usize;
        for b in keywords.iter().flat_map(|k| k.bytes()) {
            let b = b.to_ascii_lowercase();
            if class[usize::from(b)] == 0 {
                // At most 230 classes besides class 0 (both cases of each of the 26
                // letters share one): a byte holds any of them.
                class[usize::from(b)] = classes as u8;
                class[usize::from(b.to_ascii_uppercase())] = classes as u8;
                classes += 1;
            }
        }
        let width = classes.next_power_of_two();
        // The trie, one row of `width` moves per state (those past `classes` unused).
        // At most one state per keyword byte, besides the root.
        let most = 1 + keywords.iter().map(String::len).sum::<usize>();
        let mut next: Vec<u32> = Vec::with_capacity(most * width);
        next.resize(width, NONE);
        let mut ends: Vec<Vec<(u32, usize)>> = Vec::with_capacity(most);
        ends.push(Vec::new());
        for (k, keyword) in keywords.iter().enumerate() {
            let mut state = 0;
            for b in keyword.bytes() {
                let at = state * width + usize::from(class[usize::from(b)]);
                state = match next[at] {
                    NONE => {
                        let to = ends.len();
                        next[at] = to as u32;
                        next.extend(std::iter::repeat_n(NONE, width));
                        ends.push(Vec::new());
                        to
                    }
                    to => to as usize,
                };
            }
            ends[state].push((k as u32, keyword.len()));
        }
        // Breadth first, each state's missing moves are its fallback's (the state of
        // its longest proper suffix that is in the trie), and it also ends every
        // keyword its fallback ends: standard, overlapping matching.
        for to in next[..width].iter_mut().filter(|to| **to == NONE) {
            *to = 0;
        }
        let mut fallback = vec![0u32; ends.len()];
        let mut queue: std::collections::VecDeque<u32> = next[..width]
            .iter()
            .copied()
            .filter(|&to| to != 0)
            .collect();
        while let Some(state) = queue.pop_front() {
            let state = state as usize;
            let fall = fallback[state] as usize;
            if state != fall {
                let inherited = ends[fall].clone();
                ends[state].extend(inherited);
            }
            for c in 0..width {
                let fall_to = next[fall * width + c];
                let to = &mut next[state * width + c];
                match *to {
                    NONE => *to = fall_to,
                    child => {
                        // A first-level state's children fall back to the root's moves.
                        fallback[child as usize] = if state == 0 { 0 } else { fall_to };
                        queue.push_back(child);
                    }
                }
            }
        }
        // Renumber: each state its row's offset, the other states first (the root
        // stays 0), then unused rows up to a power of two, then the match states.
        let mut order: Vec<usize> = (0..ends.len()).collect();
        order.sort_by_key(|&s| !ends[s].is_empty());
        let others = order.iter().take_while(|&&s| ends[s].is_empty()).count();
        let first_match = others.next_power_of_two();
        let index = |i: usize| {
            if i < others {
                i
            } else {
                first_match + i - others
            }
        };
        let mut row = vec![0u32; ends.len()];
        for (i, &s) in order.iter().enumerate() {
            row[s] = u32::try_from(index(i) * width)
                .map_err(|_| format!("{} keywords make too many states", keywords.len()))?;
        }
        let mut table = vec![0u32; index(order.len()) * width];
        for (i, &s) in order.iter().enumerate() {
            let moves = next[s * width..][..width]
                .iter()
                .map(|&to| row[to as usize]);
            for (cell, to) in table[index(i) * width..].iter_mut().zip(moves) {
                *cell = to;
            }
        }
        let ends = order[others..]
            .iter()
            .map(|&s| std::mem::take(&mut ends[s]))
            .collect();
        Ok(Keywords {
            class,
            next: table,
            start: row[0],
            matching: (first_match * width) as u32,
            row_shift: width.trailing_zeros(),
            ends,
            longest: keywords.iter().map(String::len).max().unwrap_or(0),
        })
    }

    /// Every keyword occurrence in `bytes`, in order of start.
    pub(crate) fn find_all(&self, bytes: &[u8]) -> Vec<KeywordHit> {
        let mut hits = Vec::new();
        let overlap = self.longest.saturating_sub(1);
        // Each part after the first is entered `overlap` bytes early, so a keyword
        // that straddles two parts is seen whole by the later one.
        if bytes.len() / LANES >= 4 * overlap + 64 {
            self.walk::<LANES>(bytes, overlap, &mut hits);
        } else {
            self.walk::<1>(bytes, overlap, &mut hits);
        }
        hits.sort_unstable();
        hits
    }

    /// Whether any keyword occurs in `bytes`.
    pub(crate) fn occur_in(&self, bytes: &[u8]) -> bool {
        let mut state = self.start;
        bytes.iter().any(|&b| {
            state = self.step(state, b);
            state >= self.matching
        })
    }

    fn step(&self, state: u32, byte: u8) -> u32 {
        self.next[(state + u32::from(self.class[usize::from(byte)])) as usize]
    }

    /// Walks `N` equal parts of `bytes` together (the last also takes the remainder);
    /// part `k` reports only keywords that end inside it.
    // Not inlined: inside the detector's large scan function, the states were kept on
    // the stack, which puts a store and a load on every step's chain.
    #[inline(never)]
    fn walk<const N: usize>(&self, bytes: &[u8], overlap: usize, out: &mut Vec<KeywordHit>) {
        let part = bytes.len() / N;
        let lanes: [&[u8]; N] = std::array::from_fn(|k| &bytes[k * part..][..part]);
        let mut states = [self.start; N];
        for (k, state) in states.iter_mut().enumerate().skip(1) {
            for &b in &bytes[k * part - overlap..k * part] {
                *state = self.step(*state, b);
            }
        }
        let mut i = 0;
        while i < part {
            // Step until a part reaches a match state. This loop makes no calls, so
            // the states stay in registers: a spill to the stack and back would add
            // to every step's chain of dependent loads.
            while i < part {
                for (state, lane) in states.iter_mut().zip(&lanes) {
                    *state = self.step(*state, lane[i]);
                }
                i += 1;
                if states.iter().fold(0, |any, &state| any | state) >= self.matching {
                    break;
                }
            }
            for (k, &state) in states.iter().enumerate() {
                self.report(state, k * part + i, out);
            }
        }
        let last = &mut states[N - 1];
        for (at, &b) in bytes.iter().enumerate().skip(N * part) {
            *last = self.step(*last, b);
            self.report(*last, at + 1, out);
        }
    }

    /// Records the keywords that end at `end` when `state` is a match state.
    #[inline(always)]
    fn report(&self, state: u32, end: usize, out: &mut Vec<KeywordHit>) {
        if state >= self.matching {
            let ends = &self.ends[((state - self.matching) >> self.row_shift) as usize];
            for &(keyword, len) in ends {
                out.push((end - len, keyword));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(keywords: &[String], bytes: &[u8]) -> Vec<KeywordHit> {
        let lower = bytes.to_ascii_lowercase();
        let mut hits = Vec::new();
        for start in 0..lower.len() {
            for (p, k) in keywords.iter().enumerate() {
                if lower[start..].starts_with(k.as_bytes()) {
                    hits.push((start, p as u32));
                }
            }
        }
        hits
    }

    #[test]
    fn finds_every_occurrence_in_short_and_long_text() -> Result<(), String> {
        let keywords: Vec<String> = ["key", "api_key", "token", "pw", "ghp_", "-----begin"]
            .map(String::from)
            .to_vec();
        let k = Keywords::new(&keywords)?;
        let unit = b"let API_KEY = ghp_x; pw token -----BEGIN keys tokeN\n".to_vec();
        for repeat in [1, 7, 40, 203] {
            // Odd lengths put keywords across every part boundary.
            let mut text = unit.repeat(repeat);
            text.extend_from_slice(b"ke");
            assert_eq!(
                k.find_all(&text),
                naive(&keywords, &text),
                "repeat {repeat}"
            );
        }
        // Keywords inside and at the end of others, found wherever they occur.
        let nested: Vec<String> = ["he", "she", "his", "hers", "ey", "key", "api_key", "_"]
            .map(String::from)
            .to_vec();
        let n = Keywords::new(&nested)?;
        let text = b"USHERS hiS sHe API_KEY_key apikey hhe\n".repeat(13);
        assert_eq!(n.find_all(&text), naive(&nested, &text));
        assert!(Keywords::new(&[String::new()]).is_err());
        assert!(k.occur_in(b"xx API_key"));
        assert!(!k.occur_in(b"nothing here, p w"));
        Ok(())
    }
}
