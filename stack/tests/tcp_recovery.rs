//! Scripted tests of SACK-driven loss recovery: RACK (RFC 8985) finds lost
//! retransmissions and losses after a timeout without the timer, tolerates
//! reordering within its window, and the receiver acknowledges
//! out-of-order and hole-filling segments at once (RFC 5681 section 4.2).

mod tcp_harness;

use seqs::tcp::{Config, Congestion, Socket};
use seqs::time::{Duration, Instant};
use seqs::wire::tcp::Control;
use tcp_harness::*;

const B1: u32 = B_ISS + 1;

/// MSS 100, SACK on, ACKs at once: segments stay easy to spell out.
fn sack_config() -> Config {
    Config {
        mss: 100,
        sack: true,
        ..plain_config()
    }
}

/// B's acknowledgment of `ack` carrying `sack` blocks.
fn b_ack(ack: u32, sack: &[(u32, u32)]) -> Seg {
    Seg::b_to_a(Control::None, B1, Some(ack), 10_000).sack(sack)
}

fn seqs(segs: &[Seg]) -> Vec<u32> {
    segs.iter()
        .filter(|s| !s.payload.is_empty())
        .map(|s| s.seq)
        .collect()
}

/// Feeds `ack` to `a` at `at` and returns the data it sends then.
fn ack_and_drain(a: &mut Socket<'static>, at: Instant, ack: &Seg) -> Vec<u32> {
    feed(a, at, ack);
    seqs(&drain(a, at))
}

/// A connected pair with 400 bytes (4 segments) sent by A at 100 ms.
/// The handshake measured a 20 ms RTT.
fn four_in_flight() -> (Socket<'static>, Socket<'static>) {
    four_in_flight_with(sack_config())
}

/// `four_in_flight` with A configured as `config`.
fn four_in_flight_with(config: Config) -> (Socket<'static>, Socket<'static>) {
    let (mut a, b) = connected(10_000, config, 10_000, sack_config());
    a.send_slice(&[5u8; 2000]).unwrap();
    assert_eq!(seqs(&drain(&mut a, ms(100))), [101, 201, 301, 401]);
    (a, b)
}

/// 101 is lost: SACKs for the rest let two new segments out.
fn two_duplicates_for_101(a: &mut Socket<'static>) {
    assert_eq!(ack_and_drain(a, ms(120), &b_ack(101, &[(201, 301)])), [501]);
    assert_eq!(ack_and_drain(a, ms(120), &b_ack(101, &[(201, 401)])), [601]);
}

/// After `two_duplicates_for_101`, the third duplicate starts recovery
/// with 101 resent at 120 ms.
fn fast_retransmit_101(a: &mut Socket<'static>) {
    two_duplicates_for_101(a);
    assert_eq!(ack_and_drain(a, ms(120), &b_ack(101, &[(201, 501)])), [101]);
}

#[test]
fn lost_retransmission_is_resent_before_the_timer() {
    let (mut a, _) = four_in_flight();
    fast_retransmit_101(&mut a);
    assert_eq!(a.counters().fast_retransmits, 1);
    // The retransmission is lost too; 501 and 601, sent with it, arrive.
    // Each SACK frees room in the pipe for new data (RFC 6675 NextSeg).
    assert_eq!(
        ack_and_drain(&mut a, ms(140), &b_ack(101, &[(201, 601)])),
        [701]
    );
    assert_eq!(
        ack_and_drain(&mut a, ms(140), &b_ack(101, &[(201, 701)])),
        [801]
    );
    // RACK: sent before delivered data, overdue after RTT 20 ms plus a
    // quarter of the minimum RTT. The RTO would wait until 320 ms.
    assert_eq!(a.poll_at(ms(140)), Some(ms(145)));
    assert!(seqs(&drain(&mut a, ms(144))).is_empty());
    assert_eq!(seqs(&drain(&mut a, ms(145))), [101]);
    assert_eq!(a.counters().timeouts, 0);
    assert_eq!(a.counters().retransmissions, 2);
    assert_eq!(a.counters().fast_retransmits, 1, "one window reduction");

    // With pipe accounting recovery ends with cwnd = ssthresh (300).
    assert_eq!(
        ack_and_drain(&mut a, ms(165), &b_ack(901, &[])),
        [901, 1001, 1101]
    );
    assert_eq!(a.counters().retransmissions, 2);
}

