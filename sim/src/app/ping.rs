//! ICMP echo: `count` requests every `interval`, replies matched by
//! sequence number and checked byte for byte.
//!
//! Succeeds when at least one reply came back, once every request was
//! answered or the last one had `max(interval, 1 s)` to be. Metrics: `sent`,
//! `received`, `bad_replies` (data not what was sent), `rtt_min_us`,
//! `rtt_avg_us`, `rtt_max_us` (when any reply carried an RTT).

use std::net::Ipv4Addr;

use seqs::socket::{Handle, Icmp};

use super::resolve::Resolve;
use super::rtt::Rtts;
use super::{App, AppCx, AppResult, AppStatus, PingConfig};
use crate::host::icmp_socket;
use crate::time::{SimDuration, SimTime};

/// The shortest wait for the last reply.
const MIN_LAST_WAIT: SimDuration = SimDuration::from_secs(1);

pub(crate) struct Ping {
    config: PingConfig,
    resolve: Resolve,
    /// The target and the socket, once resolved.
    path: Option<(Ipv4Addr, Handle<Icmp>)>,
    sent: u32,
    next_send: SimTime,
    received: u32,
    bad: u32,
    rtts: Rtts,
}

impl Ping {
    pub fn new(config: &PingConfig) -> Self {
        Ping {
            resolve: Resolve::new(&config.target),
            config: config.clone(),
            path: None,
            sent: 0,
            next_send: SimTime::ZERO,
            received: 0,
            bad: 0,
            rtts: Rtts::default(),
        }
    }

    fn last_wait(&self) -> SimDuration {
        self.config.interval.max(MIN_LAST_WAIT)
    }

    /// The end of the wait for the last reply (`next_send` stays at the
    /// last request's time once all are sent).
    fn give_up_at(&self) -> SimTime {
        self.next_send + self.last_wait()
    }

    fn open(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let target = match self.resolve.first(cx, result) {
            Ok(addr) => addr,
            Err(acted) => return acted,
        };
        match cx.stack.add_icmp_socket(icmp_socket(cx.caps)) {
            Some(handle) => {
                self.path = Some((target, handle));
                self.next_send = cx.now;
            }
            None => result.fail("no socket for ping"),
        }
        true
    }

    fn send_due(&mut self, cx: &mut AppCx<'_, '_>, target: Ipv4Addr, h: Handle<Icmp>) -> bool {
        let mut acted = false;
        while self.sent < self.config.count && cx.now >= self.next_send {
            let seq = self.sent as u16;
            let data = pattern(seq, self.config.size);
            if let Some(socket) = cx.stack.icmp(h) {
                let _ = socket.send_echo(target, seq, &data);
            }
            self.sent += 1;
            if self.sent < self.config.count {
                self.next_send += self.config.interval;
            }
            acted = true;
        }
        acted
    }

    fn take_replies(&mut self, cx: &mut AppCx<'_, '_>, h: Handle<Icmp>) -> bool {
        let mut acted = false;
        while let Some(Ok((reply, data))) = cx.stack.icmp(h).map(|s| s.recv()) {
            acted = true;
            if data != pattern(reply.seq_no, self.config.size).as_slice() {
                self.bad += 1;
                continue;
            }
            self.received += 1;
            let rtt = reply.rtt.map(|d| d.total_micros());
            if let Some(rtt) = rtt {
                self.rtts.push(rtt);
            }
            cx.trace(
                "ping",
                format_args!(
                    "reply from={} seq={} rtt_us={}",
                    reply.from,
                    reply.seq_no,
                    rtt.map_or_else(|| "-".into(), |r| r.to_string())
                ),
            );
        }
        acted
    }

    fn report(&self, result: &mut AppResult) {
        result.set("sent", self.sent);
        result.set("received", self.received);
        result.set("bad_replies", self.bad);
        self.rtts.report(result);
    }
}

impl App for Ping {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let Some((target, h)) = self.path else {
            return self.open(cx, result);
        };
        let acted = self.send_due(cx, target, h) | self.take_replies(cx, h);
        self.report(result);
        let all_sent = self.sent >= self.config.count;
        if all_sent && (self.received >= self.config.count || cx.now >= self.give_up_at()) {
            cx.stack.remove_socket(h);
            result.status = if self.received > 0 {
                AppStatus::Succeeded
            } else {
                AppStatus::Failed("no reply".into())
            };
            return true;
        }
        acted
    }

    fn poll_at(&self) -> Option<SimTime> {
        self.path?;
        Some(if self.sent < self.config.count {
            self.next_send
        } else {
            self.give_up_at()
        })
    }
}

/// Echo data of request `seq`: recognisable and different per request.
fn pattern(seq: u16, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (seq as usize).wrapping_mul(31).wrapping_add(i) as u8)
        .collect()
}
