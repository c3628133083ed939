//! DHCP client (RFC 2131 4.4): INIT, SELECTING, REQUESTING, BOUND,
//! RENEWING, REBINDING and INIT-REBOOT.
//!
//! The stack calls [`Client::poll`] (with its RNG) whenever
//! [`Client::poll_at`] is due and sends what it returns, passes every DHCP
//! message arriving on port 68 to [`Client::handle`], and applies
//! [`Client::take_event`]: [`Event::Configured`] sets address, gateway, DNS
//! and NTP servers, [`Event::Deconfigured`] removes them. It should probe a
//! new address with ARP and call [`Client::decline`] on a conflict, and
//! call [`Client::link_up`] when the link comes back after an outage.

mod lease;
mod message;

pub use lease::Lease;

use core::net::Ipv4Addr;

use rand_core::RngCore;

use super::backoff::Backoff;
use super::Transmit;
use crate::time::{Duration, Instant};
use crate::wire::dhcp::{MessageType, Repr, OP_REPLY};
use crate::wire::EthernetAddress;
use lease::is_unicast;

/// Options asked for by default: mask, router, DNS, domain, MTU, NTP, lease
/// time, server id, T1, T2.
pub const DEFAULT_PARAMETERS: &[u8] = &[1, 3, 6, 15, 26, 42, 51, 54, 58, 59];

/// REQUESTs sent in REQUESTING or INIT-REBOOT before starting over: the
/// 4..64 s backoff gives about two minutes (RFC 2131 3.1, 3.2).
const MAX_REQUESTS: u8 = 5;
/// RFC 2131 3.1 step 5: wait at least this long after a DECLINE.
const DECLINE_WAIT: Duration = Duration::from_secs(10);
/// RFC 2131 4.4.5: RENEWING/REBINDING retransmit at half the remaining time,
/// but no more often than this.
const MIN_RENEW_INTERVAL: Duration = Duration::from_secs(60);

/// How the client presents itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConfig<'a> {
    pub hardware_address: EthernetAddress,
    /// Option 12, so servers and their DNS can name the host.
    pub hostname: Option<&'a [u8]>,
    /// Option 61; servers key leases on `hardware_address` without it.
    pub client_identifier: Option<&'a [u8]>,
    /// Option 55.
    pub parameter_request_list: &'a [u8],
    /// Ask for broadcast replies while the client has no address, for
    /// stacks that drop unicast to an address they do not have yet.
    pub broadcast: bool,
    /// Option 57: the largest message the stack accepts.
    pub max_message_size: Option<u16>,
}

impl ClientConfig<'static> {
    pub const fn new(hardware_address: EthernetAddress) -> Self {
        ClientConfig {
            hardware_address,
            hostname: None,
            client_identifier: None,
            parameter_request_list: DEFAULT_PARAMETERS,
            broadcast: true,
            max_message_size: Some(1500),
        }
    }
}

/// What the stack must apply to its interface. Each event describes the
/// configuration from now on, so a newer one supersedes an untaken one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A lease was bound, or renewed with a different configuration.
    Configured(Lease),
    /// The address is gone (expired, NAKed, declined or released).
    Deconfigured,
}

/// The RFC 2131 state the client is in, for status pages and traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Init,
    Selecting,
    Requesting,
    InitReboot,
    Bound,
    Renewing,
    Rebinding,
    /// Released or stopped: nothing happens until [`Client::restart`].
    Stopped,
}

/// One request/reply exchange: its transaction id and retransmissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Exchange {
    xid: u32,
    started: Instant,
    backoff: Backoff,
}

impl Exchange {
    fn start(now: Instant, rng: &mut impl RngCore) -> Exchange {
        Exchange {
            xid: rng.next_u32(),
            started: now,
            backoff: Backoff::now(now),
        }
    }

    /// Seconds since the exchange began, for the `secs` field.
    fn secs(&self, now: Instant) -> u16 {
        u16::try_from((now - self.started).secs()).unwrap_or(u16::MAX)
    }
}

/// What an INIT-REBOOT REQUEST asks to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reboot {
    /// An address from an earlier boot, not in use until ACKed.
    Remembered(Ipv4Addr),
    /// The lease in use when the link came back. It stays in use while the
    /// REQUEST is retried (RFC 2131 3.2 lets a client use an unexpired
    /// lease); a NAK, the last unanswered REQUEST or its expiry end it.
    /// The stack sends the REQUEST from that address; `ciaddr` stays 0.
    Held(Lease),
}

