//! One A lookup through the host's resolvers.
//!
//! Metrics: `answers` (addresses received), `latency_us` (from the start of
//! the app, waiting for an address included). Addresses: the answer.

use std::net::Ipv4Addr;

use super::resolve::{Resolve, Step};
use super::{App, AppCx, AppResult, AppStatus, DnsLookupConfig, Target};
use crate::time::SimTime;

pub(crate) struct DnsLookup {
    resolve: Resolve,
    expect: Option<Vec<Ipv4Addr>>,
}

impl DnsLookup {
    pub fn new(config: &DnsLookupConfig) -> Self {
        DnsLookup {
            resolve: Resolve::new(&Target::Name(config.name.clone())),
            expect: config.expect.clone(),
        }
    }
}

impl App for DnsLookup {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        match self.resolve.poll(cx) {
            Step::Idle => false,
            Step::Acted => true,
            Step::Failed(reason) => {
                result.fail(reason);
                true
            }
            Step::Resolved(addrs) => {
                let latency = result.started.map(|s| cx.now - s).unwrap_or_default();
                result.set("answers", addrs.len());
                result.set("latency_us", latency.as_nanos() / 1_000);
                result.status = match &self.expect {
                    Some(expect) if !same_set(expect, &addrs) => {
                        AppStatus::Failed("unexpected answer".into())
                    }
                    _ => AppStatus::Succeeded,
                };
                result.addresses = addrs;
                true
            }
        }
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}

fn same_set(a: &[Ipv4Addr], b: &[Ipv4Addr]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}
