//! Address resolution (RFC 826): the neighbour cache the interface consults
//! before every IPv4 transmission.

mod cache;

pub use cache::{Cache, Config, Lookup, Neighbor};
