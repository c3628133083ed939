//! The readable run summary: hosts, apps, drops by reason, expectations.
//! Built from the JSON summary, so it shows what expectations judge.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use seqs_sim::scenario::{Outcome, Scenario};
use seqs_sim::SimTime;
use serde_json::Value;

/// Past this many hosts, hosts and apps are shown as totals.
const DETAIL_HOSTS: usize = 20;
/// Misses shown per expectation (a group may miss on every member).
const MAX_FAILURE_LINES: usize = 10;

pub fn text(scenario: &Scenario, outcome: &Outcome, wall: Duration) -> String {
    let mut out = String::new();
    let s = &outcome.json;
    let _ = writeln!(
        out,
        "{} (seed {}): {}s of virtual time, {} events, {:.2}s wall",
        scenario.name,
        outcome.seed,
        SimTime::from_nanos(s["time_ns"].as_u64().unwrap_or(0)),
        s["events"].as_u64().unwrap_or(0),
        wall.as_secs_f64()
    );
    let hosts = s["hosts"].as_object().cloned().unwrap_or_default();
    if hosts.len() <= DETAIL_HOSTS {
        host_table(&mut out, &hosts);
        app_table(&mut out, &hosts);
    } else {
        host_totals(&mut out, &hosts);
        app_totals(&mut out, &hosts);
    }
    drops(&mut out, s);
    verdicts(&mut out, outcome);
    out
}

fn host_table(out: &mut String, hosts: &serde_json::Map<String, Value>) {
    let _ = writeln!(out, "\nhosts");
    for (name, h) in hosts {
        let node = &h["node"];
        let _ = writeln!(
            out,
            "  {name:<16} {:<18} dhcp={:<10} frames out/in {}/{}{}",
            node["address"].as_str().unwrap_or("-"),
            node["dhcp"].as_str().unwrap_or("-"),
            h["counters"]["tx_frames"],
            h["counters"]["rx_frames"],
            if h["up"].as_bool() == Some(false) {
                "  (crashed)"
            } else {
                ""
            }
        );
    }
}

fn host_totals(out: &mut String, hosts: &serde_json::Map<String, Value>) {
    let addressed = hosts
        .values()
        .filter(|h| h["node"]["address"].is_string())
        .count();
    let down = hosts
        .values()
        .filter(|h| h["up"].as_bool() == Some(false))
        .count();
    let _ = writeln!(
        out,
        "\nhosts: {} ({addressed} with an address, {down} crashed)",
        hosts.len()
    );
}

/// One line per app: status, times, metrics.
fn app_table(out: &mut String, hosts: &serde_json::Map<String, Value>) {
    let _ = writeln!(out, "\napps");
    let mut any = false;
    for (host, h) in hosts {
        for (name, app) in h["node"]["apps"].as_object().into_iter().flatten() {
            any = true;
            let metrics: Vec<String> = app["metrics"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let finished = app["finished_ns"]
                .as_u64()
                .map(|t| format!(" at {}s", SimTime::from_nanos(t)))
                .unwrap_or_default();
            let reason = app["reason"]
                .as_str()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<22} {:<12} {}{finished}{reason}  {}",
                format!("{host}/{name}"),
                app["kind"].as_str().unwrap_or("?"),
                app["status"].as_str().unwrap_or("?"),
                metrics.join(" ")
            );
        }
    }
    if !any {
        let _ = writeln!(out, "  (none)");
    }
}

/// Apps counted by (name, kind) and status.
fn app_totals(out: &mut String, hosts: &serde_json::Map<String, Value>) {
    let mut counts: BTreeMap<(String, String), BTreeMap<String, u64>> = BTreeMap::new();
    for h in hosts.values() {
        for (name, app) in h["node"]["apps"].as_object().into_iter().flatten() {
            let kind = app["kind"].as_str().unwrap_or("?").to_owned();
            let status = app["status"].as_str().unwrap_or("?").to_owned();
            *counts
                .entry((name.clone(), kind))
                .or_default()
                .entry(status)
                .or_default() += 1;
        }
    }
    let _ = writeln!(out, "\napps (by name, on all hosts)");
    for ((name, kind), statuses) in &counts {
        let s: Vec<String> = statuses.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let _ = writeln!(out, "  {name:<22} {kind:<12} {}", s.join(", "));
    }
}

