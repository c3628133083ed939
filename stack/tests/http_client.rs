//! The HTTP client against the server of `http_server_harness` (and a few
//! hand-driven raw sockets) over two stacks on an in-memory link.

mod http_server_harness;
mod support;

use std::net::SocketAddrV4;

use http_server_harness::*;
use seqs::http::client::{Client, Config, Error, Event, Fetched, Outgoing};
use seqs::http::Body;
use seqs::socket::{Handle, Tcp};
use seqs::time::{Duration, Instant};
use support::*;

fn client(net: &mut Net, port: u16, buf: usize) -> Client<'static> {
    let h = net.link.nodes[0]
        .add_tcp_socket(tcp_socket(8192, 8192))
        .unwrap();
    let buf = Box::leak(vec![0u8; buf].into_boxed_slice());
    let config = Config {
        timeout: Duration::from_secs(30),
        ..Config::default()
    };
    Client::new(h, SocketAddrV4::new(ip(2), port), buf, config)
}

/// Runs the link, polling `step` with the client's stack after every
/// round, until it returns a value.
fn drive<T>(net: &mut Net, mut step: impl FnMut(Instant, &mut TestStack) -> Option<T>) -> T {
    let deadline = net.now() + Duration::from_secs(120);
    while net.now() < deadline {
        net.tick();
        let now = net.now();
        if let Some(value) = step(now, &mut net.link.nodes[0]) {
            net.link.drain_all();
            return value;
        }
        net.link.drain_all();
    }
    panic!("no result in two minutes");
}

fn fetch(net: &mut Net, c: &mut Client<'_>, out: &mut [u8]) -> Result<Fetched, Error> {
    drive(net, |now, s| c.read_into(now, s, out).transpose())
}

fn get(net: &mut Net, c: &mut Client<'_>, target: &str) -> Result<(u16, Vec<u8>), Error> {
    let now = net.now();
    c.get(now, &mut net.link.nodes[0], target, "a")?;
    let mut out = vec![0u8; 65536];
    let f = fetch(net, c, &mut out)?;
    Ok((f.status, out[..f.len].to_vec()))
}

fn local_port(net: &mut Net, h: Handle<Tcp>) -> u16 {
    net.link.nodes[0].tcp(h).unwrap().local_endpoint().port()
}

#[test]
fn sequential_gets_reuse_one_connection() {
    let mut net = Net::new();
    let mut c = client(&mut net, PORT, 1024);
    let mut ports = Vec::new();
    for i in 1..=5 {
        assert_eq!(
            get(&mut net, &mut c, "/count"),
            Ok((200, i.to_string().into_bytes()))
        );
        ports.push(local_port(&mut net, c.handle()));
    }
    ports.dedup();
    assert_eq!(ports.len(), 1, "one connection for all requests");
    assert_eq!(get(&mut net, &mut c, "/nope").unwrap().0, 404);
    assert_eq!(
        get(&mut net, &mut c, "/").unwrap(),
        (200, b"hello".to_vec())
    );
}

#[test]
fn post_sends_a_body_and_reads_the_echo() {
    let mut net = Net::new();
    let mut c = client(&mut net, PORT, 2048);
    let body = pattern(9, 0, 1500);
    let now = net.now();
    c.post(
        now,
        &mut net.link.nodes[0],
        "/echo",
        "a",
        b"application/octet-stream",
        &body,
    )
    .unwrap();
    let mut out = vec![0u8; 4096];
    let f = fetch(&mut net, &mut c, &mut out).unwrap();
    assert_eq!((f.status, &out[..f.len]), (200, &body[..]));
}

#[test]
fn a_chunked_body_streams_through_a_small_buffer() {
    let mut net = Net::new();
    let mut c = client(&mut net, PORT, 300);
    for _ in 0..2 {
        let now = net.now();
        c.get(now, &mut net.link.nodes[0], "/stream", "a").unwrap();
        let mut head = None;
        let mut body = Vec::new();
        let mut pieces = 0;
        drive(&mut net, |now, s| loop {
            match c.poll(now, s).unwrap() {
                None => return None,
                Some(Event::Head(h)) => {
                    assert_eq!(
                        c.response_header("transfer-encoding"),
                        Some(&b"chunked"[..])
                    );
                    head = Some(h);
                }
                Some(Event::Data(d)) => {
                    assert!(d.len() <= 300);
                    body.extend_from_slice(d);
                    pieces += 1;
                }
                Some(Event::Done) => return Some(()),
            }
        });
        let head = head.unwrap();
        assert_eq!(
            (head.status, head.body, head.keep_alive),
            (200, Body::Chunked, true)
        );
        assert!(body == stream_body());
        assert!(pieces > 40);
    }
}

#[test]
fn a_body_larger_than_the_callers_buffer_is_an_error() {
    let mut net = Net::new();
    let mut c = client(&mut net, PORT, 1024);
    let now = net.now();
    c.get(now, &mut net.link.nodes[0], "/stream", "a").unwrap();
    let mut out = vec![0u8; 1000];
    assert_eq!(fetch(&mut net, &mut c, &mut out), Err(Error::BodyTooLarge));
    assert!(c.is_idle());
    assert_eq!(
        get(&mut net, &mut c, "/").unwrap().1,
        b"hello",
        "the client recovers"
    );
}

