//! The HTTP server over two stacks on an in-memory link: routes, keep-alive,
//! concurrent connections, pipelining, chunked bodies, error statuses,
//! timeouts, re-listening and a lossy link.

mod http_server_harness;
mod support;

use http_server_harness::*;

#[test]
fn routes_answer_and_keep_alive_reuses_one_connection() {
    let mut net = Net::new();
    let h = net.connect();
    for i in 1..=5u32 {
        let ex = net.exchange(h, b"GET /count HTTP/1.1\r\nHost: a\r\n\r\n", 1);
        assert_eq!(ex.responses.len(), 1, "request {i}");
        assert_eq!(ex.responses[0].status, 200);
        assert_eq!(ex.responses[0].body, i.to_string().as_bytes());
        assert!(!ex.closed);
    }
    let ex = net.exchange(h, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1);
    assert_eq!(ex.responses[0].body, b"hello");
    assert_eq!(
        ex.responses[0].header("content-type"),
        Some(&b"text/plain"[..])
    );
}
