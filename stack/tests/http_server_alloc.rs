//! Serving and making requests in steady state performs zero heap
//! allocations: a counting global allocator watches a keep-alive client
//! (raw socket, then the crate's client) fetch, post and stream through the
//! server, all storage fixed at setup.

mod counting_alloc;
mod http_server_harness;
mod support;

use std::net::SocketAddrV4;

use counting_alloc::{allocations, Counting};
use http_server_harness::*;
use seqs::http::client::{self, Client, Outgoing};
use seqs::http::server::{Config, Server};
use seqs::http::{Body, Header, Progress, ResponseParser};
use seqs::time::{Duration, Instant};
use support::*;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Whether `bytes` hold one complete response; its status if so.
fn complete(bytes: &[u8]) -> Option<u16> {
    let mut headers = [Header::EMPTY; 16];
    let Ok(Progress::Done(r)) = ResponseParser::new().parse(bytes, &mut headers) else {
        return None;
    };
    let body = bytes.len() - r.head_len();
    let whole = match r.body() {
        Body::Length(n) => body as u64 == n,
        Body::Chunked => bytes.ends_with(b"\r\n0\r\n\r\n"),
        Body::None | Body::UntilClose => true,
    };
    whole.then_some(r.status())
}

const REQUESTS: [&[u8]; 4] = [
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
    b"PUT /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n",
];

/// Node 1 (client side) and node 2 (server side), wired back to back.
struct Pair {
    a: TestStack,
    b: TestStack,
    server: Server<'static, App, SLOTS>,
    app: App,
    now: Instant,
    frame: [u8; 1600],
}

impl Pair {
    fn new() -> Self {
        let a = stack(1, true);
        let mut b = stack(2, true);
        let server = server(&mut b, Config::new(PORT));
        let mut pair = Pair {
            a,
            b,
            server,
            app: App::default(),
            now: Instant::from_secs(1),
            frame: [0u8; 1600],
        };
        pair.exchange();
        pair
    }

    /// Advances 1 ms, then serves and moves frames until both are quiet.
    fn exchange(&mut self) {
        self.now += Duration::from_millis(1);
        loop {
            self.server.poll(self.now, &mut self.b, &mut self.app);
            let mut moved = false;
            while let Some(n) = self.a.transmit(self.now, &mut self.frame) {
                self.b.receive(self.now, &self.frame[..n]);
                moved = true;
            }
            while let Some(n) = self.b.transmit(self.now, &mut self.frame) {
                self.a.receive(self.now, &self.frame[..n]);
                moved = true;
            }
            if !moved {
                return;
            }
        }
    }

    fn busy_slots(&self) -> usize {
        self.server
            .connections()
            .iter()
            .filter(|c| c.is_busy())
            .count()
    }
}

/// Runs `request` for each of the warm-up rounds, then 200 more with the
/// allocator watching.
fn steady_state(mut request: impl FnMut(usize)) {
    for i in 0..REQUESTS.len() {
        request(i); // warm-up: ARP, handshake
    }
    let before = allocations();
    for i in 0..200 {
        request(i % REQUESTS.len());
    }
    assert_eq!(allocations() - before, 0, "heap allocations per request");
}

#[test]
fn serving_requests_does_not_allocate() {
    let mut p = Pair::new();
    let client = p.a.add_tcp_socket(tcp_socket(8192, 8192)).unwrap();
    p.a.tcp_connect(client, p.now, SocketAddrV4::new(ip(2), PORT))
        .unwrap();
    let mut response = vec![0u8; 65536];
    steady_state(|i| {
        let (mut sent, mut len) = (0, 0);
        loop {
            let s = p.a.tcp(client).unwrap();
            sent += s.send_slice(&REQUESTS[i][sent..]).unwrap();
            len += s.recv_slice(&mut response[len..]).unwrap();
            if let Some(status) = complete(&response[..len]) {
                assert_eq!(status, 200);
                return;
            }
            p.exchange();
        }
    });
    assert_eq!(
        p.busy_slots(),
        1,
        "one keep-alive connection served them all"
    );
}

#[test]
fn the_client_does_not_allocate_either() {
    let mut p = Pair::new();
    let h = p.a.add_tcp_socket(tcp_socket(8192, 8192)).unwrap();
    let buf = Box::leak(vec![0u8; 1024].into_boxed_slice());
    let mut c = Client::new(
        h,
        SocketAddrV4::new(ip(2), PORT),
        buf,
        client::Config::default(),
    );
    let mut body = vec![0u8; 65536];
    steady_state(|i| {
        let request = match i {
            0 => Outgoing::get("/", "a"),
            1 => Outgoing {
                method: "POST",
                body: b"hello world",
                ..Outgoing::get("/echo", "a")
            },
            2 => Outgoing::get("/count", "a"),
            _ => Outgoing::get("/stream", "a"),
        };
        c.request(p.now, &mut p.a, &request).unwrap();
        loop {
            p.exchange();
            if let Some(f) = c.read_into(p.now, &mut p.a, &mut body).unwrap() {
                assert_eq!(f.status, 200);
                return;
            }
        }
    });
    assert_eq!(
        p.busy_slots(),
        1,
        "one keep-alive connection served them all"
    );
}
