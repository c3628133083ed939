//! Full-duplex point-to-point links and what they do to frames.
//!
//! Each direction ("lane") is a pipeline: down links and oversized frames are
//! dropped, the frame waits in a bounded drop-tail queue for the serializer,
//! is serialized at the configured bandwidth, may be lost, corrupted,
//! duplicated or held back, and arrives after latency plus jitter. A lane is
//! pure state with no access to the engine: it tells the engine when the frame
//! arrives, and the engine schedules it.

mod config;

use std::collections::VecDeque;

use serde::Serialize;

pub use config::{DirectionConfig, GilbertElliott, LinkConfig, Loss, Probability};

use crate::rng::{self, SimRng};
use crate::time::{SimDuration, SimTime};

const ETHERNET_HEADER_LEN: usize = 14;
const VLAN_TAG_LEN: usize = 4;
const ETHERTYPE_VLAN: [u8; 2] = [0x81, 0x00];

/// Why a link dropped a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// The link was down when the frame was sent or while it was in flight.
    Down,
    /// The Ethernet payload exceeded the MTU.
    Mtu,
    /// The drop-tail queue was full.
    QueueFull,
    /// The loss model discarded it.
    Loss,
}

impl DropReason {
    /// The name used in traces.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Down => "down",
            DropReason::Mtu => "mtu",
            DropReason::QueueFull => "queue-full",
            DropReason::Loss => "loss",
        }
    }
}

/// Drops by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DropCounters {
    pub down: u64,
    pub mtu: u64,
    pub queue_full: u64,
    pub loss: u64,
}

impl DropCounters {
    pub fn total(&self) -> u64 {
        self.down + self.mtu + self.queue_full + self.loss
    }

    fn count(&mut self, reason: DropReason) {
        let slot = match reason {
            DropReason::Down => &mut self.down,
            DropReason::Mtu => &mut self.mtu,
            DropReason::QueueFull => &mut self.queue_full,
            DropReason::Loss => &mut self.loss,
        };
        *slot += 1;
    }
}

/// What happened to frames on one direction of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LinkCounters {
    /// Frames handed to the link (including those it then dropped).
    pub offered_frames: u64,
    pub offered_bytes: u64,
    /// Frames that reached the far end (duplicates included).
    pub delivered_frames: u64,
    pub delivered_bytes: u64,
    pub dropped: DropCounters,
    pub duplicated: u64,
    pub reordered: u64,
    pub corrupted: u64,
}

/// The fate of a frame offered to a lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Dropped(DropReason),
    /// The frame arrives at `at`; a duplicate, if any, right after it.
    /// `corrupted`: a bit of it was just flipped in place.
    Arrives {
        at: SimTime,
        duplicate: bool,
        corrupted: bool,
    },
}

/// Random draws for one frame, always all taken and in this order, so that
/// changing one impairment does not shift the decisions of the others.
struct Dice {
    state: f64,
    loss: f64,
    duplicate: f64,
    reorder: f64,
    corrupt: f64,
    bit: u64,
    jitter: u64,
}

impl Dice {
    fn roll(rng: &mut SimRng) -> Self {
        use rand::RngCore;
        Dice {
            state: rng::unit(rng),
            loss: rng::unit(rng),
            duplicate: rng::unit(rng),
            reorder: rng::unit(rng),
            corrupt: rng::unit(rng),
            bit: rng.next_u64(),
            jitter: rng.next_u64(),
        }
    }
}

/// One direction of a link.
pub(crate) struct Lane {
    config: DirectionConfig,
    rng: SimRng,
    /// Gilbert–Elliott state.
    bad: bool,
    /// When the serializer finishes the last admitted frame.
    busy_until: SimTime,
    /// Serialization start and length of admitted frames not yet started.
    waiting: VecDeque<(SimTime, usize)>,
    waiting_bytes: usize,
    /// Latest in-order arrival, to keep jitter from reordering.
    last_arrival: SimTime,
    pub(crate) counters: LinkCounters,
}

