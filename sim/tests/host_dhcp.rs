//! DHCP between `seqs` hosts on simulated networks: distinct leases through
//! a switch, renewal across a partition, re-verification when the carrier
//! comes back, a crashed client leasing again.

mod host_support;

use host_support::*;
use seqs_sim::{Fault, Lanes, Loss, Probability, SharedBuffer, SimDuration, SimTime};

fn clients(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("c{i}")).collect()
}

/// A server `srv` at 192.0.2.1 and `n` DHCP clients.
fn lan(n: usize, lease: SimDuration) -> Net {
    let names = clients(n);
    let mut hosts = vec![("srv", fixed(1).app(app("dhcpd", 0, dhcp_server(lease))))];
    hosts.extend(names.iter().map(|c| (c.as_str(), dhcp())));
    Net::star(hosts, |_| lan_link())
}

#[test]
fn clients_through_a_switch_get_distinct_leases() {
    let net = lan(6, SimDuration::from_secs(3600));
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(1, &trace);
    sim.run_until(SimTime::from_secs(10));
    sim.finish().unwrap();
    let text = trace.text();

    let mut addrs: Vec<String> = clients(6)
        .iter()
        .map(|c| address(&sim, c).unwrap_or_else(|| panic!("{c} has no address")))
        .collect();
    for a in &addrs {
        assert!(a.starts_with("192.0.2.1") && a.ends_with("/24"), "{a}");
    }
    addrs.sort();
    addrs.dedup();
    assert_eq!(addrs.len(), 6, "every client its own address: {addrs:?}");

    for c in clients(6) {
        assert_eq!(node(&sim, &c)["dhcp"], "bound");
        assert_eq!(node(&sim, &c)["gateway"], "192.0.2.1");
        let states: Vec<&str> = lines(&text, &c, "dhcp")
            .iter()
            .map(|l| l.rsplit(' ').next().unwrap())
            .collect();
        assert_eq!(
            states,
            [
                "state=init",
                "state=selecting",
                "state=requesting",
                "state=bound"
            ],
            "{c}"
        );
        let configured = lines(&text, &c, "addr");
        assert_eq!(configured.len(), 1, "{c}: {configured:?}");
        assert!(
            configured[0].contains("gw=192.0.2.1 dns=192.0.2.1 ntp=192.0.2.1"),
            "{}",
            configured[0]
        );
    }
    assert_eq!(metric(&sim, "srv", "dhcpd", "leases"), 6);
    assert_eq!(status(&sim, "srv", "dhcpd"), "running");
    assert_eq!(lines(&text, "srv/dhcpd", "lease").len(), 6);
    let server_addrs = result(&sim, "srv", "dhcpd")["addresses"].clone();
    assert_eq!(server_addrs.as_array().unwrap().len(), 6);
}

#[test]
fn lease_is_renewed_after_an_upstream_outage() {
    // 120 s leases: renewal (T1) at 60 s, rebinding (T2) at 105 s, expiry
    // at 120 s. The client is cut off from 50 s to 100 s, its link losing
    // every frame while it keeps carrier (an upstream failure: a host whose
    // link goes down re-verifies when it comes up, see below): its renewal
    // is lost (RFC 2131 4.4.5 waits at least 60 s before asking again, past
    // T2), so it rebinds by broadcast at T2, which the server answers.
    let net = lan(1, SimDuration::from_secs(120));
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(2, &trace);
    let set_loss = |loss| Fault::SetLoss {
        link: link_name("c1"),
        lanes: Lanes::Both,
        loss,
    };
    let all = Loss::Bernoulli {
        p: Probability::ONE,
    };
    sim.schedule(SimTime::from_secs(50), set_loss(all)).unwrap();
    sim.schedule(SimTime::from_secs(100), set_loss(Loss::None))
        .unwrap();
    sim.run_until(SimTime::from_secs(110));
    let first = address(&sim, "c1").expect("still bound after the outage");
    sim.run_until(SimTime::from_secs(400));
    sim.finish().unwrap();
    let text = trace.text();

    assert_eq!(address(&sim, "c1"), Some(first), "kept the same address");
    let states: Vec<&str> = lines(&text, "c1", "dhcp")
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(
        states[3..7],
        [
            "state=bound",
            "state=renewing",
            "state=rebinding",
            "state=bound"
        ],
        "rebound before expiry: {states:?}"
    );
    assert!(
        states[7..]
            .chunks(2)
            .all(|w| w == ["state=renewing", "state=bound"]),
        "then renewed at every T1: {states:?}"
    );
    let rebound = lines(&text, "c1", "dhcp")[6];
    assert!(rebound.starts_with("105."), "{rebound}");
    assert!(lines(&text, "c1", "addr")
        .iter()
        .all(|l| !l.contains(" lost ")));
    let renewals_lost = text
        .lines()
        .filter(|l| l.contains("l-c1 drop") && l.contains("dir=c1>sw reason=loss"))
        .count();
    assert!(
        renewals_lost >= 1,
        "renewal attempts were lost during the outage"
    );
}

