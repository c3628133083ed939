//! DHCP, NTP and DNS: what the application keeps of them, and how a new
//! lease reconfigures NTP and DNS.

use core::net::{IpAddr, Ipv4Addr, SocketAddrV4};

use seqs::dhcp::{self, Lease};
use seqs::rand_core::RngCore;
use seqs::socket::{DhcpClient, DnsClient, Handle, NtpClient, Socket};
use seqs::storage::Managed;
use seqs::time::{Duration, Instant};
use seqs::wire::dns::Type;
use seqs::wire::ntp::Epoch;
use seqs::{dns, ntp, udp, Stack};

use crate::config::{Config, Error};

/// A failed lookup is tried again after this long.
const LOOKUP_RETRY: Duration = Duration::from_secs(30);
/// A successful lookup is repeated when its TTL runs out, but no sooner.
const LOOKUP_MIN_TTL: Duration = Duration::from_secs(60);

/// The state of the configured DNS lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// No name configured, or no lease with DNS servers yet.
    Idle,
    Pending,
    Resolved(Ipv4Addr),
    Failed(dns::Error),
}

/// The UDP sockets the services run on.
pub(crate) struct ServiceSockets<'a> {
    pub dhcp: udp::Socket<'a>,
    pub ntp: udp::Socket<'a>,
    pub dns: udp::Socket<'a>,
    pub dns_answers: Managed<'a, dns::Answer>,
}

/// The application's UDP services and what it learnt from them.
#[derive(Debug)]
pub(crate) struct Services<'a> {
    dhcp: Handle<DhcpClient>,
    ntp: Handle<NtpClient>,
    dns: Handle<DnsClient>,
    fallback_ntp: Option<Ipv4Addr>,
    /// The NTP server the client asks; `None` while it sleeps.
    ntp_server: Option<Ipv4Addr>,
    name: Option<&'a str>,
    lookup: Lookup,
    /// When the lookup is (re)started.
    lookup_at: Option<Instant>,
    /// The lease acted upon last.
    lease: Option<Lease>,
}

