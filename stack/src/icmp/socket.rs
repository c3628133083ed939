use core::net::Ipv4Addr;

use crate::storage::{Full, PacketBuffer};
use crate::time::{Duration, Instant};
use crate::udp::{RecvError, SendError};

/// Echo requests remembered for RTT measurement.
const IN_FLIGHT: usize = 8;

/// Addressing of a queued echo request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestMeta {
    pub addr: Ipv4Addr,
    pub seq_no: u16,
}

/// A received echo reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    pub from: Ipv4Addr,
    pub seq_no: u16,
    /// Time since the matching request left, when it is still remembered.
    pub rtt: Option<Duration>,
}

impl Default for RequestMeta {
    fn default() -> Self {
        RequestMeta {
            addr: Ipv4Addr::UNSPECIFIED,
            seq_no: 0,
        }
    }
}

impl Default for Reply {
    fn default() -> Self {
        Reply {
            from: Ipv4Addr::UNSPECIFIED,
            seq_no: 0,
            rtt: None,
        }
    }
}

/// A ping socket: sends echo requests with its identifier and receives the
/// matching replies.
#[derive(Debug)]
pub struct Socket<'a> {
    ident: Option<u16>,
    rx: PacketBuffer<'a, Reply>,
    tx: PacketBuffer<'a, RequestMeta>,
    in_flight: [Option<(u16, Instant)>; IN_FLIGHT],
    next_in_flight: usize,
}

impl<'a> Socket<'a> {
    pub fn new(rx: PacketBuffer<'a, Reply>, tx: PacketBuffer<'a, RequestMeta>) -> Self {
        Socket {
            ident: None,
            rx,
            tx,
            in_flight: [None; IN_FLIGHT],
            next_in_flight: 0,
        }
    }

    pub fn ident(&self) -> Option<u16> {
        self.ident
    }

    /// Uses `ident` in requests and accepts only replies carrying it.
    pub fn bind(&mut self, ident: u16) {
        self.ident = Some(ident);
    }

    /// Queues an echo request carrying `data`.
    pub fn send_echo(&mut self, to: Ipv4Addr, seq_no: u16, data: &[u8]) -> Result<(), SendError> {
        if self.ident.is_none() {
            return Err(SendError::Unbound);
        }
        if to.is_unspecified() {
            return Err(SendError::Unaddressable);
        }
        let meta = RequestMeta { addr: to, seq_no };
        self.tx
            .enqueue_slice(data, meta)
            .map_err(|full| match full {
                Full::TooLarge => SendError::TooLarge,
                Full::Slots | Full::Payload => SendError::BufferFull,
            })
    }

    pub fn can_recv(&self) -> bool {
        !self.rx.is_empty()
    }

    /// The oldest reply and its data.
    pub fn recv(&mut self) -> Result<(Reply, &[u8]), RecvError> {
        self.rx.dequeue().ok_or(RecvError::Exhausted)
    }

    pub(crate) fn accepts(&self, ident: u16) -> bool {
        self.ident == Some(ident)
    }

    pub(crate) fn deliver(
        &mut self,
        now: Instant,
        from: Ipv4Addr,
        seq_no: u16,
        data: &[u8],
    ) -> bool {
        let rtt = self
            .in_flight
            .iter_mut()
            .find(|e| e.is_some_and(|(s, _)| s == seq_no))
            .and_then(|e| e.take())
            .map(|(_, sent)| now - sent);
        let reply = Reply { from, seq_no, rtt };
        self.rx.enqueue_slice(data, reply).is_ok()
    }

    pub(crate) fn peek_tx(&self) -> Option<(RequestMeta, &[u8])> {
        self.tx.peek()
    }

    pub(crate) fn complete_tx(&mut self, now: Instant, sent: bool) {
        if let Some((meta, _)) = self.tx.dequeue() {
            if sent {
                self.in_flight[self.next_in_flight] = Some((meta.seq_no, now));
                self.next_in_flight = (self.next_in_flight + 1) % IN_FLIGHT;
            }
        }
    }
}
