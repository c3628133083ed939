//! RFC 9112 rules, one test per rule, through the public API.

use seqs::http::{
    Body, Error, Header, Headers, Limits, Progress, RequestParser, ResponseParser, Version,
};

/// What a complete request head parsed to, owned so tests can compare.
#[derive(Debug, PartialEq)]
struct Req {
    method: String,
    target: String,
    version: Version,
    headers: Vec<(String, Vec<u8>)>,
    head_len: usize,
    body: Body,
    keep_alive: bool,
}

fn owned(headers: Headers<'_, '_>) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|h| (h.name().to_string(), h.value().to_vec()))
        .collect()
}

fn request(bytes: &[u8]) -> Result<Req, Error> {
    let mut headers = [Header::EMPTY; 16];
    match RequestParser::new().parse(bytes, &mut headers)? {
        Progress::Done(r) => Ok(Req {
            method: r.method().into(),
            target: r.target().into(),
            version: r.version(),
            headers: owned(r.headers()),
            head_len: r.head_len(),
            body: r.body(),
            keep_alive: r.keep_alive(),
        }),
        Progress::NeedMore => panic!("incomplete: {:?}", String::from_utf8_lossy(bytes)),
    }
}

fn request_error(bytes: &[u8]) -> Error {
    request(bytes).expect_err("must be rejected")
}

#[derive(Debug, PartialEq)]
struct Resp {
    version: Version,
    status: u16,
    reason: Vec<u8>,
    headers: Vec<(String, Vec<u8>)>,
    body: Body,
    keep_alive: bool,
}

fn response_to(method: &str, bytes: &[u8]) -> Result<Resp, Error> {
    let mut headers = [Header::EMPTY; 16];
    match ResponseParser::new()
        .request_method(method)
        .parse(bytes, &mut headers)?
    {
        Progress::Done(r) => Ok(Resp {
            version: r.version(),
            status: r.status(),
            reason: r.reason().to_vec(),
            headers: owned(r.headers()),
            body: r.body(),
            keep_alive: r.keep_alive(),
        }),
        Progress::NeedMore => panic!("incomplete"),
    }
}

fn response(bytes: &[u8]) -> Result<Resp, Error> {
    response_to("GET", bytes)
}

// §3: request line.

#[test]
fn request_line_fields_are_split_on_single_spaces() {
    let r = request(b"GET /a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(
        (r.method.as_str(), r.target.as_str(), r.version),
        ("GET", "/a/b?c=d", Version::Http11)
    );
    assert_eq!(r.head_len, 34);
}

