//! An HTTP/1.1 server over `seqs` TCP sockets: sans-IO, no heap.
//!
//! The server owns `N` accept slots ([`Connection`]), each a TCP socket
//! listening on one port (together they are the accept backlog) plus two
//! caller buffers: the request buffer, reused for every request of a
//! keep-alive connection (pipelined requests wait in it), and the response
//! staging buffer, drained into the TCP send buffer as the peer acknowledges,
//! so a full send buffer delays a response and never truncates it.
//!
//! ```text
//! server.poll(now, &mut stack, &mut app);        // after receive, before transmit
//! while let Some(n) = stack.transmit(now, &mut frame) { nic.send(&frame[..n]) }
//! wake at min(stack.poll_at(), server.poll_at())
//! ```
//!
//! ```
//! use seqs::http::server::{Config, Connection, ResponseWriter, Route, Server};
//! use seqs::http::{Request, WriteError};
//! use seqs::storage::RingBuffer;
//! # use rand::SeedableRng;
//! # let mut stack = seqs::Stack::new(
//! #     seqs::Config::new(seqs::wire::EthernetAddress([2, 0, 0, 0, 0, 1])),
//! #     seqs::Storage::with_capacity(seqs::iface::Capacities::default()),
//! #     rand_chacha::ChaCha8Rng::seed_from_u64(1),
//! # );
//! # let now = seqs::time::Instant::ZERO;
//!
//! struct App { led: bool }
//!
//! fn led(app: &mut App, _: &Request<'_, '_>, body: &[u8], w: &mut ResponseWriter<'_>)
//!     -> Result<(), WriteError> {
//!     app.led = body == b"on";
//!     w.send(200, "OK", &[("Content-Type", b"text/plain")], if app.led { b"on" } else { b"off" })
//! }
//! static ROUTES: [Route<App>; 1] = [Route::new("PUT", "/led", led)];
//!
//! // Per slot: TCP buffers, a request buffer and a response staging buffer,
//! // living as long as the stack (firmware: a `StaticCell`).
//! let mem: &'static mut [[u8; 1024]; 8] = Box::leak(Box::new([[0; 1024]; 8]));
//! let [a, b, c, d, e, f, g, h] = mem;
//! let s1 = stack.add_tcp_socket(seqs::tcp::Socket::new(RingBuffer::new(&mut a[..]), RingBuffer::new(&mut b[..]))).unwrap();
//! let s2 = stack.add_tcp_socket(seqs::tcp::Socket::new(RingBuffer::new(&mut c[..]), RingBuffer::new(&mut d[..]))).unwrap();
//! let slots = [Connection::new(s1, e, f), Connection::new(s2, g, h)];
//! let mut server = Server::new(Config::new(80), &ROUTES, slots);
//! let mut app = App { led: false };
//!
//! server.poll(now, &mut stack, &mut app); // on every wake-up, before transmit
//! ```
//!
//! Requests are routed by method and exact path to [`Handler`]s; parse
//! errors and limits are answered with their status (400, 413, 414, 431,
//! 501, 505) and the connection is closed, unknown paths get 404 and known
//! paths with another method 405 with `Allow`.

mod connection;
mod dispatch;
mod inbox;
mod outbox;
mod route;
mod serve;
mod writer;

pub use connection::Connection;
pub use route::{Handler, Route};
pub use writer::ResponseWriter;

use serve::{poll_slot, Env};

use crate::time::{Duration, Instant};
use crate::Stack;
use rand_core::RngCore;

/// The most header fields a request may carry (431 beyond).
pub const MAX_HEADERS: usize = 32;

/// Server tunables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The TCP port every slot listens on.
    pub port: u16,
    /// A connection with no progress for this long is closed (a partial
    /// request gets 408).
    pub idle_timeout: Duration,
    /// How long a closing connection may take to finish before it is reset.
    pub linger: Duration,
    /// Cap on a request head; the request buffer's size also caps it.
    pub max_head: usize,
}

impl Config {
    /// Port `port`, 10 s keep-alive, 5 s linger, 8 KiB heads.
    pub const fn new(port: u16) -> Self {
        Config {
            port,
            idle_timeout: Duration::from_secs(10),
            linger: Duration::from_secs(5),
            max_head: 8192,
        }
    }
}

/// An HTTP/1.1 server: `N` connection slots and a route table over the
/// application state `C`.
#[derive(Debug)]
pub struct Server<'a, C, const N: usize> {
    config: Config,
    routes: &'a [Route<C>],
    slots: [Connection<'a>; N],
}

impl<'a, C, const N: usize> Server<'a, C, N> {
    /// Sockets start listening on the first [`poll`](Self::poll).
    pub fn new(config: Config, routes: &'a [Route<C>], slots: [Connection<'a>; N]) -> Self {
        Server {
            config,
            routes,
            slots,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The slots, for status pages (how many are busy).
    pub fn connections(&self) -> &[Connection<'a>] {
        &self.slots
    }

    /// Serves every slot: accepts, reads, runs handlers, sends, closes and
    /// re-listens. Call after feeding frames and before transmitting.
    pub fn poll<R: RngCore>(&mut self, now: Instant, stack: &mut Stack<'_, R>, ctx: &mut C) {
        let mut env = Env {
            now,
            ctx,
            routes: self.routes,
            config: &self.config,
        };
        for slot in &mut self.slots {
            poll_slot(slot, stack, &mut env);
        }
    }

    /// The earliest instant a slot needs a poll without new frames
    /// (timeouts); `None` when only frames can make progress.
    pub fn poll_at(&self) -> Option<Instant> {
        self.slots
            .iter()
            .filter_map(|s| s.poll_at(&self.config))
            .min()
    }
}
