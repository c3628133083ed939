//! NTP wire format: round trips over generated packets, random bytes, and
//! timestamp conversions over the whole range.

use proptest::prelude::*;
use seqs::time::Instant;
use seqs::wire::ntp::{
    Epoch, Leap, Mode, Packet, ReferenceId, Repr, ShortTime, Timestamp, Version,
};

fn repr_strategy() -> impl Strategy<Value = Repr> {
    let leap = prop_oneof![
        Just(Leap::NoWarning),
        Just(Leap::Insert),
        Just(Leap::Delete),
        Just(Leap::Alarm)
    ];
    let mode = (0u8..8).prop_map(|m| {
        [
            Mode::Reserved,
            Mode::SymmetricActive,
            Mode::SymmetricPassive,
            Mode::Client,
            Mode::Server,
            Mode::Broadcast,
            Mode::Control,
            Mode::Private,
        ][usize::from(m)]
    });
    let version = prop_oneof![Just(Version::V3), Just(Version::V4)];
    (
        (leap, version, mode, any::<u8>(), any::<i8>(), any::<i8>()),
        (any::<u32>(), any::<u32>(), any::<[u8; 4]>()),
        any::<[u64; 4]>(),
    )
        .prop_map(
            |((leap, version, mode, stratum, poll, precision), (rd, rdisp, id), ts)| Repr {
                leap,
                version,
                mode,
                stratum,
                poll,
                precision,
                root_delay: ShortTime(rd),
                root_dispersion: ShortTime(rdisp),
                reference_id: ReferenceId(id),
                reference_timestamp: Timestamp(ts[0]),
                origin_timestamp: Timestamp(ts[1]),
                receive_timestamp: Timestamp(ts[2]),
                transmit_timestamp: Timestamp(ts[3]),
            },
        )
}

proptest! {
    #[test]
    fn generated_packets_round_trip(repr in repr_strategy()) {
        let mut buf = [0u8; 48];
        repr.emit(&mut Packet::new_unchecked(&mut buf[..]));
        let parsed = Repr::parse(&Packet::new_checked(&buf[..]).unwrap()).unwrap();
        prop_assert_eq!(parsed, repr);
    }

    #[test]
    fn random_bytes_never_panic_and_valid_ones_re_emit(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        let Ok(packet) = Packet::new_checked(&bytes[..]) else {
            prop_assert!(bytes.len() < 48);
            return Ok(());
        };
        match Repr::parse(&packet) {
            Ok(repr) => {
                let mut out = [0u8; 48];
                repr.emit(&mut Packet::new_unchecked(&mut out[..]));
                prop_assert_eq!(&out[..], &bytes[..48]);
            }
            Err(_) => prop_assert!(!matches!(packet.version(), 3 | 4)),
        }
    }

    #[test]
    fn instants_survive_the_trip_through_timestamps(
        epoch_micros in any::<u64>(),
        at in any::<u64>(),
    ) {
        let epoch = Epoch::from_ntp_micros(epoch_micros);
        let at = Instant::from_micros(at);
        let ts = epoch.timestamp(at);
        // Resolved near itself, every instant comes back exactly, whatever
        // the epoch and however many eras past 1900 it lies.
        prop_assert_eq!(epoch.instant(ts, at), Some(at));
    }

    #[test]
    fn differences_are_antisymmetric_and_era_safe(a in any::<u64>(), d in -(1i64 << 62)..(1i64 << 62)) {
        let t1 = Timestamp(a);
        let t2 = Timestamp(a.wrapping_add_signed(d));
        let forward = t2.micros_since(t1);
        let backward = t1.micros_since(t2);
        prop_assert!((forward + backward).abs() <= 1);
        // d is in 2^-32 s units: compare in microseconds, within rounding.
        let expected = (i128::from(d) * 1_000_000) >> 32;
        prop_assert!((i128::from(forward) - expected).abs() <= 1);
    }
}
