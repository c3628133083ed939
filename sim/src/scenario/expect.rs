//! `[[expect]]`: what must hold at the end of a run, judged on the JSON
//! summary (so everything a summary shows can be expected).

use std::fmt;

use serde_json::Value;
use toml::Spanned;

use super::format::ExpectDef;
use super::units::{Duration, Size};
use super::validate::{Checker, Kind};
use crate::time::SimDuration;

/// One checked expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// How it reads in reports, e.g. `app client/fetch succeeded within 5s`.
    pub description: String,
    subject: Subject,
    status: Option<String>,
    within: Option<SimDuration>,
    metric: Option<(String, Comparison)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Subject {
    /// The app of that name on every one of these hosts.
    Apps {
        hosts: Vec<String>,
        app: String,
    },
    Hosts(Vec<String>),
    Link(String),
    Path(String),
}

/// The outcome of one expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub description: String,
    /// Empty when the expectation held; otherwise one line per miss.
    pub failures: Vec<String>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    const ALL: [(&'static str, Op); 6] = [
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];

    fn holds(self, left: i128, right: i128) -> bool {
        match self {
            Op::Eq => left == right,
            Op::Ne => left != right,
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
        }
    }

    fn as_str(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(_, o)| *o == self)
            .map_or("?", |(s, _)| s)
    }
}

/// `op value`, the value already in the metric's own unit.
#[derive(Debug, Clone, PartialEq)]
struct Comparison {
    op: Op,
    value: i128,
    /// As written, for reports.
    text: String,
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Parses `">= 10MiB"`, `"== 0"`, `"< 250ms"` for `metric`: sizes become
/// bytes; durations become the unit the metric's name ends with (`_ns`,
/// `_us`, `_ms`).
fn comparison(text: &str, metric: &str) -> Result<Comparison, String> {
    let trimmed = text.trim();
    let (op, rest) = Op::ALL
        .iter()
        .find_map(|(s, op)| trimmed.strip_prefix(s).map(|rest| (*op, rest.trim())))
        .ok_or_else(|| format!("invalid comparison {text:?}: expected an operator (==, !=, <, <=, >, >=) and a value, such as \">= 10MiB\""))?;
    let (negative, magnitude) = match rest.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, rest),
    };
    let value = if let Ok(n) = magnitude.parse::<u64>() {
        i128::from(n)
    } else if let Ok(size) = Size::parse(magnitude) {
        i128::from(size.0)
    } else if let Ok(d) = Duration::parse(magnitude) {
        let ns = i128::from(d.0.as_nanos());
        let per_unit = [("_ns", 1), ("_us", 1_000), ("_ms", 1_000_000)]
            .iter()
            .find(|(suffix, _)| metric.ends_with(suffix))
            .map(|(_, n)| *n)
            .ok_or_else(|| format!("{rest:?} is a duration but metric {metric:?} is not a time (its name does not end in _ns, _us or _ms)"))?;
        ns / per_unit
    } else {
        return Err(format!("invalid value {rest:?} in comparison: expected an integer, a size such as \"10MiB\" or a duration such as \"5ms\""));
    };
    Ok(Comparison {
        op,
        value: if negative { -value } else { value },
        text: format!("{} {rest}", op.as_str()),
    })
}

const STATUSES: [&str; 4] = ["succeeded", "failed", "running", "pending"];

/// Checks every `[[expect]]` table.
pub fn expectations(ck: &mut Checker<'_>, defs: &[Spanned<ExpectDef>]) -> Vec<Expectation> {
    defs.iter().filter_map(|d| expectation(ck, d)).collect()
}

fn expectation(ck: &mut Checker<'_>, def: &Spanned<ExpectDef>) -> Option<Expectation> {
    let span = def.span();
    let d = def.get_ref();
    let subjects = [&d.app, &d.host, &d.link, &d.path];
    if subjects.iter().filter(|s| s.is_some()).count() != 1 {
        ck.error(
            span,
            "expected exactly one subject in an expectation: app, host, link or path",
        );
        return None;
    }
    let subject = subject(ck, d)?;
    let is_app = matches!(subject, Subject::Apps { .. });
    let status = match &d.status {
        Some(s) if !is_app => {
            ck.error(s.span(), "`status` applies to apps only");
            return None;
        }
        Some(s) if !STATUSES.contains(&s.get_ref().as_str()) => {
            ck.error(
                s.span(),
                format!(
                    "unknown status {:?}: expected one of {}",
                    s.get_ref(),
                    STATUSES.join(", ")
                ),
            );
            return None;
        }
        Some(s) => Some(s.get_ref().clone()),
        None if is_app && d.metric.is_none() => Some("succeeded".to_owned()),
        None => None,
    };
    if d.within.is_some() && !matches!(subject, Subject::Apps { .. } | Subject::Hosts(_)) {
        ck.error(
            span,
            "`within` applies to apps (finished by then) and hosts (leased an address by then)",
        );
        return None;
    }
    let metric = metric(ck, d, &subject)?;
    if let (Subject::Hosts(_), None, None) = (&subject, &d.within, &metric) {
        ck.error(
            span,
            "a host expectation needs `within` (a DHCP lease by then) or `metric` and `value`",
        );
        return None;
    }
    let within = d.within.map(|w| w.0);
    Some(Expectation {
        description: describe(d, &status, within, &metric),
        subject,
        status,
        within,
        metric,
    })
}

