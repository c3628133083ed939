//! `[[host]]` tables: groups of hosts, their MACs, addresses, sizes and apps.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::ops::Range;

use seqs::tcp::Congestion;
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use toml::Spanned;

use super::apps;
use super::format::{
    AddressDef, CapacitiesDef, CongestionDef, DirectionDef, FirmwareDef, HostDef, Names, StaticDef,
    TcpDef,
};
use super::validate::{Checker, Kind};
use super::HostPlan;
use crate::host::{AddressSource, FirmwareConfig, HostCapacities, HostConfig};

/// The members of one `[[host]]` or `[[switch]]` table.
#[derive(Debug, Clone)]
pub struct Group {
    pub members: Vec<String>,
    pub attach: Option<Spanned<Names>>,
    pub uplink: Option<DirectionDef>,
}

/// Names the members of a table: `name` alone, or `name1`..`nameN` with a
/// `count` (the group keeps `name`).
pub fn group_members(
    ck: &mut Checker<'_>,
    name: &Spanned<String>,
    count: Option<&Spanned<u32>>,
    kind: Kind,
) -> Group {
    let span = name.span();
    let base = name.get_ref();
    let members: Vec<String> = match count {
        None => vec![base.clone()],
        Some(c) if *c.get_ref() == 0 => {
            ck.error(c.span(), "`count` must be at least 1");
            Vec::new()
        }
        Some(c) => {
            ck.define(base, Kind::Group, span.clone());
            (1..=*c.get_ref()).map(|i| format!("{base}{i}")).collect()
        }
    };
    let members: Vec<String> = members
        .into_iter()
        .filter(|m| ck.define(m, kind, span.clone()))
        .collect();
    ck.groups.insert(base.clone(), members.clone());
    Group {
        members,
        attach: None,
        uplink: None,
    }
}

/// Defines every host (with its MAC) and returns the groups.
pub fn groups(ck: &mut Checker<'_>, defs: &[Spanned<HostDef>]) -> Vec<Group> {
    let mut macs: BTreeMap<EthernetAddress, String> = BTreeMap::new();
    let mut auto = 0u32;
    defs.iter()
        .map(|def| {
            let span = def.span();
            let def = def.get_ref();
            let group = group_members(ck, &def.name, def.count.as_ref(), Kind::Host);
            let base = def.mac.as_ref().and_then(|m| parse_mac(ck, m));
            for (i, member) in group.members.iter().enumerate() {
                auto += 1;
                let mac = match base {
                    Some(b) => offset_mac(b, i),
                    None => offset_mac(EthernetAddress([2, 0, 0, 0, 0, 0]), auto as usize),
                };
                if let Some(first) = macs.insert(mac, member.clone()) {
                    let message =
                        format!("host {member:?} would get MAC {mac}, already used by {first:?}");
                    ck.error(
                        def.mac.as_ref().map_or(span.clone(), Spanned::span),
                        message,
                    );
                }
                ck.builder().host(member, mac);
            }
            Group {
                attach: def.attach.clone(),
                uplink: def.uplink.clone(),
                ..group
            }
        })
        .collect()
}

/// `02:00:00:00:00:01` (six hex pairs).
pub fn mac_from_text(text: &str) -> Option<EthernetAddress> {
    let mut bytes = [0u8; 6];
    let parts: Vec<_> = text.split(':').collect();
    let ok = parts.len() == 6
        && parts
            .iter()
            .zip(bytes.iter_mut())
            .all(|(p, b)| p.len() == 2 && u8::from_str_radix(p, 16).map(|v| *b = v).is_ok());
    ok.then_some(EthernetAddress(bytes))
}

fn parse_mac(ck: &mut Checker<'_>, text: &Spanned<String>) -> Option<EthernetAddress> {
    let Some(mac) = mac_from_text(text.get_ref()) else {
        let message = format!(
            "invalid MAC address {:?}: expected six hex pairs such as \"02:00:00:00:00:01\"",
            text.get_ref()
        );
        ck.error(text.span(), message);
        return None;
    };
    if mac.is_multicast() {
        ck.error(
            text.span(),
            format!("MAC {mac} is a group address: expected an individual (unicast) address"),
        );
        return None;
    }
    Some(mac)
}

/// `mac` plus `n` in its low three bytes (wrapping), keeping the OUI.
fn offset_mac(mac: EthernetAddress, n: usize) -> EthernetAddress {
    let b = mac.0;
    let low = u32::from_be_bytes([0, b[3], b[4], b[5]]).wrapping_add(n as u32) & 0x00ff_ffff;
    let [_, x, y, z] = low.to_be_bytes();
    EthernetAddress([b[0], b[1], b[2], x, y, z])
}

