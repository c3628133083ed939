use crate::arp;
use crate::ipv4::FragmentSlot;
use crate::socket;
use crate::storage::{Managed, PacketBuffer};

use super::IcmpOut;

/// Everything the stack stores, handed over at construction. Firmware passes
/// `static` arrays; with `alloc`, [`Storage::with_capacity`] sizes it at run
/// time.
#[derive(Debug)]
pub struct Storage<'a> {
    pub sockets: Managed<'a, socket::Slot<'a>>,
    pub neighbors: Managed<'a, Option<arp::Neighbor>>,
    pub fragments: Managed<'a, FragmentSlot<'a>>,
    /// ICMP messages (echo replies, unreachables) waiting to be sent.
    pub icmp_out: PacketBuffer<'a, IcmpOut>,
}

/// Sizes for [`Storage::with_capacity`].
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacities {
    pub sockets: usize,
    pub neighbors: usize,
    pub fragment_slots: usize,
    /// Largest reassembled datagram payload.
    pub fragment_bytes: usize,
    pub icmp_out_packets: usize,
    pub icmp_out_bytes: usize,
}

#[cfg(feature = "alloc")]
impl Default for Capacities {
    fn default() -> Self {
        Capacities {
            sockets: 8,
            neighbors: 16,
            fragment_slots: 4,
            fragment_bytes: 9000,
            icmp_out_packets: 8,
            icmp_out_bytes: 4096,
        }
    }
}

#[cfg(feature = "alloc")]
impl Storage<'static> {
    pub fn with_capacity(c: Capacities) -> Self {
        use crate::storage::PacketMeta;
        use alloc::vec;
        use alloc::vec::Vec;
        let sockets: Vec<socket::Slot<'static>> =
            (0..c.sockets).map(|_| socket::Slot::default()).collect();
        let fragments: Vec<FragmentSlot<'static>> = (0..c.fragment_slots)
            .map(|_| FragmentSlot::new(vec![0u8; c.fragment_bytes]))
            .collect();
        Storage {
            sockets: sockets.into(),
            neighbors: vec![None; c.neighbors].into(),
            fragments: fragments.into(),
            icmp_out: PacketBuffer::new(
                vec![PacketMeta::empty(); c.icmp_out_packets],
                vec![0u8; c.icmp_out_bytes],
            ),
        }
    }
}
