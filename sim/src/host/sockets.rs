//! Socket storage sized from a host's capacities.

use seqs::storage::{PacketBuffer, PacketMeta, RingBuffer};
use seqs::{icmp, tcp, udp};

use super::HostCapacities;

fn buffer<H: Copy + Default>(packets: usize, bytes: usize) -> PacketBuffer<'static, H> {
    PacketBuffer::new(vec![PacketMeta::empty(); packets], vec![0u8; bytes])
}

pub(crate) fn udp(caps: &HostCapacities) -> udp::Socket<'static> {
    udp::Socket::new(
        buffer(caps.udp_packets, caps.udp_rx_bytes),
        buffer(caps.udp_packets, caps.udp_tx_bytes),
    )
}

pub(crate) fn icmp(caps: &HostCapacities) -> icmp::Socket<'static> {
    icmp::Socket::new(
        buffer(caps.udp_packets, caps.udp_rx_bytes),
        buffer(caps.udp_packets, caps.udp_tx_bytes),
    )
}

pub(crate) fn tcp(caps: &HostCapacities, config: tcp::Config) -> tcp::Socket<'static> {
    tcp::Socket::with_config(
        RingBuffer::new(vec![0u8; caps.tcp_rx_bytes]),
        RingBuffer::new(vec![0u8; caps.tcp_tx_bytes]),
        config,
    )
}
