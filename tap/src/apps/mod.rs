//! Applications the bridge runs beside the stack, one file each. They are
//! small state machines over the stack's socket API: the bridge polls every
//! app after each frame or wake-up, then drains the stack's transmit queue,
//! and sleeps until the earliest of the stack's and the apps' deadlines.
//!
//! Adding an app: a file with a spec, a state machine implementing [`Service`] and
//! a report, plus one variant in each of [`AppSpec`], [`App`] and [`Report`].

mod bulk;
mod dhcp_client;
mod dhcp_server;
mod dns_lookup;
mod http_client;
mod http_server;
mod ntp_query;
mod ping;
mod tcp_echo;
mod tcp_server;
mod tcp_sink;
mod tcp_source;
mod udp_client;
mod udp_echo;

use std::fmt;

use seqs::iface::BindError;
use seqs::storage::{PacketBuffer, PacketMeta};
use seqs::time::Instant;
use seqs::{icmp, udp};

use crate::{EventLog, TapStack};

pub use bulk::{sha256_hex, Pattern, StreamHash};
pub use dhcp_client::{DhcpClient, DhcpClientReport};
pub use dhcp_server::{DhcpServer, DhcpServerReport, DhcpServerSpec};
pub use dns_lookup::{DnsLookup, DnsLookupReport, DnsLookupSpec};
pub use http_client::{HttpClient, HttpClientReport, HttpClientSpec};
pub use http_server::{HttpServer, HttpServerReport, HttpServerSpec, BODY_SEED};
pub use ntp_query::{NtpQuery, NtpQueryReport, NtpQuerySpec};
pub use ping::{Ping, PingReport, PingSpec};
pub use tcp_echo::{TcpEcho, TcpEchoReport, TcpEchoSpec};
pub use tcp_sink::{Received, TcpSink, TcpSinkReport, TcpSinkSpec};
pub use tcp_source::{TcpSource, TcpSourceReport, TcpSourceSpec};
pub use udp_client::{UdpClient, UdpClientReport, UdpClientSpec};
pub use udp_echo::{UdpEcho, UdpEchoReport, UdpEchoSpec};

/// What to run, as parsed from the command line or built by a test.
#[derive(Debug, Clone, PartialEq)]
pub enum AppSpec {
    Ping(PingSpec),
    UdpEcho(UdpEchoSpec),
    UdpClient(UdpClientSpec),
    DhcpServer(DhcpServerSpec),
    TcpEcho(TcpEchoSpec),
    TcpSink(TcpSinkSpec),
    TcpSource(TcpSourceSpec),
    DnsLookup(DnsLookupSpec),
    NtpQuery(NtpQuerySpec),
    HttpServer(HttpServerSpec),
    HttpClient(HttpClientSpec),
}

/// A running app.
#[derive(Debug)]
pub enum App {
    Ping(Ping),
    UdpEcho(UdpEcho),
    UdpClient(UdpClient),
    /// Started by the bridge for `Addressing::Dhcp`, not from a spec.
    DhcpClient(DhcpClient),
    DhcpServer(DhcpServer),
    TcpEcho(TcpEcho),
    TcpSink(TcpSink),
    /// Boxed: its hasher and chunk state dwarf the other apps.
    TcpSource(Box<TcpSource>),
    DnsLookup(DnsLookup),
    NtpQuery(NtpQuery),
    /// Boxed, like the client and the TCP source: they dwarf the others.
    HttpServer(Box<HttpServer>),
    HttpClient(Box<HttpClient>),
}

/// What an app did, returned when the bridge stops.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Ping(PingReport),
    UdpEcho(UdpEchoReport),
    UdpClient(UdpClientReport),
    DhcpClient(DhcpClientReport),
    DhcpServer(DhcpServerReport),
    TcpEcho(TcpEchoReport),
    TcpSink(TcpSinkReport),
    TcpSource(TcpSourceReport),
    DnsLookup(DnsLookupReport),
    NtpQuery(NtpQueryReport),
    HttpServer(HttpServerReport),
    HttpClient(HttpClientReport),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppError {
    /// The stack has no free socket slot.
    NoSocketSlot,
    Bind(BindError),
    Tcp(seqs::tcp::Error),
    /// A server that announces its own address has none (static needed).
    NoAddress,
    /// An address range whose first address comes after its last.
    EmptyRange,
    /// A DHCP server configuration the stack rejects.
    DhcpConfig(seqs::dhcp::ConfigError),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::NoSocketSlot => f.write_str("no free socket slot in the stack"),
            AppError::Bind(e) => write!(f, "cannot bind: {e:?}"),
            AppError::Tcp(e) => write!(f, "tcp: {e:?}"),
            AppError::NoAddress => f.write_str("the interface has no address yet"),
            AppError::EmptyRange => f.write_str("the range's first address is after its last"),
            AppError::DhcpConfig(e) => write!(f, "bad DHCP server configuration: {e:?}"),
        }
    }
}

impl std::error::Error for AppError {}

/// The contract between the bridge and an app.
pub trait Service {
    /// Does whatever is due at `now`: reads sockets, queues sends.
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog);
    /// When the app next needs [`Service::poll`] without a frame arriving;
    /// an instant in the past means "now". Servers that only answer need
    /// no timer.
    fn poll_at(&self) -> Option<Instant> {
        None
    }
    /// A client that finished; servers never finish.
    fn is_done(&self) -> bool {
        false
    }
    /// Whether the app finishes on its own (clients) or serves until the
    /// bridge stops (servers, the default).
    fn is_finite(&self) -> bool {
        false
    }
    fn report(&self) -> Report;
}

