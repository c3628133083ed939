//! A `seqs` host wakes only when something is due: an idle host sleeps
//! through hours of virtual time, and its stack counters agree with what
//! the engine saw at its NIC.

mod host_support;

use host_support::*;
use seqs_sim::app::{AppKind, PingConfig, Target};
use seqs_sim::{SharedBuffer, SimDuration, SimTime};

#[test]
fn idle_hosts_wake_only_for_their_timers() {
    // A one-hour lease renewed at T1 every 30 minutes over 10 hours: the
    // client wakes for its renewals, never on a tick.
    let net = Net::star(
        vec![
            (
                "srv",
                fixed(1).app(app("dhcpd", 0, dhcp_server(SimDuration::from_secs(3600)))),
            ),
            ("c1", dhcp()),
        ],
        |_| lan_link(),
    );
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.run_until(SimTime::from_secs(10 * 3600));
    sim.finish().unwrap();
    let text = trace.text();
    let renewals = lines(&text, "c1", "dhcp")
        .iter()
        .filter(|l| l.ends_with("state=renewing"))
        .count();
    assert_eq!(renewals, 20, "renewed every half hour");
    let client = sim.host_counters("c1").unwrap();
    let server = sim.host_counters("srv").unwrap();
    eprintln!(
        "wake-ups in 10 h: client {}, server {}",
        client.wakeups, server.wakeups
    );
    // One per renewal, a few more for the first lease's announcements; the
    // server only answers (frames wake it, not timers).
    assert!(client.wakeups <= renewals as u64 + 4, "{}", client.wakeups);
    assert!(server.wakeups <= 4, "{}", server.wakeups);
}

#[test]
fn stack_counters_match_the_nic() {
    let ping = AppKind::Ping(PingConfig {
        target: Target::Addr(ip(1)),
        count: 20,
        interval: SimDuration::from_millis(100),
        size: 64,
    });
    let net = Net::star(
        vec![
            (
                "srv",
                fixed(1).app(app("dhcpd", 0, dhcp_server(SimDuration::from_secs(60)))),
            ),
            ("c1", dhcp().app(app("ping", 0, ping))),
        ],
        |_| lan_link(),
    );
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(2, &trace);
    sim.run_until(SimTime::from_secs(300));
    sim.finish().unwrap();
    for host in ["srv", "c1"] {
        let nic = sim.host_counters(host).unwrap();
        let stack = &node(&sim, host)["stack"];
        assert_eq!(stack["frames_in"], nic.rx_frames, "{host}");
        assert_eq!(stack["frames_out"], nic.tx_frames, "{host}");
        assert_eq!(stack["bytes_in"], nic.rx_bytes, "{host}");
        assert_eq!(stack["bytes_out"], nic.tx_bytes, "{host}");
    }
    let c1 = node(&sim, "c1");
    assert_eq!(c1["stack"]["icmp_in"], 20, "twenty echo replies");
    assert_eq!(c1["apps"]["ping"]["metrics"]["received"], 20);
    assert_eq!(c1["apps"]["ping"]["kind"], "ping");
    assert!(c1["apps"]["ping"]["started_ns"].as_u64().is_some());
    assert!(c1["apps"]["ping"]["finished_ns"].as_u64().unwrap() > 1_900_000_000);
}
