//! The run summary: counters of every host, switch and link, as JSON.
//!
//! Maps are keyed by element name (sorted), so the JSON text is as
//! deterministic as the run.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::link::LinkCounters;
use crate::switch::SwitchCounters;

/// What happened at a host's NIC and to its node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct HostCounters {
    pub tx_frames: u64,
    pub tx_bytes: u64,
    pub rx_frames: u64,
    pub rx_bytes: u64,
    /// Frames that arrived while the host was crashed.
    pub rx_while_down: u64,
    /// `transmit` returned a length of zero or beyond the buffer.
    pub tx_invalid: u64,
    /// A drain stopped after too many frames in one go.
    pub tx_limited: u64,
    /// Wake-ups that ran the node (stale and early ones excluded).
    pub wakeups: u64,
    pub boots: u64,
    pub crashes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostSummary {
    pub mac: String,
    /// Running (not crashed).
    pub up: bool,
    pub counters: HostCounters,
    /// The node's own summary ([`crate::Node::summary`]), if any.
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub node: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkSummary {
    pub a: String,
    pub b: String,
    pub up: bool,
    pub a_to_b: LinkCounters,
    pub b_to_a: LinkCounters,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub seed: u64,
    /// Virtual time at the end of the run, in nanoseconds.
    pub time_ns: u64,
    /// Events processed.
    pub events: u64,
    pub hosts: BTreeMap<String, HostSummary>,
    pub switches: BTreeMap<String, SwitchCounters>,
    pub links: BTreeMap<String, LinkSummary>,
}

impl Summary {
    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