/// Every host's software, in definition order (= topology order).
pub fn configs(
    ck: &mut Checker<'_>,
    defs: &[Spanned<HostDef>],
    groups: &[Group],
) -> Vec<(String, HostPlan)> {
    let mut addresses: BTreeMap<Ipv4Addr, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (def, group) in defs.iter().zip(groups) {
        let def = def.get_ref();
        if let Some(firmware) = &def.firmware {
            let plan = HostPlan::Firmware(firmware_config(ck, def, firmware));
            out.extend(group.members.iter().map(|m| (m.clone(), plan.clone())));
            continue;
        }
        let mtu = host_mtu(ck, def);
        let capacities = def
            .capacities
            .as_ref()
            .map_or_else(HostCapacities::default, |c| capacities(ck, c));
        let tcp = tcp_config(ck, def.tcp.as_ref().unwrap_or(&TcpDef::default()), mtu);
        let address = def.address.as_ref();
        if address.is_none() && !def.apps.is_empty() {
            ck.error(
                def.apps[0].span(),
                format!("host {:?} has apps but no address: add `address = \"dhcp\"` or `address = {{ static = \"192.0.2.10/24\" }}`", def.name.get_ref()),
            );
        }
        let is_static = matches!(address.map(Spanned::get_ref), Some(AddressDef::Static(_)));
        let app_configs = apps::apps(ck, &def.apps, is_static);
        let base = address.and_then(|a| match a.get_ref() {
            AddressDef::Static(s) => parse_cidr(ck, s).map(|c| (c, a.span(), s)),
            AddressDef::Dhcp => None,
        });
        for (i, member) in group.members.iter().enumerate() {
            let source = match (address.map(Spanned::get_ref), &base) {
                (None, _) => None,
                (Some(AddressDef::Dhcp), _) => Some(AddressSource::Dhcp),
                (Some(AddressDef::Static(_)), None) => None,
                (Some(AddressDef::Static(_)), Some((cidr, span, s))) => {
                    static_member(ck, &mut addresses, member, *cidr, i, span.clone(), s)
                }
            };
            let plan = source.map_or(HostPlan::Idle, |address| {
                HostPlan::Seqs(HostConfig {
                    address,
                    mtu,
                    capacities,
                    tcp,
                    apps: app_configs.clone(),
                })
            });
            out.push((member.clone(), plan));
        }
    }
    out
}

/// A firmware host configures itself: the keys for the simulator's own
/// stack and apps do not apply.
fn firmware_config(
    ck: &mut Checker<'_>,
    def: &HostDef,
    fw: &Spanned<FirmwareDef>,
) -> FirmwareConfig {
    let others = [
        ("address", def.address.is_some()),
        ("mtu", def.mtu.is_some()),
        ("capacities", def.capacities.is_some()),
        ("tcp", def.tcp.is_some()),
        ("app", !def.apps.is_empty()),
    ];
    for (key, present) in others {
        if present {
            ck.error(fw.span(), format!("a firmware host configures itself (by DHCP, with its own sizes and apps): remove `{key}`"));
        }
    }
    let fw = fw.get_ref();
    FirmwareConfig {
        hostname: fw.hostname.clone(),
        ntp_server: fw.ntp_server,
        lookup: fw.lookup.clone(),
    }
}

/// The `i`-th member's static address: the base address plus `i`, still in
/// its subnet and not taken.
fn static_member(
    ck: &mut Checker<'_>,
    taken: &mut BTreeMap<Ipv4Addr, String>,
    member: &str,
    cidr: Ipv4Cidr,
    i: usize,
    span: Range<usize>,
    def: &StaticDef,
) -> Option<AddressSource> {
    let base = u32::from(cidr.address());
    let address = u32::try_from(i)
        .ok()
        .and_then(|i| base.checked_add(i))
        .map(Ipv4Addr::from)?;
    let prefix = u32::from(cidr.prefix_len());
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    let host_bits = u32::from(address) & !mask;
    if prefix < 31 && (host_bits == !mask || host_bits == 0) {
        let which = if host_bits == 0 {
            "network"
        } else {
            "broadcast"
        };
        ck.error(
            span,
            format!(
                "host {member:?} would get {address}, the {which} address of {}/{}",
                cidr.address(),
                cidr.prefix_len()
            ),
        );
        return None;
    }
    if (u32::from(address) & mask) != (base & mask) {
        ck.error(
            span,
            format!(
                "host {member:?} would get {address}, outside {}/{}",
                cidr.address(),
                cidr.prefix_len()
            ),
        );
        return None;
    }
    if let Some(first) = taken.insert(address, member.to_owned()) {
        ck.error(
            span,
            format!("address {address} of host {member:?} is already used by {first:?}"),
        );
        return None;
    }
    let cidr = Ipv4Cidr::new(address, cidr.prefix_len())?;
    Some(AddressSource::Static {
        cidr,
        gateway: def.gateway,
        dns: def.dns.clone(),
        ntp: def.ntp.clone(),
    })
}

