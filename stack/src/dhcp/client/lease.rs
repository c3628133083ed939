//! What a client holds after an ACK, and how it is read from one.

use core::net::Ipv4Addr;

use crate::time::{Duration, Instant};
use crate::wire::dhcp::{AddressList, Repr};
use crate::wire::Ipv4Cidr;

/// Option 51's "infinity" (RFC 2131 3.3).
const INFINITE: u32 = u32::MAX;

/// A bound address and the configuration that came with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub address: Ipv4Cidr,
    /// The first router listed, the default gateway.
    pub router: Option<Ipv4Addr>,
    pub dns_servers: AddressList,
    pub ntp_servers: AddressList,
    pub interface_mtu: Option<u16>,
    /// Server identifier of the server that granted it: RENEWING asks it.
    pub server: Ipv4Addr,
    /// `None` for an infinite lease.
    pub duration: Option<Duration>,
    /// T1: start RENEWING.
    pub renew_at: Instant,
    /// T2: start REBINDING.
    pub rebind_at: Instant,
    /// The address must be given up.
    pub expires_at: Instant,
}

impl Lease {
    /// Reads a lease from an ACK answering a REQUEST first sent at
    /// `requested_at`, from which times count (RFC 2131 4.4.1). `None`
    /// when the ACK cannot be used: no usable address, no lease time, no
    /// server identifier we can fall back on, or a non-contiguous mask.
    pub fn from_ack(ack: &Repr, requested_at: Instant, fallback_server: Ipv4Addr) -> Option<Lease> {
        if !is_unicast(ack.your_ip) {
            return None;
        }
        let prefix = match ack.subnet_mask {
            Some(mask) => Ipv4Cidr::from_netmask(ack.your_ip, mask)?.prefix_len(),
            None => natural_prefix(ack.your_ip),
        };
        let seconds = ack.lease_duration?;
        let server = ack.server_identifier.unwrap_or(fallback_server);
        if !is_unicast(server) {
            return None;
        }
        let times = Times::new(
            requested_at,
            seconds,
            ack.renewal_duration,
            ack.rebinding_duration,
        );
        Some(Lease {
            address: Ipv4Cidr::new(ack.your_ip, prefix)?,
            router: ack.routers.first().copied(),
            dns_servers: ack.dns_servers,
            ntp_servers: ack.ntp_servers,
            interface_mtu: ack.interface_mtu,
            server,
            duration: (seconds != INFINITE).then(|| Duration::from_secs(u64::from(seconds))),
            renew_at: times.renew,
            rebind_at: times.rebind,
            expires_at: times.expire,
        })
    }

    /// Same interface configuration, whatever the timers say: a renewal
    /// that changes nothing is not news to the stack.
    pub fn same_configuration(&self, other: &Lease) -> bool {
        (
            self.address,
            self.router,
            self.dns_servers,
            self.ntp_servers,
            self.interface_mtu,
        ) == (
            other.address,
            other.router,
            other.dns_servers,
            other.ntp_servers,
            other.interface_mtu,
        )
    }
}

struct Times {
    renew: Instant,
    rebind: Instant,
    expire: Instant,
}

impl Times {
    /// T1 and T2 as the server sent them when they are ordered within the
    /// lease, else RFC 2131 4.4.5's defaults of 1/2 and 7/8 of it.
    fn new(start: Instant, lease: u32, t1: Option<u32>, t2: Option<u32>) -> Times {
        if lease == INFINITE {
            return Times {
                renew: Instant::MAX,
                rebind: Instant::MAX,
                expire: Instant::MAX,
            };
        }
        let (t1, t2) = match (t1, t2) {
            (Some(t1), Some(t2)) if t1 <= t2 && t2 <= lease => (u64::from(t1), u64::from(t2)),
            _ => (u64::from(lease) / 2, u64::from(lease) * 7 / 8),
        };
        let at = |secs: u64| start + Duration::from_secs(secs);
        Times {
            renew: at(t1),
            rebind: at(t2),
            expire: at(u64::from(lease)),
        }
    }
}

/// An address a host may take as its own.
pub(crate) fn is_unicast(addr: Ipv4Addr) -> bool {
    !(addr.is_unspecified() || addr.is_broadcast() || addr.is_multicast() || addr.is_loopback())
}

/// The pre-CIDR class mask, for servers that send no option 1 (RFC 2131
/// leaves the client to infer one).
fn natural_prefix(addr: Ipv4Addr) -> u8 {
    match addr.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        192..=223 => 24,
        _ => 32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::dhcp::MessageType;
    use crate::wire::EthernetAddress;

    fn ack(lease: Option<u32>) -> Repr<'static> {
        let mut r = Repr::new(MessageType::Ack, 7, EthernetAddress([2, 0, 0, 0, 0, 1]));
        r.your_ip = Ipv4Addr::new(192, 0, 2, 10);
        r.server_identifier = Some(Ipv4Addr::new(192, 0, 2, 1));
        r.lease_duration = lease;
        r
    }

    #[test]
    fn timers_default_to_half_and_seven_eighths() {
        let start = Instant::from_secs(100);
        let l = Lease::from_ack(&ack(Some(800)), start, Ipv4Addr::UNSPECIFIED).unwrap();
        assert_eq!(l.renew_at, Instant::from_secs(500));
        assert_eq!(l.rebind_at, Instant::from_secs(800));
        assert_eq!(l.expires_at, Instant::from_secs(900));
        assert_eq!(l.address.prefix_len(), 24, "class C without option 1");
    }

    #[test]
    fn server_timers_are_used_only_when_ordered() {
        let mut a = ack(Some(100));
        (a.renewal_duration, a.rebinding_duration) = (Some(10), Some(20));
        let l = Lease::from_ack(&a, Instant::ZERO, Ipv4Addr::UNSPECIFIED).unwrap();
        assert_eq!((l.renew_at.secs(), l.rebind_at.secs()), (10, 20));
        (a.renewal_duration, a.rebinding_duration) = (Some(30), Some(200));
        let l = Lease::from_ack(&a, Instant::ZERO, Ipv4Addr::UNSPECIFIED).unwrap();
        assert_eq!((l.renew_at.secs(), l.rebind_at.secs()), (50, 87));
    }

    #[test]
    fn infinite_and_unusable_leases() {
        let l =
            Lease::from_ack(&ack(Some(u32::MAX)), Instant::ZERO, Ipv4Addr::UNSPECIFIED).unwrap();
        assert_eq!((l.duration, l.expires_at), (None, Instant::MAX));
        assert!(Lease::from_ack(&ack(None), Instant::ZERO, Ipv4Addr::UNSPECIFIED).is_none());
        let mut bad_mask = ack(Some(60));
        bad_mask.subnet_mask = Some(Ipv4Addr::new(255, 0, 255, 0));
        assert!(Lease::from_ack(&bad_mask, Instant::ZERO, Ipv4Addr::UNSPECIFIED).is_none());
        let mut broadcast = ack(Some(60));
        broadcast.your_ip = Ipv4Addr::BROADCAST;
        assert!(Lease::from_ack(&broadcast, Instant::ZERO, Ipv4Addr::UNSPECIFIED).is_none());
        let mut anonymous = ack(Some(60));
        anonymous.server_identifier = None;
        assert!(Lease::from_ack(&anonymous, Instant::ZERO, Ipv4Addr::UNSPECIFIED).is_none());
        let fallback = Ipv4Addr::new(192, 0, 2, 1);
        assert_eq!(
            Lease::from_ack(&anonymous, Instant::ZERO, fallback)
                .unwrap()
                .server,
            fallback
        );
    }
}
