//! Reading an input whole: every file vigil reads into memory (configuration, baseline,
//! keys, keyrings, allowed_signers, reports, imports) comes through here.
//!
//! - **Bounded**: at most [`max_input_size`] bytes (16 MiB unless the front-end raised
//!   it, e.g. `--max-input-size` or `VIGIL_MAX_INPUT_SIZE`). The size on disk is not
//!   trusted (`/proc` files say 0): at most one byte past the limit is read, and a file
//!   that yields it is refused.
//! - **Regular files only**: a FIFO would block, a device never ends (`/dev/zero`), a
//!   folder is a mistake; each is refused before it is opened, naming what it is.
//! - **Confined** ([`confine`]): a file that a repository's configuration names, or that
//!   vigil finds in a repository on its own (`.vigil.toml`, `.gitleaks.toml`,
//!   `.gitleaksignore`), must stay inside the repository: no absolute path, no `..` out,
//!   no symbolic link leading out. Files named on the command line may be anywhere.
use std::{
    fmt,
    fs::File,
    io::Read,
    path::{Component, Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

/// The limit on an input read whole, unless raised.
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 16 << 20;

/// How to raise the limit, as errors say it (the CLI's flag and environment variable).
pub const RAISE_HINT: &str = "raise it with --max-input-size SIZE or VIGIL_MAX_INPUT_SIZE";

static MAX_INPUT_SIZE: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_SIZE);

/// Sets the limit for this process (the front-end does it once, from its flag).
pub fn set_max_input_size(bytes: u64) {
    MAX_INPUT_SIZE.store(bytes, Ordering::Relaxed);
}

/// The limit in force.
pub fn max_input_size() -> u64 {
    MAX_INPUT_SIZE.load(Ordering::Relaxed)
}

/// Why an input was not read; each names the file and the rule.
#[derive(Debug)]
pub enum InputError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Missing {
        path: PathBuf,
    },
    NotRegular {
        path: PathBuf,
        kind: &'static str,
    },
    TooLarge {
        path: PathBuf,
        limit: u64,
    },
    NotText {
        path: PathBuf,
    },
    /// A file vigil found on its own links out of its repository.
    LinkOut {
        path: PathBuf,
    },
    /// A file a configuration names (`by`) breaks a confinement rule.
    Outside {
        path: String,
        by: String,
        rule: Confinement,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Io { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            InputError::Outside { path, .. } => write!(f, "{path} {}", self.reason()),
            InputError::Missing { path }
            | InputError::NotRegular { path, .. }
            | InputError::TooLarge { path, .. }
            | InputError::NotText { path }
            | InputError::LinkOut { path } => write!(f, "{}: {}", path.display(), self.reason()),
        }
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InputError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl InputError {
    /// What is wrong, without the file's name (for a message that names it already).
    pub fn reason(&self) -> String {
        match self {
            InputError::Io { source, .. } => source.to_string(),
            InputError::Missing { .. } => "no such file".into(),
            InputError::NotRegular { kind, .. } => {
                format!("not a regular file ({kind}); vigil reads only regular files")
            }
            InputError::TooLarge { limit, .. } => format!(
                "larger than the input limit of {} ({RAISE_HINT})",
                human_size(*limit)
            ),
            InputError::NotText { .. } => "not UTF-8 text".into(),
            InputError::LinkOut { .. } => Confinement::Symlink.to_string(),
            InputError::Outside { by, rule, .. } => format!("(named by {by}): {rule}"),
        }
    }

    /// Whether the file does not exist (some files are optional).
    pub fn is_missing(&self) -> bool {
        matches!(self, InputError::Missing { .. })
    }
}

/// Which confinement rule a path broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confinement {
    Absolute,
    DotDot,
    Symlink,
}

impl fmt::Display for Confinement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Confinement::Absolute => "an absolute path; files a repository's configuration names must be inside the repository (write a path relative to the configuration file)",
            Confinement::DotDot => "the path leads out of the repository through `..`; files a repository's configuration names must be inside the repository",
            Confinement::Symlink => "a symbolic link that leads out of the repository; vigil does not follow links out of the repository it reads",
        })
    }
}

/// Threads per core at most: more only costs memory and start-up time (and a huge
/// `-j` would try to start that many threads).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// `requested` worker threads (0: one per core), capped at [`MAX_THREADS_PER_CORE`]
/// times the cores this process may use.
pub fn cap_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    requested.min(cores.saturating_mul(MAX_THREADS_PER_CORE))
}

/// What to tell the user when [`cap_threads`] lowered their number.
pub fn capped_threads_note(requested: usize, used: usize) -> String {
    format!(
        "-j {requested}: using {used} threads ({MAX_THREADS_PER_CORE} per core is the most that helps)"
    )
}

