//! Hostile input: request smuggling, oversized heads, random bytes, and
//! incremental feeds split at every point.

use proptest::prelude::*;
use seqs::http::{Error, Header, Limits, Progress, RequestParser, ResponseParser};

/// A parse outcome reduced to owned, comparable data.
#[derive(Debug, PartialEq, Clone)]
enum Outcome {
    Done(String),
    NeedMore,
    Failed(Error),
}

fn request_with(parser: &mut RequestParser, bytes: &[u8]) -> Outcome {
    let mut headers = [Header::EMPTY; 24];
    match parser.parse(bytes, &mut headers) {
        Ok(Progress::Done(r)) => Outcome::Done(format!("{r:?}")),
        Ok(Progress::NeedMore) => Outcome::NeedMore,
        Err(e) => Outcome::Failed(e),
    }
}

fn response_with(parser: &mut ResponseParser, bytes: &[u8]) -> Outcome {
    let mut headers = [Header::EMPTY; 24];
    match parser.parse(bytes, &mut headers) {
        Ok(Progress::Done(r)) => Outcome::Done(format!("{r:?}")),
        Ok(Progress::NeedMore) => Outcome::NeedMore,
        Err(e) => Outcome::Failed(e),
    }
}

fn request(bytes: &[u8]) -> Outcome {
    request_with(&mut RequestParser::new(), bytes)
}

/// Feeds growing prefixes ending at each of `cuts`, then the whole input,
/// to one parser: the last outcome, and whether every earlier one was
/// `NeedMore`.
fn feed<P>(
    parser: &mut P,
    step: fn(&mut P, &[u8]) -> Outcome,
    bytes: &[u8],
    cuts: &[usize],
) -> Outcome {
    for &cut in cuts {
        match step(parser, &bytes[..cut.min(bytes.len())]) {
            Outcome::NeedMore => {}
            other => return other,
        }
    }
    step(parser, bytes)
}

// Smuggling (RFC 9112 §6.3, §11.2 and the PortSwigger catalogue): every
// ambiguity a front end and a back end could resolve differently.
const SMUGGLING: &[(&[u8], Error)] = &[
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", Error::ContentLengthWithTransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n", Error::ContentLengthWithTransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n", Error::ConflictingContentLength),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n", Error::ConflictingContentLength),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n", Error::WhitespaceBeforeColon),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n", Error::WhitespaceBeforeColon),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", Error::ObsFold),
    (b"POST / HTTP/1.1\r\nHost: x\r\nX: y\r\n\tTransfer-Encoding: chunked\r\n\r\n", Error::ObsFold),
    (b"POST / HTTP/1.1\r\nHost: x\r\nX: y\rTransfer-Encoding: chunked\r\n\r\n", Error::BareCr),
    (b"POST / HTTP/1.1\r\nHost: x\r\nX: y\nTransfer-Encoding: chunked\r\n\r\n", Error::BareLf),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", Error::TransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", Error::TransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", Error::TransferEncoding),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \x0bchunked\r\n\r\n", Error::HeaderValue),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer\x00Encoding: chunked\r\n\r\n", Error::HeaderName),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n", Error::ContentLength),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\n", Error::ContentLength),
    (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", Error::TransferEncoding),
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", Error::Host),
    (b"GET /a HTTP/1.1 x\r\nHost: a\r\n\r\n", Error::RequestLine),
    (b"GET /a\x00 HTTP/1.1\r\nHost: a\r\n\r\n", Error::RequestLine),
];

