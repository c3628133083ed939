#![no_main]
//! Any bytes: the ARP view never panics, and an Ethernet/IPv4 packet
//! re-emits to the same 28 bytes and parses the same.

use libfuzzer_sys::fuzz_target;
use seqs::wire::arp::{Packet, Repr, PACKET_LEN};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    let _ = (packet.operation(), packet.source_hardware_addr());
    let _ = (packet.source_protocol_addr(), packet.target_hardware_addr());
    let _ = packet.target_protocol_addr();
    let Ok(repr) = Repr::parse(&packet) else {
        return;
    };
    let mut out = [0u8; PACKET_LEN];
    repr.emit(&mut Packet::new_unchecked(&mut out[..]));
    assert_eq!(out[..], data[..PACKET_LEN]);
    assert_eq!(
        Repr::parse(&Packet::new_checked(&out[..]).unwrap()),
        Ok(repr)
    );
});
