//! The real-time driver: one stack, one link (a TAP device), the apps
//! beside them.

use std::fs::File;
use std::io::{self, Read};
use std::net::Ipv4Addr;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use rand_chacha::ChaCha8Rng;
use seqs::iface::Capacities;
use seqs::stats::Counters;
use seqs::time::{Duration, Instant};
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{Config, Stack, Storage};

use crate::apps::{App, AppSpec, DhcpClient, Report};
use crate::clock::stack_duration;
use crate::loss::chacha_stream;
use crate::net::{Net, Shared};
use crate::{sys, Capture, Clock, Dropper, EventLog, FrameIo, LossRate, TapDevice};

/// The stack as the bridge runs it: owned storage, ChaCha from the seed.
pub type TapStack = Stack<'static, ChaCha8Rng>;

/// Ethernet header plus one 802.1Q tag, beyond the IP MTU.
const ETHERNET_OVERHEAD: usize = 14 + 4;
/// Largest frame read from the device: a 64 KiB datagram plus headers, so
/// a peer with a large MTU is never truncated.
const MAX_FRAME: usize = 65_536 + ETHERNET_OVERHEAD;
/// Frames handled per wake-up before the bridge checks for a stop request.
const RX_BURST: usize = 64;
/// Rounds of "poll apps, drain transmit" per event before sleeping.
const SETTLE_ROUNDS: usize = 64;

/// ChaCha stream numbers derived from the one seed.
const STACK_STREAM: u64 = 0;
const INGRESS_STREAM: u64 = 1;
const EGRESS_STREAM: u64 = 2;

/// How the node gets its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    Static {
        address: Ipv4Cidr,
        gateway: Option<Ipv4Addr>,
    },
    /// Our DHCP client configures the interface (address, gateway, DNS
    /// and NTP servers); its report comes first among the apps'.
    Dhcp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BridgeConfig {
    pub mac: EthernetAddress,
    pub addressing: Addressing,
    /// Seeds the stack's RNG and both loss streams: same seed, same ISNs,
    /// ports and loss pattern.
    pub seed: u64,
    pub ingress_loss: LossRate,
    pub egress_loss: LossRate,
    /// Where to write a pcap of every frame the stack receives and sends.
    pub pcap: Option<PathBuf>,
    /// Stop after this long; `None`: when stopped, or when every client
    /// app finished (servers alone run until stopped).
    pub run_for: Option<std::time::Duration>,
    pub apps: Vec<AppSpec>,
    /// Stop once every client app finished (servers alone never finish).
    /// Off, the bridge keeps serving and [`Control::clients_done`] says
    /// when the clients are through.
    pub exit_when_clients_done: bool,
    pub capacities: Capacities,
    /// Print app events to stderr as they happen.
    pub verbose: bool,
}

impl BridgeConfig {
    /// A locally administered MAC, no loss, no capture, no apps.
    pub fn new(addressing: Addressing, seed: u64) -> Self {
        BridgeConfig {
            mac: EthernetAddress([0x02, 0x53, 0x51, 0x00, 0x00, 0x02]),
            addressing,
            seed,
            ingress_loss: LossRate::NONE,
            egress_loss: LossRate::NONE,
            pcap: None,
            run_for: None,
            apps: Vec::new(),
            exit_when_clients_done: true,
            capacities: Capacities::default(),
            verbose: false,
        }
    }
}

/// What the bridge itself saw, beside the stack's own counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BridgeCounters {
    pub frames_read: u64,
    pub frames_written: u64,
    /// Frames discarded by the seeded loss, per direction.
    pub ingress_lost: u64,
    pub egress_lost: u64,
    /// Device writes that failed (EIO while the interface is down).
    pub write_errors: u64,
    /// Returns from `ppoll`: frames, deadlines and stop requests.
    pub wakeups: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Every client app finished.
    ClientsDone,
    /// `run_for` elapsed.
    Deadline,
    /// [`Control::stop`] was called.
    Requested,
    /// SIGINT or SIGTERM, after [`stop_on_interrupt`].
    Interrupted,
}

