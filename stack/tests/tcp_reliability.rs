//! Scripted tests of retransmission, congestion control, flow control and
//! the timers: exact segments at exact times.

mod tcp_harness;

use seqs::tcp::{Config, State};
use seqs::time::Duration;
use seqs::wire::tcp::Control::{self, Psh};
use tcp_harness::*;

fn cfg(mss: u16) -> Config {
    Config {
        mss,
        ..plain_config()
    }
}

fn a_seg(control: Control, seq: u32, ack: u32, win: u16) -> Seg {
    Seg::a_to_b(control, seq, Some(ack), win)
}
fn b_seg(control: Control, seq: u32, ack: u32, win: u16) -> Seg {
    Seg::b_to_a(control, seq, Some(ack), win)
}

const B1: u32 = B_ISS + 1;

#[test]
fn rto_backs_off_and_karn_skips_retransmitted_samples() {
    let (mut a, _) = connected(1000, cfg(1460), 1000, cfg(1460));
    assert_eq!(a.metrics().srtt, Some(Duration::from_millis(20)));
    a.send_slice(b"hello").unwrap();
    let data = a_seg(Psh, 101, B1, 1000).data(b"hello");
    assert_eq!(one(&mut a, ms(100)), data);
    assert_eq!(a.poll_at(ms(100)), Some(ms(300)), "RTO clamped to 200 ms");
    assert!(drain(&mut a, ms(299)).is_empty());
    assert_eq!(one(&mut a, ms(300)), data);
    assert_eq!(a.poll_at(ms(300)), Some(ms(700)), "doubled");
    assert_eq!(one(&mut a, ms(700)), data);
    assert_eq!(a.poll_at(ms(700)), Some(ms(1500)));
    assert_eq!(a.counters().retransmissions, 2);
    assert_eq!(a.counters().timeouts, 2);

    feed(&mut a, ms(800), &b_seg(Control::None, B1, 106, 1000));
    assert_eq!(a.poll_at(ms(800)), None);
    assert_eq!(a.metrics().srtt, Some(Duration::from_millis(20)), "Karn");

    a.send_slice(b"x").unwrap();
    one(&mut a, ms(1000));
    feed(&mut a, ms(1100), &b_seg(Control::None, B1, 107, 1000));
    // srtt = 7/8 * 20 + 1/8 * 100 ms.
    assert_eq!(a.metrics().srtt, Some(Duration::from_millis(30)));
    assert_eq!(
        a.metrics().rto,
        Duration::from_millis(200),
        "backoff cleared"
    );
}

#[test]
fn fast_retransmit_and_newreno_recovery() {
    let (mut a, mut b) = connected(10_000, cfg(100), 10_000, cfg(100));
    assert_eq!(a.metrics().cwnd, 400, "RFC 5681 initial window");
    a.send_slice(&[7u8; 1000]).unwrap();
    let sent = drain(&mut a, ms(100));
    let seqs: Vec<u32> = sent.iter().map(|s| s.seq).collect();
    assert_eq!(seqs, [101, 201, 301, 401]);
    let mut dupacks = Vec::new();
    for seg in &sent[1..] {
        assert_eq!(feed(&mut b, ms(110), seg), None);
        dupacks.push(one(&mut b, ms(110)));
    }
    assert!(dupacks
        .iter()
        .all(|d| *d == b_seg(Control::None, B1, 101, 10_000)));
    assert!(feed_all(&mut a, ms(120), &dupacks[..1]).is_empty());
    assert!(drain(&mut a, ms(120)).is_empty());
    feed(&mut a, ms(120), &dupacks[1]);
    assert!(drain(&mut a, ms(120)).is_empty());
    feed(&mut a, ms(120), &dupacks[2]);
    let out = drain(&mut a, ms(120));
    assert_eq!(out.len(), 2, "{out:#?}");
    assert_eq!(out[0], sent[0], "fast retransmit of the first segment");
    assert_eq!((out[1].seq, out[1].payload.len()), (501, 100), "new data");
    assert_eq!(a.counters().fast_retransmits, 1);
    assert_eq!((a.metrics().cwnd, a.metrics().ssthresh), (500, 200));

    feed(&mut b, ms(130), &out[0]);
    let full_ack = one(&mut b, ms(130));
    assert_eq!(full_ack.ack, Some(501));
    feed(&mut a, ms(140), &full_ack);
    assert_eq!(a.metrics().cwnd, 200, "min(ssthresh, flight + mss)");
}

