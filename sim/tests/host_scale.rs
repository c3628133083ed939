//! Hundreds and a thousand `seqs` hosts on a tree of switches: each leases
//! an address from one server's DHCP, resolves the server's web name with
//! its DNS and fetches a page over HTTP. Every host's result is checked.
//!
//! Broadcasts (DHCP discovery, gratuitous ARP, the server's ARP requests)
//! reach every host, so events grow with the square of the host count: the
//! thousand-host run takes about 5 million events, which is why the root
//! manifest optimises `seqs` and `seqs-sim` in the test profile.

mod host_support;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use host_support::*;
use seqs::dhcp::AddressRange;
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs_sim::app::{
    AppConfig, AppKind, DhcpServerConfig, DnsServerConfig, HttpGetConfig, HttpRoute,
    HttpServerConfig, RecordData, Target, ZoneRecord,
};
use seqs_sim::host::{network_factory, AddressSource, HostConfig};
use seqs_sim::{
    SharedBuffer, SimDuration, SimTime, Simulation, SwitchConfig, Topology, Trace, TraceFilter,
};

const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const WEB: &str = "www.example.test";
const PAGE: usize = 4096;

fn client_mac(i: usize) -> EthernetAddress {
    let [_, a, b, c] = (i as u32 + 1).to_be_bytes();
    EthernetAddress([2, 1, 0, a, b, c])
}

fn server() -> HostConfig {
    let range = AddressRange::new(Ipv4Addr::new(10, 0, 1, 0), Ipv4Addr::new(10, 0, 7, 255))
        .expect("ordered");
    let mut dhcpd = DhcpServerConfig::new(vec![range]);
    dhcpd.max_leases = 2048;
    dhcpd.dns = vec![SERVER];
    let mut config = HostConfig::new(AddressSource::fixed(
        Ipv4Cidr::new(SERVER, 16).expect("valid"),
    ));
    config.capacities.sockets = 40;
    config.capacities.neighbors = 256;
    config.capacities.udp_packets = 64;
    config.capacities.udp_tx_bytes = 64 * 1024;
    config
        .app(AppConfig::new(
            "dhcpd",
            SimDuration::ZERO,
            AppKind::DhcpServer(dhcpd),
        ))
        .app(AppConfig::new(
            "named",
            SimDuration::ZERO,
            AppKind::DnsServer(DnsServerConfig {
                zone: vec![ZoneRecord {
                    name: WEB.into(),
                    ttl: 300,
                    data: RecordData::A(SERVER),
                }],
            }),
        ))
        .app(AppConfig::new(
            "httpd",
            SimDuration::ZERO,
            AppKind::HttpServer(HttpServerConfig {
                port: 80,
                routes: vec![HttpRoute {
                    path: "/".into(),
                    status: 200,
                    body: vec![b'x'; PAGE],
                }],
            }),
        ))
}

/// Client `i` fetches the page by name, starting at its own time
/// (staggered over 5 s).
fn client(i: usize) -> HostConfig {
    dhcp().app(AppConfig::new(
        "get",
        SimDuration::from_millis(1_000 + (i as u64 * 5) % 5_000),
        AppKind::HttpGet(HttpGetConfig {
            target: Target::Name(WEB.into()),
            method: "GET".into(),
            port: 80,
            path: "/".into(),
            count: 1,
            keep_alive: false,
            expect_status: 200,
        }),
    ))
}

/// `leaves` switches of `per_leaf` clients each under a root switch, with
/// the server on the root.
fn network(leaves: usize, per_leaf: usize) -> (Topology, BTreeMap<String, HostConfig>) {
    let mut t = Topology::builder();
    let mut configs = BTreeMap::new();
    t.switch("root", SwitchConfig::default());
    t.host("srv", mac(1));
    t.link("l-srv", "srv", "root", lan_link());
    configs.insert("srv".to_string(), server());
    for leaf in 0..leaves {
        let sw = format!("sw{leaf}");
        t.switch(&sw, SwitchConfig::default());
        t.link(&format!("up{leaf}"), &sw, "root", lan_link());
        for k in 0..per_leaf {
            let i = leaf * per_leaf + k;
            let name = format!("h{i}");
            t.host(&name, client_mac(i));
            t.link(&format!("l-{name}"), &name, &sw, lan_link());
            configs.insert(name, client(i));
        }
    }
    (t.build().expect("valid"), configs)
}

fn fleet(leaves: usize, per_leaf: usize) {
    let clients = leaves * per_leaf;
    let (topology, configs) = network(leaves, per_leaf);
    let trace = SharedBuffer::new();
    let mut sim = Simulation::new(&topology, 1, network_factory(configs, dhcp()));
    sim.set_trace(Trace::new(
        Box::new(trace.clone()),
        TraceFilter::all().kinds(["app"]),
    ));
    let started = std::time::Instant::now();
    sim.run_until(SimTime::from_secs(30));
    sim.finish().unwrap();
    eprintln!(
        "{} hosts: {} events in {:?} of wall time",
        clients + 1,
        sim.events(),
        started.elapsed()
    );

    let mut addrs = Vec::new();
    let mut failures = Vec::new();
    for i in 0..clients {
        let host = format!("h{i}");
        let n = node(&sim, &host);
        match n["address"].as_str() {
            Some(a) => addrs.push(a.to_string()),
            None => failures.push(format!("{host}: no address")),
        }
        let get = &n["apps"]["get"];
        if get["status"] != "succeeded" || get["metrics"]["bytes"] != PAGE {
            failures.push(format!("{host}: {get}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    addrs.sort();
    addrs.dedup();
    assert_eq!(addrs.len(), clients, "distinct leases");
    let n = clients as i64;
    assert_eq!(metric(&sim, "srv", "dhcpd", "leases"), n);
    assert_eq!(metric(&sim, "srv", "httpd", "requests"), n);
    assert_eq!(metric(&sim, "srv", "httpd", "bytes"), n * PAGE as i64);
    let succeeded = trace
        .text()
        .lines()
        .filter(|l| l.ends_with("succeeded") || l.contains(" succeeded "))
        .count();
    assert_eq!(succeeded, clients);
}

#[test]
fn two_hundred_hosts_lease_resolve_and_fetch() {
    fleet(4, 50);
}

#[test]
fn a_thousand_hosts_lease_resolve_and_fetch() {
    fleet(20, 50);
}
