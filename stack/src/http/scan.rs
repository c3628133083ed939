//! Byte classes and word-at-a-time scanning.
//!
//! The hot loops (request target, field values, the search for LF) test
//! eight bytes per step with SWAR arithmetic on a `u64`: a per-byte high bit
//! flags each byte of interest. Borrows and carries only travel towards
//! higher bytes, so the lowest flag is always exact even when higher ones are
//! spurious, and `trailing_zeros` on the little-endian word finds the first
//! match.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
/// Bit 5 of every byte: set, it lower-cases ASCII letters.
const CASE: u64 = 0x2020_2020_2020_2020;

/// Flags bytes of `w` below `n` (`n <= 0x80`).
#[inline(always)]
const fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * n as u64) & !w & HIGH
}

/// Flags bytes of `w` equal to `b`.
#[inline(always)]
const fn equal(w: u64, b: u8) -> u64 {
    below(w ^ (ONES * b as u64), 1)
}

/// Flags bytes of `w` at or above 0x7f (DEL and obs-text).
#[inline(always)]
const fn from_del(w: u64) -> u64 {
    (w.wrapping_add(ONES) | w) & HIGH
}

/// Advances from `i` over bytes whose word test `stop` does not flag, then
/// over bytes `keep` accepts, and returns the first index `keep` rejects (or
/// `buf.len()`).
#[inline(always)]
fn skip(buf: &[u8], mut i: usize, stop: impl Fn(u64) -> u64, keep: impl Fn(u8) -> bool) -> usize {
    while let Some(word) = buf.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let flags = stop(u64::from_le_bytes(*word));
        if flags != 0 {
            return i + (flags.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while buf.get(i).is_some_and(|&b| keep(b)) {
        i += 1;
    }
    i
}

/// First index at or after `i` that is not a request-target byte (VCHAR).
#[inline]
pub(crate) fn target_end(buf: &[u8], i: usize) -> usize {
    skip(buf, i, |w| below(w, 0x21) | from_del(w), is_vchar)
}

/// First index at or after `i` of a control byte or DEL, which ends a field
/// value (HTAB is reported too; callers step over it).
#[inline]
pub(crate) fn value_end(buf: &[u8], i: usize) -> usize {
    skip(buf, i, |w| below(w, 0x20) | equal(w, 0x7f), |b| !is_ctl(b))
}

/// Index of the first LF at or after `i`, if any.
#[inline]
pub(crate) fn find_lf(buf: &[u8], i: usize) -> Option<usize> {
    let end = skip(buf, i, |w| equal(w, b'\n'), |b| b != b'\n');
    (end < buf.len()).then_some(end)
}

/// First index at or after `i` that is not a token character.
///
/// Token bytes do not form a range, so this is a table lookup per byte, but
/// eight at a time with one bounds check, which halves its cost.
#[inline]
pub(crate) fn token_end(buf: &[u8], mut i: usize) -> usize {
    while let Some(block) = buf.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        match block.iter().position(|&b| !is_tchar(b)) {
            Some(k) => return i + k,
            None => i += 8,
        }
    }
    while buf.get(i).is_some_and(|&b| is_tchar(b)) {
        i += 1;
    }
    i
}

/// First index at or after `i` that is not SP or HTAB.
#[inline]
pub(crate) fn ows_end(buf: &[u8], mut i: usize) -> usize {
    while buf.get(i).is_some_and(|&b| is_ows(b)) {
        i += 1;
    }
    i
}

/// `bytes` without leading and trailing SP / HTAB.
pub(crate) fn trim_ows(bytes: &[u8]) -> &[u8] {
    let start = ows_end(bytes, 0);
    let end = bytes
        .iter()
        .rposition(|&b| !is_ows(b))
        .map_or(start, |e| e + 1);
    bytes.get(start..end).unwrap_or_default()
}

/// `buf[a..b]`, or empty when the range is out of bounds.
#[inline(always)]
pub(crate) fn slice(buf: &[u8], a: usize, b: usize) -> &[u8] {
    buf.get(a..b).unwrap_or_default()
}

/// Whether the token `name` equals `lower`, a lower-case name of letters and
/// `-`, ignoring case. Setting bit 5 lower-cases letters; no other token byte
/// maps onto a letter or `-` that way, so this is exact for tokens, and it
/// compares without a branch per byte.
#[inline(always)]
pub(crate) fn token_is(name: &[u8], lower: &[u8]) -> bool {
    if name.len() != lower.len() {
        return false;
    }
    match (
        name.first_chunk::<8>(),
        lower.first_chunk::<8>(),
        name.last_chunk::<8>(),
        lower.last_chunk::<8>(),
    ) {
        (Some(a), Some(b), Some(c), Some(d)) if name.len() <= 16 => {
            (u64::from_le_bytes(*a) | CASE) == u64::from_le_bytes(*b)
                && (u64::from_le_bytes(*c) | CASE) == u64::from_le_bytes(*d)
        }
        _ => {
            name.iter()
                .zip(lower)
                .fold(0, |diff, (&a, &b)| diff | ((a | 0x20) ^ b))
                == 0
        }
    }
}

/// Whether `bytes` is a non-empty token.
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

/// A membership table: ASCII letters and digits plus `others`.
const fn alphanumeric_and(others: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut k = 0;
    while k < others.len() {
        table[others[k] as usize] = true;
        k += 1;
    }
    table
}

/// The token characters of RFC 9110 §5.6.2.
static TCHAR: [bool; 256] = alphanumeric_and(b"!#$%&'*+-.^_`|~");

/// What a `Host` value may hold: RFC 3986 host (reg-name, IPv4, IP-literal)
/// and port characters.
static AUTHORITY: [bool; 256] = alphanumeric_and(b"-._~!$&'()*+,;=:%[]");

/// Whether `b` may appear in a `Host` value.
#[inline(always)]
pub(crate) fn is_authority(b: u8) -> bool {
    AUTHORITY[b as usize]
}

#[inline(always)]
pub(crate) fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// Visible ASCII (VCHAR).
#[inline(always)]
pub(crate) fn is_vchar(b: u8) -> bool {
    (0x21..0x7f).contains(&b)
}

/// Control characters, HTAB and DEL included.
#[inline(always)]
pub(crate) fn is_ctl(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// Optional whitespace: SP or HTAB.
#[inline(always)]
pub(crate) fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(buf: &[u8], i: usize, keep: impl Fn(u8) -> bool) -> usize {
        (i..buf.len()).find(|&j| !keep(buf[j])).unwrap_or(buf.len())
    }

    #[test]
    fn word_scans_match_bytewise_scans_at_every_position() {
        let all: [u8; 256] = core::array::from_fn(|b| b as u8);
        for stop in all {
            for pos in 0..20 {
                let mut buf = [b'a'; 24];
                buf[pos] = stop;
                buf[pos + 2] = 0xff;
                for start in 0..=pos {
                    assert_eq!(target_end(&buf, start), naive(&buf, start, is_vchar));
                    assert_eq!(value_end(&buf, start), naive(&buf, start, |b| !is_ctl(b)));
                    assert_eq!(
                        find_lf(&buf, start),
                        (start..buf.len()).find(|&j| buf[j] == b'\n')
                    );
                }
            }
        }
    }

    #[test]
    fn scans_past_the_end_stay_in_bounds() {
        assert_eq!(target_end(b"abc", 7), 7);
        assert_eq!(value_end(b"", 0), 0);
        assert_eq!(find_lf(b"abc", 9), None);
        assert_eq!(trim_ows(b" \t a b\t "), b"a b");
        assert_eq!(trim_ows(b"  "), b"");
    }

    #[test]
    fn token_names_compare_ignoring_case_only() {
        for name in ["host", "connection", "content-length", "transfer-encoding"] {
            assert!(token_is(
                name.to_ascii_uppercase().as_bytes(),
                name.as_bytes()
            ));
            assert!(token_is(name.as_bytes(), name.as_bytes()));
            let mut near = name.as_bytes().to_vec();
            for k in 0..near.len() {
                for other in [b'_', b'.', b'0', b'^', b'~', b'!', b'M'] {
                    let saved = near[k];
                    near[k] = other;
                    assert!(
                        !token_is(&near, name.as_bytes()),
                        "{:?}",
                        core::str::from_utf8(&near)
                    );
                    near[k] = saved;
                }
            }
            assert!(!token_is(&name.as_bytes()[1..], name.as_bytes()));
        }
    }
}
