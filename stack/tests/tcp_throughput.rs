//! Bulk transfer between two sockets over a clean in-memory wire with a
//! fixed latency: the transfer must run at close to window/RTT, which
//! catches stalls (Nagle against delayed ACK, window updates not sent,
//! congestion window not growing) that correctness tests would not notice.

mod tcp_harness;

use seqs::tcp::{Config, SeqNumber};
use seqs::time::{Duration, Instant};
use std::collections::VecDeque;
use tcp_harness::*;

const LATENCY: Duration = Duration::from_millis(1);

/// Moves `total` bytes from A to B; returns the virtual time it took.
fn transfer(total: usize, buffer: usize, config: Config) -> Duration {
    let mut a = socket(buffer, config);
    let mut b = socket(buffer, config);
    b.listen(b_end(), SeqNumber(1)).unwrap();
    a.connect(Instant::ZERO, a_end(), b_end(), SeqNumber(2))
        .unwrap();
    let data: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
    let (mut sent, mut got) = (0, Vec::with_capacity(total));
    let mut wire: VecDeque<(Instant, Seg)> = VecDeque::new();
    let mut now = Instant::ZERO;
    while got.len() < total {
        assert!(
            now < Instant::from_secs(60),
            "stalled at {} bytes",
            got.len()
        );
        sent += a.send_slice(&data[sent..]).unwrap_or(0);
        let mut buf = [0u8; 65536];
        let n = b.recv_slice(&mut buf).unwrap_or(0);
        got.extend_from_slice(&buf[..n]);
        for sock in [&mut a, &mut b] {
            for seg in drain(sock, now) {
                wire.push_back((now + LATENCY, seg));
            }
        }
        while wire.front().is_some_and(|(at, _)| *at <= now) {
            let (_, seg) = wire.pop_front().unwrap();
            let sock = if seg.dst == A_IP { &mut a } else { &mut b };
            if let Some(reply) = feed(sock, now, &seg) {
                wire.push_back((now + LATENCY, reply));
            }
            // As a stack does: transmit after each received frame.
            for out in drain(sock, now) {
                wire.push_back((now + LATENCY, out));
            }
        }
        let next = [a.poll_at(now), b.poll_at(now), wire.front().map(|w| w.0)]
            .into_iter()
            .flatten()
            .min();
        // Sockets that are ready now (after the deliveries above) run in the
        // next round at the same instant; `tcp_driver` proves that
        // `poll_at` never stays at `now` once `dispatch` ran dry.
        now = next.map_or(now + Duration::from_millis(1), |t| t.max(now));
    }
    assert!(got == data);
    now - Instant::ZERO
}

fn mbytes_per_sec(total: usize, took: Duration) -> u64 {
    total as u64 / took.total_micros().max(1)
}

#[test]
fn bulk_transfer_fills_the_window() {
    // 64 KiB window over a 2 ms round trip allows 32 MB/s; the receiving
    // application here reads once per event, which costs some of it
    // (deterministic: about 16 to 20 MB/s today).
    for config in [
        Config::default(),
        Config {
            timestamps: false,
            sack: false,
            ..Config::default()
        },
        Config {
            ack_delay: None,
            nagle: false,
            ..Config::default()
        },
    ] {
        let took = transfer(4 << 20, 64 << 10, config);
        let rate = mbytes_per_sec(4 << 20, took);
        assert!(rate >= 12, "{rate} MB/s in {took} with {config:?}");
    }
}

#[test]
fn small_buffers_still_stream() {
    // 4 KiB window over 2 ms: 2 MB/s at best.
    let took = transfer(1 << 20, 4 << 10, Config::default());
    let rate_kb = (1u64 << 20) * 1000 / took.total_micros().max(1);
    assert!(rate_kb >= 1000, "{rate_kb} KB/s in {took}");
}
