#![no_main]
//! Any bytes: the frame view never panics, and a parsed header re-emits to
//! the very same bytes.

use libfuzzer_sys::fuzz_target;
use seqs::wire::ethernet::{Frame, Repr};

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = Frame::new_checked(data) else {
        return;
    };
    let repr = Repr::parse(&frame).expect("a checked frame always parses");
    let _ = (frame.vlan_id(), frame.vlan_pcp());
    let mut out = data.to_vec();
    repr.emit(&mut Frame::new_unchecked(&mut out[..]));
    assert_eq!(out, data);
    assert_eq!(
        Repr::parse(&Frame::new_checked(&out[..]).unwrap()),
        Ok(repr)
    );
});
