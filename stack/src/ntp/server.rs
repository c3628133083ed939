//! An NTP server for the simulator: answers client requests with the host's
//! clock shifted by a configurable offset, or with a kiss-of-death.
//!
//! Stateless, so it answers in place ([`Server::respond`]) rather than
//! queueing: one request datagram in, one reply out, to the request's source.

use crate::time::Instant;
use crate::wire::ntp::{Epoch, Leap, Mode, Packet, ReferenceId, Repr, ShortTime, HEADER_LEN};

/// What the server claims about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerConfig {
    /// How the host's instants map to wall time.
    pub epoch: Epoch,
    /// Added to the host's wall time: a server that is deliberately wrong.
    pub offset_micros: i64,
    pub stratum: u8,
    pub leap: Leap,
    pub reference_id: ReferenceId,
    /// log2 seconds.
    pub precision: i8,
    /// Answer every request with this kiss code instead of the time.
    pub kiss: Option<ReferenceId>,
}

impl ServerConfig {
    /// A healthy stratum-1 server (reference "SIM") with an exact clock.
    pub const fn new(epoch: Epoch) -> ServerConfig {
        ServerConfig {
            epoch,
            offset_micros: 0,
            stratum: 1,
            leap: Leap::NoWarning,
            reference_id: ReferenceId(*b"SIM\0"),
            precision: -20,
            kiss: None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Server {
    config: ServerConfig,
}

impl Server {
    pub const fn new(config: ServerConfig) -> Server {
        Server { config }
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The wall time this server tells at `now`.
    pub fn epoch(&self) -> Epoch {
        self.config.epoch.adjusted(self.config.offset_micros)
    }

    /// Writes the reply to the client request `request`, received at `now`,
    /// into `reply`; `None` for anything but a v3/v4 client request, or when
    /// `reply` is shorter than 48 bytes. Receive and transmit timestamps
    /// are both `now`: the simulator's host answers in zero time.
    pub fn respond(&self, now: Instant, request: &[u8], reply: &mut [u8]) -> Option<usize> {
        let request = Repr::parse(&Packet::new_checked(request).ok()?).ok()?;
        if request.mode != Mode::Client {
            return None;
        }
        let time = self.epoch().timestamp(now);
        let (leap, stratum, reference_id) = match self.config.kiss {
            Some(code) => (Leap::Alarm, 0, code),
            None => (
                self.config.leap,
                self.config.stratum,
                self.config.reference_id,
            ),
        };
        let repr = Repr {
            leap,
            version: request.version,
            mode: Mode::Server,
            stratum,
            poll: request.poll,
            precision: self.config.precision,
            root_delay: ShortTime(0),
            root_dispersion: ShortTime(0),
            reference_id,
            reference_timestamp: time,
            origin_timestamp: request.transmit_timestamp,
            receive_timestamp: time,
            transmit_timestamp: time,
        };
        repr.emit(&mut Packet::new_unchecked(reply.get_mut(..HEADER_LEN)?));
        Some(HEADER_LEN)
    }
}
