//! What the TCP source sends and how both ends fingerprint a stream: a
//! seeded byte pattern, and SHA-256 in hex so a Linux peer's `sha256sum`
//! can be compared with our reports.

use sha2::{Digest, Sha256};

/// A reproducible byte stream (xorshift64*), generated in chunks.
#[derive(Debug, Clone)]
pub struct Pattern {
    state: u64,
}

impl Pattern {
    pub fn new(seed: u64) -> Self {
        // xorshift must not start at zero.
        Pattern {
            state: seed ^ 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// Overwrites `buf` with the next bytes of the stream.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.state ^= self.state >> 12;
            self.state ^= self.state << 25;
            self.state ^= self.state >> 27;
            let word = self.state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }

    /// The first `len` bytes of the stream seeded with `seed`.
    pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut data = vec![0u8; len];
        Pattern::new(seed).fill(&mut data);
        data
    }
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
