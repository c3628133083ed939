//! Every scenario in `scenarios/` runs, meets its expectations, and produces
//! the trace and summary pinned in `snapshots/` (insta). A behaviour change
//! shows up as a snapshot diff: review it with `cargo insta review`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use seqs_sim::scenario::{RunOptions, Scenario};
use seqs_sim::SharedBuffer;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `scenarios/<name>.toml` and checks it against its snapshots.
fn check(name: &str) {
    let path = root().join("scenarios").join(format!("{name}.toml"));
    let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let trace = SharedBuffer::new();
    let outcome = scenario
        .run(RunOptions {
            trace: Some(Box::new(trace.clone())),
            ..RunOptions::default()
        })
        .expect("in-memory outputs");
    let failures: Vec<String> = outcome
        .verdicts
        .iter()
        .filter(|v| !v.passed())
        .map(|v| format!("{}: {}", v.description, v.failures.join("; ")))
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: expectations failed:\n{}",
        failures.join("\n")
    );
    let mut json = outcome.to_json();
    pin(&mut json["summary"], &scenario.pinned);
    let summary = serde_json::to_string_pretty(&json).expect("json");
    insta::with_settings!({
        snapshot_path => root().join("snapshots"),
        prepend_module_to_snapshot => false,
        description => scenario.description.clone(),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("{name}.trace"), trace.text());
        insta::assert_snapshot!(format!("{name}.summary"), summary);
    });
}

/// Same file and seed: the same trace and a byte-identical capture; another
/// seed: a different run.
#[test]
fn runs_are_reproducible() {
    let path = root().join("scenarios").join("udp-bursty-loss.toml");
    let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let run = |seed: u64| {
        let (trace, pcap) = (SharedBuffer::new(), SharedBuffer::new());
        scenario
            .run(RunOptions {
                seed: Some(seed),
                trace: Some(Box::new(trace.clone())),
                pcap: Some(Box::new(pcap.clone())),
                ..RunOptions::default()
            })
            .expect("in-memory outputs");
        (trace.text(), pcap.contents())
    };
    let (first, again, other) = (run(21), run(21), run(22));
    assert_eq!(first.0, again.0);
    assert!(first.1 == again.1, "captures differ");
    assert_ne!(first.0, other.0);
    assert!(first.1 != other.1);
}

/// Keeps only the `pinned` elements (if any) in the summary's tables.
fn pin(summary: &mut Value, pinned: &[String]) {
    if pinned.is_empty() {
        return;
    }
    for table in ["hosts", "switches", "links"] {
        if let Some(map) = summary[table].as_object_mut() {
            map.retain(|name, _| pinned.iter().any(|p| p == name));
        }
    }
}

/// One test per scenario (they run in parallel), and a check that the
/// list is the directory's.
macro_rules! scenarios {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($file);
            }
        )*

        #[test]
        fn every_scenario_file_has_a_test() {
            let listed: BTreeSet<&str> = [$($file),*].into_iter().collect();
            let found: BTreeSet<String> = std::fs::read_dir(root().join("scenarios"))
                .expect("scenarios/")
                .filter_map(|e| e.ok()?.path().file_name()?.to_str().map(str::to_owned))
                .filter_map(|f| f.strip_suffix(".toml").map(str::to_owned))
                .collect();
            let found: BTreeSet<&str> = found.iter().map(String::as_str).collect();
            assert_eq!(listed, found, "add new scenario files to sim/tests/scenarios.rs");
        }
    };
}

scenarios! {
    crash_restart => "crash-restart",
    dhcp_lossy_server => "dhcp-lossy-server",
    dhcp_renewal_restart => "dhcp-renewal-restart",
    dhcp_reverify => "dhcp-reverify",
    dhcp_storm_1000 => "dhcp-storm-1000",
    dns_then_http => "dns-then-http",
    http_keepalive_reorder => "http-keepalive-reorder",
    http_tree => "http-tree",
    ntp_asymmetric => "ntp-asymmetric",
    quickstart => "quickstart",
    partition_heals => "partition-heals",
    pico_w_lan => "pico-w-lan",
    tcp_bulk_lfn => "tcp-bulk-lfn",
    udp_bursty_loss => "udp-bursty-loss",
}
