//! How the simulator scales: `N` `seqs` hosts on a tree of switches, each
//! leasing an address from one server's DHCP, resolving the server's web name
//! with its DNS and fetching a page over HTTP. Every host's result is checked,
//! then the run's cost is printed: events, frames delivered by links, virtual
//! and wall time, and memory (a counting global allocator, and the process's
//! peak RSS).
//!
//! ```sh
//! cargo bench -p seqs-sim --bench scale               # 10, 100, 1000, 10000
//! SEQS_SCALE=10,100 cargo bench -p seqs-sim --bench scale
//! cargo bench -p seqs-sim --bench scale -- 1000       # sizes as arguments
//! ```
//!
//! One L2 domain (no routers in the simulator), so every broadcast reaches
//! every host and their number grows with N². Hosts are plugged in and power
//! on one per [`BOOT_SPACING`]: the server never sees simultaneous DHCP
//! discoveries (which would overflow its queues and cause retransmitted,
//! again broadcast, discoveries), the event queue stays short, and a
//! broadcast reaches only the hosts already there (half the N² on average).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::num::NonZeroU64;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use seqs::dhcp::AddressRange;
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs_sim::app::{
    AppConfig, AppKind, DhcpServerConfig, DnsServerConfig, HttpGetConfig, HttpRoute,
    HttpServerConfig, RecordData, Target, ZoneRecord,
};
use seqs_sim::host::{network_factory, AddressSource, HostConfig};
use seqs_sim::{
    DirectionConfig, Fault, LinkConfig, SimDuration, SimTime, Simulation, SwitchConfig, Topology,
    TopologyBuilder, Trace, TraceFilter,
};

/// Counts bytes the process has allocated and not freed, and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    LIVE.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// wrapper only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        if !new.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
/// Ports of a switch (a 48-port access switch).
const FAN_OUT: usize = 48;
/// Hosts power on one after the other, this far apart.
const BOOT_SPACING: SimDuration = SimDuration::from_millis(1);
/// Virtual time allowed after the last host powers on.
const GRACE: SimDuration = SimDuration::from_secs(60);
/// How often the run checks whether every host is done.
const CHECK_EVERY: SimDuration = SimDuration::from_millis(100);
const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const WEB: &str = "www.example.test";
const PAGE: usize = 4096;

fn main() {
    let sizes = sizes();
    println!("{}", Row::HEADER);
    for n in sizes {
        match run(n) {
            Ok(row) => println!("{row}"),
            Err(failure) => {
                eprintln!("{n} hosts: {failure}");
                std::process::exit(1);
            }
        }
    }
}

/// Sizes from the arguments (cargo adds `--bench`), else `SEQS_SCALE`
/// (comma-separated), else [`SIZES`].
fn sizes() -> Vec<usize> {
    let parse = |s: &str| {
        s.trim()
            .parse()
            .unwrap_or_else(|_| panic!("not a host count: {s:?}"))
    };
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .map(|a| parse(&a))
        .collect();
    if !args.is_empty() {
        return args;
    }
    match std::env::var("SEQS_SCALE") {
        Ok(list) => list.split(',').map(parse).collect(),
        Err(_) => SIZES.to_vec(),
    }
}

/// One measured run.
struct Row {
    hosts: usize,
    events: u64,
    frames: u64,
    virtual_time: SimTime,
    wall: Duration,
    /// CPU time of the run: on a shared machine, wall time also counts
    /// time spent waiting for a core.
    cpu: Option<Duration>,
    /// Allocated bytes still live once the simulation is built (before it
    /// runs), at the end of the run, and at the peak of the run.
    built: usize,
    end: usize,
    peak: usize,
    /// The process's peak resident set (kB), if Linux told us.
    hwm_kb: Option<u64>,
}

impl Row {
    const HEADER: &'static str = "| hosts | events | frames delivered | virtual s | wall s | CPU s | frames/s | events/s | built B/host | end B/host | peak B/host | VmHWM MiB |\n|---|---|---|---|---|---|---|---|---|---|---|---|";
}

impl std::fmt::Display for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let wall = self.wall.as_secs_f64();
        let per_host = |bytes: usize| bytes / self.hosts;
        let cpu = self
            .cpu
            .map_or("?".to_string(), |t| format!("{:.2}", t.as_secs_f64()));
        let hwm = self
            .hwm_kb
            .map_or("?".to_string(), |kb| format!("{:.0}", kb as f64 / 1024.0));
        write!(
            f,
            "| {} | {} | {} | {:.3} | {:.2} | {} | {:.0} | {:.0} | {} | {} | {} | {} |",
            self.hosts,
            self.events,
            self.frames,
            self.virtual_time.as_nanos() as f64 / 1e9,
            wall,
            cpu,
            self.frames as f64 / wall,
            self.events as f64 / wall,
            per_host(self.built),
            per_host(self.end),
            per_host(self.peak),
            hwm,
        )
    }
}

