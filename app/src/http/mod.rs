//! A small HTTP/1.1 server over the stack's TCP sockets: one request at a
//! time per connection, keep-alive, responses with a `Content-Length`.
//!
//! A request is answered only when the whole response fits in the socket's
//! send buffer, so a response is never half-queued; until then the request
//! stays unread in the receive buffer and is parsed again when an ACK makes
//! room. Acting on a request must therefore be idempotent (setting the LED
//! to a value is).

mod route;

use core::fmt;

use seqs::http::{HeadWriter, Header, Progress, RequestParser};
use seqs::rand_core::RngCore;
use seqs::socket::{Handle, Tcp};
use seqs::tcp::{self, State};
use seqs::time::Duration;
use seqs::Stack;

pub(crate) use route::{Exchange, Format, Route};

use crate::config::{Error, HTTP_CONNECTIONS};
use crate::cursor::Cursor;

/// Longest request (head and body) accepted; a receive buffer should hold
/// at least this much.
pub const REQUEST_MAX: usize = 1024;
/// Largest response body (the status page).
pub const BODY_MAX: usize = 2048;
/// Largest response head.
pub const HEAD_MAX: usize = 256;
/// Largest response: what an HTTP socket's send buffer should hold.
pub const RESPONSE_MAX: usize = HEAD_MAX + BODY_MAX;

/// Fields a request may have; more is answered with 431.
const MAX_FIELDS: usize = 24;
/// Requests answered per connection per poll (pipelining).
const BURST: usize = 4;
/// TIME-WAIT on the HTTP sockets. The server closes first after a
/// `Connection: close` request or an error, and with a handful of slots
/// RFC 9293's 2 MSL (a minute) would leave the board unreachable after as
/// many such requests; segments on a LAN live far shorter than that.
const TIME_WAIT: Duration = Duration::from_secs(2);

/// What a handler wrote into the body buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    /// The value of an `Allow` field (405 answers).
    pub allow: Option<&'static str>,
}

impl Answer {
    pub const fn text(status: u16) -> Answer {
        Answer {
            status,
            content_type: "text/plain; charset=utf-8",
            allow: None,
        }
    }
}

/// One connection slot.
#[derive(Debug)]
struct Conn {
    handle: Handle<Tcp>,
    parser: RequestParser,
    /// Bytes queued when the receive buffer was last parsed.
    seen: usize,
    /// A response waits for room in the send buffer.
    blocked: bool,
}

impl Conn {
    fn restart(&mut self) {
        self.parser.reset();
        self.seen = 0;
        self.blocked = false;
    }
}

/// What the next bytes of a connection amount to.
enum Incoming {
    Request(Exchange),
    /// Answer with this status and close.
    Refuse(u16),
    Wait,
}

#[derive(Debug)]
pub(crate) struct Server {
    port: u16,
    conns: [Conn; HTTP_CONNECTIONS],
    request: [u8; REQUEST_MAX],
    body: [u8; BODY_MAX],
    head: [u8; HEAD_MAX],
}

impl Server {
    /// Puts every socket in LISTEN on `port`.
    pub fn listen<'a, R: RngCore>(
        stack: &mut Stack<'a, R>,
        port: u16,
        sockets: [tcp::Socket<'a>; HTTP_CONNECTIONS],
    ) -> Result<Server, Error> {
        let mut handles = [None; HTTP_CONNECTIONS];
        for (slot, mut socket) in handles.iter_mut().zip(sockets) {
            let mut config = *socket.config();
            config.time_wait = config.time_wait.min(TIME_WAIT);
            socket.set_config(config);
            let handle = stack.add_tcp_socket(socket).ok_or(Error::SocketSlots)?;
            stack.tcp_listen(handle, port)?;
            *slot = Some(handle);
        }
        let conns = handles.map(|h| Conn {
            handle: h.expect("every slot was filled above"),
            parser: RequestParser::new(),
            seen: 0,
            blocked: false,
        });
        Ok(Server {
            port,
            conns,
            request: [0; REQUEST_MAX],
            body: [0; BODY_MAX],
            head: [0; HEAD_MAX],
        })
    }

