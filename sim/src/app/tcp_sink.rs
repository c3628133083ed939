//! Accepts TCP connections on a port and verifies each stream a bulk sender
//! produces, byte for byte (see [`super::pattern`]).
//!
//! One socket listens, replaced as soon as it takes a connection (see
//! [`Listener`]). Traces each stream's end (`stream verified bytes=..
//! checksum=..`, or `stream aborted ..`). Runs for the whole run, and
//! fails at the first byte that differs from the pattern or a stream that
//! ends short. Metrics: `accepted`, `verified` (complete, intact streams),
//! `aborted` (connections lost mid-stream), `bytes` (payload bytes
//! verified), `checksum` (digest of the last verified stream).

use seqs::tcp::{self, State};

use super::pattern::{Digest, Stream, HEADER_LEN};
use super::tcp_conn::{Conn, Listener};
use super::{App, AppCx, AppResult, TcpSinkConfig};
use crate::time::SimTime;

const READ_CHUNK: usize = 16 * 1024;

/// One accepted connection and how far its stream has been checked.
struct Incoming {
    conn: Conn,
    header: Vec<u8>,
    stream: Option<Stream>,
    offset: u64,
    digest: Digest,
    /// The stream ended (FIN) and our side was closed.
    done: bool,
}

pub(crate) struct TcpSink {
    port: u16,
    started: bool,
    listener: Listener,
    conns: Vec<Incoming>,
    accepted: u64,
    verified: u64,
    aborted: u64,
    bytes: u64,
    checksum: Option<u32>,
    scratch: Vec<u8>,
}

/// What reading a connection came to.
enum Read {
    /// Still open (maybe with progress).
    Open(bool),
    /// The stream is complete and intact.
    Verified,
    Corrupt(String),
}

impl TcpSink {
    pub fn new(config: TcpSinkConfig) -> Self {
        TcpSink {
            port: config.port,
            started: false,
            listener: Listener::new(config.port),
            conns: Vec::new(),
            accepted: 0,
            verified: 0,
            aborted: 0,
            bytes: 0,
            checksum: None,
            scratch: vec![0; READ_CHUNK],
        }
    }

    /// Moves a connection the listener took to the connections.
    fn accept(&mut self, cx: &mut AppCx<'_, '_>) -> bool {
        let Some(conn) = self.listener.accept(cx) else {
            return false;
        };
        self.accepted += 1;
        self.conns.push(Incoming {
            conn,
            header: Vec::with_capacity(HEADER_LEN),
            stream: None,
            offset: 0,
            digest: Digest::default(),
            done: false,
        });
        true
    }

    fn read(&mut self, cx: &mut AppCx<'_, '_>, index: usize) -> Read {
        let incoming = &mut self.conns[index];
        let Some(socket) = cx.stack.tcp(incoming.conn.handle) else {
            return Read::Open(false);
        };
        let mut acted = false;
        loop {
            match socket.recv_slice(&mut self.scratch) {
                Ok(0) => return Read::Open(acted),
                Ok(n) => {
                    acted = true;
                    if let Err(reason) = incoming.check(&self.scratch[..n]) {
                        return Read::Corrupt(reason);
                    }
                }
                Err(tcp::Error::Finished) if !incoming.done => {
                    incoming.done = true;
                    socket.close();
                    return match incoming.stream {
                        Some(s) if s.len == incoming.offset => Read::Verified,
                        _ => Read::Corrupt(format!(
                            "stream ended after {} payload bytes",
                            incoming.offset
                        )),
                    };
                }
                Err(_) => return Read::Open(acted),
            }
        }
    }

    fn report(&self, result: &mut AppResult) {
        result.set("accepted", self.accepted);
        result.set("verified", self.verified);
        result.set("aborted", self.aborted);
        result.set("bytes", self.bytes);
        if let Some(c) = self.checksum {
            result.set("checksum", c);
        }
    }
}

impl Incoming {
    /// Checks received bytes against the stream's pattern.
    fn check(&mut self, mut data: &[u8]) -> Result<(), String> {
        if self.stream.is_none() {
            let take = (HEADER_LEN - self.header.len()).min(data.len());
            self.header.extend_from_slice(&data[..take]);
            data = &data[take..];
            if let Ok(h) = <[u8; HEADER_LEN]>::try_from(self.header.as_slice()) {
                self.stream = Some(Stream::from_header(&h));
            }
        }
        let Some(stream) = self.stream else {
            return Ok(());
        };
        for (i, &b) in data.iter().enumerate() {
            let at = self.offset + i as u64;
            if at >= stream.len {
                return Err(format!(
                    "bytes past the announced {} byte length",
                    stream.len
                ));
            }
            if b != stream.byte(at) {
                return Err(format!("byte {at} differs from the pattern"));
            }
        }
        self.digest.update(data);
        self.offset += data.len() as u64;
        Ok(())
    }
}

impl App for TcpSink {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let mut acted = !self.started;
        if !self.started {
            self.started = true;
            if !self.listener.fill(cx) {
                result.fail(format!("cannot listen on port {}", self.port));
                return true;
            }
        }
        if self.accept(cx) {
            acted = true;
        }
        let mut index = 0;
        while index < self.conns.len() {
            let state = self.conns[index].conn.observe(cx);
            match self.read(cx, index) {
                Read::Open(progress) => acted |= progress,
                Read::Verified => {
                    let incoming = &self.conns[index];
                    self.verified += 1;
                    self.bytes += incoming.offset;
                    self.checksum = Some(incoming.digest.value());
                    cx.trace(
                        "stream",
                        format_args!(
                            "verified bytes={} checksum={}",
                            incoming.offset,
                            incoming.digest.value()
                        ),
                    );
                    acted = true;
                }
                Read::Corrupt(reason) => {
                    cx.trace("stream", format_args!("corrupt {reason}"));
                    result.fail(reason);
                    self.report(result);
                    return true;
                }
            }
            if matches!(state, Some(State::Closed | State::TimeWait) | None) {
                let gone = self.conns.remove(index);
                if !gone.done {
                    self.aborted += 1;
                    cx.trace("stream", format_args!("aborted after={}", gone.offset));
                }
                cx.stack.remove_socket(gone.conn.handle);
                acted = true;
                continue;
            }
            index += 1;
        }
        self.report(result);
        acted
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}