fn run(n: usize) -> Result<Row, String> {
    reset_peak_rss();
    let base = LIVE.load(Ordering::Relaxed);
    let (topology, configs) = network(n);
    let done = Rc::new(Cell::new(0));
    let mut sim = Simulation::new(&topology, 1, network_factory(configs, client()));
    sim.set_trace(Trace::new(
        Box::new(Outcomes::new(done.clone())),
        TraceFilter::all().kinds(["app"]),
    ));
    let last_boot = power_on_in_turn(&mut sim, n);
    drop(topology);
    let built = LIVE.load(Ordering::Relaxed).saturating_sub(base);
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);

    let started = Instant::now();
    let cpu_before = cpu_time();
    let deadline = last_boot + GRACE;
    while done.get() < n && sim.now() < deadline {
        sim.run_until(sim.now() + CHECK_EVERY);
        sim.trace_mut().flush().map_err(|e| e.to_string())?;
    }
    let wall = started.elapsed();
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let end = LIVE.load(Ordering::Relaxed).saturating_sub(base);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let hwm_kb = peak_rss_kb();

    check(&sim, n)?;
    let frames = sim
        .summary()
        .links
        .values()
        .map(|l| l.a_to_b.delivered_frames + l.b_to_a.delivered_frames)
        .sum();
    Ok(Row {
        hosts: n,
        events: sim.events(),
        frames,
        virtual_time: sim.now(),
        wall,
        cpu,
        built,
        end,
        peak,
        hwm_kb,
    })
}

/// Client `i` is plugged in and powered on at `i × BOOT_SPACING`: held
/// down from time zero with its cable unplugged, then its link comes up and
/// the host restarts (its first boot). An unplugged port costs a flood
/// nothing: the frame is dropped as it is offered, with no event. Returns
/// the last power-on time.
fn power_on_in_turn(sim: &mut Simulation, n: usize) -> SimTime {
    let mut at = SimTime::ZERO;
    for i in 0..n {
        let host = client_name(i);
        let cable = format!("l-{host}");
        sim.apply(Fault::Crash(host.clone())).expect("known host");
        sim.apply(Fault::LinkDown(cable.clone()))
            .expect("known link");
        at = SimTime::ZERO + BOOT_SPACING.saturating_mul(i as u64);
        sim.schedule(at, Fault::LinkUp(cable)).expect("known link");
        sim.schedule(at, Fault::Restart(host)).expect("known host");
    }
    at
}

/// Every client leased a distinct address and fetched the whole page; the
/// server saw one lease and one request per client.
fn check(sim: &Simulation, n: usize) -> Result<(), String> {
    let mut addresses = Vec::with_capacity(n);
    let mut failures = Vec::new();
    for i in 0..n {
        let host = client_name(i);
        let node = sim.host_summary(&host).ok_or("missing host")?.node;
        match node["address"].as_str() {
            Some(a) => addresses.push(a.to_string()),
            None => failures.push(format!("{host}: no address")),
        }
        let get = &node["apps"]["get"];
        if get["status"] != "succeeded" || get["metrics"]["bytes"] != PAGE {
            failures.push(format!("{host}: {get}"));
        }
    }
    if !failures.is_empty() {
        let shown = &failures[..failures.len().min(5)];
        return Err(format!("{} hosts failed: {shown:?}", failures.len()));
    }
    addresses.sort();
    addresses.dedup();
    if addresses.len() != n {
        return Err(format!("{} distinct leases", addresses.len()));
    }
    let server = sim.host_summary("srv").ok_or("no server")?.node;
    for (app, metric) in [("dhcpd", "leases"), ("httpd", "requests")] {
        let got = &server["apps"][app]["metrics"][metric];
        if *got != n {
            return Err(format!("server {app} {metric} = {got}"));
        }
    }
    Ok(())
}

/// Counts the app outcome lines of the trace (one per client once done).
struct Outcomes {
    done: Rc<Cell<usize>>,
    partial: Vec<u8>,
}

impl Outcomes {
    fn new(done: Rc<Cell<usize>>) -> Self {
        Outcomes {
            done,
            partial: Vec::new(),
        }
    }
}

impl Write for Outcomes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.partial.extend_from_slice(buf);
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(&self.partial[..end]);
            if line.contains(" app succeeded") || line.contains(" app failed") {
                self.done.set(self.done.get() + 1);
            }
            self.partial.drain(..=end);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn client_name(i: usize) -> String {
    format!("h{i}")
}

fn client_mac(i: usize) -> EthernetAddress {
    let [_, a, b, c] = (i as u32 + 2).to_be_bytes();
    EthernetAddress([2, 0, 0, a, b, c])
}