    /// Serves every connection. `handle` acts on a route and writes the
    /// body; it sees the stack as it is, for pages that show its state.
    pub fn poll<'a, R: RngCore>(
        &mut self,
        stack: &mut Stack<'a, R>,
        mut handle: impl FnMut(&Stack<'a, R>, Route, &mut Cursor<'_>) -> Result<Answer, fmt::Error>,
    ) {
        for i in 0..HTTP_CONNECTIONS {
            for _ in 0..BURST {
                if !self.serve(stack, i, &mut handle) {
                    break;
                }
            }
        }
    }

    /// Answers the next request on connection `i`; false when there was
    /// none to answer.
    fn serve<'a, R: RngCore>(
        &mut self,
        stack: &mut Stack<'a, R>,
        i: usize,
        handle: &mut impl FnMut(&Stack<'a, R>, Route, &mut Cursor<'_>) -> Result<Answer, fmt::Error>,
    ) -> bool {
        let Server {
            port,
            conns,
            request,
            body,
            head,
        } = self;
        let Some(conn) = conns.get_mut(i) else {
            return false;
        };
        let incoming = match read(stack, *port, conn, request) {
            Some(incoming) => incoming,
            None => return false,
        };
        let (exchange, answer, len) = match incoming {
            Incoming::Wait => return false,
            Incoming::Refuse(status) => {
                let mut cursor = Cursor::new(body);
                let _ = fmt::Write::write_fmt(&mut cursor, format_args!("{}\n", reason(status)));
                (None, Answer::text(status), cursor.len())
            }
            Incoming::Request(exchange) => {
                let mut cursor = Cursor::new(body);
                match handle(stack, exchange.route, &mut cursor) {
                    Ok(answer) => (Some(exchange), answer, cursor.len()),
                    Err(fmt::Error) => (Some(exchange), Answer::text(500), 0),
                }
            }
        };
        let close = !exchange.is_some_and(|e| e.keep_alive);
        let head_only = exchange.is_some_and(|e| e.head_only);
        let Some(socket) = stack.tcp(conn.handle) else {
            return false;
        };
        let body = if head_only {
            &[][..]
        } else {
            body.get(..len).unwrap_or(&[])
        };
        let sent = send(socket, head, answer, body, len, close);
        conn.blocked = !sent;
        if !sent {
            return false;
        }
        let consumed = exchange.map_or(0, |e| e.len);
        let _ = socket.recv_slice(request.get_mut(..consumed).unwrap_or(&mut []));
        conn.seen = 0;
        if close {
            socket.close();
        }
        !close
    }
}

/// Re-arms a closed socket, closes one the peer finished with, and parses
/// what arrived. `None`: nothing new.
fn read<R: RngCore>(
    stack: &mut Stack<'_, R>,
    port: u16,
    conn: &mut Conn,
    request: &mut [u8; REQUEST_MAX],
) -> Option<Incoming> {
    let state = stack.tcp(conn.handle)?.state();
    if state == State::Closed {
        conn.restart();
        // Fails only while a RST is still owed; the next poll retries.
        let _ = stack.tcp_listen(conn.handle, port);
        return None;
    }
    let socket = stack.tcp(conn.handle)?;
    let queued = socket.recv_queue();
    if queued == 0 {
        if state == State::CloseWait {
            socket.close();
        }
        return None;
    }
    if (queued == conn.seen && !conn.blocked) || !socket.state().may_send() {
        return None;
    }
    conn.seen = queued;
    let n = socket.peek(request).unwrap_or(0);
    let bytes = request.get(..n)?;
    let mut fields = [Header::EMPTY; MAX_FIELDS];
    Some(match conn.parser.parse(bytes, &mut fields) {
        Ok(Progress::Done(req)) => match Exchange::of(&req) {
            None => Incoming::Refuse(411),
            Some(e) if e.len > REQUEST_MAX => Incoming::Refuse(413),
            Some(e) if e.len > n => Incoming::Wait,
            Some(e) => Incoming::Request(e),
        },
        Ok(Progress::NeedMore) if n == REQUEST_MAX => Incoming::Refuse(431),
        Ok(Progress::NeedMore) => Incoming::Wait,
        Err(e) => Incoming::Refuse(e.status()),
    })
}

/// Queues head and body if both fit now; false (nothing queued) if not. A
/// response that could never fit becomes a bare 500.
fn send(
    socket: &mut tcp::Socket<'_>,
    head: &mut [u8; HEAD_MAX],
    answer: Answer,
    body: &[u8],
    content_length: usize,
    close: bool,
) -> bool {
    let room = socket.send_capacity();
    let total = room + socket.send_queue();
    let (answer, body, content_length) = match write_head(head, answer, content_length, close) {
        Some(n) if n + body.len() <= total => (answer, body, content_length),
        _ => (Answer::text(500), &[][..], 0),
    };
    let Some(n) = write_head(head, answer, content_length, close) else {
        return false;
    };
    if n + body.len() > room {
        return false;
    }
    let _ = socket.send_slice(head.get(..n).unwrap_or(&[]));
    let _ = socket.send_slice(body);
    true
}

fn write_head(
    head: &mut [u8; HEAD_MAX],
    answer: Answer,
    content_length: usize,
    close: bool,
) -> Option<usize> {
    let mut w = HeadWriter::response(head, answer.status, reason(answer.status)).ok()?;
    w.header("Content-Type", answer.content_type.as_bytes())
        .ok()?;
    w.header("Cache-Control", b"no-store").ok()?;
    if let Some(allow) = answer.allow {
        w.header("Allow", allow.as_bytes()).ok()?;
    }
    if close {
        w.header("Connection", b"close").ok()?;
    }
    w.content_length(content_length as u64).ok()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        505 => "HTTP Version Not Supported",
        _ => "Internal Server Error",
    }
}
