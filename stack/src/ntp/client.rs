//! An SNTP client (RFC 4330 §5, client side of RFC 5905 §8).
//!
//! Every poll interval the client runs a *burst*: a few request/reply
//! exchanges spaced apart, each reply checked (source, origin timestamp,
//! mode, version, leap indicator, stratum, kiss-of-death), and the sample
//! with the lowest round-trip delay kept, since the least-delayed exchange
//! bounds the offset error most tightly.

use core::net::SocketAddrV4;

use rand_core::RngCore;

use crate::time::{Duration, Instant};
use crate::wire::ntp::{Epoch, Leap, Mode, Packet, ReferenceId, Repr, Timestamp, HEADER_LEN};

/// Highest stratum of a synchronised server (16 means unsynchronised).
const MAX_STRATUM: u8 = 15;
/// Bits of the transmit fraction replaced by randomness (< 0.06 µs): a nonce
/// that makes blind spoofing of the origin timestamp harder (RFC 5905 §9.1
/// suggests the same) without costing accuracy, since offsets are computed
/// from the exact value sent.
const NONCE_MASK: u64 = 0xff;

/// Tuning; [`Config::new`] gives RFC 4330-friendly defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub server: SocketAddrV4,
    /// How the driver's instants map to wall time (the clock being checked).
    pub epoch: Epoch,
    /// Valid samples wanted per burst.
    pub samples: u8,
    /// Requests allowed per burst, lost ones included.
    pub max_requests: u8,
    /// Wait for a reply this long before counting the request lost.
    pub timeout: Duration,
    /// Pause between the requests of a burst.
    pub spacing: Duration,
    /// log2 of the shortest and longest poll intervals in seconds; RATE
    /// kisses move the interval towards the longest.
    pub min_poll: u8,
    pub max_poll: u8,
}

impl Config {
    /// 4 samples per burst (8 requests at most), 2 s timeout and spacing,
    /// poll every 64 s to 1024 s (RFC 4330 §10 asks for at least 15 s).
    pub const fn new(server: SocketAddrV4, epoch: Epoch) -> Config {
        Config {
            server,
            epoch,
            samples: 4,
            max_requests: 8,
            timeout: Duration::from_secs(2),
            spacing: Duration::from_secs(2),
            min_poll: 6,
            max_poll: 10,
        }
    }
}

/// The best measurement of a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sync {
    /// Server time minus local time (per [`Config::epoch`]), microseconds:
    /// `epoch.adjusted(offset_micros)` maps instants to the server's time.
    pub offset_micros: i64,
    /// Round-trip delay, server processing excluded.
    pub delay: Duration,
    pub stratum: u8,
    pub leap: Leap,
    pub reference_id: ReferenceId,
    /// When the reply arrived.
    pub at: Instant,
}

/// Why a burst produced no sample, or the client stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Every request of the burst went unanswered.
    NoResponse,
    /// Replies said the server is not synchronised (leap alarm or stratum
    /// above 15).
    Unsynchronized,
    /// Replies had zero or inconsistent timestamps.
    BadTimestamps,
    /// RATE kiss: the poll interval was doubled.
    RateLimited,
    /// DENY or RSTR kiss: the server refuses us; the client has stopped.
    Denied(ReferenceId),
    /// Any other kiss code.
    Kiss(ReferenceId),
    /// The transmit buffer is shorter than 48 bytes.
    BufferTooSmall,
}

/// Why a received datagram was ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// No request waiting for a reply.
    NotWaiting,
    WrongSource,
    /// Too short for an NTP header.
    Malformed,
    /// Not version 3 or 4.
    UnsupportedVersion,
    /// Not a server-mode packet.
    WrongMode,
    /// The origin timestamp is not the transmit timestamp of the request in
    /// flight: stale, duplicated or forged.
    BogusOrigin,
}

/// An SNTP client for one server.
#[derive(Debug)]
pub struct Client {
    config: Config,
    poll_exponent: u8,
    phase: Phase,
    result: Option<Result<Sync, Error>>,
    last_sync: Option<Sync>,
}

#[derive(Debug)]
enum Phase {
    /// Idle until the next burst.
    Waiting(Instant),
    Burst(Burst),
    /// Refused by a DENY or RSTR kiss; only [`Client::restart`] resumes.
    Denied,
}

#[derive(Debug)]
struct Burst {
    sent: u8,
    valid: u8,
    /// The transmit timestamp of the request awaiting a reply.
    in_flight: Option<Timestamp>,
    /// When the next request is due (or the one in flight times out).
    next_at: Instant,
    best: Option<Sync>,
    failure: Option<Error>,
}

impl Client {
    /// The first burst starts at the first [`Client::poll`] from `now`.
    pub fn new(config: Config, now: Instant) -> Client {
        Client {
            poll_exponent: config.min_poll.min(config.max_poll),
            config,
            phase: Phase::Waiting(now),
            result: None,
            last_sync: None,
        }
    }

    /// Changes the local clock mapping; a request in flight is abandoned
    /// since its timestamps used the old one.
    pub fn set_epoch(&mut self, epoch: Epoch) {
        self.config.epoch = epoch;
        if let Phase::Burst(burst) = &mut self.phase {
            burst.in_flight = None;
        }
    }

    /// Starts over (e.g. after a DENY, once the operator changed the server).
    pub fn restart(&mut self, config: Config, now: Instant) {
        *self = Client::new(config, now);
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current interval between bursts.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs(1 << self.poll_exponent.min(36))
    }

