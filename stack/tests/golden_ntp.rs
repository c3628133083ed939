//! `ntp.pcap`: `chronyd -Q` and a plain SNTP request, each answered by
//! chronyd, decoded by our wire layer (every NTP field, timestamps as dates);
//! a live stack running our NTP server answers the same requests.

#[path = "golden/layers.rs"]
mod layers;
mod support;

use layers::*;
use seqs::ntp::{Server, ServerConfig};
use seqs::time::Instant;
use seqs::wire::ntp::{
    Epoch, Leap, Mode, Packet, ReferenceId, Repr, ShortTime, Timestamp, Version,
};

/// 2026-11-27 14:24:33 UTC, the second most timestamps fall in.
const UNIX_14_24_33: u64 = 1_795_789_473;
const CHRONYD_COOKIE: Timestamp = Timestamp(0xa8f0_065a_41dc_ed7e);
const SNTP_TRANSMIT: Timestamp = Timestamp(0xeeb4_1121_887a_0000);
const REFERENCE: Timestamp = Timestamp(0xeeb4_111f_6572_e797);

fn ntp(frame: &[u8]) -> (Udp<'_>, Repr) {
    let d = layers::udp(frame);
    let repr = Repr::parse(&Packet::new_checked(d.payload).unwrap()).unwrap();
    let mut out = [0; 48];
    repr.emit(&mut Packet::new_unchecked(&mut out[..]));
    assert_eq!(out, d.payload, "NTP round trip");
    (d, repr)
}

fn request(poll: i8, precision: i8, transmit: Timestamp) -> Repr {
    Repr {
        poll,
        precision,
        ..Repr::client_request(transmit)
    }
}

fn chronyd_reply(poll: i8, origin: Timestamp, receive: u64, transmit: u64) -> Repr {
    Repr {
        leap: Leap::NoWarning,
        version: Version::V4,
        mode: Mode::Server,
        stratum: 8,
        poll,
        precision: -26,
        root_delay: ShortTime(0),
        root_dispersion: ShortTime(0),
        reference_id: ReferenceId([127, 127, 1, 1]),
        reference_timestamp: REFERENCE,
        origin_timestamp: origin,
        receive_timestamp: Timestamp(receive),
        transmit_timestamp: Timestamp(transmit),
    }
}

#[test]
fn every_packet_decodes_field_by_field() {
    let expected = [
        (33227, request(6, 32, CHRONYD_COOKIE)),
        (
            33227,
            chronyd_reply(
                6,
                CHRONYD_COOKIE,
                0xeeb4_1121_26c7_ead5,
                0xeeb4_1121_26d0_d7ae,
            ),
        ),
        (40123, request(0, 0, SNTP_TRANSMIT)),
        (
            40123,
            chronyd_reply(
                0,
                SNTP_TRANSMIT,
                0xeeb4_1121_887d_8e01,
                0xeeb4_1121_8882_348e,
            ),
        ),
    ];
    let frames = capture("ntp.pcap");
    assert_eq!(frames.len(), expected.len());
    for (i, (frame, (port, repr))) in frames.iter().zip(expected).enumerate() {
        let (d, got) = ntp(frame);
        let to_server = i % 2 == 0;
        let ports = if to_server { (port, 123) } else { (123, port) };
        assert_eq!((d.udp.src_port, d.udp.dst_port), ports, "frame {}", i + 1);
        assert_eq!((d.ip.dont_frag, d.ip.ttl), (true, 64), "frame {}", i + 1);
        assert_eq!(got, repr, "frame {}", i + 1);
        if !to_server {
            assert!(got.receive_timestamp <= got.transmit_timestamp);
            assert_eq!(got.kiss_code(), None);
        }
    }
}

/// Microseconds since the Unix epoch of an NTP timestamp from the capture.
fn unix_micros(ts: Timestamp) -> u64 {
    let near = Instant::from_secs(UNIX_14_24_33);
    Epoch::UNIX.instant(ts, near).unwrap().total_micros()
}

#[test]
fn timestamps_are_the_capture_dates() {
    let at = |secs_after: i64, micros: u64| {
        (UNIX_14_24_33 as i64 + secs_after) as u64 * 1_000_000 + micros
    };
    // tshark: 14:24:31.396284555, 14:24:33.151487996, .151624183,
    // .533111572, .533165812, .533236775 (rounded to microseconds).
    assert_eq!(unix_micros(REFERENCE), at(-2, 396_285));
    assert_eq!(
        unix_micros(Timestamp(0xeeb4_1121_26c7_ead5)),
        at(0, 151_488)
    );
    assert_eq!(
        unix_micros(Timestamp(0xeeb4_1121_26d0_d7ae)),
        at(0, 151_624)
    );
    assert_eq!(unix_micros(SNTP_TRANSMIT), at(0, 533_112));
    assert_eq!(
        unix_micros(Timestamp(0xeeb4_1121_887d_8e01)),
        at(0, 533_166)
    );
    assert_eq!(
        unix_micros(Timestamp(0xeeb4_1121_8882_348e)),
        at(0, 533_237)
    );
    // And back: our conversion lands within a microsecond's rounding.
    let there = Epoch::UNIX.timestamp(Instant::from_micros(at(0, 533_112)));
    assert!(there.micros_since(SNTP_TRANSMIT).abs() <= 1);
}

#[test]
fn stack_answers_both_requests_like_chronyd() {
    let frames = capture("ntp.pcap");
    let mut config = ServerConfig::new(Epoch::UNIX);
    config.stratum = 8;
    let mut stack = support::silent_stack(1);
    stack
        .add_ntp_server(Server::new(config), support::udp_socket(4, 4096))
        .unwrap();
    for pair in frames.chunks(2) {
        let (request, (linux_udp, linux)) = (ntp(&pair[0]).1, ntp(&pair[1]));
        // Received when chronyd received it.
        let now = Instant::from_micros(unix_micros(linux.receive_timestamp));
        learn_client(&mut stack, now);
        stack.receive(now, &pair[0]);
        let sent = transmit_all(&mut stack, now);
        assert_eq!(sent.len(), 1, "one reply");
        let (d, ours) = ntp(&sent[0]);
        assert_eq!(
            (d.ip.dst_addr, d.udp.dst_port),
            (CLIENT, linux_udp.udp.dst_port)
        );
        assert_eq!(
            (ours.version, ours.mode, ours.stratum),
            (Version::V4, Mode::Server, 8)
        );
        assert_eq!(
            ours.origin_timestamp, request.transmit_timestamp,
            "origin echo"
        );
        assert!(
            ours.receive_timestamp
                .micros_since(linux.receive_timestamp)
                .abs()
                <= 1
        );
        assert!(ours.receive_timestamp <= ours.transmit_timestamp);
    }
}