/// 100 Mbit/s to hosts, 1 Gbit/s between switches; 50 µs of cable either
/// way.
fn cable(bits_per_second: u64) -> LinkConfig {
    LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_micros(50),
        bandwidth_bps: NonZeroU64::new(bits_per_second),
        ..DirectionConfig::default()
    })
}

/// Clients on access switches of [`FAN_OUT`] ports, those under
/// aggregation switches of as many ports until the rest fits on the root
/// switch, which also has the server.
fn network(n: usize) -> (Topology, BTreeMap<String, HostConfig>) {
    let mut t = Topology::builder();
    let switch = SwitchConfig {
        table_size: n + 16,
        ..SwitchConfig::default()
    };
    let mut configs = BTreeMap::new();
    t.switch("root", switch.clone());
    t.host("srv", EthernetAddress([2, 0, 0, 0, 0, 1]));
    t.link("l-srv", "srv", "root", cable(1_000_000_000));
    configs.insert("srv".to_string(), server(n));
    let mut level: Vec<String> = (0..n.div_ceil(FAN_OUT))
        .map(|s| {
            let name = format!("acc{s}");
            t.switch(&name, switch.clone());
            for i in (s * FAN_OUT..n).take(FAN_OUT) {
                let host = client_name(i);
                t.host(&host, client_mac(i));
                t.link(&format!("l-{host}"), &host, &name, cable(100_000_000));
            }
            name
        })
        .collect();
    let mut depth = 0;
    while level.len() >= FAN_OUT {
        depth += 1;
        level = group(&mut t, &switch, &level, &format!("agg{depth}."));
    }
    for child in &level {
        t.link(&format!("up-{child}"), child, "root", cable(1_000_000_000));
    }
    (t.build().expect("valid topology"), configs)
}

/// One new switch (named `prefix` + index) per [`FAN_OUT`] of `children`.
fn group(
    t: &mut TopologyBuilder,
    switch: &SwitchConfig,
    children: &[String],
    prefix: &str,
) -> Vec<String> {
    children
        .chunks(FAN_OUT)
        .enumerate()
        .map(|(k, chunk)| {
            let name = format!("{prefix}{k}");
            t.switch(&name, switch.clone());
            for child in chunk {
                t.link(&format!("up-{child}"), child, &name, cable(1_000_000_000));
            }
            name
        })
        .collect()
}

/// DHCP (a pool as large as needed), DNS for the web name, and HTTP.
fn server(n: usize) -> HostConfig {
    let range = AddressRange::new(Ipv4Addr::new(10, 0, 1, 0), Ipv4Addr::new(10, 0, 255, 254))
        .expect("ordered");
    let mut dhcpd = DhcpServerConfig::new(vec![range]);
    dhcpd.max_leases = n;
    dhcpd.dns = vec![SERVER];
    let mut config = HostConfig::new(AddressSource::fixed(
        Ipv4Cidr::new(SERVER, 16).expect("valid prefix"),
    ));
    config.capacities.sockets = 40;
    config.capacities.neighbors = 256;
    config.capacities.udp_packets = 64;
    config.capacities.udp_tx_bytes = 64 * 1024;
    let zone = vec![ZoneRecord {
        name: WEB.into(),
        ttl: 300,
        data: RecordData::A(SERVER),
    }];
    let page = HttpRoute {
        path: "/".into(),
        status: 200,
        body: vec![b'x'; PAGE],
    };
    let now = SimDuration::ZERO;
    config
        .app(AppConfig::new("dhcpd", now, AppKind::DhcpServer(dhcpd)))
        .app(AppConfig::new(
            "named",
            now,
            AppKind::DnsServer(DnsServerConfig { zone }),
        ))
        .app(AppConfig::new(
            "httpd",
            now,
            AppKind::HttpServer(HttpServerConfig {
                port: 80,
                routes: vec![page],
            }),
        ))
}

/// Leases an address, then fetches the page by name (the app waits for
/// the lease).
fn client() -> HostConfig {
    HostConfig::new(AddressSource::Dhcp).app(AppConfig::new(
        "get",
        SimDuration::ZERO,
        AppKind::HttpGet(HttpGetConfig {
            method: "GET".into(),
            target: Target::Name(WEB.into()),
            port: 80,
            path: "/".into(),
            count: 1,
            keep_alive: false,
            expect_status: 200,
        }),
    ))
}

/// Lets the next [`peak_rss_kb`] report the peak of what follows (Linux
/// 4.0 and later; elsewhere the peak stays the process's).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `VmHWM` of `/proc/self/status`: the peak resident set, in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time of this (single-threaded) process so far: the first field of
/// `/proc/self/schedstat`, in nanoseconds.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}
