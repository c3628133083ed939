//! An HTTP/1.1 client: fetches `path` `count` times, on one keep-alive
//! connection when asked (and the server agrees), else one connection per
//! fetch. Response bodies framed by length, chunked or by close are read
//! to the end and counted.
//!
//! Traces each response (`http status=200 bytes=.. latency_us=..`).
//! Succeeds when every fetch completed with the expected status. Metrics:
//! `fetched`, `unexpected` (responses of another status), `bytes` (body
//! bytes), `connections`, `latency_min_us`/`latency_avg_us`/
//! `latency_max_us` (request queued to response complete).

use std::net::{Ipv4Addr, SocketAddrV4};

use seqs::http::{Body, Chunk, ChunkedDecoder, HeadWriter, Header, Progress, ResponseParser};
use seqs::socket::{Handle, Tcp};
use seqs::tcp::{self, State};

use super::resolve::Resolve;
use super::rtt::Rtts;
use super::tcp_conn::Conn;
use super::{App, AppCx, AppResult, AppStatus, HttpGetConfig, Target};
use crate::time::SimTime;

const MAX_FIELDS: usize = 32;
const READ_CHUNK: usize = 4096;
const MAX_HEAD: usize = 8192;

/// Where the response being read stands.
enum Reading {
    Head(ResponseParser),
    Body {
        status: u16,
        keep_alive: bool,
        rest: Rest,
    },
}

/// How the rest of a body is delimited.
enum Rest {
    Length(u64),
    Chunked(ChunkedDecoder),
    UntilClose,
}

/// One connection and the exchange in progress on it.
struct Exchange {
    conn: Conn,
    /// When the current request was queued; `None` before it is.
    sent_at: Option<SimTime>,
    input: Vec<u8>,
    reading: Reading,
    body_bytes: u64,
}

/// A response read to its end.
struct Done {
    status: u16,
    keep_alive: bool,
}

pub(crate) struct HttpGet {
    config: HttpGetConfig,
    resolve: Resolve,
    server: Option<Ipv4Addr>,
    exchange: Option<Exchange>,
    /// Connections we closed, removed once they are done.
    closing: Vec<Handle<Tcp>>,
    fetched: u32,
    unexpected: u32,
    bytes: u64,
    connections: u32,
    latency: Rtts,
    scratch: Vec<u8>,
}

impl HttpGet {
    pub fn new(config: &HttpGetConfig) -> Self {
        HttpGet {
            resolve: Resolve::new(&config.target),
            config: config.clone(),
            server: None,
            exchange: None,
            closing: Vec::new(),
            fetched: 0,
            unexpected: 0,
            bytes: 0,
            connections: 0,
            latency: Rtts::default(),
            scratch: vec![0; READ_CHUNK],
        }
    }

    fn host_header(&self) -> String {
        match &self.config.target {
            Target::Name(name) => name.clone(),
            Target::Addr(addr) => addr.to_string(),
        }
    }

    fn connect(&mut self, cx: &mut AppCx<'_, '_>, server: Ipv4Addr) -> Result<(), String> {
        let conn = Conn::connect(cx, SocketAddrV4::new(server, self.config.port))?;
        self.connections += 1;
        self.exchange = Some(Exchange {
            conn,
            sent_at: None,
            input: Vec::new(),
            reading: Reading::Head(ResponseParser::new()),
            body_bytes: 0,
        });
        Ok(())
    }

    /// Queues the request once the connection is up.
    fn request(&self, cx: &mut AppCx<'_, '_>, ex: &mut Exchange) -> Result<bool, String> {
        if ex.sent_at.is_some() {
            return Ok(false);
        }
        let mut buf = [0u8; 1024];
        let method = self.config.method.as_str();
        let n = HeadWriter::request(&mut buf, method, &self.config.path)
            .and_then(|mut w| {
                w.header("Host", self.host_header().as_bytes())?;
                if !self.config.keep_alive {
                    w.header("Connection", b"close")?;
                }
                match method {
                    "GET" | "HEAD" => w.finish(),
                    _ => w.content_length(0),
                }
            })
            .map_err(|e| format!("cannot write the request: {e}"))?;
        let socket = cx.stack.tcp(ex.conn.handle).ok_or("socket vanished")?;
        if socket.send_capacity() < n {
            return Ok(false);
        }
        socket.send_slice(&buf[..n]).map_err(|e| format!("{e:?}"))?;
        ex.sent_at = Some(cx.now);
        Ok(true)
    }

