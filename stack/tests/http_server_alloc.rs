//! Serving requests in steady state performs zero heap allocations: a
//! counting global allocator watches a keep-alive client fetch, post and
//! stream through the server, all storage fixed at setup.

mod http_server_harness;
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use http_server_harness::*;
use seqs::http::server::Config;
use seqs::http::{Body, Header, Progress, ResponseParser};
use seqs::time::{Duration, Instant};
use seqs::Endpoint;
use support::*;

struct Counting;

thread_local! {
    /// Allocations made by this thread; the harness's own threads do not count.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Whether `bytes` hold one complete response; its status if so.
fn complete(bytes: &[u8]) -> Option<u16> {
    let mut headers = [Header::EMPTY; 16];
    let Ok(Progress::Done(r)) = ResponseParser::new().parse(bytes, &mut headers) else {
        return None;
    };
    let body = bytes.len() - r.head_len();
    let whole = match r.body() {
        Body::Length(n) => body as u64 == n,
        Body::Chunked => bytes.ends_with(b"\r\n0\r\n\r\n"),
        Body::None | Body::UntilClose => true,
    };
    whole.then_some(r.status())
}

const REQUESTS: [&[u8]; 4] = [
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
    b"PUT /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n",
];

#[test]
fn serving_requests_does_not_allocate() {
    let mut a = stack(1, true);
    let mut b = stack(2, true);
    let mut server = server(&mut b, Config::new(PORT));
    let mut app = App::default();
    let mut now = Instant::from_secs(1);
    server.poll(now, &mut b, &mut app);
    let client = a.add_tcp_socket(tcp_socket(8192, 8192)).unwrap();
    a.tcp_connect(client, now, Endpoint::new(ip(2), PORT))
        .unwrap();
    let mut frame = [0u8; 1600];
    let mut response = vec![0u8; 65536];

    let mut request = |i: usize, now: &mut Instant| {
        let mut sent = 0;
        let mut len = 0;
        loop {
            *now += Duration::from_millis(1);
            let s = a.tcp(client).unwrap();
            sent += s.send_slice(&REQUESTS[i][sent..]).unwrap();
            len += s.recv_slice(&mut response[len..]).unwrap();
            if let Some(status) = complete(&response[..len]) {
                assert_eq!(status, 200);
                return;
            }
            loop {
                server.poll(*now, &mut b, &mut app);
                let mut moved = false;
                while let Some(n) = a.transmit(*now, &mut frame) {
                    b.receive(*now, &frame[..n]);
                    moved = true;
                }
                while let Some(n) = b.transmit(*now, &mut frame) {
                    a.receive(*now, &frame[..n]);
                    moved = true;
                }
                if !moved {
                    break;
                }
            }
        }
    };

    for i in 0..REQUESTS.len() {
        request(i, &mut now); // warm-up: handshake, ARP
    }
    let before = allocations();
    for i in 0..200 {
        request(i % REQUESTS.len(), &mut now);
    }
    assert_eq!(allocations() - before, 0, "heap allocations per request");
    let busy = server.connections().iter().filter(|c| c.is_busy()).count();
    assert_eq!(busy, 1, "one keep-alive connection served them all");
    assert_eq!(
        a.tcp(client).unwrap().state(),
        seqs::tcp::State::Established
    );
}
