//! An HTTP/1.1 server with fixed responses by path, over `seqs` TCP and the
//! stack's HTTP parser and writer.
//!
//! Requests on a connection are answered in order (keep-alive unless the
//! client or HTTP/1.0 says otherwise); request bodies are read and
//! discarded; unknown paths get 404 and malformed requests the status the
//! parser names, then the connection closes. Runs for the whole run.
//! Metrics: `accepted`, `requests`, `errors` (responses of status 400 and
//! above), `bytes` (response body bytes).

use seqs::http::{Body, HeadWriter, Header, Progress, RequestParser};
use seqs::tcp::{self, State};

use super::tcp_conn::{Conn, Listener};
use super::{App, AppCx, AppResult, HttpRoute, HttpServerConfig};
use crate::time::SimTime;

/// Header fields parsed per request at most.
const MAX_FIELDS: usize = 32;
/// Received bytes buffered per connection at most (the head limit is 8 KiB).
const MAX_BUFFERED: usize = 16 * 1024;
/// Pipelined requests are answered while less than this waits to be sent.
const MAX_BACKLOG: usize = 64 * 1024;
const READ_CHUNK: usize = 4096;

/// Totals over every connection.
#[derive(Debug, Default)]
struct Stats {
    requests: u64,
    errors: u64,
    bytes: u64,
}

/// The HTTP side of one connection, without its socket: request bytes in,
/// response bytes out.
#[derive(Default)]
struct Responder {
    parser: RequestParser,
    /// Received bytes not yet parsed.
    input: Vec<u8>,
    /// Request body bytes still to discard.
    skip: u64,
    /// Response bytes not yet taken by the socket.
    output: Vec<u8>,
    /// Close once the output is sent (no more requests are read).
    close_after: bool,
}

/// What to answer to one request.
struct Answer {
    status: u16,
    body: Vec<u8>,
    keep_alive: bool,
    /// Bytes of the request's head, and of its body to skip.
    head_len: usize,
    body_len: u64,
}

impl Responder {
    fn wants_input(&self) -> bool {
        !self.close_after && self.input.len() < MAX_BUFFERED
    }

    fn receive(&mut self, data: &[u8]) {
        self.input.extend_from_slice(data);
    }

    /// Answers the complete requests received so far, in order; `true` if
    /// it answered any.
    fn answer_pending(&mut self, routes: &[HttpRoute], stats: &mut Stats) -> bool {
        let mut answered = false;
        while !self.close_after && self.output.len() < MAX_BACKLOG {
            let skip = usize::try_from(self.skip)
                .unwrap_or(usize::MAX)
                .min(self.input.len());
            self.input.drain(..skip);
            self.skip -= skip as u64;
            if self.skip > 0 {
                break;
            }
            let Some(answer) = self.parse(routes) else {
                break;
            };
            self.respond(answer, stats);
            answered = true;
        }
        answered
    }

    /// The answer to the request at the start of the input, once its head
    /// is complete.
    fn parse(&mut self, routes: &[HttpRoute]) -> Option<Answer> {
        let mut fields = [Header::EMPTY; MAX_FIELDS];
        match self.parser.parse(&self.input, &mut fields) {
            Ok(Progress::NeedMore) => None,
            Ok(Progress::Done(request)) => {
                let route = routes.iter().find(|r| r.path == request.path());
                let (status, body) = route.map_or((404, b"not found\n".to_vec()), |r| {
                    (r.status, r.body.clone())
                });
                let (keep_alive, body_len) = match request.body() {
                    Body::None => (request.keep_alive(), 0),
                    Body::Length(n) => (request.keep_alive(), n),
                    // Not worth decoding here: answer, then close.
                    Body::Chunked | Body::UntilClose => (false, 0),
                };
                Some(Answer {
                    status,
                    body,
                    keep_alive,
                    head_len: request.head_len(),
                    body_len,
                })
            }
            Err(e) => Some(Answer {
                status: e.status(),
                body: format!("{e}\n").into_bytes(),
                keep_alive: false,
                head_len: self.input.len(),
                body_len: 0,
            }),
        }
    }

    fn respond(&mut self, answer: Answer, stats: &mut Stats) {
        stats.requests += 1;
        if answer.status >= 400 {
            stats.errors += 1;
        }
        let mut buf = vec![0u8; answer.body.len() + 256];
        let written = HeadWriter::response(&mut buf, answer.status, reason(answer.status))
            .and_then(|mut w| {
                w.header("Server", b"seqs-sim")?;
                if !answer.keep_alive {
                    w.header("Connection", b"close")?;
                }
                if has_no_body(answer.status) {
                    w.finish()
                } else {
                    w.body(&answer.body)
                }
            });
        if let Ok(n) = written {
            if !has_no_body(answer.status) {
                stats.bytes += answer.body.len() as u64;
            }
            self.output.extend_from_slice(&buf[..n]);
        }
        self.input.drain(..answer.head_len.min(self.input.len()));
        self.skip = answer.body_len;
        self.close_after |= !answer.keep_alive;
    }
}

/// One accepted connection.
struct Session {
    conn: Conn,
    http: Responder,
}

pub(crate) struct HttpServer {
    routes: Vec<HttpRoute>,
    started: bool,
    listener: Listener,
    sessions: Vec<Session>,
    accepted: u64,
    stats: Stats,
    scratch: Vec<u8>,
}