impl Reboot {
    fn address(&self) -> Ipv4Addr {
        match self {
            Reboot::Remembered(address) => *address,
            Reboot::Held(lease) => lease.address.address(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Start an exchange at `at`: INIT-REBOOT when `reboot` is set, else
    /// SELECTING, asking for `hint` if any.
    Init {
        at: Instant,
        reboot: Option<Reboot>,
        hint: Option<Ipv4Addr>,
    },
    Selecting {
        exchange: Exchange,
        hint: Option<Ipv4Addr>,
    },
    Requesting {
        exchange: Exchange,
        address: Ipv4Addr,
        server: Ipv4Addr,
    },
    InitReboot {
        exchange: Exchange,
        reboot: Reboot,
    },
    /// `xid` of the exchange that bound it, reused by DECLINE and RELEASE.
    Bound {
        lease: Lease,
        xid: u32,
    },
    Renewing {
        exchange: Exchange,
        lease: Lease,
    },
    Rebinding {
        exchange: Exchange,
        lease: Lease,
    },
    Stopped,
}

/// A message sent once, outside any exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    Decline {
        xid: u32,
        address: Ipv4Addr,
        server: Ipv4Addr,
    },
    Release {
        xid: u32,
        address: Ipv4Addr,
        server: Ipv4Addr,
    },
}

/// A DHCP client for one interface.
#[derive(Debug)]
pub struct Client<'a> {
    config: ClientConfig<'a>,
    phase: Phase,
    notice: Option<Notice>,
    event: Option<Event>,
}

impl<'a> Client<'a> {
    /// Starts in INIT, ready to DISCOVER at the first poll.
    pub fn new(config: ClientConfig<'a>) -> Self {
        Client {
            config,
            phase: Phase::Init {
                at: Instant::ZERO,
                reboot: None,
                hint: None,
            },
            notice: None,
            event: None,
        }
    }

    /// Starts in INIT-REBOOT, asking to keep `address` from an earlier boot.
    pub fn with_previous_address(config: ClientConfig<'a>, address: Ipv4Addr) -> Self {
        let mut client = Client::new(config);
        client.phase = Phase::Init {
            at: Instant::ZERO,
            reboot: Some(Reboot::Remembered(address)),
            hint: None,
        };
        client
    }

    pub fn state(&self) -> State {
        match self.phase {
            Phase::Init { .. } => State::Init,
            Phase::Selecting { .. } => State::Selecting,
            Phase::Requesting { .. } => State::Requesting,
            Phase::InitReboot { .. } => State::InitReboot,
            Phase::Bound { .. } => State::Bound,
            Phase::Renewing { .. } => State::Renewing,
            Phase::Rebinding { .. } => State::Rebinding,
            Phase::Stopped => State::Stopped,
        }
    }

    /// The lease in use, if any.
    pub fn lease(&self) -> Option<&Lease> {
        match &self.phase {
            Phase::Bound { lease, .. }
            | Phase::Renewing { lease, .. }
            | Phase::Rebinding { lease, .. }
            | Phase::Init {
                reboot: Some(Reboot::Held(lease)),
                ..
            }
            | Phase::InitReboot {
                reboot: Reboot::Held(lease),
                ..
            } => Some(lease),
            _ => None,
        }
    }

    pub fn take_event(&mut self) -> Option<Event> {
        self.event.take()
    }

    /// When [`Client::poll`] next has work; `None` when stopped.
    pub fn poll_at(&self) -> Option<Instant> {
        if self.notice.is_some() {
            return Some(Instant::ZERO);
        }
        match &self.phase {
            Phase::Init { at, .. } => Some(*at),
            Phase::Rebinding { exchange, lease }
            | Phase::InitReboot {
                exchange,
                reboot: Reboot::Held(lease),
            } => Some(exchange.backoff.next.min(lease.expires_at)),
            Phase::Selecting { exchange, .. }
            | Phase::Requesting { exchange, .. }
            | Phase::InitReboot { exchange, .. } => Some(exchange.backoff.next),
            Phase::Bound { lease, .. } => Some(lease.renew_at),
            Phase::Renewing { exchange, lease } => Some(exchange.backoff.next.min(lease.rebind_at)),
            Phase::Stopped => None,
        }
    }

