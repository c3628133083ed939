//! Apps on `seqs` hosts: DNS then ping by name, ping RTTs, NTP under
//! asymmetric latency, UDP echo.

mod host_support;

use std::num::NonZeroU64;

use host_support::*;
use seqs_sim::app::{
    AppKind, DnsLookupConfig, DnsServerConfig, NtpClientConfig, NtpServerConfig, OffsetExpectation,
    PingConfig, RecordData, Target, UdpEchoConfig, UdpSendConfig, ZoneRecord,
};
use seqs_sim::host::{AddressSource, HostConfig};
use seqs_sim::{DirectionConfig, LinkConfig, SharedBuffer, SimDuration, SimTime};

fn link(latency_us: u64) -> LinkConfig {
    LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_micros(latency_us),
        ..DirectionConfig::default()
    })
}

fn zone() -> AppKind {
    let record = |name: &str, data| ZoneRecord {
        name: name.into(),
        ttl: 300,
        data,
    };
    AppKind::DnsServer(DnsServerConfig {
        zone: vec![
            record(
                "www.example.test",
                RecordData::Cname("web.example.test".into()),
            ),
            record("web.example.test", RecordData::A(ip(80))),
        ],
    })
}

fn ping(target: Target, count: u32) -> AppKind {
    AppKind::Ping(PingConfig {
        target,
        count,
        interval: SimDuration::from_millis(500),
        size: 56,
    })
}

#[test]
fn dns_then_ping_by_name_over_dhcp() {
    // srv (192.0.2.1) serves DHCP and DNS; web is 192.0.2.80; the client
    // gets everything from DHCP, resolves www (a CNAME) and pings it.
    let net = Net::star(
        vec![
            (
                "srv",
                fixed(1)
                    .app(app("dhcpd", 0, dhcp_server(SimDuration::from_secs(3600))))
                    .app(app("named", 0, zone())),
            ),
            ("web", fixed(80)),
            (
                "client",
                dhcp()
                    .app(app(
                        "lookup",
                        0,
                        AppKind::DnsLookup(DnsLookupConfig {
                            name: "www.example.test".into(),
                            expect: Some(vec![ip(80)]),
                        }),
                    ))
                    .app(app(
                        "ping",
                        0,
                        ping(Target::Name("www.example.test".into()), 3),
                    )),
            ),
        ],
        |_| link(250),
    );
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(7, &trace);
    sim.run_until(SimTime::from_secs(10));
    sim.finish().unwrap();
    let text = trace.text();

    assert_eq!(status(&sim, "client", "lookup"), "succeeded", "{text}");
    let lookup = result(&sim, "client", "lookup");
    assert_eq!(lookup["addresses"][0], "192.0.2.80");
    assert_eq!(lookup["metrics"]["answers"], 1);
    let resolved = lines(&text, "client/lookup", "dns");
    assert_eq!(resolved.len(), 1);
    assert!(resolved[0].ends_with("resolved name=www.example.test addrs=192.0.2.80"));

    assert_eq!(status(&sim, "client", "ping"), "succeeded", "{text}");
    assert_eq!(metric(&sim, "client", "ping", "sent"), 3);
    assert_eq!(metric(&sim, "client", "ping", "received"), 3);
    assert_eq!(metric(&sim, "client", "ping", "bad_replies"), 0);
    assert!(
        metric(&sim, "srv", "named", "replies") >= 2,
        "one lookup per app"
    );
    // Both apps waited for the lease before sending anything.
    let bound_at = lines(&text, "client", "addr")[0];
    let first_query = lines(&text, "client/lookup", "dns")[0];
    assert!(bound_at < first_query);
}

#[test]
fn ping_measures_the_round_trip() {
    // 2 ms each way on each of two links, and 1500-byte echoes at 10 Mbit/s
    // (1.2 ms serialization per hop): RTT = 4 × (2 ms + serialization).
    let slow = LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_millis(2),
        bandwidth_bps: NonZeroU64::new(10_000_000),
        ..DirectionConfig::default()
    });
    let kind = AppKind::Ping(PingConfig {
        target: Target::Addr(ip(2)),
        count: 5,
        interval: SimDuration::from_secs(1),
        size: 1472,
    });
    let net = Net::star(
        vec![("a", fixed(1).app(app("ping", 100, kind))), ("b", fixed(2))],
        |_| slow.clone(),
    );
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.run_until(SimTime::from_secs(10));
    sim.finish().unwrap();

    assert_eq!(status(&sim, "a", "ping"), "succeeded");
    assert_eq!(metric(&sim, "a", "ping", "received"), 5);
    // A frame of 14 + 20 + 8 + 1472 bytes takes 1211.2 µs at 10 Mbit/s:
    // 12 844.8 µs in all, which the stack's microsecond clock sees as 12 844
    // or 12 845 depending on where the send fell. The RTT counts from the
    // moment the request left, so the first one's ARP wait is not in it.
    let expected = 4 * (2_000 + 1_211);
    for m in ["rtt_min_us", "rtt_max_us"] {
        let rtt = metric(&sim, "a", "ping", m);
        assert!((expected..=expected + 1).contains(&rtt), "{m} {rtt}");
    }
    let text = trace.text();
    assert_eq!(lines(&text, "a/ping", "ping").len(), 5);
}

