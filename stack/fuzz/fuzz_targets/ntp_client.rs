//! The NTP client fed arbitrary replies: never panics, never reports a
//! sample with a negative delay, and keeps a deadline unless denied.
#![no_main]

use core::net::{Ipv4Addr, SocketAddrV4};

use libfuzzer_sys::fuzz_target;
use seqs::ntp::{Client, Config, Error};
use seqs::time::{Duration, Instant};
use seqs::wire::ntp::{Epoch, Packet, Timestamp};

#[path = "fixed_rng.rs"]
mod fixed_rng;
use fixed_rng::FixedRng;

const SERVER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 123), 123);

fuzz_target!(|data: &[u8]| {
    let epoch = Epoch::from_unix_micros(1_700_000_000_000_000);
    let mut now = Instant::from_secs(1);
    let mut client = Client::new(Config::new(SERVER, epoch), now);
    let mut rng = FixedRng(0);
    let mut buf = [0u8; 48];
    let mut origin = Timestamp::ZERO;
    // 48-byte replies; each gets the current origin timestamp so the fuzzer
    // reaches the sample checks.
    for chunk in data.chunks(48) {
        if client.poll(now, &mut rng, &mut buf).is_some() {
            origin = Packet::new_checked(&buf[..])
                .expect("48")
                .transmit_timestamp();
        }
        let mut reply = chunk.to_vec();
        if reply.len() == 48 {
            Packet::new_unchecked(&mut reply[..]).set_origin_timestamp(origin);
        }
        let _ = client.receive(now, SERVER, &reply);
        match client.take_result() {
            Some(Err(Error::Denied(_))) => assert!(client.poll_at().is_none()),
            _ => assert!(client.poll_at().is_some()),
        }
        now += Duration::from_millis(700);
    }
});
