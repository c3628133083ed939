//! The scenario file as written: serde structures over the TOML text.
//!
//! Every table denies unknown keys, and values that later checks may reject
//! keep their source span (`Spanned`) so the error can point at them. What a
//! table means is decided in [`super::validate`], not here.

use std::fmt;
use std::net::Ipv4Addr;

use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::units::{Bandwidth, Duration, Offset, Percent, Size};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    pub duration: Spanned<Duration>,
    #[serde(default)]
    pub trace: TraceDef,
    #[serde(default, rename = "switch")]
    pub switches: Vec<Spanned<SwitchDef>>,
    #[serde(default, rename = "host")]
    pub hosts: Vec<Spanned<HostDef>>,
    #[serde(default, rename = "link")]
    pub links: Vec<Spanned<LinkDef>>,
    #[serde(default, rename = "fault")]
    pub faults: Vec<Spanned<FaultDef>>,
    #[serde(default, rename = "expect")]
    pub expects: Vec<Spanned<ExpectDef>>,
}

/// `[trace]`: which lines the scenario's trace (and snapshot) keeps.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceDef {
    #[serde(default)]
    pub elements: Vec<Spanned<String>>,
    #[serde(default)]
    pub kinds: Vec<String>,
}

/// One name or several: `attach = "sw"` or `attach = ["sw1", "sw2"]`.
#[derive(Debug, Clone)]
pub struct Names(pub Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Names;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Names, E> {
                Ok(Names(vec![text.to_owned()]))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(Names(names))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `[[switch]]`: one learning switch, or `count` of them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchDef {
    pub name: Spanned<String>,
    pub count: Option<Spanned<u32>>,
    pub attach: Option<Spanned<Names>>,
    pub uplink: Option<DirectionDef>,
    pub table_size: Option<usize>,
    pub ageing: Option<Duration>,
}

/// `[[host]]`: one host, or `count` of them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostDef {
    pub name: Spanned<String>,
    pub count: Option<Spanned<u32>>,
    pub mac: Option<Spanned<String>>,
    pub attach: Option<Spanned<Names>>,
    pub uplink: Option<DirectionDef>,
    pub address: Option<Spanned<AddressDef>>,
    pub mtu: Option<Spanned<Size>>,
    pub capacities: Option<Spanned<CapacitiesDef>>,
    pub tcp: Option<TcpDef>,
    pub firmware: Option<Spanned<FirmwareDef>>,
    #[serde(default, rename = "app")]
    pub apps: Vec<Spanned<AppDef>>,
}

/// `address = "dhcp"` or `address = { static = "192.0.2.10/24", ... }`.
#[derive(Debug, Clone)]
pub enum AddressDef {
    Dhcp,
    Static(StaticDef),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticDef {
    #[serde(rename = "static")]
    pub cidr: Spanned<String>,
    pub gateway: Option<Ipv4Addr>,
    #[serde(default)]
    pub dns: Vec<Ipv4Addr>,
    #[serde(default)]
    pub ntp: Vec<Ipv4Addr>,
}

impl<'de> Deserialize<'de> for AddressDef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AddressDef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"dhcp\" or a table such as { static = \"192.0.2.10/24\" }")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<AddressDef, E> {
                match text {
                    "dhcp" => Ok(AddressDef::Dhcp),
                    _ => Err(E::invalid_value(de::Unexpected::Str(text), &self)),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AddressDef, A::Error> {
                StaticDef::deserialize(MapAccessDeserializer::new(map)).map(AddressDef::Static)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `capacities = { ... }`: the stack's fixed sizes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacitiesDef {
    pub sockets: Option<usize>,
    pub neighbors: Option<usize>,
    pub udp_packets: Option<usize>,
    pub udp_rx: Option<Size>,
    pub udp_tx: Option<Size>,
    pub tcp_rx: Option<Size>,
    pub tcp_tx: Option<Size>,
}

/// `firmware = { ... }`: the host runs the Pico W firmware's application
/// (which configures itself by DHCP) instead of the simulator's apps.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirmwareDef {
    pub hostname: Option<String>,
    /// Used when the lease names no NTP server.
    pub ntp_server: Option<Ipv4Addr>,
    /// A name resolved once the lease brings DNS servers.
    pub lookup: Option<String>,
}

/// `tcp = { ... }`: TCP options of every connection on the host.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpDef {
    pub mss: Option<Spanned<u16>>,
    pub rto_initial: Option<Duration>,
    pub rto_min: Option<Duration>,
    pub rto_max: Option<Duration>,
    pub syn_retries: Option<u8>,
    pub max_retries: Option<u8>,
    /// `"0s"` turns delayed ACKs off.
    pub ack_delay: Option<Duration>,
    pub nagle: Option<bool>,
    /// Idle time before keep-alive probes; absent: no keep-alive.
    pub keepalive: Option<Duration>,
    pub keepalive_probes: Option<u8>,
    pub time_wait: Option<Duration>,
    pub window_scaling: Option<bool>,
    pub timestamps: Option<bool>,
    pub sack: Option<bool>,
    pub congestion: Option<CongestionDef>,
}

/// `congestion = "reno"` or `"cubic"`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CongestionDef {
    Reno,
    Cubic,
}