#[test]
fn cubic_keeps_seven_tenths_of_the_flight_through_recovery() {
    let (mut a, _) = four_in_flight_with(Config {
        congestion: Congestion::Cubic,
        ..sack_config()
    });
    two_duplicates_for_101(&mut a);
    // 600 bytes were out when the third duplicate found the loss: Reno
    // keeps 300 and resends 101 alone (above); CUBIC keeps 420, and the
    // pipe (101 lost, 201 to 600 SACKed: 100 bytes) lets 701 go too.
    assert_eq!(
        ack_and_drain(&mut a, ms(120), &b_ack(101, &[(201, 501)])),
        [101, 701]
    );
    assert_eq!(a.metrics().ssthresh, 420);
    assert_eq!(
        ack_and_drain(&mut a, ms(140), &b_ack(801, &[])),
        [801, 901, 1001, 1101],
        "recovery over: a window of 420 bytes, four segments"
    );
    assert_eq!(a.metrics().cwnd, 420);
}

#[test]
fn loss_after_a_timeout_is_repaired_from_sack() {
    let (mut a, _) = four_in_flight();
    // The whole flight is lost, and so is the tail loss probe (new data)
    // sent two RTTs later; the timer fires 200 ms (the RTO floor) after it.
    assert_eq!(a.poll_at(ms(100)), Some(ms(140)));
    assert_eq!(seqs(&drain(&mut a, ms(140))), [501]);
    assert_eq!(a.counters().loss_probes, 1);
    assert_eq!(a.poll_at(ms(140)), Some(ms(340)));
    assert_eq!(seqs(&drain(&mut a, ms(340))), [101]);
    assert_eq!(ack_and_drain(&mut a, ms(360), &b_ack(201, &[])), [201, 301]);
    // 201 is lost again, 301 arrives: a later loss in the same window,
    // which NewReno's recovery point would leave to the backed-off timer.
    assert_eq!(
        ack_and_drain(&mut a, ms(380), &b_ack(201, &[(301, 401)])),
        [401]
    );
    assert_eq!(a.poll_at(ms(380)), Some(ms(385)));
    assert_eq!(seqs(&drain(&mut a, ms(385))), [201]);
    assert_eq!(a.counters().timeouts, 1);
    // The resend from SND.UNA skips what the peer SACKed: the lost probe
    // is next, then new data.
    assert_eq!(
        ack_and_drain(&mut a, ms(400), &b_ack(201, &[(301, 501)])),
        [501]
    );
    assert_eq!(ack_and_drain(&mut a, ms(405), &b_ack(501, &[])), [601, 701]);
    assert_eq!(a.counters().timeouts, 1);
}

#[test]
fn reordering_within_the_window_is_not_a_loss() {
    let (mut a, _) = four_in_flight();
    // 201 overtakes 101, which arrives 2 ms later: inside the 5 ms window.
    assert_eq!(
        ack_and_drain(&mut a, ms(120), &b_ack(101, &[(201, 301)])),
        [501]
    );
    assert_eq!(a.poll_at(ms(120)), Some(ms(125)), "RACK reordering timer");
    assert_eq!(ack_and_drain(&mut a, ms(122), &b_ack(301, &[])), [601, 701]);
    for t in [125, 130, 140] {
        assert!(seqs(&drain(&mut a, ms(t))).is_empty());
    }
    assert_eq!(a.counters().retransmissions, 0);
    assert_eq!(a.counters().fast_retransmits, 0);

    // Reordering beyond the window is a loss: one retransmission.
    let (mut a, _) = four_in_flight();
    assert_eq!(
        ack_and_drain(&mut a, ms(120), &b_ack(101, &[(201, 301)])),
        [501]
    );
    assert_eq!(seqs(&drain(&mut a, ms(125))), [101]);
    assert_eq!(a.counters().fast_retransmits, 1);
}

