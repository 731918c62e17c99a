//! A derived view where a name and its value, written on different lines, stand on
//! one line: a YAML block scalar (`db_password: |` then the value), a value on the
//! line under its name (pretty-printed JSON, a YAML plain scalar, an `<key>` and
//! `<string>` pair of a property list), a Terraform variable's `default`, and string
//! literals concatenated one part per line (`"sk_live_…" +`, Python's implicit
//! concatenation in parentheses, a `\` line continuation).
//!
//! Each joined line is built from pieces of the original (the name, the value or the
//! parts of a string), so every byte maps back to the original and a finding is
//! reported where its value stands. All rules scan the view; the detector reports a
//! secret found in both the original and the view once.
//!
//! Only the lines that hold a keyword are looked at, and of those only the ones whose
//! end says a value may follow (`:`, `=`, `(`, `|`, `>`, `+`, `\`, a quote, `{`), so a
//! file without such a line costs one test per keyword line.
use std::ops::Range;

use crate::decode::View;

/// The longest value (all parts of a string together) joined.
const MAX_VALUE: usize = 1024;
/// At most this many string literals are joined into one.
const MAX_PARTS: usize = 32;
/// Lines of a Terraform `variable` block searched for its `default`.
const BLOCK_LINES: usize = 16;
/// Blank lines allowed between a name and its value.
const MAX_BLANK: usize = 2;

/// The joined view of `bytes`, built around the keyword hits `keyword_at` (ascending
/// offsets); `None` when nothing is joined. Its size comes out of `budget`.
pub(crate) fn joined_view(
    bytes: &[u8],
    keyword_at: &[usize],
    budget: &mut usize,
) -> Option<View<'static>> {
    let mut out = Builder::default();
    // The end of the last line looked at: a keyword before it is on a line done.
    let mut done = 0;
    for &at in keyword_at {
        if at < done || out.bytes.len() >= *budget {
            continue;
        }
        let line = line_at(bytes, at);
        done = line.end + 1;
        if let Some(last) = join_line(bytes, &line, &mut out) {
            done = done.max(last + 1);
        }
    }
    if out.bytes.is_empty() || out.bytes.len() > *budget {
        return None;
    }
    *budget -= out.bytes.len();
    Some(View::derived(out.bytes, out.map))
}

/// Joins what line `line` names with its value, if its shape says it has one on
/// the lines below; returns where the last line used ends.
fn join_line(bytes: &[u8], line: &Range<usize>, out: &mut Builder) -> Option<usize> {
    let text = trim_end(bytes, line.clone());
    if text.is_empty() {
        return None;
    }
    let last = bytes[text.end - 1];
    match last {
        b'{' => terraform_variable(bytes, text, out),
        b'|' | b'>' | b'+' | b'-' | b'0'..=b'9' if block_scalar(&bytes[text.clone()]).is_some() => {
            yaml_block(bytes, line, text, out)
        }
        b'>' if bytes[text.clone()].ends_with(b"</key>") => plist_pair(bytes, text, out),
        b':' | b'=' | b'(' | b'>' => value_below(bytes, text, out),
        b'+' | b'\\' | b'"' | b'\'' | b'`' => concatenation(bytes, text, out),
        _ => None,
    }
}

/// `variable "db_password" {` … `default = "…"` … `}`: `db_password = "…"`.
fn terraform_variable(bytes: &[u8], text: Range<usize>, out: &mut Builder) -> Option<usize> {
    let start = text.start + leading_blanks(&bytes[text.clone()]);
    let rest = bytes[start..text.end].strip_prefix(b"variable")?;
    let name_quote = start + b"variable".len() + leading_blanks(rest);
    if name_quote == start + b"variable".len() || bytes.get(name_quote) != Some(&b'"') {
        return None;
    }
    let name = literal(bytes, name_quote)?;
    let after = trim_end(bytes, name.end + 1..text.end);
    if after.is_empty() || !bytes[after].iter().all(|&b| is_blank(b) || b == b'{') {
        return None;
    }
    let mut line = next_line(bytes, text.end)?;
    for _ in 0..BLOCK_LINES {
        let body = trim(bytes, line.clone());
        let here = &bytes[body.clone()];
        if here == b"}" {
            return None;
        }
        if let Some(rest) = here.strip_prefix(b"default") {
            let eq = leading_blanks(rest);
            if rest.get(eq) == Some(&b'=') {
                let quote = body.start + b"default".len() + eq + 1;
                let quote = quote + leading_blanks(&bytes[quote..body.end]);
                let value = literal(bytes, quote)?;
                out.orig(bytes, name);
                out.lit(b" = \"", value.start);
                out.orig(bytes, value.clone());
                out.lit(b"\"\n", value.end.saturating_sub(1).max(value.start));
                return Some(line.end);
            }
        }
        line = next_line(bytes, line.end)?;
    }
    None
}

