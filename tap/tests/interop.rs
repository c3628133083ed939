//! Interop with real Linux peers over a TAP device, inside a network
//! namespace each case creates (192.0.2.0/24 only). Run as root:
//! `SEQS_INTEROP=1 cargo test -p seqs-tap --test interop`; without root or
//! the tools (tap/ci-deps.sh) every case prints SKIPPED and passes, unless
//! SEQS_INTEROP=1. Artefacts (captures, tool logs) land in
//! target/tmp/interop/<case>/.

#[path = "interop/http.rs"]
mod http;
#[path = "interop/netns.rs"]
mod netns;
#[path = "interop/services.rs"]
mod services;
#[path = "interop/tcp.rs"]
mod tcp;

use std::net::SocketAddrV4;
use std::time::Duration;

use netns::{describe, have_tools, tshark_check, Lab, LINUX, OURS};
use seqs::stats::DropReason;
use seqs::time::Duration as StackDuration;
use seqs_tap::apps::{AppSpec, PingSpec, Report, UdpClientSpec, UdpEchoSpec};
use seqs_tap::{Capture, LossRate};

const ECHO_PORT: u16 = 7;
const LINUX_ECHO_PORT: u16 = 9000;
pub(crate) const OUR_MAC: &str = "02:53:51:00:00:02";
const SHORT: Duration = Duration::from_secs(10);

pub(crate) fn only_report(reports: &[Report]) -> &Report {
    match reports {
        [one] => one,
        other => panic!("expected one app report, got {other:?}"),
    }
}

pub(crate) fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn linux_pings_our_node() {
    let Some(mut lab) = Lab::new("linux_pings_us", &["ping"]) else {
        return;
    };
    lab.start_bridge(|_| {});
    let ours = OURS.to_string();
    let out = lab.exec(
        &["ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", &ours],
        &[],
        SHORT,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("5 packets transmitted, 5 received"),
        "{}",
        describe(&out)
    );
    // Full-size frames: 1472 data bytes fill a 1500-byte MTU exactly.
    let out = lab.exec(
        &[
            "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-s", "1472", "-M", "do", &ours,
        ],
        &[],
        SHORT,
    );
    assert!(
        stdout(&out).contains("3 packets transmitted, 3 received"),
        "{}",
        describe(&out)
    );
    // The kernel resolved us through ARP and holds our MAC.
    let neigh = lab.ok(&["ip", "neigh", "show", &ours]);
    assert!(stdout(&neigh).contains(OUR_MAC), "{}", describe(&neigh));
    let report = lab.finish();
    assert_eq!(report.stack.icmp_in, 8, "{report:#?}");
    assert_eq!(report.stack.total_drops(), 0, "{report:#?}");
}

#[test]
fn our_node_pings_linux() {
    let Some(mut lab) = Lab::new("we_ping_linux", &[]) else {
        return;
    };
    lab.start_bridge(|config| {
        config.apps.push(AppSpec::Ping(PingSpec {
            count: 5,
            interval: StackDuration::from_millis(200),
            ..PingSpec::new(LINUX)
        }));
    });
    lab.wait_for_clients(SHORT);
    let report = lab.finish();
    let Report::Ping(ping) = only_report(&report.apps) else {
        panic!("{report:#?}");
    };
    assert_eq!((ping.sent, ping.received()), (5, 5), "{ping}");
    assert_eq!((ping.duplicates, ping.corrupted), (0, 0), "{ping}");
    let rtts: Vec<_> = ping.rtts().collect();
    assert_eq!(rtts.len(), 5, "every reply timed: {ping}");
    assert!(
        rtts.iter().all(|rtt| *rtt < StackDuration::from_secs(1)),
        "{ping}"
    );
    println!("{ping}");
}

#[test]
fn linux_udp_clients_get_echoes_from_our_node() {
    let Some(mut lab) = Lab::new("udp_echo_server", &["socat", "nc"]) else {
        return;
    };
    lab.start_bridge(|config| {
        config
            .apps
            .push(AppSpec::UdpEcho(UdpEchoSpec { port: ECHO_PORT }));
    });
    let to = format!("UDP4:{OURS}:{ECHO_PORT}");
    let out = lab.exec(
        &["socat", "-t", "1", "-", &to],
        b"hello from socat\n",
        SHORT,
    );
    assert_eq!(stdout(&out), "hello from socat\n", "{}", describe(&out));

    let full: Vec<u8> = (0..1472).map(|i| b'a' + (i % 26) as u8).collect();
    let out = lab.exec(&["socat", "-t", "1", "-", &to], &full, SHORT);
    assert_eq!(
        out.stdout,
        full,
        "a datagram filling the MTU: {}",
        describe(&out)
    );

    let port = ECHO_PORT.to_string();
    let ours = OURS.to_string();
    let out = lab.exec(
        &["nc", "-u", "-w", "1", &ours, &port],
        b"hello from nc\n",
        SHORT,
    );
    assert_eq!(stdout(&out), "hello from nc\n", "{}", describe(&out));

    let report = lab.finish();
    let Report::UdpEcho(echo) = only_report(&report.apps) else {
        panic!("{report:#?}");
    };
    assert_eq!((echo.echoed, echo.unsent), (3, 0), "{echo}");
    assert_eq!(echo.bytes, 17 + 1472 + 14, "{echo}");
}

