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
    // The sum is independent of byte order (RFC 1071 section 2(B)): summing
    // little-endian words and swapping the folded result equals summing
    // big-endian words, and lets each 8-byte load be a plain load. Each
    // 64-bit word is added as its two 32-bit halves (equivalent modulo
    // 0xffff, since 2^32 == 1), so no carry chain links the additions, and
    // four accumulators let them run in parallel. No accumulator can
    // overflow below 2^31 words.
    let mut quads = bytes.chunks_exact(32);
    let mut acc = [0u64; 4];
    for quad in &mut quads {
        add_quad(&mut acc, quad);
    }
    finish(acc, quads.remainder())
}

/// Copies as much of `src` as `dest` holds and returns `data` of what was
/// copied: one pass over the bytes where a copy and a sum would take two,
/// for a segment's payload on its way into a frame.
pub fn copy(dest: &mut [u8], src: &[u8]) -> u16 {
    let len = dest.len().min(src.len());
    let (dest, src) = (
        dest.get_mut(..len).unwrap_or_default(),
        src.get(..len).unwrap_or_default(),
    );
    let mut quads = src.chunks_exact(32);
    let mut out = dest.chunks_exact_mut(32);
    let mut acc = [0u64; 4];
    for (quad, to) in (&mut quads).zip(&mut out) {
        to.copy_from_slice(quad);
        add_quad(&mut acc, quad);
    }
    let rest = quads.remainder();
    if let Some(to) = out.into_remainder().get_mut(..rest.len()) {
        to.copy_from_slice(rest);
    }
    finish(acc, rest)
}

/// Adds a 32-byte block to the four accumulators, one word each.
#[inline(always)]
fn add_quad(acc: &mut [u64; 4], quad: &[u8]) {
    for (sum, word) in acc.iter_mut().zip(quad.chunks_exact(8)) {
        *sum += halves(word);
    }
}

/// Adds the last 0 to 31 bytes and folds the accumulators into the sum.
#[inline(always)]
fn finish(mut acc: [u64; 4], rest: &[u8]) -> u16 {
    let mut words = rest.chunks_exact(8);
    for word in &mut words {
        acc[0] += halves(word);
    }
    acc[1] += tail(words.remainder());
    fold(acc.iter().sum()).swap_bytes()
}

/// The last 0 to 7 bytes, read as 4-, 2- and 1-byte little-endian pieces
/// (each starts at an even offset, so each lands in the right half of its
/// 16-bit words). Copying them into a zeroed 8-byte word instead costs a
/// `memcpy` call and a stalled load, more than summing a 20-byte header.
#[inline(always)]
fn tail(mut rest: &[u8]) -> u64 {
    let mut sum = 0;
    if let Some((four, more)) = rest.split_first_chunk::<4>() {
        sum += u64::from(u32::from_le_bytes(*four));
        rest = more;
    }
    if let Some((two, more)) = rest.split_first_chunk::<2>() {
        sum += u64::from(u16::from_le_bytes(*two));
        rest = more;
    }
    if let [last] = rest {
        sum += u64::from(*last);
    }
    sum
}

/// The two 32-bit halves of a little-endian 8-byte word, added.
#[inline(always)]
fn halves(word: &[u8]) -> u64 {
    let word = <[u8; 8]>::try_from(word).map_or(0, u64::from_le_bytes);
    (word & 0xffff_ffff) + (word >> 32)
}

/// Joins folded sums of adjacent, even-length parts.
pub fn combine(sums: &[u16]) -> u16 {
    fold(sums.iter().map(|&s| u64::from(s)).sum())
}

/// The folded sum of the IPv4 pseudo-header that UDP and TCP checksums cover.
///
/// Summed as numbers rather than laid out in bytes: it is computed twice
/// per segment.
pub fn pseudo_header(src: Ipv4Addr, dst: Ipv4Addr, protocol: u8, length: u16) -> u16 {
    let halves = |addr: Ipv4Addr| {
        let bits = u64::from(addr.to_bits());
        (bits >> 16) + (bits & 0xffff)
    };
    fold(halves(src) + halves(dst) + u64::from(protocol) + u64::from(length))
}

/// Folds to 16 bits with end-around carry: 64 to 33 bits, then to 17 bits,
/// then the last carry.
fn fold(acc: u64) -> u16 {
    let acc = (acc & 0xffff_ffff) + (acc >> 32);
    let acc = (acc & 0xffff) + (acc >> 16);
    let acc = (acc & 0xffff) + (acc >> 16);
    let acc = (acc & 0xffff) + (acc >> 16);
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
        let bytes: [u8; 131] =
            core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
        for end in 0..bytes.len() {
            assert_eq!(
                data(&bytes[..end]),
                reference(&bytes[..end]),
                "length {end}"
            );
        }
    }

    #[test]
    fn copy_copies_and_sums_like_data_at_every_length() {
        let bytes: [u8; 131] = core::array::from_fn(|i| (i as u8).wrapping_mul(53).wrapping_add(7));
        for end in 0..bytes.len() {
            let mut dest = [0xa5u8; 131];
            let sum = copy(&mut dest[..end], &bytes[..end]);
            assert_eq!(sum, reference(&bytes[..end]), "length {end}");
            assert_eq!(dest[..end], bytes[..end], "length {end}");
            assert!(dest[end..].iter().all(|&b| b == 0xa5), "length {end}");
        }
        // Mismatched lengths: the common prefix, from either side.
        let mut short = [0u8; 40];
        assert_eq!(copy(&mut short, &bytes), reference(&bytes[..40]));
        assert_eq!(short[..], bytes[..40]);
        let mut long = [0u8; 131];
        assert_eq!(copy(&mut long, &bytes[..33]), reference(&bytes[..33]));
        assert_eq!(long[..33], bytes[..33]);
        assert!(long[33..].iter().all(|&b| b == 0));
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
    fn pseudo_header_sums_the_laid_out_header() {
        let cases = [
            ([192, 0, 2, 1], [198, 51, 100, 200], 6, 1480),
            ([255; 4], [255; 4], 17, 0xffff),
            ([0; 4], [0; 4], 0, 0),
        ];
        for (src, dst, protocol, length) in cases {
            let mut header = [0u8; 12];
            header[0..4].copy_from_slice(&src);
            header[4..8].copy_from_slice(&dst);
            header[9] = protocol;
            header[10..12].copy_from_slice(&u16::to_be_bytes(length));
            assert_eq!(
                pseudo_header(src.into(), dst.into(), protocol, length),
                reference(&header)
            );
        }
    }

    #[test]
    fn all_ones_input_does_not_collapse_to_zero() {
        assert_eq!(data(&[0xff; 64]), 0xffff);
        assert_eq!(data(&[]), 0);
    }
}
