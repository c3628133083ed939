//! DHCP server (RFC 2131 4.3) for one subnet: address ranges, static
//! reservations, and a bounded lease table in caller-provided storage.
//!
//! The stack passes every DHCP message arriving on port 67 to
//! [`Server::handle`] and sends the reply it returns at once. Leases expire
//! lazily (checked when an address is wanted), so the server has no timers.
//!
//! The server is authoritative for its ranges: a REQUEST for a free address
//! in them is granted even without a record, so clients keep their address
//! across a server restart; a REQUEST for an address outside the subnet,
//! outside the ranges, or held by someone else is NAKed.

mod config;
mod table;

pub use config::{AddressRange, ConfigError, Reservation, ServerConfig};
pub use table::{LeaseEntry, LeaseState};

use core::net::Ipv4Addr;

use super::Transmit;
use crate::storage::Managed;
use crate::time::{Duration, Instant};
use crate::wire::dhcp::{AddressList, MessageType, Repr, CLIENT_PORT, OP_REQUEST, SERVER_PORT};
use crate::wire::EthernetAddress;
use table::Table;

/// A DHCP server.
#[derive(Debug)]
pub struct Server<'a> {
    config: ServerConfig<'a>,
    table: Table<'a>,
}

impl<'a> Server<'a> {
    /// A server remembering at most `leases.len()` clients at once.
    pub fn new(
        config: ServerConfig<'a>,
        leases: impl Into<Managed<'a, Option<LeaseEntry>>>,
    ) -> Result<Self, ConfigError> {
        config.check()?;
        Ok(Server {
            config,
            table: Table::new(leases.into()),
        })
    }

