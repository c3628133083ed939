//! Running a scenario: build the simulation, schedule its faults, run it to
//! the end (reporting progress), judge the expectations.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::Value;

use super::expect::Verdict;
use super::{HostPlan, Scenario};
use crate::host::{AddressSource, FirmwareHost, HostConfig, SeqsHost};
use crate::node::{Node, NodeCtx, Spawn};
use crate::sim::{SimError, Simulation};
use crate::summary::Summary;
use crate::time::{SimDuration, SimTime};
use crate::trace::{Trace, TraceFilter};

/// How to run: everything optional; the defaults are the scenario's own.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Replaces the scenario's seed.
    pub seed: Option<u64>,
    /// Stops at this time instead of the scenario's duration.
    pub until: Option<SimDuration>,
    /// Where the trace goes (filtered by the scenario's `[trace]`).
    pub trace: Option<Box<dyn Write>>,
    /// Keep every trace line, ignoring the scenario's `[trace]` filter.
    pub full_trace: bool,
    /// Where the pcapng capture goes.
    pub pcap: Option<Box<dyn Write>>,
    /// Called now and then with (virtual time reached, end time).
    pub progress: Option<&'a mut dyn FnMut(SimTime, SimTime)>,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub seed: u64,
    pub summary: Summary,
    /// The summary as JSON (what expectations were judged on).
    pub json: Value,
    pub verdicts: Vec<Verdict>,
}

impl Outcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.verdicts.iter().all(Verdict::passed)
    }

    /// The summary and the verdicts, as one JSON document.
    pub fn to_json(&self) -> Value {
        let verdicts: Vec<Value> = self
            .verdicts
            .iter()
            .map(|v| {
                serde_json::json!({
                    "expectation": v.description,
                    "passed": v.passed(),
                    "failures": v.failures,
                })
            })
            .collect();
        serde_json::json!({
            "passed": self.passed(),
            "expectations": verdicts,
            "summary": self.json,
        })
    }
}

/// Progress is reported this many times over a run.
const PROGRESS_STEPS: u64 = 100;

impl Scenario {
    /// Builds a fresh simulation of this scenario (hosts boot at time zero,
    /// faults scheduled), without trace or capture.
    pub fn simulation(&self, seed: u64) -> Result<Simulation, SimError> {
        let plans: BTreeMap<String, HostPlan> = self.hosts.iter().cloned().collect();
        let mut sim = Simulation::new(&self.topology, seed, move |spawn| {
            match plans.get(spawn.host) {
                Some(HostPlan::Seqs(config)) => seqs_node(spawn, config),
                Some(HostPlan::Firmware(config)) => {
                    Box::new(Leasing::new(FirmwareHost::new(spawn, config)))
                }
                Some(HostPlan::Idle) | None => Box::new(Silent),
            }
        });
        for (at, fault) in &self.faults {
            sim.schedule(*at, fault.clone())?;
        }
        Ok(sim)
    }

    /// Runs the scenario once.
    pub fn run(&self, options: RunOptions<'_>) -> io::Result<Outcome> {
        let seed = options.seed.unwrap_or(self.seed);
        let mut sim = self.simulation(seed).map_err(io::Error::other)?;
        if let Some(out) = options.trace {
            let filter = if options.full_trace {
                TraceFilter::all()
            } else {
                self.trace.clone()
            };
            sim.set_trace(Trace::new(out, filter));
        }
        if let Some(out) = options.pcap {
            sim.capture_to(out)?;
        }
        let end = SimTime::ZERO + options.until.unwrap_or(self.duration);
        let step = SimDuration::from_nanos((end.as_nanos() / PROGRESS_STEPS).max(1));
        let mut progress = options.progress;
        let mut now = SimTime::ZERO;
        while now < end {
            now = (now + step).min(end);
            sim.run_until(now);
            if let Some(report) = progress.as_mut() {
                report(now, end);
            }
        }
        sim.finish()?;
        let summary = sim.summary();
        let json = serde_json::to_value(&summary).unwrap_or(Value::Null);
        let verdicts = self.expectations.iter().map(|e| e.judge(&json)).collect();
        Ok(Outcome {
            seed,
            summary,
            json,
            verdicts,
        })
    }
}

/// A host with no address and no apps: it receives and never sends.
struct Silent;

impl Node for Silent {
    fn receive(&mut self, _cx: &mut NodeCtx<'_>, _frame: &[u8]) {}

    fn transmit(&mut self, _cx: &mut NodeCtx<'_>, _buf: &mut [u8]) -> Option<usize> {
        None
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}

fn seqs_node(spawn: &Spawn<'_>, config: &HostConfig) -> Box<dyn Node> {
    let host = SeqsHost::new(spawn, config);
    match config.address {
        AddressSource::Dhcp => Box::new(Leasing::new(host)),
        AddressSource::Static { .. } => Box::new(host),
    }
}

/// A node whose interface may or may not be configured yet.
trait Addressed: Node {
    fn has_address(&self, cx: &NodeCtx<'_>) -> bool;
}

impl Addressed for SeqsHost {
    fn has_address(&self, _cx: &NodeCtx<'_>) -> bool {
        self.stack().ipv4_address().is_some()
    }
}

impl Addressed for FirmwareHost {
    fn has_address(&self, cx: &NodeCtx<'_>) -> bool {
        self.app().status(cx.instant()).address.is_some()
    }
}

/// A DHCP host, watched for the moment its current boot first has an
/// address: `leased_ns` in its summary, what `within` expectations on hosts
/// judge.
struct Leasing<N> {
    host: N,
    leased: Option<SimTime>,
}

impl<N: Addressed> Leasing<N> {
    fn new(host: N) -> Self {
        Leasing { host, leased: None }
    }

    fn observe(&mut self, cx: &NodeCtx<'_>) {
        if self.leased.is_none() && self.host.has_address(cx) {
            self.leased = Some(cx.now());
        }
    }
}

impl<N: Addressed> Node for Leasing<N> {
    fn receive(&mut self, cx: &mut NodeCtx<'_>, frame: &[u8]) {
        self.host.receive(cx, frame);
        self.observe(cx);
    }

    fn transmit(&mut self, cx: &mut NodeCtx<'_>, buf: &mut [u8]) -> Option<usize> {
        let sent = self.host.transmit(cx, buf);
        self.observe(cx);
        sent
    }

    fn poll_at(&self) -> Option<SimTime> {
        self.host.poll_at()
    }

    fn link_changed(&mut self, cx: &mut NodeCtx<'_>, up: bool) {
        self.host.link_changed(cx, up);
    }

    fn summary(&self) -> Value {
        let mut summary = self.host.summary();
        if let Some(map) = summary.as_object_mut() {
            let leased = self.leased.map(SimTime::as_nanos);
            map.insert("leased_ns".into(), leased.into());
        }
        summary
    }
}
