//! Apps: small state machines a simulated host runs over the `seqs` stack
//! API (one file per app), and the configuration values that choose them.
//!
//! An app starts at its `start` time (relative to the host's boot), is
//! polled before every transmit of its host, contributes its next deadline
//! to the host's `poll_at`, and reports an [`AppResult`].

mod dhcp_server;
mod dns_lookup;
mod dns_server;
mod http_get;
mod http_server;
mod ntp_client;
mod ntp_server;
mod pattern;
mod ping;
mod resolve;
mod result;
mod rtt;
mod tcp_bulk;
mod tcp_conn;
mod tcp_sink;
mod udp_echo;
mod udp_send;

use std::fmt;
use std::net::Ipv4Addr;

use seqs::dhcp::{AddressRange, Reservation};
use seqs::socket::{Handle, Socket};
use seqs::time::Instant;
use seqs::wire::ntp::Epoch;

use crate::host::{HostCapacities, HostStack};
use crate::node::NodeCtx;
use crate::time::{SimDuration, SimTime};

pub use result::{AppResult, AppStatus};

/// The wall-clock time (Unix seconds) at virtual time zero: what NTP
/// servers and clients take the simulation clock to mean (2026-01-01).
pub const WALL_CLOCK_EPOCH_UNIX_SECS: u64 = 1_767_225_600;

/// A running app: a state machine over the stack API.
pub(crate) trait App {
    /// Runs the app (from its start time on, before every transmit of its
    /// host). Returns `true` when it changed something (queued data, created
    /// or removed a socket, finished), so the host polls again once the
    /// stack has run; `false` when it had nothing to do.
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool;

    /// When the app next needs polling without a frame arriving first; it
    /// never returns a time it would not act at.
    fn poll_at(&self) -> Option<SimTime>;
}

/// What an app sees when it runs: its host's stack and sizes, the time and
/// its trace.
pub(crate) struct AppCx<'c, 'n> {
    pub stack: &'c mut HostStack,
    pub caps: &'c HostCapacities,
    pub tcp: &'c seqs::tcp::Config,
    pub now: SimTime,
    name: &'c str,
    node: &'c mut NodeCtx<'n>,
}

impl<'c, 'n> AppCx<'c, 'n> {
    pub fn new(
        stack: &'c mut HostStack,
        caps: &'c HostCapacities,
        tcp: &'c seqs::tcp::Config,
        name: &'c str,
        node: &'c mut NodeCtx<'n>,
    ) -> Self {
        let now = node.now();
        AppCx {
            stack,
            caps,
            tcp,
            now,
            name,
            node,
        }
    }

    pub fn instant(&self) -> Instant {
        self.now.to_instant()
    }

    /// A trace line for this app (`host/app kind details`).
    pub fn trace(&mut self, kind: &str, details: fmt::Arguments<'_>) {
        self.node.trace(Some(self.name), kind, details);
    }
}

/// The state machine for `kind`, not yet started.
pub(crate) fn build(kind: &AppKind) -> Box<dyn App> {
    match kind {
        AppKind::DhcpServer(c) => Box::new(dhcp_server::DhcpServer::new(c)),
        AppKind::DnsServer(c) => Box::new(dns_server::DnsServer::new(c)),
        AppKind::NtpServer(c) => Box::new(ntp_server::NtpServer::new(*c)),
        AppKind::NtpClient(c) => Box::new(ntp_client::NtpClient::new(*c)),
        AppKind::DnsLookup(c) => Box::new(dns_lookup::DnsLookup::new(c)),
        AppKind::Ping(c) => Box::new(ping::Ping::new(c)),
        AppKind::UdpEcho(c) => Box::new(udp_echo::UdpEcho::new(*c)),
        AppKind::UdpSend(c) => Box::new(udp_send::UdpSend::new(c)),
        AppKind::TcpSink(c) => Box::new(tcp_sink::TcpSink::new(*c)),
        AppKind::TcpBulk(c) => Box::new(tcp_bulk::TcpBulk::new(c)),
        AppKind::HttpServer(c) => Box::new(http_server::HttpServer::new(c)),
        AppKind::HttpGet(c) => Box::new(http_get::HttpGet::new(c)),
    }
}

/// Datagrams a server's socket has sent: its replies.
pub(crate) fn replies_sent<K>(stack: &HostStack, handle: Handle<K>) -> u64 {
    let counters = match stack.sockets().get(handle) {
        Some(Socket::DhcpServer(s)) => s.counters(),
        Some(Socket::DnsServer(s)) => s.counters(),
        Some(Socket::NtpServer(s)) => s.counters(),
        Some(Socket::Udp(s)) => s.counters(),
        _ => return 0,
    };
    counters.tx_datagrams
}

/// The wall-clock meaning of the simulation clock, for NTP.
pub(crate) fn wall_clock_epoch() -> Epoch {
    Epoch::from_unix_micros(WALL_CLOCK_EPOCH_UNIX_SECS * 1_000_000)
}

/// One app of a host.
#[derive(Debug, Clone, PartialEq)]
pub struct AppConfig {
    /// Unique within the host; the trace shows it as `host/name`.
    pub name: String,
    /// When the app starts, after the host (re)boots.
    pub start: SimDuration,
    pub kind: AppKind,
}

impl AppConfig {
    pub fn new(name: &str, start: SimDuration, kind: AppKind) -> Self {
        AppConfig {
            name: name.into(),
            start,
            kind,
        }
    }
}

