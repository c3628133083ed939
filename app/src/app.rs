//! The application node: the stack, its services, the HTTP server and the
//! LED, behind the stack's own driver contract.

use core::net::Ipv4Addr;

use seqs::dhcp::{self, Lease};
use seqs::rand_core::RngCore;
use seqs::stats::Counters;
use seqs::time::{Duration, Instant};
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{Stack, Storage};

use crate::config::{Config, Error, Sockets, SOCKET_SLOTS};
use crate::http::{Route, Server};
use crate::led::Led;
use crate::page;
use crate::services::{Lookup, ServiceSockets, Services};

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
    http: Server,
    led: L,
    led_on: bool,
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

impl<'a, R: RngCore, L: Led> App<'a, R, L> {
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
        let http = Server::listen(&mut stack, config.http_port, http)?;
        led.set(false);
        Ok(App {
            stack,
            services,
            http,
            led,
            led_on: false,
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

    /// The earliest instant the app must run again without a frame; `None`
    /// when only a frame can give it work.
    pub fn poll_at(&self) -> Option<Instant> {
        let stack = self.stack.poll_at().filter(|&t| t != Instant::MAX);
        [stack, self.services.poll_at()].into_iter().flatten().min()
    }

    /// The state the status page shows, at `now`.
    pub fn status(&self, now: Instant) -> Status<'a> {
        gather(&self.stack, &self.services, self.led_on, self.booted, now)
    }

    pub fn led_on(&self) -> bool {
        self.led_on
    }

    pub fn led(&self) -> &L {
        &self.led
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
        let App {
            services,
            http,
            led,
            led_on,
            booted,
            ..
        } = self;
        http.poll(&mut self.stack, |stack, route, out| {
            if let Route::SetLed(on, _) = route {
                if *led_on != on {
                    led.set(on);
                    *led_on = on;
                }
            }
            page::render(route, &gather(stack, services, *led_on, *booted, now), out)
        });
    }
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
