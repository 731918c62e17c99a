//! Archives opened in memory: zip (and the formats built on it: jar, war, ear, whl,
//! nupkg, …), tar, and gzip (`.gz`, `.tar.gz`, `.tgz`). Each regular file inside is
//! handed to the caller under the name `archive.zip!inner/path` (nested:
//! `a.zip!b.jar!c.properties`), to be scanned as a file would be. Nothing is ever
//! written to disk: entry names are only names.
//!
//! An archive is recognised by its first bytes (not its name), and only when its
//! content is binary, so a text file never pays for more than a few comparisons.
//! Expansion is bounded: every entry is read through a size-limited reader (declared
//! sizes are not trusted), the bytes expanded from one top-level archive have a budget,
//! nested archives a depth and each archive a number of entries. Past a limit the rest
//! is reported as a [`Problem::Limit`], never expanded.
use std::io::{Cursor, Read};

/// Archives nested in each other that are opened: the top-level one is level 1; an
/// archive found at a deeper level is reported and not opened.
pub const MAX_DEPTH: usize = 4;
/// Entries read from one archive; the rest is reported and not read.
pub const MAX_ENTRIES: usize = 10_000;
/// Bytes that one top-level archive (with all the archives inside it) may expand to:
/// [`EXPANSION_RATIO`] times its own size, at least [`MIN_EXPANDED`] and at most
/// [`MAX_EXPANDED`].
pub const MIN_EXPANDED: u64 = 64 << 20;
pub const EXPANSION_RATIO: u64 = 16;
pub const MAX_EXPANDED: u64 = 256 << 20;
/// Characters of one entry's name kept in a path (a longer name is cut, marked `…`).
const MAX_NAME: usize = 256;

/// The kinds of archive opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Zip,
    Tar,
    Gzip,
}

/// What stopped part of an archive from being scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// A limit was reached (expanded size, entries, depth): the rest is not scanned.
    Limit(String),
    /// The archive (or an entry) could not be read: truncated, corrupt, encrypted, or
    /// compressed with a method vigil does not read.
    Corrupt(String),
}

/// One item met while expanding.
pub(crate) enum Item<'a> {
    /// A regular file's content (at most the entry size limit plus one byte: more
    /// means it is larger than the limit).
    File { path: &'a str, bytes: &'a [u8] },
    /// Part of the archive at `path` that was not scanned.
    Problem { path: &'a str, problem: Problem },
}

/// The archive `bytes` are, if they are one, by their first bytes: magic bytes that
/// hold control characters no text starts with (zip, gzip), or a tar header whose
/// checksum holds (text may well have `ustar` at byte 257, as in "custard").
pub(crate) fn detect(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"PK\x03\x04") {
        Some(Kind::Zip)
    } else if bytes.starts_with(&[0x1f, 0x8b, 0x08]) {
        Some(Kind::Gzip)
    } else if tar_header(bytes) {
        Some(Kind::Tar)
    } else {
        None
    }
}

/// A POSIX or GNU tar header: `ustar` at byte 257 and the header's checksum (bytes
/// 148 to 155, octal: the sum of the header's bytes, the checksum's own read as spaces).
fn tar_header(bytes: &[u8]) -> bool {
    let Some(header) = bytes.get(..512) else {
        return false;
    };
    if &header[257..262] != b"ustar" {
        return false;
    }
    let field = &header[148..156];
    let digits = field
        .iter()
        .skip_while(|&&c| c == b' ')
        .take_while(|c| (b'0'..=b'7').contains(*c));
    let mut stored = 0u32;
    let mut any = false;
    for &d in digits {
        stored = stored.saturating_mul(8).saturating_add(u32::from(d - b'0'));
        any = true;
    }
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(c)
            }
        })
        .sum();
    any && stored == sum
}

