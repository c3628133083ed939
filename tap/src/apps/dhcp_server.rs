//! DHCP server on our node's static address: hands out a pool.

use std::fmt;
use std::net::Ipv4Addr;

use seqs::dhcp::{self, AddressRange, LeaseEntry, ServerConfig};
use seqs::socket::{DhcpServer as DhcpHandle, Handle};
use seqs::time::{Duration, Instant};
use seqs::wire::EthernetAddress;

use super::{udp_socket, AppError, Report, Service};
use crate::{EventLog, TapStack};

/// Clients remembered at once.
const LEASE_ROWS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpServerSpec {
    pub first: Ipv4Addr,
    pub last: Ipv4Addr,
    pub lease: Duration,
    /// Router option; none by default.
    pub router: Option<Ipv4Addr>,
}

impl DhcpServerSpec {
    pub fn new(first: Ipv4Addr, last: Ipv4Addr) -> Self {
        DhcpServerSpec {
            first,
            last,
            lease: Duration::from_secs(3600),
            router: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DhcpServerReport {
    /// Leases live when the report was made.
    pub leases: Vec<(EthernetAddress, Ipv4Addr)>,
}

impl fmt::Display for DhcpServerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dhcp server: {} leases", self.leases.len())?;
        for (mac, addr) in &self.leases {
            write!(f, "\n  {addr} to {mac}")?;
        }
        Ok(())
    }
}

#[derive(Debug)]
pub struct DhcpServer {
    handle: Handle<DhcpHandle>,
    report: DhcpServerReport,
}

impl DhcpServer {
    pub fn start(spec: DhcpServerSpec, stack: &mut TapStack) -> Result<Self, AppError> {
        let address = stack.ipv4_address().ok_or(AppError::NoAddress)?;
        let range = AddressRange::new(spec.first, spec.last).ok_or(AppError::EmptyRange)?;
        // The stack borrows its ranges for its lifetime, which for the
        // bridge's stack is 'static: one small leak per server started.
        let ranges: &'static [AddressRange] = Box::leak(Box::new([range]));
        let mut config = ServerConfig::new(address, ranges);
        config.lease_duration = spec.lease;
        config.router = spec.router;
        let server = dhcp::Server::new(config, vec![None::<LeaseEntry>; LEASE_ROWS])
            .map_err(AppError::DhcpConfig)?;
        let handle = stack
            .add_dhcp_server(server, udp_socket())
            .map_err(AppError::Bind)?;
        Ok(DhcpServer {
            handle,
            report: DhcpServerReport::default(),
        })
    }
}

impl Service for DhcpServer {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        let Some(socket) = stack.dhcp_server(self.handle) else {
            return;
        };
        let leases: Vec<_> = socket
            .engine()
            .leases()
            .filter(|l| l.is_live(now) && l.state == dhcp::LeaseState::Bound)
            .map(|l| (l.hardware_address, l.address))
            .collect();
        for (mac, addr) in leases.iter().filter(|l| !self.report.leases.contains(l)) {
            log.event(now, format_args!("dhcp server: {addr} leased to {mac}"));
        }
        self.report.leases = leases;
    }

    fn report(&self) -> Report {
        Report::DhcpServer(self.report.clone())
    }
}
