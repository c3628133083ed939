#![no_main]
//! DHCP server: arbitrary requests at arbitrary times never panic, every
//! reply encodes, and no two live leases share an address or a client.

use libfuzzer_sys::fuzz_target;
use seqs::dhcp::server::{AddressRange, LeaseState, Reservation, Server, ServerConfig};
use seqs::time::{Duration, Instant};
use seqs::wire::dhcp::{Packet, Repr};
use seqs::wire::{EthernetAddress, Ipv4Addr, Ipv4Cidr};

#[path = "dhcp_input.rs"]
mod dhcp_input;
use dhcp_input::{assert_encodes, steps};

fuzz_target!(|data: &[u8]| {
    let ranges = [
        AddressRange::new(Ipv4Addr::new(192, 0, 2, 0), Ipv4Addr::new(192, 0, 2, 3)).unwrap(),
        AddressRange::new(Ipv4Addr::new(192, 0, 2, 250), Ipv4Addr::new(192, 0, 2, 255)).unwrap(),
    ];
    let reservations = [Reservation {
        hardware_address: EthernetAddress([2, 0, 0, 0, 0, 1]),
        address: Ipv4Addr::new(192, 0, 2, 2),
    }];
    let mut config = ServerConfig::new(
        Ipv4Cidr::new(Ipv4Addr::new(192, 0, 2, 1), 24).unwrap(),
        &ranges,
    );
    config.reservations = &reservations;
    config.lease_duration = Duration::from_secs(600);
    let mut rows = [None; 4];
    let mut server = Server::new(config, &mut rows).unwrap();
    let mut now = Instant::ZERO;
    for mut step in steps(data) {
        now += Duration::from_secs(step.advance);
        // Few distinct clients, so they compete for the same addresses.
        step.message[28..33].copy_from_slice(&[2, 0, 0, 0, 0]);
        step.message[33] = step.flags & 7;
        let Ok(repr) = Packet::new_checked(&step.message[..]).and_then(|p| Repr::parse(&p)) else {
            continue;
        };
        if let Some(reply) = server.handle(now, &repr) {
            assert_encodes(&reply.repr);
        }
        let live: Vec<_> = server
            .leases()
            .filter(|l| l.is_live(now) && l.state != LeaseState::Declined)
            .collect();
        for (i, a) in live.iter().enumerate() {
            for b in &live[i + 1..] {
                assert_ne!(a.address, b.address, "{a:?} and {b:?}");
                assert_ne!(a.hardware_address, b.hardware_address, "{a:?} and {b:?}");
            }
        }
    }
});