impl<'a> Services<'a> {
    pub fn add<R: RngCore>(
        stack: &mut Stack<'a, R>,
        config: &Config<'a>,
        sockets: ServiceSockets<'a>,
    ) -> Result<Self, Error> {
        let mut client = dhcp::ClientConfig::new(config.stack.mac);
        client.hostname = config.hostname.map(str::as_bytes);
        let dhcp = stack.add_dhcp_client(dhcp::Client::new(client), sockets.dhcp)?;
        // Asleep (its first burst at the end of time) until a lease says
        // which server to ask.
        let nowhere = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, ntp::PORT);
        let asleep = ntp::Client::new(ntp::Config::new(nowhere, Epoch::UNIX), Instant::MAX);
        let ntp = stack.add_ntp_client(asleep, sockets.ntp)?;
        let resolver = dns::Client::new(dns::Config::default(), sockets.dns_answers);
        let dns = stack.add_dns_client(resolver, sockets.dns)?;
        Ok(Services {
            dhcp,
            ntp,
            dns,
            fallback_ntp: config.ntp_server,
            ntp_server: None,
            name: config.lookup,
            lookup: Lookup::Idle,
            lookup_at: None,
            lease: None,
        })
    }

    /// Follows the lease and the lookup; run after every input.
    pub fn poll<R: RngCore>(&mut self, stack: &mut Stack<'a, R>, now: Instant) {
        let lease = self.current_lease(stack);
        let changed = !same_configuration(lease.as_ref(), self.lease.as_ref());
        // Kept even when only the timers moved: the page shows them.
        self.lease = lease;
        if changed {
            self.configure(stack, now);
        }
        self.start_lookup(stack, now);
        self.finish_lookup(stack, now);
    }

    /// Has the DHCP client re-verify its lease after a link outage.
    pub fn link_up<R: RngCore>(&self, stack: &mut Stack<'a, R>, now: Instant) {
        if let Some(s) = stack.dhcp_client(self.dhcp) {
            s.engine_mut().client_mut().link_up(now);
        }
    }

    /// When [`Services::poll`] has work of its own (the stack's sockets
    /// report their timers themselves).
    pub fn poll_at(&self) -> Option<Instant> {
        self.lookup_at
    }

    pub fn lease(&self) -> Option<&Lease> {
        self.lease.as_ref()
    }

    pub fn lookup(&self) -> (Option<&'a str>, Lookup) {
        (self.name, self.lookup)
    }

    pub fn ntp_server(&self) -> Option<Ipv4Addr> {
        self.ntp_server
    }

    pub fn dhcp_state<R: RngCore>(&self, stack: &Stack<'a, R>) -> Option<dhcp::ClientState> {
        match stack.sockets().get(self.dhcp) {
            Some(Socket::DhcpClient(s)) => Some(s.engine().client().state()),
            _ => None,
        }
    }

    /// Unix time in microseconds at `now`, once NTP has synchronised.
    pub fn unix_micros<R: RngCore>(&self, stack: &Stack<'a, R>, now: Instant) -> Option<u64> {
        let Some(Socket::NtpClient(s)) = stack.sockets().get(self.ntp) else {
            return None;
        };
        let offset = s.engine().last_sync()?.offset_micros;
        now.total_micros().checked_add_signed(offset)
    }

    fn current_lease<R: RngCore>(&self, stack: &mut Stack<'a, R>) -> Option<Lease> {
        stack
            .dhcp_client(self.dhcp)
            .and_then(|s| s.engine().client().lease().copied())
    }

    /// Points NTP and DNS at what the lease offers.
    fn configure<R: RngCore>(&mut self, stack: &mut Stack<'a, R>, now: Instant) {
        let Some(lease) = self.lease else {
            if let Some(s) = stack.dns_client(self.dns) {
                s.engine_mut().cancel();
            }
            self.lookup = Lookup::Idle;
            self.lookup_at = None;
            return;
        };
        let server = lease.ntp_servers.as_slice().first().copied();
        if let Some(server) = server.or(self.fallback_ntp) {
            self.use_ntp_server(stack, server, now);
        }
        let servers = lease.dns_servers.as_slice();
        if let Some(s) = stack.dns_client(self.dns) {
            let mut addrs = [SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, dns::PORT); dns::MAX_SERVERS];
            for (slot, &addr) in addrs.iter_mut().zip(servers) {
                *slot = SocketAddrV4::new(addr, dns::PORT);
            }
            s.engine_mut()
                .set_servers(&addrs[..servers.len().min(dns::MAX_SERVERS)]);
        }
        self.lookup = Lookup::Idle;
        self.lookup_at = (self.name.is_some() && !servers.is_empty()).then_some(now);
    }

    fn use_ntp_server<R: RngCore>(
        &mut self,
        stack: &mut Stack<'a, R>,
        server: Ipv4Addr,
        now: Instant,
    ) {
        if self.ntp_server == Some(server) {
            return;
        }
        if let Some(s) = stack.ntp_client(self.ntp) {
            let config = ntp::Config::new(SocketAddrV4::new(server, ntp::PORT), Epoch::UNIX);
            s.engine_mut().restart(config, now);
            self.ntp_server = Some(server);
        }
    }

    fn start_lookup<R: RngCore>(&mut self, stack: &mut Stack<'a, R>, now: Instant) {
        if self.lookup_at.is_none_or(|at| at > now) {
            return;
        }
        self.lookup_at = None;
        let (Some(name), Some(s)) = (self.name, stack.dns_client(self.dns)) else {
            return;
        };
        self.lookup = match s.engine_mut().start(now, name, Type::A) {
            Ok(()) => Lookup::Pending,
            Err(e) => {
                self.lookup_at = Some(now + LOOKUP_RETRY);
                Lookup::Failed(e)
            }
        };
    }

    fn finish_lookup<R: RngCore>(&mut self, stack: &mut Stack<'a, R>, now: Instant) {
        if self.lookup != Lookup::Pending {
            return;
        }
        let Some(engine) = stack.dns_client(self.dns).map(|s| s.engine()) else {
            return;
        };
        let Some(result) = engine.result() else {
            return;
        };
        let first_v4 = engine.answers().iter().find_map(|a| match a.address {
            IpAddr::V4(addr) => Some((addr, a.ttl)),
            IpAddr::V6(_) => None,
        });
        let (lookup, again) = match (result, first_v4) {
            (Ok(_), Some((addr, ttl))) => {
                let ttl = Duration::from_secs(u64::from(ttl)).max(LOOKUP_MIN_TTL);
                (Lookup::Resolved(addr), ttl)
            }
            (Ok(_), None) => (Lookup::Failed(dns::Error::NoData), LOOKUP_RETRY),
            (Err(e), _) => (Lookup::Failed(e), LOOKUP_RETRY),
        };
        self.lookup = lookup;
        self.lookup_at = Some(now + again);
    }
}

fn same_configuration(a: Option<&Lease>, b: Option<&Lease>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.same_configuration(b),
        (None, None) => true,
        _ => false,
    }
}
