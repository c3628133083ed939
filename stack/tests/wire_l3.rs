//! Cross-checks of the link, network and datagram formats (`wire::ethernet`,
//! `arp`, `ipv4`, `icmpv4`, `udp`):
//!
//! - adversarial: random bytes and mutated valid packets never panic, and
//!   whatever a checked view accepts re-emits to something that parses the
//!   same;
//! - round trips: `parse(emit(r)) == r` for generated `Repr`s;
//! - differential: what we emit, etherparse reads field for field, and what
//!   etherparse writes, we read (and re-emit byte for byte);
//! - captured: frames the Linux kernel sent parse and re-emit exactly;
//! - smoltcp: a second oracle for quoted headers and pseudo-header checksums.

#[path = "wire_l3/adversarial.rs"]
mod adversarial;
#[path = "wire_l3/captured.rs"]
mod captured;
#[path = "wire_l3/differential.rs"]
mod differential;
#[path = "wire_l3/smoltcp_oracle.rs"]
mod smoltcp_oracle;
#[path = "wire_l3/support.rs"]
mod support;