/// `n` bytes as people write sizes: `16 MiB`, `500 KiB`, `1234 bytes`.
pub fn human_size(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// Reads the regular file at `path` whole, at most [`max_input_size`] bytes.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    read_limited(path, max_input_size())
}

/// [`read_bytes`], as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    String::from_utf8(read_bytes(path)?).map_err(|_| InputError::NotText {
        path: path.to_owned(),
    })
}

/// Reads the regular file at `path` whole, refusing it past `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let io = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            InputError::Missing {
                path: path.to_owned(),
            }
        } else {
            InputError::Io {
                path: path.to_owned(),
                source,
            }
        }
    };
    // Checked before opening: opening a FIFO blocks until someone writes to it.
    regular(path, &std::fs::metadata(path).map_err(io)?)?;
    let file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    regular(path, &meta)?;
    let too_large = || InputError::TooLarge {
        path: path.to_owned(),
        limit,
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads `reader` to its end, failing (without reading further) past `limit` bytes;
/// `Ok(None)` when it holds more.
pub fn read_reader_limited(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

fn regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), InputError> {
    let t = meta.file_type();
    if t.is_file() {
        return Ok(());
    }
    let kind = if t.is_dir() {
        "a folder"
    } else {
        special_kind(&t)
    };
    Err(InputError::NotRegular {
        path: path.to_owned(),
        kind,
    })
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "not a file"
}

/// `rel` (as a configuration wrote it, relative to the folder `base`) resolved inside
/// `root`, or the rule it breaks: an absolute path, `..` past `root`, or a symbolic
/// link (anywhere on the way) whose target is outside `root`. `by` names what named
/// the file, for the error. A path that does not exist is returned as it is (the read
/// says so).
pub fn confine(root: &Path, base: &Path, rel: &str, by: &str) -> Result<PathBuf, InputError> {
    let base_rel = base.strip_prefix(root).unwrap_or(Path::new(""));
    let inner = confine_rel(&base_rel.to_string_lossy(), rel, by)?;
    let path = root.join(&inner);
    confine_link(root, &path, rel, by)?;
    Ok(path)
}

/// The lexical half of [`confine`]: `rel`, relative to the folder `base` (itself
/// relative to the repository's root, `/`-separated), as a `/`-separated path from the
/// root; refused when absolute or when `..` climbs above the root.
pub fn confine_rel(base: &str, rel: &str, by: &str) -> Result<String, InputError> {
    let outside = |rule| InputError::Outside {
        path: rel.to_owned(),
        by: by.to_owned(),
        rule,
    };
    let rel_path = Path::new(rel);
    if rel_path.is_absolute() || rel.starts_with(['/', '\\']) || rel_path.has_root() {
        return Err(outside(Confinement::Absolute));
    }
    let mut parts: Vec<String> = Vec::new();
    for c in Path::new(base).components().chain(rel_path.components()) {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(outside(Confinement::DotDot));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(outside(Confinement::Absolute))
            }
        }
    }
    Ok(parts.join("/"))
}

/// The link half of [`confine`]: `path` (inside `root` by its name) must not lead out
/// of `root` through a symbolic link; `rel` and `by` name it in the error.
pub fn confine_link(root: &Path, path: &Path, rel: &str, by: &str) -> Result<(), InputError> {
    inside(root, path).map_err(|()| InputError::Outside {
        path: rel.to_owned(),
        by: by.to_owned(),
        rule: Confinement::Symlink,
    })
}

/// A file vigil found in `root` on its own (`.vigil.toml`, `.gitleaks.toml`, ...): if
/// it is a symbolic link, its target must be inside `root` too.
pub fn confine_found(root: &Path, path: &Path) -> Result<(), InputError> {
    inside(root, path).map_err(|()| InputError::LinkOut {
        path: path.to_owned(),
    })
}

/// The folder that files a configuration at `config` names must stay in: the
/// repository enclosing it (the first folder up holding `.git`), or its own folder.
pub fn confinement_root(config: &Path) -> PathBuf {
    let config = std::path::absolute(config).unwrap_or_else(|_| config.to_owned());
    folder_root(config.parent().unwrap_or(Path::new("/")))
}

/// The repository enclosing the folder `dir` (the first folder up holding `.git`), or
/// `dir` itself outside a repository.
pub fn folder_root(dir: &Path) -> PathBuf {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map_or(dir.clone(), Path::to_path_buf)
}

/// `Err` when `path` resolves (through links, a dangling one too) to a place outside
/// `root`; a path that does not exist is left to the read to report.
fn inside(root: &Path, path: &Path) -> Result<(), ()> {
    let real = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(_) => match std::fs::read_link(path) {
            Ok(target) => {
                let dir = path.parent().unwrap_or(Path::new(""));
                let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
                normalize(&dir.join(target))
            }
            Err(_) => return Ok(()),
        },
    };
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    if real.starts_with(&root) {
        Ok(())
    } else {
        Err(())
    }
}

