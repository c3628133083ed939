//! UDP echo server (RFC 862 over UDP): every datagram goes back to its
//! sender unchanged.

use std::fmt;

use seqs::socket::{Handle, Udp};
use seqs::time::Instant;
use seqs::udp::SendError;

use super::{open_udp, AppError, Report, Service};
use crate::{EventLog, TapStack};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpEchoSpec {
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UdpEchoReport {
    pub port: u16,
    pub echoed: u64,
    pub bytes: u64,
    /// Datagrams that could not be echoed (larger than the MTU allows).
    pub unsent: u64,
}

impl fmt::Display for UdpEchoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "udp echo :{}: {} datagrams ({} bytes) echoed, {} unsent",
            self.port, self.echoed, self.bytes, self.unsent
        )
    }
}

#[derive(Debug)]
pub struct UdpEcho {
    socket: Handle<Udp>,
    report: UdpEchoReport,
    buf: Vec<u8>,
}

impl UdpEcho {
    pub fn start(spec: UdpEchoSpec, stack: &mut TapStack) -> Result<Self, AppError> {
        let (socket, port) = open_udp(stack, spec.port)?;
        Ok(UdpEcho {
            socket,
            report: UdpEchoReport {
                port,
                ..UdpEchoReport::default()
            },
            buf: vec![0; u16::MAX as usize],
        })
    }
}

impl Service for UdpEcho {
    /// Echoes until the receive queue is empty or the transmit queue is
    /// full; in the latter case the datagram stays queued and the bridge
    /// polls again once it drained the stack.
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        let Some(socket) = stack.udp(self.socket) else {
            return;
        };
        while let Ok((data, meta)) = socket.peek() {
            let len = data.len();
            self.buf[..len].copy_from_slice(data);
            match socket.send_slice(&self.buf[..len], meta.remote) {
                Err(SendError::BufferFull) => return,
                Ok(()) => {
                    self.report.echoed += 1;
                    self.report.bytes += len as u64;
                    log.event(now, format_args!("udp echo {len} bytes to {}", meta.remote));
                }
                Err(e) => {
                    self.report.unsent += 1;
                    log.event(
                        now,
                        format_args!("udp echo {len} bytes to {}: {e:?}", meta.remote),
                    );
                }
            }
            // Echoed or undeliverable: either way it leaves the queue.
            let _ = socket.recv();
        }
    }

    fn report(&self) -> Report {
        Report::UdpEcho(self.report.clone())
    }
}
