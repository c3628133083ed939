#![no_main]
//! DHCP wire format: parse never panics; parse -> emit -> parse agrees.

use libfuzzer_sys::fuzz_target;
use seqs::wire::dhcp::{Packet, Repr};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    for _ in packet.options() {}
    let Ok(repr) = Repr::parse(&packet) else {
        return;
    };
    let mut buf = [0u8; 1500];
    let len = repr.buffer_len();
    let out = buf
        .get_mut(..len)
        .expect("a parsed message re-emits within 1500 bytes");
    repr.emit(&mut Packet::new_unchecked(&mut *out))
        .expect("a parsed message can be emitted");
    let again = Repr::parse(&Packet::new_checked(&*out).expect("emitted length"))
        .expect("an emitted message parses");
    assert_eq!(again, repr);
});