    /// Reads what arrived; `Ok(Some(done))` once the response is complete.
    fn read(&mut self, cx: &mut AppCx<'_, '_>, ex: &mut Exchange) -> Result<Option<Done>, String> {
        let socket = cx.stack.tcp(ex.conn.handle).ok_or("socket vanished")?;
        let mut closed = false;
        loop {
            match socket.recv_slice(&mut self.scratch) {
                Ok(0) => break,
                Ok(n) => ex.input.extend_from_slice(&self.scratch[..n]),
                Err(tcp::Error::Finished) => {
                    closed = true;
                    break;
                }
                Err(e) => return Err(format!("connection lost ({e:?})")),
            }
        }
        if let Reading::Head(parser) = &mut ex.reading {
            let mut fields = [Header::EMPTY; MAX_FIELDS];
            match parser.parse(&ex.input, &mut fields) {
                Ok(Progress::NeedMore) if ex.input.len() < MAX_HEAD && !closed => return Ok(None),
                Ok(Progress::NeedMore) => return Err("incomplete response head".into()),
                Err(e) => return Err(format!("bad response: {e}")),
                Ok(Progress::Done(response)) => {
                    let rest = match response.body() {
                        Body::None => Rest::Length(0),
                        Body::Length(n) => Rest::Length(n),
                        Body::Chunked => Rest::Chunked(ChunkedDecoder::new()),
                        Body::UntilClose => Rest::UntilClose,
                    };
                    let (status, keep_alive) = (response.status(), response.keep_alive());
                    let head_len = response.head_len();
                    ex.input.drain(..head_len);
                    ex.reading = Reading::Body {
                        status,
                        keep_alive,
                        rest,
                    };
                }
            }
        }
        let Reading::Body {
            status,
            keep_alive,
            rest,
        } = &mut ex.reading
        else {
            return Ok(None);
        };
        let complete = consume_body(rest, &mut ex.input, &mut ex.body_bytes, closed)?;
        if !complete && closed {
            return Err("connection closed mid-body".into());
        }
        Ok(complete.then_some(Done {
            status: *status,
            keep_alive: *keep_alive && !closed,
        }))
    }

    fn record(&mut self, cx: &mut AppCx<'_, '_>, ex: &Exchange, done: &Done) {
        self.fetched += 1;
        self.bytes += ex.body_bytes;
        if done.status != self.config.expect_status {
            self.unexpected += 1;
        }
        let latency = ex
            .sent_at
            .map_or(0, |t| cx.now.saturating_since(t).as_nanos() / 1_000);
        self.latency.push(latency);
        cx.trace(
            "http",
            format_args!(
                "status={} bytes={} latency_us={latency}",
                done.status, ex.body_bytes
            ),
        );
    }

    /// Closes the connection (removed once it is done).
    fn hang_up(&mut self, cx: &mut AppCx<'_, '_>, ex: Exchange) {
        if let Some(socket) = cx.stack.tcp(ex.conn.handle) {
            socket.close();
        }
        self.closing.push(ex.conn.handle);
    }

    fn reap(&mut self, cx: &mut AppCx<'_, '_>) {
        let now = cx.now.to_instant();
        self.closing.retain(|&h| {
            let done = cx.stack.tcp(h).is_none_or(|s| match s.state() {
                State::Closed => true,
                State::TimeWait => !s.wants_to_send(now),
                _ => false,
            });
            if done {
                cx.stack.remove_socket(h);
            }
            !done
        });
    }

    /// One step of the fetch loop.
    fn step(&mut self, cx: &mut AppCx<'_, '_>, server: Ipv4Addr) -> Result<bool, String> {
        let Some(mut ex) = self.exchange.take() else {
            self.connect(cx, server)?;
            return Ok(true);
        };
        match ex.conn.observe(cx) {
            Some(State::SynSent | State::SynReceived) => {
                self.exchange = Some(ex);
                return Ok(false);
            }
            Some(State::Closed) | None if ex.sent_at.is_none() => {
                return Err("connection refused or timed out".into());
            }
            _ => {}
        }
        let mut acted = self.request(cx, &mut ex)?;
        let Some(done) = self.read(cx, &mut ex)? else {
            self.exchange = Some(ex);
            return Ok(acted);
        };
        self.record(cx, &ex, &done);
        acted = true;
        let more = self.fetched < self.config.count;
        if more && done.keep_alive && self.config.keep_alive {
            ex.sent_at = None;
            ex.body_bytes = 0;
            ex.reading = Reading::Head(ResponseParser::new());
            self.exchange = Some(ex);
        } else {
            self.hang_up(cx, ex);
        }
        Ok(acted)
    }