fn subject(ck: &mut Checker<'_>, d: &ExpectDef) -> Option<Subject> {
    if let Some(app) = &d.app {
        let Some((host, name)) = app.get_ref().split_once('/') else {
            ck.error(
                app.span(),
                format!("invalid app {:?}: expected \"host/app\"", app.get_ref()),
            );
            return None;
        };
        let hosts = hosts(ck, &Spanned::new(app.span(), host.to_owned()))?;
        return Some(Subject::Apps {
            hosts,
            app: name.to_owned(),
        });
    }
    if let Some(host) = &d.host {
        return hosts(ck, host).map(Subject::Hosts);
    }
    if let Some(link) = &d.link {
        return ck
            .resolve(link, &[Kind::Link], "link")
            .then(|| Subject::Link(link.get_ref().clone()));
    }
    d.path.as_ref().map(|p| Subject::Path(p.get_ref().clone()))
}

/// A host, or every member of a host group.
fn hosts(ck: &mut Checker<'_>, name: &Spanned<String>) -> Option<Vec<String>> {
    let members = ck.groups.get(name.get_ref()).cloned();
    match members {
        Some(m) if m.first().is_some_and(|h| ck.kind(h) == Some(Kind::Host)) => Some(m),
        _ => {
            ck.resolve(name, &[Kind::Host], "host or host group");
            None
        }
    }
}

/// `metric` and `value` come together (a `path` needs only `value`).
fn metric(
    ck: &mut Checker<'_>,
    d: &ExpectDef,
    subject: &Subject,
) -> Option<Option<(String, Comparison)>> {
    let name = match (&d.metric, subject) {
        (Some(m), Subject::Path(_)) => {
            ck.error(
                m.span(),
                "a `path` expectation takes no `metric`: the path names the number",
            );
            return None;
        }
        (Some(m), _) => Some(m.get_ref().clone()),
        (None, Subject::Path(p)) => Some(p.clone()),
        (None, _) => None,
    };
    match (name, &d.value) {
        (None, None) => Some(None),
        (Some(name), Some(value)) => match comparison(value.get_ref(), &name) {
            Ok(c) => Some(Some((name, c))),
            Err(message) => {
                ck.error(value.span(), message);
                None
            }
        },
        (Some(_), None) => {
            let span = d
                .metric
                .as_ref()
                .or(d.path.as_ref())
                .map_or(0..0, Spanned::span);
            ck.error(
                span,
                "expected `value` (a comparison such as \">= 1\") with the metric",
            );
            None
        }
        (None, Some(value)) => {
            ck.error(value.span(), "`value` needs a `metric` to compare");
            None
        }
    }
}

