#![no_main]
//! Any bytes: the first eight are the pseudo-header's source and destination
//! addresses, the rest a datagram. The UDP view never panics, and a datagram
//! that parses re-emits to one that parses the same.

use core::net::Ipv4Addr;

use libfuzzer_sys::fuzz_target;
use seqs::wire::udp::{Packet, Repr};

fuzz_target!(|data: &[u8]| {
    let Some((addrs, datagram)) = data.split_first_chunk::<8>() else {
        return;
    };
    let src = Ipv4Addr::new(addrs[0], addrs[1], addrs[2], addrs[3]);
    let dst = Ipv4Addr::new(addrs[4], addrs[5], addrs[6], addrs[7]);
    let Ok(packet) = Packet::new_checked(datagram) else {
        return;
    };
    let Ok(repr) = Repr::parse(&packet, src, dst) else {
        return;
    };
    let payload = packet.payload();
    let mut out = vec![0u8; repr.buffer_len(payload.len())];
    repr.emit(&mut Packet::new_unchecked(&mut out[..]), src, dst, payload);
    let again = Packet::new_checked(&out[..]).unwrap();
    assert_eq!(Repr::parse(&again, src, dst), Ok(repr));
    assert_eq!(again.payload(), payload);
});
