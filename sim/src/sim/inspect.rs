//! Read-only views of a running simulation: counters, tables, the summary.

use seqs::wire::EthernetAddress;

use super::Simulation;
use crate::link::LinkCounters;
use crate::summary::{HostCounters, HostSummary, LinkSummary, Summary};

impl Simulation {
    /// The run's counters and node summaries.
    pub fn summary(&self) -> Summary {
        let hosts = self.hosts.iter().map(|h| (h.name.clone(), h.summary()));
        let switches = self
            .switches
            .iter()
            .map(|s| (s.name.clone(), s.switch.counters));
        let links = self.links.iter().map(|l| {
            let summary = LinkSummary {
                a: l.end_names[0].clone(),
                b: l.end_names[1].clone(),
                up: l.link.is_up(),
                a_to_b: l.link.lanes[0].counters,
                b_to_a: l.link.lanes[1].counters,
            };
            (l.name.clone(), summary)
        });
        Summary {
            seed: self.seed,
            time_ns: self.now.as_nanos(),
            events: self.events,
            hosts: hosts.collect(),
            switches: switches.collect(),
            links: links.collect(),
        }
    }

    /// Counters of the direction of `link` that carries frames sent by the
    /// element named `from`.
    pub fn link_counters(&self, link: &str, from: &str) -> Option<LinkCounters> {
        let slot = &self.links[*self.link_index.get(link)?];
        let lane = slot.end_names.iter().position(|n| n == from)?;
        Some(slot.link.lanes[lane].counters)
    }

    pub fn host_counters(&self, host: &str) -> Option<HostCounters> {
        Some(self.hosts[*self.host_index.get(host)?].counters)
    }

    /// A host's summary (counters and node summary).
    pub fn host_summary(&self, host: &str) -> Option<HostSummary> {
        Some(self.hosts[*self.host_index.get(host)?].summary())
    }

    /// Whether the host is running (not crashed).
    pub fn host_is_up(&self, host: &str) -> Option<bool> {
        Some(self.hosts[*self.host_index.get(host)?].is_up())
    }

    /// A switch's live MAC table entries (address, port), in address order.
    /// Ports are numbered from 0 in the order the switch's links were added.
    pub fn switch_table(&self, switch: &str) -> Option<Vec<(EthernetAddress, usize)>> {
        Some(
            self.switches[*self.switch_index.get(switch)?]
                .switch
                .table(self.now),
        )
    }

    /// Names of hosts in topology order (= pcapng interface ids).
    pub fn host_names(&self) -> impl Iterator<Item = &str> {
        self.hosts.iter().map(|h| h.name.as_str())
    }
}
