//! The `tcp_bulk` transfers with the three configurations alternated
//! transfer by transfer instead of measured one after another: a check that
//! the ratios in BENCHMARKS.md do not come from the machine's speed drifting
//! between criterion's groups. Each stack starts every transfer with its
//! caches and branch predictors cooled by the other two, which costs the
//! stack with the larger code path more.
//!
//! `cargo bench -p seqs --bench tcp_bulk_interleaved` prints, per buffer
//! size and loss rate, the MB/s of the fastest of `ROUNDS` transfers of each
//! configuration and the ratios to smoltcp.

#[path = "tcp_bulk/seqs_pair.rs"]
mod seqs_pair;
#[path = "tcp_bulk/smol_pair.rs"]
mod smol_pair;
#[path = "tcp_bulk/wire.rs"]
mod wire;

use std::hint::black_box;
use std::time::{Duration, Instant};
use wire::{pattern, BUFFERS, LOSSES, TOTAL};

/// Transfers of each configuration per buffer size and loss rate.
const ROUNDS: usize = 200;

/// How long one transfer of `P` took.
fn time<P: wire::Pair>(buffer: usize, loss: f64, data: &[u8]) -> Duration {
    let start = Instant::now();
    black_box(wire::transfer::<P>(buffer, loss, black_box(data)));
    start.elapsed()
}

fn main() {
    let data = pattern(TOTAL);
    let rate = |took: Duration| TOTAL as f64 / took.as_secs_f64() / 1e6;
    println!("buffer loss | MB/s seqs, seqs-plain, smoltcp | ratios to smoltcp");
    for buffer in BUFFERS {
        for loss in LOSSES {
            let p = f64::from(loss) / 100.0;
            let mut best = [Duration::MAX; 3];
            for _ in 0..ROUNDS {
                let took = [
                    time::<seqs_pair::Seqs<true>>(buffer, p, &data),
                    time::<seqs_pair::Seqs<false>>(buffer, p, &data),
                    time::<smol_pair::Smoltcp>(buffer, p, &data),
                ];
                for (best, took) in best.iter_mut().zip(took) {
                    *best = (*best).min(took);
                }
            }
            let [ours, plain, theirs] = best.map(rate);
            println!(
                "{:>3} KiB {loss}% | {ours:>8.1} {plain:>8.1} {theirs:>8.1} | {:>5.2} {:>5.2}",
                buffer >> 10,
                ours / theirs,
                plain / theirs,
            );
        }
    }
}
