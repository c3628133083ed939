use core::fmt;
use core::net::{Ipv4Addr, SocketAddrV4};

/// An IPv4 address and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    pub addr: Ipv4Addr,
    pub port: u16,
}

impl Endpoint {
    pub const UNSPECIFIED: Endpoint = Endpoint::new(Ipv4Addr::UNSPECIFIED, 0);

    pub const fn new(addr: Ipv4Addr, port: u16) -> Self {
        Endpoint { addr, port }
    }

    /// Both address and port are set: something can be sent to it.
    pub fn is_specified(&self) -> bool {
        !self.addr.is_unspecified() && self.port != 0
    }
}

impl Default for Endpoint {
    fn default() -> Self {
        Endpoint::UNSPECIFIED
    }
}

impl From<(Ipv4Addr, u16)> for Endpoint {
    fn from((addr, port): (Ipv4Addr, u16)) -> Self {
        Endpoint { addr, port }
    }
}

impl From<SocketAddrV4> for Endpoint {
    fn from(addr: SocketAddrV4) -> Self {
        Endpoint::new(*addr.ip(), addr.port())
    }
}

impl From<Endpoint> for SocketAddrV4 {
    fn from(e: Endpoint) -> Self {
        SocketAddrV4::new(e.addr, e.port)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.addr, self.port)
    }
}
