#![no_main]
//! Any bytes: the IPv4 view never panics, and a parsed header re-emitted
//! (without options) over the same payload parses the same.

use libfuzzer_sys::fuzz_target;
use seqs::wire::ipv4::{Packet, Repr};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    let _ = (
        packet.dscp(),
        packet.ecn(),
        packet.options(),
        packet.checksum(),
    );
    let Ok(repr) = Repr::parse(&packet) else {
        return;
    };
    let mut out = vec![0u8; repr.buffer_len()];
    let mut emitted = Packet::new_unchecked(&mut out[..]);
    repr.emit(&mut emitted);
    emitted.payload_mut().copy_from_slice(packet.payload());
    let again = Packet::new_checked(&out[..]).expect("emitted packet is well formed");
    assert_eq!(Repr::parse(&again), Ok(repr));
    assert_eq!(again.payload(), packet.payload());
});