/// Expands the archive `bytes` (found at `path`, of `kind`), handing each regular file
/// inside, and each part not scanned, to `visit`. An entry is read up to `max_entry`
/// bytes (plus one, to tell it is larger).
pub(crate) fn expand(
    path: &str,
    bytes: &[u8],
    kind: Kind,
    max_entry: u64,
    visit: &mut dyn FnMut(Item<'_>),
) {
    let budget = (bytes.len() as u64)
        .saturating_mul(EXPANSION_RATIO)
        .clamp(MIN_EXPANDED, MAX_EXPANDED);
    let mut x = Expander {
        max_entry,
        budget,
        left: budget,
        top: path,
        visit,
    };
    let _ = x.archive(kind, path, bytes, 1);
}

/// The expansion budget is spent: nothing more is read from the top-level archive.
struct Stop;

struct Expander<'v, 't> {
    max_entry: u64,
    budget: u64,
    left: u64,
    top: &'t str,
    visit: &'v mut dyn FnMut(Item<'_>),
}

impl Expander<'_, '_> {
    fn problem(&mut self, path: &str, problem: Problem) {
        (self.visit)(Item::Problem { path, problem });
    }

    fn archive(&mut self, kind: Kind, path: &str, bytes: &[u8], depth: usize) -> Result<(), Stop> {
        match kind {
            Kind::Zip => self.zip(path, bytes, depth),
            Kind::Tar => self.tar(path, bytes, depth),
            Kind::Gzip => self.gzip(path, bytes, depth),
        }
    }

    /// Reads `reader` within the entry limit and the budget left. `Ok(None)` when the
    /// reader failed (reported); `Err(Stop)` when the budget is spent (reported).
    fn read(&mut self, path: &str, reader: &mut dyn Read) -> Result<Option<Vec<u8>>, Stop> {
        let within = self.max_entry.min(self.left);
        let mut out = Vec::new();
        if let Err(e) = reader.take(within.saturating_add(1)).read_to_end(&mut out) {
            self.problem(path, Problem::Corrupt(format!("cannot be read: {e}")));
            return Ok(None);
        }
        let len = out.len() as u64;
        if len > self.left {
            let top = self.top.to_owned();
            self.problem(
                &top,
                Problem::Limit(format!(
                    "expands to more than {} (the limit for one archive): the rest is not scanned",
                    crate::input::human_size(self.budget)
                )),
            );
            return Err(Stop);
        }
        self.left -= len;
        Ok(Some(out))
    }

    /// One file found inside an archive, at nesting level `depth`: an archive is
    /// opened (below the depth limit), anything else is handed on.
    fn entry(&mut self, path: &str, bytes: &[u8], depth: usize) -> Result<(), Stop> {
        if bytes.len() as u64 <= self.max_entry {
            if let Some(kind) = detect(bytes) {
                if depth >= MAX_DEPTH {
                    self.problem(
                        path,
                        Problem::Limit(format!(
                            "an archive nested more than {MAX_DEPTH} levels deep: not opened"
                        )),
                    );
                    return Ok(());
                }
                return self.archive(kind, path, bytes, depth + 1);
            }
        }
        (self.visit)(Item::File { path, bytes });
        Ok(())
    }

    fn too_many(&mut self, path: &str) {
        self.problem(
            path,
            Problem::Limit(format!(
                "holds more than {MAX_ENTRIES} entries: the rest is not scanned"
            )),
        );
    }

