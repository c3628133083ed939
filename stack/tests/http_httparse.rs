//! Differential test against httparse: on requests and responses, generated
//! and hand-written, our parse agrees with httparse on method, target,
//! version, status, reason, headers and head length.
//!
//! Where we deliberately differ, each case says so: we reject what httparse
//! accepts when RFC 9112 demands it (smuggling guards, Host, bare LF, status
//! codes below 100, non-ASCII targets), and we accept HTTP/1.x minors above 1
//! as 1.1 (RFC 9110 §2.5), which httparse refuses.

use proptest::prelude::*;
use seqs::http::{Error, Header, Progress, RequestParser, ResponseParser};

const SLOTS: usize = 32;

/// A head reduced to what both parsers report, so the two can be compared.
#[derive(Debug, PartialEq, Clone)]
enum View {
    Request {
        method: String,
        target: String,
        minor: u8,
        headers: Vec<(String, Vec<u8>)>,
        len: usize,
    },
    Response {
        minor: u8,
        status: u16,
        reason: Vec<u8>,
        headers: Vec<(String, Vec<u8>)>,
        len: usize,
    },
}

#[derive(Debug, PartialEq, Clone)]
enum Outcome<E> {
    Done(View),
    NeedMore,
    Rejected(E),
}

fn ours_request(bytes: &[u8]) -> Outcome<Error> {
    let mut headers = [Header::EMPTY; SLOTS];
    match RequestParser::new().parse(bytes, &mut headers) {
        Ok(Progress::Done(r)) => Outcome::Done(View::Request {
            method: r.method().into(),
            target: r.target().into(),
            minor: r.version().minor(),
            headers: r
                .headers()
                .iter()
                .map(|h| (h.name().into(), h.value().to_vec()))
                .collect(),
            len: r.head_len(),
        }),
        Ok(Progress::NeedMore) => Outcome::NeedMore,
        Err(e) => Outcome::Rejected(e),
    }
}

fn theirs_request(bytes: &[u8]) -> Outcome<httparse::Error> {
    let mut headers = [httparse::EMPTY_HEADER; SLOTS];
    let mut r = httparse::Request::new(&mut headers);
    match r.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => Outcome::Done(View::Request {
            method: r.method.unwrap_or_default().into(),
            target: r.path.unwrap_or_default().into(),
            minor: r.version.unwrap_or(9),
            headers: r
                .headers
                .iter()
                .map(|h| (h.name.into(), h.value.to_vec()))
                .collect(),
            len,
        }),
        Ok(httparse::Status::Partial) => Outcome::NeedMore,
        Err(e) => Outcome::Rejected(e),
    }
}

fn ours_response(bytes: &[u8]) -> Outcome<Error> {
    let mut headers = [Header::EMPTY; SLOTS];
    match ResponseParser::new().parse(bytes, &mut headers) {
        Ok(Progress::Done(r)) => Outcome::Done(View::Response {
            minor: r.version().minor(),
            status: r.status(),
            reason: r.reason().to_vec(),
            headers: r
                .headers()
                .iter()
                .map(|h| (h.name().into(), h.value().to_vec()))
                .collect(),
            len: r.head_len(),
        }),
        Ok(Progress::NeedMore) => Outcome::NeedMore,
        Err(e) => Outcome::Rejected(e),
    }
}

fn theirs_response(bytes: &[u8]) -> Outcome<httparse::Error> {
    let mut headers = [httparse::EMPTY_HEADER; SLOTS];
    let mut r = httparse::Response::new(&mut headers);
    match r.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => Outcome::Done(View::Response {
            minor: r.version.unwrap_or(9),
            status: r.code.unwrap_or_default(),
            reason: r.reason.unwrap_or_default().as_bytes().to_vec(),
            headers: r
                .headers
                .iter()
                .map(|h| (h.name.into(), h.value.to_vec()))
                .collect(),
            len,
        }),
        Ok(httparse::Status::Partial) => Outcome::NeedMore,
        Err(e) => Outcome::Rejected(e),
    }
}

