//! `sweep`: one scenario under many seeds. Seeds are independent runs, so
//! they spread over threads here and over machines with `--shard`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use clap::Args;
use seqs_sim::scenario::{RunOptions, Scenario};

use crate::commands::load;
use crate::progress::Progress;
use crate::Status;

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario file (TOML).
    file: PathBuf,
    /// Seeds to run: `A..B` (B excluded) or `A..=B` (B included).
    #[arg(long, value_name = "A..B", value_parser = parse_seeds)]
    seeds: Seeds,
    /// Threads to use (default: the machine's available parallelism).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Run only shard K of N (K from 0 to N-1): the seeds whose position in
    /// the range is K modulo N. For batch systems: a Slurm array, a
    /// Kubernetes indexed job or a CI matrix runs one shard per task.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<Shard>,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

/// A half-open range of seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeds {
    start: u64,
    end: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

fn parse_seeds(text: &str) -> Result<Seeds, String> {
    let bad = || format!("invalid seed range {text:?}: expected A..B or A..=B, such as 0..100");
    let (a, b, inclusive) = match text.split_once("..=") {
        Some((a, b)) => (a, b, true),
        None => text
            .split_once("..")
            .map(|(a, b)| (a, b, false))
            .ok_or_else(bad)?,
    };
    let start: u64 = a.trim().parse().map_err(|_| bad())?;
    let last: u64 = b.trim().parse().map_err(|_| bad())?;
    let end = if inclusive {
        last.checked_add(1).ok_or_else(bad)?
    } else {
        last
    };
    if end <= start {
        return Err(format!("seed range {text:?} is empty"));
    }
    Ok(Seeds { start, end })
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    let bad = || format!("invalid shard {text:?}: expected K/N with 0 <= K < N, such as 0/4");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let index: u64 = k.trim().parse().map_err(|_| bad())?;
    let count: u64 = n.trim().parse().map_err(|_| bad())?;
    if index >= count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// The seeds this shard runs.
fn seeds(range: Seeds, shard: Option<Shard>) -> Vec<u64> {
    let shard = shard.unwrap_or(Shard { index: 0, count: 1 });
    (range.start..range.end)
        .filter(|s| (s - range.start) % shard.count == shard.index)
        .collect()
}

/// What one seed gave: the failed expectations' lines, or a run error.
struct SeedResult {
    seed: u64,
    failures: Vec<String>,
}

pub fn sweep(args: &SweepArgs) -> Status {
    let Some(scenario) = load(&args.file) else {
        return Status::BadInput;
    };
    let seeds = seeds(args.seeds, args.shard);
    let jobs = args
        .jobs
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, seeds.len().max(1));
    let mut results = run_all(&scenario, &seeds, jobs);
    results.sort_by_key(|r| r.seed);
    let failed: Vec<&SeedResult> = results.iter().filter(|r| !r.failures.is_empty()).collect();
    if args.json {
        print_json(&results);
    } else {
        print_text(args, &scenario, &results, &failed);
    }
    if failed.is_empty() {
        Status::Passed
    } else {
        Status::Failed
    }
}

/// Runs every seed on `jobs` threads, each building its own simulations.
fn run_all(scenario: &Scenario, seeds: &[u64], jobs: usize) -> Vec<SeedResult> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let mut progress = Progress::new(format!("{} sweep", scenario.name));
    thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                while let Some(&seed) = seeds.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if tx.send(run_seed(scenario, seed)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut results = Vec::with_capacity(seeds.len());
        let mut failed = 0;
        for result in rx {
            failed += usize::from(!result.failures.is_empty());
            results.push(result);
            let detail = format!("{}/{} seeds, {failed} failed", results.len(), seeds.len());
            progress.update(results.len() as u64, seeds.len() as u64, &detail);
        }
        progress.finish();
        results
    })
}

fn run_seed(scenario: &Scenario, seed: u64) -> SeedResult {
    let options = RunOptions {
        seed: Some(seed),
        ..RunOptions::default()
    };
    let failures = match scenario.run(options) {
        Ok(outcome) => outcome
            .verdicts
            .iter()
            .filter(|v| !v.passed())
            .map(|v| format!("{}: {}", v.description, v.failures.join("; ")))
            .collect(),
        Err(e) => vec![format!("run error: {e}")],
    };
    SeedResult { seed, failures }
}

fn print_text(
    args: &SweepArgs,
    scenario: &Scenario,
    results: &[SeedResult],
    failed: &[&SeedResult],
) {
    let shard = args
        .shard
        .map(|s| format!(" (shard {}/{})", s.index, s.count))
        .unwrap_or_default();
    println!(
        "{}: {} seeds{shard}, {} passed, {} failed",
        scenario.name,
        results.len(),
        results.len() - failed.len(),
        failed.len()
    );
    for r in failed {
        println!("\nseed {} FAILED", r.seed);
        for f in &r.failures {
            println!("  {f}");
        }
        println!(
            "  replay: seqs-sim run {} --seed {} --pcap seed-{}.pcapng --trace seed-{}.trace",
            args.file.display(),
            r.seed,
            r.seed,
            r.seed
        );
    }
}

fn print_json(results: &[SeedResult]) {
    let rows: Vec<serde_json::Value> = results
        .iter()
        .map(|r| serde_json::json!({"seed": r.seed, "passed": r.failures.is_empty(), "failures": r.failures}))
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&rows).unwrap_or_default()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ranges_and_shards() {
        let r = parse_seeds("0..10").expect("range");
        assert_eq!(seeds(r, None).len(), 10);
        let r = parse_seeds("5..=7").expect("inclusive");
        assert_eq!(seeds(r, None), [5, 6, 7]);
        assert!(parse_seeds("7..7").is_err());
        assert!(parse_seeds("x..3").is_err());
        let r = parse_seeds("0..10").expect("range");
        let shards: Vec<Vec<u64>> = (0..3)
            .map(|k| seeds(r, Some(Shard { index: k, count: 3 })))
            .collect();
        assert_eq!(shards[0], [0, 3, 6, 9]);
        assert_eq!(shards[2], [2, 5, 8]);
        assert!(parse_shard("3/3").is_err());
        assert_eq!(parse_shard("1/4"), Ok(Shard { index: 1, count: 4 }));
    }
}
