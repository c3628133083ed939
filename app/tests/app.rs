//! The application against peer `seqs` stacks: a DHCP, NTP and DNS server,
//! and an HTTP client that reads the status page and switches the LED.

mod support;

use std::net::Ipv4Addr;

use seqs::dhcp::{self, AddressRange, LeaseEntry, ServerConfig};
use seqs::dns::{ZoneData, ZoneEntry};
use seqs::http::{Body, Header, Progress, ResponseParser};
use seqs::socket::{Handle, Tcp};
use seqs::tcp::State;
use seqs::time::Duration;
use seqs::wire::dhcp::AddressList;
use seqs::wire::ntp::Epoch;
use seqs::wire::Ipv4Cidr;
use seqs::{dns, ntp, Endpoint};
use seqs_app::{Lookup, Utc};
use support::*;

/// The NTP server's wall clock at the start of the run (2027-01-15 08:00 UTC).
const T0_UNIX_MICROS: u64 = 1_800_000_000_000_000;

const ZONE: &[ZoneEntry<'static>] = &[ZoneEntry {
    name: "time.example.test",
    ttl: 300,
    data: ZoneData::A(Ipv4Addr::new(192, 0, 2, 123)),
}];

/// Peer 1: DHCP server (pool .100-.150, one-hour leases), NTP server and DNS
/// server for [`ZONE`]; the lease names it as router, DNS and (if
/// `offer_ntp`) NTP server.
fn infrastructure(offer_ntp: bool) -> Peer {
    let mut s = peer(1);
    let ranges: &'static [AddressRange] =
        Box::leak(Box::new([AddressRange::new(ip(100), ip(150)).unwrap()]));
    let mut config = ServerConfig::new(Ipv4Cidr::new(ip(1), 24).unwrap(), ranges);
    config.router = Some(ip(1));
    config.dns_servers = AddressList::from_slice(&[ip(1)]);
    if offer_ntp {
        config.ntp_servers = AddressList::from_slice(&[ip(1)]);
    }
    let server = dhcp::Server::new(config, vec![None::<LeaseEntry>; 8]).unwrap();
    s.add_dhcp_server(server, udp_socket()).unwrap();
    let epoch = Epoch::from_unix_micros(T0_UNIX_MICROS);
    s.add_ntp_server(
        ntp::Server::new(ntp::ServerConfig::new(epoch)),
        udp_socket(),
    )
    .unwrap();
    s.add_dns_server(dns::Server::new(ZONE), udp_socket())
        .unwrap();
    s
}