/// Makes SIGINT (Ctrl-C) and SIGTERM stop a bridge running on the calling
/// thread cleanly: the capture is flushed and the report returned. For
/// programs that run one bridge on their main thread, like the CLI.
pub fn stop_on_interrupt() -> io::Result<()> {
    sys::catch_interrupts()
}

#[derive(Debug, Clone)]
pub struct BridgeReport {
    pub seed: u64,
    pub stopped: StopReason,
    pub elapsed: std::time::Duration,
    pub bridge: BridgeCounters,
    pub stack: Counters,
    pub apps: Vec<Report>,
}

/// How often a running bridge refreshes the app reports [`Control`] shows.
const REPORT_PERIOD: Duration = Duration::from_millis(50);

/// Watches and stops a running bridge from another thread.
#[derive(Debug, Clone)]
pub struct Control {
    stop: Arc<AtomicBool>,
    clients_done: Arc<AtomicBool>,
    counters: Arc<Mutex<BridgeCounters>>,
    reports: Arc<Mutex<Vec<Report>>>,
    shared: Arc<Shared>,
}

impl Control {
    /// The bridge's counters as of its last sleep.
    pub fn counters(&self) -> BridgeCounters {
        *self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The apps' reports, at most [`REPORT_PERIOD`] old while the bridge
    /// runs: lets a caller wait for a server app to have seen something.
    pub fn reports(&self) -> Vec<Report> {
        self.reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every client app finished (false while there are none).
    pub fn clients_done(&self) -> bool {
        self.clients_done.load(Ordering::SeqCst)
    }

    /// Asks the bridge to stop, waking it from its sleep.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.shared.wake();
    }

    /// Blocking sockets on the bridge's stack.
    pub fn net(&self) -> Net {
        Net::new(Arc::clone(&self.shared))
    }
}

/// A bridge running on its own thread. Dropping it stops and joins it.
#[derive(Debug)]
pub struct Running {
    control: Control,
    thread: Option<JoinHandle<io::Result<BridgeReport>>>,
}

impl Running {
    pub fn control(&self) -> &Control {
        &self.control
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits for the bridge to stop on its own (clients done, deadline).
    pub fn join(mut self) -> io::Result<BridgeReport> {
        self.join_thread()
    }

    pub fn stop(mut self) -> io::Result<BridgeReport> {
        self.control.stop();
        self.join_thread()
    }

    fn join_thread(&mut self) -> io::Result<BridgeReport> {
        let thread = self
            .thread
            .take()
            .ok_or_else(|| io::Error::other("already joined"))?;
        thread
            .join()
            .map_err(|_| io::Error::other("bridge thread panicked"))?
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.control.stop();
            let _ = self.join_thread();
        }
    }
}

#[derive(Debug)]
pub struct Bridge<D = TapDevice> {
    device: D,
    shared: Arc<Shared>,
    clock: Clock,
    ingress: Dropper,
    egress: Dropper,
    capture: Option<Capture>,
    apps: Vec<App>,
    log: EventLog,
    counters: BridgeCounters,
    deadline: Option<Instant>,
    seed: u64,
    exit_when_clients_done: bool,
    control: Control,
    wake_rx: UnixStream,
    tx_buf: Vec<u8>,
    /// When the app reports were last published, and whether anything
    /// happened since (then the bridge wakes to publish them).
    reported_at: Option<Instant>,
    reports_stale: bool,
}

impl<D: FrameIo + 'static> Bridge<D> {
    /// Builds the stack, opens the capture and starts the apps; the clock
    /// starts now.
    pub fn new(device: D, config: BridgeConfig) -> io::Result<Self> {
        let clock = Clock::start();
        let mut stack = Stack::new(
            Config::new(config.mac),
            Storage::with_capacity(config.capacities),
            chacha_stream(config.seed, STACK_STREAM),
        );
        let mut apps = Vec::new();
        match config.addressing {
            Addressing::Static { address, gateway } => {
                stack.set_ipv4_address(clock.now(), Some(address));
                stack.set_gateway(gateway);
            }
            Addressing::Dhcp => {
                let client = DhcpClient::start(&mut stack).map_err(io::Error::other)?;
                apps.push(App::DhcpClient(client));
            }
        }
        for spec in &config.apps {
            let app = App::start(spec, clock.now(), &mut stack).map_err(io::Error::other)?;
            apps.push(app);
        }
        let capture = config.pcap.as_deref().map(Capture::create).transpose()?;
        let (wake_tx, wake_rx) = UnixStream::pair()?;
        wake_rx.set_nonblocking(true)?;
        wake_tx.set_nonblocking(true)?;
        let tx_len = stack.config().mtu + ETHERNET_OVERHEAD;
        let shared = Arc::new(Shared::new(stack, wake_tx, clock));
        Ok(Bridge {
            device,
            shared: Arc::clone(&shared),
            ingress: Dropper::new(config.ingress_loss, config.seed, INGRESS_STREAM),
            egress: Dropper::new(config.egress_loss, config.seed, EGRESS_STREAM),
            capture,
            apps,
            log: EventLog::new(config.verbose),
            counters: BridgeCounters::default(),
            deadline: config.run_for.map(|d| clock.now() + stack_duration(d)),
            seed: config.seed,
            exit_when_clients_done: config.exit_when_clients_done,
            control: Control {
                stop: Arc::new(AtomicBool::new(false)),
                clients_done: Arc::new(AtomicBool::new(false)),
                counters: Arc::default(),
                reports: Arc::default(),
                shared,
            },
            wake_rx,
            tx_buf: vec![0; tx_len],
            reported_at: None,
            reports_stale: true,
            clock,
        })
    }

