//! TCP segments: never panic; parse -> emit -> parse agrees.
#![no_main]

use core::net::Ipv4Addr;
use libfuzzer_sys::fuzz_target;
use seqs::wire::tcp::{Packet, Repr};

const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const DST: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    let _ = (packet.options(), packet.payload(), packet.flags());
    let Ok(repr) = Repr::parse(&packet, SRC, DST) else {
        return;
    };
    let mut buf = [0u8; 65536];
    let Some(out) = buf.get_mut(..repr.buffer_len()) else {
        return;
    };
    repr.emit(&mut Packet::new_unchecked(&mut *out), SRC, DST);
    let again = Repr::parse(&Packet::new_checked(&*out).unwrap(), SRC, DST).unwrap();
    assert_eq!(again, repr);
});