/// The app with a lookup of `time.example.test`, peer 1 serving and peer 2
/// as the HTTP client, run until it is addressed and has the time.
fn network(offer_ntp: bool, config: impl FnOnce(&mut seqs_app::Config<'static>)) -> Net {
    let app = app(|c| {
        c.lookup = Some("time.example.test");
        config(c);
    });
    let mut net = Net::new(app, vec![infrastructure(offer_ntp), peer(2)]);
    net.run_for(Duration::from_secs(20));
    net
}

fn address(net: &Net) -> Ipv4Addr {
    net.app
        .status(net.now)
        .address
        .expect("the app holds a lease")
        .address()
}

/// A response as the client read it.
#[derive(Debug)]
struct Reply {
    status: u16,
    fields: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn field(&self, name: &str) -> Option<&str> {
        let mut it = self.fields.iter();
        it.find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Opens a connection from peer 2 to the app's port 80.
fn connect(net: &mut Net) -> Handle<Tcp> {
    let to = Endpoint::new(address(net), 80);
    let now = net.now;
    let client = &mut net.peers[1];
    let h = client.add_tcp_socket(tcp_socket(8192, 2048)).unwrap();
    client.tcp_connect(h, now, to).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.peers[1].tcp(h).unwrap().state(), State::Established);
    h
}

/// Sends `request` on `h` and reads one response.
fn exchange(net: &mut Net, h: Handle<Tcp>, request: &str) -> Reply {
    let sent = net.peers[1].tcp(h).unwrap().send_slice(request.as_bytes());
    assert_eq!(sent, Ok(request.len()));
    net.run_for(Duration::from_millis(500));
    let mut bytes = vec![0u8; 8192];
    let n = net.peers[1].tcp(h).unwrap().recv_slice(&mut bytes).unwrap();
    parse(&bytes[..n], request.starts_with("HEAD"))
}

fn parse(bytes: &[u8], head: bool) -> Reply {
    let mut fields = [Header::EMPTY; 16];
    let mut parser = ResponseParser::new();
    if head {
        parser = parser.request_method("HEAD");
    }
    let Ok(Progress::Done(response)) = parser.parse(bytes, &mut fields) else {
        panic!(
            "no complete response in {:?}",
            String::from_utf8_lossy(bytes)
        );
    };
    let body = match response.body() {
        Body::Length(n) => &bytes[response.head_len()..response.head_len() + n as usize],
        Body::None => &[][..],
        other => panic!("unexpected framing {other:?}"),
    };
    assert_eq!(
        response.head_len() + body.len(),
        bytes.len(),
        "exactly one response"
    );
    Reply {
        status: response.status(),
        fields: response
            .headers()
            .iter()
            .map(|f| {
                (
                    f.name().to_owned(),
                    String::from_utf8_lossy(f.value()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

#[test]
fn leases_an_address_learns_the_time_and_resolves_the_name() {
    let net = network(true, |_| {});
    let status = net.app.status(net.now);
    let addr = address(&net);
    assert!((100..=150).contains(&addr.octets()[3]), "{addr}");
    assert_eq!(status.gateway, Some(ip(1)));
    assert_eq!(status.dhcp, Some(dhcp::ClientState::Bound));
    let left = status.lease_remaining.unwrap();
    assert!(
        left > Duration::from_secs(3570) && left < Duration::from_secs(3600),
        "{left:?}"
    );
    assert_eq!(status.ntp_server, Some(ip(1)));
    let wall = status.unix_micros.expect("NTP synchronised");
    let expected = T0_UNIX_MICROS + net.now.total_micros();
    assert!(wall.abs_diff(expected) < 1_000, "{wall} vs {expected}");
    assert_eq!(
        status.lookup,
        Lookup::Resolved(Ipv4Addr::new(192, 0, 2, 123))
    );
    assert!(!status.led);
    assert_eq!(net.app.led().history, [false], "switched off at start");
}

#[test]
fn status_page_shows_lease_and_time_and_the_led_follows_the_endpoints() {
    let mut net = network(true, |_| {});
    let h = connect(&mut net);

    let page = exchange(&mut net, h, "GET / HTTP/1.1\r\nHost: pico\r\n\r\n");
    assert_eq!(page.status, 200);
    assert_eq!(page.field("content-type"), Some("text/html; charset=utf-8"));
    let addr = address(&net);
    assert!(
        page.body.contains(&format!("<td>{addr}/24</td>")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(" left</td>"),
        "lease time: {}",
        page.body
    );
    let today = Utc(T0_UNIX_MICROS).to_string();
    assert!(
        page.body.contains(&today[..13]),
        "NTP time {today}: {}",
        page.body
    );
    assert!(page.body.contains("time.example.test &rarr; 192.0.2.123"));
    assert!(page.body.contains("<th>LED</th><td>off</td>"));
    // Room for every counter to grow to 20 digits.
    assert!(
        page.body.len() + 14 * 19 < seqs_app::BODY_MAX,
        "{}",
        page.body.len()
    );

    let on = exchange(&mut net, h, "POST /led/on HTTP/1.1\r\nHost: pico\r\n\r\n");
    assert_eq!((on.status, on.body.as_str()), (200, "{\"led\":\"on\"}\n"));
    assert_eq!(on.field("content-type"), Some("application/json"));
    assert_eq!(net.app.led().history, [false, true]);

    let again = exchange(
        &mut net,
        h,
        "POST /led/on HTTP/1.1\r\nHost: pico\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(again.status, 200);
    assert_eq!(
        net.app.led().history,
        [false, true],
        "already on: not switched again"
    );

    let text = exchange(
        &mut net,
        h,
        "GET /led HTTP/1.1\r\nHost: pico\r\nAccept: text/plain\r\n\r\n",
    );
    assert_eq!((text.status, text.body.as_str()), (200, "on\n"));
    let page = exchange(&mut net, h, "GET / HTTP/1.1\r\nHost: pico\r\n\r\n");
    assert!(page.body.contains("<th>LED</th><td>on</td>"));

    let off = exchange(
        &mut net,
        h,
        "POST /led/off HTTP/1.1\r\nHost: pico\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(
        (off.status, off.body.as_str()),
        (200, "{\"led\":\"off\"}\n")
    );
    assert_eq!(off.field("connection"), Some("close"));
    assert_eq!(net.app.led().history, [false, true, false]);
    assert!(!net.app.led_on());
    net.run_for(Duration::from_secs(1));
    let state = net.peers[1].tcp(h).unwrap().state();
    assert!(
        matches!(state, State::CloseWait | State::Closed),
        "{state:?}"
    );
}

#[test]
fn ntp_falls_back_to_the_configured_server_when_the_lease_names_none() {
    let net = network(false, |c| c.ntp_server = Some(ip(1)));
    let status = net.app.status(net.now);
    assert_eq!(status.ntp_server, Some(ip(1)));
    assert!(status.unix_micros.is_some());

    let silent = network(false, |_| {});
    let status = silent.app.status(silent.now);
    assert_eq!((status.ntp_server, status.unix_micros), (None, None));
}

#[test]
fn wrong_requests_get_errors_and_listeners_come_back() {
    let mut net = network(true, |_| {});
    let h = connect(&mut net);
    let missing = exchange(&mut net, h, "GET /nope HTTP/1.1\r\nHost: pico\r\n\r\n");
    assert_eq!(missing.status, 404);
    let wrong = exchange(&mut net, h, "GET /led/on HTTP/1.1\r\nHost: pico\r\n\r\n");
    assert_eq!((wrong.status, wrong.field("allow")), (405, Some("POST")));
    assert_eq!(
        net.app.led().history,
        [false],
        "a GET never switches the LED"
    );
    let head = exchange(&mut net, h, "HEAD / HTTP/1.1\r\nHost: pico\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(
        head.field("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap()
            > 500
    );

    let bad = exchange(&mut net, h, "GARBAGE\r\n\r\n");
    assert_eq!((bad.status, bad.field("connection")), (400, Some("close")));

    // Every connection slot, used and closed over and over, comes back.
    for round in 0..8 {
        let h = connect(&mut net);
        let reply = exchange(
            &mut net,
            h,
            "GET /led HTTP/1.1\r\nHost: pico\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(reply.status, 200, "round {round}");
        net.peers[1].tcp(h).unwrap().close();
        net.run_for(Duration::from_secs(1));
        net.peers[1].remove_socket(h);
    }
}

#[test]
fn a_request_split_across_segments_is_answered_once_whole() {
    let mut net = network(true, |_| {});
    let h = connect(&mut net);
    let sent = net.peers[1]
        .tcp(h)
        .unwrap()
        .send_slice(b"POST /led/on HTTP/1.1\r\nHo");
    assert_eq!(sent, Ok(25));
    net.run_for(Duration::from_millis(300));
    assert_eq!(
        net.peers[1].tcp(h).unwrap().recv_queue(),
        0,
        "no answer yet"
    );
    let reply = exchange(&mut net, h, "st: pico\r\n\r\n");
    assert_eq!(reply.status, 200);
    assert_eq!(net.app.led().history, [false, true]);
}

#[test]
fn sleeps_when_idle() {
    let mut net = network(true, |_| {});
    let deadline = net.app.poll_at().expect("NTP and DHCP timers");
    assert!(
        deadline > net.now + Duration::from_secs(10),
        "{deadline:?} at {:?}",
        net.now
    );
    net.run_for(Duration::from_secs(3600 * 3));
    assert!(
        net.app.status(net.now).address.is_some(),
        "the lease was renewed"
    );
}

#[test]
fn a_failed_lookup_is_shown_and_retried() {
    let mut net = network(true, |c| c.lookup = Some("missing.example.test"));
    let status = net.app.status(net.now);
    assert_eq!(status.lookup, Lookup::Failed(dns::Error::NameError));
    let queries_before = dns_queries(&net);
    net.run_for(Duration::from_secs(31));
    assert!(dns_queries(&net) > queries_before, "asked again after 30 s");

    let h = connect(&mut net);
    let page = exchange(&mut net, h, "GET / HTTP/1.1\r\nHost: pico\r\n\r\n");
    assert!(
        page.body
            .contains("missing.example.test &rarr; failed (NameError)"),
        "{}",
        page.body
    );
}

/// UDP datagrams the app sent: in the window measured only DNS is due (the
/// NTP burst ended before, the next is 64 s later, DHCP renews after 30 min).
fn dns_queries(net: &Net) -> u64 {
    net.app.stack().counters().udp_out
}

/// The lease the status page shows.
fn lease_of(net: &Net) -> seqs::dhcp::Lease {
    net.app.status(net.now).lease.expect("a lease")
}

#[test]
fn link_up_on_the_same_network_keeps_the_lease() {
    let mut net = network(true, |_| {});
    let before = lease_of(&net);
    let relinked = net.now;
    net.app.link_up(relinked);
    assert!(
        net.app.poll_at().is_some_and(|t| t <= relinked),
        "the REQUEST is due at once"
    );
    net.run_for(Duration::from_millis(1));
    let after = lease_of(&net);
    assert_eq!(after.address, before.address);
    assert_eq!(after.expires_at, relinked + Duration::from_secs(3600));
    let status = net.app.status(net.now);
    assert_eq!(status.dhcp, Some(dhcp::ClientState::Bound));
    assert_eq!(status.ntp_server, Some(ip(1)));
    assert_eq!(
        status.lookup,
        Lookup::Resolved(Ipv4Addr::new(192, 0, 2, 123)),
        "nothing to redo"
    );
}

#[test]
fn link_up_on_another_network_takes_a_lease_there() {
    let mut net = network(true, |_| {});
    let router = Ipv4Addr::new(198, 51, 100, 1);
    let mut other = peer(3);
    let cidr = Ipv4Cidr::new(router, 24).unwrap();
    other.set_ipv4_address(net.now, Some(cidr));
    let pool = AddressRange::new(
        Ipv4Addr::new(198, 51, 100, 100),
        Ipv4Addr::new(198, 51, 100, 150),
    );
    let ranges: &'static [AddressRange] = Box::leak(Box::new([pool.unwrap()]));
    let mut config = ServerConfig::new(cidr, ranges);
    config.router = Some(router);
    let server = dhcp::Server::new(config, vec![None::<LeaseEntry>; 8]).unwrap();
    other.add_dhcp_server(server, udp_socket()).unwrap();
    net.peers = vec![other];

    net.app.link_up(net.now);
    net.run_for(Duration::from_secs(1));
    let status = net.app.status(net.now);
    let address = status.address.expect("bound there").address();
    assert_eq!(address.octets()[..3], [198, 51, 100]);
    assert_eq!(status.gateway, Some(router));
    assert_eq!(status.dhcp, Some(dhcp::ClientState::Bound));
    assert_eq!(
        status.lookup,
        Lookup::Idle,
        "the new lease names no DNS server"
    );
}