fn parse_cidr(ck: &mut Checker<'_>, def: &StaticDef) -> Option<Ipv4Cidr> {
    let text = def.cidr.get_ref();
    let cidr = text.split_once('/').and_then(|(addr, len)| {
        let addr: Ipv4Addr = addr.parse().ok()?;
        let len: u8 = len.parse().ok()?;
        (1..=32).contains(&len).then_some(())?;
        Ipv4Cidr::new(addr, len)
    });
    if cidr.is_none() {
        ck.error(def.cidr.span(), format!("invalid address {text:?}: expected an address with a prefix length such as \"192.0.2.10/24\""));
    }
    cidr
}

fn host_mtu(ck: &mut Checker<'_>, def: &HostDef) -> usize {
    let Some(mtu) = &def.mtu else { return 1500 };
    let bytes = mtu.get_ref().0;
    if !(576..=9000).contains(&bytes) {
        ck.error(
            mtu.span(),
            format!("host MTU of {bytes} bytes is impossible: expected 576 to 9000"),
        );
        return 1500;
    }
    bytes as usize
}

/// Largest socket buffer a scenario may ask for: more is a typo, not a test.
const MAX_BUFFER: u64 = 64 << 20;
/// Most sockets or ARP entries a host may have.
const MAX_SLOTS: usize = 4096;

fn capacities(ck: &mut Checker<'_>, def: &Spanned<CapacitiesDef>) -> HostCapacities {
    let d = HostCapacities::default();
    let c = def.get_ref();
    let mut bytes = |name: &str, v: Option<super::Size>, default: usize| match v {
        Some(s) if s.0 == 0 || s.0 > MAX_BUFFER => {
            ck.error(
                def.span(),
                format!(
                    "{name} of {} bytes is impossible: expected 1B to 64MiB",
                    s.0
                ),
            );
            default
        }
        Some(s) => s.0 as usize,
        None => default,
    };
    let caps = HostCapacities {
        sockets: c.sockets.unwrap_or(d.sockets),
        neighbors: c.neighbors.unwrap_or(d.neighbors),
        udp_packets: c.udp_packets.unwrap_or(d.udp_packets),
        udp_rx_bytes: bytes("udp_rx", c.udp_rx, d.udp_rx_bytes),
        udp_tx_bytes: bytes("udp_tx", c.udp_tx, d.udp_tx_bytes),
        tcp_rx_bytes: bytes("tcp_rx", c.tcp_rx, d.tcp_rx_bytes),
        tcp_tx_bytes: bytes("tcp_tx", c.tcp_tx, d.tcp_tx_bytes),
    };
    for (name, n) in [
        ("sockets", caps.sockets),
        ("neighbors", caps.neighbors),
        ("udp_packets", caps.udp_packets),
    ] {
        if n == 0 || n > MAX_SLOTS {
            ck.error(
                def.span(),
                format!("{name} = {n} is impossible: expected 1 to {MAX_SLOTS}"),
            );
        }
    }
    caps
}

/// The host's TCP options: the stack's defaults where nothing was written.
fn tcp_config(ck: &mut Checker<'_>, def: &TcpDef, mtu: usize) -> seqs::tcp::Config {
    let d = seqs::tcp::Config::default();
    let time = |v: Option<super::Duration>, default| v.map_or(default, |t| t.0.to_stack());
    if let Some(mss) = &def.mss {
        let largest = mtu.saturating_sub(40);
        if !(64..=largest).contains(&usize::from(*mss.get_ref())) {
            ck.error(
                mss.span(),
                format!(
                    "MSS of {} bytes is impossible: expected 64 to {largest} (the MTU less 40)",
                    mss.get_ref()
                ),
            );
        }
    }
    seqs::tcp::Config {
        mss: def.mss.as_ref().map_or(d.mss, |m| *m.get_ref()),
        rto_initial: time(def.rto_initial, d.rto_initial),
        rto_min: time(def.rto_min, d.rto_min),
        rto_max: time(def.rto_max, d.rto_max),
        syn_retries: def.syn_retries.unwrap_or(d.syn_retries),
        max_retries: def.max_retries.unwrap_or(d.max_retries),
        ack_delay: match def.ack_delay {
            Some(t) if t.0.is_zero() => None,
            Some(t) => Some(t.0.to_stack()),
            None => d.ack_delay,
        },
        nagle: def.nagle.unwrap_or(d.nagle),
        keepalive: def.keepalive.map(|t| t.0.to_stack()).or(d.keepalive),
        keepalive_probes: def.keepalive_probes.unwrap_or(d.keepalive_probes),
        time_wait: time(def.time_wait, d.time_wait),
        window_scaling: def.window_scaling.unwrap_or(d.window_scaling),
        timestamps: def.timestamps.unwrap_or(d.timestamps),
        sack: def.sack.unwrap_or(d.sack),
        congestion: match def.congestion {
            Some(CongestionDef::Reno) => Congestion::Reno,
            Some(CongestionDef::Cubic) => Congestion::Cubic,
            None => d.congestion,
        },
        ..d
    }
}
