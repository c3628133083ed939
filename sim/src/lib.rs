//! `seqs-sim`: a deterministic discrete-event simulator that runs many `seqs`
//! stack nodes on a virtual switched network.
//!
//! Virtual time is integer nanoseconds; every random choice comes from a
//! ChaCha stream derived from the scenario seed and the element's name; no
//! wall clock is ever read. The same scenario and seed therefore give the same
//! trace and byte-identical pcap on any machine.

pub mod buffer;
pub mod capture;
pub mod event;
pub mod link;
pub mod node;
pub mod rng;
pub mod sim;
pub mod summary;
pub mod switch;
pub mod time;
pub mod topology;
pub mod trace;

pub use buffer::SharedBuffer;
pub use link::{
    DirectionConfig, GilbertElliott, LinkConfig, LinkCounters, Loss, Probability, Side,
};
pub use node::{Node, NodeCtx, NodeFactory, Spawn};
pub use sim::{Fault, Lanes, SimError, Simulation, MAX_FRAME_LEN};
pub use summary::{HostCounters, Summary};
pub use switch::SwitchConfig;
pub use time::{SimDuration, SimTime};
pub use topology::{Topology, TopologyBuilder, TopologyError};
pub use trace::{Trace, TraceFilter};
