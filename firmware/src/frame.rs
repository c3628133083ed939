//! The frame-level face of a sans-IO network stack.
//!
//! The firmware owns the radio, the clock and the task that sleeps; the
//! stack owns protocol state. This trait is the whole contract between them,
//! the same one the simulator's hosts drive (see DESIGN.md): hand in inbound
//! frames, drain outbound frames, and sleep until the next frame or the
//! stack's own deadline, whichever comes first.

use seqs::time::Instant;

/// A network stack seen as a consumer and producer of Ethernet II frames
/// (destination MAC first, no FCS).
pub trait FrameStack {
    /// Accepts one inbound frame received at `now`. Malformed frames are the
    /// stack's to count and drop.
    fn receive(&mut self, now: Instant, frame: &[u8]);

    /// Writes the next outbound frame into `buf` and returns its length, or
    /// `None` when nothing is due at `now`. The driver calls this only when
    /// it can send the frame at once, so a returned frame is never lost to a
    /// full transmit queue. `buf` is as long as the driver's largest frame;
    /// a length of zero or past `buf` breaks the contract and the frame is
    /// dropped.
    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize>;

    /// The earliest instant at which the stack must run again although no
    /// frame arrived (a retransmission, a lease renewal, ...), or `None` when
    /// only a frame can give it work.
    fn poll_at(&self) -> Option<Instant>;
}