/// NTP's offset estimate is exact only on symmetric paths: with one-way
/// delays `up` (client to server) and `down`, the client measures
/// `offset + (up - down) / 2` (RFC 5905 section 8).
#[test]
fn ntp_offset_error_is_half_the_path_asymmetry() {
    let offset: i64 = 1_500_000;
    for (up_us, down_us) in [(1_000i64, 1_000i64), (9_000, 1_000), (500, 20_500)] {
        let client_link = LinkConfig {
            a_to_b: DirectionConfig {
                latency: SimDuration::from_micros(up_us as u64),
                ..DirectionConfig::default()
            },
            b_to_a: DirectionConfig {
                latency: SimDuration::from_micros(down_us as u64),
                ..DirectionConfig::default()
            },
        };
        let predicted = offset + (up_us - down_us) / 2;
        let client = fixed(2).app(app(
            "ntp",
            0,
            AppKind::NtpClient(NtpClientConfig {
                server: None,
                expect: Some(OffsetExpectation {
                    offset_micros: predicted,
                    tolerance_micros: 1,
                }),
            }),
        ));
        let server = fixed(1).app(app(
            "ntpd",
            0,
            AppKind::NtpServer(NtpServerConfig {
                offset_micros: offset,
                stratum: 2,
            }),
        ));
        let net = Net::star(vec![("srv", server), ("client", client)], |host| {
            if host == "client" {
                client_link.clone()
            } else {
                LinkConfig::default()
            }
        });
        let trace = SharedBuffer::new();
        let mut sim = net.simulation(3, &trace);
        sim.run_until(SimTime::from_secs(30));
        sim.finish().unwrap();
        let text = trace.text();

        let measured = metric(&sim, "client", "ntp", "offset_us");
        eprintln!(
            "up {up_us} us, down {down_us} us: measured offset {measured} us, \
             error {} us, predicted error {} us",
            measured - offset,
            (up_us - down_us) / 2
        );
        assert_eq!(status(&sim, "client", "ntp"), "succeeded", "{text}");
        assert!(
            (measured - predicted).abs() <= 1,
            "{measured} vs {predicted}"
        );
        assert_eq!(
            metric(&sim, "client", "ntp", "delay_us"),
            up_us + down_us,
            "the round trip is measured exactly"
        );
        assert_eq!(metric(&sim, "client", "ntp", "stratum"), 2);
    }
}

#[test]
fn ntp_client_fails_its_expectation_when_the_path_is_asymmetric() {
    let client_link = LinkConfig {
        a_to_b: DirectionConfig {
            latency: SimDuration::from_millis(30),
            ..DirectionConfig::default()
        },
        b_to_a: DirectionConfig::default(),
    };
    let client = fixed(2).app(app(
        "ntp",
        0,
        AppKind::NtpClient(NtpClientConfig {
            server: Some(ip(1)),
            expect: Some(OffsetExpectation {
                offset_micros: 0,
                tolerance_micros: 1_000,
            }),
        }),
    ));
    let server = fixed(1).app(app(
        "ntpd",
        0,
        AppKind::NtpServer(NtpServerConfig {
            offset_micros: 0,
            stratum: 1,
        }),
    ));
    let net = Net::star(vec![("srv", server), ("client", client)], |host| {
        if host == "client" {
            client_link.clone()
        } else {
            LinkConfig::default()
        }
    });
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(3, &trace);
    sim.run_until(SimTime::from_secs(30));
    sim.finish().unwrap();
    let r = result(&sim, "client", "ntp");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["metrics"]["offset_us"], 15_000);
    let text = trace.text();
    let failed = lines(&text, "client/ntp", "app");
    assert!(
        failed[1].contains("failed reason=\"offset 15000 us is not within 1000 us of 0 us\""),
        "{failed:?}"
    );
}

#[test]
fn udp_datagrams_come_back_from_an_echo_server_over_a_lossy_link() {
    let lossy = LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_micros(300),
        loss: seqs_sim::Loss::Bernoulli {
            p: seqs_sim::Probability::new(0.1).unwrap(),
        },
        ..DirectionConfig::default()
    });
    let send = AppKind::UdpSend(UdpSendConfig {
        target: Target::Addr(ip(1)),
        port: 7,
        count: 200,
        interval: SimDuration::from_millis(10),
        size: 100,
    });
    let net = Net::star(
        vec![
            (
                "echo",
                fixed(1).app(app("echo", 0, AppKind::UdpEcho(UdpEchoConfig { port: 7 }))),
            ),
            ("client", fixed(2).app(app("send", 10, send))),
        ],
        |host| {
            if host == "client" {
                lossy.clone()
            } else {
                link(300)
            }
        },
    );
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(11, &trace);
    sim.run_until(SimTime::from_secs(10));
    sim.finish().unwrap();

    assert_eq!(status(&sim, "client", "send"), "succeeded");
    assert_eq!(metric(&sim, "client", "send", "sent"), 200);
    let received = metric(&sim, "client", "send", "received");
    let echoed = metric(&sim, "echo", "echo", "echoed");
    // 10 % loss each way: about 81 % come back.
    assert!((140..=185).contains(&received), "{received}");
    assert!(echoed >= received && echoed <= 200, "{echoed}");
    assert_eq!(metric(&sim, "client", "send", "bad_replies"), 0);
    assert_eq!(metric(&sim, "client", "send", "rtt_min_us"), 1_200);
}

#[test]
fn a_name_without_resolvers_fails_at_once() {
    let host = HostConfig::new(AddressSource::fixed(cidr(1))).app(app(
        "ping",
        0,
        ping(Target::Name("www.example.test".into()), 1),
    ));
    let net = Net::star(vec![("a", host), ("b", fixed(2))], |_| link(100));
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.run_until(SimTime::from_secs(1));
    let r = result(&sim, "a", "ping");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["reason"], "no dns servers");
}
