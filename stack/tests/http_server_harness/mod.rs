//! Shared by the HTTP server and client tests: an application with several
//! routes, a server on node 1 (192.0.2.2:80) of an in-memory link, a driver
//! loop that polls the server between receiving and transmitting, and a
//! response splitter built on the crate's own parsers.
#![allow(dead_code)]

use std::net::SocketAddrV4;

use seqs::http::server::{Config, Connection, ResponseWriter, Route, Server};
use seqs::http::{
    Body, Chunk, ChunkedDecoder, Header, Progress, Request, ResponseParser, WriteError,
};
use seqs::socket::{Handle, Tcp};
use seqs::tcp::State;
use seqs::time::{Duration, Instant};

use crate::support::*;

pub const SLOTS: usize = 4;
pub const PORT: u16 = 80;
/// Parts of `/stream`, each one chunk of `PART` bytes.
pub const PARTS: u32 = 40;
pub const PART: usize = 1000;

/// The application state handlers see.
#[derive(Debug, Default)]
pub struct App {
    pub hits: u32,
    pub led: bool,
}

fn hello(
    _: &mut App,
    _: &Request<'_, '_>,
    _: &[u8],
    w: &mut ResponseWriter<'_>,
) -> Result<(), WriteError> {
    w.send(200, "OK", &[("Content-Type", b"text/plain")], b"hello")
}

fn count(
    app: &mut App,
    _: &Request<'_, '_>,
    _: &[u8],
    w: &mut ResponseWriter<'_>,
) -> Result<(), WriteError> {
    app.hits += 1;
    let mut digits = [0u8; 10];
    let mut n = app.hits;
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    w.send(200, "OK", &[], &digits[at..])
}

fn echo(
    _: &mut App,
    _: &Request<'_, '_>,
    body: &[u8],
    w: &mut ResponseWriter<'_>,
) -> Result<(), WriteError> {
    w.send(
        200,
        "OK",
        &[("Content-Type", b"application/octet-stream")],
        body,
    )
}

fn led_get(
    app: &mut App,
    _: &Request<'_, '_>,
    _: &[u8],
    w: &mut ResponseWriter<'_>,
) -> Result<(), WriteError> {
    let state: &[u8] = if app.led { b"on" } else { b"off" };
    w.send(200, "OK", &[], state)
}

fn led_put(
    app: &mut App,
    _: &Request<'_, '_>,
    body: &[u8],
    w: &mut ResponseWriter<'_>,
) -> Result<(), WriteError> {
    match body {
        b"on" | b"off" => {
            app.led = body == b"on";
            w.send(204, "No Content", &[], b"")
        }
        _ => w.send(400, "Bad Request", &[], b"on or off"),
    }
}

/// A chunked body larger than the staging buffer, one part per call.
fn stream(
    _: &mut App,
    _: &Request<'_, '_>,
    _: &[u8],
    w: &mut ResponseWriter<'_>,
) -> Result<(), WriteError> {
    if w.part() == 0 {
        w.send_chunked(200, "OK", &[])?;
    }
    let mut part = [0u8; PART];
    fill_part(w.part(), &mut part);
    w.chunk(&part)?;
    if w.part() + 1 < PARTS {
        w.call_again();
    }
    Ok(())
}

/// The bytes of part `p` of `/stream`.
fn fill_part(p: u32, out: &mut [u8]) {
    for (i, b) in out.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(31).wrapping_add(p as u8);
    }
}

/// A handler that fails: the server answers 500 for it.
fn broken(
    _: &mut App,
    _: &Request<'_, '_>,
    _: &[u8],
    _: &mut ResponseWriter<'_>,
) -> Result<(), WriteError> {
    Err(WriteError::BufferFull)
}

pub static ROUTES: [Route<App>; 8] = [
    Route::new("GET", "/", hello),
    Route::new("GET", "/count", count),
    Route::new("POST", "/echo", echo),
    Route::new("PUT", "/echo", echo),
    Route::new("GET", "/led", led_get),
    Route::new("PUT", "/led", led_put),
    Route::new("GET", "/stream", stream),
    Route::new("GET", "/broken", broken),
];

fn leak(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

/// A server with [`SLOTS`] slots on `stack`: 2 KiB request and staging
/// buffers and 4 KiB TCP buffers per slot.
pub fn server(stack: &mut TestStack, config: Config) -> Server<'static, App, SLOTS> {
    let slots = core::array::from_fn(|_| {
        let h = stack.add_tcp_socket(tcp_socket(4096, 4096)).unwrap();
        Connection::new(h, leak(2048), leak(2048))
    });
    Server::new(config, &ROUTES, slots)
}

/// Two stacks on a link, node 1 serving on port 80.
pub struct Net {
    pub link: Link,
    pub server: Server<'static, App, SLOTS>,
    pub app: App,
    /// Driver granularity: frames and timers are handled at this pace.
    pub tick: Duration,
    /// Client sockets on node 0, reused once closed.
    pub clients: Vec<Handle<Tcp>>,
}

impl Net {
    pub fn new() -> Self {
        Net::with_link(
            Link::new(vec![stack(1, true), stack(2, true)]),
            Config::new(PORT),
        )
    }

