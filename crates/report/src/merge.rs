//! `vigil report merge`: the reports of a sharded scan (`vigil scan --shard K/N`, one
//! per job of a CI matrix) made into the one report the unsharded scan writes, byte
//! for byte but for the start and end times, which are the earliest start and the
//! latest end of the shards.
//!
//! Formats: vigil's JSON report, JSON Lines, SARIF and GitLab's secret detection
//! report, told apart by their content; all inputs must be of one format, and the
//! merged report is of that format. Each input must be a shard's report (it names its
//! shard, `K/N`), and together they must be shards 1 to N of one N, each once.
//!
//! Why the result equals the unsharded report:
//! - a shard holds whole changes (a file in a commit), and reports list findings by
//!   path, line and commit first ([`crate::finding_order`]), which every format keeps;
//!   findings of one change keep their order, which their shard already has;
//! - files scanned are summed (a change is scanned in one shard); commits walked are
//!   the same in every shard (each walks the whole range) and must agree;
//! - the rules a SARIF report describes are those that fired in any shard, sorted by
//!   id, each result pointing at its rule again; a rule must read the same in every
//!   shard;
//! - errors and the items not scanned are gathered and sorted, as a scan sorts them
//!   (SARIF notifications and GitLab messages by their text); a report is complete
//!   when every shard is.
//!
//! Limits: SARIF writes a `\` in a path as `/`, so two files of one commit whose
//! paths differ only there cannot be told apart (the merge refuses them). Messages
//! name files and places in them (`runs[0].results[3].ruleId`), never their content.
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{value::RawValue, Map, Value};

use crate::{
    format::Format,
    gitlab, json,
    jsonl::SummaryLine,
    order::{compare_places, Place},
    records::skipped_to_json,
    report::{Shard, SkipReason, Skipped},
    sarif,
};

/// One report to merge: a name for messages (its path) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// The merged report.
#[derive(Debug)]
pub struct Merged {
    pub format: Format,
    /// The report, as the unsharded scan writes it.
    pub bytes: Vec<u8>,
    pub findings: usize,
    /// Whether every shard scanned everything (`None` when the format does not say).
    pub complete: Option<bool>,
    /// N: how many shards were merged.
    pub shards: u32,
}

/// Why reports cannot be merged. Each names the file(s) and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("no report to merge")]
    NoInput,
    #[error("{file}: {problem}")]
    Input { file: String, problem: String },
    #[error("{file} is {found}, but {first} is {expected}: the reports to merge must all be of one format")]
    MixedFormats {
        file: String,
        found: &'static str,
        first: String,
        expected: &'static str,
    },
    #[error("{file} and {other} both hold shard {shard}: give each shard's report once")]
    DuplicateShard {
        file: String,
        other: String,
        shard: Shard,
    },
    #[error("{file} holds shard {shard} but {first} holds shard {first_shard}: the shards of one scan share their N")]
    ShardCounts {
        file: String,
        shard: Shard,
        first: String,
        first_shard: Shard,
    },
    #[error("{} of {count} missing ({}): the merged report would not cover the whole scan", plural(missing.len(), "shard"), list(missing))]
    MissingShards { missing: Vec<Shard>, count: u32 },
    #[error("{file} and {other} {what}: they are not shards of one scan")]
    Mismatch {
        file: String,
        other: String,
        what: String,
    },
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn list(shards: &[Shard]) -> String {
    let mut names: Vec<String> = shards.iter().take(8).map(Shard::to_string).collect();
    if shards.len() > 8 {
        names.push("…".into());
    }
    names.join(", ")
}

/// What is wrong inside one file (its name is added by the caller).
type Problem = String;

/// Merges `inputs`, the reports of the shards of one scan (in any order).
pub fn merge(inputs: &[Input<'_>]) -> Result<Merged, MergeError> {
    let first = inputs.first().ok_or(MergeError::NoInput)?;
    let kinds: Vec<(Kind, &str)> = inputs
        .iter()
        .map(|i| {
            let text = std::str::from_utf8(i.bytes)
                .map_err(|_| fail(i.name, format!("not UTF-8 text: expected {}", EXPECTED)))?;
            Ok((detect(text).map_err(|p| fail(i.name, p))?, text))
        })
        .collect::<Result<_, MergeError>>()?;
    let kind = kinds[0].0;
    for (i, (k, _)) in inputs.iter().zip(&kinds) {
        if *k != kind {
            return Err(MergeError::MixedFormats {
                file: i.name.to_owned(),
                found: k.describe(),
                first: first.name.to_owned(),
                expected: kind.describe(),
            });
        }
    }
    let texts = inputs.iter().zip(&kinds).map(|(i, (_, t))| (i.name, *t));
    match kind {
        Kind::Json => merge_json(parse_all(texts, parse_json)?),
        Kind::Jsonl => merge_jsonl(parse_all(texts, parse_jsonl)?),
        Kind::Sarif => merge_sarif(parse_all(texts, parse_sarif)?),
        Kind::Gitlab => merge_gitlab(parse_all(texts, parse_gitlab)?),
    }
}

const EXPECTED: &str =
    "a vigil JSON, JSON Lines, SARIF or GitLab secret detection report (vigil scan --format json|jsonl|sarif|gitlab)";

fn fail(file: &str, problem: Problem) -> MergeError {
    MergeError::Input {
        file: file.to_owned(),
        problem,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Jsonl,
    Sarif,
    Gitlab,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Json => "a vigil JSON report",
            Kind::Jsonl => "a JSON Lines report",
            Kind::Sarif => "a SARIF report",
            Kind::Gitlab => "a GitLab secret detection report",
        }
    }
}

/// Tells the format from the content: JSON Lines when the first line is an object
/// with a `type`, else by the keys of the one JSON object.
fn detect(text: &str) -> Result<Kind, Problem> {
    if text.trim().is_empty() {
        return Err(format!("empty: expected {EXPECTED}"));
    }
    let first_line = text.split('\n').next().unwrap_or_default();
    if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(first_line) {
        if o.get("type").is_some_and(Value::is_string) {
            return Ok(Kind::Jsonl);
        }
    }
    let top: BTreeMap<String, &RawValue> = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            format!("a JSON value that is not an object: expected {EXPECTED}")
        } else {
            format!(
                "not JSON (line {}, column {}): expected {EXPECTED}",
                e.line(),
                e.column()
            )
        }
    })?;
    if top.contains_key("runs") {
        Ok(Kind::Sarif)
    } else if top.contains_key("vulnerabilities") {
        Ok(Kind::Gitlab)
    } else if top.contains_key("findings") {
        Ok(Kind::Json)
    } else {
        Err(format!(
            "a JSON object of no known report: expected {EXPECTED}"
        ))
    }
}

