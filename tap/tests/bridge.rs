//! Two bridges back to back over a Unix datagram pair: the real-time driver
//! (clock, ppoll, apps, loss, capture, stopping) tested without root.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddrV4};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use seqs::time::Duration as StackDuration;
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs_tap::apps::{
    sha256_hex, AppSpec, DhcpServerSpec, HttpClientSpec, HttpServerSpec, Pattern, PingSpec, Report,
    TcpSinkSpec, TcpSourceSpec, UdpClientSpec, UdpEchoSpec, BODY_SEED,
};
use seqs_tap::{Addressing, Bridge, BridgeConfig, BridgeReport, LossRate, StopReason};

fn ip(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, n)
}

fn config(n: u8, apps: Vec<AppSpec>) -> BridgeConfig {
    let address = Ipv4Cidr::new(ip(n), 24).unwrap();
    let mut config = BridgeConfig::new(
        Addressing::Static {
            address,
            gateway: None,
        },
        u64::from(n),
    );
    config.mac = EthernetAddress([0x02, 0, 0, 0, 0, n]);
    config.apps = apps;
    config
}

fn link() -> (UnixDatagram, UnixDatagram) {
    let (a, b) = UnixDatagram::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (a, b)
}

/// Runs `client` (node 1) against `server` (node 2) until the client's
/// apps are done, then stops the server.
fn run_pair(client: BridgeConfig, server: BridgeConfig) -> (BridgeReport, BridgeReport) {
    let (a, b) = link();
    let server = Bridge::new(b, server).unwrap().spawn().unwrap();
    let client = Bridge::new(a, client).unwrap().spawn().unwrap();
    let client = client.join().unwrap();
    (client, server.stop().unwrap())
}

fn ping(count: u16) -> AppSpec {
    AppSpec::Ping(PingSpec {
        count,
        interval: StackDuration::from_millis(10),
        timeout: StackDuration::from_millis(500),
        ..PingSpec::new(ip(2))
    })
}

fn temp_pcap(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("seqs-tap-{}-{name}.pcap", std::process::id()))
}

/// Records in a classic little-endian pcap file.
fn pcap_records(bytes: &[u8]) -> usize {
    let mut at = 24;
    let mut n = 0;
    while let Some(len) = bytes.get(at + 8..at + 12) {
        at += 16 + u32::from_le_bytes(len.try_into().unwrap()) as usize;
        assert!(at <= bytes.len(), "truncated record");
        n += 1;
    }
    n
}

#[test]
fn ping_between_two_bridges() {
    let (client, server) = run_pair(config(1, vec![ping(5)]), config(2, vec![]));
    assert_eq!(client.stopped, StopReason::ClientsDone);
    let [Report::Ping(ping)] = &client.apps[..] else {
        panic!("{client:#?}");
    };
    assert_eq!((ping.sent, ping.received()), (5, 5), "{ping}");
    assert!(ping.is_complete(), "{ping}");
    assert_eq!(ping.rtts().count(), 5, "{ping}");
    assert_eq!(server.stack.icmp_in, 5);
    assert_eq!(server.stopped, StopReason::Requested);
}

#[test]
fn udp_client_and_echo_server() {
    let client = AppSpec::UdpClient(UdpClientSpec {
        count: 20,
        size: 1000,
        interval: StackDuration::from_millis(2),
        ..UdpClientSpec::new(SocketAddrV4::new(ip(2), 7))
    });
    let server = AppSpec::UdpEcho(UdpEchoSpec { port: 7 });
    let (client, server) = run_pair(config(1, vec![client]), config(2, vec![server]));
    let [Report::UdpClient(c)] = &client.apps[..] else {
        panic!("{client:#?}");
    };
    assert_eq!(
        (c.sent, c.received, c.corrupted, c.duplicates),
        (20, 20, 0, 0),
        "{c}"
    );
    assert!(c.is_complete(), "{c}");
    let [Report::UdpEcho(e)] = &server.apps[..] else {
        panic!("{server:#?}");
    };
    assert_eq!((e.echoed, e.bytes, e.unsent), (20, 20_000, 0), "{e}");
}

#[test]
fn seeded_loss_loses_frames_in_both_directions() {
    let mut client = config(1, vec![ping(40)]);
    client.ingress_loss = LossRate::new(0.25).unwrap();
    client.egress_loss = LossRate::new(0.25).unwrap();
    let (client, _) = run_pair(client, config(2, vec![]));
    let [Report::Ping(ping)] = &client.apps[..] else {
        panic!("{client:#?}");
    };
    assert!(
        client.bridge.ingress_lost > 0 && client.bridge.egress_lost > 0,
        "{client:#?}"
    );
    assert!(ping.received() > 0 && ping.received() < 40, "{ping}");
    assert!(!client.apps[0].is_complete());
    assert_eq!((ping.duplicates, ping.corrupted), (0, 0), "{ping}");
    assert_eq!(
        client.stack.frames_in + client.bridge.ingress_lost,
        client.bridge.frames_read,
        "every frame read is either lost or handed to the stack"
    );
}

