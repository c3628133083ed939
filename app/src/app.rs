//! The application node: the stack, its services, the HTTP server and the
//! LED, behind the stack's own driver contract.

use core::net::Ipv4Addr;

use seqs::dhcp::{self, Lease};
use seqs::http::server::{self, Connection, Server};
use seqs::rand_core::RngCore;
use seqs::stats::Counters;
use seqs::time::{Duration, Instant};
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{Stack, Storage};

use crate::config::{Config, Error, HttpSlot, Sockets, HTTP_CONNECTIONS, SOCKET_SLOTS};
use crate::led::Led;
use crate::services::{Lookup, ServiceSockets, Services};
use crate::site::Site;

/// TIME-WAIT on the HTTP sockets. The server closes first after a
/// `Connection: close` request or an error, and with a handful of slots
/// RFC 9293's 2 MSL (a minute) would leave the board unreachable after as
/// many such requests; segments on a LAN live far shorter than that.
const HTTP_TIME_WAIT: Duration = Duration::from_secs(2);

/// The firmware's application on a `seqs` stack.
///
/// Drive it like the stack itself:
///
/// ```text
/// app.receive(now, frame);
/// while let Some(n) = app.transmit(now, &mut buf) { nic.send(&buf[..n]) }
/// let deadline = app.poll_at();   // sleep until it or the next frame
/// ```
#[derive(Debug)]
pub struct App<'a, R, L> {
    stack: Stack<'a, R>,
    services: Services<'a>,
    http: Server<'a, Site<'a, L>, HTTP_CONNECTIONS>,
    site: Site<'a, L>,
    booted: Instant,
}

/// What the status page shows, for tests and simulator traces too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status<'a> {
    pub uptime: Duration,
    pub mac: EthernetAddress,
    pub address: Option<Ipv4Cidr>,
    pub gateway: Option<Ipv4Addr>,
    pub dhcp: Option<dhcp::ClientState>,
    pub lease: Option<Lease>,
    /// Until the lease expires; `None` without a lease or for an infinite one.
    pub lease_remaining: Option<Duration>,
    pub ntp_server: Option<Ipv4Addr>,
    /// Wall-clock time (Unix, microseconds) once NTP has synchronised.
    pub unix_micros: Option<u64>,
    pub lookup_name: Option<&'a str>,
    pub lookup: Lookup,
    pub led: bool,
    pub counters: Counters,
}

impl<'a, R: RngCore, L: Led + 'a> App<'a, R, L> {
    /// Builds the stack on `storage` (at least [`SOCKET_SLOTS`] socket
    /// slots), adds the services and HTTP listeners, and turns the LED off.
    /// `now` is boot time, from which uptime counts.
    pub fn new(
        config: Config<'a>,
        storage: Storage<'a>,
        sockets: Sockets<'a>,
        rng: R,
        mut led: L,
        now: Instant,
    ) -> Result<Self, Error> {
        let mut stack = Stack::new(config.stack, storage, rng);
        if stack.sockets().capacity() < SOCKET_SLOTS {
            return Err(Error::SocketSlots);
        }
        let Sockets {
            dhcp,
            ntp,
            dns,
            dns_answers,
            http,
        } = sockets;
        let udp = ServiceSockets {
            dhcp,
            ntp,
            dns,
            dns_answers,
        };
        let services = Services::add(&mut stack, &config, udp)?;
        let slots = http.map(|slot| add_http_slot(&mut stack, slot));
        if slots.iter().any(Option::is_none) {
            return Err(Error::SocketSlots);
        }
        let slots = slots.map(|slot| slot.expect("checked above"));
        let http = Server::new(server::Config::new(config.http_port), Site::ROUTES, slots);
        led.set(false);
        let status = gather(&stack, &services, false, now, now);
        Ok(App {
            stack,
            services,
            http,
            site: Site::new(led, status),
            booted: now,
        })
    }

    /// Accepts one inbound Ethernet frame and answers what it completes
    /// (an HTTP request, a lease, a DNS reply).
    pub fn receive(&mut self, now: Instant, frame: &[u8]) {
        self.stack.receive(now, frame);
        self.poll(now);
    }

    /// Writes the next outbound frame into `buf`; `None` when nothing is
    /// due at `now`.
    pub fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        self.poll(now);
        self.stack.transmit(now, buf)
    }

    /// The link came back after an outage (a Wi-Fi rejoin): the network
    /// may be another one, so the DHCP client re-verifies its lease
    /// ([`seqs::dhcp::Client::link_up`]), keeping the address until a NAK
    /// or silence says it is wrong. Its REQUEST goes out at the next
    /// [`App::transmit`].
    pub fn link_up(&mut self, now: Instant) {
        self.services.link_up(&mut self.stack, now);
    }

    /// The earliest instant the app must run again without a frame; `None`
    /// when only a frame can give it work.
    pub fn poll_at(&self) -> Option<Instant> {
        let stack = self.stack.poll_at().filter(|&t| t != Instant::MAX);
        [stack, self.services.poll_at(), self.http.poll_at()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The state the status page shows, at `now`.
    pub fn status(&self, now: Instant) -> Status<'a> {
        gather(&self.stack, &self.services, self.led_on(), self.booted, now)
    }

    /// The LED state last asked of the board.
    pub fn led_on(&self) -> bool {
        self.site.status.led
    }

    pub fn led(&self) -> &L {
        &self.site.led
    }

    pub fn stack(&self) -> &Stack<'a, R> {
        &self.stack
    }

    /// For drivers and tests that need more than the contract (counters of
    /// one socket, a static route); the app's own sockets are not to be
    /// removed.
    pub fn stack_mut(&mut self) -> &mut Stack<'a, R> {
        &mut self.stack
    }

    /// Follows the services and serves HTTP: everything the app does
    /// besides the stack's own work.
    fn poll(&mut self, now: Instant) {
        self.services.poll(&mut self.stack, now);
        self.site.status = self.status(now);
        self.http.poll(now, &mut self.stack, &mut self.site);
    }
}

/// Adds `slot`'s socket (with a short TIME-WAIT) and wraps it for the
/// server; `None` when the stack has no free socket slot.
fn add_http_slot<'a, R: RngCore>(
    stack: &mut Stack<'a, R>,
    slot: HttpSlot<'a>,
) -> Option<Connection<'a>> {
    let HttpSlot {
        mut socket,
        request,
        response,
    } = slot;
    let mut config = *socket.config();
    config.time_wait = config.time_wait.min(HTTP_TIME_WAIT);
    socket.set_config(config);
    let handle = stack.add_tcp_socket(socket)?;
    Some(Connection::new(handle, request, response))
}

fn gather<'a, R: RngCore>(
    stack: &Stack<'a, R>,
    services: &Services<'a>,
    led: bool,
    booted: Instant,
    now: Instant,
) -> Status<'a> {
    let lease = services.lease().copied();
    let (lookup_name, lookup) = services.lookup();
    let ipv4 = stack.ipv4_config();
    Status {
        uptime: now - booted,
        mac: stack.mac(),
        address: ipv4.address,
        gateway: ipv4.gateway,
        dhcp: services.dhcp_state(stack),
        lease,
        lease_remaining: lease.and_then(|l| l.duration.map(|_| l.expires_at - now)),
        ntp_server: services.ntp_server(),
        unix_micros: services.unix_micros(stack, now),
        lookup_name,
        lookup,
        led,
        counters: stack.counters().clone(),
    }
}
