//! The detector: keyword prefilter, rule regexes, checks, and the decoding pass.
use std::{collections::HashSet, sync::Arc};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::{
    allowlist::{has_inline_marker, Allowlist},
    decode::{decode_children, View},
    entropy::shannon_entropy,
    filter::{generic_rejects, is_lockfile, is_placeholder},
    finding::{fingerprint, Finding, Location, Secret},
    fragment::Fragment,
    rule::{Rule, RuleError},
};

/// Limits of the decoding pass, so memory stays bounded on any input.
#[derive(Debug, Clone, Copy)]
pub struct DetectorOptions {
    /// How many encodings deep to look (base64 inside base64 is depth 2). 0 turns decoding off.
    pub max_decode_depth: u8,
    /// At most this many decoded bytes are produced per fragment.
    pub max_decoded_bytes: usize,
}

impl Default for DetectorOptions {
    fn default() -> Self {
        DetectorOptions {
            max_decode_depth: 2,
            max_decoded_bytes: 1 << 20,
        }
    }
}

/// Compiled rules plus the keyword automaton that selects them.
pub struct Detector {
    rules: Vec<Rule>,
    prefilter: AhoCorasick,
    /// For each automaton pattern, the rules that listed that keyword.
    pattern_rules: Vec<Vec<u32>>,
    /// Rules without keywords (custom rules may omit them): they run on everything.
    unkeyed: Vec<u32>,
    allowlist: Allowlist,
    options: DetectorOptions,
}

/// A match that passed every check, located in the original fragment.
struct Hit {
    rule: u32,
    start: usize,
    end: usize,
    secret: Vec<u8>,
    entropy: f64,
    decoded: Vec<&'static str>,
}

