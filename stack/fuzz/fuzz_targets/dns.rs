//! DNS messages: never panic; whatever parses re-emits and parses the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seqs::wire::dns::{Builder, Packet, Repr};

fuzz_target!(|data: &[u8]| {
    let Ok(repr) = Packet::new_checked(data).and_then(|p| Repr::parse(&p)) else {
        return;
    };
    for r in repr.answers() {
        let _ = format!("{} {:?}", r.name, r.data);
    }
    // Input names reached by 2-byte pointers may be written out in full once
    // the compression table is full: up to ~128x growth.
    let mut out = vec![0u8; 512 + data.len() * 128];
    let h = repr.header();
    let mut b = Builder::new(&mut out, h.id, h.flags).expect("header fits");
    for q in repr.questions() {
        b.question(&q).expect("question fits");
    }
    for r in repr.answers() {
        b.answer(&r).expect("answer fits");
    }
    for r in repr.authorities() {
        b.authority(&r).expect("authority fits");
    }
    for r in repr.additionals() {
        b.additional(&r).expect("additional fits");
    }
    let len = b.finish();
    let again = Repr::parse(&Packet::new_checked(&out[..len]).expect("header")).expect("reparse");
    assert_eq!(again.header(), repr.header());
    assert!(again.questions().eq(repr.questions()));
    assert!(again.answers().eq(repr.answers()));
    assert!(again.authorities().eq(repr.authorities()));
    assert!(again.additionals().eq(repr.additionals()));
});
