//! A throwaway lab for interop cases: a network namespace of its own, a TAP
//! device moved into it (Linux side 192.0.2.1/24), a seqs bridge on that
//! device running on a thread of this process (our node, 192.0.2.2/24),
//! tcpdump capturing the Linux side, and helpers to run Linux tools inside
//! the namespace. Every process it starts is stopped by pid and the
//! namespace is deleted when the lab is dropped, whatever the exit path.
//!
//! Without root (CAP_SYS_ADMIN + CAP_NET_ADMIN), /dev/net/tun or the tools
//! a case needs, [`Lab::new`] prints a loud SKIPPED line and returns `None`
//! so the case passes; with `SEQS_INTEROP=1` it fails instead.

use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::thread;
use std::time::{Duration, Instant};

use seqs::wire::Ipv4Cidr;
use seqs_tap::apps::Report;
use seqs_tap::net::Net;
use seqs_tap::{Addressing, Bridge, BridgeConfig, BridgeReport, Running, TapDevice};

/// The Linux end of the link.
pub const LINUX: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
/// Our stack's address.
pub const OURS: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const PREFIX_LEN: u8 = 24;

/// Fixed seed: a failing case replays with the same ports, ids and losses.
pub const SEED: u64 = 0x5e95_7a90;

/// Tools every lab uses, beside those a case names.
const BASE_TOOLS: [&str; 4] = ["ip", "ss", "tcpdump", "tshark"];

/// Run inside the namespace before the TAP device arrives (without
/// procps: /proc/sys/net is the namespace's own). A kernel without IPv6
/// has nothing to disable.
const DISABLE_IPV6: &str = "for c in all default; do \
    f=/proc/sys/net/ipv6/conf/$c/disable_ipv6; [ -e $f ] && echo 1 > $f; done; true";

/// TCP ports on which cases move test data (bulk streams, echoes).
pub const OUR_SINK_PORT: u16 = 5001;
pub const LINUX_SINK_PORT: u16 = 5002;
pub const OUR_TCP_ECHO_PORT: u16 = 7;
pub const LINUX_TCP_ECHO_PORT: u16 = 9000;
/// tshark decodes them as plain data: random payload otherwise trips
/// heuristic dissectors (Thrift, ...) into false "malformed" errors.
/// (HTTP bodies are random too, but the HTTP dissector frames them.)
const DATA_PORTS: [u16; 4] = [
    OUR_SINK_PORT,
    LINUX_SINK_PORT,
    OUR_TCP_ECHO_PORT,
    LINUX_TCP_ECHO_PORT,
];

/// tcpdump's kernel buffer: bulk cases put thousands of full-size frames
/// on the link within a second, more than the default 2 MiB holds.
const TCPDUMP_BUFFER_KIB: &str = "65536";

/// Bits of CapEff in /proc/self/status.
const CAP_NET_ADMIN: u32 = 12;
const CAP_SYS_ADMIN: u32 = 21;

/// Counts namespaces and devices made by this process, for unique names.
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);
/// Stale namespaces are swept once per test process.
static SWEEP: Once = Once::new();

/// A tshark display filter matching every frame that is malformed or
/// carries a bad IP, UDP, TCP or ICMP checksum, or any other expert error.
/// A TCP checksum of 0xffff where 0x0000 was computed is not bad: the two
/// are the same number in ones' complement (RFC 1624), every receiver
/// accepts both, and Linux sends it now and then.
const BAD_FRAMES: &str = "_ws.malformed || _ws.expert.severity == error \
    || ip.checksum.status == \"Bad\" || udp.checksum.status == \"Bad\" \
    || (tcp.checksum.status == \"Bad\" \
        && !(tcp.checksum == 0xffff && tcp.checksum_calculated == 0x0000)) \
    || icmp.checksum.status == \"Bad\"";

pub struct Lab {
    case: String,
    dir: PathBuf,
    tap_name: String,
    /// Until the bridge starts.
    device: Option<TapDevice>,
    bridge: Option<Running>,
    /// Processes started in the namespace, stopped (in reverse) on drop.
    background: Vec<Background>,
    captures: Vec<PathBuf>,
    /// Declared last: deleted after everything in it stopped.
    namespace: Namespace,
}

