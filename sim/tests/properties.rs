//! Properties over random configurations, traffic and faults: nothing
//! panics, every frame is accounted for, runs are reproducible.

use std::num::NonZeroU64;

use proptest::prelude::*;
use rand::{Rng, RngCore};
use seqs::wire::EthernetAddress;
use seqs_sim::rng::SimRng;
use seqs_sim::{
    DirectionConfig, Fault, GilbertElliott, LinkConfig, Loss, Node, NodeCtx, Probability,
    SharedBuffer, SimDuration, SimTime, Simulation, SwitchConfig, TopologyBuilder, Trace,
    TraceFilter,
};

/// Sends `left` frames of random bytes and lengths (runts included) at
/// random intervals; MAC headers are random too, half the time addressed to
/// a known host.
struct Noise {
    rng: SimRng,
    left: u32,
    next: SimTime,
}

impl Node for Noise {
    fn receive(&mut self, _: &mut NodeCtx<'_>, _: &[u8]) {}

    fn transmit(&mut self, cx: &mut NodeCtx<'_>, buf: &mut [u8]) -> Option<usize> {
        if self.left == 0 || cx.now() < self.next {
            return None;
        }
        self.left -= 1;
        self.next = cx.now() + SimDuration::from_micros(self.rng.random_range(0..2_000));
        let len = self.rng.random_range(1..1_600);
        self.rng.fill_bytes(&mut buf[..len]);
        if self.rng.random_bool(0.5) && len >= 6 {
            buf[..6].copy_from_slice(&[2, 0, 0, 0, 0, self.rng.random_range(1..=4)]);
        }
        Some(len)
    }

    fn poll_at(&self) -> Option<SimTime> {
        (self.left > 0).then_some(self.next)
    }
}

fn probability() -> impl Strategy<Value = Probability> {
    (0.0..=1.0f64).prop_map(|p| Probability::new(p).expect("in range"))
}

fn loss() -> impl Strategy<Value = Loss> {
    prop_oneof![
        Just(Loss::None),
        probability().prop_map(|p| Loss::Bernoulli { p }),
        (0.0..0.5f64, 1.0..10.0f64).prop_map(|(r, b)| GilbertElliott::from_rate_and_burst(r, b)
            .map_or(Loss::None, Loss::GilbertElliott)),
    ]
}

fn direction() -> impl Strategy<Value = DirectionConfig> {
    (
        (
            0u64..5_000,
            0u64..5_000,
            proptest::option::of(1_000_000u64..1_000_000_000),
            0usize..20_000,
        ),
        (
            loss(),
            probability(),
            probability(),
            probability(),
            0usize..2_000,
        ),
    )
        .prop_map(
            |((latency, jitter, bps, queue_bytes), (loss, duplicate, reorder, corrupt, mtu))| {
                DirectionConfig {
                    latency: SimDuration::from_micros(latency),
                    jitter: SimDuration::from_micros(jitter),
                    bandwidth_bps: bps.and_then(NonZeroU64::new),
                    queue_bytes,
                    loss,
                    duplicate,
                    reorder,
                    reorder_delay: SimDuration::from_micros(300),
                    corrupt,
                    mtu,
                }
            },
        )
}

/// Four noisy hosts on a switch with random links and random link/host
/// faults; returns the trace, the summary JSON and the finished simulation.
fn run(
    seed: u64,
    links: &[DirectionConfig],
    faults: &[(u64, usize, u8)],
) -> (String, String, Simulation) {
    let mut t = TopologyBuilder::new();
    t.switch(
        "s",
        SwitchConfig {
            table_size: 2,
            ageing: SimDuration::from_millis(3),
        },
    );
    for (i, dir) in links.iter().enumerate() {
        let host = format!("h{}", i + 1);
        t.host(&host, EthernetAddress([2, 0, 0, 0, 0, i as u8 + 1]));
        t.link(
            &format!("l{}", i + 1),
            &host,
            "s",
            LinkConfig::symmetric(dir.clone()),
        );
    }
    let mut sim = Simulation::new(&t.build().expect("valid"), seed, |spawn| {
        Box::new(Noise {
            rng: spawn.rng(),
            left: 200,
            next: spawn.now,
        })
    });
    for &(ms, target, kind) in faults {
        let (link, host) = (format!("l{}", target + 1), format!("h{}", target + 1));
        let fault = match kind {
            0 => Fault::LinkDown(link),
            1 => Fault::LinkUp(link),
            2 => Fault::Crash(host),
            3 => Fault::Restart(host),
            _ => Fault::Heal,
        };
        sim.schedule(SimTime::from_micros(ms * 100), fault)
            .expect("valid fault");
    }
    let trace = SharedBuffer::new();
    sim.set_trace(Trace::new(Box::new(trace.clone()), TraceFilter::all()));
    assert!(sim.run_until_idle(SimTime::from_secs(3600)));
    sim.finish().expect("in memory");
    (trace.text(), sim.summary().to_json(), sim)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_frame_is_accounted_for_and_runs_repeat(
        seed in any::<u64>(),
        links in proptest::collection::vec(direction(), 4),
        faults in proptest::collection::vec((0u64..4_000, 0usize..4, 0u8..5), 0..8),
    ) {
        let (trace, summary, sim) = run(seed, &links, &faults);
        for (name, link) in &sim.summary().links {
            for lane in [link.a_to_b, link.b_to_a] {
                prop_assert_eq!(
                    lane.delivered_frames + lane.dropped.total(),
                    lane.offered_frames + lane.duplicated,
                    "link {}", name
                );
            }
        }
        let (trace2, summary2, _) = run(seed, &links, &faults);
        prop_assert_eq!(trace, trace2);
        prop_assert_eq!(summary, summary2);
    }
}

#[test]
fn noise_node_is_exercised() {
    let dir = DirectionConfig::default();
    let (_, _, sim) = run(1, &[dir.clone(), dir.clone(), dir.clone(), dir], &[]);
    let summary = sim.summary();
    assert_eq!(summary.hosts["h1"].counters.tx_frames, 200);
    assert!(
        summary.switches["s"].runts > 0,
        "short frames reach the switch"
    );
    assert!(summary.links["l1"].a_to_b.dropped.mtu > 0);
}
