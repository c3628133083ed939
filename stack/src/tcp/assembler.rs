//! Tracks which byte ranges past a moving front are present, in a fixed
//! number of slots.
//!
//! The receiver uses it for out-of-order data written ahead of `RCV.NXT`
//! into the receive ring (and to generate SACK blocks); the sender uses a
//! second one as its SACK scoreboard ahead of `SND.UNA`. Offsets are relative
//! to the front, so sequence-number wrap never reaches this code.

/// How many disjoint ranges (so, holes) are tracked.
pub const MAX_RANGES: usize = 8;

/// The update would need more than [`MAX_RANGES`] disjoint ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyHoles;

/// Sorted, disjoint, non-adjacent `[start, end)` ranges of offsets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Assembler {
    ranges: [(usize, usize); MAX_RANGES],
    count: usize,
}

impl Assembler {
    pub const fn new() -> Self {
        Assembler {
            ranges: [(0, 0); MAX_RANGES],
            count: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn clear(&mut self) {
        self.count = 0;
    }

    /// The ranges, in offset order.
    pub fn ranges(&self) -> &[(usize, usize)] {
        &self.ranges[..self.count]
    }

    /// Marks `[offset, offset + len)` present, merging with neighbours. On
    /// error nothing changes.
    pub fn add(&mut self, offset: usize, len: usize) -> Result<(), TooManyHoles> {
        if len == 0 {
            return Ok(());
        }
        let (mut start, mut end) = (offset, offset.saturating_add(len));
        let mut merged = [(0, 0); MAX_RANGES];
        let mut count = 0;
        let mut placed = false;
        for &(s, e) in self.ranges() {
            if e < start {
                merged[count] = (s, e);
                count += 1;
            } else if s > end {
                if !placed {
                    *merged.get_mut(count).ok_or(TooManyHoles)? = (start, end);
                    count += 1;
                    placed = true;
                }
                *merged.get_mut(count).ok_or(TooManyHoles)? = (s, e);
                count += 1;
            } else {
                start = start.min(s);
                end = end.max(e);
            }
        }
        if !placed {
            *merged.get_mut(count).ok_or(TooManyHoles)? = (start, end);
            count += 1;
        }
        self.ranges = merged;
        self.count = count;
        Ok(())
    }

    /// Length of the range starting at offset 0 (data ready at the front).
    pub fn front_len(&self) -> usize {
        match self.ranges().first() {
            Some(&(0, end)) => end,
            _ => 0,
        }
    }

    /// Moves the front forward by `n`: ranges behind it are dropped or
    /// clipped, the rest shift down.
    pub fn advance(&mut self, n: usize) {
        let mut kept = 0;
        for i in 0..self.count {
            let (s, e) = self.ranges[i];
            if e > n {
                self.ranges[kept] = (s.saturating_sub(n), e - n);
                kept += 1;
            }
        }
        self.count = kept;
    }

    /// Total bytes marked present.
    pub fn total_len(&self) -> usize {
        self.ranges().iter().map(|(s, e)| e - s).sum()
    }

    /// End of the highest range, if any.
    pub fn highest_end(&self) -> Option<usize> {
        self.ranges().last().map(|&(_, e)| e)
    }

    /// The first gap at or after `from` and before `limit`, as `[start, end)`.
    pub fn first_gap(&self, from: usize, limit: usize) -> Option<(usize, usize)> {
        let mut start = from;
        for &(s, e) in self.ranges() {
            if e <= start {
                continue;
            }
            if s > start {
                break;
            }
            start = e;
        }
        let end = self
            .ranges()
            .iter()
            .find(|&&(s, _)| s > start)
            .map_or(limit, |&(s, _)| s.min(limit));
        (start < end).then_some((start, end))
    }

    /// Bytes of `[start, end)` marked present.
    pub fn covered(&self, start: usize, end: usize) -> usize {
        self.ranges()
            .iter()
            .map(|&(s, e)| e.min(end).saturating_sub(s.max(start)))
            .sum()
    }

    /// End of the range holding `offset`, if one does.
    pub fn range_end_at(&self, offset: usize) -> Option<usize> {
        self.ranges()
            .iter()
            .find(|&&(s, e)| s <= offset && offset < e)
            .map(|&(_, e)| e)
    }

    /// Whether `offset` is inside a range.
    pub fn contains(&self, offset: usize) -> bool {
        self.ranges()
            .iter()
            .any(|&(s, e)| s <= offset && offset < e)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::vec;

    #[test]
    fn merges_overlapping_and_adjacent() {
        let mut a = Assembler::new();
        a.add(10, 5).unwrap();
        a.add(20, 5).unwrap();
        assert_eq!(a.ranges(), &[(10, 15), (20, 25)]);
        a.add(15, 5).unwrap();
        assert_eq!(a.ranges(), &[(10, 25)]);
        a.add(0, 3).unwrap();
        a.add(2, 30).unwrap();
        assert_eq!(a.ranges(), &[(0, 32)]);
        assert_eq!(a.front_len(), 32);
    }

    #[test]
    fn advance_shifts_and_clips() {
        let mut a = Assembler::new();
        a.add(0, 4).unwrap();
        a.add(6, 4).unwrap();
        a.advance(4);
        assert_eq!(a.ranges(), &[(2, 6)]);
        a.advance(3);
        assert_eq!(a.ranges(), &[(0, 3)]);
        a.advance(3);
        assert!(a.is_empty());
    }

    #[test]
    fn refuses_one_hole_too_many_without_change() {
        let mut a = Assembler::new();
        for i in 0..MAX_RANGES {
            a.add(10 * i + 1, 1).unwrap();
        }
        let before = a;
        assert_eq!(a.add(1000, 1), Err(TooManyHoles));
        assert_eq!(a.add(0, 0), Ok(()));
        assert_eq!(a, before);
        a.add(2, 9).unwrap();
        assert_eq!(a.ranges().len(), MAX_RANGES - 1);
    }

    #[test]
    fn gaps() {
        let mut a = Assembler::new();
        a.add(5, 5).unwrap();
        a.add(15, 5).unwrap();
        assert_eq!(a.first_gap(0, 100), Some((0, 5)));
        assert_eq!(a.first_gap(5, 100), Some((10, 15)));
        assert_eq!(a.first_gap(12, 14), Some((12, 14)));
        assert_eq!(a.first_gap(15, 20), None);
        assert_eq!(a.first_gap(18, 100), Some((20, 100)));
        assert_eq!(a.total_len(), 10);
        assert_eq!(a.highest_end(), Some(20));
        assert!(a.contains(19) && !a.contains(20));
        assert_eq!(a.covered(0, 100), 10);
        assert_eq!(a.covered(7, 17), 5);
        assert_eq!(a.covered(10, 15), 0);
        assert_eq!(a.range_end_at(16), Some(20));
        assert_eq!(a.range_end_at(12), None);
    }

    proptest! {
        #[test]
        fn matches_a_bitmap(ops in proptest::collection::vec((0usize..64, 0usize..10, 0usize..4), 0..40)) {
            let mut a = Assembler::new();
            let mut model = vec![false; 128];
            for (offset, len, adv) in ops {
                if a.add(offset, len).is_ok() {
                    model[offset..offset + len].iter_mut().for_each(|b| *b = true);
                }
                a.advance(adv);
                model.drain(..adv);
                model.extend(std::iter::repeat_n(false, adv));
                for (i, &present) in model.iter().enumerate() {
                    prop_assert_eq!(a.contains(i), present, "offset {}", i);
                }
                let front = model.iter().take_while(|&&b| b).count();
                prop_assert_eq!(a.front_len(), front);
            }
        }
    }
}
