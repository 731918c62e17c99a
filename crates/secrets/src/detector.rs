//! The detector: keyword prefilter, rule regexes, checks, and the decoding pass.
use std::{ops::Range, sync::Arc};

use vigil_model::{Finding, Location, Secret};

use crate::{
    allowlist::{inline_markers, Allowlist, Entry},
    comment::uncommented_keys,
    decode::{decode_children, View},
    entropy::shannon_entropy,
    explain::{DropReason, Dropped},
    filter::{generic_rejects, is_lockfile, is_placeholder, is_placeholder_pair, vendor_example},
    finding::{keyed_fingerprint, FingerprintKey},
    fragment::Fragment,
    joined::joined_view,
    keywords::Keywords,
    reach::Reach,
    rule::{Parts, Rule, RuleError, Validator},
    validate::base64_credentials,
};

/// Limits of the decoding pass, so memory stays bounded on any input.
#[derive(Debug, Clone, Copy)]
pub struct DetectorOptions {
    /// How many encodings deep to look (base64 inside base64 is depth 2). 0 turns decoding off.
    pub max_decode_depth: u8,
    /// At most this many decoded bytes are produced per fragment.
    pub max_decoded_bytes: usize,
    /// The repository's key for fingerprints (see [`crate::keyed_fingerprint`]).
    pub fingerprint_key: Option<FingerprintKey>,
    /// Record the candidates that a rule matched and a check then dropped, with why
    /// (`vigil scan --explain`); take them with [`Detector::take_dropped`]. Off, a
    /// dropped match costs nothing more.
    pub explain: bool,
}

impl Default for DetectorOptions {
    fn default() -> Self {
        DetectorOptions {
            max_decode_depth: 2,
            max_decoded_bytes: 1 << 20,
            fingerprint_key: None,
            explain: false,
        }
    }
}

/// Compiled rules plus the keyword automaton that selects them.
pub struct Detector {
    rules: Vec<Rule>,
    keywords: Keywords,
    /// For each keyword, the rules that list it.
    pattern_rules: Vec<Vec<u32>>,
    /// Rules without keywords (custom rules may omit them): they run on everything.
    unkeyed: Vec<u32>,
    allowlist: Allowlist,
    options: DetectorOptions,
    /// What `options.explain` recorded so far.
    dropped: std::sync::Mutex<Vec<Dropped>>,
}

/// A rule and the windows of a view its regex must search.
type RuleWindows = (u32, Vec<Range<usize>>);

/// A match that passed every check, located in the original fragment.
struct Hit {
    rule: u32,
    start: usize,
    end: usize,
    secret: Vec<u8>,
    entropy: f64,
    decoded: Vec<&'static str>,
}

