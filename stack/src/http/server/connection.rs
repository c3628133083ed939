//! One accept slot of the server: a listening TCP socket, and the state of
//! the connection it accepted, from the first request byte to re-listening.

use super::inbox::Inbox;
use super::outbox::Outbox;
use super::writer::Stage;
use super::Config;
use crate::http::{Body, ChunkedDecoder, Limits, Progress, RequestParser};
use crate::socket::{Handle, Tcp};
use crate::tcp::{self, State};
use crate::time::Instant;

/// Where the connection is in its request/response cycle.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Phase {
    /// No connection: the socket listens (or is about to).
    Idle,
    /// Reading a request head.
    Head,
    /// The head (`head_len` bytes) is in; reading its body.
    Body { head_len: usize, body: Pending },
    /// A handler streams its response: call it again for `part` once the
    /// staging buffer drained. The request is still `inbox[..end]`.
    Stream {
        span: Span,
        part: u32,
        close: bool,
        stage: Stage,
    },
    /// Sending what is staged, then closing; `since` once FIN is queued.
    Closing { since: Option<Instant> },
}

/// A body still arriving.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pending {
    /// Complete once the inbox holds `end` bytes.
    Length { end: usize },
    /// Decoded in place; the decoded body ends at `end`.
    Chunked { decoder: ChunkedDecoder, end: usize },
}

/// Where a complete request lies in the inbox.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub head_len: usize,
    /// End of the (decoded) body: the request is `inbox[..end]`.
    pub end: usize,
}

/// One accept slot: a TCP socket handle and the storage its connections
/// reuse, request after request.
#[derive(Debug)]
pub struct Connection<'a> {
    pub(crate) handle: Handle<Tcp>,
    pub(crate) inbox: Inbox<'a>,
    pub(crate) outbox: Outbox<'a>,
    pub(crate) phase: Phase,
    pub(crate) parser: RequestParser,
    /// Last progress: bytes in or out, or a request served.
    pub(crate) last: Instant,
    /// The peer sent FIN and every byte it sent is in the inbox.
    pub(crate) peer_closed: bool,
    /// When to try listening again after the stack refused (a socket just
    /// aborted cannot listen until its RST has been transmitted).
    pub(crate) relisten: Option<Instant>,
}

impl<'a> Connection<'a> {
    /// A slot over `handle` (a socket added to the stack, not yet
    /// listening), with `request` as its receive buffer (it bounds the
    /// head plus body of one request) and `response` as its staging buffer
    /// (it bounds one response, or one part of a streamed one).
    pub fn new(handle: Handle<Tcp>, request: &'a mut [u8], response: &'a mut [u8]) -> Self {
        Connection {
            handle,
            inbox: Inbox::new(request),
            outbox: Outbox::new(response),
            phase: Phase::Idle,
            parser: RequestParser::new(),
            last: Instant::ZERO,
            peer_closed: false,
            relisten: None,
        }
    }

    /// The socket handle of this slot.
    pub fn handle(&self) -> Handle<Tcp> {
        self.handle
    }

    /// Whether a connection is being served.
    pub fn is_busy(&self) -> bool {
        !matches!(self.phase, Phase::Idle)
    }

    /// When this slot next needs a poll without any new segment.
    pub(crate) fn poll_at(&self, config: &Config) -> Option<Instant> {
        match self.phase {
            Phase::Idle => self.relisten,
            Phase::Closing { since: Some(t) } => Some(t + config.linger),
            _ => Some(self.last + config.idle_timeout),
        }
    }

    /// A new connection was accepted: forget everything from the last one.
    pub(crate) fn accept(&mut self, now: Instant, config: &Config) {
        let max_head = config.max_head.min(self.inbox.capacity());
        self.parser = RequestParser::with_limits(Limits { max_head });
        self.inbox.clear();
        self.outbox.clear();
        self.phase = Phase::Head;
        self.last = now;
        self.peer_closed = false;
    }