/// The offset of the `:` before a YAML block scalar indicator (`|`, `|-`, `>+`,
/// `|2`) that ends `text`.
fn block_scalar(text: &[u8]) -> Option<usize> {
    let mut i = text.len();
    // At most an indentation digit and a chomping indicator, in either order.
    let mut modifiers = 0;
    while i > 0 && modifiers < 2 && matches!(text[i - 1], b'+' | b'-' | b'1'..=b'9') {
        i -= 1;
        modifiers += 1;
    }
    if i == 0 || !matches!(text[i - 1], b'|' | b'>') {
        return None;
    }
    i -= 1;
    let blanks = text[..i].iter().rev().take_while(|&&b| is_blank(b)).count();
    if blanks == 0 || i <= blanks {
        return None;
    }
    let colon = i - blanks - 1;
    (text[colon] == b':').then_some(colon)
}

/// `key: |` and one more indented line: `key: value`. A block of several lines is a
/// document, a key or a certificate, not a value the generic rules could judge.
fn yaml_block(
    bytes: &[u8],
    line: &Range<usize>,
    text: Range<usize>,
    out: &mut Builder,
) -> Option<usize> {
    let colon = text.start + block_scalar(&bytes[text.clone()])?;
    let indent = leading_blanks(&bytes[line.clone()]);
    let mut value = None;
    let mut end = text.end;
    let mut next = next_line(bytes, text.end);
    while let Some(l) = next {
        let here = &bytes[l.clone()];
        let blank = here.iter().all(|&b| is_blank(b) || b == b'\r');
        if !blank {
            if leading_blanks(here) <= indent {
                break;
            }
            if value.is_some() {
                return None;
            }
            value = Some(trim(bytes, l.clone()));
        }
        end = l.end;
        next = next_line(bytes, l.end);
    }
    let value = value.filter(|v| !v.is_empty() && v.len() <= MAX_VALUE)?;
    out.orig(bytes, line.start..colon + 1);
    out.lit(b" ", value.start);
    out.end_with(bytes, value);
    Some(end)
}

/// `<key>Password</key>` then `<string>…</string>`: `Password: …`.
fn plist_pair(bytes: &[u8], text: Range<usize>, out: &mut Builder) -> Option<usize> {
    let key = trim(bytes, text.clone());
    let name = bytes[key.clone()]
        .strip_prefix(b"<key>")?
        .strip_suffix(b"</key>")?;
    let name = key.start + 5..key.start + 5 + name.len();
    let below = next_nonblank(bytes, text.end)?;
    let value = trim(bytes, below.clone());
    let inner = bytes[value.clone()]
        .strip_prefix(b"<string>")?
        .strip_suffix(b"</string>")?;
    if inner.is_empty() || inner.len() > MAX_VALUE {
        return None;
    }
    let inner = value.start + 8..value.start + 8 + inner.len();
    out.orig(bytes, name);
    out.lit(b": ", inner.start);
    out.end_with(bytes, inner);
    Some(below.end)
}

