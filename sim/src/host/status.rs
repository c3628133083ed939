//! Stable names and JSON forms of the host's state, for traces and the
//! run summary.

use std::net::Ipv4Addr;

use seqs::dhcp::client::State;
use seqs::stats::Counters;
use serde_json::{json, Value};

/// The DHCP client state as traces and summaries name it.
pub(crate) fn dhcp_state(state: State) -> &'static str {
    match state {
        State::Init => "init",
        State::Selecting => "selecting",
        State::Requesting => "requesting",
        State::InitReboot => "init-reboot",
        State::Bound => "bound",
        State::Renewing => "renewing",
        State::Rebinding => "rebinding",
        State::Stopped => "stopped",
    }
}

/// `a,b,c`, or `-` for none.
pub(crate) fn addr_list(addrs: &[Ipv4Addr]) -> String {
    if addrs.is_empty() {
        return "-".into();
    }
    let words: Vec<String> = addrs.iter().map(ToString::to_string).collect();
    words.join(",")
}

pub(crate) fn opt_addr(addr: Option<Ipv4Addr>) -> String {
    addr.map_or_else(|| "-".into(), |a| a.to_string())
}

/// The stack's counters; drops by reason under the stack's stable names
/// (only reasons that occurred).
pub(crate) fn counters(c: &Counters) -> Value {
    let drops: serde_json::Map<String, Value> = c
        .nonzero_drops()
        .map(|(reason, n)| (reason.as_str().to_owned(), n.into()))
        .collect();
    json!({
        "frames_in": c.frames_in,
        "frames_out": c.frames_out,
        "bytes_in": c.bytes_in,
        "bytes_out": c.bytes_out,
        "arp_in": c.arp_in,
        "arp_out": c.arp_out,
        "icmp_in": c.icmp_in,
        "icmp_out": c.icmp_out,
        "udp_in": c.udp_in,
        "udp_out": c.udp_out,
        "tcp_in": c.tcp_in,
        "tcp_out": c.tcp_out,
        "fragments_in": c.fragments_in,
        "datagrams_reassembled": c.datagrams_reassembled,
        "egress_drops": c.egress_drops,
        "drops": drops,
    })
}
