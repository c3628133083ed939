use core::net::{Ipv4Addr, SocketAddrV4};

use crate::storage::{Full, PacketBuffer};
use crate::wire::EthernetAddress;

/// Addressing of one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub remote: SocketAddrV4,
    /// Received: the destination address (ours, or a broadcast). Sent: the
    /// source address to use; unspecified means the interface's address
    /// (DHCP sends from 0.0.0.0 before it has one).
    pub local_addr: Ipv4Addr,
    /// Sent: the link-layer destination, bypassing ARP, for replies to a
    /// host that has no address yet (RFC 2131 4.1). Unused on receive.
    pub link_dst: Option<EthernetAddress>,
}

impl Meta {
    /// Addressing of a datagram to `remote`, from the interface's address.
    pub fn to(remote: SocketAddrV4) -> Self {
        Meta {
            remote,
            ..Meta::default()
        }
    }
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            remote: SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0),
            local_addr: Ipv4Addr::UNSPECIFIED,
            link_dst: None,
        }
    }
}

/// Both address and port are set: something can be sent to it.
fn is_specified(to: SocketAddrV4) -> bool {
    !to.ip().is_unspecified() && to.port() != 0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The socket has no local port yet.
    Unbound,
    /// Destination address or port is zero.
    Unaddressable,
    /// The datagram can never be sent: larger than the transmit buffer, or
    /// than IPv4 allows ([`Socket::MAX_PAYLOAD`]). Datagrams over the
    /// interface MTU are fine: they leave in fragments.
    TooLarge,
    /// The transmit queue is full; try again after the stack drained it.
    BufferFull,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvError {
    /// Nothing queued.
    Exhausted,
    /// The caller's buffer is smaller than the datagram; it stays queued.
    Truncated,
}

impl From<Full> for SendError {
    fn from(full: Full) -> Self {
        match full {
            Full::TooLarge => SendError::TooLarge,
            Full::Slots | Full::Payload => SendError::BufferFull,
        }
    }
}

/// Per-socket counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SocketCounters {
    pub rx_datagrams: u64,
    pub tx_datagrams: u64,
    /// Arrived while the receive queue was full.
    pub rx_dropped: u64,
    /// Dropped at egress (neighbour unreachable, no route).
    pub tx_dropped: u64,
}

/// A UDP socket with bounded receive and transmit queues.
#[derive(Debug)]
pub struct Socket<'a> {
    port: u16,
    rx: PacketBuffer<'a, Meta>,
    tx: PacketBuffer<'a, Meta>,
    /// Datagrams taken off `tx` so far: tells the stack, part-way through
    /// sending the head datagram in fragments, that it is still the same one.
    tx_seq: u32,
    counters: SocketCounters,
}

impl<'a> Socket<'a> {
    /// Largest payload of one datagram: the IPv4 total length (16 bits)
    /// less the IPv4 and UDP headers.
    pub const MAX_PAYLOAD: usize = 65535 - 20 - 8;

    pub fn new(rx: PacketBuffer<'a, Meta>, tx: PacketBuffer<'a, Meta>) -> Self {
        Socket {
            port: 0,
            rx,
            tx,
            tx_seq: 0,
            counters: SocketCounters::default(),
        }
    }

    /// The bound local port, zero when unbound.
    pub fn local_port(&self) -> u16 {
        self.port
    }

    pub fn is_bound(&self) -> bool {
        self.port != 0
    }

    pub fn counters(&self) -> SocketCounters {
        self.counters
    }

    pub fn can_send(&self) -> bool {
        !self.tx.is_full()
    }

    /// Whether a datagram with `len` payload bytes would be queued now:
    /// `can_send` counts free slots only, and a large datagram also needs
    /// that many contiguous bytes of the transmit buffer.
    pub fn can_send_len(&self, len: usize) -> bool {
        self.tx.can_fit(len)
    }

    pub fn can_recv(&self) -> bool {
        !self.rx.is_empty()
    }

    /// Queues a datagram of `len` bytes for `to` and returns its payload to
    /// fill in place. A datagram over the interface MTU is sent in
    /// fragments; one that can never be sent (over [`Socket::MAX_PAYLOAD`]
    /// or the transmit buffer) is refused with [`SendError::TooLarge`].
    pub fn send(&mut self, len: usize, to: SocketAddrV4) -> Result<&mut [u8], SendError> {
        self.send_from(len, to, Ipv4Addr::UNSPECIFIED)
    }

