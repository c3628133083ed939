//! Our DHCP client, as the bridge runs it for `Addressing::Dhcp`: the
//! stack's client configures the interface itself; this app watches it
//! and reports the leases bound and renewed.

use std::fmt;

use seqs::dhcp::{self, ClientConfig, ClientState};
use seqs::socket::{DhcpClient as DhcpHandle, Handle};
use seqs::time::Instant;
use seqs::wire::Ipv4Cidr;

use super::{udp_socket, AppError, Report, Service};
use crate::{EventLog, TapStack};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpClientReport {
    pub state: ClientState,
    /// The address in use at the end.
    pub address: Option<Ipv4Cidr>,
    /// Leases bound for a new address (1 for a steady run).
    pub bound: u32,
    /// Leases extended in place (RENEWING or REBINDING succeeded).
    pub renewals: u32,
    /// When the first lease was bound.
    pub first_bound_at: Option<Instant>,
}

impl fmt::Display for DhcpClientReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dhcp client: {:?}", self.state)?;
        match self.address {
            Some(address) => write!(f, ", {address}")?,
            None => f.write_str(", no address")?,
        }
        write!(f, ", {} bound, {} renewed", self.bound, self.renewals)
    }
}

#[derive(Debug)]
pub struct DhcpClient {
    handle: Handle<DhcpHandle>,
    /// Address and expiry of the lease seen last.
    last: Option<(Ipv4Cidr, Instant)>,
    report: DhcpClientReport,
}

impl DhcpClient {
    pub fn start(stack: &mut TapStack) -> Result<Self, AppError> {
        let client = dhcp::Client::new(ClientConfig::new(stack.mac()));
        let handle = stack
            .add_dhcp_client(client, udp_socket())
            .map_err(AppError::Bind)?;
        Ok(DhcpClient {
            handle,
            last: None,
            report: DhcpClientReport {
                state: ClientState::Init,
                address: None,
                bound: 0,
                renewals: 0,
                first_bound_at: None,
            },
        })
    }
}

impl Service for DhcpClient {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        let Some(socket) = stack.dhcp_client(self.handle) else {
            return;
        };
        let client = socket.engine().client();
        self.report.state = client.state();
        let lease = client.lease().map(|l| (l.address, l.expires_at));
        self.report.address = stack.ipv4_address();
        if lease == self.last {
            return;
        }
        match (self.last, lease) {
            (Some((old, _)), Some((new, _))) if old == new => {
                self.report.renewals += 1;
                log.event(now, format_args!("dhcp: renewed {new}"));
            }
            (_, Some((new, _))) => {
                self.report.bound += 1;
                self.report.first_bound_at.get_or_insert(now);
                log.event(now, format_args!("dhcp: bound {new}"));
            }
            (_, None) => log.event(now, format_args!("dhcp: lease lost")),
        }
        self.last = lease;
    }

    fn report(&self) -> Report {
        Report::DhcpClient(self.report.clone())
    }
}
