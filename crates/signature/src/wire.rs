//! The SSH wire encoding (RFC 4251 §5): `uint32` big-endian and length-prefixed `string`s.
//!
//! Every read names the field it reads, so a truncated or padded blob is reported as
//! "signature: field `namespace`: needs 12 bytes, 3 left".

/// What is wrong with an SSH wire blob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("field `{field}` is truncated: it needs {needed} bytes, {available} left")]
    Truncated {
        field: &'static str,
        needed: usize,
        available: usize,
    },
    #[error("{count} unexpected bytes after the last field `{after}`")]
    Trailing { after: &'static str, count: usize },
    #[error("field `{field}` is not UTF-8 text")]
    NotText { field: &'static str },
}

/// Reads fields in order from a byte slice.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    last: &'static str,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader {
            buf,
            pos: 0,
            last: "start",
        }
    }

    /// `n` raw bytes.
    pub fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], WireError> {
        let available = self.buf.len() - self.pos;
        if n > available {
            return Err(WireError::Truncated {
                field,
                needed: n,
                available,
            });
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        self.last = field;
        Ok(out)
    }

    /// How many bytes have been read.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn u8(&mut self, field: &'static str) -> Result<u8, WireError> {
        Ok(self.bytes(1, field)?[0])
    }

    pub fn u64(&mut self, field: &'static str) -> Result<u64, WireError> {
        let b = self.bytes(8, field)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    pub fn u32(&mut self, field: &'static str) -> Result<u32, WireError> {
        let b = self.bytes(4, field)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A length-prefixed byte string.
    pub fn string(&mut self, field: &'static str) -> Result<&'a [u8], WireError> {
        let n = self.u32(field)? as usize;
        self.bytes(n, field)
    }

    /// A length-prefixed UTF-8 string.
    pub fn text(&mut self, field: &'static str) -> Result<&'a str, WireError> {
        let b = self.string(field)?;
        std::str::from_utf8(b).map_err(|_| WireError::NotText { field })
    }

    /// Fails if bytes are left.
    pub fn finish(&self) -> Result<(), WireError> {
        let count = self.buf.len() - self.pos;
        if count == 0 {
            Ok(())
        } else {
            Err(WireError::Trailing {
                after: self.last,
                count,
            })
        }
    }
}

pub fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_be_bytes());
}

/// Appends a length-prefixed string. Lengths above `u32::MAX` cannot occur in the
/// formats written here (keys, namespaces and digests are short).
pub fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    let n = u32::try_from(s.len()).unwrap_or(u32::MAX);
    put_u32(out, n);
    out.extend_from_slice(s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let mut v = Vec::new();
        put_string(&mut v, b"abc");
        put_u32(&mut v, 7);
        let mut r = Reader::new(&v);
        assert_eq!(r.string("a").unwrap(), b"abc");
        assert_eq!(r.u32("b").unwrap(), 7);
        r.finish().unwrap();

        let mut r = Reader::new(&v[..5]);
        let e = r.string("name").unwrap_err();
        assert_eq!(
            e,
            WireError::Truncated {
                field: "name",
                needed: 3,
                available: 1
            }
        );
        let mut r = Reader::new(&v);
        r.string("a").unwrap();
        assert!(matches!(
            r.finish(),
            Err(WireError::Trailing {
                after: "a",
                count: 4
            })
        ));
        // A length far past the end never allocates or panics.
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 1]);
        assert!(r.string("x").is_err());
    }
}
