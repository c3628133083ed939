//! IPv4 machinery beyond the wire format: fragment reassembly.

mod reassembly;

pub use reassembly::{
    Config as ReassemblyConfig, Fragment, Key as FragmentKey, Reassembler, Slot as FragmentSlot,
};
