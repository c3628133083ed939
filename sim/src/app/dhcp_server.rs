//! A DHCP server for the host's own subnet.
//!
//! Runs for the whole run. Traces each lease it binds (`lease bound
//! addr=.. mac=..`). Metrics: `leases` (live bound leases), `replies`
//! (messages sent). Addresses: the live bound leases, in address order.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use seqs::dhcp::{self, LeaseEntry, LeaseState, ServerConfig};
use seqs::socket::Handle;
use seqs::time::Instant;
use seqs::wire::dhcp::AddressList;
use seqs::wire::EthernetAddress;

use super::{replies_sent, App, AppCx, AppResult, DhcpServerConfig};
use crate::host::{intern_bytes, intern_ranges, intern_reservations, udp_socket};
use crate::time::SimTime;

pub(crate) struct DhcpServer {
    config: DhcpServerConfig,
    handle: Option<Handle<seqs::socket::DhcpServer>>,
    /// Bound leases already traced.
    bound: BTreeMap<EthernetAddress, Ipv4Addr>,
    /// The lease table is only read again when the server replied to
    /// something (its table may have changed) or a lease expired: it can
    /// hold thousands of rows and the app runs before every transmit.
    replies_seen: u64,
    next_expiry: Instant,
}

impl DhcpServer {
    pub fn new(config: &DhcpServerConfig) -> Self {
        DhcpServer {
            config: config.clone(),
            handle: None,
            bound: BTreeMap::new(),
            replies_seen: 0,
            next_expiry: Instant::MAX,
        }
    }

    fn start(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) {
        let Some(cidr) = cx.stack.ipv4_address() else {
            result.fail("a dhcp server needs a static address");
            return;
        };
        let c = &self.config;
        let mut config = ServerConfig::new(cidr, intern_ranges(&c.ranges));
        config.reservations = intern_reservations(&c.reservations);
        config.router = c.router;
        config.dns_servers = AddressList::from_slice(&c.dns);
        config.ntp_servers = AddressList::from_slice(&c.ntp);
        config.domain_name = c.domain.as_deref().map(|d| intern_bytes(d.as_bytes()));
        config.lease_duration = c.lease.to_stack();
        let server = match dhcp::Server::new(config, vec![None::<LeaseEntry>; c.max_leases]) {
            Ok(server) => server,
            Err(e) => return result.fail(e.to_string()),
        };
        match cx.stack.add_dhcp_server(server, udp_socket(cx.caps)) {
            Ok(h) => {
                self.handle = Some(h);
                result.set("leases", 0);
                result.set("replies", 0);
            }
            Err(_) => result.fail("port 67 unavailable"),
        }
    }

    /// Traces leases bound since the last look and reports the live ones.
    fn observe(
        &mut self,
        cx: &mut AppCx<'_, '_>,
        h: Handle<seqs::socket::DhcpServer>,
        result: &mut AppResult,
    ) {
        let now = cx.instant();
        let replies = replies_sent(cx.stack, h);
        if replies == self.replies_seen && now < self.next_expiry {
            return;
        }
        self.replies_seen = replies;
        let Some(socket) = cx.stack.dhcp_server(h) else {
            return;
        };
        let live: Vec<&LeaseEntry> = socket
            .engine()
            .leases()
            .filter(|l| l.state == LeaseState::Bound && l.is_live(now))
            .collect();
        self.next_expiry = live
            .iter()
            .map(|l| l.expires_at)
            .min()
            .unwrap_or(Instant::MAX);
        let bound: BTreeMap<EthernetAddress, Ipv4Addr> = live
            .iter()
            .map(|l| (l.hardware_address, l.address))
            .collect();
        for (mac, addr) in &bound {
            if self.bound.get(mac) != Some(addr) {
                cx.trace("lease", format_args!("bound addr={addr} mac={mac}"));
            }
        }
        self.bound = bound;
        let mut addrs: Vec<Ipv4Addr> = self.bound.values().copied().collect();
        addrs.sort();
        result.set("leases", addrs.len());
        result.set("replies", replies);
        result.addresses = addrs;
    }
}

impl App for DhcpServer {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let Some(h) = self.handle else {
            self.start(cx, result);
            return true;
        };
        self.observe(cx, h, result);
        false
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}
