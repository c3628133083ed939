use crate::arp;
use crate::ipv4::ReassemblyConfig;
use crate::time::Duration;
use crate::wire::dhcp::AddressList;
use crate::wire::EthernetAddress;

/// Fixed properties of an interface, chosen at construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub mac: EthernetAddress,
    /// IP MTU: the largest IPv4 datagram sent, header included.
    pub mtu: usize,
    /// TTL of outgoing datagrams.
    pub ttl: u8,
    pub arp: arp::Config,
    pub reassembly: ReassemblyConfig,
    /// Echo replies: this many at once, then one per interval.
    pub echo_reply_burst: u32,
    pub echo_reply_interval: Duration,
    /// ICMP errors (unreachables): same shape (RFC 1812 4.3.2.8).
    pub icmp_error_burst: u32,
    pub icmp_error_interval: Duration,
    /// Gratuitous ARP announcements after an address change (RFC 5227 2.3).
    pub announcements: u8,
    pub announce_interval: Duration,
    /// Answer segments for which no socket (and no free listener) exists
    /// with RST, as RFC 9293 says; `false` drops them silently, which makes
    /// a full accept backlog look like loss so clients retry.
    pub tcp_reset_unmatched: bool,
}

impl Config {
    pub fn new(mac: EthernetAddress) -> Self {
        Config {
            mac,
            mtu: 1500,
            ttl: 64,
            arp: arp::Config::default(),
            reassembly: ReassemblyConfig::default(),
            echo_reply_burst: 10,
            echo_reply_interval: Duration::from_millis(10),
            icmp_error_burst: 10,
            icmp_error_interval: Duration::from_millis(100),
            announcements: 2,
            announce_interval: Duration::from_secs(2),
            tcp_reset_unmatched: true,
        }
    }
}

/// Addressing learned at run time (statically, or from DHCP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Config {
    pub address: Option<crate::wire::Ipv4Cidr>,
    pub gateway: Option<core::net::Ipv4Addr>,
    pub dns_servers: AddressList,
    pub ntp_servers: AddressList,
}

impl Default for Ipv4Config {
    fn default() -> Self {
        Ipv4Config {
            address: None,
            gateway: None,
            dns_servers: AddressList::EMPTY,
            ntp_servers: AddressList::EMPTY,
        }
    }
}
