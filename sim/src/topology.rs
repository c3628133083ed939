//! The network's shape: hosts and switches joined by links, as a petgraph
//! graph, validated before anything runs.
//!
//! Every host has exactly one NIC, so exactly one link. Switches have as many
//! ports as links. Switches do not run spanning tree, so the switch fabric
//! must be loop-free (a loop would circulate broadcasts forever). Host, switch
//! and link names share one namespace (they name trace elements) and contain
//! no whitespace (they are trace columns) and no `/` (which separates a host
//! from its parts in the trace).

use std::collections::BTreeMap;
use std::fmt;

use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::unionfind::UnionFind;
use seqs::wire::EthernetAddress;

use crate::link::LinkConfig;
use crate::switch::SwitchConfig;

/// A host: one NIC with a fixed MAC address.
#[derive(Debug, Clone, PartialEq)]
pub struct HostSpec {
    pub name: String,
    pub mac: EthernetAddress,
}

/// A learning switch.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchSpec {
    pub name: String,
    pub config: SwitchConfig,
}

/// A full-duplex link between the elements named `a` and `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkSpec {
    pub name: String,
    pub a: String,
    pub b: String,
    pub config: LinkConfig,
}

/// A graph vertex.
#[derive(Debug, Clone, PartialEq)]
pub enum Element {
    Host(HostSpec),
    Switch(SwitchSpec),
}

impl Element {
    pub fn name(&self) -> &str {
        match self {
            Element::Host(h) => &h.name,
            Element::Switch(s) => &s.name,
        }
    }
}

/// Why a topology is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopologyError {
    /// Empty, or containing whitespace or `/`.
    InvalidName(String),
    DuplicateName(String),
    UnknownEndpoint {
        link: String,
        endpoint: String,
    },
    SelfLoop {
        link: String,
    },
    /// A host must have exactly one link.
    HostLinks {
        host: String,
        links: usize,
    },
    /// Host MACs must be individual (unicast) addresses.
    GroupMac {
        host: String,
    },
    DuplicateMac {
        mac: EthernetAddress,
        first: String,
        second: String,
    },
    /// This link closes a loop through the switches.
    Loop {
        link: String,
    },
}

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopologyError::InvalidName(n) => write!(
                f,
                "invalid name {n:?}: must be non-empty, without whitespace or '/'"
            ),
            TopologyError::DuplicateName(n) => write!(f, "name {n:?} is used twice"),
            TopologyError::UnknownEndpoint { link, endpoint } => {
                write!(f, "link {link:?} connects unknown element {endpoint:?}")
            }
            TopologyError::SelfLoop { link } => {
                write!(f, "link {link:?} connects an element to itself")
            }
            TopologyError::HostLinks { host, links } => {
                write!(f, "host {host:?} has {links} links; a host has exactly one")
            }
            TopologyError::GroupMac { host } => {
                write!(f, "host {host:?} has a multicast MAC address")
            }
            TopologyError::DuplicateMac { mac, first, second } => {
                write!(f, "hosts {first:?} and {second:?} share MAC address {mac}")
            }
            TopologyError::Loop { link } => {
                write!(
                    f,
                    "link {link:?} closes a loop (switches do not run spanning tree)"
                )
            }
        }
    }
}

impl std::error::Error for TopologyError {}

/// Collects elements and links; [`TopologyBuilder::build`] validates them.
#[derive(Debug, Clone, Default)]
pub struct TopologyBuilder {
    elements: Vec<Element>,
    links: Vec<LinkSpec>,
}

impl TopologyBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn host(&mut self, name: &str, mac: EthernetAddress) -> &mut Self {
        self.elements.push(Element::Host(HostSpec {
            name: name.into(),
            mac,
        }));
        self
    }

    pub fn switch(&mut self, name: &str, config: SwitchConfig) -> &mut Self {
        self.elements.push(Element::Switch(SwitchSpec {
            name: name.into(),
            config,
        }));
        self
    }

    pub fn link(&mut self, name: &str, a: &str, b: &str, config: LinkConfig) -> &mut Self {
        self.links.push(LinkSpec {
            name: name.into(),
            a: a.into(),
            b: b.into(),
            config,
        });
        self
    }

    /// Validates and builds the graph.
    pub fn build(&self) -> Result<Topology, TopologyError> {
        let mut graph = UnGraph::with_capacity(self.elements.len(), self.links.len());
        let mut by_name = BTreeMap::new();
        for element in &self.elements {
            claim_name(&mut by_name, element.name())?;
            let index = graph.add_node(element.clone());
            by_name.insert(element.name().to_owned(), Some(index));
        }
        let mut fabric = UnionFind::new(self.elements.len());
        for link in &self.links {
            claim_name(&mut by_name, &link.name)?;
            let a = endpoint(&by_name, link, &link.a)?;
            let b = endpoint(&by_name, link, &link.b)?;
            if a == b {
                return Err(TopologyError::SelfLoop {
                    link: link.name.clone(),
                });
            }
            if !fabric.union(a.index(), b.index()) {
                return Err(TopologyError::Loop {
                    link: link.name.clone(),
                });
            }
            graph.add_edge(a, b, link.clone());
        }
        let topology = Topology { graph };
        topology.check_hosts()?;
        Ok(topology)
    }
}