    fn report(&self, result: &mut AppResult) {
        result.set("fetched", self.fetched);
        result.set("unexpected", self.unexpected);
        result.set("bytes", self.bytes);
        result.set("connections", self.connections);
        self.latency.report_as(
            result,
            ["latency_min_us", "latency_avg_us", "latency_max_us"],
        );
    }
}

/// Takes body bytes from `input`; `true` once the body is complete.
fn consume_body(
    rest: &mut Rest,
    input: &mut Vec<u8>,
    counted: &mut u64,
    closed: bool,
) -> Result<bool, String> {
    match rest {
        Rest::Length(left) => {
            let take = usize::try_from(*left)
                .unwrap_or(usize::MAX)
                .min(input.len());
            input.drain(..take);
            *left -= take as u64;
            *counted += take as u64;
            Ok(*left == 0)
        }
        Rest::UntilClose => {
            *counted += input.len() as u64;
            input.clear();
            Ok(closed)
        }
        Rest::Chunked(decoder) => {
            let mut used = 0;
            let complete = loop {
                let (n, chunk) = decoder
                    .decode(&input[used..])
                    .map_err(|e| format!("bad chunked body: {e}"))?;
                used += n;
                match chunk {
                    Some(Chunk::Data(data)) => *counted += data.len() as u64,
                    Some(Chunk::Trailer(_)) => {}
                    Some(Chunk::End) => break true,
                    None => break false,
                }
            };
            input.drain(..used);
            Ok(complete)
        }
    }
}

impl App for HttpGet {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        self.reap(cx);
        let server = match self.server {
            Some(server) => server,
            None => match self.resolve.first(cx, result) {
                Ok(addr) => *self.server.insert(addr),
                Err(acted) => return acted,
            },
        };
        let mut acted = false;
        while self.fetched < self.config.count {
            match self.step(cx, server) {
                Ok(true) => acted = true,
                Ok(false) => break,
                Err(reason) => {
                    result.fail(reason);
                    self.report(result);
                    return true;
                }
            }
        }
        self.report(result);
        if self.fetched >= self.config.count {
            result.status = if self.unexpected == 0 {
                AppStatus::Succeeded
            } else {
                AppStatus::Failed(format!(
                    "{} of {} responses were not {}",
                    self.unexpected, self.fetched, self.config.expect_status
                ))
            };
            return true;
        }
        acted
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_end_where_their_framing_says() {
        let mut counted = 0;
        let mut input = b"hello, next".to_vec();
        let mut rest = Rest::Length(7);
        assert_eq!(
            consume_body(&mut rest, &mut input, &mut counted, false),
            Ok(true)
        );
        assert_eq!((counted, input.as_slice()), (7, &b"next"[..]));

        let mut counted = 0;
        let mut rest = Rest::Chunked(ChunkedDecoder::new());
        let mut input = b"5\r\nhello\r\n3\r\nabc".to_vec();
        assert_eq!(
            consume_body(&mut rest, &mut input, &mut counted, false),
            Ok(false)
        );
        assert_eq!(counted, 5 + 3);
        input.extend_from_slice(b"\r\n0\r\nX-T: 1\r\n\r\nnext");
        assert_eq!(
            consume_body(&mut rest, &mut input, &mut counted, false),
            Ok(true)
        );
        assert_eq!((counted, input.as_slice()), (8, &b"next"[..]));

        let mut input = b"zz\r\n".to_vec();
        let mut rest = Rest::Chunked(ChunkedDecoder::new());
        assert!(consume_body(&mut rest, &mut input, &mut counted, false).is_err());

        let mut counted = 0;
        let mut rest = Rest::UntilClose;
        let mut input = b"abc".to_vec();
        assert_eq!(
            consume_body(&mut rest, &mut input, &mut counted, false),
            Ok(false)
        );
        assert_eq!(
            consume_body(&mut rest, &mut input, &mut counted, true),
            Ok(true)
        );
        assert_eq!(counted, 3);
    }
}