    /// The outcome of the last burst, once.
    pub fn take_result(&mut self) -> Option<Result<Sync, Error>> {
        self.result.take()
    }

    /// The most recent successful measurement.
    pub fn last_sync(&self) -> Option<Sync> {
        self.last_sync
    }

    pub fn poll_at(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Waiting(at) => Some(*at),
            Phase::Burst(burst) => Some(burst.next_at),
            Phase::Denied => None,
        }
    }

    /// The next request to send to [`Config::server`], if one is due.
    pub fn poll<R: RngCore + ?Sized>(
        &mut self,
        now: Instant,
        rng: &mut R,
        buf: &mut [u8],
    ) -> Option<(SocketAddrV4, usize)> {
        if let Phase::Waiting(at) = self.phase {
            if now < at {
                return None;
            }
            self.phase = Phase::Burst(Burst {
                sent: 0,
                valid: 0,
                in_flight: None,
                next_at: now,
                best: None,
                failure: None,
            });
        }
        let Phase::Burst(burst) = &mut self.phase else {
            return None;
        };
        if now < burst.next_at {
            return None;
        }
        burst.in_flight = None;
        if burst.sent >= self.config.max_requests || burst.valid >= self.config.samples {
            self.end_burst(now);
            return None;
        }
        let Some(out) = buf.get_mut(..HEADER_LEN) else {
            burst.failure = Some(Error::BufferTooSmall);
            self.end_burst(now);
            return None;
        };
        let nonce = u64::from(rng.next_u32()) & NONCE_MASK;
        let t1 = Timestamp((self.config.epoch.timestamp(now).0 & !NONCE_MASK) | nonce);
        Repr::client_request(t1).emit(&mut Packet::new_unchecked(out));
        burst.in_flight = Some(t1);
        burst.sent += 1;
        burst.next_at = now + self.config.timeout;
        Some((self.config.server, HEADER_LEN))
    }

    /// Feeds a datagram received from `from` on the client's port.
    pub fn receive(
        &mut self,
        now: Instant,
        from: SocketAddrV4,
        bytes: &[u8],
    ) -> Result<(), Reject> {
        let Phase::Burst(burst) = &mut self.phase else {
            return Err(Reject::NotWaiting);
        };
        let Some(t1) = burst.in_flight else {
            return Err(Reject::NotWaiting);
        };
        if from != self.config.server {
            return Err(Reject::WrongSource);
        }
        let packet = Packet::new_checked(bytes).map_err(|_| Reject::Malformed)?;
        let reply = Repr::parse(&packet).map_err(|_| Reject::UnsupportedVersion)?;
        if reply.mode != Mode::Server {
            return Err(Reject::WrongMode);
        }
        if reply.origin_timestamp != t1 {
            return Err(Reject::BogusOrigin);
        }
        burst.in_flight = None;
        burst.next_at = now + self.config.spacing;
        match judge(&reply, t1, self.config.epoch.timestamp(now), now) {
            Ok(sample) => {
                burst.valid += 1;
                if burst.best.is_none_or(|best| sample.delay < best.delay) {
                    burst.best = Some(sample);
                }
                if burst.valid >= self.config.samples {
                    self.end_burst(now);
                }
            }
            Err(Error::RateLimited) => {
                self.poll_exponent = (self.poll_exponent + 1).min(self.config.max_poll);
                burst.failure = Some(Error::RateLimited);
                self.end_burst(now);
            }
            Err(Error::Denied(code)) => {
                self.result = Some(Err(Error::Denied(code)));
                self.phase = Phase::Denied;
            }
            Err(error) => burst.failure = Some(error),
        }
        Ok(())
    }

    fn end_burst(&mut self, now: Instant) {
        let Phase::Burst(burst) = &self.phase else {
            return;
        };
        let result = burst.best.ok_or(burst.failure.unwrap_or(Error::NoResponse));
        if let Ok(sync) = result {
            self.last_sync = Some(sync);
        }
        self.result = Some(result);
        self.phase = Phase::Waiting(now + self.poll_interval());
    }
}

/// Checks a reply to the request sent at `t1`, received at `t4`, and
/// computes offset and delay (RFC 4330 §5).
fn judge(reply: &Repr, t1: Timestamp, t4: Timestamp, now: Instant) -> Result<Sync, Error> {
    if let Some(code) = reply.kiss_code() {
        return Err(match code {
            ReferenceId::RATE => Error::RateLimited,
            ReferenceId::DENY | ReferenceId::RSTR => Error::Denied(code),
            other => Error::Kiss(other),
        });
    }
    if reply.leap == Leap::Alarm || reply.stratum > MAX_STRATUM {
        return Err(Error::Unsynchronized);
    }
    let (t2, t3) = (reply.receive_timestamp, reply.transmit_timestamp);
    let processing = t3.micros_since(t2);
    if t2.is_zero() || t3.is_zero() || processing < 0 {
        return Err(Error::BadTimestamps);
    }
    let round_trip = t4.micros_since(t1);
    let offset = (i128::from(t2.micros_since(t1)) + i128::from(t3.micros_since(t4))) / 2;
    // Rounding can make a loopback exchange a microsecond "negative".
    let delay = round_trip.saturating_sub(processing).max(0);
    Ok(Sync {
        offset_micros: offset as i64,
        delay: Duration::from_micros(delay as u64),
        stratum: reply.stratum,
        leap: reply.leap,
        reference_id: reply.reference_id,
        at: now,
    })
}