impl Detector {
    /// Builds the detector. `allowlist` is the repository-wide one from `.vigil.toml`.
    pub fn new(
        rules: Vec<Rule>,
        allowlist: Allowlist,
        options: DetectorOptions,
    ) -> Result<Detector, RuleError> {
        let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        for r in &rules {
            if let Some(first) = seen.insert(r.id(), &r.source) {
                return Err(RuleError::Duplicate {
                    id: r.id().to_owned(),
                    first: first.to_owned(),
                    second: r.source.clone(),
                });
            }
        }
        let mut keywords: Vec<String> = Vec::new();
        let mut pattern_rules: Vec<Vec<u32>> = Vec::new();
        let mut unkeyed = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let i = i as u32;
            if rule.spec.keywords.is_empty() {
                unkeyed.push(i);
            }
            for k in &rule.spec.keywords {
                let k = k.to_ascii_lowercase();
                match keywords.iter().position(|x| *x == k) {
                    Some(p) => pattern_rules[p].push(i),
                    None => {
                        keywords.push(k);
                        pattern_rules.push(vec![i]);
                    }
                }
            }
        }
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&keywords)
            .map_err(|e| RuleError::Invalid {
                file: "keywords".into(),
                id: "*".into(),
                message: e.to_string(),
            })?;
        Ok(Detector {
            rules,
            prefilter,
            pattern_rules,
            unkeyed,
            allowlist,
            options,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// True when the repository allowlist excludes `path` entirely; callers can skip reading it.
    pub fn path_allowed(&self, path: &str) -> bool {
        self.allowlist.allows_path(path)
    }

    /// Scans one fragment and returns its findings, in order of position.
    pub fn scan(&self, fragment: &Fragment<'_>) -> Vec<Finding> {
        let path = fragment.origin.path.as_str();
        if self.path_allowed(path) {
            return Vec::new();
        }
        let lines = LineIndex::new(fragment.bytes);
        let mut hits = Vec::new();
        let mut budget = self.options.max_decoded_bytes;
        self.scan_view(
            &View::root(fragment.bytes),
            fragment,
            &lines,
            0,
            &mut budget,
            &mut hits,
        );
        self.finish(fragment, &lines, hits)
    }

    fn scan_view(
        &self,
        view: &View<'_>,
        fragment: &Fragment<'_>,
        lines: &LineIndex,
        depth: u8,
        budget: &mut usize,
        hits: &mut Vec<Hit>,
    ) {
        let (candidates, keyword_at) = self.candidates(view.bytes());
        for &r in &candidates {
            self.match_rule(r, view, fragment, lines, hits);
        }
        if depth < self.options.max_decode_depth {
            for child in decode_children(view, &keyword_at, budget) {
                self.scan_view(&child, fragment, lines, depth + 1, budget, hits);
            }
        }
    }

    /// The rules whose keywords occur in `bytes`, and where keywords occur.
    fn candidates(&self, bytes: &[u8]) -> (Vec<u32>, Vec<usize>) {
        let mut selected = vec![false; self.rules.len()];
        let mut positions = Vec::new();
        for m in self.prefilter.find_overlapping_iter(bytes) {
            if positions.last() != Some(&m.start()) {
                positions.push(m.start());
            }
            for &r in &self.pattern_rules[m.pattern().as_usize()] {
                selected[r as usize] = true;
            }
        }
        for &r in &self.unkeyed {
            selected[r as usize] = true;
        }
        let rules = selected
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| i as u32)
            .collect();
        (rules, positions)
    }

    fn match_rule(
        &self,
        r: u32,
        view: &View<'_>,
        fragment: &Fragment<'_>,
        lines: &LineIndex,
        hits: &mut Vec<Hit>,
    ) {
        let rule = &self.rules[r as usize];
        let path = fragment.origin.path.as_str();
        if rule.allowlist.allows_path(path) || (rule.spec.generic && is_lockfile(path)) {
            return;
        }
        let bytes = view.bytes();
        for caps in rule.regex.captures_iter(bytes) {
            let Some(whole) = caps.get(0) else { continue };
            let Some(secret) = caps.get(rule.secret_group) else {
                continue;
            };
            let value = secret.as_bytes();
            if value.is_empty() {
                continue;
            }
            let entropy = shannon_entropy(value);
            if rule.spec.entropy.is_some_and(|min| entropy < min) {
                continue;
            }
            if !rule.spec.validators.iter().all(|v| v.accepts(value)) || is_placeholder(value) {
                continue;
            }
            let (start, end) = view.original_span(secret.start(), secret.end());
            let original_line = lines.line_text(fragment.bytes, start, end);
            let view_line = line_around(bytes, secret.start(), secret.end());
            if rule.spec.generic {
                let context = &bytes[whole.start()..secret.start()];
                if generic_rejects(value, context, view_line) {
                    continue;
                }
            }
            if rule
                .allowlist
                .allows_secret(value, whole.as_bytes(), original_line)
                || self
                    .allowlist
                    .allows_secret(value, whole.as_bytes(), original_line)
                || has_inline_marker(original_line)
            {
                continue;
            }
            hits.push(Hit {
                rule: r,
                start,
                end,
                secret: value.to_vec(),
                entropy,
                decoded: view.decoded().to_vec(),
            });
        }
    }

    /// Drops duplicates and generic findings that a specific rule explains, then
    /// turns hits into findings.
    fn finish(
        &self,
        fragment: &Fragment<'_>,
        lines: &LineIndex,
        mut hits: Vec<Hit>,
    ) -> Vec<Finding> {
        let is_generic = |h: &Hit| self.rules[h.rule as usize].spec.generic;
        let specific: Vec<(usize, usize, Vec<u8>)> = hits
            .iter()
            .filter(|h| !is_generic(h))
            .map(|h| (h.start, h.end, h.secret.clone()))
            .collect();
        hits.retain(|h| {
            !is_generic(h)
                || !specific.iter().any(|(s, e, secret)| {
                    (h.start < *e && *s < h.end)
                        || contains(&h.secret, secret)
                        || contains(secret, &h.secret)
                })
        });
        // Fewest decodings first, so a plain finding wins over its decoded twin.
        hits.sort_by(|a, b| {
            (a.start, a.decoded.len(), a.rule).cmp(&(b.start, b.decoded.len(), b.rule))
        });
        let mut seen = HashSet::new();
        hits.retain(|h| seen.insert((h.rule, lines.line_of(h.start), h.secret.clone())));
        hits.into_iter()
            .map(|h| {
                let rule = &self.rules[h.rule as usize];
                let (line, column) = lines.position(fragment.bytes, h.start);
                let (end_line, end_column) =
                    lines.position(fragment.bytes, h.end.saturating_sub(1).max(h.start));
                let first = fragment.first_line.saturating_sub(1);
                Finding {
                    rule: Arc::from(rule.id()),
                    description: Arc::from(rule.spec.description.as_str()),
                    severity: rule.spec.severity,
                    tags: Arc::from(rule.spec.tags.clone()),
                    remediation: rule.spec.remediation.as_deref().map(Arc::from),
                    remediation_url: rule.spec.remediation_url.as_deref().map(Arc::from),
                    origin: Arc::clone(fragment.origin),
                    location: Location {
                        line: line + first,
                        column,
                        end_line: end_line + first,
                        end_column: end_column + 1,
                    },
                    fingerprint: fingerprint(rule.id(), &h.secret, &fragment.origin.path),
                    secret: Secret::new(h.secret),
                    entropy: h.entropy,
                    decoded: h.decoded,
                }
            })
            .collect()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(haystack, needle).is_some()
}

/// The line(s) of `bytes` holding `start..end`.
fn line_around(bytes: &[u8], start: usize, end: usize) -> &[u8] {
    let from = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
    let to = memchr::memchr(b'\n', &bytes[end.min(bytes.len())..]).map_or(bytes.len(), |i| end + i);
    &bytes[from..to]
}

/// Newline offsets of a fragment, built only when it has a finding.
struct LineIndex {
    newlines: std::cell::OnceCell<Vec<usize>>,
}

impl LineIndex {
    fn new(_bytes: &[u8]) -> LineIndex {
        LineIndex {
            newlines: std::cell::OnceCell::new(),
        }
    }

    fn newlines(&self, bytes: &[u8]) -> &[usize] {
        self.newlines
            .get_or_init(|| memchr::memchr_iter(b'\n', bytes).collect())
    }

    /// 0-based line index of byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.newlines
            .get()
            .map_or(0, |nl| nl.partition_point(|&n| n < offset))
    }

    /// 1-based (line, column) of byte `offset`.
    fn position(&self, bytes: &[u8], offset: usize) -> (u32, u32) {
        let nl = self.newlines(bytes);
        let line = nl.partition_point(|&n| n < offset);
        let line_start = if line == 0 { 0 } else { nl[line - 1] + 1 };
        (line as u32 + 1, (offset - line_start) as u32 + 1)
    }

    /// The original line(s) spanning `start..end`.
    fn line_text<'b>(&self, bytes: &'b [u8], start: usize, end: usize) -> &'b [u8] {
        self.newlines(bytes);
        line_around(bytes, start, end)
    }
}