#[test]
fn sack_blocks_report_holes_and_guide_retransmission() {
    let config = Config {
        sack: true,
        ..cfg(100)
    };
    let (mut a, mut b) = connected(10_000, config, 10_000, config);
    a.send_slice(&[1u8; 2000]).unwrap();
    let first = drain(&mut a, ms(100));
    assert_eq!(first.len(), 4);
    for seg in &first {
        feed(&mut b, ms(110), seg);
        feed(&mut a, ms(120), &one(&mut b, ms(110)));
    }
    assert_eq!(a.metrics().cwnd, 800, "slow start");
    let burst = drain(&mut a, ms(120));
    let seqs: Vec<u32> = burst.iter().map(|s| s.seq).collect();
    assert_eq!(seqs, [501, 601, 701, 801, 901, 1001, 1101, 1201]);

    // Segments 501 and 701 are lost.
    let mut acks = Vec::new();
    for seg in burst.iter().filter(|s| s.seq != 501 && s.seq != 701) {
        feed(&mut b, ms(130), seg);
        acks.push(one(&mut b, ms(130)));
    }
    assert_eq!(acks[0].sack, [(601, 701)]);
    assert_eq!(acks[1].sack, [(801, 901), (601, 701)], "newest block first");
    assert_eq!(acks[5].sack, [(801, 1301), (601, 701)]);
    assert!(acks.iter().all(|s| s.ack == Some(501)));

    let mut sent = Vec::new();
    for ack in &acks {
        feed(&mut a, ms(140), ack);
        sent.push(drain(&mut a, ms(140)));
    }
    let seqs = |v: &Vec<Seg>| v.iter().map(|s| s.seq).collect::<Vec<_>>();
    // Each SACK takes bytes out of the RFC 6675 pipe, so the first two
    // duplicates each let a new segment out (as limited transmit would).
    assert_eq!([seqs(&sent[0]), seqs(&sent[1])], [[1301], [1401]]);
    assert_eq!(seqs(&sent[2]), [501], "third duplicate: first hole");
    assert_eq!((a.metrics().cwnd, a.metrics().ssthresh), (500, 500));
    assert!(sent[3].is_empty() && sent[4].is_empty(), "pipe >= cwnd");
    // Pipe: 1000 sent - 600 SACKed = 400 (the resent hole replaces the
    // lost one), under cwnd 500: the next hole, skipping SACKed data, and
    // one new segment.
    assert_eq!(seqs(&sent[5]), [701, 1501], "next hole, then new data");

    for seg in [&sent[2][0], &sent[5][0]] {
        feed(&mut b, ms(150), seg);
    }
    let ack = drain(&mut b, ms(150)).pop().unwrap();
    assert_eq!(ack.ack, Some(1301));
    assert!(ack.sack.is_empty());
    feed(&mut a, ms(160), &ack);
    assert_eq!(a.counters().retransmissions, 2);
    assert_eq!(a.counters().timeouts, 0);
}

#[test]
fn out_of_order_data_is_reassembled() {
    let (mut a, mut b) = connected(10_000, cfg(100), 10_000, cfg(100));
    a.send_slice(b"0123456789").unwrap();
    let whole = one(&mut a, ms(100));
    let part = |from: usize, to: usize| {
        let mut s = whole.clone();
        s.seq += from as u32;
        s.payload = whole.payload[from..to].to_vec();
        s.control = Control::None;
        s
    };
    for seg in [part(6, 10), part(2, 4), part(3, 7), part(0, 3)] {
        feed(&mut b, ms(110), &seg);
    }
    let mut buf = [0u8; 16];
    assert_eq!(b.recv_slice(&mut buf), Ok(10));
    assert_eq!(&buf[..10], b"0123456789");
}

