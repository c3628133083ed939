//! TCP between `seqs` hosts: a bulk sender and a verifying sink over clean,
//! lossy and partitioned links.

mod host_support;

use std::num::NonZeroU64;

use host_support::*;
use seqs_sim::app::{AppKind, Target, TcpBulkConfig, TcpSinkConfig};
use seqs_sim::host::HostConfig;
use seqs_sim::{
    DirectionConfig, Fault, LinkConfig, Loss, Probability, SharedBuffer, SimDuration, SimTime,
    Simulation,
};

const MIB: u64 = 1 << 20;

fn bulk(bytes: u64) -> AppKind {
    AppKind::TcpBulk(TcpBulkConfig {
        target: Target::Addr(ip(1)),
        port: 5001,
        bytes,
    })
}

fn sink() -> AppKind {
    AppKind::TcpSink(TcpSinkConfig { port: 5001 })
}

/// `rx` receives on 192.0.2.1; `tx` sends `bytes` to it. `wan` is the
/// sender's link; the receiver's is a clean LAN cable.
fn transfer(bytes: u64, wan: LinkConfig, sender: HostConfig) -> Net {
    Net::star(
        vec![
            ("rx", fixed(1).app(app("sink", 0, sink()))),
            ("tx", sender.app(app("bulk", 10, bulk(bytes)))),
        ],
        move |host| {
            if host == "tx" {
                wan.clone()
            } else {
                lan_link()
            }
        },
    )
}

fn wan(latency_ms: u64, mbps: u64) -> DirectionConfig {
    DirectionConfig {
        latency: SimDuration::from_millis(latency_ms),
        bandwidth_bps: NonZeroU64::new(mbps * 1_000_000),
        queue_bytes: 64 * 1024,
        ..DirectionConfig::default()
    }
}

/// The transfer fully verified: the sender saw its FIN acknowledged and
/// the sink checked every byte, with the same digest on both ends.
fn assert_verified(sim: &Simulation, bytes: u64, context: &str) {
    assert_eq!(status(sim, "tx", "bulk"), "succeeded", "{context}");
    assert_eq!(
        metric(sim, "tx", "bulk", "bytes"),
        bytes as i64,
        "{context}"
    );
    assert_eq!(status(sim, "rx", "sink"), "running", "{context}");
    assert_eq!(metric(sim, "rx", "sink", "verified"), 1, "{context}");
    assert_eq!(
        metric(sim, "rx", "sink", "bytes"),
        bytes as i64,
        "{context}"
    );
    assert_eq!(metric(sim, "rx", "sink", "aborted"), 0, "{context}");
    assert_eq!(
        metric(sim, "rx", "sink", "checksum"),
        metric(sim, "tx", "bulk", "checksum"),
        "{context}"
    );
}

#[test]
fn a_mebibyte_over_a_lossy_link_arrives_intact() {
    let mut hostile = wan(5, 20);
    hostile.loss = Loss::Bernoulli {
        p: Probability::new(0.02).unwrap(),
    };
    hostile.corrupt = Probability::new(0.005).unwrap();
    hostile.duplicate = Probability::new(0.005).unwrap();
    hostile.reorder = Probability::new(0.01).unwrap();
    for seed in 1..=3 {
        let net = transfer(MIB, LinkConfig::symmetric(hostile.clone()), fixed(2));
        let trace = SharedBuffer::new();
        let mut sim = net.simulation(seed, &trace);
        sim.run_until(SimTime::from_secs(120));
        sim.finish().unwrap();
        let context = format!("seed {seed}");
        assert_verified(&sim, MIB, &context);
        assert!(
            metric(&sim, "tx", "bulk", "retransmissions") > 0,
            "{context}"
        );
        let link = sim.link_counters("l-tx", "tx").unwrap();
        assert!(link.dropped.loss > 0, "{context}: the link did lose frames");
        let rx_drops = &node(&sim, "rx")["stack"]["drops"];
        eprintln!(
            "seed {seed}: {} retransmissions, {} us, receiver drops {rx_drops}",
            metric(&sim, "tx", "bulk", "retransmissions"),
            metric(&sim, "tx", "bulk", "elapsed_us"),
        );
    }
}

#[test]
fn throughput_approaches_the_link_bandwidth_on_a_clean_link() {
    let mut sender = fixed(2);
    sender.capacities.tcp_tx_bytes = 256 * 1024;
    let net = transfer(4 * MIB, LinkConfig::symmetric(wan(2, 10)), sender);
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.run_until(SimTime::from_secs(60));
    sim.finish().unwrap();
    assert_verified(&sim, 4 * MIB, "clean");
    let bps = metric(&sim, "tx", "bulk", "throughput_bps");
    // Each 1514-byte frame carries at most 1448 payload bytes (timestamps
    // take 12 of the 1460-byte MSS): 9.56 Mbit/s of goodput at most.
    let ceiling = 10_000_000 * 1448 / 1514;
    eprintln!(
        "goodput {bps} bit/s = {:.1}% of the {ceiling} bit/s ceiling",
        bps as f64 * 100.0 / ceiling as f64
    );
    assert!(bps <= ceiling, "{bps}");
    assert!(bps * 100 >= ceiling * 90, "{bps} is under 90% of {ceiling}");
}

