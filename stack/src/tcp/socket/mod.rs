//! One TCP connection (or listener) as a sans-IO state machine.

mod input;
mod output;
mod recovery;

use super::assembler::Assembler;
use super::congestion::Controller;
use super::rack::Rack;
use super::rtt::RttEstimator;
use super::tlp::LossProbe;
use super::{Config, State};
use crate::storage::RingBuffer;
use crate::time::{Duration, Instant};
use crate::wire::tcp::SeqNumber;
use core::net::{Ipv4Addr, SocketAddrV4};

/// Largest window scale shift RFC 7323 allows.
const MAX_WINDOW_SHIFT: u8 = 14;
/// MSS assumed when the peer sends none (RFC 9293 section 3.7.1).
const DEFAULT_MSS: usize = 536;
/// Floor on the peer's MSS so option bytes always leave room for data.
const MIN_MSS: usize = 64;

/// Why a call on the socket was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The call does not fit the current state (send after close, listen on
    /// an open socket, ...).
    InvalidState,
    /// An endpoint has a zero port, or an unspecified remote address.
    Unaddressable,
    /// The peer closed its side and every byte it sent has been read.
    Finished,
}

/// Running totals, for traces and status pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Segments (data, SYN or FIN) sent again.
    pub retransmissions: u64,
    /// Retransmission timer expiries.
    pub timeouts: u64,
    /// Fast retransmits that began a recovery.
    pub fast_retransmits: u64,
    /// Tail loss probes sent (RFC 8985 section 7).
    pub loss_probes: u64,
    /// Duplicate ACKs received.
    pub dup_acks: u64,
    /// RFC 5961 challenge ACKs sent, and those suppressed by the rate limit.
    pub challenge_acks: u64,
    pub challenge_acks_suppressed: u64,
    /// Segments that failed the sequence or PAWS check.
    pub unacceptable: u64,
    /// Out-of-order segments dropped because the assembler was full.
    pub reassembly_overflow: u64,
    /// Zero-window probes and keepalives sent.
    pub window_probes: u64,
    pub keepalives: u64,
}

/// A snapshot of the sender's congestion and timing state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metrics {
    pub cwnd: usize,
    pub ssthresh: usize,
    pub srtt: Option<Duration>,
    pub rttvar: Duration,
    pub rto: Duration,
    /// Bytes sent and not yet acknowledged.
    pub in_flight: usize,
    /// The peer's receive window in bytes.
    pub send_window: usize,
    /// The effective send MSS.
    pub mss: usize,
}

/// A TCP socket: the RFC 9293 state machine with its buffers and timers.
///
/// See the [module documentation](crate::tcp) for how a stack drives it.
#[derive(Debug)]
pub struct Socket<'a> {
    config: Config,
    state: State,
    local: SocketAddrV4,
    remote: SocketAddrV4,
    /// Set by `listen`: the listening endpoint and ISN seed. A connection
    /// reset in SYN-RECEIVED returns to it (RFC 9293 section 3.10.7.4).
    listener: Option<(SocketAddrV4, SeqNumber)>,
    rx: RingBuffer<'a>,
    tx: RingBuffer<'a>,

    iss: SeqNumber,
    syn_acked: bool,
    snd_una: SeqNumber,
    /// Next sequence number to send from the stream; rewinds to `snd_una`
    /// on a timeout (go-back-N), so it can trail `snd_max`.
    snd_nxt: SeqNumber,
    /// Highest sequence number sent plus one.
    snd_max: SeqNumber,
    snd_wnd: usize,
    max_snd_wnd: usize,
    snd_wl1: SeqNumber,
    snd_wl2: SeqNumber,
    snd_mss: usize,
    snd_shift: u8,
    rcv_shift: u8,
    /// The application closed its side: a FIN follows the queued data.
    fin_queued: bool,

    irs: SeqNumber,
    rcv_nxt: SeqNumber,
    /// Right edge of the window last advertised; it never moves left.
    rcv_adv: SeqNumber,
    last_ack_sent: SeqNumber,
    /// Sequence number of the peer's FIN once seen, perhaps ahead of data.
    remote_fin: Option<SeqNumber>,
    /// The peer's FIN was consumed: once the ring is drained, reads finish.
    rx_fin: bool,
    /// Out-of-order data held in the receive ring, relative to `rcv_nxt`.
    ooo: Assembler,
    /// A byte of the most recent out-of-order segment, whose block leads the
    /// SACK option (RFC 2018 section 4).
    sack_recent: Option<SeqNumber>,

    /// TS.Recent (RFC 7323) once both sides agreed to use timestamps.
    ts_recent: Option<u32>,
    /// Both sides offered window scaling (so `snd_shift`/`rcv_shift` apply).
    ws_ok: bool,
    sack_ok: bool,
    /// Peer's SACK blocks, relative to `snd_una` (the scoreboard).
    sacked: Assembler,

    ack_now: bool,
    ack_at: Option<Instant>,
    /// Full-sized segments received since our last ACK.
    unacked_segments: u8,
    rtx_at: Option<Instant>,
    persist_at: Option<Instant>,
    probe_now: bool,
    keepalive_at: Option<Instant>,
    keepalive_now: bool,
    keepalive_unanswered: u8,
    close_at: Option<Instant>,
    retries: u8,
    rst_pending: bool,

    rtt: RttEstimator,
    /// Karn's algorithm: one timed segment, never a retransmitted one.
    rtt_sample: Option<(SeqNumber, Instant)>,
    cc: Controller,
    /// Next sequence to consider for retransmission during recovery.
    rexmit_nxt: SeqNumber,
    /// Retransmit the first hole now, outside the window check (on entering
    /// recovery and on partial ACKs).
    fast_rexmit_now: bool,
    /// Send times of what is in flight, for RACK loss detection (SACK only).
    rack: Rack,
    tlp: LossProbe,

    challenge_window: Instant,
    challenge_count: u16,
    counters: Counters,
}

