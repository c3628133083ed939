//! An authoritative DNS server for a static zone, on port 53.
//!
//! Runs for the whole run. Metrics: `replies` (responses sent).

use seqs::dns;
use seqs::socket::Handle;

use super::{replies_sent, App, AppCx, AppResult, DnsServerConfig, ZoneRecord};
use crate::host::{intern_zone, udp_socket};
use crate::time::SimTime;

pub(crate) struct DnsServer {
    zone: Vec<ZoneRecord>,
    handle: Option<Handle<seqs::socket::DnsServer>>,
}

impl DnsServer {
    pub fn new(config: &DnsServerConfig) -> Self {
        DnsServer {
            zone: config.zone.clone(),
            handle: None,
        }
    }
}

impl App for DnsServer {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let Some(h) = self.handle else {
            let server = dns::Server::new(intern_zone(&self.zone));
            match cx.stack.add_dns_server(server, udp_socket(cx.caps)) {
                Ok(h) => self.handle = Some(h),
                Err(_) => result.fail("port 53 unavailable"),
            }
            return true;
        };
        result.set("replies", replies_sent(cx.stack, h));
        false
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}