/// A finding of a shard: where it is, and what to write for it.
struct Item<B> {
    path: String,
    line: u32,
    commit: Option<String>,
    body: B,
}

impl<B> Item<B> {
    fn place(&self) -> Place<'_> {
        (&self.path, self.line, self.commit.as_deref())
    }
}

/// One shard's report, read: which shard, what the format says besides the
/// findings (`H`), and the findings.
struct Part<'a, H, B> {
    name: &'a str,
    shard: Shard,
    head: H,
    items: Vec<Item<B>>,
}

type Parsed<H, B> = Result<(Option<Shard>, H, Vec<Item<B>>), Problem>;

/// Reads every input with `parse`, then checks they are the shards of one scan, each
/// once, and returns them in shard order.
fn parse_all<'a, H, B>(
    texts: impl Iterator<Item = (&'a str, &'a str)>,
    parse: fn(&'a str) -> Parsed<H, B>,
) -> Result<Vec<Part<'a, H, B>>, MergeError> {
    let mut parts = Vec::new();
    for (name, text) in texts {
        let (shard, head, items) = parse(text).map_err(|p| fail(name, p))?;
        let shard = shard.ok_or_else(|| {
            fail(
                name,
                "names no shard: merge the reports that `vigil scan --shard K/N` writes, one per shard"
                    .into(),
            )
        })?;
        if let Some(at) = items
            .windows(2)
            .position(|w| compare_places(w[0].place(), w[1].place()).is_gt())
        {
            return Err(fail(
                name,
                format!("finding {} is out of the order vigil lists findings in: a report of another vigil version, or edited", at + 2),
            ));
        }
        parts.push(Part {
            name,
            shard,
            head,
            items,
        });
    }
    check_shards(&mut parts)?;
    // A change (a file in a commit) is scanned by one shard only.
    let mut owner: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    for (p, part) in parts.iter().enumerate() {
        for item in &part.items {
            let o = *owner
                .entry((&item.path, item.commit.as_deref()))
                .or_insert(p);
            if o != p {
                return Err(MergeError::Mismatch {
                    file: part.name.to_owned(),
                    other: parts[o].name.to_owned(),
                    what: "both hold findings of one file in one commit".into(),
                });
            }
        }
    }
    Ok(parts)
}

fn check_shards<H, B>(parts: &mut [Part<'_, H, B>]) -> Result<(), MergeError> {
    let first = (parts[0].name, parts[0].shard);
    for p in parts.iter() {
        if p.shard.count != first.1.count {
            return Err(MergeError::ShardCounts {
                file: p.name.to_owned(),
                shard: p.shard,
                first: first.0.to_owned(),
                first_shard: first.1,
            });
        }
    }
    // Stable: of two inputs holding one shard, the one given first is named second.
    parts.sort_by_key(|p| p.shard.index);
    for w in parts.windows(2) {
        if w[0].shard == w[1].shard {
            return Err(MergeError::DuplicateShard {
                file: w[1].name.to_owned(),
                other: w[0].name.to_owned(),
                shard: w[1].shard,
            });
        }
    }
    let count = first.1.count;
    if parts.len() as u64 != u64::from(count) {
        let given: Vec<u32> = parts.iter().map(|p| p.shard.index).collect();
        let missing: Vec<Shard> = (1..=count)
            .filter(|k| given.binary_search(k).is_err())
            .take(9)
            .map(|index| Shard { index, count })
            .collect();
        return Err(MergeError::MissingShards { missing, count });
    }
    Ok(())
}

/// Every shard's findings in the order of the whole: by place, each shard's own
/// order kept for findings of one change.
fn merged_items<H, B>(parts: Vec<Part<'_, H, B>>) -> (Vec<H>, Vec<Item<B>>) {
    let mut heads = Vec::with_capacity(parts.len());
    let mut items = Vec::new();
    for p in parts {
        heads.push(p.head);
        items.extend(p.items);
    }
    items.sort_by(|a, b| compare_places(a.place(), b.place()));
    (heads, items)
}

/// All heads must say the same `what` (the tool, its version): else the reports come
/// from different scans.
fn same<H, T: PartialEq>(
    parts: &[Part<'_, H, impl Sized>],
    value: impl Fn(&H) -> T,
    what: &str,
) -> Result<(), MergeError> {
    let first = value(&parts[0].head);
    for p in &parts[1..] {
        if value(&p.head) != first {
            return Err(MergeError::Mismatch {
                file: p.name.to_owned(),
                other: parts[0].name.to_owned(),
                what: what.to_owned(),
            });
        }
    }
    Ok(())
}

// --- reading JSON values, with messages that name the place and never the content ---

fn object<'v>(v: &'v Value, at: &str) -> Result<&'v Map<String, Value>, Problem> {
    v.as_object()
        .ok_or_else(|| format!("{at}: expected an object"))
}

fn get<'v>(o: &'v Map<String, Value>, key: &str, at: &str) -> Result<&'v Value, Problem> {
    o.get(key).ok_or_else(|| format!("{at}.{key}: missing"))
}

fn string<'v>(v: &'v Value, at: &str) -> Result<&'v str, Problem> {
    v.as_str().ok_or_else(|| format!("{at}: expected a string"))
}

fn array<'v>(v: &'v Value, at: &str) -> Result<&'v Vec<Value>, Problem> {
    v.as_array()
        .ok_or_else(|| format!("{at}: expected an array"))
}

fn boolean(v: &Value, at: &str) -> Result<bool, Problem> {
    v.as_bool()
        .ok_or_else(|| format!("{at}: expected true or false"))
}

fn count(v: &Value, at: &str) -> Result<u64, Problem> {
    v.as_u64()
        .ok_or_else(|| format!("{at}: expected a whole number"))
}

fn line_number(v: &Value, at: &str) -> Result<u32, Problem> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("{at}: expected a line number"))
}

fn constant(v: &Value, expected: &str, at: &str) -> Result<(), Problem> {
    if v.as_str() == Some(expected) {
        Ok(())
    } else {
        Err(format!("{at}: expected \"{expected}\""))
    }
}

/// Fails on a key vigil does not write there (not named: it is the file's content).
fn only_keys(o: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), Problem> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(_) => Err(format!(
            "{at}: a field vigil does not write (expected only {})",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

fn shard_of(v: &Value, at: &str) -> Result<Shard, Problem> {
    v.as_str()
        .and_then(Shard::parse)
        .ok_or_else(|| format!("{at}: expected a shard K/N with 1 <= K <= N"))
}

/// A time as the formats write it (`YYYY-MM-DDTHH:MM:SS`, then `Z` when `zulu`); such
/// strings sort as the times do.
fn timestamp(v: &Value, zulu: bool, at: &str) -> Result<String, Problem> {
    let s = v.as_str().unwrap_or_default().as_bytes();
    let ok = s.len() == 19 + usize::from(zulu)
        && s.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        });
    if ok {
        Ok(String::from_utf8_lossy(s).into_owned())
    } else {
        Err(format!(
            "{at}: expected a UTC time YYYY-MM-DDTHH:MM:SS{}",
            if zulu { "Z" } else { "" }
        ))
    }
}