#[test]
fn capture_holds_every_frame_the_stack_exchanged() {
    let path = temp_pcap("capture");
    let mut client = config(1, vec![ping(3)]);
    client.pcap = Some(path.clone());
    let (client, _) = run_pair(client, config(2, vec![]));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let expected = client.stack.frames_in + client.bridge.frames_written;
    assert_eq!(pcap_records(&bytes) as u64, expected, "{client:#?}");
}

#[test]
fn servers_alone_run_until_the_deadline_sleeping_between_events() {
    let (a, _b) = link();
    let mut config = config(1, vec![AppSpec::UdpEcho(UdpEchoSpec { port: 7 })]);
    config.run_for = Some(Duration::from_millis(300));
    let started = Instant::now();
    let report = Bridge::new(a, config).unwrap().run().unwrap();
    let took = started.elapsed();
    assert_eq!(report.stopped, StopReason::Deadline);
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(2),
        "{took:?}"
    );
    // An idle node wakes for its gratuitous ARP and the deadline, not on a
    // tick.
    assert!(report.bridge.wakeups <= 5, "{report:#?}");
}

#[test]
fn stop_wakes_a_sleeping_bridge_promptly() {
    let (a, _b) = link();
    let running = Bridge::new(a, config(1, vec![])).unwrap().spawn().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let asked = Instant::now();
    let report = running.stop().unwrap();
    assert_eq!(report.stopped, StopReason::Requested);
    assert!(
        asked.elapsed() < Duration::from_millis(500),
        "{:?}",
        asked.elapsed()
    );
}

#[test]
fn blocking_udp_socket_talks_through_a_running_bridge() {
    let (a, b) = link();
    let echo = AppSpec::UdpEcho(UdpEchoSpec { port: 7 });
    let server = Bridge::new(b, config(2, vec![echo]))
        .unwrap()
        .spawn()
        .unwrap();
    let bridge = Bridge::new(a, config(1, vec![])).unwrap();
    let net = bridge.net();
    let client = bridge.spawn().unwrap();

    let mut socket = net.bind_udp(0).unwrap();
    assert_eq!(*socket.local_addr().unwrap().ip(), ip(1));
    socket.set_read_timeout(Some(Duration::from_secs(2)));
    let echo_server = SocketAddrV4::new(ip(2), 7);
    let mut buf = [0u8; 64];
    for i in 0..10u8 {
        let message = [i; 20];
        assert_eq!(socket.send_to(&message, echo_server).unwrap(), 20);
        let (n, from) = socket.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..n], from), (&message[..], echo_server));
    }
    // Like std, a datagram longer than the buffer is truncated.
    socket.send_to(&[9; 40], echo_server).unwrap();
    let mut small = [0u8; 8];
    assert_eq!(socket.recv_from(&mut small).unwrap().0, 8);

    socket.set_read_timeout(Some(Duration::from_millis(50)));
    let err = socket.recv_from(&mut buf).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock, "as std on Unix");
    let port = socket.local_addr().unwrap().port();
    assert_eq!(net.bind_udp(port).unwrap_err().kind(), ErrorKind::AddrInUse);

    let report = client.stop().unwrap();
    assert_eq!(report.stack.udp_in, 11);
    let err = socket.recv_from(&mut buf).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotConnected, "the bridge stopped");
    server.stop().unwrap();
}

#[test]
fn tcp_source_to_sink_delivers_every_byte_under_loss() {
    let total = 300_000;
    let source = AppSpec::TcpSource(TcpSourceSpec {
        remote: SocketAddrV4::new(ip(2), 5001),
        bytes: total,
        seed: 9,
    });
    let mut client = config(1, vec![source]);
    client.ingress_loss = LossRate::new(0.05).unwrap();
    client.egress_loss = LossRate::new(0.05).unwrap();
    let sink = AppSpec::TcpSink(TcpSinkSpec { port: 5001 });
    let (client, server) = run_pair(client, config(2, vec![sink]));
    let [Report::TcpSource(sent)] = &client.apps[..] else {
        panic!("{client:#?}");
    };
    assert!(sent.is_complete(), "{sent}");
    let expected = sha256_hex(&Pattern::bytes(9, total as usize));
    assert_eq!(sent.sha256, expected);
    assert!(client.bridge.ingress_lost + client.bridge.egress_lost > 0);
    let [Report::TcpSink(sink)] = &server.apps[..] else {
        panic!("{server:#?}");
    };
    let [stream] = &sink.streams[..] else {
        panic!("{sink}");
    };
    assert_eq!((stream.bytes, &stream.sha256), (total, &expected), "{sink}");
    assert!(!stream.reset, "{sink}");
}