fn describe(
    d: &ExpectDef,
    status: &Option<String>,
    within: Option<SimDuration>,
    metric: &Option<(String, Comparison)>,
) -> String {
    let subject = [
        ("app", &d.app),
        ("host", &d.host),
        ("link", &d.link),
        ("path", &d.path),
    ]
    .iter()
    .find_map(|(k, v)| v.as_ref().map(|v| format!("{k} {}", v.get_ref())))
    .unwrap_or_default();
    let mut parts = vec![subject];
    if let Some(s) = status {
        parts.push(s.clone());
    }
    if let Some(w) = within {
        let what = if d.host.is_some() {
            "leased within"
        } else {
            "within"
        };
        parts.push(format!("{what} {}", Duration(w)));
    }
    if let Some((name, c)) = metric {
        if d.path.is_some() {
            parts.push(c.to_string());
        } else {
            parts.push(format!("{name} {c}"));
        }
    }
    parts.join(" ")
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0.as_nanos();
        let units = [(1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us")];
        match units.iter().find(|(n, _)| ns % n == 0 && ns > 0) {
            Some((n, unit)) => write!(f, "{}{unit}", ns / n),
            None => write!(f, "{ns}ns"),
        }
    }
}

impl Expectation {
    /// Judges the expectation on a run's JSON summary.
    pub fn judge(&self, summary: &Value) -> Verdict {
        let mut failures = Vec::new();
        match &self.subject {
            Subject::Apps { hosts, app } => {
                for host in hosts {
                    let result = app_result(summary, host, app);
                    self.judge_app(&format!("{host}/{app}"), result, &mut failures);
                }
            }
            Subject::Hosts(hosts) => {
                for host in hosts {
                    let node = &summary["hosts"][host.as_str()];
                    self.judge_host(host, node, &mut failures);
                }
            }
            Subject::Link(link) => {
                let node = &summary["links"][link.as_str()];
                if let Some((name, c)) = &self.metric {
                    let value = if name.starts_with("a_to_b") || name.starts_with("b_to_a") {
                        total(lookup(node, name))
                    } else {
                        add(
                            total(lookup(&node["a_to_b"], name)),
                            total(lookup(&node["b_to_a"], name)),
                        )
                    };
                    compare(link, name, value, c, &mut failures);
                }
            }
            Subject::Path(path) => {
                if let Some((_, c)) = &self.metric {
                    compare(
                        "summary",
                        path,
                        total(lookup(summary, path)),
                        c,
                        &mut failures,
                    );
                }
            }
        }
        Verdict {
            description: self.description.clone(),
            failures,
        }
    }

    fn judge_app(&self, who: &str, result: Option<&Value>, failures: &mut Vec<String>) {
        let Some(result) = result else {
            failures.push(format!("{who}: no such app in the summary"));
            return;
        };
        let status = result["status"].as_str().unwrap_or("unknown");
        if let Some(want) = &self.status {
            if status != want {
                let reason = result["reason"]
                    .as_str()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                failures.push(format!("{who}: {status}{reason}, expected {want}"));
            }
        }
        if let Some(within) = self.within {
            match result["finished_ns"].as_u64() {
                Some(t) if t <= within.as_nanos() => {}
                Some(t) => failures.push(format!(
                    "{who}: finished at {}, after {}",
                    seconds(t),
                    Duration(within)
                )),
                None => failures.push(format!(
                    "{who}: not finished, expected within {}",
                    Duration(within)
                )),
            }
        }
        if let Some((name, c)) = &self.metric {
            compare(
                who,
                name,
                total(lookup(&result["metrics"], name)),
                c,
                failures,
            );
        }
    }

    fn judge_host(&self, host: &str, node: &Value, failures: &mut Vec<String>) {
        if let Some(within) = self.within {
            match lease_time(node) {
                Some(t) if t <= within.as_nanos() => {}
                Some(t) => failures.push(format!(
                    "{host}: leased at {}, after {}",
                    seconds(t),
                    Duration(within)
                )),
                None => failures.push(format!(
                    "{host}: no DHCP lease, expected within {}",
                    Duration(within)
                )),
            }
        }
        if let Some((name, c)) = &self.metric {
            compare(host, name, total(lookup(node, name)), c, failures);
        }
    }
}

/// The result of `app` on `host` in the summary.
fn app_result<'v>(summary: &'v Value, host: &str, app: &str) -> Option<&'v Value> {
    summary["hosts"][host]["node"]["apps"].get(app)
}

/// When the host's DHCP client first got a lease in its current boot
/// (recorded by the scenario runner, see `run::Leasing`).
fn lease_time(node: &Value) -> Option<u64> {
    node["node"]["leased_ns"].as_u64()
}

/// The value at a dotted path (`a_to_b.dropped.loss`).
fn lookup<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(root, |v, key| v.get(key))
}

/// A number, or the sum of the numbers in an object (`dropped` → all
/// reasons); `None` for anything else.
fn total(value: Option<&Value>) -> Option<i128> {
    match value? {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        Value::Object(map) => map
            .values()
            .try_fold(0i128, |sum, v| Some(sum + total(Some(v))?)),
        _ => None,
    }
}

fn add(a: Option<i128>, b: Option<i128>) -> Option<i128> {
    Some(a? + b?)
}

fn compare(who: &str, name: &str, value: Option<i128>, c: &Comparison, failures: &mut Vec<String>) {
    match value {
        Some(v) if c.op.holds(v, c.value) => {}
        Some(v) => failures.push(format!("{who}: {name} is {v}, expected {c}")),
        None => failures.push(format!("{who}: no number {name:?} in the summary")),
    }
}

fn seconds(ns: u64) -> String {
    format!("{}s", crate::time::SimTime::from_nanos(ns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_convert_units() {
        let c = comparison(">= 10MiB", "bytes").expect("size");
        assert_eq!((c.op, c.value), (Op::Ge, 10 << 20));
        let c = comparison("< 250ms", "rtt_us").expect("time");
        assert_eq!((c.op, c.value), (Op::Lt, 250_000));
        let c = comparison("== -3", "offset").expect("negative");
        assert_eq!(c.value, -3);
        assert!(comparison("<= 5ms", "bytes").is_err());
        assert!(comparison("about 5", "x").is_err());
        assert!(comparison(">= lots", "x").is_err());
    }

    #[test]
    fn totals_sum_objects() {
        let v: Value = serde_json::json!({"a": {"x": 1, "y": 2}, "b": 5, "c": "no"});
        assert_eq!(total(lookup(&v, "a")), Some(3));
        assert_eq!(total(lookup(&v, "b")), Some(5));
        assert_eq!(total(lookup(&v, "c")), None);
        assert_eq!(total(lookup(&v, "a.z")), None);
    }
}