#[test]
fn delayed_ack_waits_for_the_timer_or_a_second_full_segment() {
    let b_config = Config {
        ack_delay: Some(Duration::from_millis(40)),
        ..cfg(100)
    };
    let (mut a, mut b) = connected(10_000, cfg(100), 10_000, b_config);
    a.send_slice(&[3u8; 50]).unwrap();
    feed(&mut b, ms(110), &one(&mut a, ms(100)));
    assert!(drain(&mut b, ms(110)).is_empty());
    assert_eq!(b.poll_at(ms(110)), Some(ms(150)));
    assert!(drain(&mut b, ms(149)).is_empty());
    assert_eq!(one(&mut b, ms(150)), b_seg(Control::None, B1, 151, 9950));

    a.send_slice(&[4u8; 200]).unwrap();
    let segs = drain(&mut a, ms(200));
    assert_eq!(segs.len(), 2);
    feed(&mut b, ms(210), &segs[0]);
    assert!(drain(&mut b, ms(210)).is_empty(), "one full segment waits");
    feed(&mut b, ms(211), &segs[1]);
    assert_eq!(one(&mut b, ms(211)).ack, Some(351), "second one is acked");
    assert_eq!(b.poll_at(ms(211)), None);
}

#[test]
fn nagle_coalesces_small_writes_while_data_is_unacked() {
    let a_config = Config {
        nagle: true,
        ..cfg(100)
    };
    let (mut a, _) = connected(10_000, a_config, 10_000, cfg(100));
    a.send_slice(b"a").unwrap();
    assert_eq!(one(&mut a, ms(100)), a_seg(Psh, 101, B1, 10_000).data(b"a"));
    a.send_slice(b"b").unwrap();
    assert!(drain(&mut a, ms(101)).is_empty());
    a.send_slice(b"c").unwrap();
    assert!(drain(&mut a, ms(102)).is_empty());
    assert_eq!(a.poll_at(ms(102)), Some(ms(300)), "only the RTO is pending");
    feed(&mut a, ms(120), &b_seg(Control::None, B1, 102, 10_000));
    assert_eq!(
        one(&mut a, ms(120)),
        a_seg(Psh, 102, B1, 10_000).data(b"bc")
    );
}

#[test]
fn zero_window_is_probed_until_it_opens() {
    let (mut a, mut b) = connected(1000, cfg(100), 200, cfg(100));
    a.send_slice(&[9u8; 300]).unwrap();
    let segs = drain(&mut a, ms(100));
    assert_eq!(segs.len(), 2, "B's window is 200");
    let acks: Vec<Seg> = segs
        .iter()
        .map(|s| {
            feed(&mut b, ms(110), s);
            one(&mut b, ms(110))
        })
        .collect();
    assert_eq!(acks[1], b_seg(Control::None, B1, 301, 0));
    feed_all(&mut a, ms(120), &acks);
    assert!(drain(&mut a, ms(120)).is_empty());
    assert_eq!(a.poll_at(ms(120)), Some(ms(320)), "persist timer");
    let probe = one(&mut a, ms(320));
    assert_eq!(probe, a_seg(Control::None, 301, B1, 1000).data(&[9]));
    assert_eq!(feed(&mut b, ms(330), &probe), None);
    assert_eq!(b.recv_queue(), 200, "no room for the probe byte");
    let still_zero = one(&mut b, ms(330));
    assert_eq!(still_zero, b_seg(Control::None, B1, 301, 0));
    feed(&mut a, ms(340), &still_zero);
    assert_eq!(a.poll_at(ms(340)), Some(ms(520)));
    assert_eq!(one(&mut a, ms(520)), probe, "probed again, backed off");
    assert_eq!(a.counters().window_probes, 2);
    assert_eq!(a.state(), State::Established);

    // The application reads: the window reopens with an update.
    let mut buf = [0u8; 200];
    assert_eq!(b.recv_slice(&mut buf), Ok(200));
    let update = one(&mut b, ms(600));
    assert_eq!(update, b_seg(Control::None, B1, 301, 200));
    feed(&mut a, ms(610), &update);
    let rest = drain(&mut a, ms(610));
    assert_eq!(rest[0].seq, 301);
    assert_eq!(rest.iter().map(|s| s.payload.len()).sum::<usize>(), 100);
}