impl Lab {
    /// Namespace, TAP device and Linux-side capture, ready for a bridge.
    /// `None` (after a loud SKIPPED line) when this machine cannot run the
    /// case and `SEQS_INTEROP` is not `1`.
    pub fn new(case: &str, tools: &[&str]) -> Option<Lab> {
        if let Err(reason) = environment_ready(tools) {
            skip(case, &reason);
            return None;
        }
        SWEEP.call_once(sweep_stale_namespaces);
        let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        let namespace = Namespace::create(&format!("seqs-{pid}-{id}-{case}"));
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("interop")
            .join(case);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the case's artefact directory");
        let tap_name = format!("sq{pid}t{id}");
        let mut lab = Lab {
            case: case.to_owned(),
            dir,
            tap_name: tap_name.clone(),
            device: None,
            bridge: None,
            background: Vec::new(),
            captures: Vec::new(),
            namespace,
        };
        // No IPv6 in the lab: the link carries only what the case exchanges.
        lab.ok(&["sh", "-c", DISABLE_IPV6]);
        lab.ok(&["ip", "link", "set", "lo", "up"]);
        // Created in our namespace (down, unaddressed), then moved: the file
        // descriptor stays attached to the device wherever it lives.
        let device = TapDevice::open(&tap_name).expect("create the TAP device");
        check(Command::new("ip").args([
            "link",
            "set",
            "dev",
            &tap_name,
            "netns",
            &lab.namespace.name,
        ]));
        lab.device = Some(device);
        let linux = format!("{LINUX}/{PREFIX_LEN}");
        lab.ok(&["ip", "addr", "add", &linux, "dev", &tap_name]);
        lab.ok(&["ip", "link", "set", &tap_name, "up"]);
        lab.start_tcpdump();
        Some(lab)
    }

    /// Starts the bridge with our address and fixed seed; `configure` adds
    /// apps, loss and so on. Its capture is checked by [`Lab::finish`].
    pub fn start_bridge(&mut self, configure: impl FnOnce(&mut BridgeConfig)) {
        let address = Ipv4Cidr::new(OURS, PREFIX_LEN).expect("valid prefix");
        let mut config = BridgeConfig::new(
            Addressing::Static {
                address,
                gateway: None,
            },
            SEED,
        );
        let pcap = self.dir.join("bridge.pcap");
        config.pcap = Some(pcap.clone());
        config.exit_when_clients_done = false;
        // Listeners, accepted streams and service sockets side by side.
        config.capacities.sockets = 32;
        configure(&mut config);
        self.captures.push(pcap);
        let device = self.device.take().expect("bridge started once");
        let bridge = Bridge::new(device, config).expect("build the bridge");
        self.bridge = Some(bridge.spawn().expect("spawn the bridge thread"));
    }

    /// Blocking sockets on the running bridge's stack.
    pub fn net(&self) -> Net {
        self.bridge
            .as_ref()
            .expect("bridge running")
            .control()
            .net()
    }

