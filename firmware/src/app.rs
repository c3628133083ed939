//! The `seqs` application on the board: its storage as statics, the LED
//! request path to the task that owns the Wi-Fi chip, and the node the
//! `seqs-embassy` runner drives (the application, with the echo service's
//! async socket on the same stack).
//!
//! Everything here is board-independent (no RP2040 types), so the host
//! tests build the application exactly as the firmware does.

use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::signal::Signal;
use seqs::arp::Neighbor;
use seqs::iface::IcmpOut;
use seqs::rand_core::RngCore;
use seqs::socket::Slot;
use seqs::storage::{PacketBuffer, PacketMeta, RingBuffer};
use seqs::time::Instant;
use seqs::wire::EthernetAddress;
use seqs::{dns, tcp, udp, Stack, Storage};
use seqs_app::{
    App, HttpSlot, Led, Sockets, HTTP_CONNECTIONS, REQUEST_MAX, RESPONSE_MAX, SOCKET_SLOTS,
};

use seqs_embassy::Node;

use crate::echo;
use crate::settings::Settings;

/// ARP cache entries: the gateway, the DHCP/NTP/DNS servers and a few
/// browsers on the LAN.
const NEIGHBORS: usize = 8;
/// Socket slots beside the application's: the echo service's.
const EXTRA_SOCKETS: usize = 1;
/// Datagrams per UDP queue: DHCP, NTP and DNS have one exchange at a time.
const UDP_PACKETS: usize = 2;

/// Receive and send buffers of one UDP socket.
struct UdpBuffers<const RX: usize, const TX: usize> {
    rx_meta: [PacketMeta<udp::Meta>; UDP_PACKETS],
    rx: [u8; RX],
    tx_meta: [PacketMeta<udp::Meta>; UDP_PACKETS],
    tx: [u8; TX],
}

impl<const RX: usize, const TX: usize> UdpBuffers<RX, TX> {
    fn new() -> Self {
        UdpBuffers {
            rx_meta: [PacketMeta::empty(); UDP_PACKETS],
            rx: [0; RX],
            tx_meta: [PacketMeta::empty(); UDP_PACKETS],
            tx: [0; TX],
        }
    }

    fn socket(&'static mut self) -> udp::Socket<'static> {
        udp::Socket::new(
            PacketBuffer::new(&mut self.rx_meta, &mut self.rx),
            PacketBuffer::new(&mut self.tx_meta, &mut self.tx),
        )
    }
}

/// Receive and send buffers of one TCP socket, `N` bytes each.
#[derive(Debug)]
pub struct TcpBuffers<const N: usize> {
    rx: [u8; N],
    tx: [u8; N],
}

impl<const N: usize> TcpBuffers<N> {
    pub const fn new() -> Self {
        TcpBuffers {
            rx: [0; N],
            tx: [0; N],
        }
    }

    pub fn socket(&'static mut self) -> tcp::Socket<'static> {
        tcp::Socket::new(RingBuffer::new(&mut self.rx), RingBuffer::new(&mut self.tx))
    }
}

impl<const N: usize> Default for TcpBuffers<N> {
    fn default() -> Self {
        TcpBuffers::new()
    }
}

/// TCP receive and send buffers of an HTTP connection: a request head or
/// a response drains through them in pieces.
const TCP_BUFFER: usize = 1024;

/// One HTTP connection: its socket's buffers, and the server's request
/// buffer and response staging buffer.
struct HttpBuffers {
    tcp: TcpBuffers<TCP_BUFFER>,
    request: [u8; REQUEST_MAX],
    response: [u8; RESPONSE_MAX],
}

impl HttpBuffers {
    fn new() -> Self {
        HttpBuffers {
            tcp: TcpBuffers::new(),
            request: [0; REQUEST_MAX],
            response: [0; RESPONSE_MAX],
        }
    }