/// Link drops by direction and reason (totals past `DETAIL_HOSTS` lines),
/// and the stacks' own drops.
fn drops(out: &mut String, s: &Value) {
    let _ = writeln!(out, "\ndrops by reason");
    let mut lines = Vec::new();
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    for (name, link) in s["links"].as_object().into_iter().flatten() {
        for (lane, from, to) in [("a_to_b", "a", "b"), ("b_to_a", "b", "a")] {
            for (reason, n) in link[lane]["dropped"].as_object().into_iter().flatten() {
                *totals.entry(reason.clone()).or_default() += n.as_u64().unwrap_or(0);
            }
            let reasons = nonzero(&link[lane]["dropped"]);
            if !reasons.is_empty() {
                let ends = (
                    link[from].as_str().unwrap_or("?"),
                    link[to].as_str().unwrap_or("?"),
                );
                lines.push(format!("  link {name} {}>{}: {reasons}", ends.0, ends.1));
            }
        }
    }
    let mut any = !lines.is_empty();
    if lines.len() <= DETAIL_HOSTS {
        lines.iter().for_each(|l| {
            let _ = writeln!(out, "{l}");
        });
    } else {
        let totals: Vec<String> = totals
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        let _ = writeln!(
            out,
            "  {} link directions dropped frames: {}",
            lines.len(),
            totals.join(" ")
        );
    }
    let mut stacks: BTreeMap<String, (u64, Vec<&str>)> = BTreeMap::new();
    for (name, host) in s["hosts"].as_object().into_iter().flatten() {
        for (reason, n) in host["node"]["stack"]["drops"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let entry = stacks.entry(reason.clone()).or_default();
            entry.0 += n.as_u64().unwrap_or(0);
            entry.1.push(name);
        }
    }
    any |= !stacks.is_empty();
    for (reason, (n, hosts)) in &stacks {
        let shown: Vec<&str> = hosts.iter().take(5).copied().collect();
        let more = if hosts.len() > shown.len() {
            format!(" and {} more", hosts.len() - shown.len())
        } else {
            String::new()
        };
        let _ = writeln!(out, "  stack {reason}={n} on {}{more}", shown.join(", "));
    }
    if !any {
        let _ = writeln!(out, "  (none)");
    }
}

fn nonzero(reasons: &Value) -> String {
    let words: Vec<String> = reasons
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, n)| n.as_u64().unwrap_or(0) > 0)
        .map(|(k, n)| format!("{k}={n}"))
        .collect();
    words.join(" ")
}

fn verdicts(out: &mut String, outcome: &Outcome) {
    let _ = writeln!(out, "\nexpectations");
    if outcome.verdicts.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for v in &outcome.verdicts {
        let mark = if v.passed() { "ok  " } else { "FAIL" };
        let _ = writeln!(out, "  {mark} {}", v.description);
        for f in v.failures.iter().take(MAX_FAILURE_LINES) {
            let _ = writeln!(out, "         {f}");
        }
        if let Some(more) = v
            .failures
            .len()
            .checked_sub(MAX_FAILURE_LINES)
            .filter(|n| *n > 0)
        {
            let _ = writeln!(out, "         ... and {more} more");
        }
    }
    let met = outcome.verdicts.iter().filter(|v| v.passed()).count();
    let verdict = if outcome.passed() { "PASSED" } else { "FAILED" };
    let _ = writeln!(
        out,
        "\n{met} of {} expectations met: {verdict}",
        outcome.verdicts.len()
    );
}