/// Why [`Detector::check`] dropped a match: cheap to make, turned into a
/// [`DropReason`] only when explaining.
#[derive(Clone, Copy)]
enum Why {
    /// The secret group matched nothing: not a candidate.
    Empty,
    LowEntropy {
        entropy: f64,
        threshold: f64,
    },
    Validator(Validator),
    Placeholder,
    /// A provider's published example value; its source.
    VendorExample(&'static str),
    Generic(&'static str),
    RuleAllowlist(Entry),
    Allowlist(Entry),
    InlineMarker,
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
        let mut keyword_index: std::collections::HashMap<String, usize> = Default::default();
        let mut pattern_rules: Vec<Vec<u32>> = Vec::new();
        let mut unkeyed = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let i = i as u32;
            if rule.spec.keywords.is_empty() {
                unkeyed.push(i);
            }
            for k in &rule.spec.keywords {
                let k = k.to_ascii_lowercase();
                match keyword_index.get(&k) {
                    Some(&p) => pattern_rules[p].push(i),
                    None => {
                        keyword_index.insert(k.clone(), keywords.len());
                        keywords.push(k);
                        pattern_rules.push(vec![i]);
                    }
                }
            }
        }
        let keywords = Keywords::new(&keywords).map_err(|message| RuleError::Invalid {
            file: "keywords".into(),
            id: "*".into(),
            message,
        })?;
        Ok(Detector {
            rules,
            keywords,
            pattern_rules,
            unkeyed,
            allowlist,
            options,
            dropped: Default::default(),
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
        let mut hits = Vec::new();
        let mut budget = self.options.max_decoded_bytes;
        let src = Source::new(fragment);
        let keyword_at =
            self.scan_view(&View::root(fragment.bytes), &src, 0, &mut budget, &mut hits);
        // A name and its value on different lines, joined (see joined.rs).
        if let Some(joined) = joined_view(fragment.bytes, &keyword_at, &mut budget) {
            self.scan_view(&joined, &src, 0, &mut budget, &mut hits);
        }
        let dropped = src.dropped.take();
        if !dropped.is_empty() {
            self.keep_dropped(&src, &hits, dropped);
        }
        if hits.is_empty() {
            return Vec::new();
        }
        self.finish(&src, hits)
    }

    /// Records the candidates of a fragment dropped, but for a generic rule's that a
    /// hit explains (the same secret, reported once by a specific rule).
    fn keep_dropped(&self, src: &Source<'_>, hits: &[Hit], dropped: Vec<(Hit, DropReason)>) {
        let explained = Specific::new(hits, &[]);
        let found: Vec<Dropped> = dropped
            .into_iter()
            .filter(|(h, _)| !(self.rules[h.rule as usize].spec.generic && explained.explains(h)))
            .map(|(h, reason)| Dropped {
                finding: self.finding(src, h),
                reason,
            })
            .collect();
        if let Ok(mut all) = self.dropped.lock() {
            all.extend(found);
        }
    }

    /// The candidates dropped so far, with why (only with [`DetectorOptions::explain`]),
    /// by place and rule; each once. Leaves none behind.
    pub fn take_dropped(&self) -> Vec<Dropped> {
        let mut dropped = self
            .dropped
            .lock()
            .map(|mut d| std::mem::take(&mut *d))
            .unwrap_or_default();
        fn key(d: &Dropped) -> (&str, Option<&str>, Location, &str) {
            let f = &d.finding;
            let commit = f.origin.commit.as_ref().map(|c| c.id.as_str());
            (&f.origin.path, commit, f.location, &f.rule)
        }
        dropped.sort_by(|a, b| key(a).cmp(&key(b)));
        dropped.dedup_by(|a, b| key(a) == key(b));
        dropped
    }

    fn scan_view(
        &self,
        view: &View<'_>,
        src: &Source<'_>,
        depth: u8,
        budget: &mut usize,
        hits: &mut Vec<Hit>,
    ) -> Vec<usize> {
        let bytes = view.bytes();
        let (regions, keyword_at) = self.regions(bytes);
        for (r, windows) in regions {
            self.match_rule(r, &windows, view, src, hits);
        }
        // Keys commented out line by line, whatever the decoding depth; not decoded further.
        if depth == 0 {
            for key in uncommented_keys(view, budget) {
                self.scan_view(&key, src, u8::MAX, budget, hits);
            }
        }
        if depth < self.options.max_decode_depth {
            let has_keyword = |b: &[u8]| self.keywords.occur_in(b);
            for child in decode_children(view, &keyword_at, budget, &has_keyword) {
                self.scan_view(&child, src, depth + 1, budget, hits);
            }
        }
        keyword_at
    }

    /// For each rule whose keywords occur in `bytes`, the windows its regex must search
    /// (merged, in order), and every position where a keyword starts.
    fn regions(&self, bytes: &[u8]) -> (Vec<RuleWindows>, Vec<usize>) {
        let hits = self.keywords.find_all(bytes);
        // (rule, keyword position) for every hit, then windows per rule in one sorted pass.
        let mut selected: Vec<(u32, usize)> = Vec::new();
        for &(at, keyword) in &hits {
            selected.extend(
                self.pattern_rules[keyword as usize]
                    .iter()
                    .map(|&r| (r, at)),
            );
        }
        let mut positions: Vec<usize> = hits.iter().map(|&(at, _)| at).collect();
        positions.dedup();
        selected.sort_unstable();
        let mut regions: Vec<RuleWindows> = Vec::new();
        // Where the line of the rule's last keyword ends: a keyword before it is on
        // the same line, and a line-bounded window around it is the same window.
        let mut line_end = 0;
        for (r, p) in selected {
            let Some(reach) = self.rules[r as usize].parts().map(|p| p.reach) else {
                continue;
            };
            match regions.last_mut() {
                Some((last_rule, windows)) if *last_rule == r => {
                    let Some(last) = windows.last_mut() else {
                        continue;
                    };
                    let covered = match reach {
                        Reach::Lines { .. } => p < line_end,
                        Reach::Bytes(n) => p + n < last.end,
                    };
                    if covered {
                        continue;
                    }
                    let window = window_around(bytes, p, reach);
                    if window.start <= last.end {
                        last.end = last.end.max(window.end);
                    } else {
                        windows.push(window);
                    }
                }
                _ => regions.push((r, vec![window_around(bytes, p, reach)])),
            }
            if let Reach::Lines { .. } = reach {
                line_end = memchr::memchr(b'\n', &bytes[p..]).map_or(bytes.len(), |i| p + i);
            }
        }
        // Rules without keywords search everything.
        regions.extend(
            self.unkeyed
                .iter()
                .map(|&r| (r, std::iter::once(0..bytes.len()).collect())),
        );
        (regions, positions)
    }

    fn match_rule(
        &self,
        r: u32,
        windows: &[Range<usize>],
        view: &View<'_>,
        src: &Source<'_>,
        hits: &mut Vec<Hit>,
    ) {
        let rule = &self.rules[r as usize];
        let Some(parts) = rule.parts() else { return };
        let path = src.fragment.origin.path.as_str();
        if parts.allowlist.allows_path(path) || (rule.spec.generic && is_lockfile(path)) {
            return;
        }
        let bytes = view.bytes();
        let holds_required = |w: &&Range<usize>| {
            parts
                .required
                .as_ref()
                .is_none_or(|r| r.occur_in(&bytes[(*w).clone()]))
        };
        let mut windows = windows.iter().filter(holds_required).peekable();
        if windows.peek().is_none() {
            return;
        }
        let Some(regex) = rule.regex() else { return };
        // Each window ends at a line end, so `\b` and `$` behave as in the whole text;
        // searching from `at` keeps the bytes before the window as look-behind context.
        // One set of capture slots serves every search.
        let mut slots = regex.capture_locations();
        for w in windows {
            let hay = &bytes[..w.end];
            let mut at = w.start;
            while at <= hay.len() {
                // Group 0 is the match itself: no capture search.
                let found = match parts.secret_group {
                    0 => regex.find_at(hay, at).map(|m| (m, Some(m.range()))),
                    g => regex
                        .captures_read_at(&mut slots, hay, at)
                        .map(|m| (m, slots.get(g).map(|(start, end)| start..end))),
                };
                let Some((whole, secret)) = found else {
                    break;
                };
                at = whole.end() + usize::from(whole.is_empty());
                let Some(secret) = secret else {
                    continue;
                };
                match self.check(r, parts, whole, secret.clone(), view, src) {
                    Ok(hit) => hits.push(hit),
                    Err(Why::Empty) => {}
                    Err(why) if self.options.explain => {
                        self.record(r, parts, why, secret, view, src);
                    }
                    Err(_) => {}
                }
            }
        }
    }

    /// Checks one regex match of rule `r` (its secret at `secret` in the view): the
    /// hit to record, if it passes, else why not.
    fn check(
        &self,
        r: u32,
        parts: &Parts,
        whole: regex::bytes::Match<'_>,
        secret: Range<usize>,
        view: &View<'_>,
        src: &Source<'_>,
    ) -> Result<Hit, Why> {
        let rule = &self.rules[r as usize];
        let bytes = view.bytes();
        let value = &bytes[secret.clone()];
        if value.is_empty() {
            return Err(Why::Empty);
        }
        let entropy = shannon_entropy(value);
        if let Some(threshold) = rule.spec.entropy.filter(|&min| entropy < min) {
            return Err(Why::LowEntropy { entropy, threshold });
        }
        if let Some(&v) = rule.spec.validators.iter().find(|v| !v.accepts(value)) {
            return Err(Why::Validator(v));
        }
        if let Some(source) = vendor_example(value) {
            return Err(Why::VendorExample(source));
        }
        // Every validator passed: one that proves structure makes a marker chance.
        let proven = rule.spec.validators.iter().any(|v| v.proves_structure());
        if is_placeholder(value, proven) {
            return Err(Why::Placeholder);
        }
        // `Authorization: Basic` of `user:pass`: the header's shape, not a credential.
        if rule.spec.validators.contains(&Validator::Base64Credentials)
            && base64_credentials(value).is_some_and(|(u, p)| is_placeholder_pair(&u, &p))
        {
            return Err(Why::Placeholder);
        }
        let (start, end) = view.original_span(secret.start, secret.end);
        // Each check sees a bounded part of a long line, so a line of many findings
        // costs time linear in its length (see `line_around`).
        if rule.spec.generic {
            let view_line = line_around(bytes, secret.start, secret.end, FILTER_CONTEXT);
            let context = &bytes[whole.start()..secret.start];
            if let Some(filter) = generic_rejects(value, context, view_line) {
                return Err(Why::Generic(filter));
            }
        }
        let original_line = line_around(src.fragment.bytes, start, end, ALLOWLIST_CONTEXT);
        if let Some(entry) = parts
            .allowlist
            .allowing(value, whole.as_bytes(), original_line)
        {
            return Err(Why::RuleAllowlist(entry));
        }
        if let Some(entry) = self
            .allowlist
            .allowing(value, whole.as_bytes(), original_line)
        {
            return Err(Why::Allowlist(entry));
        }
        if src.has_inline_marker(start, end) {
            return Err(Why::InlineMarker);
        }
        Ok(Hit {
            rule: r,
            start,
            end,
            secret: value.to_vec(),
            entropy,
            decoded: view.decoded().to_vec(),
        })
    }

    /// Records a dropped match, for `--explain`.
    fn record(
        &self,
        r: u32,
        parts: &Parts,
        why: Why,
        secret: Range<usize>,
        view: &View<'_>,
        src: &Source<'_>,
    ) {
        let reason = match why {
            Why::Empty => return,
            Why::LowEntropy { entropy, threshold } => DropReason::LowEntropy { entropy, threshold },
            Why::Validator(v) => DropReason::Validator(v),
            Why::Placeholder => DropReason::Placeholder,
            Why::VendorExample(source) => DropReason::VendorExample(source),
            Why::Generic(filter) => DropReason::GenericFilter(filter),
            Why::RuleAllowlist(e) => DropReason::RuleAllowlist(parts.allowlist.describe(e)),
            Why::Allowlist(e) => DropReason::Allowlist(self.allowlist.describe(e)),
            Why::InlineMarker => DropReason::InlineMarker,
        };
        let value = &view.bytes()[secret.clone()];
        let (start, end) = view.original_span(secret.start, secret.end);
        let hit = Hit {
            rule: r,
            start,
            end,
            secret: value.to_vec(),
            entropy: shannon_entropy(value),
            decoded: view.decoded().to_vec(),
        };
        src.dropped.borrow_mut().push((hit, reason));
    }

    /// Drops duplicates and generic findings that a specific rule explains, then
    /// turns hits into findings. Each step sorts or indexes: no step compares every
    /// hit with every other, so a line with many findings stays linear.
    fn finish(&self, src: &Source<'_>, hits: Vec<Hit>) -> Vec<Finding> {
        let is_generic = |h: &Hit| self.rules[h.rule as usize].spec.generic;
        let (generic, specific): (Vec<Hit>, Vec<Hit>) = hits.into_iter().partition(is_generic);
        let mut hits = specific;
        if !generic.is_empty() {
            let explained = Specific::new(&hits, &generic);
            // Of the generic rules left, one that names its context (a command line, a
            // file format) explains a catch-all's hit (tagged `generic`) in the same way.
            let is_catch_all = |h: &Hit| {
                let tags = &self.rules[h.rule as usize].spec.tags;
                tags.iter().any(|t| t == "generic")
            };
            let (mut catch_all, named): (Vec<Hit>, Vec<Hit>) = generic
                .into_iter()
                .filter(|h| !explained.explains(h))
                .partition(is_catch_all);
            if !catch_all.is_empty() && !named.is_empty() {
                let explained = Specific::new(&named, &catch_all);
                catch_all.retain(|h| !explained.explains(h));
            }
            hits.extend(named);
            hits.extend(catch_all);
        }
        // One finding per rule and place: where decoding found the same secret again
        // (or its decoded form), the hit with the fewest decodings wins, and of two
        // from the same place the longer (a string joined from parts, see joined.rs).
        hits.sort_by(|a, b| {
            (a.rule, a.decoded.len(), a.start, std::cmp::Reverse(a.end)).cmp(&(
                b.rule,
                b.decoded.len(),
                b.start,
                std::cmp::Reverse(b.end),
            ))
        });
        let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
        // The spans kept so far of the rule at hand, by start: they never overlap.
        let mut spans: std::collections::BTreeMap<usize, usize> = Default::default();
        for h in hits {
            if kept.last().is_some_and(|k| k.rule != h.rule) {
                spans.clear();
            }
            let twin = spans
                .range(..h.end)
                .next_back()
                .is_some_and(|(_, &end)| h.start < end);
            if !twin {
                spans.insert(h.start, h.end);
                kept.push(h);
            }
        }
        let mut hits = kept;
        hits.sort_by_key(|h| (h.start, h.rule));
        hits.into_iter().map(|h| self.finding(src, h)).collect()
    }

    /// The finding a hit makes.
    fn finding(&self, src: &Source<'_>, h: Hit) -> Finding {
        let fragment = src.fragment;
        let lines = src.lines();
        let rule = &self.rules[h.rule as usize];
        let (line, column) = lines.position(h.start);
        let (end_line, end_column) = lines.position(h.end.saturating_sub(1).max(h.start));
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
            fingerprint: keyed_fingerprint(
                self.options.fingerprint_key.as_ref(),
                rule.id(),
                &h.secret,
                &fragment.origin.path,
            ),
            secret: Secret::new(h.secret),
            entropy: h.entropy,
            decoded: h.decoded,
        }
    }
}

/// Where a rule can match around a keyword at `at` (the keyword is part of the match),
/// in whole lines, so `\b`, `^` and `$` see the same context as in the whole text.
fn window_around(bytes: &[u8], at: usize, reach: Reach) -> Range<usize> {
    match reach {
        Reach::Lines { before, after } => {
            // The (before + 1)th line break before the keyword ends line -before - 1,
            // and the (after + 1)th from it ends line +after; the text's ends stop
            // either walk.
            let start = memchr::memrchr_iter(b'\n', &bytes[..at])
                .nth(before)
                .map_or(0, |i| i + 1);
            let end = memchr::memchr_iter(b'\n', &bytes[at..])
                .nth(after)
                .map_or(bytes.len(), |i| at + i);
            start..end
        }
        Reach::Bytes(n) => {
            let from = at.saturating_sub(n);
            let start = memchr::memrchr(b'\n', &bytes[..from]).map_or(0, |i| i + 1);
            let to = at.saturating_add(n).min(bytes.len());
            let end = memchr::memchr(b'\n', &bytes[to..]).map_or(bytes.len(), |i| to + i);
            start..end
        }
    }
}

/// How much of a long line the generic rules' filters see on each side of a secret.
const FILTER_CONTEXT: usize = 512;
/// How much of a long line an allowlist regex on the line sees on each side of a match.
pub(crate) const ALLOWLIST_CONTEXT: usize = 4096;

/// The line(s) of `bytes` holding `start..end`, cut to at most `most` bytes on each
/// side of it: the work per match is bounded, whatever the line's length.
fn line_around(bytes: &[u8], start: usize, end: usize, most: usize) -> &[u8] {
    let end = end.min(bytes.len());
    let low = start.saturating_sub(most);
    let from = memchr::memrchr(b'\n', &bytes[low..start]).map_or(low, |i| low + i + 1);
    let high = end.saturating_add(most).min(bytes.len());
    let to = memchr::memchr(b'\n', &bytes[end..high]).map_or(high, |i| end + i);
    &bytes[from..to]
}

/// A fragment being scanned, with what is worked out about it once, when first
/// needed, instead of once per match: its line breaks and its inline markers.
struct Source<'a> {
    fragment: &'a Fragment<'a>,
    lines: std::cell::OnceCell<LineIndex>,
    /// Where an inline marker starts, in order.
    markers: std::cell::OnceCell<Vec<usize>>,
    /// Matches dropped, with why (only when explaining).
    dropped: std::cell::RefCell<Vec<(Hit, DropReason)>>,
}

