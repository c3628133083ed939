//! Counters: part of the API, not a debugging aid.
//!
//! Every inbound frame ends in exactly one [`Disposition`]: consumed by a
//! protocol, or dropped for a named [`DropReason`]. Traces, the simulator's
//! summary and the firmware's status page read these counters, and tests use
//! `frames_in == sum of dispositions` to prove nothing is lost silently.

use core::fmt;

/// Why the stack discarded a frame or an outbound packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// Ethernet destination is neither our MAC nor broadcast/multicast we accept.
    NotOurMac,
    EthernetMalformed,
    UnknownEtherType,
    ArpMalformed,
    ArpUnsupported,
    Ipv4Malformed,
    Ipv4Checksum,
    Ipv4Unsupported,
    /// Unicast to another host, or a multicast group we did not join.
    Ipv4NotForUs,
    /// Protocol other than ICMP, UDP or TCP; a protocol unreachable is sent.
    Ipv4UnknownProtocol,
    FragmentOverlap,
    FragmentTooLarge,
    FragmentNoSlot,
    FragmentTimeout,
    IcmpMalformed,
    IcmpChecksum,
    /// A message type the stack does not act on (e.g. an unsolicited reply).
    IcmpIgnored,
    /// An echo request arrived faster than the configured reply rate.
    IcmpRateLimited,
    UdpMalformed,
    UdpChecksum,
    /// No socket bound to the port; a port unreachable is sent for unicast.
    UdpNoSocket,
    UdpQueueFull,
    /// A protocol engine's socket (DHCP, DNS, NTP) could not parse the datagram.
    ServiceMalformed,
    TcpMalformed,
    TcpChecksum,
    /// No socket for the segment; a RST is sent unless it was a RST.
    TcpNoSocket,
    /// Egress: the next hop never answered ARP.
    NeighborUnreachable,
    /// Egress: every neighbour slot was resolving another address.
    NeighborCacheFull,
    /// An ICMP reply or error found the outbound ICMP queue full.
    IcmpQueueFull,
    /// Egress: the driver's buffer is smaller than the frame.
    TxBufferTooSmall,
    /// Egress: a DF datagram over the MTU, or one over IPv4's 65535 bytes.
    ExceedsMtu,
    /// Egress: no route (no address configured, or no gateway for the destination).
    NoRoute,
}

impl DropReason {
    pub const ALL: [DropReason; 32] = [
        DropReason::NotOurMac,
        DropReason::EthernetMalformed,
        DropReason::UnknownEtherType,
        DropReason::ArpMalformed,
        DropReason::ArpUnsupported,
        DropReason::Ipv4Malformed,
        DropReason::Ipv4Checksum,
        DropReason::Ipv4Unsupported,
        DropReason::Ipv4NotForUs,
        DropReason::Ipv4UnknownProtocol,
        DropReason::FragmentOverlap,
        DropReason::FragmentTooLarge,
        DropReason::FragmentNoSlot,
        DropReason::FragmentTimeout,
        DropReason::IcmpMalformed,
        DropReason::IcmpChecksum,
        DropReason::IcmpIgnored,
        DropReason::IcmpRateLimited,
        DropReason::UdpMalformed,
        DropReason::UdpChecksum,
        DropReason::UdpNoSocket,
        DropReason::UdpQueueFull,
        DropReason::ServiceMalformed,
        DropReason::TcpMalformed,
        DropReason::TcpChecksum,
        DropReason::TcpNoSocket,
        DropReason::NeighborUnreachable,
        DropReason::NeighborCacheFull,
        DropReason::IcmpQueueFull,
        DropReason::TxBufferTooSmall,
        DropReason::ExceedsMtu,
        DropReason::NoRoute,
    ];

