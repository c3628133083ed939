//! UDP client: numbered datagrams to an echo server, each echo verified
//! byte for byte and timed.

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddrV4;

use seqs::socket::{Handle, Udp};
use seqs::time::{Duration, Instant};

use super::{millis, open_udp, AppError, Report, Service};
use crate::{EventLog, TapStack};

/// Bytes of the sequence number that opens every datagram.
const SEQ_LEN: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpClientSpec {
    pub remote: SocketAddrV4,
    pub count: u32,
    /// Datagram payload bytes (at least the 4-byte sequence number).
    pub size: usize,
    pub interval: Duration,
    /// How long to wait for echoes after the last datagram.
    pub timeout: Duration,
}

impl UdpClientSpec {
    pub fn new(remote: SocketAddrV4) -> Self {
        UdpClientSpec {
            remote,
            count: 5,
            size: 64,
            interval: Duration::from_millis(100),
            timeout: Duration::from_secs(2),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpClientReport {
    pub remote: SocketAddrV4,
    /// Datagrams asked for.
    pub count: u32,
    pub sent: u32,
    /// Distinct datagrams echoed back intact.
    pub received: u32,
    pub duplicates: u32,
    /// Datagrams from the remote that match nothing we sent.
    pub corrupted: u32,
    pub rtts: Vec<Duration>,
}

impl UdpClientReport {
    /// Every datagram went out and came back intact.
    pub fn is_complete(&self) -> bool {
        self.sent == self.count && self.received == self.count && self.corrupted == 0
    }
}

impl fmt::Display for UdpClientReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "udp client {}: {} sent, {} echoed, {} duplicates, {} corrupted",
            self.remote, self.sent, self.received, self.duplicates, self.corrupted
        )?;
        if let Some(max) = self.rtts.iter().max() {
            write!(f, ", max rtt {:.3} ms", millis(*max))?;
        }
        Ok(())
    }
}

#[derive(Debug)]
pub struct UdpClient {
    spec: UdpClientSpec,
    socket: Handle<Udp>,
    next_send: Instant,
    last_sent: Instant,
    sent_at: Vec<Instant>,
    echoed: BTreeSet<u32>,
    report: UdpClientReport,
    done: bool,
}

impl UdpClient {
    pub fn start(
        mut spec: UdpClientSpec,
        now: Instant,
        stack: &mut TapStack,
    ) -> Result<Self, AppError> {
        spec.size = spec.size.max(SEQ_LEN);
        let (socket, _) = open_udp(stack, 0)?;
        Ok(UdpClient {
            report: UdpClientReport {
                remote: spec.remote,
                count: spec.count,
                sent: 0,
                received: 0,
                duplicates: 0,
                corrupted: 0,
                rtts: Vec::new(),
            },
            done: spec.count == 0,
            spec,
            socket,
            next_send: now,
            last_sent: now,
            sent_at: Vec::new(),
            echoed: BTreeSet::new(),
        })
    }

    fn payload(&self, seq: u32) -> Vec<u8> {
        let mut data: Vec<u8> = (0..self.spec.size)
            .map(|i| (i as u8) ^ (seq as u8))
            .collect();
        data[..SEQ_LEN].copy_from_slice(&seq.to_be_bytes());
        data
    }

    fn receive(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        let Some(socket) = stack.udp(self.socket) else {
            return;
        };
        let mut datagrams = Vec::new();
        while let Ok((data, meta)) = socket.recv() {
            if meta.remote == self.spec.remote {
                datagrams.push(data.to_vec());
            }
        }
        for data in datagrams {
            self.check_echo(now, &data, log);
        }
    }

    fn check_echo(&mut self, now: Instant, data: &[u8], log: &mut EventLog) {
        let seq = data
            .get(..SEQ_LEN)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes);
        let Some((seq, sent)) = seq.and_then(|s| Some((s, *self.sent_at.get(s as usize)?))) else {
            self.report.corrupted += 1;
            return;
        };
        if data != self.payload(seq) {
            self.report.corrupted += 1;
        } else if !self.echoed.insert(seq) {
            self.report.duplicates += 1;
        } else {
            let rtt = now - sent;
            self.report.received += 1;
            self.report.rtts.push(rtt);
            log.event(
                now,
                format_args!(
                    "udp echo seq={seq} from {} rtt={:.3} ms",
                    self.spec.remote,
                    millis(rtt)
                ),
            );
        }
    }

    fn send_due(&mut self, now: Instant, stack: &mut TapStack) {
        if self.report.sent >= self.spec.count || now < self.next_send {
            return;
        }
        let seq = self.report.sent;
        let data = self.payload(seq);
        let Some(socket) = stack.udp(self.socket) else {
            return;
        };
        if socket.send_slice(&data, self.spec.remote).is_ok() {
            self.report.sent += 1;
            self.sent_at.push(now);
            self.last_sent = now;
            self.next_send = now + self.spec.interval;
        }
    }

    fn all_sent(&self) -> bool {
        self.report.sent >= self.spec.count
    }
}

impl Service for UdpClient {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        if self.done {
            return;
        }
        self.receive(now, stack, log);
        self.send_due(now, stack);
        let answered = self.report.received >= self.spec.count;
        let gave_up = self.all_sent() && now >= self.last_sent + self.spec.timeout;
        if answered || gave_up {
            self.done = true;
            log.event(now, format_args!("{}", self.report));
        }
    }

    fn poll_at(&self) -> Option<Instant> {
        if self.done {
            None
        } else if self.all_sent() {
            Some(self.last_sent + self.spec.timeout)
        } else {
            Some(self.next_send)
        }
    }

    fn is_done(&self) -> bool {
        self.done
    }

    fn is_finite(&self) -> bool {
        true
    }

    fn report(&self) -> Report {
        Report::UdpClient(self.report.clone())
    }
}
