//! `seqs-sim`: a deterministic discrete-event simulator that runs many `seqs`
//! stack nodes on a virtual switched network.
//!
//! Virtual time is integer nanoseconds; every random choice comes from a
//! ChaCha stream derived from the scenario seed and the element's name; no
//! wall clock is ever read. The same scenario and seed therefore give the same
//! trace and byte-identical pcap on any machine.
//!
//! A host runs a [`Node`] (the `seqs` stack behind a thin adapter, or a test
//! stub) through the stack's sans-IO contract; the engine owns time, frames
//! and faults:
//!
//! ```
//! use seqs::wire::EthernetAddress;
//! use seqs_sim::{
//!     DirectionConfig, Fault, LinkConfig, Node, NodeCtx, SimDuration, SimTime, Simulation,
//!     SwitchConfig, Topology,
//! };
//!
//! /// Broadcasts one 60-byte frame at boot.
//! struct Hello(EthernetAddress, bool);
//!
//! impl Node for Hello {
//!     fn receive(&mut self, cx: &mut NodeCtx<'_>, frame: &[u8]) {
//!         cx.trace(None, "rx", format_args!("len={}", frame.len()));
//!     }
//!     fn transmit(&mut self, _cx: &mut NodeCtx<'_>, buf: &mut [u8]) -> Option<usize> {
//!         if std::mem::replace(&mut self.1, true) {
//!             return None;
//!         }
//!         buf[..6].copy_from_slice(&EthernetAddress::BROADCAST.0);
//!         buf[6..12].copy_from_slice(&self.0 .0);
//!         buf[12..60].fill(0);
//!         Some(60)
//!     }
//!     fn poll_at(&self) -> Option<SimTime> {
//!         None
//!     }
//! }
//!
//! let wan = DirectionConfig { latency: SimDuration::from_millis(5), ..Default::default() };
//! let topology = Topology::builder()
//!     .host("a", EthernetAddress([2, 0, 0, 0, 0, 1]))
//!     .host("b", EthernetAddress([2, 0, 0, 0, 0, 2]))
//!     .switch("sw", SwitchConfig::default())
//!     .link("la", "a", "sw", LinkConfig::symmetric(wan))
//!     .link("lb", "b", "sw", LinkConfig::default())
//!     .build()
//!     .unwrap();
//! let mut sim = Simulation::new(&topology, 42, |spawn| Box::new(Hello(spawn.mac, false)));
//! sim.schedule(SimTime::from_secs(1), Fault::LinkDown("la".into())).unwrap();
//! assert!(sim.run_until_idle(SimTime::from_secs(10)));
//! assert_eq!(sim.host_counters("b").unwrap().rx_frames, 1);
//! assert_eq!(sim.host_counters("a").unwrap().rx_frames, 1);
//! ```

pub mod app;
pub mod buffer;
pub mod capture;
pub mod event;
pub mod host;
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
pub use link::{DirectionConfig, GilbertElliott, LinkConfig, LinkCounters, Loss, Probability};
pub use node::{Node, NodeCtx, NodeFactory, Spawn};
pub use sim::{Fault, Lanes, SimError, Simulation, MAX_FRAME_LEN};
pub use summary::{HostCounters, Summary};
pub use switch::SwitchConfig;
pub use time::{SimDuration, SimTime};
pub use topology::{Topology, TopologyBuilder, TopologyError};
pub use trace::{Trace, TraceFilter};