impl<'a> Source<'a> {
    fn new(fragment: &'a Fragment<'a>) -> Source<'a> {
        Source {
            fragment,
            lines: std::cell::OnceCell::new(),
            markers: std::cell::OnceCell::new(),
            dropped: Default::default(),
        }
    }

    fn lines(&self) -> &LineIndex {
        self.lines
            .get_or_init(|| LineIndex::new(self.fragment.bytes))
    }

    /// True when the line(s) holding `start..end` carry an inline marker, wherever
    /// on a long line it stands.
    fn has_inline_marker(&self, start: usize, end: usize) -> bool {
        let markers = self
            .markers
            .get_or_init(|| inline_markers(self.fragment.bytes));
        if markers.is_empty() {
            return false;
        }
        let (from, to) = self.lines().span(start, end);
        let first = markers.partition_point(|&m| m < from);
        markers.get(first).is_some_and(|&m| m < to)
    }
}

/// Generic hits that a specific hit explains: they overlap it, or one's secret holds
/// the other's. Spans are sorted with the furthest end so far; secrets are compared
/// through their substrings of the lengths the other side has, looked up in a set.
/// Each question then costs lookups bounded by the secrets' lengths, never a pass
/// over every hit.
struct Specific {
    /// (start, furthest end of this and every earlier span), by start.
    spans: Vec<(usize, usize)>,
    secrets: std::collections::HashSet<Vec<u8>>,
    lengths: Vec<usize>,
    /// Generic secrets that some specific secret holds.
    held: std::collections::HashSet<Vec<u8>>,
}

