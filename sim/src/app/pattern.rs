//! The byte stream a TCP bulk sender produces and its sink verifies: a
//! 16-byte header (seed, then length, both big endian) and `length` bytes
//! that are a pure function of (seed, offset), so the sink checks every
//! byte without being told anything else. Both ends also keep a running
//! FNV-1a digest of the payload, reported so runs can be compared.

pub(crate) const HEADER_LEN: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stream {
    pub seed: u64,
    pub len: u64,
}

impl Stream {
    pub fn header(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[..8].copy_from_slice(&self.seed.to_be_bytes());
        h[8..].copy_from_slice(&self.len.to_be_bytes());
        h
    }

    pub fn from_header(h: &[u8; HEADER_LEN]) -> Stream {
        let (seed, len) = h.split_at(8);
        let word = |b: &[u8]| u64::from_be_bytes(b.try_into().unwrap_or_default());
        Stream {
            seed: word(seed),
            len: word(len),
        }
    }

    /// Payload byte at `offset`: one SplitMix64 output per 8 bytes.
    pub fn byte(&self, offset: u64) -> u8 {
        let block = splitmix64(self.seed ^ (offset / 8).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        block.to_le_bytes()[(offset % 8) as usize]
    }

    /// Fills `buf` with the payload from `offset` on.
    pub fn fill(&self, offset: u64, buf: &mut [u8]) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = self.byte(offset + i as u64);
        }
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A running 64-bit FNV-1a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Digest(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Folded to 32 bits, to fit a metric.
    pub fn value(&self) -> u32 {
        (self.0 ^ (self.0 >> 32)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_and_payload_depends_on_seed_and_offset() {
        let s = Stream {
            seed: 42,
            len: 1 << 20,
        };
        assert_eq!(Stream::from_header(&s.header()), s);
        let mut a = [0u8; 64];
        s.fill(0, &mut a);
        let mut b = [0u8; 32];
        s.fill(32, &mut b);
        assert_eq!(&a[32..], &b);
        let other = Stream {
            seed: 43,
            len: 1 << 20,
        };
        assert_ne!(s.byte(5), other.byte(5)); // SplitMix64 outputs differ here
        assert!(a.iter().any(|&x| x != a[0]));
    }

    #[test]
    fn digest_is_incremental() {
        let mut whole = Digest::default();
        whole.update(b"hello world");
        let mut parts = Digest::default();
        parts.update(b"hello");
        parts.update(b" world");
        assert_eq!(whole, parts);
        assert_ne!(whole, Digest::default());
    }
}