impl<'a> Socket<'a> {
    pub fn new(rx: RingBuffer<'a>, tx: RingBuffer<'a>) -> Self {
        Socket::with_config(rx, tx, Config::default())
    }

    pub fn with_config(rx: RingBuffer<'a>, tx: RingBuffer<'a>, config: Config) -> Self {
        let unspecified = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);
        Socket {
            config,
            state: State::Closed,
            local: unspecified,
            remote: unspecified,
            listener: None,
            rx,
            tx,
            iss: SeqNumber(0),
            syn_acked: false,
            snd_una: SeqNumber(0),
            snd_nxt: SeqNumber(0),
            snd_max: SeqNumber(0),
            snd_wnd: 0,
            max_snd_wnd: 0,
            snd_wl1: SeqNumber(0),
            snd_wl2: SeqNumber(0),
            snd_mss: DEFAULT_MSS,
            snd_shift: 0,
            rcv_shift: 0,
            fin_queued: false,
            irs: SeqNumber(0),
            rcv_nxt: SeqNumber(0),
            rcv_adv: SeqNumber(0),
            last_ack_sent: SeqNumber(0),
            remote_fin: None,
            rx_fin: false,
            ooo: Assembler::new(),
            sack_recent: None,
            ts_recent: None,
            ws_ok: false,
            sack_ok: false,
            sacked: Assembler::new(),
            ack_now: false,
            ack_at: None,
            unacked_segments: 0,
            rtx_at: None,
            persist_at: None,
            probe_now: false,
            keepalive_at: None,
            keepalive_now: false,
            keepalive_unanswered: 0,
            close_at: None,
            retries: 0,
            rst_pending: false,
            rtt: RttEstimator::new(config.rto_initial, config.rto_min, config.rto_max),
            rtt_sample: None,
            cc: Controller::new(DEFAULT_MSS, SeqNumber(0)),
            rexmit_nxt: SeqNumber(0),
            fast_rexmit_now: false,
            rack: Rack::new(),
            tlp: LossProbe::new(),
            challenge_window: Instant::ZERO,
            challenge_count: 0,
            counters: Counters::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
    /// Takes effect for the next connection (options, MSS, timers).
    pub fn set_config(&mut self, config: Config) {
        self.config = config;
    }
    pub fn state(&self) -> State {
        self.state
    }
    pub fn local_endpoint(&self) -> SocketAddrV4 {
        self.local
    }
    pub fn remote_endpoint(&self) -> SocketAddrV4 {
        self.remote
    }
    pub fn counters(&self) -> Counters {
        self.counters
    }

    pub fn metrics(&self) -> Metrics {
        Metrics {
            cwnd: self.cc.cwnd(),
            ssthresh: self.cc.ssthresh(),
            srtt: self.rtt.srtt(),
            rttvar: self.rtt.rttvar(),
            rto: self.rtt.rto(),
            in_flight: self.snd_max.distance_from(self.snd_una) as usize,
            send_window: self.snd_wnd,
            mss: self.snd_mss,
        }
    }

    /// Sequence numbers for invariant checks: (SND.UNA, SND.NXT, SND.MAX,
    /// RCV.NXT).
    pub fn sequence_state(&self) -> (SeqNumber, SeqNumber, SeqNumber, SeqNumber) {
        (self.snd_una, self.snd_nxt, self.snd_max, self.rcv_nxt)
    }

    /// Waits for a connection on `local` (address may be unspecified for
    /// any). `isn` seeds the initial sequence number of the connection this
    /// listener will accept: pass a fresh random value (RFC 6528); the
    /// socket adds a 4 µs clock to it.
    pub fn listen(&mut self, local: SocketAddrV4, isn: SeqNumber) -> Result<(), Error> {
        if local.port() == 0 {
            return Err(Error::Unaddressable);
        }
        if self.state != State::Closed || self.rst_pending {
            return Err(Error::InvalidState);
        }
        self.reset_connection();
        self.discard_received();
        self.local = local;
        self.listener = Some((local, isn));
        self.state = State::Listen;
        Ok(())
    }

    /// Opens a connection from `local` (a concrete address and the caller's
    /// ephemeral port) to `remote`, with initial sequence number `isn` from
    /// the caller's RNG. The SYN goes out on the next `dispatch`.
    pub fn connect(
        &mut self,
        now: Instant,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        isn: SeqNumber,
    ) -> Result<(), Error> {
        let unspecified = local.ip().is_unspecified() || remote.ip().is_unspecified();
        if local.port() == 0 || remote.port() == 0 || unspecified {
            return Err(Error::Unaddressable);
        }
        if self.state != State::Closed || self.rst_pending {
            return Err(Error::InvalidState);
        }
        self.reset_connection();
        self.discard_received();
        self.local = local;
        self.remote = remote;
        self.start_sequence(isn);
        self.state = State::SynSent;
        self.keepalive_touch(now);
        Ok(())
    }

    /// Queues data; returns how much fit in the send buffer.
    pub fn send_slice(&mut self, data: &[u8]) -> Result<usize, Error> {
        if !self.state.may_send() || self.fin_queued {
            return Err(Error::InvalidState);
        }
        Ok(self.tx.enqueue_slice(data))
    }

    /// Reads received data. `Ok(0)` means nothing yet (also while listening
    /// or connecting); `Err(Finished)` means the peer closed and everything
    /// was read; `Err(InvalidState)` means there is no connection.
    pub fn recv_slice(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let n = self.peek(buf)?;
        self.rx.dequeue_allocated(n);
        Ok(n)
    }

    /// Like [`recv_slice`](Self::recv_slice) without consuming the data.
    pub fn peek(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let n = self.rx.read_allocated(0, buf);
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        if self.rx_fin {
            Err(Error::Finished)
        } else if self.state == State::Closed {
            Err(Error::InvalidState)
        } else {
            Ok(0)
        }
    }

    /// Bytes waiting to be read.
    pub fn recv_queue(&self) -> usize {
        self.rx.len()
    }
    /// Bytes queued and not yet acknowledged.
    pub fn send_queue(&self) -> usize {
        self.tx.len()
    }
    /// Free space in the send buffer (zero once closed for writing).
    pub fn send_capacity(&self) -> usize {
        if self.state.may_send() && !self.fin_queued {
            self.tx.window()
        } else {
            0
        }
    }
    /// Whether the socket can move data (it is connecting or connected).
    pub fn is_active(&self) -> bool {
        !matches!(self.state, State::Closed | State::Listen | State::TimeWait)
    }

    /// Closes the write side: a FIN follows the data already queued.
    /// Reading continues until the peer closes too.
    pub fn close(&mut self) {
        match self.state {
            State::Listen | State::SynSent => self.reset_connection(),
            State::SynReceived | State::Established => {
                self.fin_queued = true;
                self.state = State::FinWait1;
            }
            State::CloseWait => {
                self.fin_queued = true;
                self.state = State::LastAck;
            }
            _ => {}
        }
    }

    /// Drops the connection at once; a synchronized peer is sent a RST.
    pub fn abort(&mut self) {
        let rst = self.state.is_synchronized() && self.state != State::TimeWait;
        let keep = (self.local, self.remote, self.reset_seq(), self.rcv_nxt);
        self.reset_connection();
        self.discard_received();
        if rst {
            self.rst_pending = true;
            (self.local, self.remote, self.snd_max, self.rcv_nxt) = keep;
        }
    }

    /// Where an abort's RST goes: SND.MAX, unless a zero-window probe took
    /// it past the peer's window, which would make the peer drop the RST
    /// (RFC 5961 3.2); then the window's right edge, as Linux does.
    fn reset_seq(&self) -> SeqNumber {
        let window_end = self.snd_una + self.snd_wnd;
        if window_end < self.snd_max {
            window_end
        } else {
            self.snd_max
        }
    }

    fn discard_received(&mut self) {
        self.rx.clear();
        self.rx_fin = false;
    }

    /// Back to CLOSED, forgetting the connection but not the config, the
    /// counters or received data not yet read.
    fn reset_connection(&mut self) {
        let fresh = Socket::with_config(
            RingBuffer::new(&mut []),
            RingBuffer::new(&mut []),
            self.config,
        );
        let rx = core::mem::replace(&mut self.rx, fresh.rx);
        let tx = core::mem::replace(&mut self.tx, fresh.tx);
        let (counters, rx_fin) = (self.counters, self.rx_fin);
        *self = Socket { rx, tx, ..fresh };
        self.tx.clear();
        self.counters = counters;
        self.rx_fin = rx_fin;
    }

    /// A RST from the peer (or a fatal timeout) ends the connection; a
    /// passive one in SYN-RECEIVED goes back to listening. Received data is
    /// flushed unless the peer's FIN already completed its stream (RFC 9293
    /// section 3.10.7.4: CLOSING and LAST-ACK just close).
    fn connection_reset(&mut self) {
        let listener = self.listener.filter(|_| self.state == State::SynReceived);
        let stream_complete = matches!(self.state, State::Closing | State::LastAck);
        self.reset_connection();
        if !stream_complete {
            self.discard_received();
        }
        if let Some((local, isn)) = listener {
            self.local = local;
            self.listener = Some((local, isn));
            self.state = State::Listen;
        }
    }

    fn start_sequence(&mut self, isn: SeqNumber) {
        self.iss = isn;
        self.snd_una = isn;
        self.snd_nxt = isn;
        self.snd_max = isn;
        self.rexmit_nxt = isn;
        self.syn_acked = false;
        self.rcv_shift = if self.config.window_scaling {
            window_shift_for(self.rx.capacity())
        } else {
            0
        };
        self.ts_recent = None;
        self.ws_ok = false;
        self.sack_ok = false;
    }

    fn keepalive_touch(&mut self, now: Instant) {
        self.keepalive_unanswered = 0;
        self.keepalive_now = false;
        self.keepalive_at = self.config.keepalive.map(|idle| now + idle);
    }

    /// Sequence number of the first byte in the send buffer.
    fn data_start(&self) -> SeqNumber {
        if self.syn_acked {
            self.snd_una
        } else {
            self.iss + 1u32
        }
    }

    /// Sequence number just past the send buffer (where the FIN goes).
    fn data_end(&self) -> SeqNumber {
        self.data_start() + self.tx.len()
    }

    /// Our millisecond timestamp clock, offset by the ISS so TSvals do not
    /// reveal uptime.
    fn ts_now(&self, now: Instant) -> u32 {
        (now.total_millis() as u32).wrapping_add(self.iss.0)
    }
}

/// The smallest shift that lets a 16-bit window field cover `capacity`.
fn window_shift_for(capacity: usize) -> u8 {
    let mut shift = 0;
    while shift < MAX_WINDOW_SHIFT && (capacity >> shift) > usize::from(u16::MAX) {
        shift += 1;
    }
    shift
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_shift_covers_capacity() {
        assert_eq!(window_shift_for(65535), 0);
        assert_eq!(window_shift_for(65536), 1);
        assert_eq!(window_shift_for(1 << 20), 5);
        assert_eq!(window_shift_for(usize::MAX), MAX_WINDOW_SHIFT);
    }
}
