//! `[[host.app]]` tables: one kind table each, turned into [`AppConfig`]s.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use seqs::dhcp::{AddressRange, Reservation};
use toml::Spanned;

use super::format::{AppDef, DhcpServerDef, DnsServerDef, HttpServerDef, NtpClientDef, RecordDef};
use super::hosts::mac_from_text;
use super::validate::Checker;
use crate::app::{
    AppConfig, AppKind, DhcpServerConfig, DnsLookupConfig, DnsServerConfig, HttpGetConfig,
    HttpRoute, HttpServerConfig, NtpClientConfig, NtpServerConfig, OffsetExpectation, PingConfig,
    RecordData, Target, TcpBulkConfig, TcpSinkConfig, UdpEchoConfig, UdpSendConfig, ZoneRecord,
};
use crate::time::SimDuration;

const KINDS: &str = "dhcp_server, dns_server, ntp_server, ntp_client, dns_lookup, ping, udp_echo, udp_send, tcp_sink, tcp_bulk, http_server or http_get";

/// The apps of one host table; `is_static`: the host has a static address
/// (servers that hand out configuration need one).
pub fn apps(ck: &mut Checker<'_>, defs: &[Spanned<AppDef>], is_static: bool) -> Vec<AppConfig> {
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for def in defs {
        let span = def.span();
        let app = def.get_ref();
        let name = app.name.get_ref();
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '/') {
            ck.error(
                app.name.span(),
                format!(
                    "invalid app name {name:?}: expected a non-empty name without spaces or '/'"
                ),
            );
        } else if !names.insert(name.clone()) {
            ck.error(
                app.name.span(),
                format!("app {name:?} is already defined on this host"),
            );
        }
        let mut kinds = kinds(ck, app, is_static);
        if kinds.len() != 1 {
            ck.error(
                span,
                format!("expected exactly one app kind table in app {name:?}: {KINDS}"),
            );
            continue;
        }
        if let Some(kind) = kinds.pop().flatten() {
            out.push(AppConfig::new(name, app.start.0, kind));
        }
    }
    out
}

/// Every kind table present (`None` where it had errors).
fn kinds(ck: &mut Checker<'_>, app: &AppDef, is_static: bool) -> Vec<Option<AppKind>> {
    let mut kinds = Vec::new();
    if let Some(d) = &app.dhcp_server {
        if !is_static {
            ck.error(
                app.name.span(),
                "a DHCP server needs a static address on its host",
            );
        }
        kinds.push(dhcp_server(ck, d).map(AppKind::DhcpServer));
    }
    if let Some(d) = &app.dns_server {
        kinds.push(dns_server(ck, d).map(AppKind::DnsServer));
    }
    if let Some(d) = &app.ntp_server {
        let offset_micros = d.offset.map_or(0, |o| o.0 / 1000);
        let stratum = d.stratum.unwrap_or(1);
        kinds.push(Some(AppKind::NtpServer(NtpServerConfig {
            offset_micros,
            stratum,
        })));
    }
    if let Some(d) = &app.ntp_client {
        kinds.push(Some(AppKind::NtpClient(ntp_client(d))));
    }
    if let Some(d) = &app.dns_lookup {
        let config = DnsLookupConfig {
            name: d.name.clone(),
            expect: d.expect.clone(),
        };
        kinds.push(Some(AppKind::DnsLookup(config)));
    }
    if let Some(d) = &app.ping {
        kinds.push(target(ck, &d.target).map(|target| {
            AppKind::Ping(PingConfig {
                target,
                count: d.count.unwrap_or(3),
                interval: d.interval.map_or(SimDuration::from_secs(1), |i| i.0),
                size: d.size.map_or(56, |s| s.0 as usize),
            })
        }));
    }
    if let Some(d) = &app.udp_echo {
        kinds.push(Some(AppKind::UdpEcho(UdpEchoConfig { port: d.port })));
    }
    if let Some(d) = &app.udp_send {
        kinds.push(target(ck, &d.target).map(|target| {
            AppKind::UdpSend(UdpSendConfig {
                target,
                port: d.port,
                count: d.count.unwrap_or(10),
                interval: d.interval.map_or(SimDuration::from_millis(100), |i| i.0),
                size: d.size.map_or(64, |s| s.0 as usize),
            })
        }));
    }
    if let Some(d) = &app.tcp_sink {
        kinds.push(Some(AppKind::TcpSink(TcpSinkConfig { port: d.port })));
    }
    if let Some(d) = &app.tcp_bulk {
        kinds.push(target(ck, &d.target).map(|target| {
            AppKind::TcpBulk(TcpBulkConfig {
                target,
                port: d.port,
                bytes: d.bytes.0,
            })
        }));
    }
    if let Some(d) = &app.http_server {
        kinds.push(Some(AppKind::HttpServer(http_server(d))));
    }
    if let Some(d) = &app.http_get {
        let method = d
            .method
            .as_ref()
            .map_or(Some("GET".to_owned()), |m| method(ck, m));
        let target = target(ck, &d.target);
        kinds.push(target.zip(method).map(|(target, method)| {
            AppKind::HttpGet(HttpGetConfig {
                target,
                method,
                port: d.port.unwrap_or(80),
                path: d.path.clone().unwrap_or_else(|| "/".into()),
                count: d.count.unwrap_or(1),
                keep_alive: d.keep_alive,
                expect_status: d.expect_status.unwrap_or(200),
            })
        }));
    }
    kinds
}