#[test]
fn carrier_back_re_verifies_the_lease_and_keeps_the_address() {
    // The same lease and outage as above, but the client's link goes down:
    // the host keeps its address while it is down, and when it comes back
    // (in RENEWING, its renewal lost) asks to keep the lease from
    // INIT-REBOOT at once instead of waiting for T2.
    let net = lan(1, SimDuration::from_secs(120));
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(2, &trace);
    sim.schedule(SimTime::from_secs(50), Fault::LinkDown(link_name("c1")))
        .unwrap();
    sim.schedule(SimTime::from_secs(100), Fault::LinkUp(link_name("c1")))
        .unwrap();
    sim.run_until(SimTime::from_secs(99));
    let first = address(&sim, "c1").expect("kept while the link is down");
    sim.run_until(SimTime::from_secs(101));
    sim.finish().unwrap();
    let text = trace.text();

    assert_eq!(address(&sim, "c1"), Some(first));
    assert_eq!(
        lines(&text, "c1", "carrier"),
        [
            "50.000000000 c1 carrier down link=l-c1",
            "100.000000000 c1 carrier up link=l-c1"
        ]
    );
    let states: Vec<&str> = lines(&text, "c1", "dhcp")
        .iter()
        .map(|l| l.split_once(" dhcp ").unwrap().1)
        .collect();
    assert_eq!(
        states[3..],
        [
            "state=bound",
            "state=renewing",
            "state=init",
            "state=init-reboot",
            "state=bound"
        ]
    );
    let reverified = lines(&text, "c1", "dhcp")[7];
    assert!(reverified.starts_with("100.00"), "{reverified}");
    assert_eq!(lines(&text, "c1", "addr").len(), 1, "never lost");
    assert!(
        lines(&text, "srv", "carrier").is_empty(),
        "only c1's link changed"
    );
}

#[test]
fn a_lease_lost_to_a_long_partition_is_regained() {
    // The partition outlasts the lease: the address is lost, and won back
    // once the link is up.
    let net = lan(1, SimDuration::from_secs(60));
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(3, &trace);
    sim.schedule(SimTime::from_secs(10), Fault::LinkDown(link_name("c1")))
        .unwrap();
    sim.schedule(SimTime::from_secs(120), Fault::LinkUp(link_name("c1")))
        .unwrap();
    sim.run_until(SimTime::from_secs(119));
    assert_eq!(address(&sim, "c1"), None, "the lease expired");
    sim.run_until(SimTime::from_secs(300));
    sim.finish().unwrap();
    assert!(address(&sim, "c1").is_some(), "bound again after the heal");
    let text = trace.text();
    let addr_lines = lines(&text, "c1", "addr");
    assert_eq!(
        addr_lines.len(),
        3,
        "configured, lost, configured: {addr_lines:?}"
    );
    assert!(addr_lines[1].contains(" lost "));
}

#[test]
fn a_restarted_client_leases_again() {
    let net = lan(2, SimDuration::from_secs(3600));
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(4, &trace);
    sim.run_until(SimTime::from_secs(5));
    let before = address(&sim, "c1").expect("bound");
    sim.apply(Fault::Crash("c1".into())).unwrap();
    sim.run_until(SimTime::from_secs(20));
    assert_eq!(sim.host_is_up("c1"), Some(false));
    sim.apply(Fault::Restart("c1".into())).unwrap();
    sim.run_until(SimTime::from_secs(30));
    sim.finish().unwrap();

    let n = node(&sim, "c1");
    assert_eq!(n["boot"], 1, "a fresh node");
    assert_eq!(n["dhcp"], "bound");
    // The server remembers the client's MAC: same address again.
    assert_eq!(address(&sim, "c1"), Some(before));
    let text = trace.text();
    let c1_states = lines(&text, "c1", "dhcp");
    assert_eq!(
        c1_states
            .iter()
            .filter(|l| l.ends_with("state=bound"))
            .count(),
        2,
        "bound in each boot: {c1_states:?}"
    );
    assert_eq!(metric(&sim, "srv", "dhcpd", "leases"), 2);
}

#[test]
fn a_restarted_server_keeps_serving_renewals() {
    // The server forgets its leases when it restarts; the client's renewal
    // is then answered from a fresh table (same address, it is free).
    let net = lan(1, SimDuration::from_secs(60));
    let trace = SharedBuffer::new();
    let mut sim = net.simulation(5, &trace);
    sim.run_until(SimTime::from_secs(5));
    let before = address(&sim, "c1").expect("bound");
    sim.apply(Fault::Restart("srv".into())).unwrap();
    sim.run_until(SimTime::from_secs(200));
    sim.finish().unwrap();
    assert_eq!(address(&sim, "c1"), Some(before));
    assert_eq!(node(&sim, "srv")["boot"], 1);
    assert_eq!(metric(&sim, "srv", "dhcpd", "leases"), 1);
}