/// `path` with `.` and `..` resolved lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// A TOML parse error as `LINE:COLUMN: MESSAGE (at `EXCERPT`)`: the toml crate's own
/// text quotes the source around the error, which may be anything (a link to
/// `/proc/self/environ` quotes the environment), so only the offending line is shown,
/// through [`vigil_model::excerpt`].
pub fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e
        .message()
        .trim_end()
        .lines()
        .collect::<Vec<_>>()
        .join("; ");
    let message = vigil_model::sanitize(&message, 160);
    match e.span() {
        Some(span) => {
            let (line, column) = vigil_model::line_column(text, span.start);
            let at = vigil_model::line_excerpt(text, line).unwrap_or_default();
            format!("{line}:{column}: {message} (at `{at}`)")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_errors_show_only_the_offending_line() {
        let text = "[scan]\ngitignore = true\nFAKE=ghp_0123456789abcdefghijABCDEFGHIJ012345 HOME=/root\nnext = 1\n";
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        let m = toml_error(text, &e);
        assert!(m.starts_with("3:"), "{m}");
        assert!(
            !m.contains("0123456789") && !m.contains("next") && !m.contains('\n'),
            "{m}"
        );
        let text = "A=1\0TOKEN=ghp_x\0";
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        let m = toml_error(text, &e);
        assert!(!m.contains("TOKEN") && m.contains("binary"), "{m}");
    }

    #[test]
    fn reads_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, "hello").unwrap();
        assert_eq!(read_limited(&p, 5).unwrap(), b"hello");
        let e = read_limited(&p, 4).unwrap_err().to_string();
        assert!(
            e.contains("larger than the input limit of 4 bytes") && e.contains("--max-input-size"),
            "{e}"
        );
        assert!(read_limited(&dir.path().join("nope"), 5)
            .unwrap_err()
            .is_missing());
        let e = read_limited(dir.path(), 5).unwrap_err().to_string();
        assert!(e.contains("a folder"), "{e}");
    }

    #[test]
    fn pseudo_files_and_devices_are_bounded_or_refused() {
        // /proc files say they are empty: the read itself is bounded.
        let e = read_limited(Path::new("/proc/self/status"), 10)
            .unwrap_err()
            .to_string();
        assert!(e.contains("larger than the input limit"), "{e}");
        let e = read_limited(Path::new("/dev/zero"), 10)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("/dev/zero") && e.contains("character device"),
            "{e}"
        );
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = read_limited(&fifo, 10).unwrap_err().to_string();
        assert!(e.contains("a FIFO"), "{e}");
    }

    #[test]
    fn readers_are_bounded() {
        assert_eq!(
            read_reader_limited(&b"abc"[..], 3).unwrap(),
            Some(b"abc".to_vec())
        );
        assert_eq!(read_reader_limited(std::io::repeat(0), 1000).unwrap(), None);
    }

    #[test]
    fn confinement_rules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("sub/keys")).unwrap();
        std::fs::write(root.join("sub/keys/a"), "x").unwrap();
        std::fs::write(dir.path().join("secret"), "x").unwrap();
        let sub = root.join("sub");
        assert_eq!(
            confine(&root, &sub, "keys/a", "c").unwrap(),
            root.join("sub/keys/a")
        );
        assert_eq!(
            confine(&root, &sub, "../sub/./keys/a", "c").unwrap(),
            root.join("sub/keys/a")
        );
        let rule = |rel: &str| match confine(&root, &sub, rel, ".vigil.toml") {
            Err(InputError::Outside { rule, .. }) => Some(rule),
            _ => None,
        };
        assert_eq!(rule("/etc/passwd"), Some(Confinement::Absolute));
        assert_eq!(rule("../../secret"), Some(Confinement::DotDot));
        std::os::unix::fs::symlink("/proc/self/environ", root.join("env")).unwrap();
        std::os::unix::fs::symlink("../../secret", sub.join("up")).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("out")).unwrap();
        std::os::unix::fs::symlink("/nowhere/at/all", root.join("dangling")).unwrap();
        std::os::unix::fs::symlink("sub/keys/a", root.join("fine")).unwrap();
        assert_eq!(rule("../env"), Some(Confinement::Symlink));
        assert_eq!(rule("up"), Some(Confinement::Symlink));
        assert_eq!(rule("../out/secret"), Some(Confinement::Symlink));
        assert_eq!(rule("../dangling"), Some(Confinement::Symlink));
        assert_eq!(rule("../fine"), None);
        assert_eq!(rule("missing"), None);
        let e = confine(&root, &sub, "/etc/passwd", ".vigil.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("/etc/passwd (named by .vigil.toml): an absolute path"),
            "{e}"
        );
        assert!(confine_found(&root, &root.join("env")).is_err());
        assert!(confine_found(&root, &root.join("fine")).is_ok());
    }
}
