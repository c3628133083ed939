//! What a simulated `seqs` host is: its addressing, sizes and apps. Plain
//! values (no serde) that a scenario loader or a test builds directly.

use std::net::Ipv4Addr;

use seqs::wire::Ipv4Cidr;

use crate::app::AppConfig;

/// How the host's interface gets its IPv4 configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressSource {
    /// Configured at boot.
    Static {
        cidr: Ipv4Cidr,
        gateway: Option<Ipv4Addr>,
        /// Resolvers for DNS lookups (at most 3 are used).
        dns: Vec<Ipv4Addr>,
        /// Servers for NTP clients that name none (at most 3 are kept).
        ntp: Vec<Ipv4Addr>,
    },
    /// A DHCP client configures (and deconfigures) the interface.
    Dhcp,
}

impl AddressSource {
    /// A static address with no gateway, resolvers or NTP servers.
    pub fn fixed(cidr: Ipv4Cidr) -> Self {
        AddressSource::Static {
            cidr,
            gateway: None,
            dns: Vec::new(),
            ntp: Vec::new(),
        }
    }
}

/// Sizes fixed when the stack is built (a restart rebuilds with the same).
/// The defaults keep a host small (thousands run in one simulation); a
/// fast long link needs TCP buffers of at least its bandwidth-delay
/// product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostCapacities {
    /// Socket slots; every app and the DHCP client takes at least one.
    pub sockets: usize,
    /// ARP cache entries.
    pub neighbors: usize,
    /// Per UDP socket (service sockets included): datagrams and payload bytes
    /// queued in each direction.
    pub udp_packets: usize,
    pub udp_rx_bytes: usize,
    pub udp_tx_bytes: usize,
    /// Per TCP socket: receive and send buffer bytes.
    pub tcp_rx_bytes: usize,
    pub tcp_tx_bytes: usize,
}

impl Default for HostCapacities {
    fn default() -> Self {
        HostCapacities {
            sockets: 16,
            neighbors: 32,
            udp_packets: 8,
            udp_rx_bytes: 4 * 1024,
            udp_tx_bytes: 4 * 1024,
            tcp_rx_bytes: 32 * 1024,
            tcp_tx_bytes: 32 * 1024,
        }
    }
}

/// One host's software. Its MAC address is the topology's (the single
/// source of MACs), so it is not repeated here.
#[derive(Debug, Clone, PartialEq)]
pub struct HostConfig {
    pub address: AddressSource,
    /// IP MTU: the largest datagram the stack sends, header included.
    pub mtu: usize,
    pub capacities: HostCapacities,
    /// TCP tunables of every TCP socket the host's apps open (the MSS is
    /// capped to what the MTU allows).
    pub tcp: seqs::tcp::Config,
    /// Started in order; names are unique within the host.
    pub apps: Vec<AppConfig>,
}

impl HostConfig {
    /// A host with `address`, default sizes, a 1500-byte MTU and no apps.
    pub fn new(address: AddressSource) -> Self {
        HostConfig {
            address,
            mtu: 1500,
            capacities: HostCapacities::default(),
            tcp: seqs::tcp::Config::default(),
            apps: Vec::new(),
        }
    }

    /// Adds an app (builder style).
    pub fn app(mut self, app: AppConfig) -> Self {
        self.apps.push(app);
        self
    }
}