/// A finding's path, line and commit id as the JSON and JSON Lines reports write them.
fn json_place(o: &Map<String, Value>, at: &str) -> Result<(String, u32, Option<String>), Problem> {
    let path = string(get(o, "path", at)?, &format!("{at}.path"))?.to_owned();
    let line = line_number(get(o, "line", at)?, &format!("{at}.line"))?;
    let commit = match get(o, "commit", at)? {
        Value::Null => None,
        c => {
            let at = format!("{at}.commit");
            let id = get(object(c, &at)?, "id", &at)?;
            Some(string(id, &format!("{at}.id"))?.to_owned())
        }
    };
    Ok((path, line, commit))
}

/// The items not scanned, as the JSON and JSON Lines reports write them.
fn skipped_list(v: &Value, at: &str) -> Result<Vec<Skipped>, Problem> {
    let mut list = Vec::new();
    for (i, s) in array(v, at)?.iter().enumerate() {
        let at = format!("{at}[{i}]");
        let o = object(s, &at)?;
        only_keys(o, &["path", "commit", "reason"], &at)?;
        let path = string(get(o, "path", &at)?, &format!("{at}.path"))?.to_owned();
        let commit = match o.get("commit") {
            None => None,
            Some(c) => Some(string(c, &format!("{at}.commit"))?.to_owned()),
        };
        let reason_at = format!("{at}.reason");
        let reason = SkipReason::parse(string(get(o, "reason", &at)?, &reason_at)?)
            .ok_or_else(|| format!("{reason_at}: not a reason vigil writes"))?;
        list.push(Skipped {
            path,
            commit,
            reason,
        });
    }
    Ok(list)
}

fn string_list(v: &Value, at: &str) -> Result<Vec<String>, Problem> {
    array(v, at)?
        .iter()
        .map(|e| string(e, at).map(str::to_owned))
        .collect()
}

// --- vigil JSON ---

/// What a JSON shard says besides its findings.
struct JsonHead {
    complete: bool,
    errors: Vec<String>,
    skipped: Vec<Skipped>,
}

const JSON_KEYS: &[&str] = &[
    "version", "shard", "complete", "errors", "skipped", "findings",
];

fn parse_json(text: &str) -> Parsed<JsonHead, &RawValue> {
    let top: BTreeMap<String, &RawValue> =
        serde_json::from_str(text).map_err(|_| "expected a JSON object".to_owned())?;
    if top.keys().any(|k| !JSON_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "a field vigil does not write (expected only {})",
            JSON_KEYS.join(", ")
        ));
    }
    let raw = |key: &str| {
        top.get(key)
            .map(|r| serde_json::from_str::<Value>(r.get()).unwrap_or(Value::Null))
    };
    if raw("version").and_then(|v| v.as_u64()) != Some(u64::from(json::VERSION)) {
        return Err(format!("version: expected {}", json::VERSION));
    }
    let shard = raw("shard").map(|v| shard_of(&v, "shard")).transpose()?;
    let head = JsonHead {
        complete: boolean(&raw("complete").unwrap_or(Value::Null), "complete")?,
        errors: string_list(&raw("errors").unwrap_or(Value::Null), "errors")?,
        skipped: skipped_list(&raw("skipped").unwrap_or(Value::Null), "skipped")?,
    };
    let findings: Vec<&RawValue> = top
        .get("findings")
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .ok_or_else(|| "findings: expected an array".to_owned())?;
    let mut items = Vec::with_capacity(findings.len());
    for (i, raw) in findings.into_iter().enumerate() {
        let at = format!("findings[{i}]");
        let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
        let (path, line, commit) = json_place(object(&value, &at)?, &at)?;
        items.push(Item {
            path,
            line,
            commit,
            body: raw,
        });
    }
    Ok((shard, head, items))
}

fn merge_json(parts: Vec<Part<'_, JsonHead, &RawValue>>) -> Result<Merged, MergeError> {
    let shards = parts.len() as u32;
    let (heads, items) = merged_items(parts);
    let complete = heads.iter().all(|h| h.complete);
    let mut errors: Vec<String> = heads.iter().flat_map(|h| h.errors.clone()).collect();
    errors.sort();
    let mut skipped: Vec<&Skipped> = heads.iter().flat_map(|h| &h.skipped).collect();
    skipped.sort();
    let document: json::Document<'_, _, ()> = json::Document {
        version: json::VERSION,
        shard: None,
        complete,
        errors,
        skipped: skipped.into_iter().map(skipped_to_json).collect(),
        findings: items.iter().map(|i| i.body).collect(),
        dropped: None,
    };
    Ok(Merged {
        format: Format::Json,
        bytes: pretty(&document),
        findings: items.len(),
        complete: Some(complete),
        shards,
    })
}

fn pretty(value: &impl Serialize) -> Vec<u8> {
    // Writing to memory fails only on a map with non-string keys, which none has.
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

// --- JSON Lines ---

struct Summary {
    tool: String,
    version: String,
    files: u64,
    commits: u64,
    complete: bool,
    errors: Vec<String>,
    skipped: Vec<Skipped>,
    started: String,
    finished: String,
}

const SUMMARY_KEYS: &[&str] = &[
    "type", "tool", "version", "findings", "files", "commits", "complete", "errors", "skipped",
    "started", "finished", "shard",
];
const VERDICTS: &str = "holds signature verdicts (vigil verify): only scan reports merge";

fn parse_jsonl(text: &str) -> Parsed<Summary, &str> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let mut items = Vec::new();
    let mut summary = None;
    for (i, line) in lines.iter().enumerate() {
        let at = format!("line {}", i + 1);
        if summary.is_some() {
            return Err(format!(
                "{at}: after the summary line, which ends the report"
            ));
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| format!("{at}, column {}: not JSON", e.column()))?;
        let o = object(&value, &at)?;
        match o.get("type").and_then(Value::as_str) {
            Some("finding") => {
                let (path, line_no, commit) = json_place(o, &at)?;
                items.push(Item {
                    path,
                    line: line_no,
                    commit,
                    body: *line,
                });
            }
            Some("summary") => summary = Some(read_summary(o, &at)?),
            Some("verdict") => return Err(format!("{at}: {VERDICTS}")),
            _ => return Err(format!("{at}: expected a line of type finding or summary")),
        }
    }
    let (shard, summary, findings) =
        summary.ok_or_else(|| "no summary line: the report is cut short".to_owned())?;
    if findings != items.len() as u64 {
        return Err(format!(
            "the summary counts {findings} findings but the report holds {}: the report is cut short or edited",
            items.len()
        ));
    }
    Ok((shard, summary, items))
}

