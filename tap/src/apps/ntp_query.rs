//! NTP query: one burst of SNTP requests to a server, reporting the
//! offset of its clock from ours (the host's wall clock) and the delay.

use std::fmt;
use std::net::SocketAddrV4;
use std::time::SystemTime;

use seqs::ntp;
use seqs::socket::{Handle, NtpClient};
use seqs::time::{Duration, Instant};
use seqs::wire::ntp::Epoch;

use super::{millis, udp_socket, AppError, Report, Service};
use crate::{EventLog, TapStack};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtpQuerySpec {
    pub server: SocketAddrV4,
    /// Valid replies wanted; the best one is reported.
    pub samples: u8,
    pub spacing: Duration,
}

impl NtpQuerySpec {
    pub fn new(server: SocketAddrV4) -> Self {
        NtpQuerySpec {
            server,
            samples: 4,
            spacing: Duration::from_millis(250),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtpQueryReport {
    pub server: SocketAddrV4,
    /// `None` while the burst runs.
    pub result: Option<Result<ntp::Sync, String>>,
}

impl NtpQueryReport {
    pub fn is_complete(&self) -> bool {
        matches!(self.result, Some(Ok(_)))
    }
}

impl fmt::Display for NtpQueryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ntp {}: ", self.server)?;
        match &self.result {
            None => f.write_str("no result"),
            Some(Err(e)) => write!(f, "failed: {e}"),
            Some(Ok(sync)) => write!(
                f,
                "offset {:+.3} ms, delay {:.3} ms, stratum {}",
                sync.offset_micros as f64 / 1000.0,
                millis(sync.delay),
                sync.stratum
            ),
        }
    }
}

#[derive(Debug)]
pub struct NtpQuery {
    spec: NtpQuerySpec,
    handle: Option<Handle<NtpClient>>,
    report: NtpQueryReport,
}

impl NtpQuery {
    pub fn start(spec: NtpQuerySpec) -> Self {
        NtpQuery {
            report: NtpQueryReport {
                server: spec.server,
                result: None,
            },
            spec,
            handle: None,
        }
    }

    /// Wall time at the bridge's instant zero, from the host clock now.
    fn epoch(now: Instant) -> Epoch {
        let unix = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
        Epoch::from_unix_micros(unix.saturating_sub(now.total_micros()))
    }

    fn begin(&mut self, now: Instant, stack: &mut TapStack) -> Result<(), String> {
        if stack.ipv4_address().is_none() {
            return Ok(());
        }
        let mut config = ntp::Config::new(self.spec.server, Self::epoch(now));
        config.samples = self.spec.samples;
        config.max_requests = self.spec.samples.saturating_mul(2);
        config.spacing = self.spec.spacing;
        config.timeout = Duration::from_secs(1);
        let client = ntp::Client::new(config, now);
        let handle = stack
            .add_ntp_client(client, udp_socket())
            .map_err(|e| AppError::Bind(e).to_string())?;
        self.handle = Some(handle);
        Ok(())
    }
}

impl Service for NtpQuery {
    fn poll(&mut self, now: Instant, stack: &mut TapStack, log: &mut EventLog) {
        if self.report.result.is_some() {
            return;
        }
        let Some(handle) = self.handle else {
            if let Err(e) = self.begin(now, stack) {
                self.report.result = Some(Err(e));
            }
            return;
        };
        let result = stack
            .ntp_client(handle)
            .and_then(|s| s.engine_mut().take_result());
        if let Some(result) = result {
            self.report.result = Some(result.map_err(|e| format!("{e:?}")));
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
        Report::NtpQuery(self.report.clone())
    }
}