    pub fn control(&self) -> Control {
        self.control.clone()
    }

    /// Blocking sockets on this bridge's stack; usable once it runs.
    pub fn net(&self) -> Net {
        self.control.net()
    }

    /// Runs the bridge on a new thread.
    pub fn spawn(self) -> io::Result<Running> {
        let control = self.control();
        let thread = std::thread::Builder::new()
            .name(format!("seqs-tap {}", self.device.name()))
            .spawn(move || self.run())?;
        Ok(Running {
            control,
            thread: Some(thread),
        })
    }

    /// Runs until stopped (see [`BridgeConfig::run_for`]) and reports.
    pub fn run(mut self) -> io::Result<BridgeReport> {
        let shared = Arc::clone(&self.shared);
        let stopped = {
            let _closing = CloseOnExit(&shared);
            self.serve(&shared)?
        };
        if let Some(capture) = &mut self.capture {
            capture.flush()?;
        }
        self.reported_at = None;
        self.reports_stale = true;
        self.publish_counters();
        let stack = shared.lock().counters().clone();
        Ok(BridgeReport {
            seed: self.seed,
            stopped,
            elapsed: std::time::Duration::from_micros(self.clock.now().total_micros()),
            bridge: self.counters,
            stack,
            apps: self.app_reports(),
        })
    }

    /// The loop: holds the stack's lock while working, never while asleep.
    fn serve(&mut self, shared: &Shared) -> io::Result<StopReason> {
        let mut frame = vec![0u8; MAX_FRAME];
        loop {
            let deadline = {
                let mut stack = shared.lock();
                shared.reap(&mut stack);
                self.settle(&mut stack, self.clock.now())?;
                self.next_deadline(&stack)
            };
            shared.notify();
            if let Some(reason) = self.stop_reason() {
                return Ok(reason);
            }
            if let Some(capture) = &mut self.capture {
                capture.flush()?;
            }
            self.publish_counters();
            let report_due = self.reported_at.filter(|_| self.reports_stale);
            let deadline = deadline
                .into_iter()
                .chain(report_due.map(|at| at + REPORT_PERIOD))
                .min();
            let timeout = deadline.map(|d| self.clock.until(d));
            let [frames, woken] =
                sys::wait_readable([self.device.as_fd(), self.wake_rx.as_fd()], timeout)?;
            self.counters.wakeups += 1;
            self.reports_stale = true;
            if woken {
                while (&self.wake_rx).read(&mut [0; 64]).is_ok_and(|n| n > 0) {}
            }
            if frames {
                self.read_frames(&mut shared.lock(), &mut frame)?;
            }
        }
    }

