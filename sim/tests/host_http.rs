//! HTTP between `seqs` hosts: keep-alive and one-shot fetches, statuses,
//! DNS then HTTP by name over a hostile link, many clients at once.

mod host_support;

use host_support::*;
use seqs_sim::app::{
    AppKind, DnsServerConfig, HttpGetConfig, HttpRoute, HttpServerConfig, RecordData, Target,
    ZoneRecord,
};
use seqs_sim::{
    DirectionConfig, LinkConfig, Loss, Probability, SharedBuffer, SimDuration, SimTime,
};

fn server(body_len: usize) -> AppKind {
    AppKind::HttpServer(HttpServerConfig {
        port: 80,
        routes: vec![
            HttpRoute {
                path: "/".into(),
                status: 200,
                body: (0..body_len).map(|i| (i % 251) as u8).collect(),
            },
            HttpRoute {
                path: "/empty".into(),
                status: 204,
                body: Vec::new(),
            },
        ],
    })
}

fn get(target: Target, path: &str, count: u32, keep_alive: bool) -> AppKind {
    AppKind::HttpGet(HttpGetConfig {
        target,
        method: "GET".into(),
        port: 80,
        path: path.into(),
        count,
        keep_alive,
        expect_status: 200,
    })
}

fn pair(client: AppKind) -> Net {
    Net::star(
        vec![
            ("web", fixed(80).app(app("httpd", 0, server(10_000)))),
            ("client", fixed(2).app(app("get", 10, client))),
        ],
        |_| lan_link(),
    )
}

fn run(net: &Net, seed: u64, secs: u64) -> (seqs_sim::Simulation, String) {
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(seed, &trace);
    sim.run_until(SimTime::from_secs(secs));
    sim.finish().unwrap();
    (sim, trace.text())
}

#[test]
fn keep_alive_fetches_share_one_connection() {
    let (sim, text) = run(&pair(get(Target::Addr(ip(80)), "/", 5, true)), 1, 10);
    assert_eq!(status(&sim, "client", "get"), "succeeded", "{text}");
    assert_eq!(metric(&sim, "client", "get", "fetched"), 5);
    assert_eq!(metric(&sim, "client", "get", "connections"), 1);
    assert_eq!(metric(&sim, "client", "get", "bytes"), 50_000);
    assert_eq!(metric(&sim, "web", "httpd", "requests"), 5);
    assert_eq!(metric(&sim, "web", "httpd", "accepted"), 1);
    let responses = lines(&text, "client/get", "http");
    assert_eq!(responses.len(), 5);
    assert!(responses
        .iter()
        .all(|l| l.contains("status=200 bytes=10000")));
}

#[test]
fn one_connection_per_fetch_without_keep_alive() {
    let (sim, text) = run(&pair(get(Target::Addr(ip(80)), "/", 4, false)), 1, 10);
    assert_eq!(status(&sim, "client", "get"), "succeeded", "{text}");
    assert_eq!(metric(&sim, "client", "get", "connections"), 4);
    assert_eq!(metric(&sim, "web", "httpd", "accepted"), 4);
    assert_eq!(metric(&sim, "client", "get", "bytes"), 40_000);
}

#[test]
fn unexpected_statuses_fail_the_fetch() {
    let (sim, _) = run(&pair(get(Target::Addr(ip(80)), "/missing", 2, true)), 1, 10);
    let r = result(&sim, "client", "get");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["reason"], "2 of 2 responses were not 200");
    assert_eq!(metric(&sim, "web", "httpd", "errors"), 2);

    let mut no_content = get(Target::Addr(ip(80)), "/empty", 2, true);
    if let AppKind::HttpGet(c) = &mut no_content {
        c.expect_status = 204;
    }
    let (sim, text) = run(&pair(no_content), 1, 10);
    assert_eq!(status(&sim, "client", "get"), "succeeded", "{text}");
    assert_eq!(metric(&sim, "client", "get", "bytes"), 0);
}

