//! `vigil sign`: digests, SHA256SUMS, its signatures, per-file signatures and provenance.
use std::{
    fs,
    path::{Component, Path, PathBuf},
    time::{Duration, Instant},
};

use vigil_signature::{
    dsse::{Envelope, INTOTO_PAYLOAD_TYPE},
    minisign::{prehash, MinisignSignature, TrustedComment},
    sshsig::{HashAlgorithm, SshSignature},
    sums::{format_sums, SumsEntry},
    SecretKey,
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
    /// Unix time written into the trusted comments and the provenance.
    pub timestamp: u64,
    /// Also write `NAME.minisig` beside each file.
    pub per_file_minisig: bool,
    /// Write `provenance.intoto.jsonl`.
    pub provenance: bool,
    /// Hashing threads (0: one per core).
    pub threads: usize,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct SignOutcome {
    pub out_dir: PathBuf,
    pub entries: Vec<SumsEntry>,
    pub written: Vec<PathBuf>,
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

/// The names the files get in SHA256SUMS (relative to the output folder, `/`-separated).
fn names(
    files: &[PathBuf],
    out_dir: Option<&Path>,
) -> Result<(PathBuf, Vec<String>), ReleaseError> {
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
    let own = [
        SUMS_NAME.to_owned(),
        format!("{SUMS_NAME}.minisig"),
        format!("{SUMS_NAME}.sig"),
        PROVENANCE_NAME.to_owned(),
    ];
    let mut out = Vec::with_capacity(files.len());
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
            return Err(ReleaseError::OwnOutput { name });
        }
        if out.contains(&name) {
            return Err(ReleaseError::Duplicate { name });
        }
        out.push(name);
    }
    Ok((out_dir, out))
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader never
/// sees half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReleaseError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".vigil-tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    fs::rename(&tmp, path).map_err(io_err(path))
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
    let (out_dir, names) = names(&opts.files, opts.out_dir.as_deref())?;
    let digests = digest_files(&opts.files, opts.per_file_minisig, opts.threads);
    let mut entries = Vec::with_capacity(names.len());
    let mut blakes = Vec::with_capacity(names.len());
    let mut bytes = 0;
    for ((name, path), d) in names.iter().zip(&opts.files).zip(digests) {
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
    let untrusted = format!("signature from vigil secret key {}", key.key_id());
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
        let statement = opts.context.statement(&entries, opts.timestamp);
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
        bytes,
        trusted_comment: tc,
        elapsed: start.elapsed(),
    })
}
