//! What an app reports to the run summary.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde_json::{json, Value};

use crate::time::SimTime;

/// Where an app stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppStatus {
    /// Not started yet.
    Pending,
    /// Started; servers stay here for the whole run.
    Running,
    Succeeded,
    Failed(String),
}

impl AppStatus {
    /// The stable name used in traces and JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            AppStatus::Pending => "pending",
            AppStatus::Running => "running",
            AppStatus::Succeeded => "succeeded",
            AppStatus::Failed(_) => "failed",
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(self, AppStatus::Succeeded | AppStatus::Failed(_))
    }
}

/// An app's status and measurements. Metrics are integers (counts, bytes,
/// microseconds) under stable snake_case names documented by each app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppResult {
    pub status: AppStatus,
    pub started: Option<SimTime>,
    pub finished: Option<SimTime>,
    pub metrics: BTreeMap<&'static str, i64>,
    /// Addresses the app learned (resolved names, leases handed out).
    pub addresses: Vec<Ipv4Addr>,
}

impl Default for AppResult {
    fn default() -> Self {
        AppResult {
            status: AppStatus::Pending,
            started: None,
            finished: None,
            metrics: BTreeMap::new(),
            addresses: Vec::new(),
        }
    }
}

impl AppResult {
    pub fn metric(&self, name: &str) -> Option<i64> {
        self.metrics.get(name).copied()
    }

    /// Sets a metric, saturating values beyond `i64`.
    pub(crate) fn set(&mut self, name: &'static str, value: impl TryInto<i64>) {
        self.metrics
            .insert(name, value.try_into().unwrap_or(i64::MAX));
    }

    pub(crate) fn fail(&mut self, reason: impl Into<String>) {
        self.status = AppStatus::Failed(reason.into());
    }

    /// `k=v` pairs of the metrics, then the addresses: trace details.
    pub fn details(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.metrics {
            out.push_str(&format!(" {k}={v}"));
        }
        if !self.addresses.is_empty() {
            let addrs: Vec<String> = self.addresses.iter().map(ToString::to_string).collect();
            out.push_str(&format!(" addrs={}", addrs.join(",")));
        }
        out
    }

    /// The stable JSON form:
    /// `{"status": "succeeded"|"failed"|"running"|"pending",
    ///   "reason": "..." (failed only), "started_ns": n|null,
    ///   "finished_ns": n|null, "metrics": {name: n, ...},
    ///   "addresses": ["a.b.c.d", ...]}`.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "status": self.status.as_str(),
            "started_ns": self.started.map(SimTime::as_nanos),
            "finished_ns": self.finished.map(SimTime::as_nanos),
            "metrics": self.metrics,
            "addresses": self.addresses.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        if let (AppStatus::Failed(reason), Some(map)) = (&self.status, v.as_object_mut()) {
            map.insert("reason".into(), Value::String(reason.clone()));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_is_stable() {
        let mut r = AppResult {
            started: Some(SimTime::from_millis(5)),
            ..AppResult::default()
        };
        r.set("received", 3u32);
        r.set("huge", u64::MAX);
        r.addresses = vec![Ipv4Addr::new(192, 0, 2, 1)];
        r.fail("no reply");
        assert_eq!(
            r.to_json().to_string(),
            r#"{"addresses":["192.0.2.1"],"finished_ns":null,"metrics":{"huge":9223372036854775807,"received":3},"reason":"no reply","started_ns":5000000,"status":"failed"}"#
        );
        assert_eq!(
            r.details(),
            " huge=9223372036854775807 received=3 addrs=192.0.2.1"
        );
        assert_eq!(AppResult::default().to_json()["status"], "pending");
    }
}