#[test]
fn connection_close_makes_the_next_request_reconnect() {
    let mut net = Net::new();
    let mut c = client(&mut net, PORT, 1024);
    let mut ports = Vec::new();
    for _ in 0..3 {
        let now = net.now();
        let close = Outgoing {
            headers: &[("Connection", b"close")],
            ..Outgoing::get("/", "a")
        };
        c.request(now, &mut net.link.nodes[0], &close).unwrap();
        let mut out = [0u8; 64];
        let f = fetch(&mut net, &mut c, &mut out).unwrap();
        assert_eq!(&out[..f.len], b"hello");
        ports.push(local_port(&mut net, c.handle()));
    }
    ports.dedup();
    assert_eq!(ports.len(), 3, "a new connection each time");
}

#[test]
fn a_connection_the_server_dropped_while_idle_is_replaced() {
    let mut net = Net::new();
    let mut c = client(&mut net, PORT, 1024);
    assert_eq!(get(&mut net, &mut c, "/").unwrap().0, 200);
    net.run_for(Duration::from_secs(12));
    assert_eq!(get(&mut net, &mut c, "/").unwrap().0, 200);
}

#[test]
fn a_refused_connection_is_reported() {
    let mut net = Net::new();
    let mut c = client(&mut net, 9, 1024);
    assert_eq!(get(&mut net, &mut c, "/"), Err(Error::Reset));
}

/// A raw server on port 81 of node 1 that answers the first request with
/// `response` and then closes (or stays silent when `response` is None).
fn raw_server(net: &mut Net, response: Option<&'static [u8]>) -> impl FnMut(&mut Net) {
    let h = net.link.nodes[1]
        .add_tcp_socket(tcp_socket(4096, 4096))
        .unwrap();
    net.link.nodes[1].tcp_listen(h, 81).unwrap();
    let mut answered = false;
    move |net: &mut Net| {
        let s = net.link.nodes[1].tcp(h).unwrap();
        let mut buf = [0u8; 1024];
        if s.recv_slice(&mut buf).unwrap_or(0) > 0 && !answered {
            if let Some(response) = response {
                s.send_slice(response).unwrap();
                s.close();
            }
            answered = true;
        }
    }
}

fn raw_get(
    net: &mut Net,
    response: Option<&'static [u8]>,
    timeout: Duration,
) -> Result<Fetched, Error> {
    let mut server = raw_server(net, response);
    let mut c = client(net, 81, 1024);
    let now = net.now();
    c.get(now, &mut net.link.nodes[0], "/", "a").unwrap();
    let mut out = [0u8; 256];
    let deadline = now + timeout;
    loop {
        net.tick();
        server(net);
        let now = net.now();
        let got = c.read_into(now, &mut net.link.nodes[0], &mut out);
        net.link.drain_all();
        match got {
            Ok(None) if now < deadline => {}
            Ok(None) => panic!("no outcome"),
            Ok(Some(f)) => {
                assert_eq!(&out[..f.len], b"until close");
                return Ok(f);
            }
            Err(e) => return Err(e),
        }
    }
}

#[test]
fn a_body_delimited_by_close_is_read_to_the_end() {
    let mut net = Net::new();
    let response = b"HTTP/1.0 200 OK\r\nServer: raw\r\n\r\nuntil close";
    let f = raw_get(&mut net, Some(response), Duration::from_secs(5)).unwrap();
    assert_eq!(
        f,
        Fetched {
            status: 200,
            len: 11
        }
    );
}

#[test]
fn a_malformed_response_is_an_error() {
    let mut net = Net::new();
    let got = raw_get(
        &mut net,
        Some(b"HTTP/1.1 2xx OK\r\n\r\n"),
        Duration::from_secs(5),
    );
    assert_eq!(got, Err(Error::Response(seqs::http::Error::StatusLine)));
}

#[test]
fn a_response_cut_short_is_an_error() {
    let mut net = Net::new();
    let got = raw_get(
        &mut net,
        Some(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort"),
        Duration::from_secs(5),
    );
    assert_eq!(got, Err(Error::Closed));
}

#[test]
fn a_silent_server_times_out() {
    let mut net = Net::new();
    let got = raw_get(&mut net, None, Duration::from_secs(40));
    assert_eq!(got, Err(Error::Timeout));
}

#[test]
fn requests_complete_intact_over_a_lossy_link() {
    for seed in 0..4 {
        let link = Link::lossy(vec![stack(1, true), stack(2, true)], 0.1, seed);
        let mut net = Net::with_link(link, seqs::http::server::Config::new(PORT));
        let mut c = client(&mut net, PORT, 1024);
        for i in 0..3 {
            let (status, body) = get(&mut net, &mut c, "/stream").unwrap();
            assert_eq!(status, 200, "seed {seed} round {i}");
            assert!(body == stream_body(), "seed {seed} round {i}");
        }
    }
}
