//! CUBIC window growth (RFC 9438): after a reduction the window climbs back
//! along a cubic curve of the time since the reduction, flat around the
//! window where the loss happened and steep away from it, so a path with a
//! large bandwidth-delay product is refilled in seconds instead of one
//! segment per round trip. Loss recovery stays NewReno/RACK's
//! (`congestion`); this only sets how far a window shrinks on congestion
//! and how it grows in congestion avoidance.
//!
//! Integer arithmetic throughout (no floating point on the targets that
//! matter), in 64 bits whatever the target's word: windows in bytes, the
//! curve's time in ticks of 1/1024 s, C = 0.4 segments/s³.

use crate::time::{Duration, Instant};

/// β_cubic = 0.7 as a fraction: the window kept on congestion.
const BETA: (u64, u64) = (7, 10);

/// The curve's clock ticks in 1/1024 s (about a millisecond): fine enough
/// for a curve that moves a segment in tens of milliseconds, and coarse
/// enough that its cube fits 64 bits (no 128-bit arithmetic, which costs
/// a Cortex-M0+ kilobytes of library code).
const TICKS_PER_SEC: i64 = 1024;

/// Longest span from K used in the cubic, in ticks (about 17 minutes): far
/// past any window the curve can reach, and four times its cube fits.
const MAX_TICKS: i64 = 1 << 20;

/// CUBIC's state for one connection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cubic {
    /// W_max: the window just before the last reduction (less after fast
    /// convergence; 0, unknown, after a timeout), in bytes.
    w_max: usize,
    /// cwnd_prior: the window at the last reduction. The Reno-friendly
    /// estimate grows at the Reno rate once it gets back there.
    prior: usize,
    /// The current congestion-avoidance epoch; `None` until the first ACK
    /// in congestion avoidance after a reduction.
    epoch: Option<Epoch>,
}

#[derive(Debug, Clone, Copy)]
struct Epoch {
    /// When the curve's clock started (moved on over idle periods).
    start: Instant,
    /// K: when the curve is back at W_max.
    k: Duration,
    /// W_est, the Reno-friendly estimate (section 4.3), in bytes.
    w_est: usize,
    last_ack: Instant,
}

impl Cubic {
    /// The slow-start threshold after congestion with `flight` bytes out
    /// and a window of `cwnd` (RFC 9438 sections 4.6 and 4.7, fast
    /// convergence: a flow that lost below its previous W_max gives way).
    pub fn on_congestion(&mut self, cwnd: usize, flight: usize) -> usize {
        self.w_max = if cwnd < self.w_max {
            scale(cwnd, BETA.0 + BETA.1, 2 * BETA.1)
        } else {
            cwnd
        };
        self.prior = cwnd;
        self.epoch = None;
        scale(flight, BETA.0, BETA.1)
    }

    /// A timeout (after `on_congestion`): the next congestion avoidance
    /// starts flat where it starts, K = 0 (section 4.8). A window inflated
    /// by fast recovery when the timer fired says nothing of the path, so
    /// W_max is forgotten until then.
    pub fn on_timeout(&mut self) {
        self.w_max = 0;
    }

    /// The window after `acked` more bytes were acknowledged in congestion
    /// avoidance at `now`, with a round trip of `rtt`.
    pub fn grow(
        &mut self,
        now: Instant,
        rtt: Duration,
        cwnd: usize,
        acked: usize,
        mss: usize,
    ) -> usize {
        if self.epoch.is_none() && cwnd >= self.w_max {
            // After a timeout, or with a window already past W_max, the
            // curve's plateau is where this stage starts.
            self.w_max = cwnd;
        }
        let w_max = self.w_max;
        let epoch = self.epoch.get_or_insert_with(|| Epoch {
            start: now,
            k: time_to_regain(w_max - cwnd, mss),
            w_est: cwnd,
            last_ack: now,
        });
        // An ACK-clocked flow sees ACKs at least once a round trip: a longer
        // gap was idle (or application-limited) time, which must not count
        // as time for the curve to have grown (section 5.8).
        let gap = now - epoch.last_ack;
        if !rtt.is_zero() && gap > rtt + rtt {
            epoch.start = (epoch.start + (gap - rtt)).min(now);
        }
        epoch.last_ack = now;
        // Reno-friendly estimate: α = 3(1 - β)/(1 + β) = 9/17 segments per
        // window, 1 once it is back at cwnd_prior (section 4.3).
        let alpha: (u64, u64) = if epoch.w_est >= self.prior {
            (1, 1)
        } else {
            (9, 17)
        };
        let per_window = alpha.1.saturating_mul(cwnd.max(1) as u64);
        let step = scale(acked, mss as u64 * alpha.0, per_window);
        epoch.w_est = epoch.w_est.saturating_add(step);
        let t = now - epoch.start;
        if window_at(w_max, mss, t, epoch.k) < epoch.w_est {
            return epoch.w_est.max(cwnd);
        }
        // Concave or convex region: aim at where the curve is one round
        // trip ahead, at most half again the window (section 4.4).
        let target = window_at(w_max, mss, t + rtt, epoch.k).clamp(cwnd, cwnd + cwnd / 2);
        cwnd + scale(target - cwnd, acked as u64, cwnd.max(1) as u64)
    }
}