    fn publish_counters(&mut self) {
        *self
            .control
            .counters
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = self.counters;
        let now = self.clock.now();
        if self.reports_stale && self.reported_at.is_none_or(|at| now >= at + REPORT_PERIOD) {
            self.reported_at = Some(now);
            self.reports_stale = false;
            *self
                .control
                .reports
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = self.app_reports();
        }
    }

    fn app_reports(&self) -> Vec<Report> {
        self.apps.iter().map(|a| a.service().report()).collect()
    }

    fn stop_reason(&self) -> Option<StopReason> {
        let mut clients = self.apps.iter().map(App::service).filter(|s| s.is_finite());
        let clients_done =
            clients.next().is_some_and(|first| first.is_done()) && clients.all(|s| s.is_done());
        self.control
            .clients_done
            .store(clients_done, Ordering::SeqCst);
        if self.control.stop.load(Ordering::SeqCst) {
            Some(StopReason::Requested)
        } else if sys::interrupted() {
            Some(StopReason::Interrupted)
        } else if self.deadline.is_some_and(|d| self.clock.now() >= d) {
            Some(StopReason::Deadline)
        } else if clients_done && self.exit_when_clients_done {
            Some(StopReason::ClientsDone)
        } else {
            None
        }
    }

    /// The earliest instant anything is due: the stack, an app, the end.
    fn next_deadline(&self, stack: &TapStack) -> Option<Instant> {
        let apps = self.apps.iter().filter_map(|a| a.service().poll_at());
        stack
            .poll_at()
            .into_iter()
            .chain(apps)
            .chain(self.deadline)
            .min()
    }

    fn read_frames(&mut self, stack: &mut TapStack, frame: &mut [u8]) -> io::Result<()> {
        for _ in 0..RX_BURST {
            let Some(len) = self.device.recv(frame)? else {
                break;
            };
            self.counters.frames_read += 1;
            if self.ingress.lose() {
                self.counters.ingress_lost += 1;
                continue;
            }
            let frame = &frame[..len];
            if let Some(capture) = &mut self.capture {
                capture.record(frame)?;
            }
            let now = self.clock.now();
            stack.receive(now, frame);
            self.settle(stack, now)?;
        }
        Ok(())
    }

    /// Lets the apps act, then drains the stack; again while that sent
    /// something, since sending frees queue space an app may be waiting on.
    fn settle(&mut self, stack: &mut TapStack, now: Instant) -> io::Result<()> {
        for _ in 0..SETTLE_ROUNDS {
            for app in &mut self.apps {
                app.service_mut().poll(now, stack, &mut self.log);
            }
            if self.transmit(stack, now)? == 0 {
                break;
            }
        }
        Ok(())
    }

    /// Writes every frame the stack has now; returns how many it produced.
    fn transmit(&mut self, stack: &mut TapStack, now: Instant) -> io::Result<usize> {
        let mut produced = 0;
        while let Some(len) = stack.transmit(now, &mut self.tx_buf) {
            produced += 1;
            if self.egress.lose() {
                self.counters.egress_lost += 1;
                continue;
            }
            let frame = &self.tx_buf[..len];
            match self.device.send(frame) {
                Ok(()) => {
                    self.counters.frames_written += 1;
                    if let Some(capture) = &mut self.capture {
                        capture.record(frame)?;
                    }
                }
                Err(e) => {
                    self.counters.write_errors += 1;
                    self.log.event(now, format_args!("tap write failed: {e}"));
                }
            }
        }
        Ok(produced)
    }
}

/// Fails blocked socket calls once the bridge stops, even by a panic.
struct CloseOnExit<'a>(&'a Shared);

impl Drop for CloseOnExit<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// A seed from the OS, for runs not given `--seed` (reported, so the run
/// can be repeated).
pub fn random_seed() -> io::Result<u64> {
    let mut bytes = [0u8; 8];
    File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}
