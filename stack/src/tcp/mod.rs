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
//!
//! # What the socket does
//!
//! - All RFC 9293 states, simultaneous open and close, TIME-WAIT for a
//!   configurable 2 MSL (a RST does not cut it short, RFC 1337).
//! - RFC 5961: exact-sequence RST, challenge ACKs for in-window RSTs, SYNs
//!   and out-of-range ACKs, rate-limited per second.
//! - Retransmission: RFC 6298 RTO with Karn's rule and exponential backoff;
//!   on a timeout the sender goes back to SND.UNA (SND.NXT rewinds, SND.MAX
//!   remembers how far it got, SACKed data is skipped). RFC 5681 slow start
//!   and congestion avoidance, RFC 6582 NewReno fast recovery; CUBIC window
//!   growth (RFC 9438) as an option ([`Congestion`]).
//! - Options: MSS (RFC 6691; payload shrinks by the options carried), window
//!   scaling and timestamps with RTTM and PAWS (RFC 7323), SACK (RFC 2018):
//!   blocks are sent for out-of-order data, most recent first, and received
//!   blocks form a scoreboard that picks the holes to retransmit during
//!   recovery, RFC 6675 style (the window is compared with the pipe).
//! - With SACK, RACK-TLP (RFC 8985): send times of what is in flight, kept
//!   in a fixed record, find lost segments and lost retransmissions from
//!   SACKs and time, also after a timeout; a tail loss probe draws the ACK
//!   that reveals a lost tail instead of waiting for the RTO.
//! - Flow control: receiver and sender SWS avoidance, Nagle, delayed ACK
//!   (every second full-sized segment at least), zero-window probes from a
//!   persist timer, keepalive.
//! - Out-of-order data is written straight into the receive ring; an
//!   [`Assembler`] with a fixed number of ranges tracks it, and a segment
//!   that would need one range too many is dropped (and retransmitted).

mod assembler;
mod config;
mod congestion;
mod cubic;
mod io;
mod rack;
mod rtt;
mod scoreboard;
mod socket;
mod state;
mod tlp;

pub use crate::wire::tcp::SeqNumber;
pub use assembler::{Assembler, TooManyHoles, MAX_RANGES};
pub use config::{Config, Congestion};
pub use io::{IoError, TcpConnection};
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
