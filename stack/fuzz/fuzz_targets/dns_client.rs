//! The DNS client fed arbitrary replies: never panics, and whatever it
//! reports stays within its storage.
#![no_main]

use core::net::{Ipv4Addr, SocketAddrV4};

use libfuzzer_sys::fuzz_target;
use seqs::dns::{Answer, Client, Config};
use seqs::time::{Duration, Instant};
use seqs::wire::dns::Type;

#[path = "fixed_rng.rs"]
mod fixed_rng;
use fixed_rng::FixedRng;

const SERVER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 53), 53);

fuzz_target!(|data: &[u8]| {
    let mut storage = [Answer::UNSPECIFIED; 3];
    let mut client = Client::new(Config::default(), &mut storage);
    client.set_servers(&[SERVER]);
    let mut rng = FixedRng(0);
    let mut now = Instant::from_secs(1);
    client
        .start(now, "www.example.com", Type::A)
        .expect("valid");
    let mut buf = [0u8; 512];
    let Some(mut t) = client.poll(now, &mut rng, &mut buf) else {
        return;
    };
    let id = [buf[0], buf[1]];
    // Datagrams separated by 0xfe 0xfe; each gets the transaction id so the
    // fuzzer reaches the parser and the CNAME logic.
    for chunk in data.split(|&b| b == 0xfe) {
        let mut reply = chunk.to_vec();
        if let Some(head) = reply.get_mut(..2) {
            head.copy_from_slice(&id);
        }
        let _ = client.receive(now, t.local_port, SERVER, &reply);
        if let Some(Ok(resolved)) = client.result() {
            assert_eq!(client.answers().len(), resolved.count);
            assert!(resolved.count <= 3);
        }
        now += Duration::from_millis(500);
        if let Some(next) = client.poll(now, &mut rng, &mut buf) {
            t = next;
        }
    }
});
