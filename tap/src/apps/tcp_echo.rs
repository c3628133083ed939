//! TCP echo server (RFC 862): every byte goes back to its sender; when
//! the peer closes, we close after echoing the rest.

use std::fmt;

use seqs::tcp::{Error, Socket};
use seqs::time::Instant;

use super::tcp_server::TcpServer;
use super::{AppError, Report, Service};
use crate::{EventLog, TapStack};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpEchoSpec {
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TcpEchoReport {
    pub port: u16,
    /// Connections served to their end.
    pub connections: u64,
    pub bytes: u64,
}

impl fmt::Display for TcpEchoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tcp echo :{}: {} connections, {} bytes echoed",
            self.port, self.connections, self.bytes
        )
    }
}

#[derive(Debug)]
pub struct TcpEcho {
    server: TcpServer<u64>,
    report: TcpEchoReport,
    buf: Vec<u8>,
}

impl TcpEcho {
    pub fn start(spec: TcpEchoSpec, stack: &mut TapStack) -> Result<Self, AppError> {
        let server = TcpServer::open(stack, spec.port)?;
        Ok(TcpEcho {
            report: TcpEchoReport {
                port: server.port(),
                ..TcpEchoReport::default()
            },
            server,
            buf: vec![0; 16 * 1024],
        })
    }
}

/// Moves what arrived to the send buffer, as much as fits; bytes that do
/// not fit stay in the receive buffer (closing our window) until they do.
fn echo(echoed: &mut u64, socket: &mut Socket<'static>, buf: &mut [u8]) {
    loop {
        match socket.peek(buf) {
            Ok(0) => return,
            Ok(n) => {
                let Ok(sent @ 1..) = socket.send_slice(&buf[..n]) else {
                    return;
                };
                let _ = socket.recv_slice(&mut buf[..sent]);
                *echoed += sent as u64;
            }
            Err(Error::Finished) => {
                socket.close();
                return;
            }
            Err(_) => return,
        }
    }
}

impl Service for TcpEcho {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        let buf = &mut self.buf;
        let closed = self
            .server
            .poll(stack, |_| 0, |echoed, socket| echo(echoed, socket, buf));
        for bytes in closed {
            self.report.connections += 1;
            self.report.bytes += bytes;
            log.event(
                now,
                format_args!("tcp echo: connection closed, {bytes} bytes"),
            );
        }
    }

    fn report(&self) -> Report {
        Report::TcpEcho(self.report.clone())
    }
}