type ReadSummary = (Option<Shard>, Summary, u64);

fn read_summary(o: &Map<String, Value>, at: &str) -> Result<ReadSummary, Problem> {
    if o.contains_key("verdicts") {
        return Err(format!("{at}: {VERDICTS}"));
    }
    only_keys(o, SUMMARY_KEYS, at)?;
    let field = |key: &str| get(o, key, at).map(|v| (v, format!("{at}: {key}")));
    let errors = field("errors").and_then(|(v, a)| string_list(v, &a))?;
    let skipped = field("skipped").and_then(|(v, a)| skipped_list(v, &a))?;
    let summary = Summary {
        tool: field("tool").and_then(|(v, a)| string(v, &a).map(str::to_owned))?,
        version: field("version").and_then(|(v, a)| string(v, &a).map(str::to_owned))?,
        files: field("files").and_then(|(v, a)| count(v, &a))?,
        commits: field("commits").and_then(|(v, a)| count(v, &a))?,
        complete: field("complete").and_then(|(v, a)| boolean(v, &a))?,
        errors,
        skipped,
        started: field("started").and_then(|(v, a)| timestamp(v, true, &a))?,
        finished: field("finished").and_then(|(v, a)| timestamp(v, true, &a))?,
    };
    let findings = field("findings").and_then(|(v, a)| count(v, &a))?;
    let shard = o
        .get("shard")
        .map(|v| shard_of(v, &format!("{at}: shard")))
        .transpose()?;
    Ok((shard, summary, findings))
}