impl Specific {
    fn new(specific: &[Hit], generic: &[Hit]) -> Specific {
        let mut spans: Vec<(usize, usize)> = specific.iter().map(|h| (h.start, h.end)).collect();
        spans.sort_unstable();
        let mut furthest = 0;
        for s in &mut spans {
            furthest = furthest.max(s.1);
            s.1 = furthest;
        }
        let distinct = |hits: &[Hit]| -> std::collections::HashSet<Vec<u8>> {
            hits.iter()
                .filter(|h| !h.secret.is_empty())
                .map(|h| h.secret.clone())
                .collect()
        };
        let lengths_of = |set: &std::collections::HashSet<Vec<u8>>| {
            let mut v: Vec<usize> = set.iter().map(Vec::len).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let secrets = distinct(specific);
        let generic = distinct(generic);
        let generic_lengths = lengths_of(&generic);
        let mut held = std::collections::HashSet::new();
        for s in &secrets {
            for &n in generic_lengths.iter().take_while(|&&n| n <= s.len()) {
                held.extend(
                    s.windows(n)
                        .filter(|w| generic.contains(*w))
                        .map(<[u8]>::to_vec),
                );
            }
        }
        Specific {
            spans,
            lengths: lengths_of(&secrets),
            secrets,
            held,
        }
    }

    fn explains(&self, h: &Hit) -> bool {
        let before = self.spans.partition_point(|&(s, _)| s < h.end);
        if before > 0 && self.spans[before - 1].1 > h.start {
            return true;
        }
        self.held.contains(&h.secret)
            || self
                .lengths
                .iter()
                .take_while(|&&n| n <= h.secret.len())
                .any(|&n| h.secret.windows(n).any(|w| self.secrets.contains(w)))
    }
}

/// Newline offsets of a fragment, built only when it has a finding.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(bytes: &[u8]) -> LineIndex {
        LineIndex(memchr::memchr_iter(b'\n', bytes).collect())
    }

    /// Where the line holding `start` starts and the line holding `end` ends (its
    /// line break, or the end of the text).
    fn span(&self, start: usize, end: usize) -> (usize, usize) {
        let nl = &self.0;
        let line = nl.partition_point(|&n| n < start);
        let from = if line == 0 { 0 } else { nl[line - 1] + 1 };
        let to = nl
            .get(nl.partition_point(|&n| n < end))
            .map_or(usize::MAX, |&n| n);
        (from, to)
    }

    /// 1-based (line, column) of byte `offset`.
    fn position(&self, offset: usize) -> (u32, u32) {
        let nl = &self.0;
        let line = nl.partition_point(|&n| n < offset);
        let line_start = if line == 0 { 0 } else { nl[line - 1] + 1 };
        (line as u32 + 1, (offset - line_start) as u32 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(rule: u32, start: usize, secret: &[u8]) -> Hit {
        Hit {
            rule,
            start,
            end: start + secret.len(),
            secret: secret.to_vec(),
            entropy: 4.0,
            decoded: Vec::new(),
        }
    }

    #[test]
    fn the_line_a_check_sees_is_bounded_on_a_long_line() {
        // One 1 MB line: each check sees at most `most` bytes on each side, so a line
        // of many findings costs time linear in its length.
        let mut long = vec![b'x'; 1 << 20];
        long[100] = b'\n';
        let mid = 1 << 19;
        assert_eq!(line_around(&long, mid, mid + 4, 16).len(), 36);
        assert_eq!(line_around(&long, 110, 114, 512).len(), 114 - 101 + 512);
        assert_eq!(line_around(b"ab\ncd\nef", 3, 5, 512), b"cd");
    }

    #[test]
    fn an_inline_marker_anywhere_on_a_long_line_counts() {
        let mut text = vec![b'x'; 100_000];
        text.extend_from_slice(b" # vigil:allow\nnext line");
        let origin = Arc::new(vigil_model::Origin::path("a"));
        let fragment = Fragment::new(&origin, &text);
        let src = Source::new(&fragment);
        assert!(src.has_inline_marker(10, 20));
        assert!(!src.has_inline_marker(text.len() - 3, text.len() - 1));
    }

    #[test]
    fn specific_hits_explain_generic_ones_without_comparing_every_pair() {
        let specific: Vec<Hit> = (0..1000)
            .map(|i| hit(0, i * 100, format!("tok_{i:08}").as_bytes()))
            .collect();
        let generic = [
            hit(1, 50_005, b"overlaps"),         // overlaps the specific hit at 50000
            hit(1, 200_000, b"tok_00000007"),    // the same secret elsewhere
            hit(1, 200_100, b"xtok_00000008y"),  // holds a specific secret
            hit(1, 200_200, b"00000009"),        // held by a specific secret
            hit(1, 200_300, b"unrelated_value"), // none of these
        ];
        let s = Specific::new(&specific, &generic);
        let explained: Vec<bool> = generic.iter().map(|g| s.explains(g)).collect();
        assert_eq!(explained, [true, true, true, true, false]);
    }

    #[test]
    fn line_windows_take_whole_lines_around_the_keyword() {
        let text = b"one\ntwo\nthree key\nfour\nfive";
        let at = 14;
        let window = |reach| {
            let w = window_around(text, at, reach);
            String::from_utf8_lossy(&text[w]).into_owned()
        };
        let lines = |before, after| Reach::Lines { before, after };
        assert_eq!(window(lines(0, 0)), "three key");
        assert_eq!(window(lines(1, 1)), "two\nthree key\nfour");
        assert_eq!(window(lines(0, 1)), "three key\nfour");
        assert_eq!(window(lines(2, 0)), "one\ntwo\nthree key");
        assert_eq!(window(lines(2, 2)), "one\ntwo\nthree key\nfour\nfive");
        assert_eq!(window(lines(4, 4)), "one\ntwo\nthree key\nfour\nfive");
        assert_eq!(window(Reach::Bytes(5)), "three key\nfour");
        assert_eq!(window(Reach::Bytes(7)), "two\nthree key\nfour");
        let blank_first = b"\nkey\n";
        assert_eq!(window_around(blank_first, 1, lines(1, 1)), 0..5);
        assert_eq!(window_around(blank_first, 1, lines(0, 0)), 1..4);
    }
}