#[test]
fn smuggling_attempts_are_rejected_with_400() {
    for (bytes, expected) in SMUGGLING {
        assert_eq!(
            request(bytes),
            Outcome::Failed(*expected),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(expected.status(), 400);
    }
}

#[test]
fn smuggling_attempts_are_rejected_in_any_feed_pattern() {
    for (bytes, _) in SMUGGLING {
        for cut in 0..bytes.len() {
            let out = feed(&mut RequestParser::new(), request_with, bytes, &[cut]);
            assert!(
                matches!(out, Outcome::Failed(_)),
                "cut {cut} of {:?}: {out:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

#[test]
fn huge_heads_are_431_without_reading_past_the_limit() {
    let mut huge = b"GET / HTTP/1.1\r\nHost: x\r\nX: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 1 << 20));
    assert_eq!(request(&huge), Outcome::Failed(Error::HeadTooLarge));
    huge.extend(b"\r\n\r\n");
    assert_eq!(request(&huge), Outcome::Failed(Error::HeadTooLarge));
    let long_target = [&b"GET /"[..], &[b'a'; 10_000], b" HTTP/1.1\r\n"].concat();
    assert_eq!(
        request(&long_target),
        Outcome::Failed(Error::StartLineTooLong)
    );
    assert_eq!(Error::StartLineTooLong.status(), 414);
    let mut many = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..1000 {
        many.extend(format!("X-{i}: v\r\n").bytes());
    }
    many.extend(b"\r\n");
    let big = Limits { max_head: 1 << 20 };
    assert_eq!(
        request_with(&mut RequestParser::with_limits(big), &many),
        Outcome::Failed(Error::TooManyHeaders)
    );
    let endless_blank_lines = b"\r\n".repeat(10_000);
    assert_eq!(
        request(&endless_blank_lines),
        Outcome::Failed(Error::StartLineTooLong)
    );
}

#[test]
fn a_slow_head_trickling_in_is_cut_off_at_the_limit() {
    let limit = 64;
    let mut parser = RequestParser::with_limits(Limits { max_head: limit });
    let mut bytes = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    let mut outcome = request_with(&mut parser, &bytes);
    while outcome == Outcome::NeedMore {
        bytes.extend(b"X: y\r\n");
        outcome = request_with(&mut parser, &bytes);
    }
    assert_eq!(outcome, Outcome::Failed(Error::HeadTooLarge));
    assert!(bytes.len() >= limit && bytes.len() < limit + 6);
}

#[test]
fn garbage_after_a_partial_head_is_refused_as_soon_as_it_arrives() {
    let mut parser = RequestParser::new();
    let mut bytes = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    assert_eq!(request_with(&mut parser, &bytes), Outcome::NeedMore);
    bytes.extend(b"Fine: yes\r\nBad Header");
    assert_eq!(
        request_with(&mut parser, &bytes),
        Outcome::Failed(Error::WhitespaceBeforeColon)
    );

    let mut parser = RequestParser::new();
    let mut bytes = b"POST / HTTP/1.1\r\nContent-Length: 1\r\n".to_vec();
    assert_eq!(request_with(&mut parser, &bytes), Outcome::NeedMore);
    bytes.extend(b"Content-Length: 2\r\nX-Still-Open: ");
    assert_eq!(
        request_with(&mut parser, &bytes),
        Outcome::Failed(Error::ConflictingContentLength)
    );

    let mut parser = RequestParser::new();
    let mut bytes = b"GET / HTTP/1.1\r\nA: 1\r\n".to_vec();
    let need_more = matches!(
        parser.parse(&bytes, &mut [Header::EMPTY; 2]),
        Ok(Progress::NeedMore)
    );
    assert!(need_more);
    bytes.extend(b"B: 2\r\nC: 3\r\n");
    let error = parser.parse(&bytes, &mut [Header::EMPTY; 2]).err();
    assert_eq!(error, Some(Error::TooManyHeaders));
}

const VALID_REQUESTS: &[&[u8]] = &[
    b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
    b"\r\n\r\nGET /x?y=z HTTP/1.0\r\n\r\n",
    b"POST /submit HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=b&c=d",
    b"PUT /f HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"GET /pipelined HTTP/1.1\r\nHost: h\r\n\r\nGET /second HTTP/1.1\r\nHost: h\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\nX-Obs: \xc3\xa9\xff\r\n\r\n",
];

const VALID_RESPONSES: &[&[u8]] = &[
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 204 No Content\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n",
    b"HTTP/1.0 301\r\nLocation: /x\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: seqs\r\n\r\n0\r\n\r\n",
];

#[test]
fn requests_split_at_every_point_parse_as_in_one_feed() {
    for bytes in VALID_REQUESTS {
        let whole = request(bytes);
        assert!(matches!(whole, Outcome::Done(_)), "{whole:?}");
        for cut in 0..=bytes.len() {
            let out = feed(&mut RequestParser::new(), request_with, bytes, &[cut]);
            assert_eq!(
                out,
                whole,
                "cut at {cut} of {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        let every_byte: Vec<usize> = (0..bytes.len()).collect();
        assert_eq!(
            feed(&mut RequestParser::new(), request_with, bytes, &every_byte),
            whole
        );
    }
}

#[test]
fn responses_split_at_every_point_parse_as_in_one_feed() {
    for bytes in VALID_RESPONSES {
        let whole = response_with(&mut ResponseParser::new(), bytes);
        assert!(matches!(whole, Outcome::Done(_)), "{whole:?}");
        for cut in 0..=bytes.len() {
            assert_eq!(
                feed(&mut ResponseParser::new(), response_with, bytes, &[cut]),
                whole,
                "cut {cut}"
            );
        }
        let every_byte: Vec<usize> = (0..bytes.len()).collect();
        assert_eq!(
            feed(
                &mut ResponseParser::new(),
                response_with,
                bytes,
                &every_byte
            ),
            whole
        );
    }
}

#[test]
fn prefixes_of_a_valid_head_need_more() {
    for bytes in VALID_REQUESTS {
        let mut headers = [Header::EMPTY; 24];
        let Ok(Progress::Done(r)) = RequestParser::new().parse(bytes, &mut headers) else {
            panic!()
        };
        for cut in 0..r.head_len() {
            assert_eq!(request(&bytes[..cut]), Outcome::NeedMore, "cut {cut}");
        }
    }
}

#[test]
fn a_parser_is_ready_for_the_next_request_after_done_or_error() {
    let mut parser = RequestParser::new();
    assert_eq!(
        request_with(&mut parser, b"GET / HTTP/1.1\r\nHo"),
        Outcome::NeedMore
    );
    assert!(matches!(
        request_with(&mut parser, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Outcome::Done(_)
    ));
    assert_eq!(
        request_with(&mut parser, b"GET / HTTP/1.1\r\n"),
        Outcome::NeedMore
    );
    assert_eq!(
        request_with(&mut parser, b"GET / HTTP/1.1\r\nA : b\r\n\r\n"),
        Outcome::Failed(Error::WhitespaceBeforeColon)
    );
    assert!(matches!(
        request_with(&mut parser, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Outcome::Done(_)
    ));
    assert_eq!(request_with(&mut parser, b"GET /"), Outcome::NeedMore);
    parser.reset();
    assert!(matches!(
        request_with(&mut parser, b"\r\nGET / HTTP/1.0\r\n\r\n"),
        Outcome::Done(_)
    ));
}

/// Bytes drawn mostly from HTTP's own alphabet, so that random input
/// reaches deep into the grammar.
fn http_noise() -> impl Strategy<Value = Vec<u8>> {
    const PIECES: &[&[u8]] = &[
        b"GET ",
        b"HTTP/1.1",
        b"HTTP/1.0",
        b"\r\n",
        b"\r",
        b"\n",
        b": ",
        b" ",
        b"\t",
        b"Host",
        b"Content-Length",
        b"Transfer-Encoding",
        b"chunked",
        b"Connection",
        b"close",
        b"12",
        b",",
        b"/",
        b"\x00",
        b"\xff",
        b"200 OK",
    ];
    proptest::collection::vec(proptest::sample::select(PIECES), 0..40)
        .prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = request(&bytes);
        let _ = response_with(&mut ResponseParser::new(), &bytes);
    }

    #[test]
    fn http_shaped_noise_gives_the_same_outcome_whole_or_split(bytes in http_noise(), cut in 0usize..400) {
        let whole = request(&bytes);
        prop_assert_eq!(feed(&mut RequestParser::new(), request_with, &bytes, &[cut]), whole);
        let whole = response_with(&mut ResponseParser::new(), &bytes);
        prop_assert_eq!(feed(&mut ResponseParser::new(), response_with, &bytes, &[cut]), whole);
    }

    #[test]
    fn tiny_limits_and_header_arrays_never_panic(bytes in http_noise(), max_head in 0usize..64, slots in 0usize..4) {
        let mut headers = vec![Header::EMPTY; slots];
        let _ = RequestParser::with_limits(Limits { max_head }).parse(&bytes, &mut headers);
        let _ = ResponseParser::with_limits(Limits { max_head }).parse(&bytes, &mut headers);
    }
}
