//! The `tcp_bulk` transfers with the three configurations alternated
//! transfer by transfer instead of measured one after another: a check that
//! the ratios in BENCHMARKS.md do not come from the machine's speed drifting
//! between criterion's groups, nor from the one loss pattern criterion's
//! bench uses.
//!
//! Each round runs every configuration once, starting with a different one
//! each round, so each follows each other equally often (a transfer starts
//! with the caches and branch predictors its predecessor left, and one that
//! follows the same stack's other configuration starts warmer). With loss,
//! the rounds go to [`LOSS_SEEDS`] in turn, eight loss patterns: where one
//! pattern's losses fall (on data segments or on ACKs) moved a stack's time
//! by several percent.
//!
//! `cargo bench -p seqs --bench tcp_bulk_interleaved` prints, per buffer
//! size and loss rate, the MB/s of each configuration (per loss pattern the
//! fastest of its rounds, summed over the patterns) and the ratios to
//! smoltcp.

#[path = "tcp_bulk/seqs_pair.rs"]
mod seqs_pair;
#[path = "tcp_bulk/smol_pair.rs"]
mod smol_pair;
#[path = "tcp_bulk/wire.rs"]
mod wire;

use std::hint::black_box;
use std::time::{Duration, Instant};
use wire::{pattern, BUFFERS, LOSSES, LOSS_SEED, LOSS_SEEDS, TOTAL};

/// Transfers of each configuration per buffer size and loss rate.
const ROUNDS: usize = 200;

/// How long one transfer of configuration `which` (0: `seqs`, 1:
/// `seqs-plain`, 2: smoltcp) took.
fn time(which: usize, buffer: usize, loss: f64, seed: u64, data: &[u8]) -> Duration {
    let start = Instant::now();
    match which {
        0 => black_box(wire::transfer::<seqs_pair::Seqs<true>>(
            buffer,
            loss,
            seed,
            black_box(data),
        )),
        1 => black_box(wire::transfer::<seqs_pair::Seqs<false>>(
            buffer,
            loss,
            seed,
            black_box(data),
        )),
        _ => black_box(wire::transfer::<smol_pair::Smoltcp>(
            buffer,
            loss,
            seed,
            black_box(data),
        )),
    };
    start.elapsed()
}

/// Per configuration, the fastest transfer of each loss pattern, summed.
fn measure(buffer: usize, loss: u32, data: &[u8]) -> [Duration; 3] {
    let seeds: &[u64] = if loss == 0 { &[LOSS_SEED] } else { &LOSS_SEEDS };
    let p = f64::from(loss) / 100.0;
    let mut best = vec![[Duration::MAX; 3]; seeds.len()];
    for round in 0..ROUNDS {
        let pattern = round % seeds.len();
        for step in 0..3 {
            let which = (round + step) % 3;
            let took = time(which, buffer, p, seeds[pattern], data);
            best[pattern][which] = best[pattern][which].min(took);
        }
    }
    [0, 1, 2].map(|which| best.iter().map(|b| b[which]).sum())
}

fn main() {
    let data = pattern(TOTAL);
    println!("buffer loss | MB/s seqs, seqs-plain, smoltcp | ratios to smoltcp");
    for buffer in BUFFERS {
        for loss in LOSSES {
            let patterns = if loss == 0 { 1 } else { LOSS_SEEDS.len() };
            let rate = |took: Duration| (patterns * TOTAL) as f64 / took.as_secs_f64() / 1e6;
            let [ours, plain, theirs] = measure(buffer, loss, &data).map(rate);
            println!(
                "{:>3} KiB {loss}% | {ours:>8.1} {plain:>8.1} {theirs:>8.1} | {:>5.2} {:>5.2}",
                buffer >> 10,
                ours / theirs,
                plain / theirs,
            );
        }
    }
}