    fn slot(&'static mut self) -> HttpSlot<'static> {
        HttpSlot {
            socket: self.tcp.socket(),
            request: &mut self.request,
            response: &mut self.response,
        }
    }
}

/// Every byte the stack and the application use, allocated once in a
/// `static` (a `StaticCell` in `main.rs`). No IPv4 reassembly slots: what
/// the application exchanges (DHCP, NTP, DNS, small HTTP requests) is never
/// fragmented on a LAN, and fragments are counted and dropped.
pub struct Buffers {
    slots: [Slot<'static>; SOCKET_SLOTS + EXTRA_SOCKETS],
    neighbors: [Option<Neighbor>; NEIGHBORS],
    icmp_meta: [PacketMeta<IcmpOut>; 4],
    icmp: [u8; 1024],
    /// A DHCP message is up to 576 bytes unless the client says more.
    dhcp: UdpBuffers<1536, 1024>,
    ntp: UdpBuffers<128, 128>,
    dns: UdpBuffers<1024, 512>,
    answers: [dns::Answer; 2],
    http: [HttpBuffers; HTTP_CONNECTIONS],
    echo: echo::Buffers,
}

impl Buffers {
    pub fn new() -> Self {
        Buffers {
            slots: core::array::from_fn(|_| Slot::default()),
            neighbors: [None; NEIGHBORS],
            icmp_meta: [PacketMeta::empty(); 4],
            icmp: [0; 1024],
            dhcp: UdpBuffers::new(),
            ntp: UdpBuffers::new(),
            dns: UdpBuffers::new(),
            answers: [dns::Answer::UNSPECIFIED; 2],
            http: core::array::from_fn(|_| HttpBuffers::new()),
            echo: echo::Buffers::new(),
        }
    }
}

impl Default for Buffers {
    fn default() -> Self {
        Buffers::new()
    }
}

/// What [`build`] makes of the buffers.
#[derive(Debug)]
pub struct Built<R, L: 'static> {
    pub board: Board<'static, R, L>,
    /// The echo service's socket, not yet in the stack.
    pub echo: tcp::Socket<'static>,
}

/// The application on `buffers`, booted at `now`, and the echo socket.
pub fn build<R: RngCore, L: Led + 'static>(
    buffers: &'static mut Buffers,
    settings: &Settings,
    mac: EthernetAddress,
    rng: R,
    led: L,
    now: Instant,
) -> Result<Built<R, L>, seqs_app::Error> {
    let Buffers {
        slots,
        neighbors,
        icmp_meta,
        icmp,
        dhcp,
        ntp,
        dns,
        answers,
        http,
        echo,
    } = buffers;
    let storage = Storage {
        sockets: slots.into(),
        neighbors: neighbors.into(),
        fragments: (&mut [][..]).into(),
        icmp_out: PacketBuffer::new(icmp_meta, icmp),
    };
    let sockets = Sockets {
        dhcp: dhcp.socket(),
        ntp: ntp.socket(),
        dns: dns.socket(),
        dns_answers: answers.into(),
        http: http.each_mut().map(HttpBuffers::slot),
    };
    let mut config = seqs_app::Config::new(mac);
    config.hostname = Some(settings.hostname);
    config.ntp_server = settings.ntp_server;
    config.lookup = settings.lookup;
    let app = App::new(config, storage, sockets, rng, led, now)?;
    Ok(Built {
        board: Board(app),
        echo: echo.socket(),
    })
}

/// The LED as the application sees it: each request replaces the previous
/// one in a [`Signal`] that the task owning the Wi-Fi chip waits on, so the
/// frame path never waits for the chip's bus and only the latest state is
/// ever applied.
pub struct SignalLed<M: RawMutex + 'static>(pub &'static Signal<M, bool>);

impl<M: RawMutex> Led for SignalLed<M> {
    fn set(&mut self, on: bool) {
        self.0.signal(on);
    }
}

/// The application as the runner's node: its own frame contract (it
/// answers HTTP and follows its services on every frame), and its stack,
/// where the async sockets live beside the application's.
#[derive(Debug)]
pub struct Board<'a, R, L>(pub App<'a, R, L>);

impl<'a, R: RngCore, L: Led + 'a> Node<'a> for Board<'a, R, L> {
    type Rng = R;

    fn stack(&mut self) -> &mut Stack<'a, R> {
        self.0.stack_mut()
    }

    fn receive(&mut self, now: Instant, frame: &[u8]) {
        self.0.receive(now, frame);
    }

    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        self.0.transmit(now, buf)
    }

    fn poll_at(&mut self) -> Option<Instant> {
        self.0.poll_at()
    }
}

#[cfg(test)]
mod tests;
