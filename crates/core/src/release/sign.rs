//! `vigil sign`: digests, SHA256SUMS, its signatures, per-file signatures and provenance.
use std::{
    fs,
    path::{Component, Path, PathBuf},
    time::{Duration, Instant},
};

use vigil_signature::{
    dsse::{Envelope, INTOTO_PAYLOAD_TYPE},
    minisign::{prehash, MinisignSignature, TrustedComment},
    sshkey::SshPublicKey,
    sshsig::{HashAlgorithm, SshSignature},
    sums::{format_sums, SumsEntry},
    PublicKey, SecretKey,
};

use super::{
    digest_files, provenance::BuildContext, ReleaseError, PROVENANCE_NAME, SSH_NAMESPACE, SUMS_NAME,
};

/// What to sign and how.
#[derive(Debug, Clone)]
pub struct SignOptions {
    pub files: Vec<PathBuf>,
    /// Where the outputs go; names in SHA256SUMS are relative to it. Default: the
    /// folder holding the files (they must share one).
    pub out_dir: Option<PathBuf>,
    /// The build: from CI variables, with the command line's tag, commit and repository.
    pub context: BuildContext,
    /// Unix time written into the trusted comments and the provenance (its start).
    pub timestamp: u64,
    /// When the build finished, for the provenance: `Some` when the time is fixed
    /// (SOURCE_DATE_EPOCH or `--timestamp`: the same as `timestamp`, so a rebuild writes
    /// the same bytes), `None` to read the clock once the artifacts are hashed.
    pub finished_on: Option<u64>,
    /// Also write `NAME.minisig` beside each file.
    pub per_file_minisig: bool,
    /// Write `provenance.intoto.jsonl`.
    pub provenance: bool,
    /// Hashing threads (0: one per core).
    pub threads: usize,
    /// Overwrite output files vigil does not recognise as its own.
    pub force: bool,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct SignOutcome {
    pub out_dir: PathBuf,
    pub entries: Vec<SumsEntry>,
    pub written: Vec<PathBuf>,
    /// Files given to sign that are this key's earlier outputs (a re-sign of `dist/*`):
    /// replaced, not signed.
    pub replaced: Vec<PathBuf>,
    pub bytes: u64,
    pub trusted_comment: String,
    pub elapsed: Duration,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReleaseError + '_ {
    move |source| ReleaseError::Io {
        path: path.to_owned(),
        source,
    }
}

fn absolute(p: &Path) -> Result<PathBuf, ReleaseError> {
    let abs = std::path::absolute(p).map_err(io_err(p))?;
    // Drop `.` and resolve `..` lexically, so prefixes compare as written.
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

fn check_value(field: &'static str, v: &str) -> Result<(), ReleaseError> {
    if v.is_empty() || v.chars().any(|c| c.is_control() || c == ' ') {
        return Err(ReleaseError::Value {
            field,
            problem: format!("{v:?} must be non-empty, without spaces, tabs or line breaks"),
        });
    }
    Ok(())
}

/// The largest output file read back to tell whether vigil wrote it.
const MAX_OWN_OUTPUT: u64 = 64 << 20;

/// `path`'s bytes if it is a regular file (not a symlink) of at most [`MAX_OWN_OUTPUT`].
fn read_regular(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() || meta.len() > MAX_OWN_OUTPUT {
        return None;
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .ok()?
        .take(MAX_OWN_OUTPUT + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= MAX_OWN_OUTPUT).then_some(bytes)
}

/// The untrusted comment vigil writes in every `.minisig`: its mark on its own files.
const VIGIL_MARK: &str = "signature from vigil secret key ";

/// A `.minisig` vigil wrote with `key`: its untrusted comment carries vigil's mark and
/// the key id, and its trusted comment's signature verifies with the key.
fn own_minisig(key: &PublicKey, path: &Path) -> Option<MinisignSignature> {
    let text = String::from_utf8(read_regular(path)?).ok()?;
    let sig = MinisignSignature::parse(&text).ok()?;
    let marked = sig.untrusted_comment.trim() == format!("{VIGIL_MARK}{}", key.key_id);
    (marked && sig.key_id == key.key_id && sig.verify_comment(key).is_ok()).then_some(sig)
}

/// Whether the existing file at `path`, named `name` in the output folder, is an
/// output of an earlier `vigil sign` with the same key (the rule `vigil sign` follows
/// before it replaces a file; see docs/releases.md):
/// - `SHA256SUMS`: `SHA256SUMS.minisig` beside it is vigil's and verifies it;
/// - a `.minisig`: vigil's mark, this key's id, a trusted comment this key signed;
/// - `SHA256SUMS.sig`: an SSH signature by this key in the `file` namespace;
/// - the provenance: a DSSE envelope signed by this key.
///
/// A symlink, a folder or anything else is not vigil's.
fn is_own_output(key: &PublicKey, dir: &Path, name: &str) -> bool {
    let path = dir.join(name);
    if name == SUMS_NAME {
        let minisig = dir.join(format!("{SUMS_NAME}.minisig"));
        return match (read_regular(&path), own_minisig(key, &minisig)) {
            (Some(sums), Some(sig)) => sig.verify(key, &sums).is_ok(),
            _ => false,
        };
    }
    if name == format!("{SUMS_NAME}.sig") {
        let Some(text) = read_regular(&path).and_then(|b| String::from_utf8(b).ok()) else {
            return false;
        };
        return SshSignature::from_armored(&text).is_ok_and(|sig| {
            sig.namespace == SSH_NAMESPACE && sig.public_key == SshPublicKey::from(key)
        });
    }
    if name == PROVENANCE_NAME {
        let Some(text) = read_regular(&path).and_then(|b| String::from_utf8(b).ok()) else {
            return false;
        };
        return Envelope::from_json(text.trim_end())
            .is_ok_and(|env| env.verify(key, INTOTO_PAYLOAD_TYPE).is_ok());
    }
    name.ends_with(".minisig") && own_minisig(key, &path).is_some()
}

/// The names vigil sign writes in the output folder whatever it signs.
fn fixed_outputs() -> [String; 4] {
    [
        SUMS_NAME.to_owned(),
        format!("{SUMS_NAME}.minisig"),
        format!("{SUMS_NAME}.sig"),
        PROVENANCE_NAME.to_owned(),
    ]
}

/// The files to sign and the names they get in SHA256SUMS (relative to the output
/// folder, `/`-separated), with the files given that are vigil's own earlier outputs
/// left out (a re-sign of `dist/*`).
struct Named {
    out_dir: PathBuf,
    files: Vec<PathBuf>,
    names: Vec<String>,
    replaced: Vec<PathBuf>,
}

fn names(
    files: &[PathBuf],
    out_dir: Option<&Path>,
    key: &PublicKey,
    force: bool,
) -> Result<Named, ReleaseError> {
    let first = files.first().ok_or(ReleaseError::NoFiles)?;
    let out_dir = match out_dir {
        Some(d) => absolute(d)?,
        None => {
            let parent = |f: &Path| -> Result<PathBuf, ReleaseError> {
                let a = absolute(f)?;
                Ok(a.parent().map(Path::to_path_buf).unwrap_or(a))
            };
            let p0 = parent(first)?;
            for f in &files[1..] {
                let p = parent(f)?;
                if p != p0 {
                    return Err(ReleaseError::NoCommonFolder { a: p0, b: p });
                }
            }
            p0
        }
    };
    let own = fixed_outputs();
    let mut out = Vec::with_capacity(files.len());
    let mut kept = Vec::with_capacity(files.len());
    let mut replaced = Vec::new();
    for f in files {
        let meta = fs::metadata(f).map_err(io_err(f))?;
        if !meta.is_file() {
            return Err(ReleaseError::NotAFile { path: f.clone() });
        }
        let abs = absolute(f)?;
        let rel = abs
            .strip_prefix(&out_dir)
            .map_err(|_| ReleaseError::OutsideOutDir {
                path: f.clone(),
                out_dir: out_dir.clone(),
            })?;
        let mut parts = Vec::new();
        for c in rel.components() {
            parts.push(
                c.as_os_str()
                    .to_str()
                    .ok_or_else(|| ReleaseError::NotUtf8 { path: f.clone() })?
                    .to_owned(),
            );
        }
        let name = parts.join("/");
        if name.is_empty() {
            return Err(ReleaseError::NotAFile { path: f.clone() });
        }
        if own.contains(&name) {
            // An earlier run's output, given again by `dist/*`: replaced, not signed.
            if force || is_own_output(key, &out_dir, &name) {
                replaced.push(f.clone());
                continue;
            }
            return Err(ReleaseError::NotOwnOutput { path: f.clone() });
        }
        if name.ends_with(".minisig") && is_own_output(key, &out_dir, &name) {
            replaced.push(f.clone());
            continue;
        }
        if out.contains(&name) {
            return Err(ReleaseError::Duplicate { name });
        }
        out.push(name);
        kept.push(f.clone());
    }
    if out.is_empty() {
        if let Some(f) = replaced.first() {
            return Err(ReleaseError::OwnOutput {
                name: f.display().to_string(),
            });
        }
    }
    Ok(Named {
        out_dir,
        files: kept,
        names: out,
        replaced,
    })
}

/// Refuses to replace an existing output file vigil did not write (unless `force`).
fn check_outputs(
    key: &PublicKey,
    dir: &Path,
    outputs: &[String],
    force: bool,
) -> Result<(), ReleaseError> {
    if force {
        return Ok(());
    }
    for name in outputs {
        let path = dir.join(name);
        if fs::symlink_metadata(&path).is_ok() && !is_own_output(key, dir, name) {
            return Err(ReleaseError::NotOwnOutput { path });
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` through a new temporary file in the same folder and a
/// rename, so a reader never sees half a file and no symlink is followed: the
/// temporary file is created, never opened if it exists, and the rename replaces a
/// symlink at `path` rather than the file it points to.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReleaseError> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".vigil-tmp");
    let tmp = PathBuf::from(tmp);
    let create = || {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
    };
    let mut file = match create() {
        // Left by an interrupted run (or planted): removed, never written through.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            fs::remove_file(&tmp).map_err(io_err(&tmp))?;
            create()
        }
        other => other,
    }
    .map_err(io_err(&tmp))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(ReleaseError::Io {
            path: path.to_owned(),
            source: e,
        });
    }
    Ok(())
}

fn trusted_comment(ts: u64, file: &str, ctx: &BuildContext) -> String {
    let mut tc = TrustedComment::default();
    tc.push("timestamp", &ts.to_string()).push("file", file);
    if let Some(t) = &ctx.tag {
        tc.push("tag", t);
    }
    if let Some(c) = &ctx.commit {
        tc.push("commit", c);
    }
    tc.push("hashed", "");
    tc.to_string()
}

/// Signs the files: one read of each (in parallel), then every output file.
pub fn sign_release(key: &SecretKey, opts: &SignOptions) -> Result<SignOutcome, ReleaseError> {
    let start = Instant::now();
    for (field, v) in [
        ("--tag", &opts.context.tag),
        ("--commit", &opts.context.commit),
        ("--repository", &opts.context.repository),
    ] {
        if let Some(v) = v {
            check_value(field, v)?;
        }
    }
    let public = key.public_key();
    let Named {
        out_dir,
        files,
        names,
        replaced,
    } = names(&opts.files, opts.out_dir.as_deref(), &public, opts.force)?;
    let mut outputs = vec![
        SUMS_NAME.to_owned(),
        format!("{SUMS_NAME}.minisig"),
        format!("{SUMS_NAME}.sig"),
    ];
    if opts.per_file_minisig {
        outputs.extend(names.iter().map(|n| format!("{n}.minisig")));
    }
    if opts.provenance {
        outputs.push(PROVENANCE_NAME.to_owned());
    }
    check_outputs(&public, &out_dir, &outputs, opts.force)?;
    let digests = digest_files(&files, opts.per_file_minisig, opts.threads);
    let mut entries = Vec::with_capacity(names.len());
    let mut blakes = Vec::with_capacity(names.len());
    let mut bytes = 0;
    for ((name, path), d) in names.iter().zip(&files).zip(digests) {
        let d = d.map_err(io_err(path))?;
        bytes += d.size;
        entries.push(SumsEntry {
            name: name.clone(),
            sha256: d.sha256,
        });
        blakes.push(d.blake2b);
    }
    let sign_err =
        |what: &str, e: &dyn std::fmt::Display| ReleaseError::Sign(format!("{what}: {e}"));
    let mut written = Vec::new();

    let sums = format_sums(&entries);
    let sums_path = out_dir.join(SUMS_NAME);
    write_atomic(&sums_path, sums.as_bytes())?;
    written.push(sums_path);

    let tc = trusted_comment(opts.timestamp, SUMS_NAME, &opts.context);
    let untrusted = format!("{VIGIL_MARK}{}", key.key_id());
    let sig = MinisignSignature::sign_prehashed(key, &prehash(sums.as_bytes()), &tc, &untrusted)
        .map_err(|e| sign_err("SHA256SUMS.minisig", &e))?;
    let p = out_dir.join(format!("{SUMS_NAME}.minisig"));
    write_atomic(&p, sig.to_file_string().as_bytes())?;
    written.push(p);

    let ssh = SshSignature::sign(key, SSH_NAMESPACE, HashAlgorithm::Sha512, sums.as_bytes())
        .map_err(|e| sign_err("SHA256SUMS.sig", &e))?;
    let p = out_dir.join(format!("{SUMS_NAME}.sig"));
    write_atomic(&p, ssh.to_armored().as_bytes())?;
    written.push(p);

    if opts.per_file_minisig {
        for (e, b2) in entries.iter().zip(&blakes) {
            let Some(b2) = b2 else { continue };
            let base = e.name.rsplit('/').next().unwrap_or(&e.name);
            let tc = trusted_comment(opts.timestamp, base, &opts.context);
            let sig = MinisignSignature::sign_prehashed(key, b2, &tc, &untrusted)
                .map_err(|err| sign_err(&e.name, &err))?;
            let p = out_dir.join(format!("{}.minisig", e.name));
            write_atomic(&p, sig.to_file_string().as_bytes())?;
            written.push(p);
        }
    }

    if opts.provenance {
        let finished = opts
            .finished_on
            .unwrap_or_else(|| crate::release::now_unix().max(opts.timestamp));
        let statement = opts.context.statement(&entries, opts.timestamp, finished);
        let env = Envelope::sign(key, INTOTO_PAYLOAD_TYPE, &statement.to_json())
            .map_err(|e| sign_err(PROVENANCE_NAME, &e))?;
        let mut line = env.to_json_line();
        line.push('\n');
        let p = out_dir.join(PROVENANCE_NAME);
        write_atomic(&p, line.as_bytes())?;
        written.push(p);
    }

    Ok(SignOutcome {
        out_dir,
        entries,
        written,
        replaced,
        bytes,
        trusted_comment: tc,
        elapsed: start.elapsed(),
    })
}
