//! TCP sink: accepts connections, reads everything each peer sends until
//! it closes, and reports the byte count and SHA-256 of every stream.

use std::fmt;
use std::net::SocketAddrV4;

use seqs::tcp::{Error, Socket};
use seqs::time::{Duration, Instant};

use super::bulk::StreamHash;
use super::tcp_server::TcpServer;
use super::{AppError, Report, Service};
use crate::{EventLog, TapStack};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSinkSpec {
    pub port: u16,
}

/// One stream received in full (the peer closed it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub peer: SocketAddrV4,
    pub bytes: u64,
    pub sha256: String,
    /// From the handshake to the peer's FIN.
    pub elapsed: Duration,
    /// The connection was reset before the peer closed it.
    pub reset: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TcpSinkReport {
    pub port: u16,
    pub streams: Vec<Received>,
}

impl fmt::Display for TcpSinkReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tcp sink :{}: {} streams", self.port, self.streams.len())?;
        for s in &self.streams {
            let secs = s.elapsed.total_micros() as f64 / 1e6;
            let mbps = s.bytes as f64 * 8.0 / secs.max(1e-6) / 1e6;
            write!(
                f,
                "\n  from {}: {} bytes in {secs:.3} s ({mbps:.1} Mbit/s), sha256 {}{}",
                s.peer,
                s.bytes,
                s.sha256,
                if s.reset { ", RESET" } else { "" }
            )?;
        }
        Ok(())
    }
}

#[derive(Debug)]
struct Stream {
    peer: SocketAddrV4,
    started: Instant,
    hash: StreamHash,
    finished: Option<Instant>,
}

#[derive(Debug)]
pub struct TcpSink {
    server: TcpServer<Stream>,
    report: TcpSinkReport,
    buf: Vec<u8>,
}

impl TcpSink {
    pub fn start(spec: TcpSinkSpec, stack: &mut TapStack) -> Result<Self, AppError> {
        let server = TcpServer::open(stack, spec.port)?;
        Ok(TcpSink {
            report: TcpSinkReport {
                port: server.port(),
                streams: Vec::new(),
            },
            server,
            buf: vec![0; 64 * 1024],
        })
    }
}

/// Reads all that arrived; closes our side once the peer closed its own.
fn drain(stream: &mut Stream, socket: &mut Socket<'static>, buf: &mut [u8], now: Instant) {
    loop {
        match socket.recv_slice(buf) {
            Ok(0) => return,
            Ok(n) => stream.hash.update(&buf[..n]),
            Err(Error::Finished) => {
                if stream.finished.is_none() {
                    stream.finished = Some(now);
                    socket.close();
                }
                return;
            }
            Err(_) => return,
        }
    }
}

impl Service for TcpSink {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        let buf = &mut self.buf;
        let closed = self.server.poll(
            stack,
            |socket| Stream {
                peer: socket.remote_endpoint(),
                started: now,
                hash: StreamHash::default(),
                finished: None,
            },
            |stream, socket| drain(stream, socket, buf, now),
        );
        for stream in closed {
            let received = Received {
                peer: stream.peer,
                bytes: stream.hash.bytes(),
                sha256: stream.hash.hex(),
                elapsed: stream.finished.unwrap_or(now) - stream.started,
                reset: stream.finished.is_none(),
            };
            log.event(
                now,
                format_args!(
                    "tcp sink: {} bytes from {}, sha256 {}",
                    received.bytes, received.peer, received.sha256
                ),
            );
            self.report.streams.push(received);
        }
    }

    fn report(&self) -> Report {
        Report::TcpSink(self.report.clone())
    }
}
