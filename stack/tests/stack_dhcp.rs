//! DHCP client and server of our own, on stacks over an in-memory link.

mod support;

use std::net::Ipv4Addr;

use seqs::dhcp::{self, AddressRange, ClientConfig, LeaseEntry, ServerConfig};
use seqs::socket::{DhcpClient, DhcpServer, Handle};
use seqs::time::{Duration, Instant};
use seqs::wire::dhcp::AddressList;
use seqs::wire::Ipv4Cidr;
use support::*;

fn range() -> AddressRange {
    AddressRange::new(Ipv4Addr::new(192, 0, 2, 100), Ipv4Addr::new(192, 0, 2, 150)).unwrap()
}

fn server_config(lease: Duration) -> ServerConfig<'static> {
    let ranges: &'static [AddressRange] = Box::leak(Box::new([range()]));
    let mut config = ServerConfig::new(Ipv4Cidr::new(ip(1), 24).unwrap(), ranges);
    config.router = Some(ip(1));
    config.dns_servers = AddressList::from_slice(&[ip(53)]);
    config.ntp_servers = AddressList::from_slice(&[ip(123)]);
    config.lease_duration = lease;
    config
}

fn add_server(s: &mut TestStack, lease: Duration) -> Handle<DhcpServer> {
    let server = dhcp::Server::new(server_config(lease), vec![None::<LeaseEntry>; 64]).unwrap();
    s.add_dhcp_server(server, udp_socket(8, 8192)).unwrap()
}

fn add_client(s: &mut TestStack) -> Handle<DhcpClient> {
    let client = dhcp::Client::new(ClientConfig::new(s.mac()));
    s.add_dhcp_client(client, udp_socket(4, 4096)).unwrap()
}

/// Node 0 serves; nodes 1..=n are unconfigured clients.
fn network(clients: u8, lease: Duration, loss: f64, seed: u64) -> (Link, Vec<Handle<DhcpClient>>) {
    let mut nodes = vec![stack(1, true)];
    nodes.extend((0..clients).map(|i| stack(10 + i, false)));
    let mut link = Link::lossy(nodes, loss, seed);
    add_server(&mut link.nodes[0], lease);
    let handles = (1..=usize::from(clients))
        .map(|i| add_client(&mut link.nodes[i]))
        .collect();
    (link, handles)
}

#[test]
fn client_gets_a_lease_and_configures_its_stack() {
    let (mut link, clients) = network(1, Duration::from_secs(3600), 0.0, 1);
    link.run_until(Instant::from_secs(5));
    let node = &mut link.nodes[1];
    let cidr = node.ipv4_address().expect("bound");
    assert!(range().contains(cidr.address()), "{cidr}");
    assert_eq!(cidr.prefix_len(), 24);
    let config = *node.ipv4_config();
    assert_eq!(config.gateway, Some(ip(1)));
    assert_eq!(config.dns_servers.as_slice(), [ip(53)]);
    assert_eq!(config.ntp_servers.as_slice(), [ip(123)]);
    assert_eq!(
        node.dhcp_client(clients[0])
            .unwrap()
            .engine()
            .client()
            .state(),
        dhcp::client::State::Bound
    );
}

#[test]
fn clients_get_distinct_leases_and_renew() {
    let lease = Duration::from_secs(120);
    let (mut link, _) = network(6, lease, 0.0, 2);
    link.run_until(Instant::from_secs(10));
    let mut addrs: Vec<_> = (1..=6)
        .map(|i| link.nodes[i].ipv4_address().expect("bound").address())
        .collect();
    addrs.sort();
    addrs.dedup();
    assert_eq!(addrs.len(), 6, "every client has its own address");
    // Past T1 (60 s) and the original expiry: renewed, still bound.
    link.run_until(Instant::from_secs(200));
    for i in 1..=6 {
        assert!(
            link.nodes[i].ipv4_address().is_some(),
            "client {i} kept its lease"
        );
    }
}

#[test]
fn release_frees_the_address_and_deconfigures() {
    let (mut link, clients) = network(1, Duration::from_secs(3600), 0.0, 3);
    link.run_until(Instant::from_secs(5));
    let addr = link.nodes[1].ipv4_address().unwrap().address();
    link.nodes[1]
        .dhcp_client(clients[0])
        .unwrap()
        .engine_mut()
        .client_mut()
        .release();
    link.run_for(Duration::from_secs(1));
    assert_eq!(link.nodes[1].ipv4_address(), None);
    assert_eq!(link.nodes[1].ipv4_config().gateway, None);
    let server = link.nodes[0].sockets().iter().find_map(|s| match s {
        seqs::socket::Socket::DhcpServer(srv) => Some(srv),
        _ => None,
    });
    let now = link.now;
    let live = server
        .unwrap()
        .engine()
        .leases()
        .any(|l| l.address == addr && l.is_live(now));
    assert!(!live, "the server no longer holds {addr}");
}

/// With loss a renewal can fail four times in a row and the lease lapse;
/// the client must then start over and get one again. So the property is
/// about time: bound nearly always, and never two clients on one address.
#[test]
fn leases_survive_a_lossy_link_for_many_seeds() {
    let mut total = 0.0;
    for seed in 0..40 {
        let (mut link, _) = network(3, Duration::from_secs(300), 0.15, seed);
        let mut bound_samples = 0;
        let mut samples = 0;
        for t in (60..=900).step_by(5) {
            link.run_until(Instant::from_secs(t));
            let mut addrs: Vec<_> = (1..=3)
                .filter_map(|i| link.nodes[i].ipv4_address())
                .collect();
            bound_samples += addrs.len();
            samples += 3;
            let n = addrs.len();
            addrs.sort_by_key(|c| c.address());
            addrs.dedup();
            assert_eq!(
                addrs.len(),
                n,
                "seed {seed} t={t}: two clients share an address"
            );
        }
        let share = bound_samples as f64 / samples as f64;
        assert!(
            share > 0.9,
            "seed {seed}: bound only {:.1}% of the time",
            share * 100.0
        );
        total += share;
    }
    assert!(
        total / 40.0 > 0.99,
        "bound {:.2}% of the time on average",
        total / 40.0 * 100.0
    );
}

#[test]
fn address_conflict_makes_the_client_decline() {
    let (mut link, clients) = network(1, Duration::from_secs(3600), 0.0, 4);
    // An interloper already uses the first address of the range.
    link.push(stack(99, false));
    link.nodes[2].set_ipv4_address(
        Instant::ZERO,
        Ipv4Cidr::new(Ipv4Addr::new(192, 0, 2, 100), 24),
    );
    link.run_until(Instant::from_secs(60));
    let got = link.nodes[1].ipv4_address().map(|c| c.address());
    assert_ne!(
        got,
        Some(Ipv4Addr::new(192, 0, 2, 100)),
        "declined the taken address"
    );
    assert!(got.is_some(), "and bound another one");
    assert_eq!(
        link.nodes[1]
            .dhcp_client(clients[0])
            .unwrap()
            .engine()
            .client()
            .state(),
        dhcp::client::State::Bound
    );
}