    pub fn with_link(mut link: Link, config: Config) -> Self {
        let slots = core::array::from_fn(|_| {
            let h = link.nodes[1]
                .add_tcp_socket(tcp_socket(4096, 4096))
                .unwrap();
            Connection::new(h, leak(2048), leak(2048))
        });
        let mut net = Net {
            link,
            server: Server::new(config, &ROUTES, slots),
            app: App::default(),
            tick: Duration::from_micros(500),
            clients: Vec::new(),
        };
        let now = net.now();
        net.server.poll(now, &mut net.link.nodes[1], &mut net.app);
        net
    }

    /// One driver round: deliver and transmit what is due, then let the
    /// server work and transmit what it queued.
    pub fn tick(&mut self) {
        self.link.run_for(self.tick);
        let now = self.link.now;
        self.server
            .poll(now, &mut self.link.nodes[1], &mut self.app);
        self.link.drain_all();
    }

    pub fn run_for(&mut self, d: Duration) {
        let end = self.link.now + d;
        while self.link.now < end {
            self.tick();
        }
    }

    pub fn now(&self) -> Instant {
        self.link.now
    }

    /// A client socket on node 0 connecting to the server.
    pub fn connect(&mut self) -> Handle<Tcp> {
        let client = &mut self.link.nodes[0];
        let free = self.clients.iter().copied().find(|&h| {
            let s = client.tcp(h).unwrap();
            if s.state() == State::TimeWait {
                s.abort();
            }
            s.state() == State::Closed
        });
        let h = free.unwrap_or_else(|| {
            let h = client.add_tcp_socket(tcp_socket(8192, 8192)).unwrap();
            self.clients.push(h);
            h
        });
        let now = self.link.now;
        self.link.nodes[0]
            .tcp_connect(h, now, SocketAddrV4::new(ip(2), PORT))
            .unwrap();
        h
    }

    /// Sends `request` bytes on `h` as the send buffer allows and collects
    /// responses until `n` are complete or the connection is closed.
    pub fn exchange(&mut self, h: Handle<Tcp>, request: &[u8], n: usize) -> Exchange {
        let mut ex = Exchange::default();
        let deadline = self.now() + Duration::from_secs(60);
        let mut sent = 0;
        while self.now() < deadline {
            self.tick();
            let s = self.link.nodes[0].tcp(h).unwrap();
            if sent < request.len() {
                sent += s.send_slice(&request[sent..]).unwrap_or(0);
            }
            let mut buf = [0u8; 4096];
            loop {
                match s.recv_slice(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => ex.raw.extend_from_slice(&buf[..k]),
                    Err(_) => {
                        ex.closed = true;
                        break;
                    }
                }
            }
            ex.responses = split_responses(&ex.raw);
            if ex.responses.len() >= n || ex.closed {
                break;
            }
        }
        ex
    }

    /// One request on a fresh connection; the connection is closed after.
    pub fn one(&mut self, request: &[u8]) -> Exchange {
        let h = self.connect();
        let ex = self.exchange(h, request, 1);
        self.link.nodes[0].tcp(h).unwrap().close();
        ex
    }
}

#[derive(Debug, Default)]
pub struct Exchange {
    pub raw: Vec<u8>,
    pub responses: Vec<Reply>,
    /// The server closed the connection.
    pub closed: bool,
}

/// A complete response, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

/// The complete responses at the start of `bytes` (interim 1xx skipped).
pub fn split_responses(mut bytes: &[u8]) -> Vec<Reply> {
    let mut out = Vec::new();
    while let Some((reply, used)) = one_response(bytes) {
        bytes = &bytes[used..];
        if reply.status >= 200 {
            out.push(reply);
        }
    }
    out
}

fn one_response(bytes: &[u8]) -> Option<(Reply, usize)> {
    let mut headers = [Header::EMPTY; 32];
    let Ok(Progress::Done(r)) = ResponseParser::new().parse(bytes, &mut headers) else {
        return None;
    };
    let mut reply = Reply {
        status: r.status(),
        headers: r
            .headers()
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_vec()))
            .collect(),
        body: Vec::new(),
    };
    let rest = &bytes[r.head_len()..];
    let used = match r.body() {
        Body::None => 0,
        Body::Length(n) => {
            let n = n as usize;
            reply.body = rest.get(..n)?.to_vec();
            n
        }
        Body::Chunked => dechunk(rest, &mut reply.body)?,
        Body::UntilClose => {
            reply.body = rest.to_vec();
            rest.len()
        }
    };
    Some((reply, r.head_len() + used))
}

/// Decodes a whole chunked body; returns its wire length.
fn dechunk(mut rest: &[u8], body: &mut Vec<u8>) -> Option<usize> {
    let mut decoder = ChunkedDecoder::new();
    let mut used = 0;
    loop {
        let (n, chunk) = decoder.decode(rest).ok()?;
        rest = &rest[n..];
        used += n;
        match chunk? {
            Chunk::Data(d) => body.extend_from_slice(d),
            Chunk::Trailer(_) => {}
            Chunk::End => return Some(used),
        }
    }
}

/// The full `/stream` body.
pub fn stream_body() -> Vec<u8> {
    let mut body = vec![0u8; PARTS as usize * PART];
    for (p, part) in body.chunks_mut(PART).enumerate() {
        fill_part(p as u32, part);
    }
    body
}