    /// Runs due timers and returns the message to send now, if any. Call
    /// again until it returns `None`.
    pub fn poll(&mut self, now: Instant, rng: &mut impl RngCore) -> Option<Transmit<'a>> {
        if let Some(notice) = self.notice.take() {
            return Some(self.notice_message(notice));
        }
        while self.advance(now, rng) {}
        self.retransmit(now, rng)
    }

    /// One time-driven transition, `true` if one happened.
    fn advance(&mut self, now: Instant, rng: &mut impl RngCore) -> bool {
        self.phase = match self.phase {
            Phase::Init { at, reboot, hint } if now >= at => {
                let exchange = Exchange::start(now, rng);
                match reboot {
                    Some(reboot) => Phase::InitReboot { exchange, reboot },
                    None => Phase::Selecting { exchange, hint },
                }
            }
            Phase::Requesting { exchange, .. } | Phase::InitReboot { exchange, .. }
                if exchange.backoff.is_due(now) && exchange.backoff.sent >= MAX_REQUESTS =>
            {
                self.start_over(now)
            }
            Phase::Bound { lease, .. } if now >= lease.renew_at => Phase::Renewing {
                exchange: Exchange::start(now, rng),
                lease,
            },
            Phase::Renewing { lease, .. } if now >= lease.rebind_at => Phase::Rebinding {
                exchange: Exchange::start(now, rng),
                lease,
            },
            Phase::Rebinding { lease, .. }
            | Phase::InitReboot {
                reboot: Reboot::Held(lease),
                ..
            } if now >= lease.expires_at => self.start_over(now),
            _ => return false,
        };
        true
    }

    /// The exchange's message if its retransmission timer is due.
    fn retransmit(&mut self, now: Instant, rng: &mut impl RngCore) -> Option<Transmit<'a>> {
        let (exchange, until) = match &mut self.phase {
            Phase::Selecting { exchange, .. }
            | Phase::Requesting { exchange, .. }
            | Phase::InitReboot { exchange, .. } => (exchange, None),
            Phase::Renewing { exchange, lease } => (exchange, Some(lease.rebind_at)),
            Phase::Rebinding { exchange, lease } => (exchange, Some(lease.expires_at)),
            _ => return None,
        };
        if !exchange.backoff.is_due(now) {
            return None;
        }
        match until {
            None => exchange.backoff.sent(now, rng),
            Some(deadline) => {
                let half = Duration::from_micros((deadline - now).total_micros() / 2);
                exchange.backoff.next = now + half.max(MIN_RENEW_INTERVAL);
                exchange.backoff.sent = exchange.backoff.sent.saturating_add(1);
            }
        }
        self.exchange_message(now)
    }

    /// Feeds a message received on the client port.
    pub fn handle(&mut self, now: Instant, repr: &Repr) {
        if repr.client_hardware_address != self.config.hardware_address
            || repr.message_type.op() != OP_REPLY
        {
            return;
        }
        let from_server = |server: Ipv4Addr| repr.server_identifier.is_none_or(|s| s == server);
        match (self.phase, repr.message_type) {
            (Phase::Selecting { exchange, .. }, MessageType::Offer)
                if repr.transaction_id == exchange.xid =>
            {
                self.select(now, exchange, repr)
            }
            (
                Phase::Requesting {
                    exchange,
                    address,
                    server,
                },
                MessageType::Ack,
            ) if repr.transaction_id == exchange.xid
                && from_server(server)
                && repr.your_ip == address =>
            {
                self.bind(exchange, repr, server)
            }
            (Phase::InitReboot { exchange, reboot }, MessageType::Ack)
                if repr.transaction_id == exchange.xid && repr.your_ip == reboot.address() =>
            {
                self.bind(exchange, repr, Ipv4Addr::UNSPECIFIED)
            }
            (Phase::Renewing { exchange, lease }, MessageType::Ack)
                if repr.transaction_id == exchange.xid && from_server(lease.server) =>
            {
                self.bind(exchange, repr, lease.server)
            }
            (Phase::Rebinding { exchange, lease }, MessageType::Ack)
                if repr.transaction_id == exchange.xid =>
            {
                self.bind(exchange, repr, lease.server)
            }
            (
                Phase::Requesting {
                    exchange, server, ..
                },
                MessageType::Nak,
            ) if repr.transaction_id == exchange.xid && from_server(server) => self.restart(now),
            (Phase::InitReboot { exchange, .. }, MessageType::Nak)
            | (Phase::Renewing { exchange, .. }, MessageType::Nak)
            | (Phase::Rebinding { exchange, .. }, MessageType::Nak)
                if repr.transaction_id == exchange.xid =>
            {
                self.restart(now)
            }
            _ => {}
        }
    }

    /// SELECTING takes the first acceptable offer (RFC 2131 allows waiting
    /// for more; one is enough for a small device).
    fn select(&mut self, now: Instant, exchange: Exchange, offer: &Repr) {
        let Some(server) = offer.server_identifier.filter(|&s| is_unicast(s)) else {
            return;
        };
        if !is_unicast(offer.your_ip) {
            return;
        }
        self.phase = Phase::Requesting {
            exchange: Exchange {
                backoff: Backoff::now(now),
                ..exchange
            },
            address: offer.your_ip,
            server,
        };
    }

    fn bind(&mut self, exchange: Exchange, ack: &Repr, server: Ipv4Addr) {
        let Some(lease) = Lease::from_ack(ack, exchange.started, server) else {
            return;
        };
        if self
            .lease()
            .is_none_or(|old| !old.same_configuration(&lease))
        {
            self.event = Some(Event::Configured(lease));
        }
        self.phase = Phase::Bound {
            lease,
            xid: exchange.xid,
        };
    }

    /// Drops any lease (reporting it) and starts over from INIT at `now`.
    pub fn restart(&mut self, now: Instant) {
        self.deconfigure();
        self.phase = Phase::Init {
            at: now,
            reboot: None,
            hint: None,
        };
    }

    /// The link went down and came back (Wi-Fi rejoined, cable plugged in):
    /// the host may be on another network now (RFC 2131 3.2, RFC 4436). A
    /// client holding a lease asks to keep it from INIT-REBOOT at `now`,
    /// using it meanwhile: an ACK renews it, a NAK drops it and restarts
    /// discovery, and so does silence after the REQUEST's retries, since a
    /// server that does not know the client stays silent (RFC 2131 4.3.2)
    /// and the network is then most likely another one. A client without
    /// a lease starts its exchange over at once, as what it sent while the
    /// link was down is lost. A client waiting to start or stopped is left
    /// alone.
    pub fn link_up(&mut self, now: Instant) {
        let (reboot, hint) = match self.phase {
            Phase::Bound { lease, .. }
            | Phase::Renewing { lease, .. }
            | Phase::Rebinding { lease, .. } => (Some(Reboot::Held(lease)), None),
            Phase::InitReboot { reboot, .. } => (Some(reboot), None),
            Phase::Selecting { hint, .. } => (None, hint),
            Phase::Requesting { address, .. } => (None, Some(address)),
            Phase::Init { .. } | Phase::Stopped => return,
        };
        self.phase = Phase::Init {
            at: now,
            reboot,
            hint,
        };
    }

    /// The stack found the leased address in use (ARP): tell the server,
    /// drop it and start over after RFC 2131's 10 s pause. Ignored when the
    /// client holds no lease.
    pub fn decline(&mut self, now: Instant) {
        let Some(lease) = self.lease().copied() else {
            return;
        };
        self.notice = Some(Notice::Decline {
            xid: self.current_xid(),
            address: lease.address.address(),
            server: lease.server,
        });
        self.deconfigure();
        self.phase = Phase::Init {
            at: now + DECLINE_WAIT,
            reboot: None,
            hint: None,
        };
    }

    /// Gives the lease back (if any) and stops until [`Client::restart`].
    pub fn release(&mut self) {
        if let Some(lease) = self.lease().copied() {
            self.notice = Some(Notice::Release {
                xid: self.current_xid(),
                address: lease.address.address(),
                server: lease.server,
            });
        }
        self.deconfigure();
        self.phase = Phase::Stopped;
    }

    /// Gives up the lease, if any, and starts over from INIT at `now`,
    /// asking for the lost address back.
    fn start_over(&mut self, now: Instant) -> Phase {
        let hint = self.lease().map(|lease| lease.address.address());
        self.deconfigure();
        Phase::Init {
            at: now,
            reboot: None,
            hint,
        }
    }

    fn deconfigure(&mut self) {
        if self.lease().is_some() {
            self.event = Some(Event::Deconfigured);
        }
    }

    fn current_xid(&self) -> u32 {
        match self.phase {
            Phase::Selecting { exchange, .. }
            | Phase::Requesting { exchange, .. }
            | Phase::InitReboot { exchange, .. }
            | Phase::Renewing { exchange, .. }
            | Phase::Rebinding { exchange, .. } => exchange.xid,
            Phase::Bound { xid, .. } => xid,
            Phase::Init { .. } | Phase::Stopped => 0,
        }
    }
}