#[test]
fn receiver_avoids_silly_window_updates() {
    let (mut a, mut b) = connected(1000, cfg(1000), 1000, cfg(1000));
    a.send_slice(&[5u8; 1000]).unwrap();
    feed(&mut b, ms(110), &one(&mut a, ms(100)));
    assert_eq!(one(&mut b, ms(110)), b_seg(Control::None, B1, 1101, 0));
    let mut buf = [0u8; 1000];
    b.recv_slice(&mut buf[..10]).unwrap();
    assert!(drain(&mut b, ms(120)).is_empty(), "10 bytes is silly");
    b.recv_slice(&mut buf[..490]).unwrap();
    assert_eq!(one(&mut b, ms(130)), b_seg(Control::None, B1, 1101, 500));
}

#[test]
fn keepalive_probes_an_idle_peer_and_gives_up() {
    let a_config = Config {
        keepalive: Some(Duration::from_secs(10)),
        keepalive_probes: 2,
        ..cfg(100)
    };
    let (mut a, mut b) = connected(1000, a_config, 1000, cfg(100));
    assert_eq!(a.poll_at(ms(30)), Some(ms(10_020)));
    let probe = one(&mut a, ms(10_020));
    assert_eq!(probe, a_seg(Control::None, 100, B1, 1000));
    let answer = feed(&mut b, ms(10_030), &probe).expect("ACK for a keepalive");
    assert_eq!(answer, b_seg(Control::None, B1, 101, 1000));
    feed(&mut a, ms(10_040), &answer);
    assert_eq!(a.poll_at(ms(10_040)), Some(ms(20_040)));
    assert_eq!(one(&mut a, ms(20_040)), probe);
    assert_eq!(one(&mut a, ms(30_040)), probe);
    assert!(drain(&mut a, ms(40_040)).is_empty());
    assert_eq!(a.state(), State::Closed);
    assert_eq!(a.counters().keepalives, 3);
}

#[test]
fn syn_retries_back_off_then_give_up() {
    let config = Config {
        syn_retries: 2,
        ..plain_config()
    };
    let mut a = socket(1000, config);
    a.connect(ms(0), a_end(), b_end(), seqs::tcp::SeqNumber(A_ISN))
        .unwrap();
    let syn = one(&mut a, ms(0));
    assert_eq!(a.poll_at(ms(0)), Some(ms(1000)));
    assert_eq!(one(&mut a, ms(1000)), syn);
    assert_eq!(a.poll_at(ms(1000)), Some(ms(3000)));
    assert_eq!(one(&mut a, ms(3000)), syn);
    assert_eq!(a.poll_at(ms(3000)), Some(ms(7000)));
    assert!(drain(&mut a, ms(7000)).is_empty());
    assert_eq!(a.state(), State::Closed);
}

#[test]
fn window_scale_is_negotiated_and_applied() {
    let config = Config {
        window_scaling: true,
        ..plain_config()
    };
    let mut a = socket(200_000, config);
    let mut b = socket(200_000, config);
    b.listen(b_end(), seqs::tcp::SeqNumber(B_ISN)).unwrap();
    a.connect(ms(0), a_end(), b_end(), seqs::tcp::SeqNumber(A_ISN))
        .unwrap();
    let syn = one(&mut a, ms(0));
    assert_eq!((syn.ws, syn.win), (Some(2), 65535));
    feed(&mut b, ms(0), &syn);
    let syn_ack = one(&mut b, ms(0));
    assert_eq!((syn_ack.ws, syn_ack.win), (Some(2), 65535));
    feed(&mut a, ms(0), &syn_ack);
    let ack = one(&mut a, ms(0));
    assert_eq!(ack.win, 50_000, "200000 >> 2");
    feed(&mut b, ms(0), &ack);
    assert_eq!(b.metrics().send_window, 200_000);

    // Without the peer's option, neither side scales.
    let mut c = socket(200_000, plain_config());
    c.listen(b_end(), seqs::tcp::SeqNumber(B_ISN)).unwrap();
    feed(&mut c, ms(0), &syn);
    let reply = one(&mut c, ms(0));
    assert_eq!(reply.ws, None);
    let mut d = socket(200_000, config);
    d.connect(ms(0), a_end(), b_end(), seqs::tcp::SeqNumber(A_ISN))
        .unwrap();
    one(&mut d, ms(0));
    feed(&mut d, ms(0), &reply);
    assert_eq!(one(&mut d, ms(0)).win, 65535, "unscaled, capped");
}

