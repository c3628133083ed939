//! DNS lookup: resolves one name (A records, CNAME chains followed) with
//! the stack's resolver, from the server given or the interface's.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddrV4};

use seqs::dns::{self, Answer};
use seqs::socket::{DnsClient, Handle};
use seqs::time::{Duration, Instant};
use seqs::wire::dns::Type;

use super::{udp_socket, AppError, Report, Service};
use crate::{EventLog, TapStack};

/// Addresses kept per answer.
const ANSWERS: usize = 8;
const DNS_PORT: u16 = 53;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsLookupSpec {
    pub name: String,
    /// `None`: the servers the interface learnt (from DHCP).
    pub server: Option<Ipv4Addr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsLookupReport {
    pub name: String,
    /// `None` while unanswered.
    pub result: Option<Result<Vec<IpAddr>, String>>,
    pub elapsed: Option<Duration>,
}

impl DnsLookupReport {
    pub fn is_complete(&self) -> bool {
        matches!(&self.result, Some(Ok(addrs)) if !addrs.is_empty())
    }
}

impl fmt::Display for DnsLookupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dns {}: ", self.name)?;
        match &self.result {
            None => f.write_str("no answer"),
            Some(Err(e)) => write!(f, "failed: {e}"),
            Some(Ok(addrs)) => {
                let list: Vec<_> = addrs.iter().map(IpAddr::to_string).collect();
                write!(f, "{}", list.join(", "))
            }
        }
    }
}

#[derive(Debug)]
pub struct DnsLookup {
    spec: DnsLookupSpec,
    /// Added once the interface has an address (and, through DHCP, its
    /// DNS servers).
    handle: Option<(Handle<DnsClient>, Instant)>,
    report: DnsLookupReport,
}

impl DnsLookup {
    pub fn start(spec: DnsLookupSpec) -> Self {
        DnsLookup {
            report: DnsLookupReport {
                name: spec.name.clone(),
                result: None,
                elapsed: None,
            },
            spec,
            handle: None,
        }
    }

    fn begin(&mut self, now: Instant, stack: &mut TapStack) -> Result<(), String> {
        if stack.ipv4_address().is_none() {
            return Ok(());
        }
        let mut client =
            dns::Client::new(dns::Config::default(), vec![Answer::UNSPECIFIED; ANSWERS]);
        if let Some(server) = self.spec.server {
            client.set_servers(&[SocketAddrV4::new(server, DNS_PORT)]);
        }
        let handle = stack
            .add_dns_client(client, udp_socket())
            .map_err(|e| AppError::Bind(e).to_string())?;
        self.handle = Some((handle, now));
        let engine = stack.dns_client(handle).ok_or("socket vanished")?;
        engine
            .engine_mut()
            .start(now, &self.spec.name, Type::A)
            .map_err(|e| format!("{e:?}"))
    }

    fn outcome(&self, stack: &mut TapStack) -> Option<Result<Vec<IpAddr>, String>> {
        let (handle, _) = self.handle?;
        let engine = stack.dns_client(handle)?.engine();
        let result = engine.result()?;
        Some(match result {
            Ok(_) => Ok(engine.answers().iter().map(|a| a.address).collect()),
            Err(e) => Err(format!("{e:?}")),
        })
    }
}

impl Service for DnsLookup {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        if self.report.result.is_some() {
            return;
        }
        if self.handle.is_none() {
            if let Err(e) = self.begin(now, stack) {
                self.report.result = Some(Err(e));
            }
        }
        if self.report.result.is_none() {
            self.report.result = self.outcome(stack);
        }
        if self.report.result.is_some() {
            self.report.elapsed = self.handle.map(|(_, started)| now - started);
            log.event(now, format_args!("{}", self.report));
        }
    }

    fn is_done(&self) -> bool {
        self.report.result.is_some()
    }

    fn is_finite(&self) -> bool {
        true
    }

    fn report(&self) -> Report {
        Report::DnsLookup(self.report.clone())
    }
}
