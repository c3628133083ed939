//! The `seqs-sim` command: run, check, list and sweep network scenarios.
//!
//! Exit status: 0 = every expectation met, 1 = an expectation failed,
//! 2 = bad input or usage (clap's own usage errors also exit with 2).

mod commands;
mod progress;
mod report;
mod sweep;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Deterministic network scenarios for the seqs TCP/IP stack.
///
/// A scenario file (TOML) describes a network of simulated hosts running
/// the seqs stack, the apps they run, faults over time and what must hold
/// at the end. The same file and seed always give the same trace and the
/// same pcap. Without a subcommand, runs a built-in quickstart scenario.
/// The file format is documented in scenarios/README.md.
#[derive(Debug, Parser)]
#[command(name = "seqs-sim", version, about, long_about, after_help = EXIT_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

const EXIT_HELP: &str =
    "Exit status: 0 = expectations met, 1 = an expectation failed, 2 = bad input or usage.";

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one scenario and print a summary: per-app results, drops by
    /// reason, and which expectations held.
    #[command(after_help = EXIT_HELP)]
    Run(commands::RunArgs),
    /// Check scenario files (syntax, units, names) without running them.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the scenarios in a directory with their one-line descriptions.
    List {
        /// Directory of scenario files.
        #[arg(default_value = "scenarios")]
        dir: PathBuf,
    },
    /// Run one scenario under many seeds, in parallel; report the seeds
    /// whose expectations fail and how to replay them.
    #[command(after_help = EXIT_HELP)]
    Sweep(sweep::SweepArgs),
    /// Run one stack node in real time on a Linux TAP device, so real
    /// peers (ping, curl, dnsmasq, chronyd, ...) talk to it (needs root).
    #[cfg(target_os = "linux")]
    Tap(Box<seqs_tap::cli::TapArgs>),
}

/// What a command found, mapped onto the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    BadInput,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(match s {
            Status::Passed => 0,
            Status::Failed => 1,
            Status::BadInput => 2,
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        #[cfg(target_os = "linux")]
        Some(Command::Tap(args)) => return seqs_tap::cli::run(*args),
        None => commands::quickstart(),
        Some(Command::Run(args)) => commands::run(&args),
        Some(Command::Check { files }) => commands::check(&files),
        Some(Command::List { dir }) => commands::list(&dir),
        Some(Command::Sweep(args)) => sweep::sweep(&args),
    };
    status.into()
}