/// A line that ends with an assignment (`"password":`, `apiKey =`, `key = (`) and a
/// value alone on the next line: a string (maybe concatenated on), or a YAML plain
/// scalar under a bare `key:`.
fn value_below(bytes: &[u8], text: Range<usize>, out: &mut Builder) -> Option<usize> {
    let below = next_nonblank(bytes, text.end)?;
    let value = trim(bytes, below.clone());
    let first = *bytes.get(value.start)?;
    let here = &bytes[text.clone()];
    if is_quote(first) {
        // The name line without an opening parenthesis, then the value.
        let mut name = text;
        if here.ends_with(b"(") {
            name = trim_end(bytes, name.start..name.end - 1);
        }
        if !matches!(
            bytes.get(name.end.wrapping_sub(1)),
            Some(b':' | b'=' | b'>')
        ) {
            return None;
        }
        let parts = chain(bytes, value.start)?;
        out.orig(bytes, name);
        out.lit(b" ", value.start);
        return Some(out.string(bytes, value.start, &parts));
    }
    // `key:` alone (YAML), and under it one plain word.
    if !(here.ends_with(b":") && is_bare_key(&bytes[trim(bytes, text.clone())])) {
        return None;
    }
    let word = &bytes[value.clone()];
    let plain = !word.is_empty()
        && word.len() <= MAX_VALUE
        && leading_blanks(&bytes[below.clone()]) > leading_blanks(here)
        && !matches!(
            word[0],
            b'-' | b'#' | b'!' | b'&' | b'*' | b'|' | b'>' | b'{' | b'['
        )
        && !word.ends_with(b":")
        && !word
            .iter()
            .any(|&b| is_blank(b) || matches!(b, b'(' | b')' | b'=' | b'<'));
    if !plain {
        return None;
    }
    out.orig(bytes, trim_end(bytes, text));
    out.lit(b" ", value.start);
    out.end_with(bytes, value);
    Some(below.end)
}

/// A YAML key alone: `password`, `"db.password"`, `- api_key`, each then `:`.
fn is_bare_key(text: &[u8]) -> bool {
    let Some(key) = text.strip_suffix(b":") else {
        return false;
    };
    let key = key.strip_prefix(b"- ").unwrap_or(key);
    let key = match key {
        [q, inner @ .., r] if is_quote(*q) && q == r => inner,
        _ => key,
    };
    !key.is_empty()
        && key
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// String literals on this line that go on over the next: `"sk_live_…" +`, a `\`
/// continuation, or the next line starting with `+` or another string.
fn concatenation(bytes: &[u8], text: Range<usize>, out: &mut Builder) -> Option<usize> {
    // The literal that ends the line (with the `+` or `\` after it)...
    let mut close = text.end;
    while close > text.start && matches!(bytes[close - 1], b'+' | b'\\' | b' ' | b'\t') {
        close -= 1;
    }
    let q = *bytes.get(close.checked_sub(1)?)?;
    if close <= text.start || !is_quote(q) {
        return None;
    }
    // ...and the ones before it on the line, joined by `+`: back to the first.
    let mut open = open_quote(bytes, text.start, close - 1)?;
    for _ in 0..MAX_PARTS {
        let mut i = open;
        while i > text.start && is_blank(bytes[i - 1]) {
            i -= 1;
        }
        if i == text.start || bytes[i - 1] != b'+' {
            break;
        }
        i -= 1;
        while i > text.start && is_blank(bytes[i - 1]) {
            i -= 1;
        }
        match bytes.get(i.wrapping_sub(1)) {
            Some(&c) if is_quote(c) && i - 1 > text.start => {
                match open_quote(bytes, text.start, i - 1) {
                    Some(o) => open = o,
                    None => break,
                }
            }
            _ => break,
        }
    }
    let parts = chain(bytes, open)?;
    let last = parts.last()?;
    // Only a string that goes on past this line: one on a line is the original's.
    if last.end <= text.end {
        return None;
    }
    out.orig(bytes, text.start..open);
    Some(out.string(bytes, open, &parts))
}

/// Where the literal that closes at `close` (a quote) opens, on the same line.
fn open_quote(bytes: &[u8], line_start: usize, close: usize) -> Option<usize> {
    let q = bytes[close];
    let mut i = close;
    while i > line_start {
        i -= 1;
        let escaped = i > line_start && bytes[i - 1] == b'\\';
        if bytes[i] == q && !escaped {
            return Some(i);
        }
    }
    None
}

/// The string literal opening at `at` (a quote): the range of its content, on one
/// line; `None` when it does not close there.
fn literal(bytes: &[u8], at: usize) -> Option<Range<usize>> {
    let q = *bytes.get(at)?;
    let mut i = at + 1;
    while i < bytes.len() && i - at <= MAX_VALUE {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            b if b == q => return Some(at + 1..i),
            _ => i += 1,
        }
    }
    None
}