/// An HTTP method: an upper-case token such as `POST`.
fn method(ck: &mut Checker<'_>, text: &Spanned<String>) -> Option<String> {
    let m = text.get_ref();
    if m.is_empty() || !m.chars().all(|c| c.is_ascii_uppercase()) {
        ck.error(text.span(), format!("invalid HTTP method {m:?}: expected upper-case letters such as \"GET\" or \"POST\""));
        return None;
    }
    Some(m.clone())
}

/// An address, or a DNS name (letters, digits, `-` and `.`).
fn target(ck: &mut Checker<'_>, text: &Spanned<String>) -> Option<Target> {
    let t = text.get_ref();
    if let Ok(addr) = t.parse::<Ipv4Addr>() {
        return Some(Target::Addr(addr));
    }
    let valid = !t.is_empty()
        && t.len() <= 253
        && t.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !valid {
        ck.error(
            text.span(),
            format!("invalid target {t:?}: expected an IPv4 address or a DNS name"),
        );
        return None;
    }
    Some(Target::Name(t.clone()))
}

fn dhcp_server(ck: &mut Checker<'_>, d: &DhcpServerDef) -> Option<DhcpServerConfig> {
    let mut ok = true;
    let mut ranges = Vec::new();
    for text in &d.ranges {
        let range = text
            .get_ref()
            .split_once('-')
            .and_then(|(a, b)| AddressRange::new(a.trim().parse().ok()?, b.trim().parse().ok()?));
        match range {
            Some(r) => ranges.push(r),
            None => {
                ok = false;
                let message = format!("invalid range {:?}: expected \"first-last\" such as \"192.0.2.100-192.0.2.199\" with first <= last", text.get_ref());
                ck.error(text.span(), message);
            }
        }
    }
    if d.ranges.is_empty() {
        ok = false;
    }
    let mut reservations = Vec::new();
    for r in &d.reservations {
        match mac_from_text(r.mac.get_ref()) {
            Some(hardware_address) => reservations.push(Reservation {
                hardware_address,
                address: r.address,
            }),
            None => {
                ok = false;
                ck.error(r.mac.span(), format!("invalid MAC address {:?}: expected six hex pairs such as \"02:00:00:00:00:01\"", r.mac.get_ref()));
            }
        }
    }
    let mut config = DhcpServerConfig::new(ranges);
    config.reservations = reservations;
    config.lease = d.lease.map_or(config.lease, |l| l.0);
    config.router = d.router;
    config.dns = d.dns.clone();
    config.ntp = d.ntp.clone();
    config.domain = d.domain.clone();
    config.max_leases = d.max_leases.unwrap_or(config.max_leases);
    ok.then_some(config)
}

fn dns_server(ck: &mut Checker<'_>, d: &DnsServerDef) -> Option<DnsServerConfig> {
    let zone: Vec<_> = d.records.iter().filter_map(|r| record(ck, r)).collect();
    (zone.len() == d.records.len()).then_some(DnsServerConfig { zone })
}

fn record(ck: &mut Checker<'_>, r: &RecordDef) -> Option<ZoneRecord> {
    let data = match (&r.a, &r.cname) {
        (Some(a), None) => RecordData::A(*a),
        (None, Some(c)) => RecordData::Cname(c.clone()),
        _ => {
            ck.error(
                r.name.span(),
                "a record needs exactly one of `a` (an address) or `cname` (a name)",
            );
            return None;
        }
    };
    let ttl = r
        .ttl
        .map_or(300, |t| (t.0.as_nanos() / 1_000_000_000) as u32);
    Some(ZoneRecord {
        name: r.name.get_ref().clone(),
        ttl,
        data,
    })
}

fn ntp_client(d: &NtpClientDef) -> NtpClientConfig {
    let expect = d.expect_offset.map(|o| OffsetExpectation {
        offset_micros: o.0 / 1000,
        tolerance_micros: d.tolerance.map_or(1000, |t| t.0.as_nanos() / 1000),
    });
    NtpClientConfig {
        server: d.server,
        expect,
    }
}

fn http_server(d: &HttpServerDef) -> HttpServerConfig {
    let routes = d
        .routes
        .iter()
        .map(|r| {
            let body = match (&r.body, r.body_size) {
                (Some(text), _) => text.clone().into_bytes(),
                (None, Some(size)) => (0..size.0)
                    .map(|i| b"0123456789abcdef"[(i % 16) as usize])
                    .collect(),
                (None, None) => Vec::new(),
            };
            HttpRoute {
                path: r.path.clone(),
                status: r.status.unwrap_or(200),
                body,
            }
        })
        .collect();
    HttpServerConfig {
        port: d.port.unwrap_or(80),
        routes,
    }
}
