//! An HTTP/1.1 client over one `seqs` TCP socket: sans-IO, no heap.
//!
//! One caller buffer holds the request while it is sent, then the response
//! as it arrives: the head stays at its front (for
//! [`Client::response_header`]) and the body streams through the rest, so
//! a body of any length passes through a small buffer. The connection is
//! kept for the next request when the response allows it.
//!
//! ```text
//! client.get(now, &mut stack, "/status", "example.org")?;
//! loop {                                 // on every wake-up, before transmit
//!     match client.poll(now, &mut stack)? {
//!         Some(Event::Head(head)) => ..., // status, framing
//!         Some(Event::Data(bytes)) => ..., // a piece of the body
//!         Some(Event::Done) => break,
//!         None => wait until a frame or min(stack.poll_at(), client.poll_at()),
//!     }
//! }
//! ```
//!
//! [`Client::read_into`] collects the whole body into a caller buffer instead.

mod error;
mod outgoing;
mod reader;

pub use error::Error;
pub use outgoing::Outgoing;

use core::net::SocketAddrV4;

use reader::{Piece, Reader};

use crate::http::{self, Body, Header, Limits, Progress, ResponseParser};
use crate::socket::{Handle, Tcp};
use crate::tcp::{self, State};
use crate::time::{Duration, Instant};
use crate::Stack;
use rand_core::RngCore;

/// How long to wait before retrying a refused connect.
const CONNECT_RETRY: Duration = Duration::from_millis(1);

/// Client tunables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// From [`Client::request`] to the end of the response.
    pub timeout: Duration,
    /// Cap on a response head; the buffer's size also caps it.
    pub max_head: usize,
}

impl Default for Config {
    /// 10 s per request, 8 KiB heads.
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(10),
            max_head: 8192,
        }
    }
}

/// What a response head said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    pub body: Body,
    /// Whether the connection may serve the next request.
    pub keep_alive: bool,
}

/// Progress of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'c> {
    /// The final head arrived (interim 1xx responses are skipped).
    Head(Head),
    /// A piece of the body, valid until the next poll.
    Data(&'c [u8]),
    /// The response is complete; the client is ready for the next request.
    Done,
}

/// A whole response read by [`Client::read_into`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fetched {
    pub status: u16,
    /// Body bytes written at the start of the caller's buffer.
    pub len: usize,
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    Idle,
    /// The request is `buf[..len]`; connect at or after `at`.
    Connect {
        len: usize,
        at: Instant,
    },
    Send {
        sent: usize,
        len: usize,
    },
    /// Response bytes so far: `buf[..len]`.
    Head {
        len: usize,
    },
    /// The head is `buf[..head_len]`; unread body bytes `buf[start..end]`.
    Body {
        head: Head,
        head_len: usize,
        start: usize,
        end: usize,
        reader: Option<Reader>,
    },
}

/// What one step of the state machine produced; data as a buffer range so
/// the borrow is taken only once, on the way out.
enum Step {
    Pending,
    Head(Head),
    Data(core::ops::Range<usize>),
    Done,
}

/// A client for sequential requests to one server.
#[derive(Debug)]
pub struct Client<'a> {
    handle: Handle<Tcp>,
    remote: SocketAddrV4,
    buf: &'a mut [u8],
    config: Config,
    phase: Phase,
    parser: ResponseParser,
    deadline: Instant,
    /// The connection is open and the last response allowed reuse.
    reusable: bool,
    /// `read_into` progress: the status and body bytes so far.
    fetched: Fetched,
}

impl<'a> Client<'a> {
    /// A client using `handle` (a TCP socket added to the stack) to reach
    /// `remote`, with `buf` for requests and responses.
    pub fn new(
        handle: Handle<Tcp>,
        remote: SocketAddrV4,
        buf: &'a mut [u8],
        config: Config,
    ) -> Self {
        Client {
            handle,
            remote,
            buf,
            config,
            phase: Phase::Idle,
            parser: ResponseParser::new(),
            deadline: Instant::ZERO,
            reusable: false,
            fetched: Fetched { status: 0, len: 0 },
        }
    }

    /// The socket handle, for its state and counters.
    pub fn handle(&self) -> Handle<Tcp> {
        self.handle
    }

    /// Whether no request is in progress.
    pub fn is_idle(&self) -> bool {
        matches!(self.phase, Phase::Idle)
    }

    /// `GET target` with `Host: host`.
    pub fn get<R: RngCore>(
        &mut self,
        now: Instant,
        stack: &mut Stack<'_, R>,
        target: &str,
        host: &str,
    ) -> Result<(), Error> {
        self.request(now, stack, &Outgoing::get(target, host))
    }

    /// `POST target` with `body` of `content_type`.
    pub fn post<R: RngCore>(
        &mut self,
        now: Instant,
        stack: &mut Stack<'_, R>,
        target: &str,
        host: &str,
        content_type: &[u8],
        body: &[u8],
    ) -> Result<(), Error> {
        let headers = [("Content-Type", content_type)];
        let request = Outgoing {
            method: "POST",
            headers: &headers,
            body,
            ..Outgoing::get(target, host)
        };
        self.request(now, stack, &request)
    }

