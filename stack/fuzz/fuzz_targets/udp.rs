#![no_main]
//! Any bytes: the UDP view never panics, and a datagram that parses between
//! two documentation addresses re-emits to one that parses the same.

use core::net::Ipv4Addr;

use libfuzzer_sys::fuzz_target;
use seqs::wire::udp::{Packet, Repr};

const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 7);

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    let Ok(repr) = Repr::parse(&packet, SRC, DST) else {
        return;
    };
    let payload = packet.payload();
    let mut out = vec![0u8; repr.buffer_len(payload.len())];
    repr.emit(&mut Packet::new_unchecked(&mut out[..]), SRC, DST, payload);
    let again = Packet::new_checked(&out[..]).unwrap();
    assert_eq!(Repr::parse(&again, SRC, DST), Ok(repr));
    assert_eq!(again.payload(), payload);
});
