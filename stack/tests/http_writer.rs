//! Writers: exact output, refusal of anything that would break framing,
//! errors (never panics) on small buffers, and round trips through the
//! parsers.

use proptest::prelude::*;
use seqs::http::{Body, HeadWriter, Header, Progress, RequestParser, ResponseParser, WriteError};

#[test]
fn request_head_with_and_without_body() {
    let mut buf = [0u8; 256];
    let mut w = HeadWriter::request(&mut buf, "GET", "/index.html").unwrap();
    w.header("Host", b"192.0.2.1")
        .unwrap()
        .header("Accept", b"*/*")
        .unwrap();
    let n = w.finish().unwrap();
    assert_eq!(
        &buf[..n],
        b"GET /index.html HTTP/1.1\r\nHost: 192.0.2.1\r\nAccept: */*\r\n\r\n"
    );

    let mut w = HeadWriter::request(&mut buf, "POST", "/led").unwrap();
    w.header("Host", b"h").unwrap();
    let n = w.body(b"on").unwrap();
    assert_eq!(
        &buf[..n],
        b"POST /led HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\non"
    );
}

#[test]
fn response_framings() {
    let mut buf = [0u8; 256];
    let n = HeadWriter::response(&mut buf, 204, "No Content")
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(&buf[..n], b"HTTP/1.1 204 No Content\r\n\r\n");
    let n = HeadWriter::response(&mut buf, 200, "OK")
        .unwrap()
        .content_length(1234)
        .unwrap();
    assert_eq!(
        &buf[..n],
        b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
    );
    let n = HeadWriter::response(&mut buf, 200, "")
        .unwrap()
        .chunked()
        .unwrap();
    assert_eq!(
        &buf[..n],
        b"HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let n = HeadWriter::response(&mut buf, 304, "Not Modified")
        .unwrap()
        .content_length(7)
        .unwrap();
    assert_eq!(
        &buf[..n],
        b"HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n"
    );
    let n = HeadWriter::response(&mut buf, 200, "OK")
        .unwrap()
        .body(b"")
        .unwrap();
    assert_eq!(&buf[..n], b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

#[test]
fn statuses_without_a_body_refuse_one() {
    let mut buf = [0u8; 256];
    for status in [100, 101, 199, 204, 304] {
        let w = || HeadWriter::response(&mut [0u8; 64][..], status, "x").map(|_| ());
        assert_eq!(w(), Ok(()));
        let body = HeadWriter::response(&mut buf, status, "x")
            .unwrap()
            .body(b"a");
        assert_eq!(body, Err(WriteError::BodyNotAllowed), "{status}");
        let chunked = HeadWriter::response(&mut buf, status, "x")
            .unwrap()
            .chunked();
        assert_eq!(chunked, Err(WriteError::BodyNotAllowed), "{status}");
    }
    let length = HeadWriter::response(&mut buf, 204, "x")
        .unwrap()
        .content_length(1);
    assert_eq!(length, Err(WriteError::BodyNotAllowed));
}

#[test]
fn elements_that_would_break_framing_are_refused() {
    let mut buf = [0u8; 256];
    assert_eq!(
        HeadWriter::request(&mut buf, "G ET", "/").err(),
        Some(WriteError::Invalid)
    );
    assert_eq!(
        HeadWriter::request(&mut buf, "", "/").err(),
        Some(WriteError::Invalid)
    );
    assert_eq!(
        HeadWriter::request(&mut buf, "GET", "").err(),
        Some(WriteError::Invalid)
    );
    assert_eq!(
        HeadWriter::request(&mut buf, "GET", "/a b").err(),
        Some(WriteError::Invalid)
    );
    assert_eq!(
        HeadWriter::request(&mut buf, "GET", "/\r\nX: y").err(),
        Some(WriteError::Invalid)
    );
    assert_eq!(
        HeadWriter::response(&mut buf, 99, "x").err(),
        Some(WriteError::Invalid)
    );
    assert_eq!(
        HeadWriter::response(&mut buf, 1000, "x").err(),
        Some(WriteError::Invalid)
    );
    assert_eq!(
        HeadWriter::response(&mut buf, 200, "O\nK").err(),
        Some(WriteError::Invalid)
    );
    let mut w = HeadWriter::request(&mut buf, "GET", "/").unwrap();
    assert_eq!(w.header("A B", b"c").err(), Some(WriteError::Invalid));
    assert_eq!(w.header("A:", b"c").err(), Some(WriteError::Invalid));
    assert_eq!(
        w.header("A", b"c\r\nEvil: 1").err(),
        Some(WriteError::Invalid)
    );
    assert_eq!(w.header("A", b"c\x00").err(), Some(WriteError::Invalid));
    assert_eq!(
        w.header("Content-Length", b"5").err(),
        Some(WriteError::FramingHeader)
    );
    assert_eq!(
        w.header("transfer-encoding", b"chunked").err(),
        Some(WriteError::FramingHeader)
    );
    w.header("A", b"tab\tand obs-text \xff").unwrap();
    let n = w.finish().unwrap();
    assert_eq!(
        &buf[..n],
        b"GET / HTTP/1.1\r\nA: tab\tand obs-text \xff\r\n\r\n"
    );
}

/// Writes a typical response into a buffer of `size` bytes.
fn write_response(buf: &mut [u8]) -> Result<usize, WriteError> {
    let mut w = HeadWriter::response(buf, 200, "OK")?;
    w.header("Content-Type", b"text/html")?
        .header("Connection", b"keep-alive")?;
    w.body(b"<h1>seqs</h1>")
}

#[test]
fn every_too_small_buffer_is_an_error_and_a_failed_header_writes_nothing() {
    let mut big = [0u8; 256];
    let full = write_response(&mut big).unwrap();
    for size in 0..full {
        let mut buf = vec![0u8; size];
        assert_eq!(
            write_response(&mut buf),
            Err(WriteError::BufferFull),
            "size {size}"
        );
    }
    let mut exact = vec![0u8; full];
    assert_eq!(write_response(&mut exact), Ok(full));
    assert_eq!(exact, &big[..full]);

    let mut buf = [0u8; 40];
    let mut w = HeadWriter::response(&mut buf, 200, "OK").unwrap();
    assert_eq!(
        w.header("X-Long", &[b'a'; 40]).err(),
        Some(WriteError::BufferFull)
    );
    w.header("X", b"1").unwrap();
    let n = w.finish().unwrap();
    assert_eq!(&buf[..n], b"HTTP/1.1 200 OK\r\nX: 1\r\n\r\n");
}

fn token() -> impl Strategy<Value = String> {
    "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,10}".prop_filter(
        "framing fields are written by the body methods",
        |n| {
            !["content-length", "transfer-encoding", "host"]
                .contains(&n.to_ascii_lowercase().as_str())
        },
    )
}

proptest! {
    #[test]
    fn written_requests_parse_back(
        method in token(),
        target in "/[!-~]{0,30}",
        fields in proptest::collection::vec((token(), "[!-~]([ -~]{0,20}[!-~])?"), 0..8),
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut buf = [0u8; 1024];
        let mut w = HeadWriter::request(&mut buf, &method, &target).unwrap();
        w.header("Host", b"example.com").unwrap();
        for (name, value) in &fields {
            w.header(name, value.as_bytes()).unwrap();
        }
        let n = w.body(&body).unwrap();
        let mut headers = [Header::EMPTY; 16];
        let Ok(Progress::Done(r)) = RequestParser::new().parse(&buf[..n], &mut headers) else {
            return Err(TestCaseError::fail("written request does not parse"));
        };
        prop_assert_eq!(r.method(), method.as_str());
        prop_assert_eq!(r.target(), target.as_str());
        prop_assert_eq!(r.body(), Body::Length(body.len() as u64));
        prop_assert_eq!(r.headers().len(), fields.len() + 2);
        for (parsed, (name, value)) in r.headers().iter().skip(1).zip(&fields) {
            prop_assert_eq!(parsed.name(), name.as_str());
            prop_assert_eq!(parsed.value(), value.as_bytes());
        }
        prop_assert_eq!(&buf[r.head_len()..n], &body[..]);
    }

    #[test]
    fn written_responses_parse_back(status in 200u16..1000, reason in "[ -~]{0,20}", len in any::<u64>()) {
        prop_assume!(status != 204 && status != 304);
        let mut buf = [0u8; 256];
        let n = HeadWriter::response(&mut buf, status, &reason).unwrap().content_length(len).unwrap();
        let mut headers = [Header::EMPTY; 4];
        let Ok(Progress::Done(r)) = ResponseParser::new().parse(&buf[..n], &mut headers) else {
            return Err(TestCaseError::fail("written response does not parse"));
        };
        prop_assert_eq!((r.status(), r.reason(), r.body()), (status, reason.as_bytes(), Body::Length(len)));
        prop_assert_eq!(r.head_len(), n);
    }

    #[test]
    fn arbitrary_elements_never_panic(
        method in ".{0,8}", target in ".{0,8}", name in ".{0,8}", value in proptest::collection::vec(any::<u8>(), 0..8),
        status in any::<u16>(), size in 0usize..64,
    ) {
        let mut buf = vec![0u8; size];
        if let Ok(mut w) = HeadWriter::request(&mut buf, &method, &target) {
            let _ = w.header(&name, &value);
            let _ = w.chunked();
        }
        if let Ok(mut w) = HeadWriter::response(&mut buf, status, &name) {
            let _ = w.header(&name, &value);
            let _ = w.body(&value);
        }
    }
}