    fn zip(&mut self, path: &str, bytes: &[u8], depth: usize) -> Result<(), Stop> {
        let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(a) => a,
            Err(e) => {
                self.problem(
                    path,
                    Problem::Corrupt(format!("not a readable zip archive: {e}")),
                );
                return Ok(());
            }
        };
        for i in 0..archive.len() {
            if i == MAX_ENTRIES {
                self.too_many(path);
                break;
            }
            let name = match archive.name_for_index(i) {
                Some(Ok(n)) => name_in(n.as_bytes()),
                _ => format!("(entry {i})"),
            };
            let inner = format!("{path}!{name}");
            let mut file = match archive.by_index(i) {
                Ok(f) => f,
                Err(e) => {
                    self.problem(&inner, Problem::Corrupt(format!("cannot be read: {e}")));
                    continue;
                }
            };
            if !file.is_file() || file.is_symlink() {
                continue;
            }
            let Some(content) = self.read(&inner, &mut file)? else {
                continue;
            };
            drop(file);
            self.entry(&inner, &content, depth)?;
        }
        Ok(())
    }

    fn tar(&mut self, path: &str, bytes: &[u8], depth: usize) -> Result<(), Stop> {
        let mut archive = tar::Archive::new(Cursor::new(bytes));
        let entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => {
                self.problem(
                    path,
                    Problem::Corrupt(format!("not a readable tar archive: {e}")),
                );
                return Ok(());
            }
        };
        for (i, entry) in entries.enumerate() {
            if i == MAX_ENTRIES {
                self.too_many(path);
                break;
            }
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.problem(
                        path,
                        Problem::Corrupt(format!("not a readable tar archive: {e}")),
                    );
                    break;
                }
            };
            let kind = entry.header().entry_type();
            if !(kind.is_file() || kind.is_contiguous()) {
                continue;
            }
            let inner = format!("{path}!{}", name_in(&entry.path_bytes()));
            let Some(content) = self.read(&inner, &mut entry)? else {
                continue;
            };
            self.entry(&inner, &content, depth)?;
        }
        Ok(())
    }

    /// A gzip stream holds one file: a tar (`.tar.gz`, `.tgz`), whose entries are
    /// named as the gzip's own (`a.tgz!dir/file`), or any other file, named by the
    /// gzip header or, without one, by the archive's name less `.gz`.
    fn gzip(&mut self, path: &str, bytes: &[u8], depth: usize) -> Result<(), Stop> {
        let mut decoder = flate2::read::MultiGzDecoder::new(bytes);
        let Some(content) = self.read(path, &mut decoder)? else {
            return Ok(());
        };
        if content.len() as u64 <= self.max_entry && detect(&content) == Some(Kind::Tar) {
            return self.tar(path, &content, depth);
        }
        let name = match decoder.header().and_then(|h| h.filename()) {
            Some(n) if !n.is_empty() => name_in(n),
            _ => {
                let last = path.rsplit(['/', '!']).next().unwrap_or(path);
                last.strip_suffix(".gz")
                    .or_else(|| last.strip_suffix(".GZ"))
                    .filter(|n| !n.is_empty())
                    .unwrap_or(last)
                    .to_owned()
            }
        };
        self.entry(&format!("{path}!{name}"), &content, depth)
    }
}

