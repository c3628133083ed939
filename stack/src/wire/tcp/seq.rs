//! TCP sequence numbers: a 32-bit space where every comparison is modulo 2^32
//! (RFC 9293 section 3.4), so that a connection keeps working when its
//! sequence numbers wrap.

use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, AddAssign, Sub};

/// A TCP sequence (or acknowledgment) number.
///
/// `a < b` means "b is ahead of a by less than 2^31". Two numbers exactly 2^31
/// apart are unordered (`partial_cmp` is `None`), which keeps `<` and `>`
/// mutually exclusive. Arithmetic wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SeqNumber(pub u32);

impl SeqNumber {
    /// How far `self` is ahead of `earlier`, modulo 2^32. Only meaningful when
    /// `earlier <= self`; callers check the order first.
    pub const fn distance_from(self, earlier: SeqNumber) -> u32 {
        self.0.wrapping_sub(earlier.0)
    }

    /// The later of the two (`self` when unordered).
    pub fn max(self, other: SeqNumber) -> SeqNumber {
        if other > self {
            other
        } else {
            self
        }
    }

    /// The earlier of the two (`self` when unordered).
    pub fn min(self, other: SeqNumber) -> SeqNumber {
        if other < self {
            other
        } else {
            self
        }
    }

    /// `start <= self < end` in sequence space.
    pub fn in_range(self, start: SeqNumber, end: SeqNumber) -> bool {
        self.distance_from(start) < end.distance_from(start)
    }
}

impl PartialOrd for SeqNumber {
    fn partial_cmp(&self, other: &SeqNumber) -> Option<Ordering> {
        match self.0.wrapping_sub(other.0) {
            0 => Some(Ordering::Equal),
            0x8000_0000 => None,
            d if d < 0x8000_0000 => Some(Ordering::Greater),
            _ => Some(Ordering::Less),
        }
    }

    // The four comparisons directly, without an `Ordering` in between:
    // they run several times per segment. `b - a` read as signed is
    // positive exactly when `a < b`; 2^31 apart reads as negative both ways.
    fn lt(&self, other: &SeqNumber) -> bool {
        (other.0.wrapping_sub(self.0) as i32) > 0
    }
    fn le(&self, other: &SeqNumber) -> bool {
        (other.0.wrapping_sub(self.0) as i32) >= 0
    }
    fn gt(&self, other: &SeqNumber) -> bool {
        other.lt(self)
    }
    fn ge(&self, other: &SeqNumber) -> bool {
        other.le(self)
    }
}

impl Add<u32> for SeqNumber {
    type Output = SeqNumber;
    fn add(self, n: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_add(n))
    }
}

/// Lengths are `usize` in buffers; sequence space is modulo 2^32, so the
/// truncating conversion is exactly the arithmetic TCP wants.
impl Add<usize> for SeqNumber {
    type Output = SeqNumber;
    fn add(self, n: usize) -> SeqNumber {
        SeqNumber(self.0.wrapping_add(n as u32))
    }
}

impl AddAssign<u32> for SeqNumber {
    fn add_assign(&mut self, n: u32) {
        *self = *self + n;
    }
}

impl AddAssign<usize> for SeqNumber {
    fn add_assign(&mut self, n: usize) {
        *self = *self + n;
    }
}

impl Sub<u32> for SeqNumber {
    type Output = SeqNumber;
    fn sub(self, n: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_sub(n))
    }
}

impl fmt::Display for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_holds_across_wrap() {
        let a = SeqNumber(u32::MAX - 10);
        let b = a + 20u32;
        assert_eq!(b, SeqNumber(9));
        assert!(a < b);
        assert!(a <= a + 1u32);
        assert_eq!(b.partial_cmp(&a), Some(Ordering::Greater));
        assert_eq!(b.distance_from(a), 20);
        assert_eq!(a.max(b), b);
        assert_eq!(b.min(a), a);
        assert_eq!(b - 20u32, a);
    }

    #[test]
    fn half_space_apart_is_unordered() {
        let a = SeqNumber(5);
        let b = a + 0x8000_0000u32;
        assert_eq!(a.partial_cmp(&b), None);
        assert!(a != b && a.partial_cmp(&b).is_none() && b.partial_cmp(&a).is_none());
        assert!(a + 0x7fff_ffffu32 > a);
        assert!(a + 0x8000_0001u32 < a);
    }

    #[test]
    fn in_range_is_half_open_and_wraps() {
        let start = SeqNumber(u32::MAX - 1);
        let end = start + 4u32;
        assert!(start.in_range(start, end));
        assert!(SeqNumber(0).in_range(start, end));
        assert!(SeqNumber(1).in_range(start, end));
        assert!(!end.in_range(start, end));
        assert!(!SeqNumber(u32::MAX - 2).in_range(start, end));
        assert!(!start.in_range(start, start));
    }

    proptest::proptest! {
        /// The direct comparisons say what `partial_cmp` says, including at
        /// the unordered half-space distance.
        #[test]
        fn comparisons_agree_with_partial_cmp(a: u32, d in proptest::prop_oneof![
            proptest::prelude::any::<u32>(),
            proptest::prelude::Just(0x8000_0000u32),
            proptest::prelude::Just(0u32),
        ]) {
            let (a, b) = (SeqNumber(a), SeqNumber(a.wrapping_add(d)));
            let ord = a.partial_cmp(&b);
            proptest::prop_assert_eq!(a < b, ord == Some(Ordering::Less));
            proptest::prop_assert_eq!(a <= b, matches!(ord, Some(Ordering::Less | Ordering::Equal)));
            proptest::prop_assert_eq!(a > b, ord == Some(Ordering::Greater));
            proptest::prop_assert_eq!(a >= b, matches!(ord, Some(Ordering::Greater | Ordering::Equal)));
        }
    }

    #[test]
    fn usize_addition_is_modulo_2_32() {
        assert_eq!(SeqNumber(1) + usize::MAX, SeqNumber(0));
    }
}