#[test]
fn timestamps_are_echoed_and_paws_drops_old_segments() {
    let config = Config {
        timestamps: true,
        ..cfg(100)
    };
    let mut a = socket(1000, config);
    let mut b = socket(1000, config);
    b.listen(b_end(), seqs::tcp::SeqNumber(B_ISN)).unwrap();
    a.connect(ms(0), a_end(), b_end(), seqs::tcp::SeqNumber(A_ISN))
        .unwrap();
    let syn = one(&mut a, ms(0));
    assert_eq!(syn.ts, Some((A_ISN, 0)), "TSval = clock + ISS");
    feed(&mut b, ms(10), &syn);
    let syn_ack = one(&mut b, ms(10));
    assert_eq!(syn_ack.ts, Some((B_ISS + 10, A_ISN)));
    feed(&mut a, ms(20), &syn_ack);
    let ack = one(&mut a, ms(20));
    assert_eq!(ack.ts, Some((A_ISN + 20, B_ISS + 10)));
    feed(&mut b, ms(30), &ack);
    assert_eq!(b.metrics().srtt, Some(Duration::from_millis(20)));

    b.send_slice(b"new").unwrap();
    let fresh = one(&mut b, ms(50));
    assert_eq!(fresh.ts, Some((B_ISS + 50, A_ISN + 20)));
    feed(&mut a, ms(60), &fresh);
    assert_eq!(a.recv_queue(), 3);
    let mut stale = fresh.clone();
    stale.seq += 3;
    stale.ts = Some((B_ISS + 40, A_ISN + 20));
    let reply = feed(&mut a, ms(61), &stale).expect("ACK for a PAWS drop");
    assert_eq!(reply.ack, Some(B1 + 3));
    assert_eq!(reply.ts, Some((A_ISN + 61, B_ISS + 50)));
    assert_eq!(a.recv_queue(), 3);
    assert_eq!(a.counters().unacceptable, 1);
}

/// Linux grows its receive window while a hole is open, so its duplicate
/// ACKs each advertise more room; their SACK blocks still report new data,
/// which makes them duplicates (RFC 6675 section 2), and the third one
/// triggers fast retransmit rather than waiting for the timeout.
#[test]
fn duplicate_acks_with_new_sack_blocks_count_whatever_their_window() {
    let config = Config {
        sack: true,
        ..cfg(100)
    };
    let (mut a, mut b) = connected(10_000, config, 10_000, config);
    a.send_slice(&[1u8; 800]).unwrap();
    let burst = drain(&mut a, ms(100));
    assert_eq!(burst.len(), 4);
    let mut acks = Vec::new();
    for seg in &burst[1..] {
        feed(&mut b, ms(110), seg);
        acks.push(one(&mut b, ms(110)));
    }
    let mut resent = Vec::new();
    for (i, ack) in acks.iter().enumerate() {
        let mut ack = ack.clone();
        ack.win += 10 * (i as u16 + 1);
        feed(&mut a, ms(120), &ack);
        resent.extend(drain(&mut a, ms(120)).into_iter().filter(|s| s.seq == 101));
    }
    assert_eq!(resent.len(), 1, "the hole is resent at the third duplicate");
    assert_eq!(a.counters().fast_retransmits, 1);
}
