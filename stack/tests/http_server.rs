//! The HTTP server over two stacks on an in-memory link: routes, keep-alive,
//! concurrent connections, pipelining, chunked bodies, error statuses,
//! timeouts, re-listening and a lossy link.

mod http_server_harness;
mod support;

use http_server_harness::*;
use seqs::time::Duration;
use support::pattern;

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

#[test]
fn concurrent_connections_each_keep_alive() {
    let mut net = Net::new();
    let clients: Vec<_> = (0..SLOTS).map(|_| net.connect()).collect();
    for round in 0..3 {
        for &h in &clients {
            // All requests are written before any answer is read.
            net.link.nodes[0]
                .tcp(h)
                .unwrap()
                .send_slice(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                .ok();
        }
        for &h in &clients {
            let ex = net.exchange(h, b"", 1);
            assert_eq!(ex.responses.len(), 1, "round {round}");
            assert_eq!(ex.responses[0].body, b"hello");
        }
    }
    assert!(net.server.connections().iter().all(|c| c.is_busy()));
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let mut net = Net::new();
    let h = net.connect();
    let requests = b"GET /count HTTP/1.1\r\nHost: a\r\n\r\n\
        POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc\
        GET /count HTTP/1.1\r\nHost: a\r\n\r\n\
        GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let ex = net.exchange(h, requests, 4);
    let bodies: Vec<_> = ex.responses.iter().map(|r| r.body.as_slice()).collect();
    assert_eq!(bodies, [&b"1"[..], b"abc", b"2", b"hello"]);
}

#[test]
fn chunked_upload_is_decoded_for_the_handler() {
    let mut net = Net::new();
    let request = b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
        5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nTrailer: x\r\n\r\n\
        GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let h = net.connect();
    let ex = net.exchange(h, request, 2);
    assert_eq!(ex.responses[0].body, b"hello world!");
    assert_eq!(ex.responses[1].body, b"hello");
}

#[test]
fn large_chunked_upload_fills_the_request_buffer_in_place() {
    let mut net = Net::new();
    // 1900 body bytes in 19 chunks: the wire form is larger than what stays
    // in the buffer once decoded.
    let body = pattern(3, 0, 1900);
    let mut request =
        b"PUT /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for part in body.chunks(100) {
        request.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        request.extend_from_slice(part);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let ex = net.one(&request);
    assert_eq!(ex.responses[0].status, 200);
    assert_eq!(ex.responses[0].body, body);
}

#[test]
fn chunked_download_larger_than_every_buffer_streams_intact() {
    let mut net = Net::new();
    let h = net.connect();
    for _ in 0..2 {
        let ex = net.exchange(h, b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n", 1);
        assert_eq!(
            ex.responses[0].header("transfer-encoding"),
            Some(&b"chunked"[..])
        );
        assert!(ex.responses[0].body == stream_body());
    }
}

/// Sends `request` on a fresh connection; returns the status and whether
/// the server closed the connection afterwards. More cases than slots run
/// back to back, so this also checks that closed slots listen again.
fn status_of(net: &mut Net, request: &[u8]) -> (u16, bool) {
    let h = net.connect();
    let mut ex = net.exchange(h, request, 1);
    if !ex.closed {
        let more = net.exchange(h, b"", 2);
        ex.closed = more.closed;
    }
    // Close our side too, or the server's slot lingers in FIN-WAIT-2.
    net.link.nodes[0].tcp(h).unwrap().close();
    (ex.responses[0].status, ex.closed)
}

#[test]
fn errors_get_their_status_and_close_the_connection() {
    let mut net = Net::new();
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(2100));
    let many_fields = format!(
        "GET / HTTP/1.1\r\nHost: a\r\n{}\r\n",
        "X-A: 1\r\n".repeat(40)
    );
    let huge_field = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "b".repeat(2100)
    );
    let cases: [(&[u8], u16); 10] = [
        (b"BAD\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n", 413),
        (long_target.as_bytes(), 414),
        (many_fields.as_bytes(), 431),
        (huge_field.as_bytes(), 431),
        (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        (b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        (b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ];
    for (request, status) in cases {
        let got = status_of(&mut net, request);
        assert_eq!(
            got,
            (status, true),
            "{}",
            String::from_utf8_lossy(&request[..request.len().min(60)])
        );
    }
}

#[test]
fn unknown_paths_and_methods_and_failing_handlers() {
    let mut net = Net::new();
    let h = net.connect();
    let ex = net.exchange(h, b"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n", 1);
    assert_eq!(ex.responses[0].status, 404);
    let ex = net.exchange(h, b"DELETE /led HTTP/1.1\r\nHost: a\r\n\r\n", 1);
    assert_eq!(ex.responses[0].status, 405);
    assert_eq!(ex.responses[0].header("allow"), Some(&b"GET, PUT"[..]));
    assert!(!ex.closed, "404 and 405 keep the connection");
    let ex = net.exchange(h, b"GET http://a/led?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", 1);
    assert_eq!(
        ex.responses[0].body, b"off",
        "absolute-form targets route by path"
    );
    let ex = net.exchange(h, b"GET /broken HTTP/1.1\r\nHost: a\r\n\r\n", 1);
    assert_eq!(ex.responses[0].status, 500);
    assert!(net.exchange(h, b"", 2).closed);
}

#[test]
fn led_endpoint_changes_application_state() {
    let mut net = Net::new();
    let h = net.connect();
    let ex = net.exchange(
        h,
        b"PUT /led HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\non",
        1,
    );
    assert_eq!(ex.responses[0].status, 204);
    assert!(net.app.led);
    let ex = net.exchange(h, b"GET /led HTTP/1.1\r\nHost: a\r\n\r\n", 1);
    assert_eq!(ex.responses[0].body, b"on");
    let ex = net.exchange(
        h,
        b"PUT /led HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nmaybe",
        1,
    );
    assert_eq!(ex.responses[0].status, 400);
}

#[test]
fn connection_close_and_http10_close_and_slots_are_reused() {
    let mut net = Net::new();
    for i in 0..3 * SLOTS {
        let request: &[u8] = if i % 2 == 0 {
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        } else {
            b"GET / HTTP/1.0\r\n\r\n"
        };
        let h = net.connect();
        let ex = net.exchange(h, request, 2);
        assert_eq!(ex.responses.len(), 1, "connection {i}");
        assert_eq!(ex.responses[0].header("connection"), Some(&b"close"[..]));
        assert!(ex.closed, "connection {i}");
        net.link.nodes[0].tcp(h).unwrap().close();
        net.run_for(Duration::from_millis(5));
    }
    assert!(net.server.connections().iter().all(|c| !c.is_busy()));
}

#[test]
fn http10_keep_alive_is_granted_when_asked() {
    let mut net = Net::new();
    let h = net.connect();
    for _ in 0..3 {
        let ex = net.exchange(h, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1);
        assert_eq!(
            ex.responses[0].header("connection"),
            Some(&b"keep-alive"[..])
        );
        assert!(!ex.closed);
    }
}

#[test]
fn expect_continue_gets_an_interim_response() {
    let mut net = Net::new();
    let ex = net.one(
        b"POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
    );
    assert!(ex
        .raw
        .starts_with(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
    assert_eq!(ex.responses[0].body, b"hi");
}

#[test]
fn head_gets_the_get_head_without_a_body() {
    let mut net = Net::new();
    let h = net.connect();
    let ex = net.exchange(
        h,
        b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        3,
    );
    let text = String::from_utf8(ex.raw).unwrap();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n";
    assert_eq!(text, format!("{head}{head}hello"));
}

#[test]
fn idle_connections_time_out_and_the_slot_listens_again() {
    let mut net = Net::new();
    let clients: Vec<_> = (0..SLOTS).map(|_| net.connect()).collect();
    net.run_for(Duration::from_millis(10));
    assert!(net.server.connections().iter().all(|c| c.is_busy()));
    let deadline = net.server.poll_at().unwrap() - seqs::time::Instant::ZERO;
    assert!(deadline > Duration::from_secs(10) && deadline < Duration::from_millis(10_010));
    net.run_for(Duration::from_secs(11));
    for h in clients {
        let ex = net.exchange(h, b"", 1);
        assert!(ex.closed && ex.responses.is_empty());
        net.link.nodes[0].tcp(h).unwrap().close();
    }
    net.run_for(Duration::from_millis(10));
    let ex = net.one(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(ex.responses[0].body, b"hello");
}

#[test]
fn a_partial_request_that_stalls_gets_408() {
    let mut net = Net::new();
    let h = net.connect();
    let ex = net.exchange(h, b"GET / HTTP/1.1\r\nHo", 1);
    assert_eq!(ex.responses[0].status, 408);
    assert!(ex.closed);
}

#[test]
fn every_response_arrives_intact_over_a_lossy_link() {
    for seed in 0..6 {
        let link = support::Link::lossy(
            vec![support::stack(1, true), support::stack(2, true)],
            0.1,
            seed,
        );
        // One client waits while the other's exchange suffers timeouts.
        let mut config = seqs::http::server::Config::new(PORT);
        config.idle_timeout = Duration::from_secs(120);
        let mut net = Net::with_link(link, config);
        let clients: Vec<_> = (0..2).map(|_| net.connect()).collect();
        for i in 0..4 {
            for &h in &clients {
                let ex = net.exchange(h, b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\nPOST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 2);
                assert_eq!(ex.responses.len(), 2, "seed {seed} round {i}");
                assert!(ex.responses[0].body == stream_body(), "seed {seed}");
                assert_eq!(ex.responses[1].body, b"hello", "seed {seed}");
            }
        }
    }
}

#[test]
fn a_streamed_body_reaches_an_http10_client_unframed() {
    let mut net = Net::new();
    let h = net.connect();
    let ex = net.exchange(
        h,
        b"GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        2,
    );
    assert!(ex.closed, "the body ends with the connection");
    let reply = &ex.responses[0];
    assert_eq!(reply.header("transfer-encoding"), None);
    assert_eq!(reply.header("connection"), Some(&b"close"[..]));
    assert!(reply.body == stream_body());
}

#[test]
fn requests_dribbled_byte_by_byte_are_parsed_incrementally() {
    let mut net = Net::new();
    let h = net.connect();
    let requests: &[u8] = b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
        4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n\
        GET /count HTTP/1.1\r\nHost: a\r\n\r\n";
    net.run_for(Duration::from_millis(5));
    for &b in requests {
        net.link.nodes[0].tcp(h).unwrap().send_slice(&[b]).unwrap();
        net.run_for(Duration::from_millis(2));
    }
    let ex = net.exchange(h, b"", 2);
    let bodies: Vec<_> = ex.responses.iter().map(|r| r.body.as_slice()).collect();
    assert_eq!(bodies, [&b"abcdef"[..], b"1"]);
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever arrives, the server neither panics nor leaves a slot
        /// stuck: afterwards a well-formed request is served.
        #[test]
        fn random_bytes_never_wedge_the_server(
            junk in proptest::collection::vec(any::<u8>(), 0..3000),
            prefix in prop_oneof![
                Just(&b""[..]),
                Just(&b"GET / HTTP/1.1\r\n"[..]),
                Just(&b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"[..]),
            ],
        ) {
            let mut net = Net::new();
            let h = net.connect();
            let mut request = prefix.to_vec();
            request.extend_from_slice(&junk);
            let ex = net.exchange(h, &request, 1);
            for reply in &ex.responses {
                prop_assert!((200..600).contains(&reply.status));
            }
            net.link.nodes[0].tcp(h).unwrap().abort();
            net.run_for(Duration::from_secs(6));
            for _ in 0..SLOTS {
                let ex = net.one(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                prop_assert_eq!(&ex.responses[0].body, b"hello");
            }
        }
    }
}

#[test]
fn a_client_that_stops_reading_is_dropped_and_the_slot_reused() {
    let mut net = Net::new();
    let h = net.connect();
    net.run_for(Duration::from_millis(5));
    let s = net.link.nodes[0].tcp(h).unwrap();
    s.send_slice(b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    net.run_for(Duration::from_secs(1));
    let busy = |net: &Net| {
        net.server
            .connections()
            .iter()
            .filter(|c| c.is_busy())
            .count()
    };
    assert_eq!(busy(&net), 1, "stuck behind a zero window");
    net.run_for(Duration::from_secs(10));
    assert_eq!(busy(&net), 0, "aborted after the idle timeout");
    for slot in net.server.connections() {
        let state = net.link.nodes[1].tcp(slot.handle()).unwrap().state();
        assert_eq!(state, seqs::tcp::State::Listen);
    }
    let ex = net.one(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(ex.responses[0].body, b"hello");
}