impl HttpServer {
    pub fn new(config: &HttpServerConfig) -> Self {
        HttpServer {
            routes: config.routes.clone(),
            started: false,
            listener: Listener::new(config.port),
            sessions: Vec::new(),
            accepted: 0,
            stats: Stats::default(),
            scratch: vec![0; READ_CHUNK],
        }
    }

    /// Moves data for one session; `Some(true)` when it did something,
    /// `None` when the session is over.
    fn serve(&mut self, cx: &mut AppCx<'_, '_>, session: &mut Session) -> Option<bool> {
        let state = session.conn.observe(cx)?;
        match state {
            State::Closed => return None,
            // Over once the ACK of the client's FIN has left; removing the
            // socket earlier would answer the client's FIN with a RST.
            State::TimeWait => {
                let now = cx.instant();
                let owes = cx
                    .stack
                    .tcp(session.conn.handle)
                    .is_some_and(|s| s.wants_to_send(now));
                return owes.then_some(false);
            }
            _ => {}
        }
        let socket = cx.stack.tcp(session.conn.handle)?;
        let http = &mut session.http;
        let mut acted = false;
        let mut peer_done = false;
        while http.wants_input() {
            match socket.recv_slice(&mut self.scratch) {
                Ok(0) => break,
                Ok(n) => {
                    http.receive(&self.scratch[..n]);
                    acted = true;
                }
                Err(tcp::Error::Finished) => {
                    peer_done = true;
                    break;
                }
                Err(_) => break,
            }
        }
        acted |= http.answer_pending(&self.routes, &mut self.stats);
        if !http.output.is_empty() {
            let n = socket.send_slice(&http.output).unwrap_or(0);
            http.output.drain(..n);
            acted |= n > 0;
        }
        let finished = http.close_after || (peer_done && http.input.is_empty());
        if finished && http.output.is_empty() && state.may_send() {
            socket.close();
            acted = true;
        }
        Some(acted)
    }

    fn report(&self, result: &mut AppResult) {
        result.set("accepted", self.accepted);
        result.set("requests", self.stats.requests);
        result.set("errors", self.stats.errors);
        result.set("bytes", self.stats.bytes);
    }
}

impl App for HttpServer {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let mut acted = !self.started;
        if !self.started {
            self.started = true;
            if !self.listener.fill(cx) {
                result.fail("cannot listen");
                return true;
            }
        }
        if let Some(conn) = self.listener.accept(cx) {
            self.accepted += 1;
            self.sessions.push(Session {
                conn,
                http: Responder::default(),
            });
            acted = true;
        }
        let mut sessions = std::mem::take(&mut self.sessions);
        sessions.retain_mut(|session| match self.serve(cx, session) {
            Some(progress) => {
                acted |= progress;
                true
            }
            None => {
                cx.stack.remove_socket(session.conn.handle);
                acted = true;
                false
            }
        });
        self.sessions = sessions;
        self.report(result);
        acted
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}

/// The reason phrase sent with `status`.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Statuses whose responses never carry a body (RFC 9110 6.4.1).
fn has_no_body(status: u16) -> bool {
    matches!(status, 100..=199 | 204 | 304)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Vec<HttpRoute> {
        vec![HttpRoute {
            path: "/".into(),
            status: 200,
            body: b"hello".to_vec(),
        }]
    }

    fn feed(http: &mut Responder, stats: &mut Stats, bytes: &[u8]) -> String {
        http.receive(bytes);
        http.answer_pending(&routes(), stats);
        String::from_utf8(std::mem::take(&mut http.output)).unwrap()
    }

    #[test]
    fn pipelined_requests_are_answered_in_order() {
        let (mut http, mut stats) = (Responder::default(), Stats::default());
        let out = feed(
            &mut http,
            &mut stats,
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\nGET / HT",
        );
        assert_eq!(
            out,
            "HTTP/1.1 200 OK\r\nServer: seqs-sim\r\nContent-Length: 5\r\n\r\nhello\
             HTTP/1.1 404 Not Found\r\nServer: seqs-sim\r\nContent-Length: 10\r\n\r\nnot found\n"
        );
        assert_eq!((stats.requests, stats.errors, stats.bytes), (2, 1, 15));
        let out = feed(
            &mut http,
            &mut stats,
            b"TP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        );
        assert!(out.starts_with("HTTP/1.1 200 OK\r\nServer: seqs-sim\r\nConnection: close\r\n"));
        assert!(http.close_after);
    }

    #[test]
    fn request_bodies_are_skipped_even_when_split() {
        let (mut http, mut stats) = (Responder::default(), Stats::default());
        let head = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234";
        assert!(feed(&mut http, &mut stats, head).contains("200 OK"));
        assert_eq!(http.skip, 5);
        let out = feed(
            &mut http,
            &mut stats,
            b"56789GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        );
        assert!(out.starts_with("HTTP/1.1 200 OK"), "{out}");
        assert_eq!(stats.requests, 2);
    }

    #[test]
    fn malformed_requests_get_the_parsers_status_and_a_close() {
        let (mut http, mut stats) = (Responder::default(), Stats::default());
        let out = feed(&mut http, &mut stats, b"GET / HTTP/1.1\r\nHost a\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
        assert!(out.contains("Connection: close"));
        assert!(http.close_after && !http.wants_input());
        assert_eq!(stats.errors, 1);
    }

    #[test]
    fn http_1_0_closes_after_the_response() {
        let (mut http, mut stats) = (Responder::default(), Stats::default());
        let out = feed(&mut http, &mut stats, b"GET / HTTP/1.0\r\n\r\n");
        assert!(out.contains("Connection: close"));
        assert!(http.close_after);
    }
}
