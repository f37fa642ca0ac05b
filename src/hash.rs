//! Content hashes: fact ids, source and rule digests in the colophon, build stamps.

use sha2::{Digest, Sha256};

/// SHA-256 over parts, each prefixed by its length (so `["ab", "c"]` and
/// `["a", "bc"]` differ).
#[derive(Default)]
pub struct PartsDigest(Sha256);

impl PartsDigest {
    /// Adds one part.
    pub fn part(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// The digest, in hex.
    pub fn hex(self) -> String {
        hex(&self.0.finalize())
    }
}

/// First 12 hex digits of the [`PartsDigest`] of `parts`.
pub fn short_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut d = PartsDigest::default();
    for p in parts {
        d.part(p);
    }
    let mut hex = d.hex();
    hex.truncate(12);
    hex
}

/// The SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_delimited_and_hashes_short() {
        let a = short_hash([b"ab".as_slice(), b"c".as_slice()]);
        let b = short_hash([b"a".as_slice(), b"bc".as_slice()]);
        assert_ne!(a, b);
        assert_eq!(a.len(), 12);
        assert_eq!(a, short_hash([b"ab".as_slice(), b"c".as_slice()]));
    }
}