    pub fn config(&self) -> &ServerConfig<'a> {
        &self.config
    }

    /// Every row of the lease table, live or expired.
    pub fn leases(&self) -> impl Iterator<Item = &LeaseEntry> {
        self.table.iter()
    }

    /// Answers one message received on the server port, if it calls for an
    /// answer. The reply borrows from the request (the client identifier is
    /// echoed, RFC 6842) and from the configuration.
    pub fn handle<'r>(&mut self, now: Instant, request: &Repr<'r>) -> Option<Transmit<'r>>
    where
        'a: 'r,
    {
        if request.message_type.op() != OP_REQUEST || !self.serves(request) {
            return None;
        }
        match request.message_type {
            MessageType::Discover => self.discover(now, request),
            MessageType::Request => self.request(now, request),
            MessageType::Decline => {
                self.decline(now, request);
                None
            }
            MessageType::Release => {
                self.release(now, request);
                None
            }
            // INFORM comes from a configured client, answered at `ciaddr`.
            MessageType::Inform if !request.client_ip.is_unspecified() => {
                Some(self.inform(request))
            }
            _ => None,
        }
    }

    /// Messages addressed to another server, or relayed from another
    /// subnet, are not ours.
    fn serves(&self, request: &Repr) -> bool {
        let relay = request.relay_agent_ip;
        let ours = self.config.address.address();
        let to_other_server = match request.message_type {
            // SELECTING REQUESTs name the chosen server; handled in `request`.
            MessageType::Request => false,
            _ => request.server_identifier.is_some_and(|s| s != ours),
        };
        (relay.is_unspecified() || self.config.address.contains(relay)) && !to_other_server
    }

    fn discover<'r>(&mut self, now: Instant, request: &Repr<'r>) -> Option<Transmit<'r>>
    where
        'a: 'r,
    {
        let mac = request.client_hardware_address;
        let address = self
            .table
            .choose(&self.config, mac, request.requested_ip, now)?;
        let held = self.hold(
            mac,
            address,
            LeaseState::Offered,
            self.config.offer_hold,
            now,
        );
        held.then(|| self.reply(request, MessageType::Offer, address))
    }

    fn request<'r>(&mut self, now: Instant, request: &Repr<'r>) -> Option<Transmit<'r>>
    where
        'a: 'r,
    {
        let mac = request.client_hardware_address;
        let ours = self.config.address.address();
        let address = match (request.server_identifier, request.requested_ip) {
            (Some(server), _) if server != ours => {
                // The client chose another server's offer.
                self.table.expire(mac, None, now);
                return None;
            }
            (Some(_), Some(requested)) => requested,
            (None, Some(requested)) if request.client_ip.is_unspecified() => requested,
            (None, None) if !request.client_ip.is_unspecified() => request.client_ip,
            _ => return None,
        };
        if !self.config.address.contains(address) {
            return Some(self.nak(request, b"wrong subnet"));
        }
        if request.client_ip == address {
            self.table.clear_declines(address);
        }
        if !self.table.grantable(&self.config, address, mac, now) {
            return Some(self.nak(request, b"address not available"));
        }
        let lease = self.config.lease_duration;
        if !self.hold(mac, address, LeaseState::Bound, lease, now) {
            return Some(self.nak(request, b"lease table full"));
        }
        Some(self.reply(request, MessageType::Ack, address))
    }

    fn decline(&mut self, now: Instant, request: &Repr) {
        let (Some(address), Some(_)) = (request.requested_ip, request.server_identifier) else {
            return;
        };
        let mac = request.client_hardware_address;
        let held = self
            .table
            .entry_for(mac)
            .is_some_and(|e| e.address == address);
        if held {
            let hold = self.config.decline_hold;
            self.hold(mac, address, LeaseState::Declined, hold, now);
        }
    }

    fn release(&mut self, now: Instant, request: &Repr) {
        let mac = request.client_hardware_address;
        self.table.expire(mac, Some(request.client_ip), now);
    }

    /// INFORM: configuration only, for a client that has its address.
    fn inform<'r>(&self, request: &Repr<'r>) -> Transmit<'r>
    where
        'a: 'r,
    {
        let mut t = self.reply(request, MessageType::Ack, Ipv4Addr::UNSPECIFIED);
        t.repr.lease_duration = None;
        t.repr.renewal_duration = None;
        t.repr.rebinding_duration = None;
        t
    }

    fn hold(
        &mut self,
        mac: EthernetAddress,
        address: Ipv4Addr,
        state: LeaseState,
        duration: Duration,
        now: Instant,
    ) -> bool {
        let entry = LeaseEntry {
            hardware_address: mac,
            address,
            state,
            expires_at: now + duration,
        };
        self.table.record(entry, now)
    }

    fn nak<'r>(&self, request: &Repr<'r>, why: &'static [u8]) -> Transmit<'r> {
        let mut repr = self.header(request, MessageType::Nak, Ipv4Addr::UNSPECIFIED);
        repr.client_ip = Ipv4Addr::UNSPECIFIED;
        repr.message = Some(why);
        self.send(request, repr)
    }

    /// OFFER or ACK of `address` with the subnet's configuration.
    fn reply<'r>(
        &self,
        request: &Repr<'r>,
        message_type: MessageType,
        address: Ipv4Addr,
    ) -> Transmit<'r>
    where
        'a: 'r,
    {
        let c = &self.config;
        let mut repr = self.header(request, message_type, address);
        if message_type == MessageType::Offer {
            repr.client_ip = Ipv4Addr::UNSPECIFIED;
        }
        let lease = c.lease_secs();
        repr.lease_duration = Some(lease);
        repr.renewal_duration = Some(lease / 2);
        repr.rebinding_duration = Some(u32::try_from(u64::from(lease) * 7 / 8).unwrap_or(lease));
        repr.subnet_mask = Some(c.address.netmask());
        repr.routers = c
            .router
            .map_or(AddressList::EMPTY, |r| AddressList::from_slice(&[r]));
        repr.dns_servers = c.dns_servers;
        repr.ntp_servers = c.ntp_servers;
        repr.domain_name = c.domain_name;
        self.send(request, repr)
    }

    /// The fields every reply copies from its request.
    fn header<'r>(
        &self,
        request: &Repr<'r>,
        message_type: MessageType,
        your_ip: Ipv4Addr,
    ) -> Repr<'r> {
        let mut repr = Repr::new(
            message_type,
            request.transaction_id,
            request.client_hardware_address,
        );
        repr.broadcast = request.broadcast;
        repr.client_ip = request.client_ip;
        repr.your_ip = your_ip;
        repr.relay_agent_ip = request.relay_agent_ip;
        repr.server_identifier = Some(self.config.address.address());
        repr.client_identifier = request.client_identifier;
        repr
    }

    /// Addresses a reply per RFC 2131 4.1: to the relay; else NAKs
    /// broadcast; else to `ciaddr`; else broadcast if the client asked;
    /// else to `yiaddr` at the client's MAC, which it cannot yet ARP for.
    fn send<'r>(&self, request: &Repr<'r>, mut repr: Repr<'r>) -> Transmit<'r> {
        let nak = repr.message_type == MessageType::Nak;
        let relay = request.relay_agent_ip;
        let (dst_addr, dst_port, dst_hardware) = if !relay.is_unspecified() {
            repr.broadcast |= nak;
            (relay, SERVER_PORT, None)
        } else if nak || (request.client_ip.is_unspecified() && request.broadcast) {
            (Ipv4Addr::BROADCAST, CLIENT_PORT, None)
        } else if !request.client_ip.is_unspecified() {
            (request.client_ip, CLIENT_PORT, None)
        } else {
            (
                repr.your_ip,
                CLIENT_PORT,
                Some(request.client_hardware_address),
            )
        };
        Transmit {
            repr,
            src_addr: self.config.address.address(),
            src_port: SERVER_PORT,
            dst_addr,
            dst_port,
            dst_hardware,
        }
    }
}