/// Where a client app sends: an address, or a name resolved with DNS first
/// (through the host's resolvers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Addr(Ipv4Addr),
    Name(String),
}

/// What an app does.
#[derive(Debug, Clone, PartialEq)]
pub enum AppKind {
    DhcpServer(DhcpServerConfig),
    DnsServer(DnsServerConfig),
    NtpServer(NtpServerConfig),
    NtpClient(NtpClientConfig),
    DnsLookup(DnsLookupConfig),
    Ping(PingConfig),
    UdpEcho(UdpEchoConfig),
    UdpSend(UdpSendConfig),
    TcpSink(TcpSinkConfig),
    TcpBulk(TcpBulkConfig),
    HttpServer(HttpServerConfig),
    HttpGet(HttpGetConfig),
}

impl AppKind {
    /// The stable name of the kind, as traces show it.
    pub fn name(&self) -> &'static str {
        match self {
            AppKind::DhcpServer(_) => "dhcp-server",
            AppKind::DnsServer(_) => "dns-server",
            AppKind::NtpServer(_) => "ntp-server",
            AppKind::NtpClient(_) => "ntp-client",
            AppKind::DnsLookup(_) => "dns-lookup",
            AppKind::Ping(_) => "ping",
            AppKind::UdpEcho(_) => "udp-echo",
            AppKind::UdpSend(_) => "udp-send",
            AppKind::TcpSink(_) => "tcp-sink",
            AppKind::TcpBulk(_) => "tcp-bulk",
            AppKind::HttpServer(_) => "http-server",
            AppKind::HttpGet(_) => "http-get",
        }
    }
}

/// A DHCP server for the host's own (static) subnet; its address is the
/// server identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpServerConfig {
    pub ranges: Vec<AddressRange>,
    pub reservations: Vec<Reservation>,
    pub lease: SimDuration,
    pub router: Option<Ipv4Addr>,
    pub dns: Vec<Ipv4Addr>,
    pub ntp: Vec<Ipv4Addr>,
    pub domain: Option<String>,
    /// Lease table rows (clients remembered at once).
    pub max_leases: usize,
}

impl DhcpServerConfig {
    /// Hour-long leases from `ranges`, nothing else offered, 256 rows.
    pub fn new(ranges: Vec<AddressRange>) -> Self {
        DhcpServerConfig {
            ranges,
            reservations: Vec::new(),
            lease: SimDuration::from_secs(3600),
            router: None,
            dns: Vec::new(),
            ntp: Vec::new(),
            domain: None,
            max_leases: 256,
        }
    }
}

/// An authoritative DNS server for a static zone, on port 53.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsServerConfig {
    pub zone: Vec<ZoneRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneRecord {
    /// Dotted owner name (`www.example.test`).
    pub name: String,
    pub ttl: u32,
    pub data: RecordData,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    A(Ipv4Addr),
    /// Dotted target name.
    Cname(String),
}

/// An NTP server on port 123 whose clock is the simulation's plus
/// `offset_micros`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtpServerConfig {
    pub offset_micros: i64,
    pub stratum: u8,
}

/// An SNTP client: one burst of requests, then its best sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtpClientConfig {
    /// `None`: the first NTP server the interface knows (DHCP or static).
    pub server: Option<Ipv4Addr>,
    /// Succeeds only if the measured offset is this close to the expected.
    pub expect: Option<OffsetExpectation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetExpectation {
    pub offset_micros: i64,
    pub tolerance_micros: u64,
}

/// One A lookup through the host's resolvers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsLookupConfig {
    pub name: String,
    /// Succeeds only if the answer is exactly these addresses (any order).
    pub expect: Option<Vec<Ipv4Addr>>,
}

/// ICMP echo requests; succeeds if at least one reply came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingConfig {
    pub target: Target,
    pub count: u32,
    pub interval: SimDuration,
    /// Echo data bytes per request.
    pub size: usize,
}

/// Echoes every UDP datagram back to its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpEchoConfig {
    pub port: u16,
}

/// Sends numbered datagrams and counts the echoes that come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpSendConfig {
    pub target: Target,
    pub port: u16,
    pub count: u32,
    pub interval: SimDuration,
    /// Payload bytes per datagram (at least the 8-byte sequence number).
    pub size: usize,
}

/// Accepts TCP connections and verifies each byte stream a bulk sender
/// produces. Concurrent connections are bounded by the host's socket slots
/// (one listens; a SYN finding none is refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSinkConfig {
    pub port: u16,
}

/// Connects and sends `bytes` of a seeded pattern, then closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpBulkConfig {
    pub target: Target,
    pub port: u16,
    pub bytes: u64,
}

/// Serves fixed responses by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpServerConfig {
    pub port: u16,
    pub routes: Vec<HttpRoute>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRoute {
    pub path: String,
    pub status: u16,
    pub body: Vec<u8>,
}

/// Fetches `path` `count` times, on one connection when `keep_alive`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpGetConfig {
    pub target: Target,
    pub port: u16,
    /// `GET` by default; other methods (e.g. `POST` to switch an LED) are
    /// sent with an empty body.
    pub method: String,
    pub path: String,
    pub count: u32,
    pub keep_alive: bool,
    /// Every response must have this status (default 200).
    pub expect_status: u16,
}
