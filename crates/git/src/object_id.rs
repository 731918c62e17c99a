//! Object ids as vigil-git's API shows them: no other crate names a gix type.
use std::fmt;

/// The id of a git object (for a [`Change`](crate::Change), a blob's), shown as
/// full hex. It wraps gix's id with the same layout: the crate converts at its edge
/// at no cost, and compares, orders and hashes ids exactly as gix does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct ObjectId(pub(crate) gix::ObjectId);

impl ObjectId {
    /// The id's raw bytes (20 for SHA-1, 32 for SHA-256).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Reads a full hex id (40 digits for SHA-1, 64 for SHA-256).
    pub fn from_hex(hex: &str) -> Option<ObjectId> {
        gix::ObjectId::from_hex(hex.as_bytes()).ok().map(ObjectId)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_and_compares_as_gix_does() {
        let (a, b) = (
            gix::ObjectId::from_bytes_or_panic(&[0x0a; 20]),
            gix::ObjectId::from_bytes_or_panic(&[0xb0; 20]),
        );
        assert_eq!(ObjectId(a).to_string(), "0a".repeat(20));
        assert_eq!(format!("{:?}", ObjectId(a)), format!("{a:?}"));
        assert_eq!(ObjectId(a).as_bytes(), a.as_bytes());
        assert_eq!(ObjectId(a).cmp(&ObjectId(b)), a.cmp(&b));
        assert!(ObjectId(a) < ObjectId(b));
        let long = gix::ObjectId::from_bytes_or_panic(&[0x0c; 32]);
        assert_eq!(ObjectId(long).to_string(), "0c".repeat(32));
        assert_eq!(ObjectId(long).as_bytes().len(), 32);
    }
}
