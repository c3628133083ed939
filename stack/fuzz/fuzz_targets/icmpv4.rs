#![no_main]
//! Any bytes: the ICMPv4 view and the quote reader never panic, and a parsed
//! message re-emits to one that parses the same.

use libfuzzer_sys::fuzz_target;
use seqs::wire::icmpv4::{Packet, Quote, Repr};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    let _ = (packet.msg_type(), packet.msg_code(), packet.next_hop_mtu());
    let _ = Quote::parse(packet.data());
    let Ok(repr) = Repr::parse(&packet) else {
        return;
    };
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(&mut Packet::new_unchecked(&mut out[..]));
    assert_eq!(
        Repr::parse(&Packet::new_checked(&out[..]).unwrap()),
        Ok(repr)
    );
});
