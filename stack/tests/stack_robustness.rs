//! Arbitrary and mutated frames fed into a live stack: no panic, and the
//! counters account for every frame.

mod support;

use etherparse::PacketBuilder;
use proptest::prelude::*;
use seqs::stats::{Consumer, Counters, Disposition};
use seqs::time::{Duration, Instant};
use support::*;

/// Valid frames of every kind the stack handles, to mutate.
fn seeds() -> Vec<Vec<u8>> {
    let mut udp = Vec::new();
    PacketBuilder::ethernet2(mac(1).0, mac(2).0)
        .ipv4(ip(1).octets(), ip(2).octets(), 64)
        .udp(4000, 7)
        .write(&mut udp, b"8 bytes!")
        .unwrap();
    let mut echo = Vec::new();
    PacketBuilder::ethernet2(mac(1).0, mac(2).0)
        .ipv4(ip(1).octets(), ip(2).octets(), 64)
        .icmpv4_echo_request(3, 4)
        .write(&mut echo, b"ping")
        .unwrap();
    let mut tcp = Vec::new();
    PacketBuilder::ethernet2(mac(1).0, mac(2).0)
        .ipv4(ip(1).octets(), ip(2).octets(), 64)
        .tcp(4000, 80, 1, 1024)
        .syn()
        .write(&mut tcp, b"")
        .unwrap();
    let mut fragment = udp.clone();
    fragment[14 + 6] = 0x20; // MF
    seqs::wire::ipv4::Packet::new_unchecked(&mut fragment[14..]).fill_checksum();
    vec![udp, echo, tcp, fragment, arp_request(1, 2)]
}

fn consumed(c: &Counters) -> u64 {
    c.arp_in + c.icmp_in + c.udp_in + c.tcp_in + c.fragments_in
}

fn frame_strategy() -> impl Strategy<Value = Vec<u8>> {
    let random = proptest::collection::vec(any::<u8>(), 0..1600);
    let mutated = (
        0..5usize,
        proptest::collection::vec((any::<u16>(), any::<u8>()), 1..8),
        any::<u16>(),
    )
        .prop_map(|(seed, flips, cut)| {
            let mut frame = seeds()[seed].clone();
            for (at, x) in flips {
                let i = usize::from(at) % frame.len();
                frame[i] ^= x.max(1);
            }
            let keep = usize::from(cut) % (frame.len() + 1);
            frame.truncate(keep.max(frame.len() / 2));
            frame
        });
    prop_oneof![random, mutated]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_frame_is_accounted_for(frames in proptest::collection::vec(frame_strategy(), 1..40)) {
        let mut s = stack(2, true);
        let h = s.add_udp_socket(udp_socket(4, 4096)).unwrap();
        s.bind_udp(h, 7).unwrap();
        let mut buf = [0u8; 1600];
        let mut now = Instant::from_secs(1);
        for frame in &frames {
            let d = s.receive(now, frame);
            if let Disposition::Consumed(Consumer::Udp) = d {
                prop_assert!(s.udp(h).unwrap().recv().is_ok());
            }
            while s.transmit(now, &mut buf).is_some() {}
            now += Duration::from_millis(1);
        }
        let c = s.counters();
        prop_assert_eq!(c.frames_in, frames.len() as u64);
        // Egress drops are counted as drops too; nothing else is.
        prop_assert_eq!(consumed(c) + c.total_drops() - c.egress_drops, c.frames_in);
    }
}

#[test]
fn valid_seeds_are_consumed() {
    let mut s = silent_stack(2);
    let h = s.add_udp_socket(udp_socket(4, 4096)).unwrap();
    s.bind_udp(h, 7).unwrap();
    let got: Vec<_> = seeds()
        .iter()
        .map(|f| s.receive(Instant::from_secs(1), f))
        .collect();
    assert_eq!(got[0], Disposition::Consumed(Consumer::Udp));
    assert_eq!(got[1], Disposition::Consumed(Consumer::Icmp));
    assert_eq!(got[3], Disposition::Consumed(Consumer::Fragment));
    assert_eq!(got[4], Disposition::Consumed(Consumer::Arp));
}
