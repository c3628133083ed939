//! The `seqs-sim` binary: every subcommand and exit status (0 = expectations
//! met, 1 = an expectation failed, 2 = bad input or usage).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn seqs_sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seqs-sim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run seqs-sim")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("seqs-sim-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Two hosts pinging; `expect` is the ping's expected number of replies.
fn ping_scenario(dir: &Path, replies: &str) -> String {
    let text = format!(
        r#"name = "pair"
description = "two hosts, one ping"
seed = 4
duration = "3s"

[[host]]
name = "a"
address = {{ static = "192.0.2.1/24" }}

[[host]]
name = "b"
address = {{ static = "192.0.2.2/24" }}

[[host.app]]
name = "ping"
ping = {{ target = "192.0.2.1", count = 2, interval = "100ms" }}

[[link]]
name = "ab"
a = "a"
b = "b"
latency = "1ms"
loss = "30%"

[[expect]]
app = "b/ping"
metric = "received"
value = "{replies}"
"#
    );
    let path = dir.join("pair.toml");
    std::fs::write(&path, text).expect("write scenario");
    path.display().to_string()
}

#[test]
fn no_arguments_runs_the_quickstart() {
    let o = seqs_sim(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("3 of 3 expectations met: PASSED"), "{out}");
    let pcap = out
        .lines()
        .find_map(|l| l.strip_prefix("pcap:  "))
        .and_then(|l| l.split_whitespace().next())
        .expect("pcap path printed");
    assert!(std::fs::metadata(pcap).expect("pcap written").len() > 0);
    assert!(out.contains("trace: "), "{out}");
}

#[test]
fn run_prints_a_summary_and_writes_outputs() {
    let dir = scratch("run");
    let (pcap, trace) = (dir.join("q.pcapng"), dir.join("q.trace"));
    let o = seqs_sim(&[
        "run",
        "scenarios/quickstart.toml",
        "--pcap",
        pcap.to_str().expect("utf-8"),
        "--trace",
        trace.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "no progress bar without a terminal");
    let out = stdout(&o);
    for part in [
        "quickstart (seed 1)",
        "\napps\n",
        "client/ping",
        "drops by reason",
        "ok   host client leased within 2s",
    ] {
        assert!(out.contains(part), "{part:?} missing from:\n{out}");
    }
    let pcap_bytes = std::fs::read(&pcap).expect("pcap");
    assert_eq!(
        &pcap_bytes[..4],
        &[0x0a, 0x0d, 0x0d, 0x0a],
        "pcapng section header"
    );
    let trace_text = std::fs::read_to_string(&trace).expect("trace");
    assert!(
        trace_text.contains("client dhcp state=bound"),
        "{trace_text}"
    );
}

#[test]
fn full_trace_ignores_the_scenario_filter() {
    let client7_lines = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "scenarios/http-tree.toml",
            "--until",
            "300ms",
            "--trace",
            "-",
        ];
        args.extend_from_slice(extra);
        let o = seqs_sim(&args);
        stdout(&o)
            .lines()
            .filter(|l| l.contains(" client7 "))
            .count()
    };
    assert_eq!(
        client7_lines(&[]),
        0,
        "client7 is not in http-tree's [trace] filter"
    );
    assert!(client7_lines(&["--full-trace"]) > 0);
}

#[test]
fn run_is_deterministic_and_honours_seed_and_until() {
    let json = |args: &[&str]| {
        let o = seqs_sim(args);
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("JSON output")
    };
    let a = json(&["run", "scenarios/udp-bursty-loss.toml", "--json"]);
    let b = json(&["run", "scenarios/udp-bursty-loss.toml", "--json"]);
    assert_eq!(a, b);
    assert_eq!(a["passed"], true);
    let c = json(&[
        "run",
        "scenarios/udp-bursty-loss.toml",
        "--json",
        "--seed",
        "99",
    ]);
    assert_eq!(c["summary"]["seed"], 99);
    assert_ne!(a["summary"]["links"], c["summary"]["links"]);
    let short = json(&[
        "run",
        "scenarios/udp-bursty-loss.toml",
        "--json",
        "--until",
        "500ms",
    ]);
    assert_eq!(short["summary"]["time_ns"], 500_000_000);
}