/// Reserves `name` (for a link until it is known to be a node), failing if
/// it is taken or malformed.
fn claim_name(
    names: &mut BTreeMap<String, Option<NodeIndex>>,
    name: &str,
) -> Result<(), TopologyError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(TopologyError::InvalidName(name.into()));
    }
    if names.contains_key(name) {
        return Err(TopologyError::DuplicateName(name.into()));
    }
    names.insert(name.into(), None);
    Ok(())
}

fn endpoint(
    names: &BTreeMap<String, Option<NodeIndex>>,
    link: &LinkSpec,
    name: &str,
) -> Result<NodeIndex, TopologyError> {
    names
        .get(name)
        .copied()
        .flatten()
        .ok_or_else(|| TopologyError::UnknownEndpoint {
            link: link.name.clone(),
            endpoint: name.into(),
        })
}

/// A validated network: node and edge indices follow insertion order.
#[derive(Debug, Clone)]
pub struct Topology {
    graph: UnGraph<Element, LinkSpec>,
}

impl Topology {
    pub fn builder() -> TopologyBuilder {
        TopologyBuilder::new()
    }

    pub fn graph(&self) -> &UnGraph<Element, LinkSpec> {
        &self.graph
    }

    /// Hosts in insertion order.
    pub fn hosts(&self) -> impl Iterator<Item = &HostSpec> {
        self.graph.node_weights().filter_map(|e| match e {
            Element::Host(h) => Some(h),
            Element::Switch(_) => None,
        })
    }

    /// Switches in insertion order.
    pub fn switches(&self) -> impl Iterator<Item = &SwitchSpec> {
        self.graph.node_weights().filter_map(|e| match e {
            Element::Switch(s) => Some(s),
            Element::Host(_) => None,
        })
    }

    /// Links in insertion order.
    pub fn links(&self) -> impl Iterator<Item = &LinkSpec> {
        self.graph.edge_weights()
    }

    fn check_hosts(&self) -> Result<(), TopologyError> {
        let mut macs: BTreeMap<EthernetAddress, &str> = BTreeMap::new();
        for node in self.graph.node_indices() {
            let Element::Host(host) = &self.graph[node] else {
                continue;
            };
            let links = self.graph.edges(node).count();
            if links != 1 {
                return Err(TopologyError::HostLinks {
                    host: host.name.clone(),
                    links,
                });
            }
            if host.mac.is_multicast() {
                return Err(TopologyError::GroupMac {
                    host: host.name.clone(),
                });
            }
            if let Some(first) = macs.insert(host.mac, &host.name) {
                return Err(TopologyError::DuplicateMac {
                    mac: host.mac,
                    first: first.into(),
                    second: host.name.clone(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(n: u8) -> EthernetAddress {
        EthernetAddress([2, 0, 0, 0, 0, n])
    }

    fn two_hosts() -> TopologyBuilder {
        let mut t = TopologyBuilder::new();
        t.host("a", mac(1))
            .host("b", mac(2))
            .switch("s", SwitchConfig::default());
        t.link("la", "a", "s", LinkConfig::default())
            .link("lb", "b", "s", LinkConfig::default());
        t
    }

    #[test]
    fn valid_topology_keeps_order() {
        let topo = two_hosts().build().expect("valid");
        let hosts: Vec<_> = topo.hosts().map(|h| h.name.as_str()).collect();
        assert_eq!(hosts, ["a", "b"]);
        let links: Vec<_> = topo.links().map(|l| l.name.as_str()).collect();
        assert_eq!(links, ["la", "lb"]);
    }

    #[test]
    fn rejects_invalid_topologies() {
        let err = |t: &TopologyBuilder| t.build().expect_err("invalid");
        let mut t = two_hosts();
        t.host("a", mac(3));
        assert_eq!(err(&t), TopologyError::DuplicateName("a".into()));
        let mut t = two_hosts();
        t.link("lx", "a", "nowhere", LinkConfig::default());
        assert!(matches!(err(&t), TopologyError::UnknownEndpoint { .. }));
        let mut t = two_hosts();
        t.host("c", mac(3));
        assert_eq!(
            err(&t),
            TopologyError::HostLinks {
                host: "c".into(),
                links: 0
            }
        );
        let mut t = two_hosts();
        t.host("c", mac(2))
            .link("lc", "c", "s", LinkConfig::default());
        assert!(matches!(err(&t), TopologyError::DuplicateMac { .. }));
        let mut t = two_hosts();
        t.switch("s2", SwitchConfig::default());
        t.link("x1", "s", "s2", LinkConfig::default())
            .link("x2", "s2", "s", LinkConfig::default());
        assert_eq!(err(&t), TopologyError::Loop { link: "x2".into() });
        let mut t = two_hosts();
        t.link("self", "s", "s", LinkConfig::default());
        assert_eq!(
            err(&t),
            TopologyError::SelfLoop {
                link: "self".into()
            }
        );
        let mut t = two_hosts();
        t.switch("has space", SwitchConfig::default());
        assert!(matches!(err(&t), TopologyError::InvalidName(_)));
        let mut t = two_hosts();
        t.switch("a/b", SwitchConfig::default());
        assert!(matches!(err(&t), TopologyError::InvalidName(_)));
        let mut t = TopologyBuilder::new();
        t.host("m", EthernetAddress::BROADCAST)
            .host("n", mac(1))
            .link("l", "m", "n", LinkConfig::default());
        assert_eq!(err(&t), TopologyError::GroupMac { host: "m".into() });
        let mut t = two_hosts();
        t.link("la", "a", "s", LinkConfig::default());
        assert_eq!(err(&t), TopologyError::DuplicateName("la".into()));
    }
}