/// `loss = "1%"` (independent), `loss = { rate = "5%", burst = 4 }`
/// (bursty), or the four Gilbert–Elliott parameters.
#[derive(Debug, Clone)]
pub enum LossDef {
    Bernoulli(Percent),
    Bursty(LossTable),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossTable {
    pub rate: Option<Percent>,
    pub burst: Option<f64>,
    pub to_bad: Option<Percent>,
    pub to_good: Option<Percent>,
    pub loss_good: Option<Percent>,
    pub loss_bad: Option<Percent>,
}

impl<'de> Deserialize<'de> for LossDef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LossDef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a percentage such as \"1%\" or a table such as { rate = \"5%\", burst = 4 }",
                )
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<LossDef, E> {
                Percent::parse(text)
                    .map(LossDef::Bernoulli)
                    .map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<LossDef, A::Error> {
                LossTable::deserialize(MapAccessDeserializer::new(map)).map(LossDef::Bursty)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Declares the per-direction link settings once, for the three places they
/// are written: a `[[link]]` (both directions), its `a_to_b`/`b_to_a`
/// overrides and `uplink`s, and `configure` faults.
macro_rules! direction_settings {
    ($( $(#[$doc:meta])* $field:ident: $ty:ty ),* $(,)?) => {
        /// Settings of one link direction; unset ones keep their defaults.
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct DirectionDef {
            $( $(#[$doc])* pub $field: Option<Spanned<$ty>>, )*
        }

        impl DirectionDef {
            /// These settings, with `over`'s where it has them.
            pub fn overlaid(&self, over: &DirectionDef) -> DirectionDef {
                DirectionDef { $( $field: over.$field.clone().or_else(|| self.$field.clone()), )* }
            }
        }

        /// `[[link]]`: settings for both directions, then overrides.
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct LinkDef {
            pub name: Spanned<String>,
            pub a: Spanned<String>,
            pub b: Spanned<String>,
            $( $(#[$doc])* pub $field: Option<Spanned<$ty>>, )*
            pub a_to_b: Option<DirectionDef>,
            pub b_to_a: Option<DirectionDef>,
        }

        impl LinkDef {
            /// The settings written for both directions.
            pub fn both(&self) -> DirectionDef {
                DirectionDef { $( $field: self.$field.clone(), )* }
            }
        }

        /// `configure = { link = "wan", latency = "50ms", ... }`: replaces
        /// the direction's whole configuration (unset settings: defaults).
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct ConfigureDef {
            pub link: Spanned<String>,
            pub direction: Option<LanesDef>,
            $( $(#[$doc])* pub $field: Option<Spanned<$ty>>, )*
        }

        impl ConfigureDef {
            pub fn settings(&self) -> DirectionDef {
                DirectionDef { $( $field: self.$field.clone(), )* }
            }
        }
    };
}

direction_settings! {
    latency: Duration,
    jitter: Duration,
    bandwidth: Bandwidth,
    queue: Size,
    loss: LossDef,
    duplicate: Percent,
    reorder: Percent,
    reorder_delay: Duration,
    corrupt: Percent,
    mtu: Size,
}

/// Which directions of a link a fault changes.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanesDef {
    Both,
    AToB,
    BToA,
}

/// `[[fault]]`: one change at time `at`; exactly one action key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultDef {
    pub at: Duration,
    pub link_down: Option<Spanned<String>>,
    pub link_up: Option<Spanned<String>>,
    pub partition: Option<Vec<Spanned<String>>>,
    pub heal: Option<Spanned<bool>>,
    pub crash: Option<Spanned<String>>,
    pub restart: Option<Spanned<String>>,
    pub set_loss: Option<SetLossDef>,
    pub configure: Option<ConfigureDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetLossDef {
    pub link: Spanned<String>,
    pub direction: Option<LanesDef>,
    pub loss: Spanned<LossDef>,
}

/// `[[host.app]]`: a name, a start time and exactly one kind table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppDef {
    pub name: Spanned<String>,
    #[serde(default)]
    pub start: Duration,
    pub dhcp_server: Option<DhcpServerDef>,
    pub dns_server: Option<DnsServerDef>,
    pub ntp_server: Option<NtpServerDef>,
    pub ntp_client: Option<NtpClientDef>,
    pub dns_lookup: Option<DnsLookupDef>,
    pub ping: Option<PingDef>,
    pub udp_echo: Option<UdpEchoDef>,
    pub udp_send: Option<UdpSendDef>,
    pub tcp_sink: Option<TcpSinkDef>,
    pub tcp_bulk: Option<TcpBulkDef>,
    pub http_server: Option<HttpServerDef>,
    pub http_get: Option<HttpGetDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DhcpServerDef {
    /// `"192.0.2.100-192.0.2.199"`.
    pub ranges: Vec<Spanned<String>>,
    #[serde(default)]
    pub reservations: Vec<ReservationDef>,
    pub lease: Option<Duration>,
    pub router: Option<Ipv4Addr>,
    #[serde(default)]
    pub dns: Vec<Ipv4Addr>,
    #[serde(default)]
    pub ntp: Vec<Ipv4Addr>,
    pub domain: Option<String>,
    pub max_leases: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservationDef {
    pub mac: Spanned<String>,
    pub address: Ipv4Addr,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsServerDef {
    pub records: Vec<RecordDef>,
}

/// One zone record: `{ name = "www.example.test", a = "192.0.2.80" }` or
/// `{ name = "web.example.test", cname = "www.example.test" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordDef {
    pub name: Spanned<String>,
    pub ttl: Option<Duration>,
    pub a: Option<Ipv4Addr>,
    pub cname: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NtpServerDef {
    /// How far the server's clock is ahead of the simulation's (`"-3ms"`:
    /// behind).
    pub offset: Option<Offset>,
    pub stratum: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NtpClientDef {
    pub server: Option<Ipv4Addr>,
    /// The server clock's expected offset, and how close the measured
    /// one must be to it.
    pub expect_offset: Option<Offset>,
    pub tolerance: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsLookupDef {
    pub name: String,
    pub expect: Option<Vec<Ipv4Addr>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PingDef {
    pub target: Spanned<String>,
    pub count: Option<u32>,
    pub interval: Option<Duration>,
    pub size: Option<Size>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UdpEchoDef {
    pub port: u16,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UdpSendDef {
    pub target: Spanned<String>,
    pub port: u16,
    pub count: Option<u32>,
    pub interval: Option<Duration>,
    pub size: Option<Size>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpSinkDef {
    pub port: u16,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpBulkDef {
    pub target: Spanned<String>,
    pub port: u16,
    pub bytes: Size,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpServerDef {
    pub port: Option<u16>,
    pub routes: Vec<RouteDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteDef {
    pub path: String,
    pub status: Option<u16>,
    /// The body text, or `body_size` bytes of a repeating pattern.
    pub body: Option<String>,
    pub body_size: Option<Size>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpGetDef {
    pub target: Spanned<String>,
    pub port: Option<u16>,
    /// `GET` by default; other methods send an empty body.
    pub method: Option<Spanned<String>>,
    pub path: Option<String>,
    pub count: Option<u32>,
    #[serde(default)]
    pub keep_alive: bool,
    pub expect_status: Option<u16>,
}

/// `[[expect]]`: a subject (`app`, `host`, `link` or `path`) and what must
/// hold of it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectDef {
    /// `host/app`, where `host` may name a group (`count`): every member.
    pub app: Option<Spanned<String>>,
    /// A host or a group.
    pub host: Option<Spanned<String>>,
    pub link: Option<Spanned<String>>,
    /// A dotted path to a number in the JSON summary.
    pub path: Option<Spanned<String>>,
    /// App status: `"succeeded"` (default for `app`), `"failed"`, `"running"`.
    pub status: Option<Spanned<String>>,
    /// Finished (app) or got its lease (host) by this time.
    pub within: Option<Duration>,
    /// The number to compare: an app metric, a host counter or `dhcp`
    /// field, a link counter (both directions added).
    pub metric: Option<Spanned<String>>,
    /// The comparison, such as `">= 10MiB"`, `"== 0"`, `"< 250ms"`.
    pub value: Option<Spanned<String>>,
}
