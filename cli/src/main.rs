//! The `seqs-sim` command.

use clap::Parser;

/// Run deterministic network scenarios against the seqs TCP/IP stack.
#[derive(Debug, Parser)]
#[command(name = "seqs-sim", version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    println!(
        "seqs-sim {}: the simulator is being built; see README.md",
        env!("CARGO_PKG_VERSION")
    );
}
