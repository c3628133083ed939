//! NTP packets: never panic; parse -> emit -> parse agrees; timestamp
//! conversions never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seqs::time::Instant;
use seqs::wire::ntp::{Epoch, Packet, Repr};

fuzz_target!(|data: &[u8]| {
    let Ok(repr) = Packet::new_checked(data).and_then(|p| Repr::parse(&p)) else {
        return;
    };
    let mut out = [0u8; 48];
    repr.emit(&mut Packet::new_unchecked(&mut out[..]));
    assert_eq!(&out[..], &data[..48]);
    let again = Repr::parse(&Packet::new_checked(&out[..]).expect("48 bytes")).expect("reparse");
    assert_eq!(again, repr);

    let epoch = Epoch::from_ntp_micros(repr.reference_timestamp.0);
    let near = Instant::from_micros(repr.origin_timestamp.0);
    if let Some(at) = epoch.instant(repr.transmit_timestamp, near) {
        let _ = epoch.timestamp(at);
    }
    let _ = repr.receive_timestamp.micros_since(repr.transmit_timestamp);
    let _ = repr.root_delay.to_duration();
});