impl App {
    /// Opens the app's sockets on `stack`.
    pub fn start(spec: &AppSpec, now: Instant, stack: &mut TapStack) -> Result<App, AppError> {
        Ok(match spec {
            AppSpec::Ping(s) => App::Ping(Ping::start(s.clone(), now, stack)?),
            AppSpec::UdpEcho(s) => App::UdpEcho(UdpEcho::start(s.clone(), stack)?),
            AppSpec::UdpClient(s) => App::UdpClient(UdpClient::start(s.clone(), now, stack)?),
            AppSpec::DhcpServer(s) => App::DhcpServer(DhcpServer::start(s.clone(), stack)?),
            AppSpec::TcpEcho(s) => App::TcpEcho(TcpEcho::start(s.clone(), stack)?),
            AppSpec::TcpSink(s) => App::TcpSink(TcpSink::start(s.clone(), stack)?),
            AppSpec::TcpSource(s) => App::TcpSource(Box::new(TcpSource::start(s.clone()))),
            AppSpec::DnsLookup(s) => App::DnsLookup(DnsLookup::start(s.clone())),
            AppSpec::NtpQuery(s) => App::NtpQuery(NtpQuery::start(s.clone())),
            AppSpec::HttpServer(s) => {
                App::HttpServer(Box::new(HttpServer::start(s.clone(), stack)?))
            }
            AppSpec::HttpClient(s) => App::HttpClient(Box::new(HttpClient::start(s.clone()))),
        })
    }

    pub fn service(&self) -> &dyn Service {
        match self {
            App::Ping(a) => a,
            App::UdpEcho(a) => a,
            App::UdpClient(a) => a,
            App::DhcpClient(a) => a,
            App::DhcpServer(a) => a,
            App::TcpEcho(a) => a,
            App::TcpSink(a) => a,
            App::TcpSource(a) => a.as_ref(),
            App::DnsLookup(a) => a,
            App::NtpQuery(a) => a,
            App::HttpServer(a) => a.as_ref(),
            App::HttpClient(a) => a.as_ref(),
        }
    }

    pub fn service_mut(&mut self) -> &mut dyn Service {
        match self {
            App::Ping(a) => a,
            App::UdpEcho(a) => a,
            App::UdpClient(a) => a,
            App::DhcpClient(a) => a,
            App::DhcpServer(a) => a,
            App::TcpEcho(a) => a,
            App::TcpSink(a) => a,
            App::TcpSource(a) => a.as_mut(),
            App::DnsLookup(a) => a,
            App::NtpQuery(a) => a,
            App::HttpServer(a) => a.as_mut(),
            App::HttpClient(a) => a.as_mut(),
        }
    }
}

impl Report {
    /// A client got every answer it asked for; servers always are.
    pub fn is_complete(&self) -> bool {
        match self {
            Report::Ping(r) => r.is_complete(),
            Report::UdpClient(r) => r.is_complete(),
            Report::TcpSource(r) => r.is_complete(),
            Report::DnsLookup(r) => r.is_complete(),
            Report::NtpQuery(r) => r.is_complete(),
            Report::HttpClient(r) => r.is_complete(),
            Report::DhcpClient(r) => r.address.is_some(),
            Report::UdpEcho(_)
            | Report::DhcpServer(_)
            | Report::TcpEcho(_)
            | Report::TcpSink(_)
            | Report::HttpServer(_) => true,
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Report::Ping(r) => r.fmt(f),
            Report::UdpEcho(r) => r.fmt(f),
            Report::UdpClient(r) => r.fmt(f),
            Report::DhcpClient(r) => r.fmt(f),
            Report::DhcpServer(r) => r.fmt(f),
            Report::TcpEcho(r) => r.fmt(f),
            Report::TcpSink(r) => r.fmt(f),
            Report::TcpSource(r) => r.fmt(f),
            Report::DnsLookup(r) => r.fmt(f),
            Report::NtpQuery(r) => r.fmt(f),
            Report::HttpServer(r) => r.fmt(f),
            Report::HttpClient(r) => r.fmt(f),
        }
    }
}

/// Queue sizes of every app socket: enough for bursts of full-size
/// datagrams without the bridge ever growing them.
const QUEUE_PACKETS: usize = 16;
const QUEUE_BYTES: usize = 64 * 1024;

fn queue<H: Copy + Default>() -> PacketBuffer<'static, H> {
    PacketBuffer::new(
        vec![PacketMeta::empty(); QUEUE_PACKETS],
        vec![0u8; QUEUE_BYTES],
    )
}

pub(crate) fn udp_socket() -> udp::Socket<'static> {
    udp::Socket::new(queue(), queue())
}

fn icmp_socket() -> icmp::Socket<'static> {
    icmp::Socket::new(queue(), queue())
}

/// Binds a fresh UDP socket to `port`, or to an ephemeral port when zero.
pub(crate) fn open_udp(
    stack: &mut TapStack,
    port: u16,
) -> Result<(seqs::socket::Handle<seqs::socket::Udp>, u16), AppError> {
    let handle = stack
        .add_udp_socket(udp_socket())
        .ok_or(AppError::NoSocketSlot)?;
    let bound = if port == 0 {
        stack.bind_udp_ephemeral(handle)
    } else {
        stack.bind_udp(handle, port).map(|()| port)
    };
    match bound {
        Ok(port) => Ok((handle, port)),
        Err(e) => {
            stack.remove_socket(handle);
            Err(AppError::Bind(e))
        }
    }
}

/// Milliseconds with three decimals, as ping prints them.
fn millis(d: seqs::time::Duration) -> f64 {
    d.total_micros() as f64 / 1000.0
}