#[test]
fn run_exit_status_follows_expectations() {
    let dir = scratch("status");
    let met = ping_scenario(&dir, "<= 2");
    assert_eq!(seqs_sim(&["run", &met]).status.code(), Some(0));
    let missed = ping_scenario(&dir, ">= 3");
    let o = seqs_sim(&["run", &missed]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("FAIL app b/ping received >= 3"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_input_exits_with_2() {
    let dir = scratch("bad");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\nduration = \"5 parsecs\"\n").expect("write");
    let bad = bad.to_str().expect("utf-8");
    let o = seqs_sim(&["run", bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.toml:2:12: invalid duration \"5 parsecs\""),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        seqs_sim(&["run", "no/such/file.toml"]).status.code(),
        Some(2)
    );
    assert_eq!(seqs_sim(&["run"]).status.code(), Some(2));
    assert_eq!(seqs_sim(&["frobnicate"]).status.code(), Some(2));
    let o = seqs_sim(&["run", "scenarios/quickstart.toml", "--until", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid duration \"soon\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_validates_without_running() {
    let o = seqs_sim(&[
        "check",
        "scenarios/quickstart.toml",
        "scenarios/dhcp-storm-1000.toml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().filter(|l| l.starts_with("ok")).count(),
        2
    );
    let dir = scratch("check");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\nduration = \"1s\"\n\n[[link]]\nname = \"l\"\na = \"p\"\nb = \"q\"\n",
    )
    .expect("write");
    let o = seqs_sim(&[
        "check",
        "scenarios/quickstart.toml",
        bad.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml:6:5: unknown host or switch \"p\""),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:7:5: unknown host or switch \"q\""),
        "{err}"
    );
    assert_eq!(seqs_sim(&["check"]).status.code(), Some(2));
}

#[test]
fn list_shows_the_catalogue() {
    let o = seqs_sim(&["list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let files = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "toml"))
        })
        .count();
    assert_eq!(out.lines().count(), files, "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("scenarios/dhcp-storm-1000.toml ")
                && l.ends_with("from one server")),
        "{out}"
    );
    let dir = scratch("list");
    std::fs::write(dir.join("broken.toml"), "name = 1\n").expect("write");
    let o = seqs_sim(&["list", dir.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("INVALID"), "{}", stdout(&o));
    assert_eq!(seqs_sim(&["list", "no/such/dir"]).status.code(), Some(2));
}

#[test]
fn sweep_reports_failing_seeds_and_how_to_replay() {
    let dir = scratch("sweep");
    let flaky = ping_scenario(&dir, "== 2");
    let o = seqs_sim(&["sweep", &flaky, "--seeds", "0..12", "--jobs", "2"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.starts_with("pair: 12 seeds, "), "{out}");
    let replay = format!("replay: seqs-sim run {flaky} --seed ");
    assert!(out.contains(&replay), "{out}");
    let ok = ping_scenario(&dir, "<= 2");
    let o = seqs_sim(&["sweep", &ok, "--seeds", "0..=5", "--shard", "1/2", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let seeds: Vec<u64> = rows
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["seed"].as_u64().expect("seed"))
        .collect();
    assert_eq!(seeds, [1, 3, 5]);
    let by_jobs = |jobs: &str| {
        let o = seqs_sim(&[
            "sweep", &flaky, "--seeds", "0..12", "--jobs", jobs, "--json",
        ]);
        assert!(o.stderr.is_empty(), "no progress bar without a terminal");
        o.stdout
    };
    assert_eq!(
        by_jobs("1"),
        by_jobs("3"),
        "results do not depend on threads"
    );
    assert_eq!(
        seqs_sim(&["sweep", &ok, "--seeds", "5..5"]).status.code(),
        Some(2)
    );
    assert_eq!(
        seqs_sim(&["sweep", &ok, "--seeds", "0..4", "--shard", "2/2"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn help_documents_every_subcommand() {
    let o = seqs_sim(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for word in ["run", "check", "list", "sweep", "Exit status"] {
        assert!(out.contains(word), "{word} missing from --help");
    }
    let o = seqs_sim(&["sweep", "--help"]);
    assert!(stdout(&o).contains("--shard <K/N>"), "{}", stdout(&o));
}
