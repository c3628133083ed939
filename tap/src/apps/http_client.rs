//! HTTP/1.1 client: one GET over the stack's TCP, the response parsed with
//! `seqs::http` (Content-Length, chunked or until-close bodies), the body
//! counted and hashed so it can be compared with the server's file.

use std::fmt;

use seqs::http::{Body, Chunk, ChunkedDecoder, HeadWriter, Header, Progress, ResponseParser};
use seqs::socket::{Handle, Tcp};
use seqs::tcp::{Error, State};
use seqs::time::{Duration, Instant};
use seqs::Endpoint;

use super::bulk::StreamHash;
use super::{AppError, Report, Service};
use crate::backlog::add_tcp_socket;
use crate::{EventLog, TapStack};

const MAX_HEAD: usize = 8192;
const MAX_FIELDS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpClientSpec {
    pub remote: Endpoint,
    /// The Host field; the remote address when empty.
    pub host: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpClientReport {
    pub url: String,
    pub status: Option<u16>,
    pub body_bytes: u64,
    pub sha256: String,
    pub elapsed: Option<Duration>,
    pub error: Option<String>,
}

impl HttpClientReport {
    pub fn is_complete(&self) -> bool {
        self.error.is_none() && self.status.is_some() && self.elapsed.is_some()
    }
}

impl fmt::Display for HttpClientReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http GET {}: ", self.url)?;
        match (self.status, &self.error) {
            (_, Some(e)) => write!(f, "failed: {e}"),
            (None, None) => f.write_str("no response"),
            (Some(status), None) => {
                write!(
                    f,
                    "{status}, {} body bytes, sha256 {}",
                    self.body_bytes, self.sha256
                )?;
                if let Some(elapsed) = self.elapsed {
                    let secs = elapsed.total_micros() as f64 / 1e6;
                    let mbps = self.body_bytes as f64 * 8.0 / secs.max(1e-6) / 1e6;
                    write!(f, " in {secs:.3} s ({mbps:.1} Mbit/s)")?;
                }
                Ok(())
            }
        }
    }
}

/// Where the response stands.
#[derive(Debug)]
enum Phase {
    /// Waiting for an address, then for the handshake.
    Connecting(Option<Handle<Tcp>>),
    Head(Handle<Tcp>),
    Body(Handle<Tcp>, BodyReader),
    Done,
}

#[derive(Debug)]
enum BodyReader {
    Length(u64),
    Chunked(ChunkedDecoder),
    UntilClose,
}

#[derive(Debug)]
pub struct HttpClient {
    spec: HttpClientSpec,
    phase: Phase,
    parser: ResponseParser,
    /// Received bytes not yet consumed (the head, then chunk framing).
    rx: Vec<u8>,
    hash: StreamHash,
    started: Option<Instant>,
    report: HttpClientReport,
}

impl HttpClient {
    pub fn start(spec: HttpClientSpec) -> Self {
        HttpClient {
            report: HttpClientReport {
                url: format!("http://{}{}", spec.remote, spec.path),
                ..HttpClientReport::default()
            },
            spec,
            phase: Phase::Connecting(None),
            parser: ResponseParser::new(),
            rx: Vec::new(),
            hash: StreamHash::default(),
            started: None,
        }
    }

    fn request(&self) -> Result<Vec<u8>, String> {
        let mut buf = vec![0u8; MAX_HEAD];
        let host = if self.spec.host.is_empty() {
            self.spec.remote.to_string()
        } else {
            self.spec.host.clone()
        };
        let mut head = HeadWriter::request(&mut buf, "GET", &self.spec.path)
            .map_err(|e| format!("bad request: {e:?}"))?;
        head.header("Host", host.as_bytes())
            .and_then(|h| h.header("Connection", b"close"))
            .map_err(|e| format!("bad request: {e:?}"))?;
        let len = head.finish().map_err(|e| format!("bad request: {e:?}"))?;
        buf.truncate(len);
        Ok(buf)
    }

