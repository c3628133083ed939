//! The in-memory wire both stacks run over, and the loop that drives a pair
//! of nodes through one bulk transfer in virtual time.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// Bytes moved per transfer.
pub const TOTAL: usize = 4 << 20;
/// Socket buffer sizes measured (both directions, both nodes).
pub const BUFFERS: [usize; 3] = [4 << 10, 16 << 10, 64 << 10];
/// Loss rates measured, in percent.
pub const LOSSES: [u32; 2] = [0, 1];

/// The bytes a transfer moves: not periodic within a buffer, so a segment
/// placed at the wrong offset fails the check.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ (i >> 9) as u8)
        .collect()
}

/// Virtual time in microseconds, shared by both harnesses.
pub type Micros = u64;

/// One-way delay of every frame.
pub const LATENCY: Micros = 500;
/// IP MTU; Ethernet frames are at most this plus 14 bytes.
pub const MTU: usize = 1500;
pub const FRAME: usize = MTU + 14;
/// Seed of the loss pattern: frame `i` on the wire is lost or not the same
/// way for both stacks.
pub const LOSS_SEED: u64 = 0x5eed;
/// More loss patterns, for a measure that does not hang on where one
/// pattern's losses fall (on data or on ACKs, early or late).
#[allow(dead_code)] // only the interleaved bench uses them
pub const LOSS_SEEDS: [u64; 8] = [LOSS_SEED, 1, 2, 3, 4, 5, 6, 7];

/// Two nodes (0 sends, 1 receives) with one connection between them,
/// driven the same way whatever the stack.
pub trait Pair {
    /// Both nodes with `buffer`-byte socket buffers; node 0 connecting.
    fn new(buffer: usize) -> Self;
    /// Hands `frame` to node `to`; the pair returns its buffer to `pool`.
    fn receive(&mut self, now: Micros, to: usize, frame: Frame, pool: &mut Pool);
    /// The applications: node 0 queues from `data[*sent..]`, node 1 reads
    /// into `sink` and checks what it read against `data[*got..]`.
    fn applications(&mut self, data: &[u8], sent: &mut usize, got: &mut usize, sink: &mut [u8]);
    /// Every frame both nodes have to send now, as (sender, frame).
    fn transmit(&mut self, now: Micros, pool: &mut Pool, out: &mut Vec<(usize, Frame)>);
    /// The earliest instant either node has timer work.
    fn poll_at(&mut self, now: Micros) -> Option<Micros>;
}

/// A frame in a full-size buffer, as a NIC's DMA ring holds it: the stack
/// writes into whatever the buffer's last frame left, and nobody zeroes it
/// first (a driver does not, and zeroing a full buffer for a 66-byte ACK
/// would charge the harness's work to a stack).
pub struct Frame {
    bytes: Vec<u8>,
    len: usize,
}

impl Frame {
    /// The frame's bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// The whole buffer, for a stack that reports the length afterwards.
    pub fn buffer_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// The frame is `len` bytes long.
    pub fn set_len(&mut self, len: usize) {
        assert!(len <= FRAME, "a {len}-byte frame exceeds the MTU");
        self.len = len;
    }

    /// Makes the frame `len` bytes long and returns them to be written.
    pub fn fill(&mut self, len: usize) -> &mut [u8] {
        self.set_len(len);
        &mut self.bytes[..len]
    }
}

/// Frame buffers are recycled so neither stack pays for the harness's
/// allocations; each is allocated (zeroed) once, at full size.
#[derive(Default)]
pub struct Pool(Vec<Vec<u8>>);

impl Pool {
    pub fn take(&mut self) -> Frame {
        let bytes = self.0.pop().unwrap_or_else(|| vec![0; FRAME]);
        Frame { bytes, len: 0 }
    }
    pub fn put(&mut self, frame: Frame) {
        self.0.push(frame.bytes);
    }
}

/// What one transfer did in virtual time (identical on every run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub virtual_micros: Micros,
    pub frames: u64,
    pub lost: u64,
    /// Data segments node 0 sent that start below the highest sequence
    /// number it had sent, read off the wire (the same count for both).
    pub retransmissions: u64,
}

/// Frames in flight. The latency is fixed, so arrival order is send order.
struct Wire {
    in_flight: VecDeque<(Micros, usize, Frame)>,
    loss: f64,
    rng: ChaCha8Rng,
    frames: u64,
    lost: u64,
    retransmissions: u64,
    /// End of the highest data sent by node 0.
    data_end: Option<u32>,
}

impl Wire {
    fn new(loss: f64, seed: u64) -> Self {
        Wire {
            in_flight: VecDeque::new(),
            loss,
            rng: ChaCha8Rng::seed_from_u64(seed),
            frames: 0,
            lost: 0,
            retransmissions: 0,
            data_end: None,
        }
    }