    /// Waits until the bridge's client apps are done; the bridge keeps
    /// running (and its TAP device existing) until [`Lab::finish`].
    pub fn wait_for_clients(&self, timeout: Duration) {
        let control = self.bridge.as_ref().expect("bridge running").control();
        let deadline = Instant::now() + timeout;
        while !control.clients_done() {
            assert!(
                Instant::now() < deadline,
                "[{}] clients not done after {timeout:?}",
                self.case
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs `args` inside the namespace and returns its output; killed
    /// after `timeout`.
    pub fn exec(&self, args: &[&str], stdin: &[u8], timeout: Duration) -> Output {
        run_with_timeout(self.command(args), stdin, timeout)
    }

    /// Like [`Lab::exec`], but fails the case unless it exits 0.
    pub fn ok(&self, args: &[&str]) -> Output {
        let out = self.exec(args, &[], Duration::from_secs(10));
        assert!(
            out.status.success(),
            "[{}] {args:?} failed: {}",
            self.case,
            describe(&out)
        );
        out
    }

    /// Starts `args` inside the namespace in the background; it is stopped
    /// by pid when the lab finishes or is dropped.
    pub fn spawn(&mut self, name: &str, args: &[&str]) {
        let log = self.dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).expect("create a log file");
        let child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("clone the log handle"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("[{}] cannot start {args:?}: {e}", self.case));
        self.background.push(Background { child, log });
    }

    /// Waits until something in the namespace listens on UDP `port`.
    pub fn wait_udp_listener(&self, port: u16) {
        self.wait_listener("-Hlun", "UDP", port);
    }

    /// Waits until something in the namespace listens on TCP `port`.
    pub fn wait_tcp_listener(&self, port: u16) {
        self.wait_listener("-Hltn", "TCP", port);
    }

    fn wait_listener(&self, ss_flags: &str, proto: &str, port: u16) {
        let filter = format!("sport = :{port}");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let out = self.exec(&["ss", ss_flags, &filter], &[], Duration::from_secs(5));
            if !out.stdout.is_empty() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        panic!("[{}] nothing listens on {proto} port {port}", self.case);
    }

    /// The TAP device's name inside the namespace (Linux's end of the link).
    pub fn interface(&self) -> &str {
        &self.tap_name
    }

    /// The capture of the bridge's own frames.
    pub fn bridge_capture(&self) -> PathBuf {
        self.path("bridge.pcap")
    }

    /// A path in the case's artefact directory (configs, data, logs).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// What background process `name` has written so far.
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(&format!("{name}.log"))).unwrap_or_default()
    }

