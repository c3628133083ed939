//! `cargo run -p seqs-tap --example tap -- --address 192.0.2.2/24 --ping 192.0.2.1`
//! (as root): the same command the lead wires as `seqs-sim tap`.

use std::process::ExitCode;

use clap::Parser;
use seqs_tap::cli::TapArgs;

#[derive(Debug, Parser)]
#[command(name = "tap", about = "Run one seqs stack node on a Linux TAP device")]
struct Cli {
    #[command(flatten)]
    tap: TapArgs,
}

fn main() -> ExitCode {
    seqs_tap::cli::run(Cli::parse().tap)
}