    /// Starts a request: writes it into the buffer and connects unless the
    /// previous response left the connection open.
    pub fn request<R: RngCore>(
        &mut self,
        now: Instant,
        stack: &mut Stack<'_, R>,
        request: &Outgoing<'_>,
    ) -> Result<(), Error> {
        if !self.is_idle() {
            return Err(Error::Busy);
        }
        let len = request.write(self.buf).map_err(Error::Request)?;
        let max_head = self.config.max_head.min(self.buf.len());
        self.parser =
            ResponseParser::with_limits(Limits { max_head }).request_method(request.method);
        self.deadline = now + self.config.timeout;
        self.fetched = Fetched { status: 0, len: 0 };
        let open = self.reusable && socket(stack, self.handle)?.state() == State::Established;
        self.reusable = false;
        self.phase = if open {
            Phase::Send { sent: 0, len }
        } else {
            let s = socket(stack, self.handle)?;
            if s.state() != State::Closed {
                s.abort();
            }
            Phase::Connect { len, at: now }
        };
        Ok(())
    }

    /// Advances the request; `Ok(None)` means nothing new yet. Call on
    /// every wake-up before `stack.transmit`.
    pub fn poll<R: RngCore>(
        &mut self,
        now: Instant,
        stack: &mut Stack<'_, R>,
    ) -> Result<Option<Event<'_>>, Error> {
        match self.step(now, stack) {
            Err(e) => {
                if let Some(s) = stack.tcp(self.handle) {
                    s.abort();
                }
                self.phase = Phase::Idle;
                Err(e)
            }
            Ok(Step::Pending) => Ok(None),
            Ok(Step::Head(head)) => Ok(Some(Event::Head(head))),
            Ok(Step::Data(range)) => Ok(Some(Event::Data(self.buf.get(range).unwrap_or_default()))),
            Ok(Step::Done) => Ok(Some(Event::Done)),
        }
    }

    /// Like [`poll`](Self::poll), collecting the body into `out`; returns
    /// the status and body length once the response is complete.
    pub fn read_into<R: RngCore>(
        &mut self,
        now: Instant,
        stack: &mut Stack<'_, R>,
        out: &mut [u8],
    ) -> Result<Option<Fetched>, Error> {
        let mut fetched = self.fetched;
        let result = loop {
            match self.poll(now, stack) {
                Ok(None) => break Ok(None),
                Ok(Some(Event::Head(head))) => fetched.status = head.status,
                Ok(Some(Event::Data(data))) => {
                    let end = fetched.len + data.len();
                    let Some(dst) = out.get_mut(fetched.len..end) else {
                        break Err(Error::BodyTooLarge);
                    };
                    dst.copy_from_slice(data);
                    fetched.len = end;
                }
                Ok(Some(Event::Done)) => break Ok(Some(fetched)),
                Err(e) => break Err(e),
            }
        };
        self.fetched = fetched;
        if result == Err(Error::BodyTooLarge) {
            self.abort(stack);
        }
        result
    }

    /// A field of the response head, once [`Event::Head`] was seen and
    /// until the response ends.
    pub fn response_header(&self, name: &str) -> Option<&[u8]> {
        let Phase::Body { head_len, .. } = self.phase else {
            return None;
        };
        let mut headers = [Header::EMPTY; 32];
        let head = self.buf.get(..head_len)?;
        match ResponseParser::new().parse(head, &mut headers) {
            Ok(Progress::Done(r)) => r.headers().get(name),
            _ => None,
        }
    }

    /// The request's deadline while one is in progress.
    pub fn poll_at(&self) -> Option<Instant> {
        match self.phase {
            Phase::Idle => None,
            Phase::Connect { at, .. } => Some(at.min(self.deadline)),
            _ => Some(self.deadline),
        }
    }

    /// Drops the request in progress and the connection.
    pub fn abort<R: RngCore>(&mut self, stack: &mut Stack<'_, R>) {
        if let Some(s) = stack.tcp(self.handle) {
            s.abort();
        }
        self.phase = Phase::Idle;
        self.reusable = false;
    }

    fn step<R: RngCore>(&mut self, now: Instant, stack: &mut Stack<'_, R>) -> Result<Step, Error> {
        if self.is_idle() {
            return Ok(Step::Pending);
        }
        if now >= self.deadline {
            return Err(Error::Timeout);
        }
        if let Phase::Connect { len, .. } = self.phase {
            match stack.tcp_connect(self.handle, now, self.remote) {
                Ok(_) => self.phase = Phase::Send { sent: 0, len },
                // A RST for the old connection is still queued: retry
                // once the stack has transmitted it.
                Err(tcp::Error::InvalidState) => {
                    let at = now + CONNECT_RETRY;
                    self.phase = Phase::Connect { len, at };
                    return Ok(Step::Pending);
                }
                Err(e) => return Err(Error::Connect(e)),
            }
        }
        let socket = socket(stack, self.handle)?;
        loop {
            let step = match self.phase {
                Phase::Idle | Phase::Connect { .. } => Some(Step::Pending),
                Phase::Send { sent, len } => self.send(socket, sent, len)?,
                Phase::Head { len } => self.head(socket, len)?,
                Phase::Body { .. } => self.body(socket)?,
            };
            if let Some(step) = step {
                return Ok(step);
            }
        }
    }

    fn send(
        &mut self,
        socket: &mut tcp::Socket<'_>,
        sent: usize,
        len: usize,
    ) -> Result<Option<Step>, Error> {
        match socket.state() {
            State::SynSent | State::SynReceived => return Ok(Some(Step::Pending)),
            State::Closed => return Err(Error::Reset),
            _ => {}
        }
        let rest = self.buf.get(sent..len).unwrap_or_default();
        let sent = sent + socket.send_slice(rest).map_err(|_| Error::Closed)?;
        if sent < len {
            self.phase = Phase::Send { sent, len };
            return Ok(Some(Step::Pending));
        }
        self.phase = Phase::Head { len: 0 };
        Ok(None)
    }

    fn head(&mut self, socket: &mut tcp::Socket<'_>, len: usize) -> Result<Option<Step>, Error> {
        let (len, fin) = fill(socket, self.buf, len)?;
        let mut headers = [Header::EMPTY; 32];
        let response = match self
            .parser
            .parse(self.buf.get(..len).unwrap_or_default(), &mut headers)
        {
            Ok(Progress::Done(r)) => r,
            Ok(Progress::NeedMore) if fin => return Err(Error::Closed),
            Ok(Progress::NeedMore) => {
                self.phase = Phase::Head { len };
                return Ok(Some(Step::Pending));
            }
            Err(e) => return Err(Error::Response(e)),
        };
        let head_len = response.head_len();
        if response.status() < 200 && response.status() != 101 {
            self.buf.copy_within(head_len..len, 0);
            self.phase = Phase::Head {
                len: len - head_len,
            };
            return Ok(None);
        }
        let head = Head {
            status: response.status(),
            body: response.body(),
            keep_alive: response.keep_alive(),
        };
        self.phase = Phase::Body {
            head,
            head_len,
            start: head_len,
            end: len,
            reader: Reader::new(head.body),
        };
        Ok(Some(Step::Head(head)))
    }

    fn body(&mut self, socket: &mut tcp::Socket<'_>) -> Result<Option<Step>, Error> {
        let Phase::Body {
            head,
            head_len,
            mut start,
            mut end,
            reader,
        } = self.phase
        else {
            return Ok(Some(Step::Pending));
        };
        let Some(mut reader) = reader else {
            return Ok(Some(self.finish(socket, head, start == end)));
        };
        let input = self.buf.get(start..end).unwrap_or_default();
        let (used, piece) = reader.read(input, start).map_err(Error::Response)?;
        start += used;
        let step = match piece {
            Piece::Data(range) if range.is_empty() => None,
            Piece::Data(range) => Some(Step::Data(range)),
            Piece::End => return Ok(Some(self.finish(socket, head, start == end))),
            Piece::More => {
                self.buf.copy_within(start..end, head_len);
                end = head_len + (end - start);
                start = head_len;
                let (filled, fin) = fill(socket, self.buf, end)?;
                if filled > end {
                    end = filled;
                    None
                } else if fin && matches!(reader, Reader::UntilClose) {
                    return Ok(Some(self.finish(socket, head, false)));
                } else if fin {
                    return Err(Error::Closed);
                } else if end == self.buf.len() {
                    // Only a trailer field longer than the buffer stalls.
                    return Err(Error::Response(http::Error::TrailersTooLarge));
                } else {
                    Some(Step::Pending)
                }
            }
        };
        self.phase = Phase::Body {
            head,
            head_len,
            start,
            end,
            reader: Some(reader),
        };
        Ok(step)
    }

    /// The response ended: keep the connection when it may serve another
    /// request and nothing unexpected followed the response.
    fn finish(&mut self, socket: &mut tcp::Socket<'_>, head: Head, clean: bool) -> Step {
        self.reusable = head.keep_alive && clean;
        if !self.reusable {
            socket.close();
        }
        self.phase = Phase::Idle;
        Step::Done
    }
}

fn socket<'s, 'a, R: RngCore>(
    stack: &'s mut Stack<'a, R>,
    handle: Handle<Tcp>,
) -> Result<&'s mut tcp::Socket<'a>, Error> {
    stack
        .tcp(handle)
        .ok_or(Error::Connect(tcp::Error::InvalidState))
}

/// Appends what the socket holds to `buf[..len]`; returns the new length
/// and whether the server has closed its side.
fn fill(socket: &mut tcp::Socket<'_>, buf: &mut [u8], len: usize) -> Result<(usize, bool), Error> {
    let free = buf.get_mut(len..).unwrap_or_default();
    match socket.recv_slice(free) {
        Ok(n) => Ok((len + n, false)),
        Err(tcp::Error::Finished) => Ok((len, true)),
        Err(_) => Err(Error::Reset),
    }
}