    /// Stable snake_case name, used in traces and JSON summaries.
    pub const fn as_str(self) -> &'static str {
        match self {
            DropReason::NotOurMac => "not_our_mac",
            DropReason::EthernetMalformed => "ethernet_malformed",
            DropReason::UnknownEtherType => "unknown_ethertype",
            DropReason::ArpMalformed => "arp_malformed",
            DropReason::ArpUnsupported => "arp_unsupported",
            DropReason::Ipv4Malformed => "ipv4_malformed",
            DropReason::Ipv4Checksum => "ipv4_checksum",
            DropReason::Ipv4Unsupported => "ipv4_unsupported",
            DropReason::Ipv4NotForUs => "ipv4_not_for_us",
            DropReason::Ipv4UnknownProtocol => "ipv4_unknown_protocol",
            DropReason::FragmentOverlap => "fragment_overlap",
            DropReason::FragmentTooLarge => "fragment_too_large",
            DropReason::FragmentNoSlot => "fragment_no_slot",
            DropReason::FragmentTimeout => "fragment_timeout",
            DropReason::IcmpMalformed => "icmp_malformed",
            DropReason::IcmpChecksum => "icmp_checksum",
            DropReason::IcmpIgnored => "icmp_ignored",
            DropReason::IcmpRateLimited => "icmp_rate_limited",
            DropReason::UdpMalformed => "udp_malformed",
            DropReason::UdpChecksum => "udp_checksum",
            DropReason::UdpNoSocket => "udp_no_socket",
            DropReason::UdpQueueFull => "udp_queue_full",
            DropReason::ServiceMalformed => "service_malformed",
            DropReason::TcpMalformed => "tcp_malformed",
            DropReason::TcpChecksum => "tcp_checksum",
            DropReason::TcpNoSocket => "tcp_no_socket",
            DropReason::NeighborUnreachable => "neighbor_unreachable",
            DropReason::NeighborCacheFull => "neighbor_cache_full",
            DropReason::IcmpQueueFull => "icmp_queue_full",
            DropReason::TxBufferTooSmall => "tx_buffer_too_small",
            DropReason::ExceedsMtu => "exceeds_mtu",
            DropReason::NoRoute => "no_route",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who consumed an inbound frame that was not dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Consumer {
    Arp,
    Icmp,
    Udp,
    Tcp,
    /// A fragment held for reassembly (the datagram is counted once complete).
    Fragment,
}

/// What became of one inbound frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    Consumed(Consumer),
    Dropped(DropReason),
}

/// The stack's counters. All monotonic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub frames_in: u64,
    pub frames_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub arp_in: u64,
    pub arp_out: u64,
    pub icmp_in: u64,
    pub icmp_out: u64,
    pub udp_in: u64,
    pub udp_out: u64,
    pub tcp_in: u64,
    pub tcp_out: u64,
    pub fragments_in: u64,
    pub datagrams_reassembled: u64,
    /// Egress datagrams dropped (see the egress drop reasons).
    pub egress_drops: u64,
    drops: [u64; DropReason::ALL.len()],
}

impl Counters {
    /// Frames and egress packets dropped for `reason`.
    pub fn drops(&self, reason: DropReason) -> u64 {
        self.drops[reason.index()]
    }

    /// Every drop reason with a non-zero count, in a stable order.
    pub fn nonzero_drops(&self) -> impl Iterator<Item = (DropReason, u64)> + '_ {
        DropReason::ALL
            .iter()
            .map(|&r| (r, self.drops(r)))
            .filter(|&(_, n)| n > 0)
    }

    pub fn total_drops(&self) -> u64 {
        self.drops.iter().sum()
    }

    pub(crate) fn drop(&mut self, reason: DropReason) {
        self.drops[reason.index()] += 1;
    }

    pub(crate) fn consumed(&mut self, consumer: Consumer) {
        match consumer {
            Consumer::Arp => self.arp_in += 1,
            Consumer::Icmp => self.icmp_in += 1,
            Consumer::Udp => self.udp_in += 1,
            Consumer::Tcp => self.tcp_in += 1,
            Consumer::Fragment => self.fragments_in += 1,
        }
    }

    pub(crate) fn record(&mut self, disposition: Disposition) {
        match disposition {
            Disposition::Consumed(c) => self.consumed(c),
            Disposition::Dropped(r) => self.drop(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_reason_once_in_index_order() {
        for (i, r) in DropReason::ALL.iter().enumerate() {
            assert_eq!(r.index(), i, "{r}");
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in DropReason::ALL.iter().enumerate() {
            for b in &DropReason::ALL[i + 1..] {
                assert_ne!(a.as_str(), b.as_str());
            }
        }
    }

    #[test]
    fn record_counts_dispositions() {
        let mut c = Counters::default();
        c.record(Disposition::Dropped(DropReason::UdpNoSocket));
        c.record(Disposition::Consumed(Consumer::Udp));
        assert_eq!(c.drops(DropReason::UdpNoSocket), 1);
        assert_eq!(c.udp_in, 1);
        assert_eq!(c.nonzero_drops().count(), 1);
    }
}