/// How a hand-written case relates the two parsers.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Both accept and report the same head.
    Agree,
    /// We reject with this error what httparse accepts, for the stated reason.
    StricterWith(Error, &'static str),
    /// We accept what httparse rejects, for the stated reason.
    LaxerBecause(&'static str),
}

const REQUESTS: &[(&[u8], Expect)] = &[
    (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", Expect::Agree),
    (b"GET /x?y=z#f HTTP/1.0\r\n\r\n", Expect::Agree),
    (b"\r\n\r\nGET / HTTP/1.0\r\n\r\n", Expect::Agree),
    (b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", Expect::Agree),
    (b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", Expect::Agree),
    (b"M-S!#$%&'*+.^_`|~ / HTTP/1.1\r\nHost: a\r\n\r\n", Expect::Agree),
    (b"GET / HTTP/1.1\r\nHost: a\r\nA:\r\nB: \t \r\nC:x\r\nD:  x  y \t\r\n\r\n", Expect::Agree),
    (b"GET / HTTP/1.1\r\nHost: a\r\nX: \xc3\xa9\xff\x80\r\n\r\n", Expect::Agree),
    (b"GET / HTTP/1.1\r\nHost: a\r\nX: \"quoted, list\" ; q=0.5\r\n\r\n", Expect::Agree),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", Expect::Agree),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", Expect::Agree),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", Expect::Agree),
    (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n", Expect::Agree),
    (
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        Expect::StricterWith(Error::ContentLengthWithTransferEncoding, "RFC 9112 §6.3: CL with TE is a smuggling vector"),
    ),
    (
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        Expect::StricterWith(Error::ConflictingContentLength, "RFC 9112 §6.3: differing lengths are unrecoverable"),
    ),
    (
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -3\r\n\r\n",
        Expect::StricterWith(Error::ContentLength, "RFC 9110 §8.6: Content-Length is 1*DIGIT"),
    ),
    (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        Expect::StricterWith(Error::TransferEncoding, "RFC 9112 §6.3: chunked must be the final request coding"),
    ),
    (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        Expect::StricterWith(Error::UnsupportedTransferCoding, "RFC 9112 §6.1: a coding we cannot decode is 501"),
    ),
    (
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        Expect::StricterWith(Error::TransferEncoding, "RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing"),
    ),
    (b"GET / HTTP/1.1\r\n\r\n", Expect::StricterWith(Error::Host, "RFC 9112 §3.2: HTTP/1.1 requests need Host")),
    (
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        Expect::StricterWith(Error::Host, "RFC 9112 §3.2: several Host fields are a 400"),
    ),
    (
        b"GET / HTTP/1.1\nHost: a\n\n",
        Expect::StricterWith(Error::BareLf, "RFC 9112 §2.2 allows LF-only lines; we require CRLF everywhere"),
    ),
    (
        b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        Expect::StricterWith(Error::BareLf, "LF-only empty line before the request line"),
    ),
    (
        b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n",
        Expect::StricterWith(Error::RequestLine, "RFC 3986: a target is ASCII; httparse takes UTF-8"),
    ),
    (
        b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
        Expect::StricterWith(Error::Host, "RFC 9112 §3.2: an invalid Host value is a 400"),
    ),
    (b"GET / HTTP/1.2\r\nHost: a\r\n\r\n", Expect::LaxerBecause("RFC 9110 §2.5: a higher 1.x minor is read as 1.1")),
];

const RESPONSES: &[(&[u8], Expect)] = &[
    (
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        Expect::Agree,
    ),
    (b"HTTP/1.0 404 Not Found\r\n\r\n", Expect::Agree),
    (b"HTTP/1.1 200\r\n\r\n", Expect::Agree),
    (b"HTTP/1.1 200 \r\n\r\n", Expect::Agree),
    (b"HTTP/1.1 999 Custom\tReason  \r\n\r\n", Expect::Agree),
    (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        Expect::Agree,
    ),
    (
        b"\r\nHTTP/1.1 204 No Content\r\nDate: x\r\n\r\n",
        Expect::Agree,
    ),
    (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        Expect::Agree,
    ),
    (
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        Expect::StricterWith(
            Error::ContentLengthWithTransferEncoding,
            "RFC 9112 §6.3: response splitting sign",
        ),
    ),
    (
        b"HTTP/1.1 099 Low\r\n\r\n",
        Expect::StricterWith(
            Error::StatusLine,
            "RFC 9110 §15: codes below 100 are invalid",
        ),
    ),
    (
        b"HTTP/1.1 200 OK\n\n",
        Expect::StricterWith(Error::BareLf, "we require CRLF line endings"),
    ),
    (
        b"HTTP/1.3 200 OK\r\n\r\n",
        Expect::LaxerBecause("RFC 9110 §2.5: a higher 1.x minor is read as 1.1"),
    ),
];

fn check<E: std::fmt::Debug>(
    bytes: &[u8],
    expect: Expect,
    ours: Outcome<Error>,
    theirs: Outcome<E>,
) {
    let shown = String::from_utf8_lossy(bytes);
    match expect {
        Expect::Agree => {
            assert!(matches!(ours, Outcome::Done(_)), "{shown:?}: {ours:?}");
            match (&ours, &theirs) {
                (Outcome::Done(a), Outcome::Done(b)) => assert_eq!(a, b, "{shown:?}"),
                _ => panic!("{shown:?}: ours {ours:?}, httparse {theirs:?}"),
            }
        }
        Expect::StricterWith(error, why) => {
            assert!(
                matches!(theirs, Outcome::Done(_)),
                "{shown:?}: httparse should accept ({why})"
            );
            assert_eq!(ours, Outcome::Rejected(error), "{shown:?}: {why}");
        }
        Expect::LaxerBecause(why) => {
            assert!(
                matches!(theirs, Outcome::Rejected(_)),
                "{shown:?}: httparse should reject ({why})"
            );
            assert!(matches!(ours, Outcome::Done(_)), "{shown:?}: {why}");
        }
    }
}

#[test]
fn hand_written_requests() {
    for &(bytes, expect) in REQUESTS {
        check(bytes, expect, ours_request(bytes), theirs_request(bytes));
    }
}

#[test]
fn hand_written_responses() {
    for &(bytes, expect) in RESPONSES {
        check(bytes, expect, ours_response(bytes), theirs_response(bytes));
    }
}

#[test]
fn both_reject_malformed_heads() {
    for bytes in [
        &b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
        b"GET / HTTP/1.1\r\nHo(st: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\x00\r\n\r\n",
        b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        b"G(ET / HTTP/1.1\r\n\r\n",
    ] {
        assert!(
            matches!(ours_request(bytes), Outcome::Rejected(_)),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
        assert!(
            matches!(theirs_request(bytes), Outcome::Rejected(_)),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

fn token() -> impl Strategy<Value = String> {
    "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}"
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    let visible = proptest::collection::vec(prop_oneof![0x21u8..0x7f, 0x80u8..=0xff], 1..20);
    let inner = proptest::collection::vec(
        prop_oneof![4 => 0x21u8..0x7f, 1 => Just(b' '), 1 => Just(b'\t')],
        0..30,
    );
    let ows = || proptest::collection::vec(prop_oneof![Just(b' '), Just(b'\t')], 0..3);
    (ows(), visible, inner, ows())
        .prop_map(|(lead, first, rest, trail)| [lead, first, rest, trail].concat())
}

/// Generated fields: random `X-` names (no framing field by accident) and,
/// sometimes, valid framing and connection fields.
/// `Transfer-Encoding` only in HTTP/1.1 (in 1.0 it is faulty framing).
fn fields(http10: bool) -> impl Strategy<Value = Vec<u8>> {
    let extension =
        (token(), value()).prop_map(|(n, v)| [b"X-", n.as_bytes(), b":", &v, b"\r\n"].concat());
    let te: &[u8] = if http10 {
        b"Connection: close\r\n"
    } else {
        b"Transfer-Encoding: chunked\r\n"
    };
    let framing = prop_oneof![
        Just(Vec::new()),
        (0u64..100_000).prop_map(|n| format!("Content-Length: {n}\r\n").into_bytes()),
        Just(te.to_vec()),
        Just(b"Connection: close\r\n".to_vec()),
        Just(b"connection: keep-alive\r\n".to_vec()),
    ];
    (
        proptest::collection::vec(extension, 0..12),
        framing,
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut lines, framing, at)| {
            lines.insert(at.index(lines.len() + 1), framing);
            lines.concat()
        })
}

fn request() -> impl Strategy<Value = Vec<u8>> {
    let method = prop_oneof![Just("GET".to_string()), Just("POST".to_string()), token()];
    let target = "/[!-~]{0,40}";
    let head = (method, target, any::<bool>());
    head.prop_flat_map(|(m, t, http10)| (Just(m), Just(t), fields(http10), Just(http10)))
        .prop_map(|(method, target, fields, http10)| {
            let version = if http10 { "HTTP/1.0" } else { "HTTP/1.1" };
            let host: &[u8] = if http10 {
                b""
            } else {
                b"Host: example.com\r\n"
            };
            [
                format!("{method} {target} {version}\r\n").as_bytes(),
                host,
                &fields,
                b"\r\n",
            ]
            .concat()
        })
}

fn response() -> impl Strategy<Value = Vec<u8>> {
    let reason = proptest::collection::vec(prop_oneof![0x20u8..0x7f, Just(b'\t')], 0..30);
    let head = (any::<bool>(), 100u16..1000, reason);
    head.prop_flat_map(|(http10, s, r)| (Just(http10), Just(s), Just(r), fields(http10)))
        .prop_map(|(http10, status, reason, fields)| {
            let minor = if http10 { 0 } else { 1 };
            [
                format!("HTTP/1.{minor} {status} ").as_bytes(),
                &reason,
                b"\r\n",
                &fields,
                b"\r\n",
            ]
            .concat()
        })
}

/// Whether our rejection of bytes httparse accepts is a documented
/// strictness; anything else is a bug on one side.
fn deliberate(error: Error, bytes: &[u8]) -> bool {
    match error {
        Error::BareLf => {
            bytes.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r')
                || bytes.first() == Some(&b'\n')
        }
        Error::RequestLine => bytes
            .split(|&b| b == b' ')
            .nth(1)
            .is_some_and(|t| t.iter().any(|&b| b >= 0x80)),
        Error::StatusLine => bytes.get(9..12).is_some_and(|code| code < &b"100"[..]),
        Error::Host
        | Error::ContentLength
        | Error::ConflictingContentLength
        | Error::ContentLengthWithTransferEncoding
        | Error::TransferEncoding
        | Error::UnsupportedTransferCoding => true,
        _ => false,
    }
}

/// Compares the parsers on arbitrary bytes: equal when both accept; when
/// only one accepts, the difference must be a deliberate one. When neither
/// accepts, which of them notices first (reject versus need-more) is not
/// compared.
fn compare<E: std::fmt::Debug>(
    bytes: &[u8],
    ours: Outcome<Error>,
    theirs: Outcome<E>,
) -> Result<(), TestCaseError> {
    let shown = String::from_utf8_lossy(bytes);
    match (&ours, &theirs) {
        (Outcome::Done(a), Outcome::Done(b)) => {
            prop_assert_eq!(&opaque_reason(a.clone()), b, "{:?}", shown)
        }
        (Outcome::Rejected(e), Outcome::Done(_)) => {
            prop_assert!(deliberate(*e, bytes), "we reject {:?}: {:?}", shown, e)
        }
        (
            Outcome::Done(View::Request { minor, .. } | View::Response { minor, .. }),
            Outcome::Rejected(_),
        ) => {
            prop_assert!(
                *minor == 1 && !bytes.windows(8).any(|w| w == b"HTTP/1.1"),
                "httparse rejects {:?}",
                shown
            )
        }
        (Outcome::Done(_), Outcome::NeedMore) | (Outcome::NeedMore, Outcome::Done(_)) => {
            prop_assert!(
                false,
                "completeness differs on {:?}: {:?} vs {:?}",
                shown,
                ours,
                theirs
            )
        }
        _ => {}
    }
    Ok(())
}

/// httparse reports a reason phrase holding obs-text as "" (its reason is a
/// `&str`); ours hands out the bytes. Map ours the same way to compare.
fn opaque_reason(view: View) -> View {
    match view {
        View::Response {
            minor,
            status,
            reason,
            headers,
            len,
        } if reason.iter().any(|&b| b >= 0x80) => View::Response {
            minor,
            status,
            reason: Vec::new(),
            headers,
            len,
        },
        other => other,
    }
}

/// A mutation: overwrite or insert one byte from HTTP's sensitive set.
fn mutate(bytes: &mut Vec<u8>, at: prop::sample::Index, byte: u8, insert: bool) {
    let i = at.index(bytes.len() + 1);
    if insert || i == bytes.len() {
        bytes.insert(i, byte);
    } else {
        bytes[i] = byte;
    }
}

fn sensitive_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        proptest::sample::select(&b"\r\n \t:,;\"()/\\=\x00\x7f\x80\xff0123456789aAzZ-"[..]),
        any::<u8>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn generated_requests_agree(bytes in request()) {
        let ours = ours_request(&bytes);
        prop_assert!(matches!(ours, Outcome::Done(_)), "{:?}: {:?}", String::from_utf8_lossy(&bytes), ours);
        compare(&bytes, ours, theirs_request(&bytes))?;
    }

    #[test]
    fn generated_responses_agree(bytes in response()) {
        let ours = ours_response(&bytes);
        prop_assert!(matches!(ours, Outcome::Done(_)), "{:?}: {:?}", String::from_utf8_lossy(&bytes), ours);
        compare(&bytes, ours, theirs_response(&bytes))?;
    }

    #[test]
    fn mutated_requests_differ_only_deliberately(
        mut bytes in request(), at in any::<prop::sample::Index>(), byte in sensitive_byte(), insert in any::<bool>(),
    ) {
        mutate(&mut bytes, at, byte, insert);
        compare(&bytes, ours_request(&bytes), theirs_request(&bytes))?;
    }

    #[test]
    fn mutated_responses_differ_only_deliberately(
        mut bytes in response(), at in any::<prop::sample::Index>(), byte in sensitive_byte(), insert in any::<bool>(),
    ) {
        mutate(&mut bytes, at, byte, insert);
        compare(&bytes, ours_response(&bytes), theirs_response(&bytes))?;
    }

    #[test]
    fn truncated_heads_need_more_in_both(bytes in request(), cut in any::<prop::sample::Index>()) {
        let cut = cut.index(bytes.len());
        let prefix = &bytes[..cut];
        if let Outcome::Done(View::Request { len, .. }) = ours_request(&bytes) {
            if cut < len {
                prop_assert_eq!(ours_request(prefix), Outcome::NeedMore);
                prop_assert!(matches!(theirs_request(prefix), Outcome::NeedMore));
            }
        }
    }
}
