//! `seqs-sim`: a deterministic discrete-event simulator that runs many `seqs`
//! stack nodes on a virtual switched network.
//!
//! Virtual time is integer nanoseconds; every random choice comes from a
//! ChaCha stream derived from the scenario seed and the element's name; no
//! wall clock is ever read. The same scenario and seed therefore give the same
//! trace and byte-identical pcap on any machine.