    /// Waits for background process `name` to exit on its own.
    pub fn wait_exit(&mut self, name: &str, timeout: Duration) -> ExitStatus {
        let log = self.path(&format!("{name}.log"));
        let process = self
            .background
            .iter_mut()
            .find(|b| b.log == log)
            .unwrap_or_else(|| panic!("no background process {name}"));
        wait_exit(&mut process.child, timeout).unwrap_or_else(|| {
            panic!(
                "[{}] {name} still running after {timeout:?}: {}",
                self.case,
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        })
    }

    /// Waits until the running bridge's app reports satisfy `done` (they
    /// refresh every 50 ms) and returns them.
    pub fn wait_reports(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&[Report]) -> bool,
    ) -> Vec<Report> {
        let control = self.bridge.as_ref().expect("bridge running").control();
        let deadline = Instant::now() + timeout;
        loop {
            let reports = control.reports();
            if done(&reports) {
                return reports;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] {what}: not after {timeout:?}: {reports:#?}",
                self.case
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops every background process (tcpdump while its interface still
    /// exists), then the bridge, then has tshark read every capture: each
    /// must hold frames, and none may be malformed or carry a bad checksum.
    /// Returns the bridge's report.
    pub fn finish(mut self) -> BridgeReport {
        self.wait_for_linux_capture();
        self.stop_background();
        let bridge = self.bridge.take().expect("bridge started");
        let report = bridge.stop().expect("bridge ran without I/O errors");
        for capture in &self.captures {
            let (frames, bad) = tshark_check(capture);
            assert!(frames > 0, "[{}] {} is empty", self.case, capture.display());
            assert!(
                bad.is_empty(),
                "[{}] {} has {} bad frames:\n{bad}",
                self.case,
                capture.display(),
                bad.lines().count()
            );
        }
        report
    }

    /// tcpdump hands frames to its file in batches and drops a pending
    /// batch when stopped, so wait until its file holds at least every frame
    /// the bridge has read or written so far.
    fn wait_for_linux_capture(&self) {
        let Some(bridge) = &self.bridge else {
            return;
        };
        let counters = bridge.control().counters();
        let crossed = counters.frames_read + counters.frames_written;
        let capture = self.dir.join("linux.pcap");
        let deadline = Instant::now() + Duration::from_secs(5);
        while pcap_frames(&capture) < crossed {
            assert!(
                Instant::now() < deadline,
                "[{}] tcpdump captured {} of the {crossed} frames on the link",
                self.case,
                pcap_frames(&capture)
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn start_tcpdump(&mut self) {
        let pcap = self.dir.join("linux.pcap");
        let pcap_arg = pcap.to_string_lossy().into_owned();
        let tap = self.tap_name.clone();
        self.spawn(
            "tcpdump",
            &[
                "tcpdump",
                "-i",
                &tap,
                "-n",
                "-U",
                "-s",
                "0",
                "-B",
                TCPDUMP_BUFFER_KIB,
                "-w",
                &pcap_arg,
            ],
        );
        let log = self
            .background
            .last()
            .map(|b| b.log.clone())
            .expect("just spawned");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !std::fs::read_to_string(&log).is_ok_and(|s| s.contains("listening on")) {
            assert!(
                Instant::now() < deadline,
                "[{}] tcpdump did not start: {}",
                self.case,
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            thread::sleep(Duration::from_millis(20));
        }
        self.captures.push(pcap);
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.namespace.name]).args(args);
        cmd
    }

    fn stop_background(&mut self) {
        while let Some(process) = self.background.pop() {
            drop(process);
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // The bridge first: closing its descriptor removes the TAP device.
        drop(self.bridge.take());
        drop(self.device.take());
        self.stop_background();
    }
}

/// Deletes namespaces a killed earlier run of this suite left behind:
/// named `seqs-<pid>-...` with no process `<pid>` alive. Processes still
/// inside one (a tcpdump) are stopped by pid first.
fn sweep_stale_namespaces() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    for name in listing.lines().filter_map(|l| l.split_whitespace().next()) {
        let owner = name
            .strip_prefix("seqs-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(owner) = owner else {
            continue;
        };
        if Path::new(&format!("/proc/{owner}")).exists() {
            continue;
        }
        let pids = Command::new("ip")
            .args(["netns", "pids", name])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        for pid in pids.split_whitespace().filter(|p| p.parse::<u32>().is_ok()) {
            let _ = Command::new("sh")
                .args(["-c", &format!("kill -KILL {pid}")])
                .status();
        }
        let _ = Command::new("ip").args(["netns", "delete", name]).status();
    }
}

/// A namespace this process created; deleted on drop.
struct Namespace {
    name: String,
}

impl Namespace {
    fn create(name: &str) -> Self {
        check(Command::new("ip").args(["netns", "add", name]));
        Namespace {
            name: name.to_owned(),
        }
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.name])
            .status();
    }
}

/// A process started by the lab: SIGTERM by pid (tcpdump then closes its
/// file properly), SIGKILL if it lingers, always reaped.
struct Background {
    child: Child,
    log: PathBuf,
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let pid = self.child.id();
            let _ = Command::new("sh")
                .args(["-c", &format!("kill -TERM {pid}")])
                .status();
            if wait_exit(&mut self.child, Duration::from_secs(3)).is_none() {
                let _ = self.child.kill();
            }
        }
        let _ = self.child.wait();
    }
}

fn wait_exit(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            _ => return None,
        }
    }
}

/// Runs `cmd` with `stdin` as input, killing it (by pid) after `timeout`.
fn run_with_timeout(mut cmd: Command, stdin: &[u8], timeout: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let input = stdin.to_vec();
    let mut pipe_in = child.stdin.take().expect("piped stdin");
    let writer = thread::spawn(move || {
        let _ = pipe_in.write_all(&input);
    });
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let status = wait_exit(&mut child, timeout).unwrap_or_else(|| {
        let _ = child.kill();
        child.wait().expect("reap a killed child")
    });
    let _ = writer.join();
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut out = Vec::new();
        let _ = pipe.read_to_end(&mut out);
        out
    })
}

fn check(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed: {}", describe(&out));
}