impl Lane {
    pub(crate) fn new(config: DirectionConfig, rng: SimRng) -> Self {
        Lane {
            config,
            rng,
            bad: false,
            busy_until: SimTime::ZERO,
            waiting: VecDeque::new(),
            waiting_bytes: 0,
            last_arrival: SimTime::ZERO,
            counters: LinkCounters::default(),
        }
    }

    pub(crate) fn config(&self) -> &DirectionConfig {
        &self.config
    }

    /// Replaces the configuration; a new loss model starts in its good state.
    pub(crate) fn set_config(&mut self, config: DirectionConfig) {
        if config.loss != self.config.loss {
            self.bad = false;
        }
        self.config = config;
    }

    /// Forgets queued and in-flight frames (the link went down).
    pub(crate) fn flush(&mut self, now: SimTime) {
        self.busy_until = now;
        self.waiting.clear();
        self.waiting_bytes = 0;
        self.last_arrival = now;
    }

    pub(crate) fn count_drop(&mut self, reason: DropReason) {
        self.counters.dropped.count(reason);
    }

    pub(crate) fn count_delivery(&mut self, len: usize) {
        self.counters.delivered_frames += 1;
        self.counters.delivered_bytes += len as u64;
    }

    /// Offers `frame` at `now` on a link that is `up`; may corrupt it in
    /// place. Drops are counted here; deliveries when they happen.
    pub(crate) fn offer(&mut self, now: SimTime, frame: &mut [u8], up: bool) -> Fate {
        self.counters.offered_frames += 1;
        self.counters.offered_bytes += frame.len() as u64;
        let fate = self
            .admit(now, frame, up)
            .and_then(|sent| self.transit(sent, frame));
        match fate {
            Ok(fate) => fate,
            Err(reason) => {
                self.count_drop(reason);
                Fate::Dropped(reason)
            }
        }
    }

    /// Link state, MTU and queue: returns when serialization ends.
    fn admit(&mut self, now: SimTime, frame: &[u8], up: bool) -> Result<SimTime, DropReason> {
        if !up {
            return Err(DropReason::Down);
        }
        if payload_len(frame) > self.config.mtu {
            return Err(DropReason::Mtu);
        }
        let Some(bps) = self.config.bandwidth_bps else {
            return Ok(now);
        };
        while let Some(&(start, len)) = self.waiting.front() {
            if start > now {
                break;
            }
            self.waiting.pop_front();
            self.waiting_bytes -= len;
        }
        let start = self.busy_until.max(now);
        if start > now {
            if self.waiting_bytes + frame.len() > self.config.queue_bytes {
                return Err(DropReason::QueueFull);
            }
            self.waiting.push_back((start, frame.len()));
            self.waiting_bytes += frame.len();
        }
        self.busy_until = start + serialization(frame.len(), bps.get());
        Ok(self.busy_until)
    }

    /// Loss, corruption, reordering, duplication and delay of a frame whose
    /// serialization ended at `sent`.
    fn transit(&mut self, sent: SimTime, frame: &mut [u8]) -> Result<Fate, DropReason> {
        let dice = Dice::roll(&mut self.rng);
        if self.lost(&dice) {
            return Err(DropReason::Loss);
        }
        let corrupted = self.config.corrupt.hit(dice.corrupt) && flip_bit(frame, dice.bit);
        if corrupted {
            self.counters.corrupted += 1;
        }
        let jitter =
            SimDuration::from_nanos(rng::scale(dice.jitter, self.config.jitter.as_nanos()));
        let mut at = (sent + self.config.latency + jitter).max(self.last_arrival);
        self.last_arrival = at;
        if self.config.reorder.hit(dice.reorder) {
            self.counters.reordered += 1;
            at += self.config.reorder_delay;
        }
        let duplicate = self.config.duplicate.hit(dice.duplicate);
        if duplicate {
            self.counters.duplicated += 1;
        }
        Ok(Fate::Arrives {
            at,
            duplicate,
            corrupted,
        })
    }

