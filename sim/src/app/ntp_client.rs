//! An SNTP client: one burst against a server, then its best sample.
//!
//! Waits for an interface address and a server (its own, or the first the
//! interface knows). Traces the sample (`sample offset_us=.. delay_us=..`).
//! Metrics: `offset_us` (server clock minus ours), `delay_us` (round trip),
//! `stratum`.

use std::net::{Ipv4Addr, SocketAddrV4};

use seqs::ntp;
use seqs::socket::Handle;

use super::{wall_clock_epoch, App, AppCx, AppResult, AppStatus, NtpClientConfig};
use crate::host::udp_socket;
use crate::time::SimTime;

pub(crate) struct NtpClient {
    config: NtpClientConfig,
    handle: Option<Handle<seqs::socket::NtpClient>>,
}

impl NtpClient {
    pub fn new(config: NtpClientConfig) -> Self {
        NtpClient {
            config,
            handle: None,
        }
    }

    fn server(&self, cx: &AppCx<'_, '_>) -> Option<Ipv4Addr> {
        let ipv4 = cx.stack.ipv4_config();
        ipv4.address?;
        self.config
            .server
            .or_else(|| ipv4.ntp_servers.as_slice().first().copied())
    }

    fn start(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let Some(server) = self.server(cx) else {
            return false;
        };
        let config = ntp::Config::new(SocketAddrV4::new(server, ntp::PORT), wall_clock_epoch());
        let client = ntp::Client::new(config, cx.instant());
        match cx.stack.add_ntp_client(client, udp_socket(cx.caps)) {
            Ok(h) => self.handle = Some(h),
            Err(_) => result.fail("no socket for the ntp client"),
        }
        true
    }

    fn judge(&self, sync: &ntp::Sync) -> AppStatus {
        match self.config.expect {
            Some(e) if sync.offset_micros.abs_diff(e.offset_micros) > e.tolerance_micros => {
                AppStatus::Failed(format!(
                    "offset {} us is not within {} us of {} us",
                    sync.offset_micros, e.tolerance_micros, e.offset_micros
                ))
            }
            _ => AppStatus::Succeeded,
        }
    }
}

impl App for NtpClient {
    fn poll(&mut self, cx: &mut AppCx<'_, '_>, result: &mut AppResult) -> bool {
        let Some(h) = self.handle else {
            return self.start(cx, result);
        };
        let Some(outcome) = cx
            .stack
            .ntp_client(h)
            .and_then(|s| s.engine_mut().take_result())
        else {
            return false;
        };
        cx.stack.remove_socket(h);
        match outcome {
            Ok(sync) => {
                let delay = sync.delay.total_micros();
                cx.trace(
                    "ntp",
                    format_args!(
                        "sample offset_us={} delay_us={delay} stratum={}",
                        sync.offset_micros, sync.stratum
                    ),
                );
                result.set("offset_us", sync.offset_micros);
                result.set("delay_us", delay);
                result.set("stratum", sync.stratum);
                result.status = self.judge(&sync);
            }
            Err(e) => result.fail(format!("ntp {}", error_name(e))),
        }
        true
    }

    fn poll_at(&self) -> Option<SimTime> {
        None
    }
}

/// Stable names of burst failures.
fn error_name(e: ntp::Error) -> &'static str {
    match e {
        ntp::Error::NoResponse => "no-response",
        ntp::Error::Unsynchronized => "unsynchronized",
        ntp::Error::BadTimestamps => "bad-timestamps",
        ntp::Error::RateLimited => "rate-limited",
        ntp::Error::Denied(_) => "denied",
        ntp::Error::Kiss(_) => "kiss",
        ntp::Error::BufferTooSmall => "buffer-too-small",
    }
}
