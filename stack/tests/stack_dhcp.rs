//! DHCP client and server of our own, on stacks over an in-memory link.

mod support;

use std::net::Ipv4Addr;

use dhcproto::v4 as theirs;
use dhcproto::{Decodable, Decoder};
use seqs::dhcp::client::State;
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

/// Another network: node 0 at 198.51.100.1 serves 198.51.100.100-150.
const ELSEWHERE: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);

fn elsewhere() -> TestStack {
    let mut s = stack(2, false);
    let cidr = Ipv4Cidr::new(ELSEWHERE, 24).unwrap();
    s.set_ipv4_address(Instant::ZERO, Some(cidr));
    let range = AddressRange::new(
        Ipv4Addr::new(198, 51, 100, 100),
        Ipv4Addr::new(198, 51, 100, 150),
    );
    let ranges: &'static [AddressRange] = Box::leak(Box::new([range.unwrap()]));
    let mut config = ServerConfig::new(cidr, ranges);
    config.router = Some(ELSEWHERE);
    let server = dhcp::Server::new(config, vec![None::<LeaseEntry>; 8]).unwrap();
    s.add_dhcp_server(server, udp_socket(8, 8192)).unwrap();
    s
}

/// Takes the bound client (node 1) off `link` onto a new link with
/// `others` (which it joins at the same time), and tells it the link is
/// back up.
fn move_client(mut link: Link, client: Handle<DhcpClient>, others: Vec<TestStack>) -> Link {
    let node = link.nodes.swap_remove(1);
    let mut moved = Link::new(others);
    moved.now = link.now;
    moved.push(node);
    let (now, i) = (moved.now, moved.nodes.len() - 1);
    relink(&mut moved.nodes[i], client, now);
    moved
}

fn relink(node: &mut TestStack, client: Handle<DhcpClient>, now: Instant) {
    node.dhcp_client(client)
        .unwrap()
        .engine_mut()
        .client_mut()
        .link_up(now);
}

fn client_state(node: &mut TestStack, client: Handle<DhcpClient>) -> State {
    node.dhcp_client(client).unwrap().engine().client().state()
}

/// Runs `link` for `d` in small steps, recording node `i`'s address
/// whenever it changes.
fn addresses_over(link: &mut Link, i: usize, d: Duration) -> Vec<Option<Ipv4Addr>> {
    let end = link.now + d;
    let mut seen = vec![link.nodes[i].ipv4_address().map(|c| c.address())];
    while link.now < end {
        link.run_for(Duration::from_micros(50));
        let now = link.nodes[i].ipv4_address().map(|c| c.address());
        if seen.last() != Some(&now) {
            seen.push(now);
        }
    }
    seen
}

/// The UDP payload of a DHCP message sent by a client, and its IPv4
/// source and destination.
fn dhcp_payload(frame: &[u8]) -> Option<(Ipv4Addr, Ipv4Addr, Vec<u8>)> {
    let p = etherparse::SlicedPacket::from_ethernet(frame).ok()?;
    let (Some(etherparse::NetSlice::Ipv4(ip)), Some(etherparse::TransportSlice::Udp(udp))) =
        (p.net, p.transport)
    else {
        return None;
    };
    (udp.destination_port() == dhcp::SERVER_PORT).then(|| {
        let h = ip.header();
        (
            h.source_addr(),
            h.destination_addr(),
            udp.payload().to_vec(),
        )
    })
}

#[test]
fn link_up_on_the_same_network_keeps_the_address() {
    let (mut link, clients) = network(1, Duration::from_secs(3600), 0.0, 5);
    link.run_until(Instant::from_secs(5));
    let before = link.nodes[1].ipv4_address().unwrap();
    let now = link.now;
    relink(&mut link.nodes[1], clients[0], now);
    let seen = addresses_over(&mut link, 1, Duration::from_secs(2));
    assert_eq!(seen, [Some(before.address())], "never dropped");
    assert_eq!(link.nodes[1].ipv4_address(), Some(before));
    let node = &mut link.nodes[1];
    assert_eq!(client_state(node, clients[0]), State::Bound);
    let lease = *node
        .dhcp_client(clients[0])
        .unwrap()
        .engine()
        .client()
        .lease()
        .unwrap();
    assert_eq!(lease.expires_at, now + Duration::from_secs(3600), "renewed");

    // The INIT-REBOOT REQUEST on the wire, read by dhcproto.
    let requests: Vec<_> = link
        .sent_by(1)
        .filter(|s| s.at >= now)
        .filter_map(|s| dhcp_payload(&s.frame))
        .collect();
    assert_eq!(requests.len(), 1, "one REQUEST, answered");
    let (src, dst, bytes) = &requests[0];
    assert_eq!(
        (*src, *dst),
        (before.address(), Ipv4Addr::BROADCAST),
        "sent from the address still in use"
    );
    let m = theirs::Message::decode(&mut Decoder::new(bytes)).unwrap();
    assert_eq!(m.opts().msg_type(), Some(theirs::MessageType::Request));
    assert_eq!(m.ciaddr(), Ipv4Addr::UNSPECIFIED);
    assert_eq!(m.chaddr(), &mac(10).octets());
    assert!(m.flags().broadcast());
    assert_eq!(
        m.opts().get(theirs::OptionCode::RequestedIpAddress),
        Some(&theirs::DhcpOption::RequestedIpAddress(before.address()))
    );
    assert_eq!(m.opts().get(theirs::OptionCode::ServerIdentifier), None);
}

#[test]
fn link_up_on_another_network_drops_the_address_on_nak_and_rediscovers() {
    let (mut link, clients) = network(1, Duration::from_secs(3600), 0.0, 6);
    link.run_until(Instant::from_secs(5));
    let old = link.nodes[1].ipv4_address().unwrap().address();
    let mut moved = move_client(link, clients[0], vec![elsewhere()]);
    let seen = addresses_over(&mut moved, 1, Duration::from_secs(2));
    let new = seen.last().copied().flatten().expect("bound again");
    assert_eq!(seen, [Some(old), None, Some(new)], "NAK, then a new lease");
    assert_eq!(new.octets()[..3], [198, 51, 100]);
    assert_eq!(moved.nodes[1].ipv4_config().gateway, Some(ELSEWHERE));
    assert_eq!(client_state(&mut moved.nodes[1], clients[0]), State::Bound);
}

#[test]
fn link_up_without_an_answer_keeps_the_address_then_rediscovers() {
    let (mut link, clients) = network(1, Duration::from_secs(3600), 0.0, 7);
    link.run_until(Instant::from_secs(5));
    let old = link.nodes[1].ipv4_address().unwrap();
    let mut moved = move_client(link, clients[0], Vec::new());
    let node = moved.nodes.len() - 1;
    moved.run_for(Duration::from_secs(100));
    assert_eq!(
        moved.nodes[node].ipv4_address(),
        Some(old),
        "kept while asking"
    );
    assert_eq!(
        client_state(&mut moved.nodes[node], clients[0]),
        State::InitReboot
    );
    moved.run_for(Duration::from_secs(30));
    assert_eq!(moved.nodes[node].ipv4_address(), None);
    assert_eq!(moved.nodes[node].ipv4_config().gateway, None);
    assert_eq!(
        client_state(&mut moved.nodes[node], clients[0]),
        State::Selecting
    );
}