#[test]
fn our_udp_client_gets_echoes_from_linux() {
    let Some(mut lab) = Lab::new("udp_client", &["socat"]) else {
        return;
    };
    // One child per datagram, each with its own pipe: echoes can never
    // coalesce, however slowly the machine runs.
    let listen = format!("UDP4-RECVFROM:{LINUX_ECHO_PORT},bind={LINUX},fork");
    lab.spawn("socat-echo", &["socat", &listen, "PIPE"]);
    lab.wait_udp_listener(LINUX_ECHO_PORT);
    lab.start_bridge(|config| {
        config.apps.push(AppSpec::UdpClient(UdpClientSpec {
            count: 10,
            size: 512,
            interval: StackDuration::from_millis(20),
            ..UdpClientSpec::new(SocketAddrV4::new(LINUX, LINUX_ECHO_PORT))
        }));
    });
    lab.wait_for_clients(SHORT);
    let report = lab.finish();
    let Report::UdpClient(client) = only_report(&report.apps) else {
        panic!("{report:#?}");
    };
    assert_eq!((client.sent, client.received), (10, 10), "{client}");
    assert_eq!((client.duplicates, client.corrupted), (0, 0), "{client}");
}

/// The blocking std-style socket, used from the test thread while the
/// bridge runs, against a Linux echo server.
#[test]
fn blocking_udp_socket_against_linux() {
    let Some(mut lab) = Lab::new("std_udp_socket", &["socat"]) else {
        return;
    };
    let listen = format!("UDP4-RECVFROM:{LINUX_ECHO_PORT},bind={LINUX},fork");
    lab.spawn("socat-echo", &["socat", &listen, "PIPE"]);
    lab.wait_udp_listener(LINUX_ECHO_PORT);
    lab.start_bridge(|_| {});
    let mut socket = lab.net().bind_udp(0).expect("bind");
    socket.set_read_timeout(Some(Duration::from_secs(3)));
    let server = SocketAddrV4::new(LINUX, LINUX_ECHO_PORT);
    let mut buf = [0u8; 2048];
    for size in [1, 100, 1472] {
        let message: Vec<u8> = (0..size).map(|i| i as u8).collect();
        socket.send_to(&message, server).expect("send");
        let (n, from) = socket.recv_from(&mut buf).expect("echo from Linux");
        assert_eq!((&buf[..n], from), (&message[..], server));
    }
    drop(socket);
    let report = lab.finish();
    assert_eq!(report.stack.udp_in, 3, "{report:#?}");
}

/// Seeded loss on both of the bridge's directions: requests and replies
/// vanish, ARP must retry, and nothing else goes wrong.
#[test]
fn ping_survives_seeded_loss() {
    let Some(mut lab) = Lab::new("ping_with_loss", &[]) else {
        return;
    };
    lab.start_bridge(|config| {
        config.ingress_loss = LossRate::new(0.2).expect("valid rate");
        config.egress_loss = LossRate::new(0.2).expect("valid rate");
        config.apps.push(AppSpec::Ping(PingSpec {
            count: 20,
            interval: StackDuration::from_millis(50),
            timeout: StackDuration::from_secs(1),
            ..PingSpec::new(LINUX)
        }));
    });
    lab.wait_for_clients(SHORT);
    let report = lab.finish();
    let Report::Ping(ping) = only_report(&report.apps) else {
        panic!("{report:#?}");
    };
    let lost = report.bridge.ingress_lost + report.bridge.egress_lost;
    assert!(lost > 0, "{report:#?}");
    assert!(
        ping.received() > 0 && ping.received() < 20,
        "{ping} with {lost} frames lost"
    );
    assert_eq!((ping.duplicates, ping.corrupted), (0, 0), "{ping}");
    println!("{ping}; bridge lost {lost} frames");
}

