//! Bulk TCP transfer between two `seqs` stacks, and the same harness with
//! two smoltcp interfaces, in the same run: one connection moves
//! [`TOTAL`] bytes over an in-memory Ethernet wire (MTU 1500, fixed
//! latency, seeded loss), and the measure is wall time per transfer.
//! Virtual time advances identically for both (frames arrive after a fixed
//! latency; the clock jumps to the next arrival or timer), so the ratio is
//! CPU work per byte plus protocol behaviour under loss. Results and the
//! ratio go to BENCHMARKS.md.

#[path = "tcp_bulk/seqs_pair.rs"]
mod seqs_pair;
#[path = "tcp_bulk/smol_pair.rs"]
mod smol_pair;
#[path = "tcp_bulk/wire.rs"]
mod wire;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use seqs_pair::Seqs;
use smol_pair::Smoltcp;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use wire::{pattern, transfer, Outcome, Pair, BUFFERS, LOSSES, LOSS_SEED, TOTAL};

/// `seqs` as configured by default, `seqs` without timestamps and SACK (the
/// options two smoltcp sockets use), and smoltcp.
const STACKS: [&str; 3] = ["seqs", "seqs-plain", "smoltcp"];

/// (buffer, loss %, stack) of one measurement.
type Key = (usize, u32, &'static str);

/// The fastest transfer seen per configuration, and what it did in
/// virtual time, for the summary table printed at the end.
static RESULTS: Mutex<BTreeMap<Key, (Duration, Outcome)>> = Mutex::new(BTreeMap::new());

/// Times `iters` transfers as the fastest one, scaled.
///
/// The machine is shared (two cores, several busy processes): a transfer
/// that ran unpreempted is the stack's own speed. Both stacks are measured
/// the same way, so their ratio stays fair.
fn fastest<P: Pair>(key: Key, iters: u64, data: &[u8]) -> Duration {
    let loss = f64::from(key.1) / 100.0;
    let mut best = Duration::MAX;
    let mut outcome = None;
    for _ in 0..iters {
        let start = Instant::now();
        let done = black_box(transfer::<P>(key.0, loss, LOSS_SEED, black_box(data)));
        best = best.min(start.elapsed());
        outcome = Some(done);
    }
    let mut results = RESULTS.lock().expect("not poisoned");
    let entry = results
        .entry(key)
        .or_insert((best, outcome.expect("iters > 0")));
    entry.0 = entry.0.min(best);
    best * u32::try_from(iters).unwrap_or(u32::MAX)
}

fn bench(c: &mut Criterion) {
    let data = pattern(TOTAL);
    for buffer in BUFFERS {
        for loss in LOSSES {
            let mut group = c.benchmark_group(format!("tcp_bulk/{}KiB_loss{loss}%", buffer >> 10));
            group
                .throughput(Throughput::Bytes(TOTAL as u64))
                .sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(2));
            group.bench_function(STACKS[0], |b| {
                b.iter_custom(|iters| {
                    fastest::<Seqs<true>>((buffer, loss, STACKS[0]), iters, &data)
                })
            });
            group.bench_function(STACKS[1], |b| {
                b.iter_custom(|iters| {
                    fastest::<Seqs<false>>((buffer, loss, STACKS[1]), iters, &data)
                })
            });
            group.bench_function(STACKS[2], |b| {
                b.iter_custom(|iters| fastest::<Smoltcp>((buffer, loss, STACKS[2]), iters, &data))
            });
            group.finish();
        }
    }
}

fn mbytes_per_sec(took: Duration) -> f64 {
    TOTAL as f64 / took.as_secs_f64() / 1e6
}

/// Prints MB/s of the fastest transfer per stack and configuration, the
/// ratios to smoltcp, and what each transfer did in virtual time.
fn summary(_: &mut Criterion) {
    let results = RESULTS.lock().expect("not poisoned");
    println!(
        "\nbuffer loss | MB/s seqs, seqs-plain, smoltcp | ratios to smoltcp | virtual ms, frames, lost, retransmitted (seqs; seqs-plain; smoltcp)"
    );
    for buffer in BUFFERS {
        for loss in LOSSES {
            let [Some(ours), Some(plain), Some(theirs)] =
                STACKS.map(|s| results.get(&(buffer, loss, s)).copied())
            else {
                continue;
            };
            let [ours_rate, plain_rate, theirs_rate] =
                [ours.0, plain.0, theirs.0].map(mbytes_per_sec);
            println!(
                "{:>3} KiB {loss}% | {ours_rate:>8.1} {plain_rate:>8.1} {theirs_rate:>8.1} | {:>5.2} {:>5.2} | {}; {}; {}",
                buffer >> 10,
                ours_rate / theirs_rate,
                plain_rate / theirs_rate,
                virtual_line(&ours.1),
                virtual_line(&plain.1),
                virtual_line(&theirs.1),
            );
        }
    }
}

fn virtual_line(o: &Outcome) -> String {
    format!(
        "{:.1} ms, {}, {}, {}",
        o.virtual_micros as f64 / 1000.0,
        o.frames,
        o.lost,
        o.retransmissions
    )
}

criterion_group!(benches, bench, summary);
criterion_main!(benches);