/// `value * num / den`, in 64 bits whatever the target (saturating).
fn scale(value: usize, num: u64, den: u64) -> usize {
    let wide = (value as u64).saturating_mul(num) / den.max(1);
    usize::try_from(wide).unwrap_or(usize::MAX)
}

/// K: how long the curve takes to climb `deficit` bytes back to W_max,
/// cbrt(deficit / C) seconds with the deficit in segments.
fn time_to_regain(deficit: usize, mss: usize) -> Duration {
    // (deficit / mss) / 0.4 s³ = deficit * 2.5 * 1024³ / mss ticks³
    // (saturating: a deficit that large takes longer than the curve runs).
    let cube = (deficit as u64).saturating_mul(10 << 30) / (4 * mss.max(1) as u64);
    let ticks = cbrt(cube);
    Duration::from_micros(ticks * 1_000_000 / TICKS_PER_SEC as u64)
}

/// W_cubic(t) = C (t - K)³ + W_max, in bytes.
fn window_at(w_max: usize, mss: usize, t: Duration, k: Duration) -> usize {
    let ticks = |d: Duration| (d.total_micros().min(1 << 40) as i64) * TICKS_PER_SEC / 1_000_000;
    let d = (ticks(t) - ticks(k)).clamp(-MAX_TICKS, MAX_TICKS);
    // 0.4 segments per s³, in segments with 10 fraction bits: d³ * 0.4 /
    // 1024³ * 1024, then bytes.
    let segments = (d * d * d * 4 / 10) >> 20;
    let offset = (segments * mss as i64) >> 10;
    let window = i64::try_from(w_max)
        .unwrap_or(i64::MAX)
        .saturating_add(offset)
        .max(0);
    usize::try_from(window).unwrap_or(usize::MAX)
}