pub fn describe(out: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Records in a classic pcap file written so far (a partial last record
/// is not counted).
fn pcap_frames(path: &Path) -> u64 {
    let bytes = std::fs::read(path).unwrap_or_default();
    let little = bytes
        .get(..4)
        .is_some_and(|m| m == [0xd4, 0xc3, 0xb2, 0xa1] || m == [0x4d, 0x3c, 0xb2, 0xa1]);
    let mut at = 24;
    let mut frames = 0;
    while let Some(len) = bytes.get(at + 8..at + 12) {
        let len = [len[0], len[1], len[2], len[3]];
        let len = if little {
            u32::from_le_bytes(len)
        } else {
            u32::from_be_bytes(len)
        };
        at += 16 + len as usize;
        if at > bytes.len() {
            break;
        }
        frames += 1;
    }
    frames
}

/// Frames in `capture`, and tshark's lines for the bad ones (one tshark
/// pass: its start-up dominates the suite's time).
pub fn tshark_check(capture: &Path) -> (u64, String) {
    let file = capture.to_string_lossy();
    let decode_as_data: Vec<String> = DATA_PORTS
        .iter()
        .map(|port| format!("tcp.port=={port},data"))
        .collect();
    let mut args: Vec<&str> = decode_as_data
        .iter()
        .flat_map(|d| ["-d", d.as_str()])
        .collect();
    args.extend([
        // Reassembling 10 MiB HTTP bodies costs tshark ~45 s a capture;
        // segment by segment it still checks every header and checksum,
        // and every HTTP head that fits one segment (all of ours do).
        "-o",
        "tcp.desegment_tcp_streams:FALSE",
        "-r",
        &file,
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "udp.check_checksum:TRUE",
        "-o",
        "tcp.check_checksum:TRUE",
        "-Y",
        BAD_FRAMES,
    ]);
    (pcap_frames(capture), tshark(&args))
}

/// One line per frame of `capture` matching `filter`: the `fields`,
/// tab-separated (tshark `-T fields`), sequence numbers relative.
pub fn tshark_fields(capture: &Path, filter: &str, fields: &[&str]) -> Vec<String> {
    let file = capture.to_string_lossy();
    let mut args = vec![
        "-r",
        &file,
        "-o",
        "tcp.relative_sequence_numbers:TRUE",
        "-Y",
        filter,
        "-T",
        "fields",
    ];
    args.extend(fields.iter().flat_map(|f| ["-e", *f]));
    tshark(&args).lines().map(str::to_owned).collect()
}

/// tshark's stdout; it exits 0 even when the display finds errors, so a
/// failure here means it could not read the file or the filter.
fn tshark(args: &[&str]) -> String {
    let out = Command::new("tshark")
        .args(args)
        .output()
        .expect("run tshark");
    let complaints: Vec<_> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("Running as user"))
        .map(str::to_owned)
        .collect();
    assert!(
        out.status.success() && complaints.is_empty(),
        "tshark {args:?}: {}",
        describe(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether `tools` are installed; prints SKIPPED (or fails under
/// `SEQS_INTEROP=1`) when not. For cases that need no namespace.
pub fn have_tools(case: &str, tools: &[&str]) -> bool {
    let missing: Vec<_> = tools.iter().filter(|t| !on_path(t)).copied().collect();
    if !missing.is_empty() {
        skip(case, &format!("missing tools: {}", missing.join(", ")));
    }
    missing.is_empty()
}

/// Why this machine cannot run a case, if it cannot.
fn environment_ready(tools: &[&str]) -> Result<(), String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    let caps = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .unwrap_or(0);
    for (bit, name) in [
        (CAP_SYS_ADMIN, "CAP_SYS_ADMIN"),
        (CAP_NET_ADMIN, "CAP_NET_ADMIN"),
    ] {
        if caps & (1 << bit) == 0 {
            return Err(format!(
                "needs root ({name} for namespaces and TAP devices)"
            ));
        }
    }
    if !Path::new("/dev/net/tun").exists() {
        return Err("no /dev/net/tun".into());
    }
    let missing: Vec<_> = BASE_TOOLS
        .iter()
        .chain(tools)
        .filter(|tool| !on_path(tool))
        .copied()
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "missing tools: {} (tap/ci-deps.sh installs them)",
            missing.join(", ")
        ))
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// Says loudly that `case` did not run: straight to the process's stderr,
/// past the test harness's output capture. Under `SEQS_INTEROP=1` a skip
/// is a failure.
fn skip(case: &str, reason: &str) {
    if std::env::var("SEQS_INTEROP").is_ok_and(|v| v == "1") {
        panic!("interop case {case} cannot run: {reason} (SEQS_INTEROP=1)");
    }
    let line = format!(
        "\n*** SKIPPED interop case {case}: {reason}; set SEQS_INTEROP=1 to make this a failure ***\n"
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
}
