//! The simulator's `seqs` host: a stack built from a [`HostConfig`], its
//! DHCP client and its apps, behind the [`crate::Node`] trait.

mod config;

pub use config::{AddressSource, HostCapacities, HostConfig};
