//! The sender's SACK scoreboard (RFC 6675) in sequence numbers: the
//! [`Assembler`] of SACKed ranges, which counts from SND.UNA, seen from the
//! sequence space the rest of the sender works in.

use super::assembler::Assembler;
use crate::wire::tcp::SeqNumber;

/// A read-only view of what the peer holds: everything below `una`, plus
/// the SACKed ranges above it.
#[derive(Debug, Clone, Copy)]
pub struct Scoreboard<'s> {
    una: SeqNumber,
    sacked: &'s Assembler,
}

impl<'s> Scoreboard<'s> {
    pub fn new(una: SeqNumber, sacked: &'s Assembler) -> Self {
        Scoreboard { una, sacked }
    }

    /// SND.UNA: the peer holds everything before it.
    pub fn una(&self) -> SeqNumber {
        self.una
    }

    /// Whether nothing above SND.UNA was SACKed.
    pub fn nothing_sacked(&self) -> bool {
        self.sacked.is_empty()
    }

    /// Offset of `seq` from SND.UNA; acknowledged sequence numbers are 0.
    fn offset(&self, seq: SeqNumber) -> usize {
        if seq > self.una {
            seq.distance_from(self.una) as usize
        } else {
            0
        }
    }

    /// The end of the highest SACKed range, or SND.UNA: the peer holds no
    /// byte from here on.
    pub fn held_end(&self) -> SeqNumber {
        self.una + self.sacked.highest_end().unwrap_or(0)
    }

    /// Bytes of `[start, end)` the peer does not hold yet.
    pub fn missing(&self, start: SeqNumber, end: SeqNumber) -> usize {
        let (s, e) = (self.offset(start), self.offset(end));
        e.saturating_sub(s)
            .saturating_sub(self.sacked.covered(s, e))
    }

    /// Whether the peer holds every byte of `[start, end)`.
    pub fn holds(&self, start: SeqNumber, end: SeqNumber) -> bool {
        if self.nothing_sacked() {
            return end <= self.una;
        }
        self.missing(start, end) == 0
    }

    /// The first range in `[start, end)` the peer does not hold.
    pub fn first_hole(&self, start: SeqNumber, end: SeqNumber) -> Option<(SeqNumber, SeqNumber)> {
        let (s, e) = (self.offset(start), self.offset(end));
        let (from, to) = self.sacked.first_gap(s, e)?;
        Some((self.una + from, self.una + to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_and_missing_bytes_in_sequence_space() {
        let mut sacked = Assembler::new();
        sacked.add(100, 50).unwrap();
        let una = SeqNumber(u32::MAX - 9);
        let board = Scoreboard::new(una, &sacked);
        let seq = |off: u32| una + off;
        assert_eq!(board.missing(seq(0), seq(200)), 150);
        assert_eq!(board.missing(una - 5u32, seq(10)), 10, "acked bytes held");
        assert!(board.holds(seq(100), seq(150)) && !board.holds(seq(99), seq(150)));
        assert_eq!(
            board.first_hole(seq(100), seq(300)),
            Some((seq(150), seq(300)))
        );
        assert_eq!(board.first_hole(seq(110), seq(140)), None);
        assert_eq!(board.held_end(), seq(150));
        assert_eq!(Scoreboard::new(una, &Assembler::new()).held_end(), una);
    }
}