    /// Reads what the socket holds; returns whether bytes arrived.
    pub(crate) fn receive(&mut self, now: Instant, socket: &mut tcp::Socket<'_>) -> bool {
        match self.inbox.fill(socket) {
            Ok(0) => false,
            Ok(_) => {
                self.last = now;
                true
            }
            Err(_) => {
                self.peer_closed = true;
                false
            }
        }
    }

    /// Moves staged response bytes to the socket; false if it refuses them
    /// (the connection is gone).
    pub(crate) fn flush(&mut self, now: Instant, socket: &mut tcp::Socket<'_>) -> bool {
        match self.outbox.flush(socket) {
            Ok(0) => true,
            Ok(_) => {
                self.last = now;
                true
            }
            Err(_) => false,
        }
    }

    /// Parses the head in the inbox; moves to `Body` or returns the span of
    /// a body-less request.
    pub(crate) fn read_head(&mut self) -> Result<Option<Span>, u16> {
        let mut headers = [crate::http::Header::EMPTY; super::MAX_HEADERS];
        let request = match self.parser.parse(self.inbox.bytes(), &mut headers) {
            Ok(Progress::Done(request)) => request,
            Ok(Progress::NeedMore) => return Ok(None),
            Err(e) => return Err(e.status()),
        };
        let head_len = request.head_len();
        let expects = request
            .headers()
            .get("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"));
        let body = match request.body() {
            Body::None => {
                return Ok(Some(Span {
                    head_len,
                    end: head_len,
                }))
            }
            Body::Length(n) => {
                let end = usize::try_from(n)
                    .ok()
                    .and_then(|n| n.checked_add(head_len))
                    .filter(|&end| end <= self.inbox.capacity())
                    .ok_or(413u16)?;
                Pending::Length { end }
            }
            Body::Chunked => Pending::Chunked {
                decoder: ChunkedDecoder::new(),
                end: head_len,
            },
            Body::UntilClose => return Err(400),
        };
        if expects {
            self.outbox.push(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        self.phase = Phase::Body { head_len, body };
        Ok(None)
    }

    /// Advances a body; returns the request's span once it is complete.
    pub(crate) fn read_body(
        &mut self,
        head_len: usize,
        body: Pending,
    ) -> Result<Option<Span>, u16> {
        let (done, end, body) = match body {
            Pending::Length { end } => (self.inbox.len() >= end, end, body),
            Pending::Chunked {
                mut decoder,
                mut end,
            } => {
                let done = self
                    .inbox
                    .decode_chunked(&mut decoder, &mut end)
                    .map_err(|e| e.status())?;
                if !done && self.inbox.is_full() {
                    return Err(413);
                }
                (done, end, Pending::Chunked { decoder, end })
            }
        };
        if done {
            return Ok(Some(Span { head_len, end }));
        }
        self.phase = Phase::Body { head_len, body };
        Ok(None)
    }

    /// Winds down: flushes the response, queues FIN, drops what arrives,
    /// and frees the slot once the socket is done (a TIME-WAIT socket is
    /// aborted, which sends nothing, so the slot can listen again).
    /// Returns whether the slot is free.
    pub(crate) fn close(
        &mut self,
        now: Instant,
        socket: &mut tcp::Socket<'_>,
        config: &Config,
    ) -> bool {
        self.inbox.clear();
        let _ = self.inbox.fill(socket);
        self.inbox.clear();
        let since = match self.phase {
            Phase::Closing { since: Some(t) } => t,
            _ if !self.outbox.is_empty() => return false,
            _ => {
                socket.close();
                self.phase = Phase::Closing { since: Some(now) };
                now
            }
        };
        let lingered = now >= since + config.linger;
        match socket.state() {
            State::Closed => true,
            State::TimeWait if !socket.wants_to_send(now) => {
                socket.abort();
                true
            }
            _ if lingered => {
                socket.abort();
                true
            }
            _ => false,
        }
    }
}
