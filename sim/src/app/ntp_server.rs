//! An NTP server on port 123 whose clock runs `offset_micros` ahead of the
//! simulation's wall clock.
//!
//! Runs for the whole run. Metrics: `replies` (responses sent).

use seqs::ntp;
use seqs::socket::Handle;

use super::{replies_sent, wall_clock_epoch, App, AppCx, AppResult, NtpServerConfig};
use crate::host::udp_socket;
use crate::time::SimTime;

pub(crate) struct NtpServer {
    config: NtpServerConfig,
    handle: Option<Handle<seqs::socket::NtpServer>>,
}

impl NtpServer {
    pub fn new(config: NtpServerConfig) -> Self {
        NtpServer {
            config,
            handle: None,
        }
    }
}

impl App for NtpServer {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let Some(h) = self.handle else {
            let mut config = ntp::ServerConfig::new(wall_clock_epoch());
            config.offset_micros = self.config.offset_micros;
            config.stratum = self.config.stratum;
            match cx
                .stack
                .add_ntp_server(ntp::Server::new(config), udp_socket(cx.caps))
            {
                Ok(h) => self.handle = Some(h),
                Err(_) => result.fail("port 123 unavailable"),
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
