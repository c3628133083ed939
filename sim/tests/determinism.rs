//! Same topology + seed ⇒ identical trace, pcap and summary, on any thread;
//! different seeds ⇒ different runs; an unrelated element does not perturb
//! a link's random decisions.

mod common;

use std::num::NonZeroU64;

use common::{echo, mac, simulation, stream};
use seqs_sim::{
    DirectionConfig, Fault, GilbertElliott, Lanes, LinkConfig, Loss, Probability, SharedBuffer,
    SimDuration, SimTime, SwitchConfig, Topology, TopologyBuilder, Trace, TraceFilter,
};

fn impaired() -> LinkConfig {
    LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_micros(200),
        jitter: SimDuration::from_micros(150),
        bandwidth_bps: NonZeroU64::new(20_000_000),
        queue_bytes: 8 * 1024,
        loss: Loss::GilbertElliott(GilbertElliott::from_rate_and_burst(0.03, 3.0).expect("valid")),
        duplicate: Probability::new(0.02).expect("valid"),
        reorder: Probability::new(0.02).expect("valid"),
        corrupt: Probability::new(0.01).expect("valid"),
        ..DirectionConfig::default()
    })
}

fn builder() -> TopologyBuilder {
    let mut t = TopologyBuilder::new();
    for (i, name) in ["h1", "h2", "h3", "h4"].iter().enumerate() {
        t.host(name, mac(i as u16 + 1));
    }
    t.switch("s1", SwitchConfig::default())
        .switch("s2", SwitchConfig::default());
    t.link("l1", "h1", "s1", impaired())
        .link("l2", "h2", "s1", LinkConfig::default())
        .link("l3", "h3", "s1", impaired())
        .link("trunk", "s1", "s2", impaired())
        .link("l4", "h4", "s2", LinkConfig::default());
    t
}

struct Outputs {
    trace: String,
    pcap: Vec<u8>,
    summary: String,
}

fn run_on(topology: &Topology, seed: u64, filter: TraceFilter) -> Outputs {
    let roles = [
        (
            "h1",
            stream(mac(4), 400, SimDuration::from_micros(700), 800),
        ),
        (
            "h2",
            stream(mac(3), 400, SimDuration::from_micros(900), 300),
        ),
        ("h3", echo()),
        ("h4", echo()),
    ];
    let (mut sim, _logs) = simulation(topology, seed, &roles);
    let (trace, pcap) = (SharedBuffer::new(), SharedBuffer::new());
    sim.set_trace(Trace::new(Box::new(trace.clone()), filter));
    sim.capture_to(Box::new(pcap.clone())).expect("in memory");
    let faults = [
        (50, Fault::LinkDown("trunk".into())),
        (60, Fault::LinkUp("trunk".into())),
        (100, Fault::Crash("h3".into())),
        (120, Fault::Restart("h3".into())),
        (
            150,
            Fault::SetLoss {
                link: "l1".into(),
                lanes: Lanes::AToB,
                loss: Loss::Bernoulli {
                    p: Probability::new(0.1).expect("valid"),
                },
            },
        ),
        (200, Fault::Partition(vec!["l1".into(), "l3".into()])),
        (210, Fault::Heal),
    ];
    for (ms, fault) in faults {
        sim.schedule(SimTime::from_millis(ms), fault)
            .expect("valid fault");
    }
    sim.run_until(SimTime::from_secs(1));
    sim.finish().expect("in memory");
    Outputs {
        trace: trace.text(),
        pcap: pcap.contents(),
        summary: sim.summary().to_json(),
    }
}

fn run(seed: u64) -> Outputs {
    run_on(&builder().build().expect("valid"), seed, TraceFilter::all())
}

#[test]
fn same_seed_same_bytes() {
    let (a, b) = (run(7), run(7));
    assert!(
        a.trace.lines().count() > 500,
        "trace too thin:\n{}",
        a.trace
    );
    for kind in [" drop ", " fault ", " rx ", " corrupt ", " boot "] {
        assert!(a.trace.contains(kind), "no{kind}line");
    }
    assert!(a.pcap.len() > 100_000);
    assert_eq!(a.trace, b.trace);
    assert_eq!(a.pcap, b.pcap);
    assert_eq!(a.summary, b.summary);
}

#[test]
fn different_seeds_differ() {
    let traces: Vec<String> = (0..6).map(|seed| run(seed).trace).collect();
    for (i, a) in traces.iter().enumerate() {
        for b in &traces[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn thread_pool_matches_single_thread() {
    const SEEDS: u64 = 12;
    let single: Vec<(String, Vec<u8>)> = (0..SEEDS)
        .map(|s| {
            let o = run(s);
            (o.trace, o.pcap)
        })
        .collect();
    let workers = 4;
    let parallel: Vec<Vec<(u64, String, Vec<u8>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || {
                    (0..SEEDS)
                        .filter(|s| s % workers == w)
                        .map(|s| {
                            let o = run(s);
                            (s, o.trace, o.pcap)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker panicked"))
            .collect()
    });
    let mut seen = 0;
    for (seed, trace, pcap) in parallel.into_iter().flatten() {
        assert_eq!(trace, single[seed as usize].0, "seed {seed}");
        assert_eq!(pcap, single[seed as usize].1, "seed {seed}");
        seen += 1;
    }
    assert_eq!(seen, SEEDS);
}

#[test]
fn unrelated_element_does_not_perturb_a_link() {
    let only_l1 = || TraceFilter::all().elements(["l1"]);
    let base = run_on(&builder().build().expect("valid"), 3, only_l1());
    let mut bigger = builder();
    bigger
        .host("extra", mac(99))
        .switch("s3", SwitchConfig::default())
        .link("lx", "extra", "s3", impaired())
        .link("trunk2", "s2", "s3", LinkConfig::default());
    let grown = run_on(&bigger.build().expect("valid"), 3, only_l1());
    assert!(base.trace.contains(" drop "));
    assert_eq!(base.trace, grown.trace);
}