    /// Like [`Socket::send`] with an explicit source address.
    pub fn send_from(
        &mut self,
        len: usize,
        to: SocketAddrV4,
        from: Ipv4Addr,
    ) -> Result<&mut [u8], SendError> {
        if !self.is_bound() {
            return Err(SendError::Unbound);
        }
        if !is_specified(to) {
            return Err(SendError::Unaddressable);
        }
        if len > Self::MAX_PAYLOAD {
            return Err(SendError::TooLarge);
        }
        let meta = Meta {
            remote: to,
            local_addr: from,
            link_dst: None,
        };
        self.tx.enqueue(len, meta).map_err(SendError::from)
    }

    /// Queues a datagram that `write` produces in place (at most `max_len`
    /// bytes, with its addressing); nothing is queued if it returns `None`.
    /// For protocol engines that emit straight into the queue.
    pub(crate) fn send_with(
        &mut self,
        max_len: usize,
        write: impl FnOnce(&mut [u8]) -> Option<(usize, Meta)>,
    ) -> Result<bool, SendError> {
        if !self.is_bound() {
            return Err(SendError::Unbound);
        }
        let queued = self.tx.enqueue_with(max_len, write);
        if queued.is_err() {
            self.counters.tx_dropped += 1;
        }
        queued.map_err(SendError::from)
    }

    pub fn send_slice(&mut self, data: &[u8], to: SocketAddrV4) -> Result<(), SendError> {
        self.send(data.len(), to)?.copy_from_slice(data);
        Ok(())
    }

    /// The oldest received datagram, removed from the queue.
    pub fn recv(&mut self) -> Result<(&[u8], Meta), RecvError> {
        let (meta, data) = self.rx.dequeue().ok_or(RecvError::Exhausted)?;
        Ok((data, meta))
    }

    /// Copies the oldest datagram into `buf`; it stays queued if `buf` is
    /// too small.
    pub fn recv_slice(&mut self, buf: &mut [u8]) -> Result<(usize, Meta), RecvError> {
        let (_, data) = self.rx.peek().ok_or(RecvError::Exhausted)?;
        let dst = buf.get_mut(..data.len()).ok_or(RecvError::Truncated)?;
        dst.copy_from_slice(data);
        let (data, meta) = self.recv()?;
        Ok((data.len(), meta))
    }

    pub fn peek(&self) -> Result<(&[u8], Meta), RecvError> {
        let (meta, data) = self.rx.peek().ok_or(RecvError::Exhausted)?;
        Ok((data, meta))
    }

    /// Unbinds; queued datagrams are discarded.
    pub fn close(&mut self) {
        self.port = 0;
        while self.rx.dequeue().is_some() {}
        while self.tx.dequeue().is_some() {
            self.tx_seq = self.tx_seq.wrapping_add(1);
        }
    }

    pub(crate) fn bind(&mut self, port: u16) {
        self.port = port;
    }

    /// Queues an arriving datagram; false when the queue is full.
    pub(crate) fn deliver(&mut self, meta: Meta, payload: &[u8]) -> bool {
        match self.rx.enqueue_slice(payload, meta) {
            Ok(()) => {
                self.counters.rx_datagrams += 1;
                true
            }
            Err(_) => {
                self.counters.rx_dropped += 1;
                false
            }
        }
    }

    pub(crate) fn peek_tx(&self) -> Option<(Meta, &[u8])> {
        self.tx.peek()
    }

    /// Identifies the head of the transmit queue among all datagrams this
    /// socket ever queued.
    pub(crate) fn tx_seq(&self) -> u32 {
        self.tx_seq
    }

    /// Removes the head of the transmit queue: sent, or dropped at egress.
    pub(crate) fn complete_tx(&mut self, sent: bool) {
        if self.tx.dequeue().is_some() {
            self.tx_seq = self.tx_seq.wrapping_add(1);
            if sent {
                self.counters.tx_datagrams += 1;
            } else {
                self.counters.tx_dropped += 1;
            }
        }
    }
}
