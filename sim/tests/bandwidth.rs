//! Serialization at the link's bandwidth, drop-tail queue overflow, MTU
//! drops, and no frame-buffer growth in steady state.

mod common;

use std::num::NonZeroU64;

use common::{mac, simulation, stream, Log};
use seqs_sim::{
    DirectionConfig, LinkConfig, LinkCounters, SimDuration, SimTime, Simulation, TopologyBuilder,
};

const FRAME: usize = 1000;

fn run(
    dir: DirectionConfig,
    count: u32,
    interval: SimDuration,
    len: usize,
) -> (Simulation, Log, LinkCounters) {
    let mut t = TopologyBuilder::new();
    t.host("h1", mac(1))
        .host("h2", mac(2))
        .link("wire", "h1", "h2", LinkConfig::symmetric(dir));
    let (mut sim, logs) = simulation(
        &t.build().expect("valid"),
        1,
        &[("h1", stream(mac(2), count, interval, len))],
    );
    assert!(sim.run_until_idle(SimTime::from_secs(60)));
    let counters = sim.link_counters("wire", "h1").expect("link exists");
    let log = std::mem::take(&mut *logs["h2"].borrow_mut());
    (sim, log, counters)
}

fn ten_mbps(queue_bytes: usize) -> DirectionConfig {
    DirectionConfig {
        bandwidth_bps: NonZeroU64::new(10_000_000),
        queue_bytes,
        latency: SimDuration::from_micros(50),
        ..DirectionConfig::default()
    }
}

#[test]
fn overloaded_link_runs_at_bandwidth_and_drops_tail() {
    // Offer 80 Mbit/s (a 1000-byte frame every 100 µs) for one second.
    let (_, log, c) = run(
        ten_mbps(10 * FRAME),
        10_000,
        SimDuration::from_micros(100),
        FRAME,
    );
    let per_frame = SimDuration::from_micros(800); // 1000 B × 8 / 10 Mbit/s
    let gaps: Vec<_> = log.received.windows(2).map(|w| w[1].2 - w[0].2).collect();
    assert!(
        gaps.iter().all(|&g| g == per_frame),
        "back-to-back frames leave every 800 µs"
    );
    let first_second = log
        .received
        .iter()
        .filter(|r| r.2 <= SimTime::from_secs(1))
        .count();
    assert!(
        (1249..=1251).contains(&first_second),
        "{first_second} frames in the first second"
    );
    // Admitted = served while offering + the queue (10) + the one in service.
    assert!(
        (1260..=1263).contains(&log.received.len()),
        "{} delivered",
        log.received.len()
    );
    assert_eq!(c.dropped.queue_full + c.delivered_frames, 10_000);
    assert_eq!(c.dropped.total(), c.dropped.queue_full);
}

#[test]
fn link_under_capacity_does_not_queue() {
    let (_, log, c) = run(ten_mbps(0), 1_000, SimDuration::from_micros(800), FRAME);
    assert_eq!(c.dropped.total(), 0);
    assert_eq!(log.received.len(), 1_000);
    // Serialization (800 µs) plus latency (50 µs), for every frame.
    for (i, r) in log.received.iter().enumerate() {
        assert_eq!(r.2, SimTime::from_micros(800 * i as u64 + 850));
    }
}

#[test]
fn oversized_frames_are_dropped_and_counted() {
    let mtu = DirectionConfig {
        mtu: 1000,
        ..DirectionConfig::default()
    };
    let (_, log, c) = run(mtu.clone(), 100, SimDuration::from_micros(10), 1014);
    assert_eq!((log.received.len(), c.dropped.mtu), (100, 0));
    let (_, log, c) = run(mtu, 100, SimDuration::from_micros(10), 1015);
    assert_eq!((log.received.len(), c.dropped.mtu), (0, 100));
    assert_eq!(c.offered_frames, 100);
}

#[test]
fn steady_state_allocates_no_frame_buffers() {
    let mut t = TopologyBuilder::new();
    t.host("h1", mac(1)).host("h2", mac(2)).link(
        "wire",
        "h1",
        "h2",
        LinkConfig::symmetric(ten_mbps(20 * FRAME)),
    );
    let role = stream(mac(2), u32::MAX, SimDuration::from_micros(400), FRAME);
    let (mut sim, _) = simulation(&t.build().expect("valid"), 1, &[("h1", role)]);
    sim.run_until(SimTime::from_secs(1));
    let warm = sim.frame_buffers();
    sim.run_until(SimTime::from_secs(10));
    assert_eq!(sim.frame_buffers(), warm);
    assert!(warm < 50, "{warm} buffers");
}
