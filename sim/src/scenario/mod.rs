//! Scenario files: a network, its hosts and apps, faults over time, a seed,
//! a duration and expectations, in TOML (reference: `scenarios/README.md`).
//!
//! [`Scenario::parse`] reads and checks a file completely before anything
//! runs: syntax and types (unknown keys are errors), units (`5ms`,
//! `100Mbps`, `1.5%`, `64KiB`), then meaning (names that resolve, no
//! duplicate names, MACs or addresses, apps only on hosts with an address).
//! Every problem is reported as `file:line:column: message`.
//! [`Scenario::run`] then builds a [`crate::Simulation`], runs it and judges
//! the expectations.

mod apps;
mod error;
mod expect;
mod format;
mod hosts;
mod run;
mod units;
mod validate;

use std::path::Path;

pub use error::{Diagnostic, ScenarioError};
pub use expect::{Expectation, Verdict};
pub use run::{Outcome, RunOptions};
pub use units::{Bandwidth, Duration, Offset, Percent, Size, UnitError};

use crate::host::{FirmwareConfig, HostConfig};
use crate::sim::Fault;
use crate::time::{SimDuration, SimTime};
use crate::topology::Topology;
use crate::trace::TraceFilter;

/// What runs on a host.
#[derive(Debug, Clone, PartialEq)]
pub enum HostPlan {
    /// A `seqs` stack with the simulator's apps.
    Seqs(HostConfig),
    /// The Pico W firmware's application.
    Firmware(FirmwareConfig),
    /// No address and no apps: a host that only receives.
    Idle,
}

/// A checked scenario, ready to run any number of times (with any seed).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// One line for catalogue listings.
    pub description: String,
    /// The file it came from (as given), for messages.
    pub file: String,
    pub seed: u64,
    pub duration: SimDuration,
    /// Which trace lines the scenario keeps (its snapshot material).
    pub trace: TraceFilter,
    /// The elements `[trace]` names (groups expanded); empty for all. A
    /// snapshot of a large network keeps only these in its summary.
    pub pinned: Vec<String>,
    pub topology: Topology,
    /// Every host's software, in topology order.
    pub hosts: Vec<(String, HostPlan)>,
    pub faults: Vec<(SimTime, Fault)>,
    pub expectations: Vec<Expectation>,
}

impl Scenario {
    /// Parses and checks scenario `text`; `file` names it in diagnostics.
    pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        validate::scenario(file, text)
    }

    /// Reads and checks the scenario file at `path`.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Diagnostic {
            file: file.clone(),
            line: 1,
            column: 1,
            message: format!("cannot read the file: {e}"),
        })?;
        Scenario::parse(&file, &text)
    }
}
