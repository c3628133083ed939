//! The checksum checks are not vacuous: in every golden IPv4 frame, every
//! single-bit flip from the IPv4 header to the end of the transport segment
//! makes our decoding fail, and the untouched frame decodes.

#[path = "golden/layers.rs"]
mod layers;

use layers::{capture, L3};
use seqs::wire::{icmpv4, ipv4, tcp, udp, Error, Result};

/// Decodes an IPv4 packet and, unless it is a fragment (whose ICMP checksum
/// covers bytes it lacks), its transport layer.
fn decode(packet: &[u8]) -> Result<()> {
    let view = ipv4::Packet::new_checked(packet)?;
    let ip = ipv4::Repr::parse(&view)?;
    let (src, dst, bytes) = (ip.src_addr, ip.dst_addr, view.payload());
    if ip.is_fragment() {
        return Ok(());
    }
    match ip.protocol {
        ipv4::Protocol::Udp => {
            udp::Repr::parse(&udp::Packet::new_checked(bytes)?, src, dst).map(drop)
        }
        ipv4::Protocol::Tcp => {
            tcp::Repr::parse(&tcp::Packet::new_checked(bytes)?, src, dst).map(drop)
        }
        ipv4::Protocol::Icmp => icmpv4::Repr::parse(&icmpv4::Packet::new_checked(bytes)?).map(drop),
        ipv4::Protocol::Unknown(_) => Err(Error::Unsupported),
    }
}

#[test]
fn every_bit_flip_in_every_ipv4_frame_is_caught() {
    let files = [
        "dhcp.pcap",
        "dns_dnsmasq.pcap",
        "dns_bind.pcap",
        "ntp.pcap",
        "http.pcap",
        "icmp_echo.pcap",
        "udp_unreachable.pcap",
        "ipv4_fragments.pcap",
        "tcp_rst.pcap",
    ];
    for file in files {
        for (i, frame) in capture(file).iter().enumerate() {
            let packet = &frame[L3..];
            assert_eq!(decode(packet), Ok(()), "{file} frame {}", i + 1);
            // A fragment's transport bytes are checked only after reassembly.
            let checked = if file == "ipv4_fragments.pcap" {
                ipv4::HEADER_LEN
            } else {
                packet.len()
            };
            let mut flipped = packet.to_vec();
            for bit in 0..checked * 8 {
                flipped[bit / 8] ^= 1 << (bit % 8);
                assert!(
                    decode(&flipped).is_err(),
                    "{file} frame {}: bit {bit} flipped went unnoticed",
                    i + 1
                );
                flipped[bit / 8] ^= 1 << (bit % 8);
            }
        }
    }
}
