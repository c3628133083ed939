//! Sends `count` numbered datagrams every `interval` and matches the echoes
//! that come back.
//!
//! Each datagram is its 8-byte sequence number (big endian) followed by a
//! pattern derived from it, so an echo is checked byte for byte. Succeeds
//! once every datagram was sent and every echo came back or the last one
//! had `max(interval, 1 s)` to. Metrics: `sent`, `send_errors` (the send
//! queue was full), `received` (distinct intact echoes), `duplicates`,
//! `bad_replies`, `rtt_min_us`/`rtt_avg_us`/`rtt_max_us`.

use std::net::SocketAddrV4;

use seqs::socket::{Handle, Udp};

use super::resolve::Resolve;
use super::rtt::Rtts;
use super::{App, AppCx, AppResult, AppStatus, UdpSendConfig};
use crate::host::udp_socket;
use crate::time::{SimDuration, SimTime};

const SEQ_LEN: usize = 8;
const MIN_LAST_WAIT: SimDuration = SimDuration::from_secs(1);

pub(crate) struct UdpSend {
    config: UdpSendConfig,
    resolve: Resolve,
    path: Option<(SocketAddrV4, Handle<Udp>)>,
    sent_at: Vec<SimTime>,
    echoed: Vec<bool>,
    next_send: SimTime,
    send_errors: u32,
    duplicates: u32,
    bad: u32,
    rtts: Rtts,
}

impl UdpSend {
    pub fn new(config: &UdpSendConfig) -> Self {
        UdpSend {
            resolve: Resolve::new(&config.target),
            config: config.clone(),
            path: None,
            sent_at: Vec::new(),
            echoed: Vec::new(),
            next_send: SimTime::ZERO,
            send_errors: 0,
            duplicates: 0,
            bad: 0,
            rtts: Rtts::default(),
        }
    }

    fn open(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let addr = match self.resolve.first(cx, result) {
            Ok(addr) => addr,
            Err(acted) => return acted,
        };
        match self.socket(cx) {
            Some(h) => {
                self.path = Some((SocketAddrV4::new(addr, self.config.port), h));
                self.next_send = cx.now;
            }
            None => result.fail("no socket for udp send"),
        }
        true
    }

    fn socket(&self, cx: &mut AppCx<'_, '_>) -> Option<Handle<Udp>> {
        let h = cx.stack.add_udp_socket(udp_socket(cx.caps))?;
        if cx.stack.bind_udp_ephemeral(h).is_err() {
            cx.stack.remove_socket(h);
            return None;
        }
        Some(h)
    }

    fn send_due(&mut self, cx: &mut AppCx<'_, '_>, to: SocketAddrV4, h: Handle<Udp>) -> bool {
        let mut acted = false;
        while self.sent_at.len() < self.config.count as usize && cx.now >= self.next_send {
            let seq = self.sent_at.len() as u64;
            let data = payload(seq, self.config.size);
            let queued = cx
                .stack
                .udp(h)
                .is_some_and(|s| s.send_slice(&data, to).is_ok());
            if !queued {
                self.send_errors += 1;
            }
            self.sent_at.push(cx.now);
            self.echoed.push(false);
            if self.sent_at.len() < self.config.count as usize {
                self.next_send += self.config.interval;
            }
            acted = true;
        }
        acted
    }

    fn take_echoes(&mut self, cx: &mut AppCx<'_, '_>, h: Handle<Udp>) -> bool {
        let mut acted = false;
        while let Some(Ok((data, _))) = cx.stack.udp(h).map(|s| s.recv()) {
            acted = true;
            let seq = data
                .get(..SEQ_LEN)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes);
            let index = seq.and_then(|s| usize::try_from(s).ok());
            let intact = seq.is_some_and(|s| data == payload(s, self.config.size).as_slice());
            match index
                .filter(|_| intact)
                .and_then(|i| Some((i, *self.echoed.get(i)?)))
            {
                Some((i, false)) => {
                    self.echoed[i] = true;
                    let rtt = cx.now - self.sent_at[i];
                    self.rtts.push(rtt.as_nanos() / 1_000);
                }
                Some((_, true)) => self.duplicates += 1,
                None => self.bad += 1,
            }
        }
        acted
    }

    fn report(&self, result: &mut AppResult) {
        result.set("sent", self.sent_at.len());
        result.set("send_errors", self.send_errors);
        result.set("received", self.received());
        result.set("duplicates", self.duplicates);
        result.set("bad_replies", self.bad);
        self.rtts.report(result);
    }

    fn received(&self) -> usize {
        self.echoed.iter().filter(|&&e| e).count()
    }

    fn give_up_at(&self) -> SimTime {
        self.next_send + self.config.interval.max(MIN_LAST_WAIT)
    }

    fn all_sent(&self) -> bool {
        self.sent_at.len() >= self.config.count as usize
    }
}

impl App for UdpSend {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let Some((to, h)) = self.path else {
            return self.open(cx, result);
        };
        let acted = self.send_due(cx, to, h) | self.take_echoes(cx, h);
        self.report(result);
        let all_back = self.received() >= self.config.count as usize;
        if self.all_sent() && (all_back || cx.now >= self.give_up_at()) {
            cx.stack.remove_socket(h);
            result.status = AppStatus::Succeeded;
            return true;
        }
        acted
    }

    fn poll_at(&self) -> Option<SimTime> {
        self.path?;
        Some(if self.all_sent() {
            self.give_up_at()
        } else {
            self.next_send
        })
    }
}

/// Datagram `seq`: the sequence number, then a pattern derived from it.
fn payload(seq: u64, size: usize) -> Vec<u8> {
    let mut data = seq.to_be_bytes().to_vec();
    data.extend((SEQ_LEN..size).map(|i| (seq as usize).wrapping_mul(7).wrapping_add(i) as u8));
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_starts_with_the_sequence_number() {
        let p = payload(258, 12);
        assert_eq!(p.len(), 12);
        assert_eq!(&p[..8], &258u64.to_be_bytes());
        assert_ne!(payload(1, 12), payload(2, 12));
        assert_eq!(
            payload(3, 4).len(),
            8,
            "never shorter than the sequence number"
        );
    }
}
