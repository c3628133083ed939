//! The Internet checksum (RFC 1071), the one implementation every format uses.
//!
//! [`data`] and [`pseudo_header`] return *folded sums*, not checksums, so that
//! parts can be summed independently and joined with [`combine`]. A packet is
//! valid when the combined sum over it (checksum field included) is `0xffff`;
//! the value to store in a checksum field is `!combine(..)`.

use core::net::Ipv4Addr;

/// The ones'-complement sum of `bytes` as big-endian 16-bit words, folded to
/// 16 bits. An odd trailing byte is padded with zero, as RFC 1071 says.
pub fn data(bytes: &[u8]) -> u16 {
    // Summing 32-bit words into a u64 is equivalent modulo 0xffff (2^16 == 1)
    // and halves the work; a u64 cannot overflow below 2^32 words.
    let mut acc: u64 = 0;
    let mut words = bytes.chunks_exact(4);
    for w in &mut words {
        acc += u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
    }
    let rest = words.remainder();
    let mut tail = [0u8; 4];
    tail[..rest.len()].copy_from_slice(rest);
    acc += u64::from(u32::from_be_bytes(tail));
    fold(acc)
}

/// Joins folded sums of adjacent, even-length parts.
pub fn combine(sums: &[u16]) -> u16 {
    fold(sums.iter().map(|&s| u64::from(s)).sum())
}

/// The folded sum of the IPv4 pseudo-header that UDP and TCP checksums cover.
pub fn pseudo_header(src: Ipv4Addr, dst: Ipv4Addr, protocol: u8, length: u16) -> u16 {
    let mut header = [0u8; 12];
    header[0..4].copy_from_slice(&src.octets());
    header[4..8].copy_from_slice(&dst.octets());
    header[9] = protocol;
    header[10..12].copy_from_slice(&length.to_be_bytes());
    data(&header)
}

fn fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight 16-bit word sum, the way RFC 1071 writes it.
    fn reference(bytes: &[u8]) -> u16 {
        let mut acc: u32 = 0;
        for pair in bytes.chunks(2) {
            let hi = u32::from(pair[0]) << 8;
            let lo = pair.get(1).copied().map_or(0, u32::from);
            acc += hi | lo;
            acc = (acc & 0xffff) + (acc >> 16);
        }
        acc as u16
    }

    #[test]
    fn rfc1071_example() {
        // RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2.
        assert_eq!(
            data(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            0xddf2
        );
    }

    #[test]
    fn ipv4_header_verifies_to_all_ones() {
        // A real header (checksum 0xb861 in place) sums to 0xffff.
        let header = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(data(&header), 0xffff);
    }

    #[test]
    fn matches_reference_for_all_lengths_and_odd_tails() {
        let bytes: [u8; 67] = core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
        for end in 0..bytes.len() {
            assert_eq!(
                data(&bytes[..end]),
                reference(&bytes[..end]),
                "length {end}"
            );
        }
    }

    #[test]
    fn combine_equals_sum_of_whole() {
        let bytes: [u8; 40] = core::array::from_fn(|i| 0xf0 ^ i as u8);
        assert_eq!(
            combine(&[data(&bytes[..12]), data(&bytes[12..])]),
            data(&bytes)
        );
    }

    #[test]
    fn all_ones_input_does_not_collapse_to_zero() {
        assert_eq!(data(&[0xff; 64]), 0xffff);
        assert_eq!(data(&[]), 0);
    }
}
