//! The messages a client sends, per RFC 2131 table 5, and where to.

use core::net::Ipv4Addr;

use super::{Client, Exchange, Notice, Phase};
use crate::dhcp::Transmit;
use crate::time::Instant;
use crate::wire::dhcp::{MessageType, Repr, CLIENT_PORT, SERVER_PORT};

impl<'a> Client<'a> {
    /// The current exchange's DISCOVER or REQUEST.
    pub(super) fn exchange_message(&self, now: Instant) -> Option<Transmit<'a>> {
        Some(match self.phase {
            Phase::Selecting { exchange, hint } => {
                let mut r = self.asking(MessageType::Discover, &exchange, now);
                r.requested_ip = hint;
                self.broadcast(r, Ipv4Addr::UNSPECIFIED)
            }
            Phase::Requesting {
                exchange,
                address,
                server,
            } => {
                let mut r = self.asking(MessageType::Request, &exchange, now);
                r.requested_ip = Some(address);
                r.server_identifier = Some(server);
                self.broadcast(r, Ipv4Addr::UNSPECIFIED)
            }
            Phase::InitReboot { exchange, reboot } => {
                let mut r = self.asking(MessageType::Request, &exchange, now);
                r.requested_ip = Some(reboot.address());
                self.broadcast(r, Ipv4Addr::UNSPECIFIED)
            }
            Phase::Renewing { exchange, lease } => {
                let address = lease.address.address();
                let r = self.renewal(&exchange, address, now);
                self.send(r, address, lease.server)
            }
            Phase::Rebinding { exchange, lease } => {
                let address = lease.address.address();
                let r = self.renewal(&exchange, address, now);
                self.broadcast(r, address)
            }
            Phase::Init { .. } | Phase::Bound { .. } | Phase::Stopped => return None,
        })
    }

    /// A DECLINE or RELEASE: only identification, address and server.
    pub(super) fn notice_message(&self, notice: Notice) -> Transmit<'a> {
        let mac = self.config.hardware_address;
        match notice {
            Notice::Decline {
                xid,
                address,
                server,
            } => {
                let mut r = Repr::new(MessageType::Decline, xid, mac);
                r.client_identifier = self.config.client_identifier;
                r.requested_ip = Some(address);
                r.server_identifier = Some(server);
                self.broadcast(r, Ipv4Addr::UNSPECIFIED)
            }
            Notice::Release {
                xid,
                address,
                server,
            } => {
                let mut r = Repr::new(MessageType::Release, xid, mac);
                r.client_identifier = self.config.client_identifier;
                r.client_ip = address;
                r.server_identifier = Some(server);
                self.send(r, address, server)
            }
        }
    }

    /// DISCOVER or REQUEST from a client without an address: everything
    /// that asks for configuration.
    fn asking(&self, message_type: MessageType, exchange: &Exchange, now: Instant) -> Repr<'a> {
        let c = &self.config;
        let mut r = Repr::new(message_type, exchange.xid, c.hardware_address);
        r.secs = exchange.secs(now);
        r.broadcast = c.broadcast;
        r.hostname = c.hostname;
        r.client_identifier = c.client_identifier;
        r.parameter_request_list = Some(c.parameter_request_list);
        r.max_message_size = c.max_message_size;
        r
    }

    /// REQUEST extending a lease: `ciaddr` set, no server id or requested
    /// address (RFC 2131 4.3.2).
    fn renewal(&self, exchange: &Exchange, address: Ipv4Addr, now: Instant) -> Repr<'a> {
        let mut r = self.asking(MessageType::Request, exchange, now);
        r.broadcast = false;
        r.client_ip = address;
        r
    }

    fn broadcast(&self, repr: Repr<'a>, src_addr: Ipv4Addr) -> Transmit<'a> {
        self.send(repr, src_addr, Ipv4Addr::BROADCAST)
    }

    fn send(&self, repr: Repr<'a>, src_addr: Ipv4Addr, dst_addr: Ipv4Addr) -> Transmit<'a> {
        Transmit {
            repr,
            src_addr,
            src_port: CLIENT_PORT,
            dst_addr,
            dst_port: SERVER_PORT,
            dst_hardware: None,
        }
    }
}
