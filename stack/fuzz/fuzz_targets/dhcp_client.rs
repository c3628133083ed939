#![no_main]
//! DHCP client: arbitrary messages at arbitrary times never panic, every
//! message it sends encodes, and it never asks to be polled in the past.

use libfuzzer_sys::fuzz_target;
use seqs::dhcp::client::{Client, ClientConfig};
use seqs::time::{Duration, Instant};
use seqs::wire::dhcp::{Packet, Repr};
use seqs::wire::EthernetAddress;

#[path = "dhcp_input.rs"]
mod dhcp_input;
use dhcp_input::{assert_encodes, steps};
#[path = "fixed_rng.rs"]
mod fixed_rng;
use fixed_rng::FixedRng;

const MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 1]);

fuzz_target!(|data: &[u8]| {
    let config = ClientConfig::new(MAC);
    let mut client = match data.first() {
        Some(b) if b & 1 == 1 => Client::with_previous_address(config, [192, 0, 2, *b].into()),
        _ => Client::new(config),
    };
    let mut rng = FixedRng(0x9e37_79b9);
    let mut now = Instant::ZERO;
    // The last transaction id sent, so replies can be made to match.
    let mut xid = 0u32;
    for mut step in steps(data) {
        // Up to ~2 h per step, so lease timers are reached.
        now += Duration::from_secs(step.advance * 30);
        if step.flags & 1 == 1 {
            step.message[4..8].copy_from_slice(&xid.to_be_bytes());
            step.message[28..34].copy_from_slice(&MAC.octets());
        }
        if let Ok(repr) = Packet::new_checked(&step.message[..]).and_then(|p| Repr::parse(&p)) {
            client.handle(now, &repr);
        }
        match step.flags >> 5 {
            1 => client.decline(now),
            2 => client.release(),
            3 => client.restart(now),
            4 => client.link_up(now),
            _ => {}
        }
        let mut sent = 0;
        while let Some(t) = client.poll(now, &mut rng) {
            assert_encodes(&t.repr);
            xid = t.repr.transaction_id;
            sent += 1;
            assert!(sent <= 4, "poll keeps producing at one instant");
        }
        if let Some(at) = client.poll_at() {
            assert!(at > now, "due at {at} after polling at {now}");
        }
        let _ = client.take_event();
    }
});