    /// Advances as far as the socket allows; `Ok(true)` once finished.
    fn step(&mut self, now: Instant, stack: &mut TapStack) -> Result<bool, String> {
        loop {
            let next = match &mut self.phase {
                Phase::Connecting(None) => {
                    if stack.ipv4_address().is_none() {
                        return Ok(false);
                    }
                    let handle = add_tcp_socket(stack).map_err(|e| e.to_string())?;
                    self.phase = Phase::Connecting(Some(handle));
                    stack
                        .tcp_connect(handle, now, self.spec.remote)
                        .map_err(|e| AppError::Tcp(e).to_string())?;
                    self.started = Some(now);
                    continue;
                }
                Phase::Connecting(Some(handle)) => {
                    let handle = *handle;
                    let socket = stack.tcp(handle).ok_or("socket vanished")?;
                    match socket.state() {
                        State::SynSent => return Ok(false),
                        State::Closed => return Err("connection refused".into()),
                        _ => {}
                    }
                    let request = self.request()?;
                    if socket.send_slice(&request) != Ok(request.len()) {
                        return Err("the request does not fit the send buffer".into());
                    }
                    Phase::Head(handle)
                }
                Phase::Head(handle) => {
                    let handle = *handle;
                    let finished = self.fill(stack, handle)?;
                    match self.head()? {
                        Some(reader) => Phase::Body(handle, reader),
                        None if finished => return Err("closed before a response".into()),
                        None => return Ok(false),
                    }
                }
                Phase::Body(handle, _) => {
                    let handle = *handle;
                    let finished = self.fill(stack, handle)?;
                    if !self.body(finished)? {
                        return Ok(false);
                    }
                    if let Some(socket) = stack.tcp(handle) {
                        socket.close();
                    }
                    Phase::Done
                }
                Phase::Done => return Ok(true),
            };
            self.phase = next;
        }
    }

    /// Appends what arrived; true once the server closed.
    fn fill(&mut self, stack: &mut TapStack, handle: Handle<Tcp>) -> Result<bool, String> {
        let socket = stack.tcp(handle).ok_or("socket vanished")?;
        let mut buf = [0u8; 16 * 1024];
        loop {
            match socket.recv_slice(&mut buf) {
                Ok(0) => return Ok(false),
                Ok(n) => self.rx.extend_from_slice(&buf[..n]),
                Err(Error::Finished) => return Ok(true),
                Err(_) => return Err("connection reset".into()),
            }
        }
    }

    /// Parses the response head once complete.
    fn head(&mut self) -> Result<Option<BodyReader>, String> {
        let mut fields = [Header::EMPTY; MAX_FIELDS];
        let response = match self.parser.parse(&self.rx, &mut fields) {
            Ok(Progress::Done(response)) => response,
            Ok(Progress::NeedMore) => return Ok(None),
            Err(e) => return Err(format!("bad response: {e:?}")),
        };
        self.report.status = Some(response.status());
        let reader = match response.body() {
            Body::None => BodyReader::Length(0),
            Body::Length(n) => BodyReader::Length(n),
            Body::Chunked => BodyReader::Chunked(ChunkedDecoder::new()),
            Body::UntilClose => BodyReader::UntilClose,
        };
        let head_len = response.head_len();
        self.rx.drain(..head_len);
        Ok(Some(reader))
    }

    /// Hashes body bytes; true once the body is complete.
    fn body(&mut self, finished: bool) -> Result<bool, String> {
        let Phase::Body(_, reader) = &mut self.phase else {
            return Ok(true);
        };
        match reader {
            BodyReader::Length(left) => {
                let take = usize::try_from(*left).map_or(self.rx.len(), |l| l.min(self.rx.len()));
                self.hash.update(&self.rx[..take]);
                self.rx.drain(..take);
                *left -= take as u64;
                if *left > 0 && finished {
                    return Err(format!("closed {left} bytes before the end of the body"));
                }
                Ok(*left == 0)
            }
            BodyReader::UntilClose => {
                self.hash.update(&self.rx);
                self.rx.clear();
                Ok(finished)
            }
            BodyReader::Chunked(decoder) => loop {
                let (used, chunk) = decoder
                    .decode(&self.rx)
                    .map_err(|e| format!("bad chunked body: {e:?}"))?;
                let (end, progressed) = match chunk {
                    Some(Chunk::Data(data)) => {
                        self.hash.update(data);
                        (false, true)
                    }
                    Some(Chunk::End) => (true, true),
                    Some(Chunk::Trailer(_)) => (false, true),
                    None => (false, false),
                };
                self.rx.drain(..used);
                if end {
                    return Ok(true);
                }
                if !progressed {
                    if finished {
                        return Err("closed inside a chunked body".into());
                    }
                    return Ok(false);
                }
            },
        }
    }
}

impl Service for HttpClient {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        if matches!(self.phase, Phase::Done) || self.report.error.is_some() {
            return;
        }
        match self.step(now, stack) {
            Ok(false) => return,
            Ok(true) => self.report.elapsed = self.started.map(|s| now - s),
            Err(e) => {
                self.report.error = Some(e);
                self.phase = Phase::Done;
            }
        }
        self.report.body_bytes = self.hash.bytes();
        self.report.sha256 = self.hash.hex();
        log.event(now, format_args!("{}", self.report));
    }

    fn poll_at(&self) -> Option<Instant> {
        None
    }

    fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    fn is_finite(&self) -> bool {
        true
    }

    fn report(&self) -> Report {
        Report::HttpClient(self.report.clone())
    }
}
