//! The keyword prefilter: every place where a rule keyword occurs, case-insensitively.
//!
//! One Aho-Corasick automaton holds every keyword, copied into a table with a row of
//! 256 next states per state, so a step is one load with no byte classes. Following
//! a DFA is still a chain of dependent loads, one per byte, so a long text is cut
//! into `LANES` parts walked in the same loop: the processor overlaps their loads.
use aho_corasick::{
    automaton::{Automaton, StateID},
    dfa::DFA,
    Anchored, MatchKind, StartKind,
};

/// Parts walked side by side in a long text.
const LANES: usize = 4;

pub(crate) struct Keywords {
    /// `next[state + byte]`; a state is its row's offset (index times 256), and
    /// match states come first.
    next: Vec<u32>,
    start: u32,
    /// States below this are match states.
    matching: u32,
    /// For each match state, the keywords that end there: (keyword, length).
    ends: Vec<Vec<(u32, usize)>>,
    /// The longest keyword's length.
    longest: usize,
}

/// A keyword occurrence: where it starts, and which keyword (its index when built).
pub(crate) type KeywordHit = (usize, u32);

impl Keywords {
    /// `keywords` must be lowercase ASCII; they match in any case.
    pub(crate) fn new(keywords: &[String]) -> Result<Keywords, String> {
        // Standard (not leftmost) semantics report every keyword at every place,
        // including keywords that overlap or start where a longer one starts.
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .prefilter(false)
            .start_kind(StartKind::Unanchored)
            .build(keywords)
            .map_err(|e| e.to_string())?;
        let start = dfa.start_state(Anchored::No).map_err(|e| e.to_string())?;
        let is_match = |sid: StateID| dfa.is_special(sid) && dfa.is_match(sid);
        // The states reachable from the start, match states first. The automaton's
        // state ids are small offsets, so plain vectors index them.
        let unseen = u32::MAX;
        let mut row = vec![unseen; 1024];
        let mark = |row: &mut Vec<u32>, sid: StateID| {
            let i = sid.as_usize();
            if i >= row.len() {
                row.resize((i + 1).next_power_of_two(), unseen);
            }
            std::mem::replace(&mut row[i], 0) == unseen
        };
        mark(&mut row, start);
        // A byte in no keyword leads every state back to the start, so only the
        // bytes of the keywords (in both cases) need asking the automaton.
        let mut used = [false; 256];
        for b in keywords.iter().flat_map(|k| k.bytes()) {
            used[usize::from(b.to_ascii_lowercase())] = true;
            used[usize::from(b.to_ascii_uppercase())] = true;
        }
        let used: Vec<u8> = (0..=255).filter(|&b| used[usize::from(b)]).collect();
        let mut states = vec![start];
        let mut i = 0;
        while let Some(&sid) = states.get(i) {
            for &byte in &used {
                let to = dfa.next_state(Anchored::No, sid, byte);
                if mark(&mut row, to) {
                    states.push(to);
                }
            }
            i += 1;
        }
        states.sort_by_key(|&sid| !is_match(sid));
        for (i, &sid) in states.iter().enumerate() {
            row[sid.as_usize()] = (i * 256) as u32;
        }
        let start_row = row[start.as_usize()];
        let mut next = vec![start_row; states.len() * 256];
        for (state, &sid) in next.chunks_exact_mut(256).zip(&states) {
            for &byte in &used {
                state[usize::from(byte)] = row[dfa.next_state(Anchored::No, sid, byte).as_usize()];
            }
        }
        let ends: Vec<Vec<(u32, usize)>> = states
            .iter()
            .take_while(|&&sid| is_match(sid))
            .map(|&sid| {
                (0..dfa.match_len(sid))
                    .map(|i| {
                        let pattern = dfa.match_pattern(sid, i);
                        (pattern.as_u32(), dfa.pattern_len(pattern))
                    })
                    .collect()
            })
            .collect();
        Ok(Keywords {
            next,
            start: start_row,
            matching: (ends.len() * 256) as u32,
            ends,
            longest: dfa.max_pattern_len(),
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
            state < self.matching
        })
    }

    fn step(&self, state: u32, byte: u8) -> u32 {
        self.next[(state + u32::from(byte)) as usize]
    }

    /// Walks `N` equal parts of `bytes` together (the last also takes the remainder);
    /// part `k` reports only keywords that end inside it.
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
                if states.iter().copied().min().unwrap_or(u32::MAX) < self.matching {
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
        if state < self.matching {
            for &(keyword, len) in &self.ends[(state / 256) as usize] {
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
        assert!(k.occur_in(b"xx API_key"));
        assert!(!k.occur_in(b"nothing here, p w"));
        Ok(())
    }
}
