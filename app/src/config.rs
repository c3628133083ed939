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
    pub http: [HttpSlot<'a>; HTTP_CONNECTIONS],
}

/// One HTTP connection: its TCP socket, a request buffer of at least
/// [`REQUEST_MAX`] bytes and a response (staging) buffer of at least
/// [`RESPONSE_MAX`] bytes, from which the response drains into the
/// socket's send buffer as the peer acknowledges it.
///
/// [`REQUEST_MAX`]: crate::REQUEST_MAX
/// [`RESPONSE_MAX`]: crate::RESPONSE_MAX
#[derive(Debug)]
pub struct HttpSlot<'a> {
    pub socket: tcp::Socket<'a>,
    pub request: &'a mut [u8],
    pub response: &'a mut [u8],
}

/// Why [`App::new`](crate::App::new) failed: the storage does not fit the
/// application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// [`seqs::Storage::sockets`] has fewer than [`SOCKET_SLOTS`] slots.
    SocketSlots,
    /// A UDP port was taken (only possible with a custom stack).
    Bind(BindError),
}

impl From<BindError> for Error {
    fn from(e: BindError) -> Self {
        Error::Bind(e)
    }
}