fn merge_jsonl(parts: Vec<Part<'_, Summary, &str>>) -> Result<Merged, MergeError> {
    same(
        &parts,
        |h| (h.tool.clone(), h.version.clone()),
        "were written by different vigil versions",
    )?;
    same(&parts, |h| h.commits, "walked different numbers of commits")?;
    let shards = parts.len() as u32;
    let (heads, items) = merged_items(parts);
    let mut errors: Vec<String> = heads.iter().flat_map(|h| h.errors.clone()).collect();
    errors.sort();
    let mut skipped: Vec<&Skipped> = heads.iter().flat_map(|h| &h.skipped).collect();
    skipped.sort();
    let complete = heads.iter().all(|h| h.complete);
    let first = &heads[0];
    let summary = SummaryLine {
        kind: "summary",
        tool: &first.tool,
        version: &first.version,
        findings: items.len(),
        files: heads.iter().map(|h| h.files).sum(),
        commits: first.commits,
        complete,
        errors: &errors,
        skipped: skipped.into_iter().map(skipped_to_json).collect(),
        started: heads
            .iter()
            .map(|h| h.started.clone())
            .min()
            .unwrap_or_default(),
        finished: heads
            .iter()
            .map(|h| h.finished.clone())
            .max()
            .unwrap_or_default(),
        verdicts: None,
        verdicts_failed: None,
        verdict_counts: None,
        shard: None,
    };
    let mut bytes = Vec::new();
    for item in &items {
        bytes.extend_from_slice(item.body.as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend(serde_json::to_vec(&summary).unwrap_or_default());
    bytes.push(b'\n');
    Ok(Merged {
        format: Format::Jsonl,
        bytes,
        findings: items.len(),
        complete: Some(complete),
        shards,
    })
}

// --- SARIF ---

/// A SARIF shard: the log without its rules, results and invocation, which the merge
/// writes anew.
struct SarifHead {
    log: Value,
    rules: Vec<(String, Value)>,
    success: bool,
    start: String,
    end: String,
    notifications: Vec<(String, Value)>,
}

const RUN: &str = "runs[0]";
const DRIVER: &str = "runs[0].tool.driver";
const INVOCATION: &str = "runs[0].invocations[0]";

fn parse_sarif(text: &str) -> Parsed<SarifHead, Value> {
    let mut log: Value =
        serde_json::from_str(text).map_err(|_| "expected a JSON object".to_owned())?;
    let top = object(&log, "the log")?;
    only_keys(top, &["$schema", "version", "runs"], "the log")?;
    constant(get(top, "$schema", "the log")?, sarif::SCHEMA, "$schema")?;
    constant(get(top, "version", "the log")?, sarif::VERSION, "version")?;
    let runs = array(get(top, "runs", "the log")?, "runs")?;
    if runs.len() != 1 {
        return Err("runs: expected one run".into());
    }
    let run = object(&runs[0], RUN)?;
    only_keys(run, &["tool", "invocations", "results"], RUN)?;
    let tool = object(get(run, "tool", RUN)?, "runs[0].tool")?;
    only_keys(tool, &["driver"], "runs[0].tool")?;
    let driver = object(get(tool, "driver", "runs[0].tool")?, DRIVER)?;
    only_keys(
        driver,
        &["name", "version", "semanticVersion", "rules"],
        DRIVER,
    )?;
    let mut rules = Vec::new();
    for (i, r) in array(get(driver, "rules", DRIVER)?, "runs[0].tool.driver.rules")?
        .iter()
        .enumerate()
    {
        let at = format!("{DRIVER}.rules[{i}]");
        let id = string(get(object(r, &at)?, "id", &at)?, &format!("{at}.id"))?;
        if id.starts_with(sarif::VERDICT_RULE_PREFIX) {
            return Err(format!("{at}: {VERDICTS}"));
        }
        rules.push((id.to_owned(), r.clone()));
    }
    let invocations = array(get(run, "invocations", RUN)?, "runs[0].invocations")?;
    if invocations.len() != 1 {
        return Err("runs[0].invocations: expected one invocation".into());
    }
    let inv = object(&invocations[0], INVOCATION)?;
    only_keys(
        inv,
        &[
            "executionSuccessful",
            "startTimeUtc",
            "endTimeUtc",
            "toolExecutionNotifications",
            "properties",
        ],
        INVOCATION,
    )?;
    let shard = match inv.get("properties") {
        None => None,
        Some(p) => {
            let at = format!("{INVOCATION}.properties");
            let p = object(p, &at)?;
            only_keys(p, &["shard"], &at)?;
            Some(shard_of(get(p, "shard", &at)?, &format!("{at}.shard"))?)
        }
    };
    let field = |key: &str| get(inv, key, INVOCATION).map(|v| (v, format!("{INVOCATION}.{key}")));
    let mut notifications = Vec::new();
    let (v, a) = field("toolExecutionNotifications")?;
    for (i, n) in array(v, &a)?.iter().enumerate() {
        let at = format!("{a}[{i}]");
        let message = object(
            get(object(n, &at)?, "message", &at)?,
            &format!("{at}.message"),
        )?;
        let text = string(get(message, "text", &at)?, &format!("{at}.message.text"))?;
        notifications.push((text.to_owned(), n.clone()));
    }
    let success = field("executionSuccessful").and_then(|(v, a)| boolean(v, &a))?;
    let start = field("startTimeUtc").and_then(|(v, a)| timestamp(v, true, &a))?;
    let end = field("endTimeUtc").and_then(|(v, a)| timestamp(v, true, &a))?;
    let mut items = Vec::new();
    for (i, r) in array(get(run, "results", RUN)?, "runs[0].results")?
        .iter()
        .enumerate()
    {
        let at = format!("{RUN}.results[{i}]");
        let (path, line, commit) = sarif_place(r, &rules, &at)?;
        items.push(Item {
            path,
            line,
            commit,
            body: r.clone(),
        });
    }
    // What stays is the frame the merged log is written in.
    if let Some(run) = log.pointer_mut("/runs/0").and_then(Value::as_object_mut) {
        run.insert("results".into(), Value::Array(Vec::new()));
        run.insert("invocations".into(), Value::Array(Vec::new()));
    }
    if let Some(d) = log
        .pointer_mut("/runs/0/tool/driver")
        .and_then(Value::as_object_mut)
    {
        d.insert("rules".into(), Value::Array(Vec::new()));
    }
    let head = SarifHead {
        log,
        rules,
        success,
        start,
        end,
        notifications,
    };
    Ok((shard, head, items))
}

fn sarif_place(
    r: &Value,
    rules: &[(String, Value)],
    at: &str,
) -> Result<(String, u32, Option<String>), Problem> {
    let o = object(r, at)?;
    if o.get("partialFingerprints")
        .and_then(Value::as_object)
        .is_some_and(|f| f.contains_key(sarif::OBJECT_FINGERPRINT_KEY))
    {
        return Err(format!("{at}: {VERDICTS}"));
    }
    let rule = string(get(o, "ruleId", at)?, &format!("{at}.ruleId"))?;
    if !rules.iter().any(|(id, _)| id == rule) {
        return Err(format!("{at}.ruleId: names no rule of {DRIVER}.rules"));
    }
    let loc_at = format!("{at}.locations[0].physicalLocation");
    let physical = o
        .get("locations")
        .and_then(|l| l.get(0))
        .and_then(|l| l.get("physicalLocation"))
        .ok_or_else(|| format!("{loc_at}: missing"))?;
    let physical = object(physical, &loc_at)?;
    let artifact_at = format!("{loc_at}.artifactLocation");
    let artifact = object(get(physical, "artifactLocation", &loc_at)?, &artifact_at)?;
    let uri = string(
        get(artifact, "uri", &artifact_at)?,
        &format!("{artifact_at}.uri"),
    )?;
    let relative = artifact.contains_key("uriBaseId");
    let path = path_of_uri(uri, relative)
        .ok_or_else(|| format!("{artifact_at}.uri: expected a path as vigil writes it (percent-encoded; file:// when absolute)"))?;
    let region_at = format!("{loc_at}.region");
    let region = object(get(physical, "region", &loc_at)?, &region_at)?;
    let line = line_number(
        get(region, "startLine", &region_at)?,
        &format!("{region_at}.startLine"),
    )?;
    let commit = match o.get("properties").and_then(|p| p.get("commit")) {
        None => None,
        Some(c) => Some(string(c, &format!("{at}.properties.commit"))?.to_owned()),
    };
    Ok((path, line, commit))
}

/// The path [`sarif::path_uri`] wrote as `uri`.
fn path_of_uri(uri: &str, relative: bool) -> Option<String> {
    let encoded = if relative {
        uri
    } else {
        uri.strip_prefix("file://")?
    };
    let b = encoded.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn merge_sarif(parts: Vec<Part<'_, SarifHead, Value>>) -> Result<Merged, MergeError> {
    same(
        &parts,
        |h| h.log.pointer("/runs/0/tool/driver").cloned(),
        "were written by different vigil versions",
    )?;
    // The rules that fired anywhere, by id; one id must mean one rule.
    let mut rules: BTreeMap<String, (Value, usize)> = BTreeMap::new();
    for (p, part) in parts.iter().enumerate() {
        for (id, rule) in &part.head.rules {
            let (known, from) = rules.entry(id.clone()).or_insert((rule.clone(), p));
            if known != rule {
                return Err(MergeError::Mismatch {
                    file: part.name.to_owned(),
                    other: parts[*from].name.to_owned(),
                    what: "describe one rule differently".into(),
                });
            }
        }
    }
    let ids: Vec<&String> = rules.keys().collect();
    let shards = parts.len() as u32;
    let (heads, items) = merged_items(parts);
    let results: Vec<Value> = items
        .into_iter()
        .map(|i| {
            let mut r = i.body;
            let rule = r.get("ruleId").and_then(Value::as_str).unwrap_or_default();
            let index = ids.iter().position(|id| *id == rule).unwrap_or(0);
            if let Some(o) = r.as_object_mut() {
                o.insert("ruleIndex".into(), Value::from(index));
            }
            r
        })
        .collect();
    let mut notifications: Vec<&(String, Value)> =
        heads.iter().flat_map(|h| &h.notifications).collect();
    notifications.sort_by(|a, b| a.0.cmp(&b.0));
    let success = heads.iter().all(|h| h.success);
    let invocation = serde_json::json!({
        "executionSuccessful": success,
        "startTimeUtc": heads.iter().map(|h| &h.start).min(),
        "endTimeUtc": heads.iter().map(|h| &h.end).max(),
        "toolExecutionNotifications": notifications.iter().map(|n| &n.1).collect::<Vec<_>>(),
    });
    let findings = results.len();
    let mut log = heads.into_iter().next().map(|h| h.log).unwrap_or_default();
    if let Some(d) = log
        .pointer_mut("/runs/0/tool/driver")
        .and_then(Value::as_object_mut)
    {
        d.insert(
            "rules".into(),
            Value::Array(rules.into_values().map(|(r, _)| r).collect()),
        );
    }
    if let Some(run) = log.pointer_mut("/runs/0").and_then(Value::as_object_mut) {
        run.insert("invocations".into(), Value::Array(vec![invocation]));
        run.insert("results".into(), Value::Array(results));
    }
    Ok(Merged {
        format: Format::Sarif,
        bytes: pretty(&log),
        findings,
        complete: Some(success),
        shards,
    })
}

// --- GitLab ---

/// A GitLab shard: the report without its vulnerabilities and scan times, status and
/// messages, which the merge writes anew.
struct GitlabHead {
    doc: Value,
    success: bool,
    start: String,
    end: String,
    messages: Vec<(String, Value)>,
}

fn parse_gitlab(text: &str) -> Parsed<GitlabHead, Value> {
    let mut doc: Value =
        serde_json::from_str(text).map_err(|_| "expected a JSON object".to_owned())?;
    let top = object(&doc, "the report")?;
    only_keys(
        top,
        &["version", "schema", "scan", "vulnerabilities"],
        "the report",
    )?;
    constant(
        get(top, "version", "the report")?,
        gitlab::VERSION,
        "version",
    )?;
    constant(get(top, "schema", "the report")?, gitlab::SCHEMA, "schema")?;
    let scan = object(get(top, "scan", "the report")?, "scan")?;
    only_keys(
        scan,
        &[
            "analyzer",
            "scanner",
            "type",
            "start_time",
            "end_time",
            "status",
            "messages",
            "options",
        ],
        "scan",
    )?;
    constant(get(scan, "type", "scan")?, "secret_detection", "scan.type")?;
    let success = match string(get(scan, "status", "scan")?, "scan.status")? {
        "success" => true,
        "failure" => false,
        _ => return Err("scan.status: expected \"success\" or \"failure\"".into()),
    };
    let start = timestamp(get(scan, "start_time", "scan")?, false, "scan.start_time")?;
    let end = timestamp(get(scan, "end_time", "scan")?, false, "scan.end_time")?;
    let mut messages = Vec::new();
    for (i, m) in array(get(scan, "messages", "scan")?, "scan.messages")?
        .iter()
        .enumerate()
    {
        let at = format!("scan.messages[{i}]");
        let text = string(get(object(m, &at)?, "value", &at)?, &format!("{at}.value"))?;
        messages.push((text.to_owned(), m.clone()));
    }
    let shard = match scan.get("options") {
        None => None,
        Some(options) => {
            let options = array(options, "scan.options")?;
            let at = "scan.options[0]";
            let option = match options.as_slice() {
                [one] => object(one, at)?,
                _ => return Err("scan.options: expected one option, the shard".into()),
            };
            only_keys(option, &["name", "source", "value"], at)?;
            constant(
                get(option, "name", at)?,
                gitlab::SHARD_OPTION,
                "scan.options[0].name",
            )?;
            Some(shard_of(
                get(option, "value", at)?,
                "scan.options[0].value",
            )?)
        }
    };
    let mut items = Vec::new();
    for (i, v) in array(
        get(top, "vulnerabilities", "the report")?,
        "vulnerabilities",
    )?
    .iter()
    .enumerate()
    {
        let at = format!("vulnerabilities[{i}]");
        let loc_at = format!("{at}.location");
        let location = object(get(object(v, &at)?, "location", &at)?, &loc_at)?;
        let path = string(get(location, "file", &loc_at)?, &format!("{loc_at}.file"))?;
        let line = line_number(
            get(location, "start_line", &loc_at)?,
            &format!("{loc_at}.start_line"),
        )?;
        let commit_at = format!("{loc_at}.commit");
        let sha = get(
            object(get(location, "commit", &loc_at)?, &commit_at)?,
            "sha",
            &commit_at,
        )?;
        let sha = string(sha, &format!("{commit_at}.sha"))?;
        items.push(Item {
            path: path.to_owned(),
            line,
            commit: (sha != gitlab::NO_COMMIT).then(|| sha.to_owned()),
            body: v.clone(),
        });
    }
    if let Some(o) = doc.as_object_mut() {
        o.insert("vulnerabilities".into(), Value::Array(Vec::new()));
    }
    if let Some(scan) = doc.get_mut("scan").and_then(Value::as_object_mut) {
        for key in ["start_time", "end_time", "status", "messages", "options"] {
            scan.remove(key);
        }
    }
    let head = GitlabHead {
        doc,
        success,
        start,
        end,
        messages,
    };
    Ok((shard, head, items))
}

fn merge_gitlab(parts: Vec<Part<'_, GitlabHead, Value>>) -> Result<Merged, MergeError> {
    same(
        &parts,
        |h| h.doc.get("scan").cloned(),
        "were written by different vigil versions",
    )?;
    let shards = parts.len() as u32;
    let (heads, items) = merged_items(parts);
    let mut messages: Vec<&(String, Value)> = heads.iter().flat_map(|h| &h.messages).collect();
    messages.sort_by(|a, b| a.0.cmp(&b.0));
    let success = heads.iter().all(|h| h.success);
    let start = heads
        .iter()
        .map(|h| h.start.clone())
        .min()
        .unwrap_or_default();
    let end = heads
        .iter()
        .map(|h| h.end.clone())
        .max()
        .unwrap_or_default();
    let messages: Vec<Value> = messages.into_iter().map(|m| m.1.clone()).collect();
    let findings = items.len();
    let mut doc = heads.into_iter().next().map(|h| h.doc).unwrap_or_default();
    if let Some(scan) = doc.get_mut("scan").and_then(Value::as_object_mut) {
        scan.insert("start_time".into(), Value::String(start));
        scan.insert("end_time".into(), Value::String(end));
        scan.insert(
            "status".into(),
            Value::from(if success { "success" } else { "failure" }),
        );
        scan.insert("messages".into(), Value::Array(messages));
    }
    if let Some(o) = doc.as_object_mut() {
        o.insert(
            "vulnerabilities".into(),
            Value::Array(items.into_iter().map(|i| i.body).collect()),
        );
    }
    Ok(Merged {
        format: Format::Gitlab,
        bytes: pretty(&doc),
        findings,
        complete: Some(success),
        shards,
    })
}

#[cfg(test)]
mod tests {
    use std::{
        sync::Arc,
        time::{Duration, SystemTime, UNIX_EPOCH},
    };

    use vigil_model::{CommitInfo, Finding, Location, Origin, Secret, Severity};

    use super::*;
    use crate::{options::Options, report::Report, report::ScanInfo};

    const FORMATS: [Format; 4] = [Format::Json, Format::Jsonl, Format::Sarif, Format::Gitlab];

    fn finding(rule: &str, path: &str, line: u32, column: u32, commit: &str) -> Finding {
        Finding {
            rule: Arc::from(rule),
            description: Arc::from(format!("{rule} token")),
            severity: Severity::High,
            tags: Arc::from(vec!["acme".to_owned()]),
            remediation: Some(Arc::from("Revoke it.")),
            remediation_url: Some(Arc::from("https://acme.example/revoke")),
            origin: Arc::new(Origin {
                path: path.into(),
                commit: Some(Arc::new(CommitInfo {
                    id: commit.repeat(40),
                    author_name: "Ada".into(),
                    author_email: "ada@example.com".into(),
                    date: 1_714_564_800,
                })),
            }),
            location: Location {
                line,
                column,
                end_line: line,
                end_column: column + 20,
            },
            secret: Secret::new(format!("acme_{path}_{line}_{column}").into_bytes()),
            entropy: 3.25,
            decoded: vec![],
            fingerprint: format!("{rule}-{path}-{line}-{column}"),
        }
    }

    /// Findings of several changes: one place in several commits, columns in the
    /// opposite order of the commit ids, two findings on one line of one change, odd
    /// paths.
    fn findings() -> Vec<Finding> {
        let mut all = vec![
            finding("acme-key", "app/.env", 2, 30, "a"),
            finding("acme-key", "app/.env", 2, 5, "b"),
            finding("zeta-key", "app/.env", 2, 1, "c"),
            finding("acme-key", "app/.env", 2, 40, "c"),
            finding("acme-key", "app/.env", 7, 1, "a"),
            finding("acme-key", "my dir/ü#x.txt", 1, 1, "d"),
            finding("zeta-key", "/abs/path.txt", 3, 3, "e"),
            finding("acme-key", "z.txt", 1, 1, "b"),
        ];
        all.sort_by(crate::finding_order);
        all
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn info(shard: Option<Shard>, files: u64, errors: &[&str], start: u64, end: u64) -> ScanInfo {
        let mut info = ScanInfo::new("vigil", "0.1.0", at(start));
        info.finished = at(end);
        info.scanned.files = files;
        info.scanned.commits = 9;
        info.errors = errors.iter().map(|e| (*e).to_owned()).collect();
        info.shard = shard;
        info
    }

    fn write(format: Format, info: &ScanInfo, findings: &[Finding]) -> Vec<u8> {
        let mut out = Vec::new();
        format
            .write(&mut out, &Report::new(info, findings), &Options::default())
            .unwrap();
        out
    }

    /// The unit (path, commit) each finding belongs to decides its shard, as
    /// `--shard` splits by change.
    fn split(findings: &[Finding], n: u32) -> Vec<Vec<Finding>> {
        let mut parts = vec![Vec::new(); n as usize];
        for f in findings {
            let unit = format!("{}{}", f.origin.path, f.origin.commit.as_ref().unwrap().id);
            let h = unit
                .bytes()
                .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
            parts[(h % n) as usize].push(f.clone());
        }
        parts
    }

    fn merged(inputs: &[(String, Vec<u8>)]) -> Result<Merged, MergeError> {
        let inputs: Vec<Input<'_>> = inputs
            .iter()
            .map(|(name, bytes)| Input { name, bytes })
            .collect();
        merge(&inputs)
    }

    /// Items not scanned, unsorted, of every reason, with and without a commit, with paths
    /// that sort apart from their messages.
    fn skipped_items() -> Vec<Skipped> {
        let item = |path: &str, commit: Option<&str>, reason| Skipped {
            path: path.into(),
            commit: commit.map(|c| c.repeat(40)),
            reason,
        };
        vec![
            item("z/big.bin", Some("b"), SkipReason::TooLarge),
            item("a b/link", None, SkipReason::Symlink),
            item("z/big.bin", Some("a"), SkipReason::TooLarge),
            item("fifo", None, SkipReason::NotAFile),
            item("a", Some("c"), SkipReason::Unreadable),
            item("a-b", None, SkipReason::TooLarge),
        ]
    }

    fn shard(index: u32, count: u32) -> Option<Shard> {
        Some(Shard { index, count })
    }

    #[test]
    fn shards_merge_into_the_whole_in_every_format() {
        let all = findings();
        for n in [1, 2, 3, 5] {
            let parts = split(&all, n);
            for format in FORMATS {
                let mut whole_info = info(
                    None,
                    10 * u64::from(n),
                    &["a: unreadable", "b: unreadable"],
                    100,
                    160,
                );
                whole_info.skipped = skipped_items();
                whole_info.skipped.sort();
                let whole = write(format, &whole_info, &all);
                let mut inputs: Vec<(String, Vec<u8>)> = parts
                    .iter()
                    .enumerate()
                    .map(|(k, part)| {
                        let k = k as u32;
                        // Shard 1 starts first, the last one ends last.
                        let errors: &[&str] = match k {
                            0 if n > 1 => &["b: unreadable"],
                            0 => &["a: unreadable", "b: unreadable"],
                            1 => &["a: unreadable"],
                            _ => &[],
                        };
                        let mut shard_info = info(
                            shard(k + 1, n),
                            10,
                            errors,
                            100 + u64::from(k),
                            150 + 10 * u64::from(k == n - 1),
                        );
                        // Each item not scanned is in one shard, as its change is.
                        shard_info.skipped = skipped_items()
                            .into_iter()
                            .enumerate()
                            .filter(|(i, _)| *i as u32 % n == k)
                            .map(|(_, s)| s)
                            .collect();
                        shard_info.skipped.sort();
                        let text = write(format, &shard_info, part);
                        (format!("shard-{k}"), text)
                    })
                    .collect();
                inputs.reverse();
                let m = merged(&inputs).unwrap_or_else(|e| panic!("{format:?} n={n}: {e}"));
                assert_eq!(m.format, format);
                assert_eq!(m.findings, all.len());
                assert_eq!(m.shards, n);
                let (got, want) = (
                    String::from_utf8(m.bytes).unwrap(),
                    String::from_utf8(whole).unwrap(),
                );
                assert!(
                    got == want,
                    "{format:?} n={n}:\n{got}\n--- expected:\n{want}"
                );
            }
        }
    }

    #[test]
    fn empty_shards_and_a_clean_scan() {
        for format in FORMATS {
            let whole = write(format, &info(None, 0, &[], 5, 6), &[]);
            let inputs: Vec<(String, Vec<u8>)> = (1..=3)
                .map(|k| {
                    (
                        format!("s{k}"),
                        write(format, &info(shard(k, 3), 0, &[], 5, 6), &[]),
                    )
                })
                .collect();
            let m = merged(&inputs).unwrap();
            assert_eq!(
                String::from_utf8(m.bytes).unwrap(),
                String::from_utf8(whole).unwrap()
            );
            assert_eq!(m.findings, 0);
            assert_ne!(m.complete, Some(false));
        }
    }

    fn error_of(inputs: &[(&str, Vec<u8>)]) -> String {
        let owned: Vec<(String, Vec<u8>)> = inputs
            .iter()
            .map(|(n, b)| ((*n).to_owned(), b.clone()))
            .collect();
        match merged(&owned) {
            Ok(_) => panic!("merged, but should not have"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn what_cannot_be_merged_is_named() {
        let all = findings();
        let parts = split(&all, 2);
        let s = |f: Format, k: u32, n: u32| {
            write(
                f,
                &info(shard(k, n), 1, &[], 1, 2),
                &parts[(k as usize - 1) % 2],
            )
        };
        let e = error_of(&[
            ("a.json", s(Format::Json, 1, 2)),
            ("b.sarif", s(Format::Sarif, 2, 2)),
        ]);
        assert!(
            e.contains("b.sarif is a SARIF report, but a.json is a vigil JSON report"),
            "{e}"
        );
        let e = error_of(&[
            ("a", s(Format::Gitlab, 1, 2)),
            ("b", s(Format::Gitlab, 1, 2)),
        ]);
        assert!(e.contains("b and a both hold shard 1/2"), "{e}");
        let e = error_of(&[("a", s(Format::Jsonl, 1, 3)), ("b", s(Format::Jsonl, 2, 3))]);
        assert!(e.contains("1 shard of 3 missing (3/3)"), "{e}");
        let e = error_of(&[("a", s(Format::Sarif, 1, 2)), ("b", s(Format::Sarif, 2, 3))]);
        assert!(e.contains("b holds shard 2/3 but a holds shard 1/2"), "{e}");
        let unsharded = write(Format::Json, &info(None, 1, &[], 1, 2), &all);
        let e = error_of(&[("whole.json", unsharded)]);
        assert!(e.starts_with("whole.json: names no shard"), "{e}");
        // Two shards of different scans holding one change.
        let other = write(Format::Json, &info(shard(2, 2), 1, &[], 1, 2), &parts[0]);
        let e = error_of(&[("a", s(Format::Json, 1, 2)), ("b", other)]);
        assert!(
            e.contains("both hold findings of one file in one commit"),
            "{e}"
        );
        // Different versions.
        let mut v2 = info(shard(2, 2), 1, &[], 1, 2);
        v2.tool_version = "9.9.9".into();
        for f in [Format::Jsonl, Format::Sarif, Format::Gitlab] {
            let e = error_of(&[("a", s(f, 1, 2)), ("b", write(f, &v2, &parts[1]))]);
            assert!(
                e.contains("b and a were written by different vigil versions"),
                "{f:?}: {e}"
            );
        }
        assert!(matches!(merge(&[]), Err(MergeError::NoInput)));
    }

    #[test]
    fn malformed_input_is_named_without_its_content() {
        let secret = "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"; // vigil:allow (fake)
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (Vec::new(), "empty"),
            (vec![0xff, 0xfe, b'{'], "not UTF-8"),
            (format!("{{\"findings\": [{secret}").into_bytes(), "not JSON (line 1"),
            (format!("[\"{secret}\"]").into_bytes(), "not an object"),
            (format!("{{\"{secret}\": 1}}").into_bytes(), "no known report"),
            (
                format!("{{\"version\": 1, \"shard\": \"1/1\", \"complete\": true, \"errors\": [], \"skipped\": [], \"findings\": [{{\"path\": 5, \"x\": \"{secret}\"}}]}}")
                    .into_bytes(),
                "findings[0].path: expected a string",
            ),
            (
                b"{\"version\": 1, \"shard\": \"1/1\", \"findings\": []}".to_vec(),
                "complete: expected",
            ),
            (
                format!("{{\"version\": 1, \"shard\": \"1/1\", \"complete\": true, \"errors\": [], \"skipped\": [{{\"path\": \"a\", \"reason\": \"{secret}\"}}], \"findings\": []}}")
                    .into_bytes(),
                "skipped[0].reason: not a reason vigil writes",
            ),
            (
                format!("{{\"version\": 1, \"{secret}\": 2, \"findings\": []}}").into_bytes(),
                "a field vigil does not write",
            ),
            (
                format!("{{\"version\": 1, \"shard\": \"{secret}\", \"findings\": []}}").into_bytes(),
                "shard: expected a shard K/N",
            ),
            (
                format!("{{\"type\":\"finding\",\"path\":\"a\",\"line\":1,\"commit\":null}}\n{secret}\n").into_bytes(),
                "line 2, column 1: not JSON",
            ),
            (
                b"{\"type\":\"verdict\",\"commit\":\"abc\"}\n".to_vec(),
                "holds signature verdicts",
            ),
            (
                b"{\"type\":\"finding\",\"path\":\"a\",\"line\":1,\"commit\":null}\n".to_vec(),
                "no summary line",
            ),
        ];
        for (bytes, expected) in cases {
            let e = error_of(&[("r.json", bytes)]);
            assert!(e.starts_with("r.json: ") && e.contains(expected), "{e}");
            assert!(!e.contains("ghp_"), "{e}");
        }
        // A SARIF report of signature verdicts.
        let mut bad = write(Format::Sarif, &info(shard(1, 1), 0, &[], 1, 2), &findings());
        let text = String::from_utf8(bad.clone())
            .unwrap()
            .replace(sarif::FINGERPRINT_KEY, sarif::OBJECT_FINGERPRINT_KEY);
        bad = text.into_bytes();
        let e = error_of(&[("v.sarif", bad)]);
        assert!(
            e.contains("runs[0].results[0]: holds signature verdicts"),
            "{e}"
        );
        // Findings out of order (an older vigil, or an edit).
        let mut reversed = findings();
        reversed.reverse();
        let e = error_of(&[(
            "o.json",
            write(Format::Json, &info(shard(1, 1), 0, &[], 1, 2), &reversed),
        )]);
        assert!(e.contains("out of the order"), "{e}");
    }

    #[test]
    fn cut_and_altered_reports_never_panic() {
        let all = findings();
        for format in FORMATS {
            let good = write(format, &info(shard(1, 1), 1, &["x"], 1, 2), &all);
            for cut in (0..good.len()).step_by(7) {
                let mut bad = good[..cut].to_vec();
                let _ = merged(&[("cut".into(), bad.clone())]);
                // And with one byte changed past the cut.
                bad.extend_from_slice(&good[cut..]);
                bad[cut] = bad[cut].wrapping_add(1);
                let _ = merged(&[("changed".into(), bad)]);
            }
        }
    }

    #[test]
    fn uris_decode_to_paths() {
        for path in ["a/b.txt", "my dir/ü#x", "/tmp/x y", "100%.txt"] {
            let (uri, relative) = sarif::path_uri(path);
            assert_eq!(path_of_uri(&uri, relative).as_deref(), Some(path));
        }
        assert_eq!(path_of_uri("a%2", true), None);
        assert_eq!(path_of_uri("/x", false), None);
    }

    #[test]
    fn shards_parse_strictly() {
        assert_eq!(Shard::parse("2/4"), Some(Shard { index: 2, count: 4 }));
        for bad in [
            "0/4",
            "5/4",
            "1/0",
            "+1/2",
            " 1/2",
            "1/2/3",
            "a/b",
            "",
            "1/99999999999",
        ] {
            assert_eq!(Shard::parse(bad), None, "{bad}");
        }
    }
}
