//! Short content hashes: fact ids, source and rule digests in the colophon.

use sha2::{Digest, Sha256};

/// First 12 hex digits of the SHA-256 of the parts, each prefixed by its length (so
/// `["ab", "c"]` and `["a", "bc"]` differ).
pub fn short_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
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
