//! What the TCP source sends and how both ends fingerprint a stream: a
//! seeded byte pattern, and SHA-256 in hex so a Linux peer's `sha256sum`
//! can be compared with our reports.

use sha2::{Digest, Sha256};

/// A reproducible byte stream: word `i` (8 bytes) is SplitMix64 of the
/// seed and `i`, so any 8-byte-aligned offset can be generated directly
/// (an HTTP handler streaming part by part needs that).
#[derive(Debug, Clone)]
pub struct Pattern {
    seed: u64,
    /// The next word to generate.
    word: u64,
}

impl Pattern {
    pub fn new(seed: u64) -> Self {
        Pattern::at(seed, 0)
    }

    /// The stream from byte `offset` on, rounded down to a multiple of 8.
    pub fn at(seed: u64, offset: u64) -> Self {
        Pattern {
            seed,
            word: offset / 8,
        }
    }

    /// Overwrites `buf` with the next bytes of the stream; a length that is
    /// not a multiple of 8 ends the stream's alignment (use it last).
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let word = splitmix64(self.seed ^ self.word.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            chunk.copy_from_slice(&word.to_le_bytes()[..chunk.len()]);
            self.word += 1;
        }
    }

    /// The first `len` bytes of the stream seeded with `seed`.
    pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut data = vec![0u8; len];
        Pattern::new(seed).fill(&mut data);
        data
    }
}

/// SplitMix64's output function: a cheap, well-mixed bijection.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A running SHA-256 of a byte stream.
#[derive(Debug, Clone, Default)]
pub struct StreamHash {
    hasher: Sha256,
    bytes: u64,
}

impl StreamHash {
    pub fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.bytes += data.len() as u64;
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Lower-case hex, as `sha256sum` prints it.
    pub fn hex(&self) -> String {
        sha256_hex_of(self.hasher.clone().finalize().as_slice())
    }
}

/// SHA-256 of `data` in lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    sha256_hex_of(Sha256::digest(data).as_slice())
}

fn sha256_hex_of(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