/// The integer cube root, rounded down.
fn cbrt(x: u64) -> u64 {
    // Bit by bit from the top: the root of a 64-bit number has 22 bits.
    let mut root: u64 = 0;
    for bit in (0..22).rev() {
        let candidate = root | 1 << bit;
        let cube = candidate
            .checked_mul(candidate)
            .and_then(|square| square.checked_mul(candidate));
        if cube.is_some_and(|cube| cube <= x) {
            root = candidate;
        }
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: usize = 1000;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn cube_root_is_exact_or_rounded_down() {
        for n in [0u64, 1, 2, 7, 1000, 123_456, 2_642_245] {
            let x = n.pow(3);
            assert_eq!(cbrt(x), n);
            if n > 0 {
                assert_eq!(cbrt(x - 1), n - 1);
            }
        }
        assert_eq!(cbrt(u64::MAX), 2_642_245);
    }

    #[test]
    fn congestion_keeps_seven_tenths_and_remembers_the_window() {
        let mut cubic = Cubic::default();
        assert_eq!(cubic.on_congestion(100 * MSS, 100 * MSS), 70 * MSS);
        assert_eq!(cubic.w_max, 100 * MSS);
        // Fast convergence: losing again below W_max lowers it further.
        cubic.on_congestion(80 * MSS, 80 * MSS);
        assert_eq!(cubic.w_max, 68 * MSS, "80 * (1 + 0.7) / 2");
    }

    #[test]
    fn k_is_the_time_to_climb_back_to_w_max() {
        // RFC 9438: K = cbrt(W_max (1 - β) / C); 100 segments: cbrt(75)
        // s = 4.2172 s, to the tick.
        let k = time_to_regain(30 * MSS, MSS);
        assert!(k.total_micros().abs_diff(4_217_163) < 1000, "{k:?}");
        assert_eq!(window_at(100 * MSS, MSS, k, k), 100 * MSS);
        // K is whole ticks, so the curve starts a few bytes off 70.
        let start = window_at(100 * MSS, MSS, Duration::ZERO, k);
        assert!(start.abs_diff(70 * MSS) < MSS / 20, "{start}");
        // Symmetric around K: as far above W_max K later as below before.
        let later = window_at(100 * MSS, MSS, k + k, k);
        assert!(later.abs_diff(130 * MSS) < MSS / 20, "{later}");
    }

    /// Drives congestion avoidance ACK by ACK (two segments per ACK, one
    /// round trip per window) and returns the window after `duration`.
    fn avoid(cubic: &mut Cubic, mut cwnd: usize, rtt: Duration, duration: Duration) -> usize {
        let mut now = Instant::from_millis(1000);
        let end = now + duration;
        while now < end {
            let acks = cwnd / (2 * MSS);
            for _ in 0..acks.max(1) {
                cwnd = cubic.grow(now, rtt, cwnd, 2 * MSS, MSS);
            }
            now += rtt;
        }
        cwnd
    }

    #[test]
    fn window_plateaus_near_w_max_then_probes_beyond() {
        let mut cubic = Cubic::default();
        let cwnd = cubic.on_congestion(100 * MSS, 100 * MSS);
        let rtt = ms(100);
        // Concave: most of the way back within half of K (about 2.1 s)...
        let half = avoid(&mut cubic.clone(), cwnd, rtt, ms(2100));
        assert!((90 * MSS..100 * MSS).contains(&half), "{half}");
        // ...flat around W_max at K...
        let at_k = avoid(&mut cubic.clone(), cwnd, rtt, ms(4200));
        assert!(at_k.abs_diff(100 * MSS) <= 2 * MSS, "{at_k}");
        // ...then convex past it.
        let past = avoid(&mut cubic, cwnd, rtt, ms(8400));
        assert!(past > 125 * MSS, "{past}");
    }

    #[test]
    fn a_window_past_w_max_starts_on_the_plateau() {
        let mut cubic = Cubic::default();
        cubic.on_congestion(20 * MSS, 20 * MSS);
        // Slow start after a timeout went past the old W_max.
        let cwnd = cubic.grow(Instant::from_millis(1), ms(100), 30 * MSS, MSS, MSS);
        assert_eq!(cubic.w_max, 30 * MSS);
        assert_eq!(cubic.epoch.map(|e| e.k), Some(Duration::ZERO));
        assert!(cwnd >= 30 * MSS);
        let later = avoid(&mut cubic, cwnd, ms(100), ms(3000));
        assert!(later > 35 * MSS, "convex from the start: {later}");
    }

    #[test]
    fn after_a_timeout_avoidance_starts_on_its_own_plateau() {
        let mut cubic = Cubic::default();
        // A timeout while fast recovery had inflated the window to 170.
        cubic.on_congestion(170 * MSS, 100 * MSS);
        cubic.on_timeout();
        // Slow start stopped at ssthresh 70: the curve is flat there, not
        // climbing towards 170.
        let now = Instant::from_millis(1);
        let cwnd = cubic.grow(now, ms(100), 70 * MSS, MSS, MSS);
        assert_eq!(cubic.w_max, 70 * MSS);
        assert_eq!(cubic.epoch.map(|e| e.k), Some(Duration::ZERO));
        assert!(cwnd < 71 * MSS, "{cwnd}");
        // The next congestion event is an ordinary one again.
        cubic.on_congestion(80 * MSS, 80 * MSS);
        let cwnd = cubic.grow(now + ms(5000), ms(100), 56 * MSS, MSS, MSS);
        assert_eq!(cubic.w_max, 80 * MSS);
        assert!(cubic.epoch.is_some_and(|e| e.k > Duration::ZERO), "{cwnd}");
    }

    #[test]
    fn idle_time_does_not_count_as_growth() {
        let rtt = ms(100);
        // A window of ACKs a round trip, from `from`, for `rounds`.
        let run = |cubic: &mut Cubic, mut cwnd: usize, from: Instant, rounds: u32| {
            let mut now = from;
            for _ in 0..rounds {
                for _ in 0..cwnd / (2 * MSS) {
                    cwnd = cubic.grow(now, rtt, cwnd, 2 * MSS, MSS);
                }
                now += rtt;
            }
            cwnd
        };
        let mut fresh = Cubic::default();
        let cwnd = fresh.on_congestion(100 * MSS, 100 * MSS);
        let mut paused = fresh;
        let start = Instant::from_millis(1000);
        let busy = run(&mut fresh, cwnd, start, 5);
        // One ACK, ten idle seconds, then the same five round trips: the
        // curve resumes where it stopped, it does not leap to where ten
        // seconds of growth would have taken it.
        paused.grow(start, rtt, cwnd, 2 * MSS, MSS);
        let resumed = run(&mut paused, cwnd, start + ms(10_000), 5);
        assert!(resumed <= busy + 2 * MSS, "{resumed} against {busy}");
    }

    #[test]
    fn extreme_windows_and_times_do_not_overflow() {
        let mut cubic = Cubic::default();
        let max = usize::MAX;
        assert!(cubic.on_congestion(max, max) > 0);
        assert!(cubic.on_congestion(max / 2, max) > 0);
        let start = Instant::ZERO;
        let late = Instant::from_secs(1 << 40);
        for (now, cwnd, acked) in [(start, 1, max), (late, max, max), (late, 0, 0)] {
            cubic.grow(now, Duration::MAX, cwnd, acked, 65_535);
        }
        assert!(time_to_regain(max, 1) > Duration::from_secs(1_000));
        assert!(window_at(max, 65_535, Duration::MAX, Duration::ZERO) >= max / 2);
        assert_eq!(window_at(0, 65_535, Duration::ZERO, Duration::MAX), 0);
    }

    #[test]
    fn short_round_trips_grow_at_least_as_fast_as_reno() {
        // With a 1 ms RTT the cubic curve is slow in round trips; the
        // Reno-friendly estimate carries the window: 9/17 segment per RTT.
        let mut cubic = Cubic::default();
        let cwnd = cubic.on_congestion(20 * MSS, 20 * MSS);
        let after = avoid(&mut cubic, cwnd, ms(1), ms(100));
        let reno_like = cwnd + 100 * MSS * 9 / 17;
        assert!(after + MSS >= reno_like, "{after} < {reno_like}");
    }
}
