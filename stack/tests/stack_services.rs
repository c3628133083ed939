//! DNS and NTP engines running as stack sockets over an in-memory link.

mod support;

use std::net::{IpAddr, Ipv4Addr, SocketAddrV4};

use seqs::dns::{self, ZoneData, ZoneEntry};
use seqs::ntp;
use seqs::time::{Duration, Instant};
use seqs::wire::dns::Type;
use seqs::wire::ntp::Epoch;
use support::*;

const ZONE: &[ZoneEntry<'static>] = &[
    ZoneEntry {
        name: "www.example.test",
        ttl: 300,
        data: ZoneData::Cname("web.example.test"),
    },
    ZoneEntry {
        name: "web.example.test",
        ttl: 60,
        data: ZoneData::A(Ipv4Addr::new(192, 0, 2, 80)),
    },
];

#[test]
fn resolver_follows_cname_through_a_zone_server_found_via_interface_config() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    link.nodes[0]
        .add_dns_server(dns::Server::new(ZONE), udp_socket(4, 4096))
        .unwrap();
    link.nodes[1].set_dns_servers(&[ip(1)]);
    let client = dns::Client::new(dns::Config::default(), vec![dns::Answer::UNSPECIFIED; 4]);
    let h = link.nodes[1]
        .add_dns_client(client, udp_socket(4, 4096))
        .unwrap();
    let now = link.now;
    link.nodes[1]
        .dns_client(h)
        .unwrap()
        .engine_mut()
        .start(now, "www.example.test", Type::A)
        .unwrap();
    link.run_for(Duration::from_secs(2));

    let engine = link.nodes[1].dns_client(h).unwrap().engine();
    assert_eq!(engine.result().map(|r| r.map(|r| r.count)), Some(Ok(1)));
    let answer = engine.answers()[0];
    assert_eq!(answer.address, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 80)));
    assert_eq!(answer.ttl, 60, "the smallest TTL along the chain");
}

#[test]
fn resolver_retries_a_lossy_path() {
    for seed in 0..20 {
        let mut link = Link::lossy(vec![stack(1, true), stack(2, true)], 0.2, seed);
        link.nodes[0]
            .add_dns_server(dns::Server::new(ZONE), udp_socket(4, 4096))
            .unwrap();
        link.nodes[1].set_dns_servers(&[ip(1)]);
        let config = dns::Config {
            rounds: 8,
            ..dns::Config::default()
        };
        let client = dns::Client::new(config, vec![dns::Answer::UNSPECIFIED; 4]);
        let h = link.nodes[1]
            .add_dns_client(client, udp_socket(4, 4096))
            .unwrap();
        let now = link.now;
        link.nodes[1]
            .dns_client(h)
            .unwrap()
            .engine_mut()
            .start(now, "web.example.test", Type::A)
            .unwrap();
        link.run_for(Duration::from_secs(300));
        let result = link.nodes[1].dns_client(h).unwrap().engine().result();
        assert_eq!(
            result.map(|r| r.map(|r| r.count)),
            Some(Ok(1)),
            "seed {seed}"
        );
    }
}

#[test]
fn ntp_client_measures_the_servers_offset() {
    let epoch = Epoch::from_unix_micros(1_800_000_000_000_000);
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    link.latency = Duration::from_millis(5);
    let mut server = ntp::ServerConfig::new(epoch);
    server.offset_micros = 1_500_000;
    server.stratum = 2;
    link.nodes[0]
        .add_ntp_server(ntp::Server::new(server), udp_socket(4, 4096))
        .unwrap();
    let config = ntp::Config::new(SocketAddrV4::new(ip(1), 123), epoch);
    let h = link.nodes[1]
        .add_ntp_client(ntp::Client::new(config, link.now), udp_socket(4, 4096))
        .unwrap();
    link.run_for(Duration::from_secs(30));

    let sync = link.nodes[1]
        .ntp_client(h)
        .unwrap()
        .engine_mut()
        .take_result()
        .expect("a burst finished")
        .unwrap();
    assert_eq!(
        sync.offset_micros, 1_500_000,
        "symmetric delays: the offset is exact"
    );
    assert_eq!(sync.delay, Duration::from_millis(10));
    assert_eq!(sync.stratum, 2);
}

#[test]
fn dns_and_ntp_servers_do_not_answer_garbage() {
    let mut s = silent_stack(1);
    s.add_dns_server(dns::Server::new(ZONE), udp_socket(4, 4096))
        .unwrap();
    s.add_ntp_server(
        ntp::Server::new(ntp::ServerConfig::new(Epoch::UNIX)),
        udp_socket(4, 4096),
    )
    .unwrap();
    let mut frame = Vec::new();
    etherparse::PacketBuilder::ethernet2(mac(2).0, mac(1).0)
        .ipv4(ip(2).octets(), ip(1).octets(), 64)
        .udp(5000, 53)
        .write(&mut frame, b"not dns")
        .unwrap();
    s.receive(Instant::from_secs(1), &frame);
    // Nothing to answer: no reply is queued, so nothing waits on ARP.
    assert_eq!(s.poll_at(), None);
}
