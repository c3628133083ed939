//! `run`, `check`, `list` and the quickstart.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use seqs_sim::scenario::{Duration, RunOptions, Scenario, ScenarioError};
use seqs_sim::SimTime;

use crate::progress::Progress;
use crate::report;
use crate::Status;

/// The built-in scenario `seqs-sim` runs without arguments.
const QUICKSTART: &str = include_str!("../../scenarios/quickstart.toml");

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    file: PathBuf,
    /// Seed for every random choice (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Write a pcapng capture (one interface per host) to this file.
    #[arg(long, value_name = "PATH")]
    pcap: Option<PathBuf>,
    /// Write the trace (filtered by the scenario's [trace]) to this file;
    /// `-` for standard output.
    #[arg(long, value_name = "PATH")]
    trace: Option<PathBuf>,
    /// Trace every line, ignoring the scenario's [trace] filter.
    #[arg(long, requires = "trace")]
    full_trace: bool,
    /// Print the outcome (summary, verdicts) as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Stop at this virtual time instead of the scenario's duration
    /// (e.g. `500ms`, `2s`).
    #[arg(long, value_name = "T", value_parser = parse_duration)]
    until: Option<Duration>,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    Duration::parse(text).map_err(|e| e.to_string())
}

/// Loads a scenario, printing its diagnostics on failure.
pub fn load(path: &Path) -> Option<Scenario> {
    Scenario::load(path).map_err(|e| print_errors(&e)).ok()
}

fn print_errors(e: &ScenarioError) {
    for d in &e.diagnostics {
        eprintln!("error: {d}");
    }
}

fn create(path: &Path, what: &str) -> Option<Box<dyn Write>> {
    if path == Path::new("-") {
        return Some(Box::new(io::stdout()));
    }
    match File::create(path) {
        Ok(f) => Some(Box::new(f)),
        Err(e) => {
            eprintln!(
                "error: cannot create the {what} file {}: {e}",
                path.display()
            );
            None
        }
    }
}

pub fn run(args: &RunArgs) -> Status {
    let Some(scenario) = load(&args.file) else {
        return Status::BadInput;
    };
    let outputs = [(&args.trace, "trace"), (&args.pcap, "pcap")]
        .map(|(path, what)| path.as_ref().map(|p| create(p, what)));
    let [trace, pcap] = outputs;
    if trace.as_ref().is_some_and(Option::is_none) || pcap.as_ref().is_some_and(Option::is_none) {
        return Status::BadInput;
    }
    let options = Options {
        seed: args.seed,
        until: args.until,
        trace: trace.flatten(),
        full_trace: args.full_trace,
        pcap: pcap.flatten(),
    };
    execute(&scenario, options, args.json)
}

struct Options {
    seed: Option<u64>,
    until: Option<Duration>,
    trace: Option<Box<dyn Write>>,
    full_trace: bool,
    pcap: Option<Box<dyn Write>>,
}

/// Runs with a progress bar and prints the outcome.
fn execute(scenario: &Scenario, options: Options, json: bool) -> Status {
    let mut progress = Progress::new(scenario.name.clone());
    let mut report_progress = |now: SimTime, end: SimTime| {
        let (done, total) = (Duration(now - SimTime::ZERO), Duration(end - SimTime::ZERO));
        progress.update(
            now.as_nanos(),
            end.as_nanos(),
            &format!("{done} of {total}"),
        );
    };
    let started = std::time::Instant::now();
    let outcome = scenario.run(RunOptions {
        seed: options.seed,
        until: options.until.map(|d| d.0),
        trace: options.trace,
        full_trace: options.full_trace,
        pcap: options.pcap,
        progress: Some(&mut report_progress),
    });
    progress.finish();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::BadInput;
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&outcome.to_json()).unwrap_or_default()
        );
    } else {
        print!("{}", report::text(scenario, &outcome, started.elapsed()));
    }
    if outcome.passed() {
        Status::Passed
    } else {
        Status::Failed
    }
}

/// `seqs-sim` alone: the quickstart scenario, with its pcap and trace in a
/// temporary directory.
pub fn quickstart() -> Status {
    let scenario = match Scenario::parse("<quickstart>", QUICKSTART) {
        Ok(s) => s,
        Err(e) => {
            print_errors(&e);
            return Status::BadInput;
        }
    };
    let dir = std::env::temp_dir().join("seqs-sim-quickstart");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return Status::BadInput;
    }
    let (pcap_path, trace_path) = (dir.join("quickstart.pcapng"), dir.join("quickstart.trace"));
    let (Some(pcap), Some(trace)) = (create(&pcap_path, "pcap"), create(&trace_path, "trace"))
    else {
        return Status::BadInput;
    };
    println!("seqs-sim quickstart: {}", scenario.description);
    println!("(run `seqs-sim --help` for more; `seqs-sim list` shows the catalogue)\n");
    let options = Options {
        seed: None,
        until: None,
        trace: Some(trace),
        full_trace: false,
        pcap: Some(pcap),
    };
    let status = execute(&scenario, options, false);
    println!(
        "\npcap:  {}  (open it with wireshark or tshark -r)",
        pcap_path.display()
    );
    println!("trace: {}", trace_path.display());
    println!("the scenario: scenarios/quickstart.toml in the repository");
    status
}

pub fn check(files: &[PathBuf]) -> Status {
    let mut status = Status::Passed;
    for file in files {
        match Scenario::load(file) {
            Ok(s) => println!("ok    {}  ({}: {})", file.display(), s.name, s.description),
            Err(e) => {
                print_errors(&e);
                status = Status::BadInput;
            }
        }
    }
    status
}

/// The `.toml` files of `dir`, sorted by name.
pub fn scenario_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

pub fn list(dir: &Path) -> Status {
    let files = match scenario_files(dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", dir.display());
            return Status::BadInput;
        }
    };
    let mut status = Status::Passed;
    let rows: Vec<(String, String)> = files
        .iter()
        .map(|file| match Scenario::load(file) {
            Ok(s) => (file.display().to_string(), s.description),
            Err(e) => {
                status = Status::BadInput;
                (
                    file.display().to_string(),
                    format!("INVALID: {}", e.first()),
                )
            }
        })
        .collect();
    let width = rows.iter().map(|(f, _)| f.len()).max().unwrap_or(0);
    for (file, description) in rows {
        println!("{file:width$}  {description}");
    }
    if files.is_empty() {
        println!("no scenario files (*.toml) in {}", dir.display());
    }
    status
}
