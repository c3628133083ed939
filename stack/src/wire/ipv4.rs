//! IPv4 headers (RFC 791), with fragment fields and options length.

use core::fmt;
use core::net::Ipv4Addr;

/// An interface address with its prefix length, e.g. `192.0.2.10/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    address: Ipv4Addr,
    prefix_len: u8,
}

impl Cidr {
    /// `None` when `prefix_len > 32`.
    pub const fn new(address: Ipv4Addr, prefix_len: u8) -> Option<Cidr> {
        if prefix_len > 32 {
            None
        } else {
            Some(Cidr {
                address,
                prefix_len,
            })
        }
    }
    /// From an address and a dotted netmask such as DHCP's option 1; `None`
    /// when the mask's ones are not contiguous.
    pub fn from_netmask(address: Ipv4Addr, netmask: Ipv4Addr) -> Option<Cidr> {
        let bits = u32::from(netmask);
        let prefix_len = bits.leading_ones();
        (bits.checked_shl(prefix_len).unwrap_or(0) == 0).then_some(Cidr {
            address,
            prefix_len: prefix_len as u8,
        })
    }
    pub const fn address(&self) -> Ipv4Addr {
        self.address
    }
    pub const fn prefix_len(&self) -> u8 {
        self.prefix_len
    }
    pub fn netmask(&self) -> Ipv4Addr {
        Ipv4Addr::from(
            u32::MAX
                .checked_shl(32 - u32::from(self.prefix_len))
                .unwrap_or(0),
        )
    }
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.address) & u32::from(self.netmask()))
    }
    /// The subnet's directed broadcast; `None` for /31 and /32, which have none.
    pub fn broadcast(&self) -> Option<Ipv4Addr> {
        (self.prefix_len < 31)
            .then(|| Ipv4Addr::from(u32::from(self.address) | !u32::from(self.netmask())))
    }
    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        let mask = u32::from(self.netmask());
        u32::from(addr) & mask == u32::from(self.address) & mask
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_subnet_arithmetic() {
        let c = Cidr::new(Ipv4Addr::new(192, 0, 2, 10), 24).unwrap();
        assert_eq!(c.netmask(), Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(c.network(), Ipv4Addr::new(192, 0, 2, 0));
        assert_eq!(c.broadcast(), Some(Ipv4Addr::new(192, 0, 2, 255)));
        assert!(c.contains(Ipv4Addr::new(192, 0, 2, 200)));
        assert!(!c.contains(Ipv4Addr::new(198, 51, 100, 1)));
        assert_eq!(
            Cidr::new(Ipv4Addr::new(192, 0, 2, 1), 32)
                .unwrap()
                .broadcast(),
            None
        );
        assert!(Cidr::new(Ipv4Addr::UNSPECIFIED, 0)
            .unwrap()
            .contains(Ipv4Addr::new(203, 0, 113, 9)));
        assert_eq!(Cidr::new(Ipv4Addr::UNSPECIFIED, 33), None);
    }

    #[test]
    fn cidr_from_netmask_rejects_holes() {
        let a = Ipv4Addr::new(192, 0, 2, 1);
        assert_eq!(
            Cidr::from_netmask(a, Ipv4Addr::new(255, 255, 254, 0))
                .unwrap()
                .prefix_len(),
            23
        );
        assert_eq!(Cidr::from_netmask(a, Ipv4Addr::new(255, 0, 255, 0)), None);
        assert_eq!(
            Cidr::from_netmask(a, Ipv4Addr::new(255, 255, 255, 255))
                .unwrap()
                .prefix_len(),
            32
        );
        assert_eq!(
            Cidr::from_netmask(a, Ipv4Addr::UNSPECIFIED)
                .unwrap()
                .prefix_len(),
            0
        );
    }
}