#[test]
fn methods_are_tokens_and_case_sensitive() {
    assert_eq!(
        request(b"M-SEARCH * HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap()
            .method,
        "M-SEARCH"
    );
    assert_eq!(
        request(b"get / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap()
            .method,
        "get"
    );
    assert_eq!(
        request_error(b"GE(T / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Error::RequestLine
    );
    assert_eq!(
        request_error(b" GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Error::RequestLine
    );
}

#[test]
fn request_line_rejects_extra_whitespace_and_bad_targets() {
    for bad in [
        &b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n"[..],
        b"GET /  HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /a\x7f HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1 \r\nHost: x\r\n\r\n",
        b"GET / http/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1\r\nHost: x\r\n\r\n",
        b"GET /\r\nHost: x\r\n\r\n",
    ] {
        assert_eq!(
            request_error(bad),
            Error::RequestLine,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn request_target_forms() {
    for target in ["/", "/p?q", "*", "http://example.com/x", "example.com:443"] {
        let line = format!("OPTIONS {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(request(line.as_bytes()).unwrap().target, target);
    }
    let mut headers = [Header::EMPTY; 2];
    let Progress::Done(r) = RequestParser::new()
        .parse(b"GET /a/b?c HTTP/1.1\r\nHost: x\r\n\r\n", &mut headers)
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(r.path(), "/a/b");
}

// §2.3 and RFC 9110 §2.5: versions.

#[test]
fn versions_1_0_and_1_1_parse_and_other_majors_get_505() {
    assert_eq!(
        request(b"GET / HTTP/1.0\r\n\r\n").unwrap().version,
        Version::Http10
    );
    assert_eq!(
        request_error(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
        Error::Version
    );
    assert_eq!(
        request_error(b"GET / HTTP/0.9\r\nHost: x\r\n\r\n"),
        Error::Version
    );
    assert_eq!(Error::Version.status(), 505);
}

#[test]
fn higher_minor_versions_are_treated_as_1_1() {
    assert_eq!(
        request(b"GET / HTTP/1.2\r\nHost: x\r\n\r\n")
            .unwrap()
            .version,
        Version::Http11
    );
    assert_eq!(
        response(b"HTTP/1.9 200 OK\r\nContent-Length: 0\r\n\r\n")
            .unwrap()
            .version,
        Version::Http11
    );
}

// §2.2: line endings and leading empty lines.

#[test]
fn leading_empty_lines_before_the_request_line_are_skipped() {
    let r = request(b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(r.method, "GET");
    assert_eq!(r.head_len, 4 + 16 + 9 + 2);
}

#[test]
fn bare_cr_is_rejected_everywhere() {
    assert_eq!(
        request_error(b"GET / HTTP/1.1\rHost: x\r\n\r\n"),
        Error::BareCr
    );
    assert_eq!(
        request_error(b"GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n"),
        Error::BareCr
    );
    assert_eq!(
        request_error(b"GET / HTTP/1.1\r\nHost: x\r\n\rX"),
        Error::BareCr
    );
    assert_eq!(
        request_error(b"\rGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Error::BareCr
    );
}

#[test]
fn bare_lf_is_rejected() {
    assert_eq!(request_error(b"GET / HTTP/1.1\nHost: x\n\n"), Error::BareLf);
    assert_eq!(
        request_error(b"GET / HTTP/1.1\r\nHost: x\n\r\n"),
        Error::BareLf
    );
    assert_eq!(
        request_error(b"\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Error::BareLf
    );
}

// §5: field syntax.

#[test]
fn field_values_are_trimmed_and_may_be_empty_or_hold_obs_text() {
    let r = request(b"GET / HTTP/1.1\r\nHost: x\r\nA:  \t v  a\tl \t\r\nB:\r\nC: \xff\xfe\r\n\r\n")
        .unwrap();
    assert_eq!(r.headers[1], ("A".into(), b"v  a\tl".to_vec()));
    assert_eq!(r.headers[2], ("B".into(), b"".to_vec()));
    assert_eq!(r.headers[3], ("C".into(), b"\xff\xfe".to_vec()));
}

#[test]
fn whitespace_between_name_and_colon_is_rejected() {
    assert_eq!(
        request_error(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
        Error::WhitespaceBeforeColon
    );
    assert_eq!(
        request_error(b"GET / HTTP/1.1\r\nHost\t: x\r\n\r\n"),
        Error::WhitespaceBeforeColon
    );
    assert_eq!(Error::WhitespaceBeforeColon.status(), 400);
}

#[test]
fn obs_fold_and_whitespace_before_the_first_field_are_rejected() {
    assert_eq!(
        request_error(b"GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n"),
        Error::ObsFold
    );
    assert_eq!(
        request_error(b"GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\tc\r\n\r\n"),
        Error::ObsFold
    );
    assert_eq!(
        request_error(b"GET / HTTP/1.1\r\n Host: x\r\n\r\n"),
        Error::ObsFold
    );
    assert_eq!(
        response(b"HTTP/1.1 200 OK\r\nA: b\r\n c\r\nContent-Length: 0\r\n\r\n"),
        Err(Error::ObsFold)
    );
}

#[test]
fn field_names_must_be_tokens() {
    for bad in [
        &b"GET / HTTP/1.1\r\nHost: x\r\nA(b: c\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: x\r\n: c\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n\xc3\xa9: c\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nA\x00: c\r\n\r\n",
    ] {
        assert_eq!(
            request_error(bad),
            Error::HeaderName,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn control_bytes_in_values_are_rejected() {
    for ctl in [0u8, 1, 0x0b, 0x0c, 0x1f, 0x7f] {
        let mut bad = b"GET / HTTP/1.1\r\nHost: x\r\nA: b".to_vec();
        bad.extend([ctl, b'c', b'\r', b'\n', b'\r', b'\n']);
        assert_eq!(request_error(&bad), Error::HeaderValue, "{ctl:#x}");
    }
}

#[test]
fn lookup_is_case_insensitive_and_keeps_repeats_in_order() {
    let bytes = b"GET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\naccept: b\r\n\r\n";
    let mut headers = [Header::EMPTY; 4];
    let Progress::Done(r) = RequestParser::new().parse(bytes, &mut headers).unwrap() else {
        panic!()
    };
    assert_eq!(r.headers().get("ACCEPT"), Some(&b"a"[..]));
    assert_eq!(
        r.headers().get_all("accept").collect::<Vec<_>>(),
        [&b"a"[..], b"b"]
    );
    assert!(r.headers().contains("host") && !r.headers().contains("hos"));
    assert_eq!(r.headers().len(), 3);
}

// §3.2: Host.

#[test]
fn http_1_1_requests_need_exactly_one_host() {
    assert_eq!(request_error(b"GET / HTTP/1.1\r\n\r\n"), Error::Host);
    assert_eq!(
        request_error(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        Error::Host
    );
    assert_eq!(
        request_error(b"GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n"),
        Error::Host
    );
    assert!(request(b"GET / HTTP/1.0\r\n\r\n").is_ok());
}

#[test]
fn host_values_must_be_a_host_and_port() {
    for good in [
        "",
        "example.com",
        "192.0.2.1:8080",
        "[2001:db8::1]:443",
        "xn--bcher-kva.example",
        "a%20b",
    ] {
        let bytes = format!("GET / HTTP/1.1\r\nHost: {good}\r\n\r\n");
        assert!(request(bytes.as_bytes()).is_ok(), "{good:?}");
    }
    for bad in ["a b", "a/b", "user@a", "a?b", "a#b", "\"a\"", "a\tb", "é"] {
        let bytes = format!("GET / HTTP/1.1\r\nHost: {bad}\r\n\r\n");
        assert_eq!(request_error(bytes.as_bytes()), Error::Host, "{bad:?}");
    }
}

// §6: framing.

#[test]
fn request_without_framing_fields_has_no_body() {
    assert_eq!(
        request(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap().body,
        Body::None
    );
}

#[test]
fn content_length_frames_the_body() {
    let r = request(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0042\r\n\r\n").unwrap();
    assert_eq!(r.body, Body::Length(42));
    let r = request(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\n")
        .unwrap();
    assert_eq!(r.body, Body::Length(u64::MAX));
}

#[test]
fn invalid_content_length_is_rejected() {
    for value in [
        "",
        "-1",
        "+1",
        "1.0",
        "0x10",
        "1 2",
        "18446744073709551616",
        "1,",
        ",",
    ] {
        let bytes = format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {value}\r\n\r\n");
        assert_eq!(
            request_error(bytes.as_bytes()),
            Error::ContentLength,
            "{value:?}"
        );
    }
}

#[test]
fn repeated_content_length_must_agree() {
    let same =
        request(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n");
    assert_eq!(same.unwrap().body, Body::Length(5));
    let list = request(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n");
    assert_eq!(list.unwrap().body, Body::Length(5));
    for bad in [
        &b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"[..],
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n",
    ] {
        assert_eq!(request_error(bad), Error::ConflictingContentLength);
    }
}

#[test]
fn chunked_transfer_encoding_frames_the_body() {
    for te in [
        "chunked",
        "Chunked",
        "CHUNKED",
        " chunked ",
        "chunked,",
        ", chunked",
    ] {
        let bytes = format!("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: {te}\r\n\r\n");
        assert_eq!(
            request(bytes.as_bytes()).unwrap().body,
            Body::Chunked,
            "{te:?}"
        );
    }
}

#[test]
fn content_length_with_transfer_encoding_is_rejected() {
    for bad in [
        &b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
    ] {
        assert_eq!(request_error(bad), Error::ContentLengthWithTransferEncoding);
    }
    let resp =
        response(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
    assert_eq!(resp, Err(Error::ContentLengthWithTransferEncoding));
}

#[test]
fn request_transfer_coding_must_end_in_chunked_exactly_once() {
    for te in [
        "gzip",
        "chunked, gzip",
        "chunked, chunked",
        "",
        "chunked;x=1",
        "chu nked",
        "\"chunked\"",
    ] {
        let bytes = format!("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: {te}\r\n\r\n");
        assert_eq!(
            request_error(bytes.as_bytes()),
            Error::TransferEncoding,
            "{te:?}"
        );
    }
    let split = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n";
    assert_eq!(request_error(split), Error::TransferEncoding);
}

#[test]
fn other_request_transfer_codings_are_not_implemented() {
    let e =
        request_error(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
    assert_eq!((e, e.status()), (Error::UnsupportedTransferCoding, 501));
}

#[test]
fn transfer_encoding_in_http_1_0_is_faulty_framing() {
    assert_eq!(
        request_error(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
        Error::TransferEncoding
    );
    assert_eq!(
        response(b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
        Err(Error::TransferEncoding)
    );
}

#[test]
fn response_framing_follows_section_6_3() {
    let body = |bytes: &[u8]| response(bytes).unwrap().body;
    assert_eq!(
        body(b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"),
        Body::Length(7)
    );
    assert_eq!(
        body(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
        Body::Chunked
    );
    assert_eq!(
        body(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
        Body::Chunked
    );
    assert_eq!(
        body(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
        Body::UntilClose
    );
    assert_eq!(body(b"HTTP/1.1 200 OK\r\n\r\n"), Body::UntilClose);
    for status in [
        "100 Continue",
        "101 Switching",
        "204 No Content",
        "304 Not Modified",
    ] {
        let head = format!("HTTP/1.1 {status}\r\nContent-Length: 7\r\n\r\n");
        assert_eq!(body(head.as_bytes()), Body::None, "{status}");
    }
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n";
    assert_eq!(response_to("HEAD", head).unwrap().body, Body::None);
    assert_eq!(response_to("CONNECT", head).unwrap().body, Body::None);
    let refused = b"HTTP/1.1 407 Auth\r\nContent-Length: 7\r\n\r\n";
    assert_eq!(
        response_to("CONNECT", refused).unwrap().body,
        Body::Length(7)
    );
}

// §4: status line.

#[test]
fn status_line_parts() {
    let r = response(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!((r.status, r.reason.as_slice()), (404, &b"Not Found"[..]));
    let r = response(b"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!((r.status, r.reason.as_slice()), (200, &b""[..]));
    let r = response(b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!((r.status, r.reason.as_slice()), (200, &b""[..]));
    let r = response(b"HTTP/1.1 599 \xe9t\xe9\tok\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!(r.reason, b"\xe9t\xe9\tok");
}

#[test]
fn malformed_status_lines_are_rejected() {
    for bad in [
        &b"HTTP/1.1 20 OK\r\n\r\n"[..],
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 099 OK\r\n\r\n",
        b"HTTP/1.1  200 OK\r\n\r\n",
        b"HTTP/1.1 200 O\x01K\r\n\r\n",
        b"HTTP/1.1 abc OK\r\n\r\n",
        b"HTTX/1.1 200 OK\r\n\r\n",
    ] {
        assert_eq!(
            response(bad),
            Err(Error::StatusLine),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert_eq!(response(b"HTTP/2.0 200 OK\r\n\r\n"), Err(Error::Version));
}

// §9.3: persistence.

#[test]
fn persistence_defaults_by_version_and_connection_options() {
    let keep = |bytes: &[u8]| request(bytes).unwrap().keep_alive;
    assert!(keep(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert!(!keep(
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    ));
    assert!(!keep(
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n"
    ));
    assert!(!keep(b"GET / HTTP/1.0\r\n\r\n"));
    assert!(keep(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
    assert!(keep(
        b"GET / HTTP/1.0\r\nConnection: foo\r\nConnection: keep-alive\r\n\r\n"
    ));
    assert!(!keep(
        b"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"
    ));
    assert!(keep(
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n"
    ));
}

#[test]
fn responses_delimited_by_close_end_the_connection() {
    assert!(
        response(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n")
            .unwrap()
            .keep_alive
    );
    assert!(!response(b"HTTP/1.1 200 OK\r\n\r\n").unwrap().keep_alive);
    assert!(
        response(b"HTTP/1.1 204 No Content\r\n\r\n")
            .unwrap()
            .keep_alive
    );
    assert!(
        !response(b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n")
            .unwrap()
            .keep_alive
    );
    assert!(
        response(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n")
            .unwrap()
            .keep_alive
    );
}

// Pipelining (§9.3.2): each head reports where it ends.

#[test]
fn pipelined_requests_parse_one_after_another() {
    let stream = b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let mut parser = RequestParser::new();
    let mut at = 0;
    let mut seen = Vec::new();
    while at < stream.len() {
        let mut headers = [Header::EMPTY; 8];
        let Progress::Done(r) = parser.parse(&stream[at..], &mut headers).unwrap() else {
            panic!()
        };
        let body = match r.body() {
            Body::Length(n) => n as usize,
            _ => 0,
        };
        seen.push((r.target().to_string(), r.keep_alive()));
        at += r.head_len() + body;
    }
    assert_eq!(at, stream.len());
    assert_eq!(
        seen,
        [
            ("/1".into(), true),
            ("/2".into(), true),
            ("/3".into(), false)
        ]
    );
}

#[test]
fn interim_responses_are_heads_of_their_own() {
    let stream = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let mut parser = ResponseParser::new();
    let mut headers = [Header::EMPTY; 4];
    let Progress::Done(interim) = parser.parse(stream, &mut headers).unwrap() else {
        panic!()
    };
    assert_eq!(
        (interim.status(), interim.body(), interim.head_len()),
        (100, Body::None, 25)
    );
    let rest = &stream[interim.head_len()..];
    let mut headers = [Header::EMPTY; 4];
    let Progress::Done(last) = parser.parse(rest, &mut headers).unwrap() else {
        panic!()
    };
    assert_eq!((last.status(), last.body()), (200, Body::Length(2)));
    assert_eq!(&rest[last.head_len()..], b"ok");
}

// Limits: 431.

#[test]
fn more_fields_than_the_array_holds_is_431() {
    let bytes = b"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n";
    let mut headers = [Header::EMPTY; 2];
    let e = RequestParser::new().parse(bytes, &mut headers).unwrap_err();
    assert_eq!((e, e.status()), (Error::TooManyHeaders, 431));
    let mut headers = [Header::EMPTY; 3];
    assert!(matches!(
        RequestParser::new().parse(bytes, &mut headers),
        Ok(Progress::Done(_))
    ));
}

#[test]
fn heads_longer_than_the_limit_are_431_whole_or_partial() {
    let bytes = b"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\n\r\n";
    let exact = Limits {
        max_head: bytes.len(),
    };
    let short = Limits {
        max_head: bytes.len() - 1,
    };
    let mut headers = [Header::EMPTY; 4];
    assert!(matches!(
        RequestParser::with_limits(exact).parse(bytes, &mut headers),
        Ok(Progress::Done(_))
    ));
    assert_eq!(
        RequestParser::with_limits(short)
            .parse(bytes, &mut headers)
            .unwrap_err(),
        Error::HeadTooLarge
    );
    let partial = &bytes[..bytes.len() - 2];
    assert_eq!(
        RequestParser::with_limits(short).parse(partial, &mut headers),
        Ok(Progress::NeedMore)
    );
    let at_limit = &bytes[..bytes.len() - 1];
    assert_eq!(
        RequestParser::with_limits(short)
            .parse(at_limit, &mut headers)
            .unwrap_err(),
        Error::HeadTooLarge
    );
    let e = RequestParser::with_limits(Limits { max_head: 20 })
        .parse(&bytes[..20], &mut headers)
        .unwrap_err();
    assert_eq!((e, e.status()), (Error::HeadTooLarge, 431));
    let e = RequestParser::with_limits(Limits { max_head: 10 })
        .parse(&bytes[..10], &mut headers)
        .unwrap_err();
    assert_eq!((e, e.status()), (Error::StartLineTooLong, 414));
}

#[test]
fn error_status_codes() {
    assert_eq!(Error::RequestLine.status(), 400);
    assert_eq!(Error::ObsFold.status(), 400);
    assert_eq!(Error::ContentLengthWithTransferEncoding.status(), 400);
    assert_eq!(Error::HeadTooLarge.status(), 431);
    assert_eq!(Error::TrailersTooLarge.status(), 431);
}
