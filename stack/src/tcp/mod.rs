//! TCP (RFC 9293) as a sans-IO state machine.
//!
//! A [`Socket`] knows nothing of Ethernet, ARP or the interface. The stack
//! core owns it and drives it with three calls, passing time in:
//!
//! - Inbound: for each valid TCP segment (checksum already verified by
//!   [`Repr::parse`](crate::wire::tcp::Repr::parse)), find the socket whose
//!   [`Socket::accepts`] is true (prefer an exact connection match over a
//!   listener on the same port) and call [`Socket::process`]. It may return
//!   a segment to send back at once (RST, challenge ACK). When no socket
//!   accepts, answer with [`reset_reply`].
//! - Outbound: call [`Socket::dispatch`] repeatedly while it returns
//!   `Ok(true)`; each call hands at most one segment (source and
//!   destination address, `Repr`) to a closure that routes and emits it. If
//!   the closure fails (no route, no ARP entry yet, no buffer), nothing is
//!   committed and the same segment is offered again later.
//! - Timers: [`Socket::poll_at`] is the exact time `dispatch` next has work
//!   (retransmission, delayed ACK, persist, keepalive or TIME-WAIT expiry);
//!   `Some(now)` means a segment is ready.
//!
//! Randomness stays with the caller: `connect` takes the ephemeral port (in
//! the local endpoint) and the ISN, `listen` an ISN seed. Several listening
//! sockets on one port form an accept backlog: each takes one connection.
//!
//! Nothing here allocates: buffers are [`RingBuffer`](crate::storage::RingBuffer)s
//! over caller storage and every other structure has a fixed size.

mod assembler;
mod config;
mod congestion;
mod rtt;
mod socket;
mod state;

pub use crate::wire::tcp::SeqNumber;
pub use assembler::{Assembler, TooManyHoles, MAX_RANGES};
pub use config::Config;
pub use socket::{Counters, Error, Metrics, Socket};
pub use state::State;

use crate::wire::tcp::{Control, Repr, MAX_SACK_BLOCKS};

/// The RST that answers `seg` when no connection exists (RFC 9293 section
/// 3.10.7.1); `None` for a RST, which is never answered.
pub fn reset_reply(seg: &Repr<'_>) -> Option<Repr<'static>> {
    if seg.control == Control::Rst {
        return None;
    }
    let (seq_number, ack_number) = match seg.ack_number {
        Some(ack) => (ack, None),
        None => (SeqNumber(0), Some(seg.seq_number + seg.segment_len())),
    };
    Some(Repr {
        src_port: seg.dst_port,
        dst_port: seg.src_port,
        control: Control::Rst,
        seq_number,
        ack_number,
        window_len: 0,
        window_scale: None,
        max_seg_size: None,
        sack_permitted: false,
        sack_ranges: [None; MAX_SACK_BLOCKS],
        timestamp: None,
        payload: &[],
    })
}
