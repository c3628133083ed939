//! Ping from our node: echo requests at an interval, replies matched by
//! sequence number, RTTs as the stack measured them.

use std::fmt;
use std::net::Ipv4Addr;

use seqs::socket::{Handle, Icmp};
use seqs::time::{Duration, Instant};

use super::{icmp_socket, millis, AppError, Report, Service};
use crate::{EventLog, TapStack};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingSpec {
    pub target: Ipv4Addr,
    pub count: u16,
    pub interval: Duration,
    /// Echo data bytes (ping's `-s`).
    pub size: usize,
    /// How long to wait for replies after the last request.
    pub timeout: Duration,
}

impl PingSpec {
    /// Five 56-byte requests a second apart, as ping(8) would send.
    pub fn new(target: Ipv4Addr) -> Self {
        PingSpec {
            target,
            count: 5,
            interval: Duration::from_secs(1),
            size: 56,
            timeout: Duration::from_secs(2),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingReport {
    pub target: Ipv4Addr,
    /// Requests asked for.
    pub count: u16,
    pub sent: u16,
    /// Sequence numbers answered, each once, with the RTT when known.
    pub replies: Vec<(u16, Option<Duration>)>,
    pub duplicates: u32,
    /// Replies whose data differed from what was sent.
    pub corrupted: u32,
}

impl PingReport {
    pub fn received(&self) -> usize {
        self.replies.len()
    }

    pub fn rtts(&self) -> impl Iterator<Item = Duration> + '_ {
        self.replies.iter().filter_map(|&(_, rtt)| rtt)
    }

    /// Every request went out and came back intact.
    pub fn is_complete(&self) -> bool {
        self.sent == self.count && self.received() == usize::from(self.count) && self.corrupted == 0
    }
}

impl fmt::Display for PingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ping {}: {} sent, {} received, {} duplicates, {} corrupted",
            self.target,
            self.sent,
            self.received(),
            self.duplicates,
            self.corrupted
        )?;
        let rtts: Vec<f64> = self.rtts().map(millis).collect();
        if let (Some(min), Some(max)) = (
            rtts.iter().copied().reduce(f64::min),
            rtts.iter().copied().reduce(f64::max),
        ) {
            let avg = rtts.iter().sum::<f64>() / rtts.len() as f64;
            write!(f, ", rtt min/avg/max = {min:.3}/{avg:.3}/{max:.3} ms")?;
        }
        Ok(())
    }
}

#[derive(Debug)]
pub struct Ping {
    spec: PingSpec,
    socket: Handle<Icmp>,
    next_seq: u16,
    next_send: Instant,
    /// When the last request was queued.
    last_sent: Instant,
    report: PingReport,
    done: bool,
}

impl Ping {
    pub fn start(spec: PingSpec, now: Instant, stack: &mut TapStack) -> Result<Self, AppError> {
        let socket = stack
            .add_icmp_socket(icmp_socket())
            .ok_or(AppError::NoSocketSlot)?;
        let report = PingReport {
            target: spec.target,
            count: spec.count,
            sent: 0,
            replies: Vec::new(),
            duplicates: 0,
            corrupted: 0,
        };
        Ok(Ping {
            done: spec.count == 0,
            spec,
            socket,
            next_seq: 1,
            next_send: now,
            last_sent: now,
            report,
        })
    }

    /// Echo data for `seq`: a pattern that differs per request, so a reply
    /// carrying another request's data is caught.
    fn payload(&self, seq: u16) -> Vec<u8> {
        (0..self.spec.size)
            .map(|i| (i as u8).wrapping_add(seq as u8))
            .collect()
    }

    fn all_sent(&self) -> bool {
        self.report.sent >= self.spec.count
    }

    fn give_up_at(&self) -> Instant {
        self.last_sent + self.spec.timeout
    }

    fn receive(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        let Some(socket) = stack.icmp(self.socket) else {
            return;
        };
        let mut replies = Vec::new();
        while let Ok((reply, data)) = socket.recv() {
            replies.push((reply, data.to_vec()));
        }
        for (reply, data) in replies {
            if reply.from != self.spec.target {
                continue;
            }
            let seq = reply.seq_no;
            if self.report.replies.iter().any(|&(s, _)| s == seq) {
                self.report.duplicates += 1;
            } else if data != self.payload(seq) {
                self.report.corrupted += 1;
            } else {
                self.report.replies.push((seq, reply.rtt));
                let rtt = reply.rtt.map_or(f64::NAN, millis);
                log.event(
                    now,
                    format_args!("ping {} seq={seq} rtt={rtt:.3} ms", reply.from),
                );
            }
        }
    }

    fn send_due(&mut self, now: Instant, stack: &mut TapStack) {
        if self.all_sent() || now < self.next_send {
            return;
        }
        let seq = self.next_seq;
        let data = self.payload(seq);
        let Some(socket) = stack.icmp(self.socket) else {
            return;
        };
        if socket.send_echo(self.spec.target, seq, &data).is_ok() {
            self.report.sent += 1;
            self.next_seq = seq.wrapping_add(1);
            self.next_send = now + self.spec.interval;
            self.last_sent = now;
        }
    }
}

impl Service for Ping {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        if self.done {
            return;
        }
        self.receive(now, stack, log);
        self.send_due(now, stack);
        let answered = self.report.received() >= usize::from(self.spec.count);
        let gave_up = self.all_sent() && now >= self.give_up_at();
        if answered || gave_up {
            self.done = true;
            log.event(now, format_args!("{}", self.report));
        }
    }

    fn poll_at(&self) -> Option<Instant> {
        if self.done {
            None
        } else if self.all_sent() {
            Some(self.give_up_at())
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
        Report::Ping(self.report.clone())
    }
}
