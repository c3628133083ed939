//! A TCP bulk sender: connects, sends `bytes` of a seeded pattern (see
//! [`super::pattern`]) as fast as the connection takes it, then closes.
//!
//! Succeeds when its FIN is acknowledged (so every byte was). Metrics:
//! `bytes`, `elapsed_us` (ESTABLISHED to FIN acknowledged),
//! `throughput_bps` (payload bits per second over that time), `checksum`
//! (digest of the payload), `retransmissions`, `fast_retransmits`,
//! `timeouts` (RTO expiries).

use std::net::SocketAddrV4;

use rand::RngCore;
use seqs::tcp::State;

use super::pattern::{Digest, Stream, HEADER_LEN};
use super::resolve::Resolve;
use super::tcp_conn::Conn;
use super::{App, AppCx, AppResult, AppStatus, TcpBulkConfig};
use crate::time::SimTime;

/// Largest piece queued at once.
const CHUNK: usize = 16 * 1024;

pub(crate) struct TcpBulk {
    config: TcpBulkConfig,
    resolve: Resolve,
    conn: Option<Conn>,
    stream: Stream,
    /// Stream bytes queued so far, header included.
    queued: u64,
    digest: Digest,
    established_at: Option<SimTime>,
    scratch: Vec<u8>,
}

impl TcpBulk {
    pub fn new(config: &TcpBulkConfig) -> Self {
        TcpBulk {
            resolve: Resolve::new(&config.target),
            stream: Stream {
                seed: 0,
                len: config.bytes,
            },
            config: config.clone(),
            conn: None,
            queued: 0,
            digest: Digest::default(),
            established_at: None,
            scratch: Vec::new(),
        }
    }

    fn total(&self) -> u64 {
        HEADER_LEN as u64 + self.stream.len
    }

    fn open(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let addr = match self.resolve.first(cx, result) {
            Ok(addr) => addr,
            Err(acted) => return acted,
        };
        match Conn::connect(cx, SocketAddrV4::new(addr, self.config.port)) {
            Ok(conn) => {
                self.stream.seed = cx.stack.rng().next_u64();
                self.conn = Some(conn);
            }
            Err(reason) => result.fail(reason),
        }
        true
    }

    /// Queues as much of the stream as the send buffer takes; closes once
    /// all of it is queued.
    fn fill(&mut self, cx: &mut AppCx<'_, '_>, conn: &Conn) -> bool {
        let Some(socket) = cx.stack.tcp(conn.handle) else {
            return false;
        };
        let total = self.total();
        let mut acted = false;
        while self.queued < total {
            let want = socket.send_capacity().min(CHUNK);
            let left = usize::try_from(total - self.queued).unwrap_or(usize::MAX);
            let n = want.min(left);
            if n == 0 {
                break;
            }
            self.scratch.resize(n, 0);
            let header_part = (HEADER_LEN as u64).saturating_sub(self.queued) as usize;
            let header_part = header_part.min(n);
            let start = self.queued as usize;
            self.scratch[..header_part]
                .copy_from_slice(&self.stream.header()[start.min(HEADER_LEN)..][..header_part]);
            let payload_from = self.queued.saturating_sub(HEADER_LEN as u64);
            self.stream
                .fill(payload_from, &mut self.scratch[header_part..]);
            let accepted = socket.send_slice(&self.scratch).unwrap_or(0);
            let payload_accepted = accepted.saturating_sub(header_part);
            self.digest
                .update(&self.scratch[header_part..header_part + payload_accepted]);
            self.queued += accepted as u64;
            acted |= accepted > 0;
            if accepted < n {
                break;
            }
        }
        if self.queued == total && socket.state().may_send() {
            socket.close();
            acted = true;
        }
        acted
    }

    fn report(&self, cx: &mut AppCx<'_, '_>, conn: &Conn, result: &mut AppResult) {
        let sent_payload = self.queued.saturating_sub(HEADER_LEN as u64);
        result.set("bytes", sent_payload);
        result.set("checksum", self.digest.value());
        if let Some(socket) = cx.stack.tcp(conn.handle) {
            let c = socket.counters();
            result.set("retransmissions", c.retransmissions);
            result.set("fast_retransmits", c.fast_retransmits);
            result.set("timeouts", c.timeouts);
        }
    }

    fn finish(&self, now: SimTime, result: &mut AppResult) {
        let elapsed = self
            .established_at
            .map_or(0, |t| now.saturating_since(t).as_nanos() / 1_000);
        result.set("elapsed_us", elapsed);
        if elapsed > 0 {
            let bps = u128::from(self.stream.len) * 8 * 1_000_000 / u128::from(elapsed);
            result.set("throughput_bps", u64::try_from(bps).unwrap_or(u64::MAX));
        }
        result.status = AppStatus::Succeeded;
    }
}

impl App for TcpBulk {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let Some(mut conn) = self.conn.take() else {
            return self.open(cx, result);
        };
        let state = conn.observe(cx);
        let mut acted = false;
        match state {
            Some(State::Established | State::CloseWait) => {
                self.established_at.get_or_insert(cx.now);
                acted = self.fill(cx, &conn);
            }
            Some(State::FinWait2 | State::TimeWait) if self.queued == self.total() => {
                self.finish(cx.now, result);
                acted = true;
            }
            Some(State::Closed) | None => {
                result.fail("connection lost before the transfer completed");
                acted = true;
            }
            Some(_) => {}
        }
        self.report(cx, &conn, result);
        self.conn = Some(conn);
        acted
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}