#[test]
fn transfer_recovers_after_a_partition_heals() {
    let net = transfer(MIB, LinkConfig::symmetric(wan(5, 20)), fixed(2));
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.schedule(SimTime::from_millis(200), Fault::LinkDown("l-tx".into()))
        .unwrap();
    sim.schedule(SimTime::from_secs(3), Fault::LinkUp("l-tx".into()))
        .unwrap();
    sim.run_until(SimTime::from_secs(60));
    sim.finish().unwrap();
    assert_verified(&sim, MIB, "partition");
    assert!(
        metric(&sim, "tx", "bulk", "timeouts") >= 1,
        "RTO fired while down"
    );
    let text = trace.text();
    let states: Vec<&str> = lines(&text, "tx/bulk", "tcp")
        .iter()
        .map(|l| l.split(' ').nth(3).unwrap())
        .collect();
    // The sink closes as soon as it has read the FIN, so its FIN may come
    // with the ACK of ours (FIN-WAIT-1 straight to TIME-WAIT).
    assert_eq!(
        states[..3],
        ["state=SYN-SENT", "state=ESTABLISHED", "state=FIN-WAIT-1"],
        "{states:?}"
    );
    assert!(
        states[3..] == ["state=FIN-WAIT-2"] || states[3..] == ["state=TIME-WAIT"],
        "{states:?}"
    );
    let down = text
        .lines()
        .filter(|l| l.contains("l-tx drop") && l.contains("reason=down"))
        .count();
    assert!(down > 0, "segments were lost to the partition");
}

#[test]
fn sink_accepts_several_senders_one_after_another() {
    let mut hosts = vec![("rx", fixed(1).app(app("sink", 0, sink())))];
    for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
        hosts.push((
            name,
            fixed(2 + i as u8).app(app("bulk", 10 + 50 * i as u64, bulk(100_000))),
        ));
    }
    let net = Net::star(hosts, |_| lan_link());
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.run_until(SimTime::from_secs(10));
    sim.finish().unwrap();
    for name in ["a", "b", "c"] {
        assert_eq!(status(&sim, name, "bulk"), "succeeded");
    }
    assert_eq!(metric(&sim, "rx", "sink", "accepted"), 3);
    assert_eq!(metric(&sim, "rx", "sink", "verified"), 3);
    assert_eq!(metric(&sim, "rx", "sink", "bytes"), 300_000);
}

#[test]
fn connecting_to_a_closed_port_fails_the_sender() {
    let net = Net::star(
        vec![
            ("rx", fixed(1)),
            ("tx", fixed(2).app(app("bulk", 0, bulk(1000)))),
        ],
        |_| lan_link(),
    );
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.run_until(SimTime::from_secs(5));
    sim.finish().unwrap();
    let r = result(&sim, "tx", "bulk");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["reason"], "connection lost before the transfer completed");
    assert_eq!(node(&sim, "rx")["stack"]["drops"]["tcp_no_socket"], 1);
}

#[test]
fn a_receiver_restart_resets_the_transfer() {
    // The restarted receiver has no memory of the connection: the sender's
    // next segment reaches a fresh listener, which answers it with a RST,
    // and the transfer fails, visibly.
    let net = transfer(MIB, LinkConfig::symmetric(wan(5, 20)), fixed(2));
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.schedule(SimTime::from_millis(150), Fault::Crash("rx".into()))
        .unwrap();
    sim.schedule(SimTime::from_secs(1), Fault::Restart("rx".into()))
        .unwrap();
    sim.run_until(SimTime::from_secs(30));
    sim.finish().unwrap();
    let r = result(&sim, "tx", "bulk");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["reason"], "connection lost before the transfer completed");
    assert!(r["metrics"]["bytes"].as_i64().unwrap() < MIB as i64);
    assert_eq!(node(&sim, "rx")["boot"], 1);
    assert_eq!(metric(&sim, "rx", "sink", "accepted"), 0, "a fresh sink");
    let text = trace.text();
    let last = lines(&text, "tx/bulk", "tcp").last().copied().unwrap();
    assert!(last.contains("state=CLOSED"), "{last}");
}

#[test]
fn a_long_fat_pipe_is_filled_thanks_to_window_scaling() {
    // 100 Mbit/s with a 100 ms round trip: 1.25 MB in flight. Without
    // window scaling the window tops out at 64 KiB, 5.2 Mbit/s.
    let mut lfn = wan(50, 100);
    lfn.queue_bytes = 512 * 1024;
    let mut sender = fixed(2);
    sender.capacities.tcp_tx_bytes = 2 << 20;
    let net = Net::star(
        vec![
            ("rx", {
                let mut rx = fixed(1).app(app("sink", 0, sink()));
                rx.capacities.tcp_rx_bytes = 2 << 20;
                rx
            }),
            ("tx", sender.app(app("bulk", 10, bulk(16 * MIB)))),
        ],
        move |host| {
            if host == "tx" {
                LinkConfig::symmetric(lfn.clone())
            } else {
                lan_link()
            }
        },
    );
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.run_until(SimTime::from_secs(60));
    sim.finish().unwrap();
    assert_verified(&sim, 16 * MIB, "lfn");
    let bps = metric(&sim, "tx", "bulk", "throughput_bps");
    let drops = sim.link_counters("l-tx", "tx").unwrap().dropped.queue_full;
    eprintln!(
        "long fat pipe: goodput {bps} bit/s, {drops} queue drops, {} retransmissions",
        metric(&sim, "tx", "bulk", "retransmissions")
    );
    // Four times what an unscaled window allows. (Slow start overshoots the
    // queue by about a thousand segments; how well recovery copes with
    // that is what keeps it from the link rate.)
    assert!(bps > 20_000_000, "{bps}");
}