#[test]
fn closed_udp_port_answers_port_unreachable() {
    let Some(mut lab) = Lab::new("udp_port_unreachable", &["socat"]) else {
        return;
    };
    lab.start_bridge(|_| {});
    let to = format!("UDP4:{OURS}:9999");
    let out = lab.exec(&["socat", "-t", "1", "-", &to], b"anyone?\n", SHORT);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("Connection refused"),
        "the kernel turns our ICMP port unreachable into ECONNREFUSED: {}",
        describe(&out)
    );
    let report = lab.finish();
    assert_eq!(
        report.stack.drops(DropReason::UdpNoSocket),
        1,
        "{report:#?}"
    );
    assert_eq!(report.stack.icmp_out, 1, "{report:#?}");
}

#[test]
fn fragmented_datagrams_from_linux_are_reassembled() {
    let Some(mut lab) = Lab::new("udp_reassembly", &["socat"]) else {
        return;
    };
    lab.start_bridge(|config| {
        config
            .apps
            .push(AppSpec::UdpEcho(UdpEchoSpec { port: ECHO_PORT }));
    });
    let to = format!("UDP4:{OURS}:{ECHO_PORT}");
    // 4000 bytes: the kernel sends three fragments, and so do we echoing.
    let out = lab.exec(&["socat", "-t", "1", "-", &to], &[0x5a; 4000], SHORT);
    assert!(out.stdout == [0x5a; 4000], "{}", describe(&out));
    let report = lab.finish();
    assert_eq!(report.stack.datagrams_reassembled, 1, "{report:#?}");
    assert_eq!(report.stack.udp_in, 1, "{report:#?}");
    let Report::UdpEcho(echo) = only_report(&report.apps) else {
        panic!("{report:#?}");
    };
    assert_eq!((echo.echoed, echo.unsent), (1, 0), "{echo}");
}

/// Linux fragments a 3000-byte echo request; we reassemble it and
/// fragment the reply.
#[test]
fn linux_pings_with_fragmented_requests() {
    let Some(mut lab) = Lab::new("fragmented_ping", &["ping"]) else {
        return;
    };
    lab.start_bridge(|_| {});
    let ours = OURS.to_string();
    let out = lab.exec(
        &[
            "ping", "-n", "-c", "2", "-i", "0.2", "-W", "2", "-s", "3000", &ours,
        ],
        &[],
        SHORT,
    );
    assert!(
        stdout(&out).contains("2 packets transmitted, 2 received"),
        "echo replies over the MTU need IPv4 fragmentation on egress: {}",
        describe(&out)
    );
    lab.finish();
}

/// The capture check itself: a valid frame passes, and a bad IP checksum, a
/// bad UDP checksum and a truncated datagram are each reported.
#[test]
fn tshark_check_flags_bad_frames() {
    if !have_tools("tshark_check", &["tshark"]) {
        return;
    }
    // 192.0.2.1:1234 -> 192.0.2.2:7 "ping", both checksums valid.
    let good: Vec<u8> = [
        "020000000002020000000001",
        "0800",
        "45000020000100004011f6c8c0000201c0000202",
        "04d20007000c9828",
        "70696e67",
    ]
    .concat()
    .as_bytes()
    .chunks(2)
    .map(|h| u8::from_str_radix(std::str::from_utf8(h).unwrap(), 16).unwrap())
    .collect();
    let mut bad_ip = good.clone();
    bad_ip[24] ^= 0x01;
    let mut bad_udp = good.clone();
    bad_udp[40] ^= 0x01;
    let truncated = good[..good.len() - 3].to_vec();

    let path = std::env::temp_dir().join(format!("seqs-tshark-check-{}.pcap", std::process::id()));
    let mut capture = Capture::create(&path).unwrap();
    for frame in [&good, &bad_ip, &bad_udp, &truncated] {
        capture.record(frame).unwrap();
    }
    capture.flush().unwrap();
    drop(capture);
    let (frames, bad) = tshark_check(&path);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(frames, 4);
    let flagged: Vec<&str> = bad
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(flagged, ["2", "3", "4"], "{bad}");
}

/// A SYN to a port nobody listens on must be answered with a RST (RFC 9293
/// 3.10.7.1), so the kernel's connect fails at once with ECONNREFUSED.
#[test]
fn closed_tcp_port_refuses_connections() {
    let Some(mut lab) = Lab::new("tcp_closed_port", &["nc"]) else {
        return;
    };
    lab.start_bridge(|_| {});
    let ours = OURS.to_string();
    let out = lab.exec(&["nc", "-v", "-z", "-w", "2", &ours, "80"], &[], SHORT);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Connection refused"), "{}", describe(&out));
    lab.finish();
}
