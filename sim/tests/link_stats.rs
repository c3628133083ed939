//! Measured impairment rates over many frames match the configuration.

mod common;

use std::collections::BTreeSet;

use common::{mac, simulation, stream, Log};
use seqs_sim::{
    DirectionConfig, GilbertElliott, LinkConfig, LinkCounters, Loss, Probability, SimDuration,
    SimTime, TopologyBuilder,
};

const INTERVAL: SimDuration = SimDuration::from_micros(10);

/// Sends `n` frames h1 → h2 over one link configured `dir` (both ways).
fn measure(dir: DirectionConfig, n: u32, seed: u64) -> (Log, LinkCounters) {
    let mut t = TopologyBuilder::new();
    t.host("h1", mac(1))
        .host("h2", mac(2))
        .link("wire", "h1", "h2", LinkConfig::symmetric(dir));
    let topology = t.build().expect("valid");
    let (mut sim, logs) = simulation(&topology, seed, &[("h1", stream(mac(2), n, INTERVAL, 100))]);
    assert!(sim.run_until_idle(SimTime::from_secs(100)));
    let counters = sim.link_counters("wire", "h1").expect("link exists");
    let log = std::mem::take(&mut *logs["h2"].borrow_mut());
    (log, counters)
}

fn p(x: f64) -> Probability {
    Probability::new(x).expect("valid probability")
}

fn assert_near(measured: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (measured - expected).abs() <= tolerance,
        "{what}: measured {measured:.5}, expected {expected} ± {tolerance}"
    );
}

fn unique(log: &Log) -> usize {
    log.seqs().into_iter().collect::<BTreeSet<_>>().len()
}

#[test]
fn bernoulli_loss_rate() {
    let n = 40_000;
    let (log, c) = measure(
        DirectionConfig {
            loss: Loss::Bernoulli { p: p(0.05) },
            ..Default::default()
        },
        n,
        1,
    );
    let lost = f64::from(n) - unique(&log) as f64;
    assert_near(lost / f64::from(n), 0.05, 0.006, "loss rate");
    assert_eq!(c.dropped.loss as f64, lost);
    assert_eq!(c.delivered_frames + c.dropped.total(), c.offered_frames);
}

#[test]
fn duplication_rate() {
    let n = 40_000;
    let (log, c) = measure(
        DirectionConfig {
            duplicate: p(0.03),
            ..Default::default()
        },
        n,
        2,
    );
    let extra = log.received.len() - unique(&log);
    assert_eq!(unique(&log), n as usize);
    assert_eq!(extra as u64, c.duplicated);
    assert_near(extra as f64 / f64::from(n), 0.03, 0.005, "duplication rate");
}

#[test]
fn reorder_rate() {
    let n = 40_000;
    let dir = DirectionConfig {
        reorder: p(0.04),
        reorder_delay: SimDuration::from_micros(55),
        latency: SimDuration::from_micros(100),
        jitter: SimDuration::from_micros(30),
        ..Default::default()
    };
    let (log, c) = measure(dir, n, 3);
    // A frame arriving after a higher sequence number was overtaken.
    let mut highest = None;
    let late = log
        .seqs()
        .into_iter()
        .filter(|&s| {
            let overtaken = highest.is_some_and(|h| s < h);
            highest = highest.max(Some(s));
            overtaken
        })
        .count();
    assert_eq!(unique(&log), n as usize);
    assert_eq!(late as u64, c.reordered);
    assert_near(late as f64 / f64::from(n), 0.04, 0.005, "reorder rate");
}

#[test]
fn corruption_rate_and_every_corruption_detected() {
    let n = 40_000;
    let (log, c) = measure(
        DirectionConfig {
            corrupt: p(0.02),
            ..Default::default()
        },
        n,
        4,
    );
    assert_eq!(
        log.corrupted, c.corrupted,
        "the checksum must catch every flipped bit"
    );
    assert_eq!(log.received.len() as u64 + log.corrupted, u64::from(n));
    assert_near(
        log.corrupted as f64 / f64::from(n),
        0.02,
        0.004,
        "corruption rate",
    );
}

#[test]
fn gilbert_elliott_rate_and_burst_length() {
    let n = 100_000;
    let ge = GilbertElliott::from_rate_and_burst(0.05, 4.0).expect("valid");
    let (log, _) = measure(
        DirectionConfig {
            loss: Loss::GilbertElliott(ge),
            ..Default::default()
        },
        n,
        5,
    );
    let got: BTreeSet<u32> = log.seqs().into_iter().collect();
    let mut bursts = Vec::new();
    let mut run = 0u32;
    for seq in 0..n {
        if got.contains(&seq) {
            if run > 0 {
                bursts.push(run);
            }
            run = 0;
        } else {
            run += 1;
        }
    }
    let lost: u32 = bursts.iter().sum::<u32>() + run;
    let mean_burst = f64::from(lost) / bursts.len() as f64;
    assert_near(
        f64::from(lost) / f64::from(n),
        0.05,
        0.01,
        "bursty loss rate",
    );
    assert_near(mean_burst, 4.0, 0.4, "mean burst length");
}

#[test]
fn clean_link_delivers_everything_in_order() {
    let n = 5_000;
    let (log, c) = measure(
        DirectionConfig {
            latency: SimDuration::from_millis(3),
            ..Default::default()
        },
        n,
        6,
    );
    assert_eq!(log.seqs(), (0..n).collect::<Vec<_>>());
    assert_eq!(log.received[0].2, SimTime::from_millis(3));
    assert_eq!(c.delivered_frames, u64::from(n));
}
