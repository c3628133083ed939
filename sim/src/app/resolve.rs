//! Turning a [`Target`] into addresses, once the interface is configured:
//! a name is looked up with an A query through the host's resolvers.

use std::net::{IpAddr, Ipv4Addr};

use seqs::dns;
use seqs::socket::{DnsClient, Handle};
use seqs::wire::dns::Type;

use super::{AppCx, AppResult, Target};
use crate::host::udp_socket;

/// Answers kept per lookup.
const MAX_ANSWERS: usize = 16;

/// What one poll of a [`Resolve`] came to.
pub(crate) enum Step {
    /// Nothing changed.
    Idle,
    /// Progress (a lookup started), no answer yet.
    Acted,
    /// The target's addresses (returned once).
    Resolved(Vec<Ipv4Addr>),
    Failed(String),
}

pub(crate) enum Resolve {
    /// Waiting for an interface address.
    Waiting(Target),
    Looking {
        name: String,
        handle: Handle<DnsClient>,
    },
    Done,
}

impl Resolve {
    pub fn new(target: &Target) -> Self {
        Resolve::Waiting(target.clone())
    }

    pub fn poll(&mut self, cx: &mut AppCx<'_, '_>) -> Step {
        match std::mem::replace(self, Resolve::Done) {
            Resolve::Waiting(target) => self.begin(cx, target),
            Resolve::Looking { name, handle } => self.look(cx, name, handle),
            Resolve::Done => Step::Idle,
        }
    }

    /// For apps that need one address: `Ok(addr)` once it is known;
    /// `Err(acted)` while waiting, or after failing `result`.
    pub fn first(
        &mut self,
        cx: &mut AppCx<'_, '_>,
        result: &mut AppResult,
    ) -> Result<Ipv4Addr, bool> {
        match self.poll(cx) {
            Step::Idle => Err(false),
            Step::Acted => Err(true),
            Step::Resolved(addrs) => addrs.first().copied().ok_or_else(|| {
                result.fail("no address for the target");
                true
            }),
            Step::Failed(reason) => {
                result.fail(reason);
                Err(true)
            }
        }
    }

    fn begin(&mut self, cx: &mut AppCx<'_, '_>, target: Target) -> Step {
        let ipv4 = *cx.stack.ipv4_config();
        if ipv4.address.is_none() {
            *self = Resolve::Waiting(target);
            return Step::Idle;
        }
        let name = match target {
            Target::Addr(addr) => return Step::Resolved(vec![addr]),
            // The interface's resolvers come with its address (static, or
            // in the same DHCP lease): none now means none to come.
            Target::Name(_) if ipv4.dns_servers.as_slice().is_empty() => {
                return Step::Failed("no dns servers".into());
            }
            Target::Name(name) => name,
        };
        let client = dns::Client::new(
            dns::Config::default(),
            vec![dns::Answer::UNSPECIFIED; MAX_ANSWERS],
        );
        let udp = udp_socket(cx.caps);
        let Ok(handle) = cx.stack.add_dns_client(client, udp) else {
            return Step::Failed("no socket for a dns lookup".into());
        };
        let now = cx.instant();
        let started = cx
            .stack
            .dns_client(handle)
            .map(|s| s.engine_mut().start(now, &name, Type::A));
        match started {
            Some(Ok(())) => {
                *self = Resolve::Looking { name, handle };
                Step::Acted
            }
            Some(Err(e)) => {
                cx.stack.remove_socket(handle);
                Step::Failed(format!("dns {}", error_name(e)))
            }
            None => Step::Failed("dns socket vanished".into()),
        }
    }

    fn look(&mut self, cx: &mut AppCx<'_, '_>, name: String, handle: Handle<DnsClient>) -> Step {
        let Some(socket) = cx.stack.dns_client(handle) else {
            return Step::Failed("dns socket vanished".into());
        };
        let engine = socket.engine();
        let outcome = engine.result().map(|r| {
            r.map(|_| {
                engine
                    .answers()
                    .iter()
                    .filter_map(|a| match a.address {
                        IpAddr::V4(v4) => Some(v4),
                        IpAddr::V6(_) => None,
                    })
                    .collect::<Vec<_>>()
            })
        });
        let Some(outcome) = outcome else {
            *self = Resolve::Looking { name, handle };
            return Step::Idle;
        };
        cx.stack.remove_socket(handle);
        match outcome {
            Ok(addrs) => {
                let list: Vec<String> = addrs.iter().map(ToString::to_string).collect();
                cx.trace(
                    "dns",
                    format_args!("resolved name={name} addrs={}", list.join(",")),
                );
                Step::Resolved(addrs)
            }
            Err(e) => {
                cx.trace(
                    "dns",
                    format_args!("failed name={name} error={}", error_name(e)),
                );
                Step::Failed(format!("dns {}", error_name(e)))
            }
        }
    }
}

/// Stable names of lookup failures.
fn error_name(e: dns::Error) -> &'static str {
    match e {
        dns::Error::InvalidName => "invalid-name",
        dns::Error::UnsupportedType => "unsupported-type",
        dns::Error::NoServers => "no-servers",
        dns::Error::BufferTooSmall => "buffer-too-small",
        dns::Error::Timeout => "timeout",
        dns::Error::Truncated => "truncated",
        dns::Error::NameError => "nxdomain",
        dns::Error::ServerFailure(_) => "server-failure",
        dns::Error::NoData => "no-data",
        dns::Error::CnameLoop => "cname-loop",
        dns::Error::CnameChainTooLong => "cname-chain-too-long",
    }
}
