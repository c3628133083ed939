//! Our HTTP server (`seqs::http::server`, what the firmware runs) as a
//! bridge app: `GET /` answers a short greeting, `GET /bytes?n=N` streams
//! N bytes of the seeded pattern (seed [`BODY_SEED`], so a client can
//! check the body's SHA-256) as a chunked body, part by part.

use std::fmt;

use seqs::http::server::{Config, Connection, ResponseWriter, Route, Server};
use seqs::http::{Request, WriteError};
use seqs::time::Instant;

use super::bulk::Pattern;
use super::{AppError, Report, Service};
use crate::backlog::add_tcp_socket;
use crate::{EventLog, TapStack};

/// The pattern seed of `/bytes` bodies.
pub const BODY_SEED: u64 = 0;
/// Connection slots (the accept backlog).
const SLOTS: usize = 4;
/// Per slot: the request buffer (it caps request heads) and the response
/// staging buffer, which one part of a streamed body fills.
const REQUEST_BUFFER: usize = 8 * 1024;
const STAGING_BUFFER: usize = 32 * 1024;
/// Body bytes per part of a `/bytes` response: a multiple of 8 (the
/// pattern's word) that fits the staging buffer with its chunk framing.
const PART: u64 = 16 * 1024;
const GREETING: &[u8] = b"hello from seqs\n";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpServerSpec {
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpServerReport {
    pub port: u16,
    /// Responses whose handler completed: greetings and `/bytes` bodies.
    pub greetings: u64,
    pub bodies: u64,
    pub body_bytes: u64,
}

impl fmt::Display for HttpServerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "http server :{}: {} greetings, {} bodies ({} bytes)",
            self.port, self.greetings, self.bodies, self.body_bytes
        )
    }
}

fn greet(
    report: &mut HttpServerReport,
    _: &Request<'_, '_>,
    _: &[u8],
    w: &mut ResponseWriter<'_>,
) -> Result<(), WriteError> {
    w.send(200, "OK", &[("Content-Type", b"text/plain")], GREETING)?;
    report.greetings += 1;
    Ok(())
}

/// Streams `n` pattern bytes, one [`PART`] per call.
fn bytes(
    report: &mut HttpServerReport,
    request: &Request<'_, '_>,
    _: &[u8],
    w: &mut ResponseWriter<'_>,
) -> Result<(), WriteError> {
    let Some(total) = query_n(request.target()) else {
        return w.send(400, "Bad Request", &[], b"expected /bytes?n=LENGTH\n");
    };
    let part = u64::from(w.part());
    if part == 0 {
        w.send_chunked(200, "OK", &[("Content-Type", b"application/octet-stream")])?;
    }
    let offset = part * PART;
    let len = total.saturating_sub(offset).min(PART);
    if len > 0 {
        let mut data = vec![0u8; len as usize];
        Pattern::at(BODY_SEED, offset).fill(&mut data);
        w.chunk(&data)?;
        report.body_bytes += len;
    }
    if offset + len < total {
        w.call_again();
    } else {
        w.finish()?;
        report.bodies += 1;
    }
    Ok(())
}

/// `n` from a target such as `/bytes?n=1024`.
fn query_n(target: &str) -> Option<u64> {
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("n="))
        .and_then(|n| n.parse().ok())
}

static ROUTES: [Route<HttpServerReport>; 2] = [
    Route::new("GET", "/", greet),
    Route::new("GET", "/bytes", bytes),
];

#[derive(Debug)]
pub struct HttpServer {
    server: Server<'static, HttpServerReport, SLOTS>,
    report: HttpServerReport,
}

/// A buffer for the stack's lifetime, which for the bridge's stack is
/// 'static: the server borrows its slots' buffers for as long as it runs.
fn leaked(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

impl HttpServer {
    pub fn start(spec: HttpServerSpec, stack: &mut TapStack) -> Result<Self, AppError> {
        let mut slot = || -> Result<Connection<'static>, AppError> {
            let handle = add_tcp_socket(stack)?;
            Ok(Connection::new(
                handle,
                leaked(REQUEST_BUFFER),
                leaked(STAGING_BUFFER),
            ))
        };
        let slots: Vec<_> = (0..SLOTS).map(|_| slot()).collect::<Result<_, _>>()?;
        let slots = slots.try_into().map_err(|_| AppError::NoSocketSlot)?;
        Ok(HttpServer {
            server: Server::new(Config::new(spec.port), &ROUTES, slots),
            report: HttpServerReport {
                port: spec.port,
                ..HttpServerReport::default()
            },
        })
    }
}

impl Service for HttpServer {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        let before = (self.report.greetings, self.report.bodies);
        self.server.poll(now, stack, &mut self.report);
        if (self.report.greetings, self.report.bodies) != before {
            log.event(now, format_args!("{}", self.report));
        }
    }

    fn poll_at(&self) -> Option<Instant> {
        self.server.poll_at()
    }

    fn report(&self) -> Report {
        Report::HttpServer(self.report.clone())
    }
}