/// The literals joined from the one opening at `at`: each next one follows a `+`, a
/// line break or a `\` continuation (never two line breaks), maybe with a one-letter
/// prefix (`f"`, `@"`). The contents' ranges, at least one.
fn chain(bytes: &[u8], at: usize) -> Option<Vec<Range<usize>>> {
    let mut parts = vec![literal(bytes, at)?];
    let mut total = parts[0].len();
    while parts.len() < MAX_PARTS {
        let mut i = parts.last()?.end + 1;
        let (mut plus, mut breaks) = (false, 0);
        loop {
            match bytes.get(i) {
                Some(b' ' | b'\t' | b'\r') => i += 1,
                Some(b'+') if !plus && bytes.get(i + 1) != Some(&b'+') => {
                    plus = true;
                    i += 1;
                }
                Some(b'\\') if matches!(bytes.get(i + 1), Some(b'\n' | b'\r')) => i += 1,
                Some(b'\n') if breaks == 0 => {
                    breaks += 1;
                    i += 1;
                }
                _ => break,
            }
        }
        if !plus && breaks == 0 {
            break;
        }
        if matches!(bytes.get(i), Some(b'f' | b'r' | b'b' | b'u' | b'@' | b'$'))
            && bytes.get(i + 1).is_some_and(|&q| is_quote(q))
        {
            i += 1;
        }
        let next = match bytes.get(i) {
            Some(&q) if is_quote(q) => literal(bytes, i),
            _ => None,
        };
        let Some(next) = next else { break };
        total += next.len();
        if total > MAX_VALUE {
            return None;
        }
        parts.push(next);
    }
    Some(parts)
}

/// Pieces of the view, each byte with its offset in the original.
#[derive(Default)]
struct Builder {
    bytes: Vec<u8>,
    map: Vec<usize>,
}

impl Builder {
    fn orig(&mut self, bytes: &[u8], range: Range<usize>) {
        self.bytes.extend_from_slice(&bytes[range.clone()]);
        self.map.extend(range);
    }

    /// Bytes that stand in no place of the original, mapped to `at`.
    fn lit(&mut self, text: &[u8], at: usize) {
        self.bytes.extend_from_slice(text);
        self.map.extend(std::iter::repeat_n(at, text.len()));
    }

    /// `range` of the original, then the end of the joined line.
    fn end_with(&mut self, bytes: &[u8], range: Range<usize>) {
        let last = range.end.saturating_sub(1).max(range.start);
        self.orig(bytes, range);
        self.lit(b"\n", last);
    }