#[test]
fn receiver_acks_out_of_order_and_hole_filling_segments_at_once() {
    let delayed = Config {
        ack_delay: Some(Duration::from_millis(40)),
        ..sack_config()
    };
    let (mut a, mut b) = connected(10_000, sack_config(), 10_000, delayed);
    a.send_slice(&[9u8; 500]).unwrap();
    let sent = drain(&mut a, ms(100));
    assert_eq!(seqs(&sent), [101, 201, 301, 401]);
    // Two out-of-order segments before B gets to send: one duplicate ACK
    // each, the first straight from `process`.
    assert_eq!(feed(&mut b, ms(110), &sent[2]), None);
    let first = feed(&mut b, ms(110), &sent[3]).expect("immediate duplicate ACK");
    let second = one(&mut b, ms(110));
    for d in [&first, &second] {
        assert_eq!((d.ack, d.sack.as_slice()), (Some(101), &[(301, 501)][..]));
    }
    // The segment filling part of the hole is acknowledged at once.
    feed(&mut b, ms(111), &sent[0]);
    let fill = one(&mut b, ms(111));
    assert_eq!(
        (fill.ack, fill.sack.as_slice()),
        (Some(201), &[(301, 501)][..])
    );
    feed(&mut b, ms(112), &sent[1]);
    assert_eq!(one(&mut b, ms(112)).ack, Some(501));
    // In-order data after that waits for the delayed-ACK timer again.
    feed(&mut a, ms(120), &b_ack(501, &[]));
    let more = drain(&mut a, ms(120));
    assert_eq!(seqs(&more), [501]);
    feed(&mut b, ms(130), &more[0]);
    assert!(drain(&mut b, ms(130)).is_empty());
    assert_eq!(one(&mut b, ms(170)).ack, Some(601));
}

#[test]
fn tail_loss_probe_resends_the_last_segment_instead_of_waiting_for_the_rto() {
    let (mut a, _) = connected(10_000, sack_config(), 10_000, sack_config());
    a.send_slice(&[3u8; 400]).unwrap();
    assert_eq!(seqs(&drain(&mut a, ms(100))), [101, 201, 301, 401]);
    // Every segment arrived but B's ACK was lost. Nothing new to send: two
    // RTTs later the last segment goes again as a probe.
    assert_eq!(a.poll_at(ms(100)), Some(ms(140)));
    assert_eq!(seqs(&drain(&mut a, ms(140))), [401]);
    assert_eq!(a.poll_at(ms(140)), Some(ms(340)), "RTO restarted");
    feed(&mut a, ms(160), &b_ack(501, &[(401, 501)]));
    assert_eq!(a.metrics().in_flight, 0);
    assert_eq!(a.poll_at(ms(160)), None);
    let c = a.counters();
    assert_eq!((c.loss_probes, c.retransmissions, c.timeouts), (1, 1, 0));
}

#[test]
fn loss_probe_during_recovery_reveals_a_lost_retransmission() {
    let (mut a, _) = four_in_flight();
    fast_retransmit_101(&mut a);
    // The retransmission is lost and so are the ACKs for 501 and 601:
    // nothing arrives. Two RTTs after the retransmission a probe (new data,
    // beyond the congestion window) goes out.
    assert!(seqs(&drain(&mut a, ms(159))).is_empty());
    assert_eq!(seqs(&drain(&mut a, ms(160))), [701]);
    assert_eq!(a.counters().loss_probes, 1);
    // Its SACK shows data sent after the retransmission delivered: RACK
    // resends 101 at once, 120 ms before the RTO (and the freed pipe lets
    // new data follow).
    assert_eq!(
        ack_and_drain(&mut a, ms(180), &b_ack(101, &[(201, 801)])),
        [101, 801, 901]
    );
    feed(&mut a, ms(200), &b_ack(1001, &[]));
    assert_eq!(a.metrics().in_flight, 0);
    let c = a.counters();
    assert_eq!(
        (c.retransmissions, c.timeouts, c.fast_retransmits),
        (2, 0, 1)
    );
}
