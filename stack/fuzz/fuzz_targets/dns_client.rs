//! The DNS client fed arbitrary replies: never panics, and whatever it
//! reports stays within its storage.
#![no_main]

use core::net::{Ipv4Addr, SocketAddrV4};

use libfuzzer_sys::fuzz_target;
use seqs::dns::{Answer, Client, Config};
use seqs::time::{Duration, Instant};
use seqs::wire::dns::Type;

/// A fixed-sequence RNG: the fuzzer, not chance, decides what happens.
struct Counter(u32);

impl rand_core::RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0
    }
    fn next_u64(&mut self) -> u64 {
        u64::from(self.next_u32()) << 32 | u64::from(self.next_u32())
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        dst.iter_mut().for_each(|b| *b = self.next_u32() as u8);
    }
}

const SERVER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 53), 53);

fuzz_target!(|data: &[u8]| {
    let mut storage = [Answer::UNSPECIFIED; 3];
    let mut client = Client::new(Config::default(), &mut storage);
    client.set_servers(&[SERVER]);
    let mut rng = Counter(0);
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