    /// The literals `parts` (the first opening at `open`) as one string, and what
    /// follows the last on its line; returns where that line ends.
    fn string(&mut self, bytes: &[u8], open: usize, parts: &[Range<usize>]) -> usize {
        self.orig(bytes, open..open + 1);
        for p in parts {
            self.orig(bytes, p.clone());
        }
        let close = parts.last().map_or(open + 1, |p| p.end);
        let end = line_at(bytes, close).end;
        self.end_with(bytes, trim_end(bytes, close..end));
        end
    }
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn leading_blanks(text: &[u8]) -> usize {
    text.iter().take_while(|&&b| is_blank(b)).count()
}

/// The line holding `at`, without its line break.
fn line_at(bytes: &[u8], at: usize) -> Range<usize> {
    let at = at.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    start..end
}

/// The line after the one that holds `end` (its end, or a blank or carriage return
/// before it).
fn next_line(bytes: &[u8], end: usize) -> Option<Range<usize>> {
    let end = line_at(bytes, end).end;
    let start = end.checked_add(1).filter(|&s| s <= bytes.len())?;
    (bytes.get(end) == Some(&b'\n')).then(|| line_at(bytes, start))
}

/// The first line with something on it after the one that ends at `end`, past at
/// most `MAX_BLANK` blank lines.
fn next_nonblank(bytes: &[u8], end: usize) -> Option<Range<usize>> {
    let mut line = next_line(bytes, end)?;
    for _ in 0..MAX_BLANK {
        if !trim(bytes, line.clone()).is_empty() {
            break;
        }
        line = next_line(bytes, line.end)?;
    }
    (!trim(bytes, line.clone()).is_empty()).then_some(line)
}

/// `range` without the blanks and carriage return at its end.
fn trim_end(bytes: &[u8], range: Range<usize>) -> Range<usize> {
    let mut end = range.end;
    while end > range.start && matches!(bytes[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    range.start..end
}

/// `range` without blanks at either end.
fn trim(bytes: &[u8], range: Range<usize>) -> Range<usize> {
    let range = trim_end(bytes, range);
    let start = range.start + leading_blanks(&bytes[range.clone()]);
    start..range.end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The joined lines of `text`, looking at every line.
    fn joined(text: &str) -> String {
        let bytes = text.as_bytes();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1))
            .filter(|&i| i < bytes.len())
            .collect();
        let mut budget = usize::MAX;
        joined_view(bytes, &starts, &mut budget)
            .map(|v| String::from_utf8_lossy(v.bytes()).into_owned())
            .unwrap_or_default()
    }

    #[test]
    fn block_scalars() {
        assert_eq!(
            joined("a:\n  db_password: |\n    S3cr3tValue\n"),
            "  db_password: S3cr3tValue\n"
        );
        for indicator in ["|-", ">", ">-", "|2", "|+", "|-2"] {
            let text = format!("db_password: {indicator}\n  S3cr3tValue\nnext: 1\n");
            assert_eq!(joined(&text), "db_password: S3cr3tValue\n", "{indicator}");
        }
        // Several lines: not one value.
        assert_eq!(joined("key: |\n  line one\n  line two\n"), "");
        // Not more indented: an empty block.
        assert_eq!(joined("  key: |\n  other: x\n"), "");
        assert_eq!(joined("cmd: a || b\n  x\n"), "");
    }

    #[test]
    fn a_value_under_its_name() {
        assert_eq!(
            joined("{\n  \"password\":\n    \"S3cr3tValue\",\n}"),
            "  \"password\": \"S3cr3tValue\",\n"
        );
        assert_eq!(
            joined("password:\n  S3cr3tValue\n"),
            "password: S3cr3tValue\n"
        );
        // Python's block colon, a mapping below, a word not indented: none.
        assert_eq!(joined("if token:\n    return x\n"), "");
        assert_eq!(joined("password:\n  value: x\n"), "");
        assert_eq!(joined("password:\nS3cr3tValue\n"), "");
        assert_eq!(
            joined("<key>Password</key>\n<string>S3cr3tValue</string>\n"),
            "Password: S3cr3tValue\n"
        );
    }

    #[test]
    fn terraform_variables() {
        let tf = "variable \"db_password\" {\n  type = string\n  sensitive = true\n  default = \"S3cr3tValue\"\n}\n";
        assert_eq!(joined(tf), "db_password = \"S3cr3tValue\"\n");
        assert_eq!(
            joined("variable \"x\" {\n}\ndefault = \"S3cr3tValue\"\n"),
            ""
        );
    }

    #[test]
    fn concatenations() {
        let java = "String apiKey = \"sk_live_4eC39\" +\n    \"DarjtT1zdp7dc\";\n";
        assert_eq!(
            joined(java),
            "String apiKey = \"sk_live_4eC39DarjtT1zdp7dc\";\n"
        );
        let py = "key = (\n    \"abc\"\n    \"def\"\n)\n";
        assert_eq!(joined(py), "key = \"abcdef\"\n");
        let cont = "key = \"abc\" \\\n  \"def\"\n";
        assert_eq!(joined(cont), "key = \"abcdef\"\n");
        let same_line_first = "k = \"a\" + \"b\" +\n \"c\"\n";
        assert_eq!(joined(same_line_first), "k = \"abc\"\n");
        // On one line: the original has it.
        assert_eq!(joined("k = \"a\" + \"b\"\n"), "");
        // A blank line ends a string.
        assert_eq!(joined("k = \"a\" +\n\n \"b\"\n"), "");
    }

    #[test]
    fn the_view_maps_back() {
        let text = "String apiKey = \"sk_live_4eC39\" +\n    \"DarjtT1zdp7dc\";\n";
        let mut budget = usize::MAX;
        let view =
            joined_view(text.as_bytes(), &[0], &mut budget).unwrap_or_else(|| View::root(b""));
        let at = view.bytes().iter().position(|&b| b == b'D').unwrap_or(0);
        let (start, _) = view.original_span(at, at + 1);
        assert_eq!(&text[start..start + 1], "D");
        assert!(start > text.find('\n').unwrap_or(0));
        assert!(budget < usize::MAX);
    }

    #[test]
    fn bounded_on_hostile_input() {
        // A long line of quotes and pluses, then a break: linear, bounded.
        let mut text = "k = ".to_string();
        text.push_str(&"\"a\" + ".repeat(100_000));
        text.push_str("\"b\" +\n\"c\"\n");
        let out = joined(&text);
        assert!(out.len() <= 2 * MAX_VALUE + 1_000_000);
        let mut budget = 10;
        assert!(joined_view(b"password:\n  S3cr3tValue\n", &[0], &mut budget).is_none());
    }
}
