//! A thousand hosts on a two-level tree of switches, each exchanging frames
//! with one server: every host's result is checked.

mod common;

use common::{mac, simulation, Plan, Role};
use seqs::wire::EthernetAddress;
use seqs_sim::{DirectionConfig, LinkConfig, SimDuration, SimTime, SwitchConfig, TopologyBuilder};

const EDGES: u16 = 10;
const HOSTS_PER_EDGE: u16 = 100;
const PINGS: u32 = 3;

#[test]
fn thousand_hosts_all_get_their_echoes() {
    let access = LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_micros(20),
        ..Default::default()
    });
    let mut t = TopologyBuilder::new();
    t.switch("core", SwitchConfig::default())
        .host("server", mac(0));
    t.link("l-server", "server", "core", access.clone());
    // The server announces itself with one broadcast so that the switches
    // learn it before the clients start at 1 ms (no flooding of their frames).
    let announce = Plan {
        dst: EthernetAddress::BROADCAST,
        count: 1,
        start: SimTime::ZERO,
        interval: SimDuration::ZERO,
        len: 64,
    };
    let server = Role {
        plan: Some(announce),
        echo: true,
    };
    let client = Role {
        plan: Some(Plan {
            dst: mac(0),
            count: PINGS,
            start: SimTime::from_millis(1),
            interval: SimDuration::from_millis(1),
            len: 64,
        }),
        echo: false,
    };
    let mut roles: Vec<(String, Role)> = vec![("server".into(), server)];
    for e in 0..EDGES {
        let edge = format!("edge{e}");
        t.switch(&edge, SwitchConfig::default()).link(
            &format!("up{e}"),
            &edge,
            "core",
            access.clone(),
        );
        for h in 0..HOSTS_PER_EDGE {
            let n = 1 + e * HOSTS_PER_EDGE + h;
            let host = format!("h{n}");
            t.host(&host, mac(n))
                .link(&format!("l{n}"), &host, &edge, access.clone());
            roles.push((host, client));
        }
    }
    let roles: Vec<(&str, Role)> = roles.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    let (mut sim, logs) = simulation(&t.build().expect("valid"), 9, &roles);
    assert!(sim.run_until_idle(SimTime::from_secs(10)));
    let clients = usize::from(EDGES * HOSTS_PER_EDGE);
    assert_eq!(
        logs["server"].borrow().received.len(),
        clients * PINGS as usize
    );
    for (name, log) in logs.iter().filter(|(n, _)| n.as_str() != "server") {
        let log = log.borrow();
        assert!(log.received.iter().all(|r| r.0 == mac(0)), "{name}");
        assert_eq!(
            log.seqs(),
            [0, 0, 1, 2],
            "{name}: the announcement, then the echoes"
        );
    }
    let summary = sim.summary();
    assert_eq!(summary.hosts.len(), clients + 1);
    assert!(summary
        .links
        .values()
        .all(|l| l.a_to_b.dropped.total() + l.b_to_a.dropped.total() == 0));
    assert_eq!(summary.switches["core"].flooded, 1, "only the announcement");
}
