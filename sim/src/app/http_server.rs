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
const READ_CHUNK: usize = 4096;

/// One accepted connection.
struct Session {
    conn: Conn,
    parser: RequestParser,
    /// Received bytes not yet parsed or skipped.
    input: Vec<u8>,
    /// Request body bytes still to discard.
    skip: u64,
    /// Response bytes not yet taken by the socket.
    output: Vec<u8>,
    /// Close once the output is sent.
    close_after: bool,
}

/// What to answer to one request.
struct Answer {
    status: u16,
    body: Vec<u8>,
    keep_alive: bool,
    /// Bytes of the request consumed (head) and of body to skip.
    head_len: usize,
    body_len: u64,
}

pub(crate) struct HttpServer {
    routes: Vec<HttpRoute>,
    started: bool,
    listener: Listener,
    sessions: Vec<Session>,
    accepted: u64,
    requests: u64,
    errors: u64,
    bytes: u64,
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
            requests: 0,
            errors: 0,
            bytes: 0,
            scratch: vec![0; READ_CHUNK],
        }
    }

    /// The answer to the request at the start of the session's input, if
    /// its head is complete.
    fn answer(&self, session: &mut Session) -> Option<Answer> {
        let mut fields = [Header::EMPTY; MAX_FIELDS];
        match session.parser.parse(&session.input, &mut fields) {
            Ok(Progress::NeedMore) => None,
            Ok(Progress::Done(request)) => {
                let route = self.routes.iter().find(|r| r.path == request.path());
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
                head_len: session.input.len(),
                body_len: 0,
            }),
        }
    }

    fn respond(&mut self, session: &mut Session, answer: Answer) {
        self.requests += 1;
        if answer.status >= 400 {
            self.errors += 1;
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
                self.bytes += answer.body.len() as u64;
            }
            session.output.extend_from_slice(&buf[..n]);
        }
        session
            .input
            .drain(..answer.head_len.min(session.input.len()));
        session.skip = answer.body_len;
        session.close_after |= !answer.keep_alive;
    }

    /// Moves data for one session; `Some(true)` when it did something,
    /// `None` when the session is over.
    fn serve(&mut self, cx: &mut AppCx<'_, '_>, session: &mut Session) -> Option<bool> {
        let state = session.conn.observe(cx)?;
        if matches!(state, State::Closed | State::TimeWait) {
            return None;
        }
        let socket = cx.stack.tcp(session.conn.handle)?;
        let mut acted = false;
        if !session.output.is_empty() {
            let n = socket.send_slice(&session.output).unwrap_or(0);
            session.output.drain(..n);
            acted |= n > 0;
        }
        let mut peer_done = false;
        while session.input.len() < MAX_BUFFERED {
            match socket.recv_slice(&mut self.scratch) {
                Ok(0) => break,
                Ok(n) => {
                    session.input.extend_from_slice(&self.scratch[..n]);
                    acted = true;
                }
                Err(tcp::Error::Finished) => {
                    peer_done = true;
                    break;
                }
                Err(_) => break,
            }
        }
        let skip = usize::try_from(session.skip)
            .unwrap_or(usize::MAX)
            .min(session.input.len());
        session.input.drain(..skip);
        session.skip -= skip as u64;
        while session.output.is_empty() && session.skip == 0 && !session.close_after {
            let Some(answer) = self.answer(session) else {
                break;
            };
            self.respond(session, answer);
            acted = true;
            if let Some(socket) = cx.stack.tcp(session.conn.handle) {
                let n = socket.send_slice(&session.output).unwrap_or(0);
                session.output.drain(..n);
            }
        }
        let finished = session.close_after || (peer_done && session.input.is_empty());
        if finished && session.output.is_empty() && state.may_send() {
            if let Some(socket) = cx.stack.tcp(session.conn.handle) {
                socket.close();
            }
            acted = true;
        }
        Some(acted)
    }

    fn report(&self, result: &mut AppResult) {
        result.set("accepted", self.accepted);
        result.set("requests", self.requests);
        result.set("errors", self.errors);
        result.set("bytes", self.bytes);
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
                parser: RequestParser::new(),
                input: Vec::new(),
                skip: 0,
                output: Vec::new(),
                close_after: false,
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
