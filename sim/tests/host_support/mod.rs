//! Networks of `seqs` hosts for the host tests: a star of hosts around one
//! switch, each host with its own link, traced into memory.
#![allow(dead_code)] // each test file uses a different part

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::num::NonZeroU64;

use seqs::dhcp::AddressRange;
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs_sim::app::{AppConfig, AppKind, DhcpServerConfig};
use seqs_sim::host::{network_factory, AddressSource, HostConfig};
use seqs_sim::{
    DirectionConfig, LinkConfig, SharedBuffer, SimDuration, Simulation, SwitchConfig, Topology,
    Trace, TraceFilter,
};
use serde_json::Value;

pub fn mac(n: u8) -> EthernetAddress {
    EthernetAddress([2, 0, 0, 0, 0, n])
}

pub fn ip(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, n)
}

pub fn cidr(n: u8) -> Ipv4Cidr {
    Ipv4Cidr::new(ip(n), 24).expect("valid prefix")
}

/// 192.0.2.n/24 with 192.0.2.1 as gateway, resolver and NTP server.
pub fn fixed(n: u8) -> HostConfig {
    HostConfig::new(AddressSource::Static {
        cidr: cidr(n),
        gateway: Some(ip(1)),
        dns: vec![ip(1)],
        ntp: vec![ip(1)],
    })
}

pub fn dhcp() -> HostConfig {
    HostConfig::new(AddressSource::Dhcp)
}

pub fn app(name: &str, start_ms: u64, kind: AppKind) -> AppConfig {
    AppConfig::new(name, SimDuration::from_millis(start_ms), kind)
}

/// A DHCP server app handing out 192.0.2.100-150, pointing clients at
/// 192.0.2.1 for everything.
pub fn dhcp_server(lease: SimDuration) -> AppKind {
    let range = AddressRange::new(ip(100), ip(150)).expect("ordered");
    let mut config = DhcpServerConfig::new(vec![range]);
    config.lease = lease;
    config.router = Some(ip(1));
    config.dns = vec![ip(1)];
    config.ntp = vec![ip(1)];
    config.domain.replace("example.test".into());
    AppKind::DhcpServer(config)
}

/// A LAN cable: 100 µs each way, 100 Mbit/s.
pub fn lan_link() -> LinkConfig {
    LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_micros(100),
        bandwidth_bps: NonZeroU64::new(100_000_000),
        ..DirectionConfig::default()
    })
}

/// Host `name` is linked to the switch by link `l-<name>`.
pub fn link_name(host: &str) -> String {
    format!("l-{host}")
}

/// A star: every host (MAC 02:..:i for the i-th, from 1) on its own link
/// (with the config `links` gives it) to switch `sw`.
pub struct Net {
    pub topology: Topology,
    pub configs: BTreeMap<String, HostConfig>,
}

impl Net {
    pub fn star(hosts: Vec<(&str, HostConfig)>, links: impl Fn(&str) -> LinkConfig) -> Net {
        let mut t = Topology::builder();
        t.switch("sw", SwitchConfig::default());
        for (i, (name, _)) in hosts.iter().enumerate() {
            t.host(name, mac(i as u8 + 1));
            t.link(&link_name(name), name, "sw", links(name));
        }
        Net {
            topology: t.build().expect("valid topology"),
            configs: hosts.into_iter().map(|(n, c)| (n.to_string(), c)).collect(),
        }
    }

    /// A simulation of the net, tracing everything into `trace`.
    pub fn simulation(&self, seed: u64, trace: &SharedBuffer) -> Simulation {
        let factory = network_factory(self.configs.clone(), dhcp());
        let mut sim = Simulation::new(&self.topology, seed, factory);
        sim.set_trace(Trace::new(Box::new(trace.clone()), TraceFilter::all()));
        sim
    }
}

/// The node summary of `host`.
pub fn node(sim: &Simulation, host: &str) -> Value {
    sim.host_summary(host).expect("known host").node
}

/// The result of `app` on `host`.
pub fn result(sim: &Simulation, host: &str, app: &str) -> Value {
    node(sim, host)["apps"][app].clone()
}

pub fn metric(sim: &Simulation, host: &str, app: &str, name: &str) -> i64 {
    result(sim, host, app)["metrics"][name]
        .as_i64()
        .unwrap_or_else(|| panic!("{host}/{app} has no metric {name}"))
}

pub fn status(sim: &Simulation, host: &str, app: &str) -> String {
    result(sim, host, app)["status"]
        .as_str()
        .unwrap_or("missing")
        .to_string()
}

/// The interface address of `host` in its summary.
pub fn address(sim: &Simulation, host: &str) -> Option<String> {
    node(sim, host)["address"].as_str().map(str::to_string)
}

/// Lines of `trace` about `element` (a host, or `host/app`) of `kind`.
pub fn lines<'t>(trace: &'t str, element: &str, kind: &str) -> Vec<&'t str> {
    trace
        .lines()
        .filter(|l| {
            let mut words = l.split(' ').skip(1);
            words.next() == Some(element) && words.next() == Some(kind)
        })
        .collect()
}
