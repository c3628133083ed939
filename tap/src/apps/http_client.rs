//! Our HTTP client (`seqs::http::client`) as a bridge app: one GET, the
//! body streamed through the client's buffer, counted and hashed so it can
//! be compared with the server's file.

use std::fmt;
use std::net::SocketAddrV4;

use seqs::http::client::{Client, Config, Event};
use seqs::time::{Duration, Instant};

use super::bulk::StreamHash;
use super::{Report, Service};
use crate::backlog::add_tcp_socket;
use crate::{EventLog, TapStack};

/// The client's buffer: the request, then the response head and body
/// pieces as they pass.
const BUFFER: usize = 16 * 1024;
/// Whole request, bulk bodies included.
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpClientSpec {
    pub remote: SocketAddrV4,
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

#[derive(Debug)]
pub struct HttpClient {
    spec: HttpClientSpec,
    /// Made at the first poll at which the interface has an address.
    client: Option<Client<'static>>,
    hash: StreamHash,
    started: Option<Instant>,
    done: bool,
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
            client: None,
            hash: StreamHash::default(),
            started: None,
            done: false,
        }
    }

    fn begin(&mut self, now: Instant, stack: &mut TapStack) -> Result<(), String> {
        if stack.ipv4_address().is_none() {
            return Ok(());
        }
        let handle = add_tcp_socket(stack).map_err(|e| e.to_string())?;
        // The client borrows its buffer for as long as the stack lives,
        // which for the bridge's stack is 'static.
        let buf: &'static mut [u8] = Box::leak(vec![0u8; BUFFER].into_boxed_slice());
        let config = Config {
            timeout: TIMEOUT,
            ..Config::default()
        };
        let mut client = Client::new(handle, self.spec.remote, buf, config);
        let host = match self.spec.host.as_str() {
            "" => self.spec.remote.to_string(),
            host => host.to_owned(),
        };
        client
            .get(now, stack, &self.spec.path, &host)
            .map_err(|e| e.to_string())?;
        self.client = Some(client);
        self.started = Some(now);
        Ok(())
    }

    /// Takes every event the client has; true once the response ended.
    fn step(&mut self, now: Instant, stack: &mut TapStack) -> Result<bool, String> {
        let Some(client) = &mut self.client else {
            self.begin(now, stack)?;
            return Ok(false);
        };
        loop {
            match client.poll(now, stack).map_err(|e| e.to_string())? {
                None => return Ok(false),
                Some(Event::Head(head)) => self.report.status = Some(head.status),
                Some(Event::Data(data)) => self.hash.update(data),
                Some(Event::Done) => return Ok(true),
            }
        }
    }
}

impl Service for HttpClient {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        if self.done {
            return;
        }
        match self.step(now, stack) {
            Ok(false) => return,
            Ok(true) => self.report.elapsed = self.started.map(|s| now - s),
            Err(e) => self.report.error = Some(e),
        }
        self.done = true;
        if let Some(client) = &self.client {
            if let Some(socket) = stack.tcp(client.handle()) {
                socket.close();
            }
        }
        self.report.body_bytes = self.hash.bytes();
        self.report.sha256 = self.hash.hex();
        log.event(now, format_args!("{}", self.report));
    }

    fn poll_at(&self) -> Option<Instant> {
        self.client.as_ref().and_then(Client::poll_at)
    }

    fn is_done(&self) -> bool {
        self.done
    }

    fn is_finite(&self) -> bool {
        true
    }

    fn report(&self) -> Report {
        Report::HttpClient(self.report.clone())
    }
}
