//! One read of each file, feeding every digest it needs; several files in parallel.
use std::{
    fs::File,
    io::{self, Read},
    path::{Path, PathBuf},
};

use sha2::{Digest, Sha256};
use vigil_signature::minisign::Prehasher;

/// Bytes read at a time: large enough to amortize system calls, small enough to stay in cache.
const CHUNK: usize = 256 * 1024;

/// The digests of one file, from one pass over its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigests {
    pub sha256: [u8; 32],
    /// BLAKE2b-512, for minisign's prehashed signatures (only when asked for).
    pub blake2b: Option<[u8; 64]>,
    pub size: u64,
}

/// Reads `path` once, computing SHA-256 and, when `blake2b` is set, BLAKE2b-512 on the
/// same bytes (the two run side by side on large files).
pub fn digest_file(path: &Path, blake2b: bool) -> io::Result<FileDigests> {
    let mut file = File::open(path)?;
    let mut hasher = Hashers::new(blake2b);
    let mut buf = vec![0u8; CHUNK];
    loop {
        match read_chunk(&mut file, &mut buf)? {
            0 => break,
            n => hasher.update(&buf[..n]),
        }
    }
    Ok(hasher.finish())
}

/// As [`digest_file`], with reading (the copy out of the page cache) on a second thread,
/// so it overlaps hashing: for one large file when a core would otherwise idle.
pub fn digest_file_pipelined(path: &Path, blake2b: bool) -> io::Result<FileDigests> {
    let mut file = File::open(path)?;
    let mut hasher = Hashers::new(blake2b);
    // Buffers go round: empty ones to the reader, full ones back to the hasher.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(DEPTH);
    let (empty_tx, empty_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(DEPTH + 1);
    for _ in 0..=DEPTH {
        let _ = empty_tx.send(vec![0u8; CHUNK]);
    }
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> io::Result<()> {
            while let Ok(mut buf) = empty_rx.recv() {
                let n = read_chunk(&mut file, &mut buf)?;
                if full_tx.send((buf, n)).is_err() || n == 0 {
                    break;
                }
            }
            Ok(())
        });
        while let Ok((buf, n)) = full_rx.recv() {
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            // The reader may have finished already: then the buffer is not needed.
            let _ = empty_tx.send(buf);
        }
        drop(empty_tx);
        match reader.join() {
            Ok(r) => r,
            Err(_) => Err(io::Error::other("the reading thread failed")),
        }
    })?;
    Ok(hasher.finish())
}

/// Buffers in flight between the reading thread and the hasher.
const DEPTH: usize = 3;

/// Fills as much of `buf` as one `read` gives (retrying on EINTR); 0 at the end.
fn read_chunk(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

struct Hashers {
    sha: Sha256,
    b2: Option<Prehasher>,
    size: u64,
}

impl Hashers {
    fn new(blake2b: bool) -> Hashers {
        Hashers {
            sha: Sha256::new(),
            b2: blake2b.then(Prehasher::new),
            size: 0,
        }
    }

    fn update(&mut self, chunk: &[u8]) {
        self.size += chunk.len() as u64;
        let sha = &mut self.sha;
        match self.b2.as_mut() {
            None => sha.update(chunk),
            Some(b2) if chunk.len() >= CHUNK / 2 => {
                rayon::join(|| sha.update(chunk), || b2.update(chunk));
            }
            Some(b2) => {
                sha.update(chunk);
                b2.update(chunk);
            }
        }
    }

    fn finish(self) -> FileDigests {
        FileDigests {
            sha256: self.sha.finalize().into(),
            blake2b: self.b2.map(|h| h.finalize().into()),
            size: self.size,
        }
    }
}

/// Digests every file, in parallel on `threads` threads (0: one per core), in order.
pub fn digest_files(
    paths: &[PathBuf],
    blake2b: bool,
    threads: usize,
) -> Vec<io::Result<FileDigests>> {
    use rayon::prelude::*;
    let run = || {
        // Fewer files than threads: each file's reading gets a thread of its own too.
        let pipelined = paths.len() < rayon::current_num_threads();
        paths
            .par_iter()
            .with_max_len(1)
            .map(|p| {
                if pipelined {
                    digest_file_pipelined(p, blake2b)
                } else {
                    digest_file(p, blake2b)
                }
            })
            .collect()
    };
    let threads = crate::input::cap_threads(threads);
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_signature::{hex, minisign::prehash};

    #[test]
    fn one_pass_matches_the_reference_digests() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..(3 * CHUNK + 17)).map(|i| (i * 7 % 251) as u8).collect();
        let files = [
            ("empty", Vec::new()),
            ("abc", b"abc".to_vec()),
            ("big", big),
        ];
        let mut paths = Vec::new();
        for (name, data) in &files {
            let p = dir.path().join(name);
            std::fs::write(&p, data).unwrap();
            paths.push(p);
        }
        let got = digest_files(&paths, true, 2);
        for ((_, data), d) in files.iter().zip(got) {
            let d = d.unwrap();
            assert_eq!(d.sha256.as_slice(), Sha256::digest(data).as_slice());
            assert_eq!(d.blake2b, Some(prehash(data)));
            assert_eq!(d.size, data.len() as u64);
        }
        for p in &paths {
            assert_eq!(
                digest_file_pipelined(p, true).unwrap(),
                digest_file(p, true).unwrap()
            );
        }
        assert!(digest_file_pipelined(&dir.path().join("missing"), false).is_err());
        assert_eq!(
            hex(&digest_file(&paths[1], false).unwrap().sha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(digest_file(&dir.path().join("missing"), false).is_err());
    }
}