    fn send(&mut self, now: Micros, from: usize, frame: Frame, pool: &mut Pool) {
        self.frames += 1;
        if from == 0 {
            self.count_retransmission(frame.as_slice());
        }
        if self.loss > 0.0 && self.rng.random_bool(self.loss) {
            self.lost += 1;
            pool.put(frame);
        } else {
            self.in_flight.push_back((now + LATENCY, 1 - from, frame));
        }
    }

    /// Lets both nodes transmit; returns whether any frame left.
    fn send_all<P: Pair>(
        &mut self,
        now: Micros,
        pair: &mut P,
        pool: &mut Pool,
        out: &mut Vec<(usize, Frame)>,
    ) -> bool {
        pair.transmit(now, pool, out);
        let any = !out.is_empty();
        for (from, frame) in out.drain(..) {
            self.send(now, from, frame, pool);
        }
        any
    }

    fn count_retransmission(&mut self, frame: &[u8]) {
        let Some((seq, len)) = tcp_data(frame) else {
            return;
        };
        let end = seq.wrapping_add(len);
        match self.data_end {
            // Modulo 2^32: `seq` is behind when the difference is negative.
            Some(high) if (seq.wrapping_sub(high) as i32) < 0 => {
                self.retransmissions += 1;
                if (end.wrapping_sub(high) as i32) > 0 {
                    self.data_end = Some(end);
                }
            }
            _ => self.data_end = Some(end),
        }
    }

    fn next_arrival(&self) -> Option<Micros> {
        self.in_flight.front().map(|(at, _, _)| *at)
    }
}

/// Moves all of `data` from node 0 to node 1 of a fresh `P`, losing frames
/// with probability `loss` as drawn from `seed`.
///
/// At each instant: deliver the frames due, letting both nodes transmit
/// after each (as a driver does after every received frame), run both
/// applications, let both nodes transmit again; then jump to the next
/// frame arrival or timer.
pub fn transfer<P: Pair>(buffer: usize, loss: f64, seed: u64, data: &[u8]) -> Outcome {
    let mut pair = P::new(buffer);
    let mut wire = Wire::new(loss, seed);
    let mut pool = Pool::default();
    let mut out = Vec::new();
    let mut sink = vec![0u8; buffer];
    let (mut sent, mut got) = (0, 0);
    let mut now: Micros = 0;
    let mut idle_turns = 0;
    loop {
        let mut sent_any = false;
        while wire.next_arrival().is_some_and(|at| at <= now) {
            let (_, to, frame) = wire.in_flight.pop_front().expect("checked");
            pair.receive(now, to, frame, &mut pool);
            // The driver loop of both stacks: transmit after each frame.
            sent_any |= wire.send_all(now, &mut pair, &mut pool, &mut out);
        }
        pair.applications(data, &mut sent, &mut got, &mut sink);
        sent_any |= wire.send_all(now, &mut pair, &mut pool, &mut out);
        idle_turns = if sent_any { 0 } else { idle_turns + 1 };
        if got == data.len() {
            break;
        }
        let next = [wire.next_arrival(), pair.poll_at(now)]
            .into_iter()
            .flatten()
            .min()
            .expect("a stalled transfer has neither frames nor timers");
        assert!(
            next > now || idle_turns < 1000,
            "poll_at stays at {now} us with nothing to send"
        );
        now = now.max(next);
    }
    Outcome {
        virtual_micros: now,
        frames: wire.frames,
        lost: wire.lost,
        retransmissions: wire.retransmissions,
    }
}

/// Checks a chunk the receiver read against what the sender sent.
pub fn verify(data: &[u8], got: &mut usize, chunk: &[u8]) {
    assert!(
        data.get(*got..*got + chunk.len()) == Some(chunk),
        "corrupt data at byte {}",
        *got
    );
    *got += chunk.len();
}

/// Sequence number and payload length of a TCP segment in an Ethernet
/// frame carrying data; `None` for anything else.
fn tcp_data(frame: &[u8]) -> Option<(u32, u32)> {
    let ip = frame.get(14..)?;
    if frame.get(12..14)? != [8, 0] || *ip.get(9)? != 6 {
        return None;
    }
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    let tcp = ip.get(ihl..total)?;
    let offset = usize::from(tcp.get(12)? >> 4) * 4;
    let len = u32::try_from(tcp.len().checked_sub(offset)?).ok()?;
    let seq = u32::from_be_bytes(tcp.get(4..8)?.try_into().ok()?);
    (len > 0).then_some((seq, len))
}