    fn lost(&mut self, dice: &Dice) -> bool {
        match self.config.loss {
            Loss::None => false,
            Loss::Bernoulli { p } => p.hit(dice.loss),
            Loss::GilbertElliott(ge) => {
                let flip = if self.bad { ge.to_good } else { ge.to_bad };
                if flip.hit(dice.state) {
                    self.bad = !self.bad;
                }
                let p = if self.bad { ge.loss_bad } else { ge.loss_good };
                p.hit(dice.loss)
            }
        }
    }
}

/// Time to put `len` bytes on a wire of `bps` bits per second, rounded up.
fn serialization(len: usize, bps: u64) -> SimDuration {
    let bits = len as u128 * 8 * 1_000_000_000;
    let nanos = bits.div_ceil(u128::from(bps));
    SimDuration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// Ethernet payload length: after the header and an 802.1Q tag if present.
fn payload_len(frame: &[u8]) -> usize {
    let tagged = frame.get(12..14) == Some(&ETHERTYPE_VLAN[..]);
    let header = ETHERNET_HEADER_LEN + if tagged { VLAN_TAG_LEN } else { 0 };
    frame.len().saturating_sub(header)
}

/// Flips one bit chosen by `draw` in the Ethernet payload (the whole frame if
/// it has none). Returns whether a bit was flipped.
fn flip_bit(frame: &mut [u8], draw: u64) -> bool {
    let start = if frame.len() > ETHERNET_HEADER_LEN {
        ETHERNET_HEADER_LEN
    } else {
        0
    };
    let Some(region) = frame.get_mut(start..).filter(|r| !r.is_empty()) else {
        return false;
    };
    let bits = region.len() as u64 * 8;
    let bit = rng::scale(draw, bits - 1);
    let (byte, shift) = ((bit / 8) as usize, bit % 8);
    match region.get_mut(byte) {
        Some(b) => {
            *b ^= 1 << shift;
            true
        }
        None => false,
    }
}

/// Which end of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Side {
    A,
    B,
}

impl Side {
    pub(crate) fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
    /// The lane carrying frames sent from this side.
    pub(crate) fn lane(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }
}

/// A full-duplex link: two lanes and a shared up/down state.
pub(crate) struct Link {
    pub(crate) lanes: [Lane; 2],
    up: bool,
    /// Bumped when the link goes down; frames carry the epoch they were sent
    /// in and are dropped on arrival if it changed.
    epoch: u64,
}

impl Link {
    pub(crate) fn new(config: LinkConfig, rng_a_to_b: SimRng, rng_b_to_a: SimRng) -> Self {
        Link {
            lanes: [
                Lane::new(config.a_to_b, rng_a_to_b),
                Lane::new(config.b_to_a, rng_b_to_a),
            ],
            up: true,
            epoch: 0,
        }
    }

    pub(crate) fn is_up(&self) -> bool {
        self.up
    }

    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Changes the link state; returns whether it changed. Going down loses
    /// every queued and in-flight frame.
    pub(crate) fn set_up(&mut self, up: bool, now: SimTime) -> bool {
        if self.up == up {
            return false;
        }
        self.up = up;
        if !up {
            self.epoch += 1;
            self.lanes.iter_mut().for_each(|lane| lane.flush(now));
        }
        true
    }