/// The std-style TCP API on both ends: our TcpStream against our
/// TcpListener, each on its own bridge, with ordinary blocking code.
#[test]
fn tcp_stream_and_listener_talk_through_running_bridges() {
    let (a, b) = link();
    let server = Bridge::new(b, config(2, vec![])).unwrap();
    let server_net = server.net();
    let server = server.spawn().unwrap();
    let client = Bridge::new(a, config(1, vec![])).unwrap();
    let net = client.net();
    let client = client.spawn().unwrap();

    let listener = server_net.listen_tcp(7).unwrap();
    assert_eq!(listener.local_addr().unwrap(), SocketAddrV4::new(ip(2), 7));
    let echo = std::thread::spawn(move || {
        let (mut stream, peer) = listener.accept().unwrap();
        assert_eq!(stream.peer_addr().unwrap(), peer);
        let mut writer = stream.try_clone().unwrap();
        let copied = std::io::copy(&mut stream, &mut writer).unwrap();
        stream.shutdown(Shutdown::Write).unwrap();
        copied
    });

    let mut stream = net
        .connect_tcp(SocketAddrV4::new(ip(2), 7), Some(Duration::from_secs(5)))
        .unwrap();
    assert_eq!(stream.peer_addr().unwrap(), SocketAddrV4::new(ip(2), 7));
    assert_eq!(*stream.local_addr().unwrap().ip(), ip(1));
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let data = Pattern::bytes(3, 200_000);
    let mut reader = stream.try_clone().unwrap();
    let read = std::thread::spawn(move || {
        let mut got = Vec::new();
        reader.read_to_end(&mut got).unwrap();
        got
    });
    stream.write_all(&data).unwrap();
    stream.flush().unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read.join().unwrap(), data);
    assert_eq!(echo.join().unwrap(), data.len() as u64);

    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    assert_eq!(stream.read(&mut [0u8; 8]).unwrap(), 0, "end of stream");
    let refused = net.connect_tcp(SocketAddrV4::new(ip(2), 9), Some(Duration::from_secs(5)));
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::ConnectionRefused);
    let silent = net.connect_tcp(
        SocketAddrV4::new(ip(3), 9),
        Some(Duration::from_millis(200)),
    );
    assert_eq!(silent.unwrap_err().kind(), ErrorKind::TimedOut);
    drop(stream);
    client.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn dhcp_client_gets_a_lease_from_our_server() {
    let (a, b) = link();
    let mut pool = DhcpServerSpec::new(ip(100), ip(150));
    pool.lease = StackDuration::from_secs(4);
    let server = Bridge::new(b, config(2, vec![AppSpec::DhcpServer(pool)]))
        .unwrap()
        .spawn()
        .unwrap();
    let mut client = config(1, vec![]);
    client.addressing = Addressing::Dhcp;
    client.run_for = Some(Duration::from_secs(5));
    let client = Bridge::new(a, client).unwrap().run().unwrap();
    let [Report::DhcpClient(dhcp)] = &client.apps[..] else {
        panic!("{client:#?}");
    };
    assert_eq!(
        dhcp.address,
        Some(Ipv4Cidr::new(ip(100), 24).unwrap()),
        "{dhcp}"
    );
    assert_eq!(dhcp.bound, 1, "{dhcp}");
    assert!(dhcp.renewals >= 1, "T1 is 2 s: {dhcp}");
    let server = server.stop().unwrap();
    let [Report::DhcpServer(leases)] = &server.apps[..] else {
        panic!("{server:#?}");
    };
    assert_eq!(
        leases.leases,
        [(EthernetAddress([2, 0, 0, 0, 0, 1]), ip(100))]
    );
}

#[test]
fn http_client_fetches_a_body_from_our_http_server() {
    let server = AppSpec::HttpServer(HttpServerSpec { port: 80 });
    let fetch = |path: &str| {
        AppSpec::HttpClient(HttpClientSpec {
            remote: SocketAddrV4::new(ip(2), 80),
            host: "seqs.example.test".into(),
            path: path.into(),
        })
    };
    let (client, server) = run_pair(
        config(
            1,
            vec![fetch("/bytes?n=200000"), fetch("/"), fetch("/nothing")],
        ),
        config(2, vec![server]),
    );
    let fetched: Vec<_> = client
        .apps
        .iter()
        .map(|r| match r {
            Report::HttpClient(h) => h.clone(),
            other => panic!("{other}"),
        })
        .collect();
    assert!(fetched.iter().all(|h| h.is_complete()), "{fetched:#?}");
    assert_eq!(fetched[0].status, Some(200));
    assert_eq!(
        fetched[0].sha256,
        sha256_hex(&Pattern::bytes(BODY_SEED, 200_000))
    );
    assert_eq!(fetched[1].sha256, sha256_hex(b"hello from seqs\n"));
    assert_eq!(fetched[2].status, Some(404));
    let [Report::HttpServer(served)] = &server.apps[..] else {
        panic!("{server:#?}");
    };
    assert_eq!(
        (served.greetings, served.bodies, served.body_bytes),
        (1, 1, 200_000),
        "{served}"
    );
}
