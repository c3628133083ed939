//! What the caller chooses and lends: settings, sockets and their buffers.

use core::net::Ipv4Addr;

use seqs::iface::BindError;
use seqs::storage::Managed;
use seqs::wire::EthernetAddress;
use seqs::{dns, tcp, udp};

/// HTTP connections served at once: one listening socket each on the HTTP
/// port, which together form the accept backlog.
pub const HTTP_CONNECTIONS: usize = 3;

/// Socket slots the application takes in [`seqs::Storage::sockets`]: DHCP,
/// NTP, DNS and the HTTP connections.
pub const SOCKET_SLOTS: usize = 3 + HTTP_CONNECTIONS;

/// The application's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config<'a> {
    /// The interface (its MAC address, MTU, ARP and TCP policies).
    pub stack: seqs::Config,
    /// Sent to the DHCP server (option 12) so it can name the board.
    pub hostname: Option<&'a str>,
    /// NTP server used when the DHCP lease names none.
    pub ntp_server: Option<Ipv4Addr>,
    /// A name resolved (A record) once the lease brings DNS servers, shown
    /// on the status page; a proof that DNS works from where the board is.
    pub lookup: Option<&'a str>,
    pub http_port: u16,
}

impl Config<'static> {
    /// Defaults: no hostname, no fallback NTP server, no lookup, port 80.
    pub fn new(mac: EthernetAddress) -> Self {
        Config {
            stack: seqs::Config::new(mac),
            hostname: None,
            ntp_server: None,
            lookup: None,
            http_port: 80,
        }
    }
}

/// The sockets the application runs on, with the caller's buffers.
#[derive(Debug)]
pub struct Sockets<'a> {
    pub dhcp: udp::Socket<'a>,
    pub ntp: udp::Socket<'a>,
    pub dns: udp::Socket<'a>,
    /// Addresses one lookup may return (one entry is enough).
    pub dns_answers: Managed<'a, dns::Answer>,
    /// The HTTP connections. A send buffer should hold [`RESPONSE_MAX`]
    /// bytes: a response that never fits is answered with a short 500.
    ///
    /// [`RESPONSE_MAX`]: crate::RESPONSE_MAX
    pub http: [tcp::Socket<'a>; HTTP_CONNECTIONS],
}

/// Why [`App::new`](crate::App::new) failed: the storage does not fit the
/// application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// [`seqs::Storage::sockets`] has fewer than [`SOCKET_SLOTS`] slots.
    SocketSlots,
    /// A UDP port was taken (only possible with a custom stack).
    Bind(BindError),
    /// The HTTP port is zero.
    Listen(tcp::Error),
}

impl From<BindError> for Error {
    fn from(e: BindError) -> Self {
        Error::Bind(e)
    }
}

impl From<tcp::Error> for Error {
    fn from(e: tcp::Error) -> Self {
        Error::Listen(e)
    }
}