    /// Offers a frame sent from `from`.
    pub(crate) fn offer(&mut self, from: Side, now: SimTime, frame: &mut [u8]) -> Fate {
        let up = self.up;
        self.lanes[from.lane()].offer(now, frame, up)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::num::NonZeroU64;

    fn lane(config: DirectionConfig) -> Lane {
        Lane::new(config, rng::stream(1, "test"))
    }

    fn arrival(fate: Fate) -> SimTime {
        match fate {
            Fate::Arrives { at, .. } => at,
            Fate::Dropped(r) => panic!("dropped: {r:?}"),
        }
    }

    #[test]
    fn serialization_and_queue() {
        let mut l = lane(DirectionConfig {
            bandwidth_bps: NonZeroU64::new(8_000_000),
            latency: SimDuration::from_micros(10),
            queue_bytes: 200,
            ..Default::default()
        });
        let mut f = [0u8; 100];
        // 100 bytes at 8 Mbit/s = 100 µs.
        assert_eq!(
            arrival(l.offer(SimTime::ZERO, &mut f, true)),
            SimTime::from_micros(110)
        );
        assert_eq!(
            arrival(l.offer(SimTime::ZERO, &mut f, true)),
            SimTime::from_micros(210)
        );
        assert_eq!(
            arrival(l.offer(SimTime::ZERO, &mut f, true)),
            SimTime::from_micros(310)
        );
        assert_eq!(
            l.offer(SimTime::ZERO, &mut f, true),
            Fate::Dropped(DropReason::QueueFull)
        );
        // Once the second frame started, there is room for one more.
        assert_eq!(
            arrival(l.offer(SimTime::from_micros(100), &mut f, true)),
            SimTime::from_micros(410)
        );
        assert_eq!(l.counters.dropped.queue_full, 1);
    }

    #[test]
    fn mtu_counts_payload_and_vlan_tag() {
        let mut l = lane(DirectionConfig {
            mtu: 100,
            ..Default::default()
        });
        let mut ok = [0u8; 114];
        let mut big = [0u8; 115];
        assert!(matches!(
            l.offer(SimTime::ZERO, &mut ok, true),
            Fate::Arrives { .. }
        ));
        assert_eq!(
            l.offer(SimTime::ZERO, &mut big, true),
            Fate::Dropped(DropReason::Mtu)
        );
        big[12..14].copy_from_slice(&ETHERTYPE_VLAN);
        assert!(matches!(
            l.offer(SimTime::ZERO, &mut big, true),
            Fate::Arrives { .. }
        ));
    }

    #[test]
    fn jitter_never_reorders() {
        let mut l = lane(DirectionConfig {
            latency: SimDuration::from_millis(1),
            jitter: SimDuration::from_millis(5),
            ..Default::default()
        });
        let mut last = SimTime::ZERO;
        for i in 0..1000 {
            let at = arrival(l.offer(SimTime::from_micros(i), &mut [0u8; 60], true));
            assert!(at >= last);
            assert!(at <= SimTime::from_micros(i) + SimDuration::from_millis(6));
            last = at;
        }
    }

    #[test]
    fn corruption_flips_exactly_one_payload_bit() {
        let mut l = lane(DirectionConfig {
            corrupt: Probability::ONE,
            ..Default::default()
        });
        for _ in 0..200 {
            let mut f = [0u8; 64];
            l.offer(SimTime::ZERO, &mut f, true);
            let ones: u32 = f.iter().map(|b| b.count_ones()).sum();
            assert_eq!(ones, 1);
            assert!(f[..ETHERNET_HEADER_LEN].iter().all(|&b| b == 0));
        }
        assert!(!flip_bit(&mut [], 0));
        let mut tiny = [0u8; 3];
        assert!(flip_bit(&mut tiny, u64::MAX));
        assert_eq!(tiny[2], 0x80);
    }

    #[test]
    fn down_link_drops_and_flushes() {
        let mut link = Link::new(
            LinkConfig::default(),
            rng::stream(1, "a"),
            rng::stream(1, "b"),
        );
        assert!(link.set_up(false, SimTime::ZERO));
        assert!(!link.set_up(false, SimTime::ZERO));
        assert_eq!(link.epoch(), 1);
        assert_eq!(
            link.offer(Side::A, SimTime::ZERO, &mut [0u8; 60]),
            Fate::Dropped(DropReason::Down)
        );
        assert_eq!(link.lanes[0].counters.dropped.down, 1);
        assert_eq!(link.lanes[1].counters.offered_frames, 0);
    }
}
