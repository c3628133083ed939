//! Runs of `seqs` hosts are reproducible: the same network and seed give
//! the same trace, pcap and summary, on any thread; another seed gives
//! another run.

mod host_support;

use host_support::*;
use seqs_sim::app::{
    AppKind, DnsServerConfig, PingConfig, RecordData, Target, TcpBulkConfig, TcpSinkConfig,
    ZoneRecord,
};
use seqs_sim::{
    DirectionConfig, Fault, LinkConfig, Loss, Probability, SharedBuffer, SimDuration, SimTime,
};

/// DHCP, DNS, ping by name and a TCP transfer over a lossy, jittery link,
/// with a client restart in the middle.
fn busy_net() -> Net {
    let zone = AppKind::DnsServer(DnsServerConfig {
        zone: vec![ZoneRecord {
            name: "sink.example.test".into(),
            ttl: 60,
            data: RecordData::A(ip(1)),
        }],
    });
    let server = fixed(1)
        .app(app("dhcpd", 0, dhcp_server(SimDuration::from_secs(30))))
        .app(app("named", 0, zone))
        .app(app("sink", 0, AppKind::TcpSink(TcpSinkConfig { port: 9 })));
    let client = |n: u64| {
        dhcp()
            .app(app(
                "ping",
                100 * n,
                AppKind::Ping(PingConfig {
                    target: Target::Name("sink.example.test".into()),
                    count: 4,
                    interval: SimDuration::from_millis(250),
                    size: 100,
                }),
            ))
            .app(app(
                "bulk",
                200 * n,
                AppKind::TcpBulk(TcpBulkConfig {
                    target: Target::Name("sink.example.test".into()),
                    port: 9,
                    bytes: 200_000,
                }),
            ))
    };
    let noisy = LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_millis(3),
        jitter: SimDuration::from_millis(1),
        loss: Loss::Bernoulli {
            p: Probability::new(0.03).unwrap(),
        },
        reorder: Probability::new(0.02).unwrap(),
        ..DirectionConfig::default()
    });
    Net::star(
        vec![("srv", server), ("c1", client(1)), ("c2", client(2))],
        move |host| {
            if host == "srv" {
                lan_link()
            } else {
                noisy.clone()
            }
        },
    )
}

struct Outputs {
    trace: String,
    pcap: Vec<u8>,
    summary: String,
}

fn run(seed: u64) -> Outputs {
    let net = busy_net();
    let trace = SharedBuffer::new();
    let pcap = SharedBuffer::new();
    let mut sim = net.simulation(seed, &trace);
    sim.capture_to(Box::new(pcap.clone())).unwrap();
    sim.schedule(SimTime::from_secs(20), Fault::Restart("c2".into()))
        .unwrap();
    sim.run_until(SimTime::from_secs(60));
    sim.finish().unwrap();
    Outputs {
        trace: trace.text(),
        pcap: pcap.contents(),
        summary: sim.summary().to_json(),
    }
}

#[test]
fn same_seed_same_trace_pcap_and_summary_on_any_thread() {
    let here = run(5);
    let there = std::thread::spawn(|| run(5)).join().unwrap();
    assert!(here.trace.lines().count() > 50, "a busy run");
    assert_eq!(here.trace, there.trace);
    assert_eq!(here.summary, there.summary);
    assert!(here.pcap == there.pcap, "pcap bytes differ");
    // The run did what it was meant to.
    let summary: serde_json::Value = serde_json::from_str(&here.summary).unwrap();
    for host in ["c1", "c2"] {
        let apps = &summary["hosts"][host]["node"]["apps"];
        assert_eq!(apps["ping"]["status"], "succeeded", "{host}");
        assert_eq!(apps["bulk"]["status"], "succeeded", "{host}");
    }
    assert_eq!(summary["hosts"]["c2"]["node"]["boot"], 1);
    assert!(here.trace.contains("c2 fault restart boot=1"));
    assert!(here.trace.contains("c1/bulk app succeeded"));
    assert!(here.trace.contains("srv/sink stream verified bytes=200000"));
}

#[test]
fn another_seed_another_run() {
    let a = run(5);
    let b = run(6);
    assert_ne!(a.trace, b.trace);
    assert!(a.pcap != b.pcap);
}
