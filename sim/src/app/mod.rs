//! Apps: small state machines a simulated host runs over the `seqs` stack
//! API (one file per app), and the configuration values that choose them.
//!
//! An app starts at its `start` time (relative to the host's boot), is
//! polled before every transmit of its host, contributes its next deadline
//! to the host's `poll_at`, and reports an [`AppResult`].

mod result;

use std::net::Ipv4Addr;

use seqs::dhcp::{AddressRange, Reservation};

use crate::time::SimDuration;

pub use result::{AppResult, AppStatus};

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
/// produces.
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
    pub path: String,
    pub count: u32,
    pub keep_alive: bool,
    /// Every response must have this status (default 200).
    pub expect_status: u16,
}