#[test]
fn dns_then_http_by_name_over_a_hostile_link() {
    let hostile = LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_millis(10),
        jitter: SimDuration::from_millis(2),
        loss: Loss::Bernoulli {
            p: Probability::new(0.03).unwrap(),
        },
        duplicate: Probability::new(0.02).unwrap(),
        reorder: Probability::new(0.05).unwrap(),
        reorder_delay: SimDuration::from_millis(3),
        ..DirectionConfig::default()
    });
    let zone = AppKind::DnsServer(DnsServerConfig {
        zone: vec![ZoneRecord {
            name: "www.example.test".into(),
            ttl: 60,
            data: RecordData::A(ip(80)),
        }],
    });
    for seed in 1..=4 {
        let net = Net::star(
            vec![
                (
                    "srv",
                    fixed(1)
                        .app(app("dhcpd", 0, dhcp_server(SimDuration::from_secs(3600))))
                        .app(app("named", 0, zone.clone())),
                ),
                ("web", fixed(80).app(app("httpd", 0, server(30_000)))),
                (
                    "client",
                    dhcp().app(app(
                        "get",
                        0,
                        get(Target::Name("www.example.test".into()), "/", 10, true),
                    )),
                ),
            ],
            |host| {
                if host == "client" {
                    hostile.clone()
                } else {
                    lan_link()
                }
            },
        );
        let (sim, text) = run(&net, seed, 120);
        assert_eq!(
            status(&sim, "client", "get"),
            "succeeded",
            "seed {seed}: {text}"
        );
        assert_eq!(
            metric(&sim, "client", "get", "bytes"),
            300_000,
            "seed {seed}"
        );
        assert!(lines(&text, "client/get", "dns")[0].contains("addrs=192.0.2.80"));
    }
}

/// Thirty connections arrive together; the server has the socket slots to
/// take them all.
#[test]
fn many_clients_fetch_at_once() {
    let mut web = fixed(80).app(app("httpd", 0, server(2_000)));
    web.capacities.sockets = 64;
    let mut hosts = vec![("web", web)];
    let names: Vec<String> = (0..30).map(|i| format!("c{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        hosts.push((
            name.as_str(),
            fixed(100 + i as u8).app(app("get", 10, get(Target::Addr(ip(80)), "/", 3, true))),
        ));
    }
    let (sim, text) = run(&Net::star(hosts, |_| lan_link()), 1, 30);
    for name in &names {
        assert_eq!(status(&sim, name, "get"), "succeeded", "{name}: {text}");
    }
    assert_eq!(metric(&sim, "web", "httpd", "requests"), 90);
    assert_eq!(metric(&sim, "web", "httpd", "accepted"), 30);
}

/// A listener replaced as soon as it is taken keeps the port open while
/// socket slots last; once they are all busy, new connections are refused
/// with RSTs, and the others are served.
#[test]
fn a_server_out_of_sockets_refuses_the_excess() {
    let mut web = fixed(80).app(app("httpd", 0, server(2_000)));
    web.capacities.sockets = 6;
    let mut hosts = vec![("web", web)];
    let names: Vec<String> = (0..8).map(|i| format!("c{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        hosts.push((
            name.as_str(),
            fixed(100 + i as u8).app(app("get", 10, get(Target::Addr(ip(80)), "/", 1, true))),
        ));
    }
    let (sim, _) = run(&Net::star(hosts, |_| lan_link()), 1, 30);
    let refused = names
        .iter()
        .filter(|n| result(&sim, n, "get")["reason"] == "connection refused or timed out")
        .count();
    let served = names
        .iter()
        .filter(|n| status(&sim, n, "get") == "succeeded")
        .count();
    assert!(refused >= 1, "{refused} refused");
    assert!(served >= 4, "{served} served");
    assert_eq!(served + refused, names.len());
    let rsts = node(&sim, "web")["stack"]["drops"]["tcp_no_socket"].as_i64();
    assert_eq!(rsts, Some(refused as i64), "one refused SYN each");
}
