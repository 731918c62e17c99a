//! Decoding pack entries ourselves: inflating one, and applying a delta to its base
//! (git's pack format: two sizes, then copy and insert instructions).
use gix::{objs::Kind, odb::pack};

/// Decodes the entry at `offset` of `file` into `out`: a whole object of `kind`, or an
/// offset delta whose base `base_at(base_offset)` gives. `None` for anything else (another
/// kind, a ref delta, a damaged entry) or when the base is not at hand: the caller reads
/// those through gix. The base is asked for before anything is inflated, so an entry
/// the caller must read elsewhere costs no inflate here. `packed` is scratch space.
pub(crate) fn decode_entry<B: std::ops::Deref<Target: AsRef<[u8]>>>(
    file: &pack::data::File,
    offset: u64,
    kind: Kind,
    inflate: &mut gix::zlib::Inflate,
    packed: &mut Vec<u8>,
    out: &mut Vec<u8>,
    base_at: impl FnOnce(u64) -> Option<B>,
) -> Option<()> {
    let entry = file.entry(offset).ok()?;
    let base = match base_offset(&entry) {
        Some(at) => Some(base_at(at)?),
        None if entry.header.as_kind() == Some(kind) => None,
        None => return None,
    };
    packed.clear();
    // The size is the pack's word: a hostile one must not abort the scan.
    let size = usize::try_from(entry.decompressed_size).ok()?;
    packed.try_reserve_exact(size).ok()?;
    packed.resize(size, 0);
    file.decompress_entry(&entry, inflate, packed).ok()?;
    match base {
        None => {
            std::mem::swap(packed, out);
            Some(())
        }
        Some(base) => apply((*base).as_ref(), packed, out),
    }
}

/// Where in its pack the base of an offset delta starts; `None` for any other entry.
pub(crate) fn base_offset(entry: &pack::data::Entry) -> Option<u64> {
    match entry.header {
        pack::data::entry::Header::OfsDelta { base_distance } => {
            entry.checked_base_pack_offset(base_distance)
        }
        _ => None,
    }
}

/// The object `delta` makes of `base`, into `out`; `None` if the delta is malformed
/// or does not fit `base`.
pub(crate) fn apply(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let (base_len, mut i) = size(delta, 0)?;
    if base_len != base.len() {
        return None;
    }
    let (result_len, next) = size(delta, i)?;
    i = next;
    out.clear();
    out.try_reserve_exact(result_len).ok()?;
    while let Some(&op) = delta.get(i) {
        i += 1;
        if op & 0x80 != 0 {
            // Copy from the base: offset and size bytes present as the low bits say.
            let mut offset = 0usize;
            for k in 0..4 {
                if op & (1 << k) != 0 {
                    offset |= usize::from(*delta.get(i)?) << (8 * k);
                    i += 1;
                }
            }
            let mut len = 0usize;
            for k in 0..3 {
                if op & (0x10 << k) != 0 {
                    len |= usize::from(*delta.get(i)?) << (8 * k);
                    i += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if op != 0 {
            // Insert the next `op` bytes of the delta.
            let len = usize::from(op);
            out.extend_from_slice(delta.get(i..i + len)?);
            i += len;
        } else {
            return None; // reserved
        }
        if out.len() > result_len {
            return None;
        }
    }
    (out.len() == result_len).then_some(())
}

/// A size: little-endian groups of 7 bits, the high bit saying another follows.
fn size(data: &[u8], mut i: usize) -> Option<(usize, usize)> {
    let mut value = 0usize;
    let mut shift = 0;
    loop {
        let byte = *data.get(i)?;
        i += 1;
        if shift > 63 {
            return None;
        }
        value |= usize::from(byte & 0x7f).checked_shl(shift)?;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some((value, i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_inserts() {
        let base = b"hello, world\n";
        // base 13, result 15; copy offset 0 len 7 ("hello, "); insert "there"; copy
        // offset 12 len 1 ("\n"); then pad: copy offset 7 len 2 ("wo").
        let delta = [
            13, 15, 0x90, 7, 5, b't', b'h', b'e', b'r', b'e', 0x91, 12, 1, 0x91, 7, 2,
        ];
        let mut out = Vec::new();
        assert_eq!(apply(base, &delta, &mut out), Some(()));
        assert_eq!(out, b"hello, there\nwo");
    }

    #[test]
    fn refuses_malformed_deltas() {
        let mut out = Vec::new();
        // Wrong base size, copy beyond the base, truncated insert, reserved op, short result.
        assert_eq!(apply(b"abc", &[4, 1, 1, b'x'], &mut out), None);
        assert_eq!(apply(b"abc", &[3, 2, 0x91, 2, 2], &mut out), None);
        assert_eq!(apply(b"abc", &[3, 2, 2, b'x'], &mut out), None);
        assert_eq!(apply(b"abc", &[3, 1, 0], &mut out), None);
        assert_eq!(apply(b"abc", &[3, 2, 1, b'x'], &mut out), None);
        assert_eq!(apply(b"abc", &[3, 1, 1, b'x'], &mut out), Some(()));
    }
}
