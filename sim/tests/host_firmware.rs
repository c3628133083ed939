//! The Pico W firmware's application on a simulated LAN: it leases an
//! address, synchronises its clock, resolves a name, and a laptop switches
//! its LED and reads its status page over HTTP.

mod host_support;

use host_support::*;
use seqs_sim::app::{
    AppKind, DnsServerConfig, HttpGetConfig, NtpServerConfig, RecordData, Target, ZoneRecord,
};
use seqs_sim::host::{firmware_factory, network_factory, FirmwareConfig};
use seqs_sim::{Fault, SharedBuffer, SimTime, Simulation, Trace, TraceFilter};

fn request(method: &str, path: &str) -> AppKind {
    AppKind::HttpGet(HttpGetConfig {
        target: Target::Name("pico.example.test".into()),
        method: method.into(),
        port: 80,
        path: path.into(),
        count: 1,
        keep_alive: false,
        expect_status: 200,
    })
}

fn lan() -> (Net, FirmwareConfig) {
    let server = fixed(1)
        .app(app(
            "dhcpd",
            0,
            dhcp_server(seqs_sim::SimDuration::from_secs(600)),
        ))
        .app(app(
            "ntpd",
            0,
            AppKind::NtpServer(NtpServerConfig {
                offset_micros: 0,
                stratum: 2,
            }),
        ))
        .app(app(
            "named",
            0,
            AppKind::DnsServer(DnsServerConfig {
                zone: vec![
                    ZoneRecord {
                        name: "time.example.test".into(),
                        ttl: 60,
                        data: RecordData::A(ip(1)),
                    },
                    // The laptop finds the board by name: its first lease.
                    ZoneRecord {
                        name: "pico.example.test".into(),
                        ttl: 60,
                        data: RecordData::A(ip(100)),
                    },
                ],
            }),
        ));
    let laptop = fixed(5)
        .app(app("on", 8_000, request("POST", "/led/on")))
        .app(app("page", 9_000, request("GET", "/")))
        .app(app("off", 10_000, request("POST", "/led/off")));
    let net = Net::star(
        vec![("server", server), ("pico", dhcp()), ("laptop", laptop)],
        |_| lan_link(),
    );
    let firmware = FirmwareConfig {
        hostname: Some("pico".into()),
        ntp_server: None,
        lookup: Some("time.example.test".into()),
    };
    (net, firmware)
}

fn run(seed: u64) -> (Simulation, String) {
    run_with(seed, &[])
}

/// Runs 20 s with `faults` (time, fault) scheduled.
fn run_with(seed: u64, faults: &[(SimTime, Fault)]) -> (Simulation, String) {
    let (net, firmware) = lan();
    let board = firmware_factory(firmware);
    let others = network_factory(net.configs.clone(), dhcp());
    let factory = move |spawn: &seqs_sim::Spawn<'_>| {
        if spawn.host == "pico" {
            board(spawn)
        } else {
            others(spawn)
        }
    };
    let trace = SharedBuffer::default();
    let mut sim = Simulation::new(&net.topology, seed, factory);
    sim.set_trace(Trace::new(Box::new(trace.clone()), TraceFilter::all()));
    for (at, fault) in faults {
        sim.schedule(*at, fault.clone()).expect("valid fault");
    }
    sim.run_until(SimTime::from_secs(20));
    sim.finish().expect("trace in memory");
    (
        sim,
        String::from_utf8(trace.contents()).expect("the trace is text"),
    )
}

#[test]
fn board_leases_syncs_resolves_and_obeys_the_laptop() {
    let (sim, trace) = run(1);
    let board = node(&sim, "pico");
    assert_eq!(board["address"], "192.0.2.100/24");
    assert!(
        board["unix_us"].as_u64().is_some(),
        "NTP from the lease: {board}"
    );
    assert_eq!(board["lookup"], "resolved addr=192.0.2.1");
    assert_eq!(board["led"], false, "switched on, then off");
    assert_eq!(board["led_switches"], 2);
    for request in ["on", "page", "off"] {
        assert_eq!(
            status(&sim, "laptop", request),
            "succeeded",
            "{request}: {}",
            result(&sim, "laptop", request)
        );
    }
    assert!(
        metric(&sim, "laptop", "page", "bytes") > 200,
        "the status page came back"
    );
    let led = lines(&trace, "pico", "led");
    assert_eq!(led.len(), 2, "{led:?}");
    assert!(led[0].ends_with("state=on") && led[1].ends_with("state=off"));
}

#[test]
fn board_re_verifies_its_lease_after_a_wifi_rejoin() {
    // The association is lost from 3 s to 5 s (the board's link down). On
    // the rejoin the firmware's app asks to keep its lease (INIT-REBOOT):
    // one more ACK from the server, the same address, and the laptop's
    // requests from 8 s on are served.
    let (quiet, _) = run(1);
    assert_eq!(metric(&quiet, "server", "dhcpd", "replies"), 2);
    let faults = [
        (SimTime::from_secs(3), Fault::LinkDown(link_name("pico"))),
        (SimTime::from_secs(5), Fault::LinkUp(link_name("pico"))),
    ];
    let (sim, trace) = run_with(1, &faults);
    assert_eq!(lines(&trace, "pico", "carrier").len(), 2);
    assert_eq!(metric(&sim, "server", "dhcpd", "replies"), 3);
    assert_eq!(metric(&sim, "server", "dhcpd", "leases"), 1);
    assert_eq!(node(&sim, "pico")["address"], "192.0.2.100/24");
    assert_eq!(lines(&trace, "pico", "addr").len(), 1, "never lost");
    for request in ["on", "page", "off"] {
        assert_eq!(status(&sim, "laptop", request), "succeeded", "{request}");
    }
}

#[test]
fn runs_are_reproducible() {
    let (a, trace_a) = run(7);
    let (b, trace_b) = run(7);
    assert!(
        trace_a.contains(" pico led state=on"),
        "the run did something"
    );
    assert_eq!(trace_a, trace_b);
    assert_eq!(node(&a, "pico"), node(&b, "pico"));
}