/// An entry's name as a path may show it: control characters escaped (`\x1b`), cut
/// past [`MAX_NAME`] characters. A name is never used to open or write anything.
fn name_in(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == MAX_NAME {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        out.push_str("(no name)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, data) in entries {
            w.start_file(*name, options).expect("in memory");
            w.write_all(data).expect("in memory");
        }
        w.finish().expect("in memory").into_inner()
    }

    fn items(path: &str, bytes: &[u8], max_entry: u64) -> Vec<(String, Result<Vec<u8>, Problem>)> {
        let mut out = Vec::new();
        let kind = detect(bytes).expect("an archive");
        expand(path, bytes, kind, max_entry, &mut |item| match item {
            Item::File { path, bytes } => out.push((path.to_owned(), Ok(bytes.to_vec()))),
            Item::Problem { path, problem } => out.push((path.to_owned(), Err(problem))),
        });
        out
    }

    #[test]
    fn nested_entries_are_named_with_bangs() {
        let inner = zip_of(&[("c/d.properties", b"key=value\n")]);
        let outer = zip_of(&[("b.jar", &inner), ("e.txt", b"text\n")]);
        let got = items("a.zip", &outer, 1 << 20);
        assert_eq!(
            got,
            vec![
                (
                    "a.zip!b.jar!c/d.properties".to_owned(),
                    Ok(b"key=value\n".to_vec())
                ),
                ("a.zip!e.txt".to_owned(), Ok(b"text\n".to_vec())),
            ]
        );
    }

    #[test]
    fn gzip_takes_its_inner_name_and_opens_a_tar() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"a=b\n\0").expect("in memory");
        let gz = gz.finish().expect("in memory");
        let got = items("dump.sql.gz", &gz, 1 << 20);
        assert_eq!(
            got,
            vec![("dump.sql.gz!dump.sql".to_owned(), Ok(b"a=b\n\0".to_vec()))]
        );

        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(4);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, "x/y.env", &b"k=v\n"[..])
            .expect("in memory");
        let tar = tar.into_inner().expect("in memory");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).expect("in memory");
        let tgz = gz.finish().expect("in memory");
        let got = items("a.tgz", &tgz, 1 << 20);
        assert_eq!(
            got,
            vec![("a.tgz!x/y.env".to_owned(), Ok(b"k=v\n".to_vec()))]
        );
    }

    #[test]
    fn depth_is_bounded() {
        let mut z = zip_of(&[("s.txt", b"deep\n")]);
        for level in 0..MAX_DEPTH {
            z = zip_of(&[(&format!("l{level}.zip"), &z)]);
        }
        let got = items("top.zip", &z, 1 << 20);
        assert_eq!(got.len(), 1);
        assert!(
            matches!(&got[0].1, Err(Problem::Limit(m)) if m.contains("nested")),
            "{got:?}"
        );
        assert_eq!(got[0].0, "top.zip!l3.zip!l2.zip!l1.zip!l0.zip");
    }

    #[test]
    fn a_bomb_stops_at_the_budget() {
        // One entry of zeros deflated: 1 GiB declared nowhere, read until the budget.
        let mut zeros = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let block = vec![0u8; 1 << 20];
        for _ in 0..(MIN_EXPANDED >> 20) + 8 {
            zeros.write_all(&block).expect("in memory");
        }
        let gz = zeros.finish().expect("in memory");
        assert!(gz.len() < 200 << 10, "{}", gz.len());
        let got = items("bomb.gz", &gz, u64::MAX);
        assert_eq!(got.len(), 1);
        assert!(
            matches!(&got[0].1, Err(Problem::Limit(m)) if m.contains("64 MiB")),
            "{got:?}"
        );
    }

    #[test]
    fn corrupt_archives_are_problems_not_panics() {
        let z = zip_of(&[("a.txt", b"hello\n")]);
        for cut in [10, 30, z.len() - 5] {
            let got = items("t.zip", &z[..cut], 1 << 20);
            assert!(
                got.iter()
                    .any(|(_, r)| matches!(r, Err(Problem::Corrupt(_)))),
                "{cut}: {got:?}"
            );
        }
        let got = items("bad.gz", b"\x1f\x8b\x08\0\0\0\0\0\0\x03garbage", 1 << 20);
        assert!(
            matches!(&got[..], [(_, Err(Problem::Corrupt(_)))]),
            "{got:?}"
        );
    }

    /// Damaged archives of each kind (bytes flipped, cut, repeated) never panic and
    /// never hand on more than the limits allow.
    #[test]
    fn damaged_archives_never_panic() {
        let inner = zip_of(&[("c/d.properties", b"key=value\n")]);
        let zip = zip_of(&[("b.jar", &inner), ("e.txt", b"text\n")]);
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(zip.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, "x/y.zip", &zip[..])
            .expect("in memory");
        let tar = tar.into_inner().expect("in memory");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).expect("in memory");
        let tgz = gz.finish().expect("in memory");
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for original in [&zip, &tar, &tgz] {
            for _ in 0..300 {
                let mut bytes = original.clone();
                // Keep the magic bytes, so the damage reaches the parsers.
                for _ in 0..1 + next() % 4 {
                    let at = 4 + (next() % (bytes.len() as u64 - 4)) as usize;
                    match next() % 3 {
                        0 => bytes[at] ^= 1 << (next() % 8),
                        1 => bytes[at] = 0xff,
                        _ => bytes.truncate(at.max(5)),
                    }
                    if bytes.len() <= 5 {
                        break;
                    }
                }
                let Some(kind) = detect(&bytes) else {
                    continue;
                };
                let mut handed = 0u64;
                expand("t", &bytes, kind, 1 << 16, &mut |item| {
                    if let Item::File { bytes, .. } = item {
                        handed += bytes.len() as u64;
                    }
                });
                assert!(handed <= MIN_EXPANDED);
            }
        }
    }

    #[test]
    fn names_are_escaped_and_cut() {
        assert_eq!(name_in(b"../a\x1b[31m\n"), "../a\\x1b[31m\\x0a");
        let long = "x".repeat(1000);
        assert_eq!(name_in(long.as_bytes()).chars().count(), MAX_NAME + 1);
        assert_eq!(name_in(b""), "(no name)");
    }

    #[test]
    fn text_is_never_a_tar() {
        let mut t = vec![b'a'; 600];
        t[257..262].copy_from_slice(b"ustar");
        assert_eq!(detect(&t), None);
    }
}
