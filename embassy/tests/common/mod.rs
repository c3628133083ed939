//! Host-test support: a hand-cranked executor that counts polls, exclusive
//! use of embassy's mock clock, and stacks joined by a `Cable`.
#![allow(dead_code)] // each test binary uses its own part

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Wake, Waker};

use embassy_net_driver::Driver;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Duration, MockDriver};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use seqs::iface::Capacities;
use seqs::storage::RingBuffer;
use seqs::time::Instant;
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{tcp, Config, Stack, Storage};
use seqs_embassy::{Cable, CableEnd, Net, Node, Runner, TcpSocket};

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

struct Task<'f> {
    future: Pin<Box<dyn Future<Output = ()> + 'f>>,
    woken: Arc<Flag>,
    polls: usize,
    done: bool,
}

/// Tasks on one thread, polled only when woken, each poll counted; time
/// moves only when the test says so.
#[derive(Default)]
pub struct Executor<'f> {
    tasks: Vec<Task<'f>>,
}

/// A task's index in its [`Executor`].
#[derive(Debug, Clone, Copy)]
pub struct TaskId(usize);

impl<'f> Executor<'f> {
    pub fn spawn(&mut self, future: impl Future<Output = ()> + 'f) -> TaskId {
        self.tasks.push(Task {
            future: Box::pin(future),
            woken: Arc::new(Flag(AtomicBool::new(true))),
            polls: 0,
            done: false,
        });
        TaskId(self.tasks.len() - 1)
    }

    /// Polls woken tasks until none is woken.
    pub fn run_ready(&mut self) {
        while self.run_ready_once() > 0 {}
    }

    /// Polls each task that is woken once; returns how many it polled.
    pub fn run_ready_once(&mut self) -> usize {
        let mut polls = 0;
        for task in self.tasks.iter_mut().filter(|t| !t.done) {
            if !task.woken.0.swap(false, Ordering::SeqCst) {
                continue;
            }
            let waker = Waker::from(task.woken.clone());
            task.polls += 1;
            polls += 1;
            let ready = task.future.as_mut().poll(&mut Context::from_waker(&waker));
            task.done = ready.is_ready();
        }
        polls
    }

    /// Runs until every task in `ids` finished, moving the clock a
    /// millisecond at a time whenever nothing is ready; panics past
    /// `limit` of virtual time.
    pub fn run_until(&mut self, ids: &[TaskId], limit: Duration) {
        let start = embassy_time::Instant::now();
        loop {
            self.run_ready();
            if ids.iter().all(|&id| self.is_done(id)) {
                return;
            }
            assert!(
                embassy_time::Instant::now() - start < limit,
                "tasks not done after {limit:?} of virtual time"
            );
            MockDriver::get().advance(Duration::from_millis(1));
        }
    }

    /// Lets `duration` of virtual time pass, a millisecond at a time,
    /// running whatever wakes.
    pub fn idle(&mut self, duration: Duration) {
        for _ in 0..duration.as_millis() {
            MockDriver::get().advance(Duration::from_millis(1));
            self.run_ready();
        }
    }

    pub fn is_done(&self, id: TaskId) -> bool {
        self.tasks[id.0].done
    }

    /// Whether the task was woken since it was last polled.
    pub fn is_woken(&self, id: TaskId) -> bool {
        self.tasks[id.0].woken.0.load(Ordering::SeqCst)
    }

    pub fn polls(&self, id: TaskId) -> usize {
        self.tasks[id.0].polls
    }
}

static CLOCK: Mutex<()> = Mutex::new(());

/// The mock clock is process-global: a test holds this guard, which also
/// rewinds the clock to zero.
pub struct TimeGuard {
    _held: MutexGuard<'static, ()>,
}

impl TimeGuard {
    pub fn new() -> Self {
        let held = CLOCK.lock().unwrap_or_else(|p| p.into_inner());
        MockDriver::get().reset();
        TimeGuard { _held: held }
    }

    pub fn advance_millis(&self, millis: u64) {
        MockDriver::get().advance(Duration::from_millis(millis));
    }
}

/// Frames each direction of a test cable holds.
pub const CABLE_FRAMES: usize = 16;

/// A cable that lives as long as the test process.
pub fn cable(macs: [EthernetAddress; 2]) -> (TestEnd, TestEnd) {
    let cable: &'static Cable<NoopRawMutex, CABLE_FRAMES> = Box::leak(Box::default());
    cable.ends(macs)
}

pub type TestEnd = CableEnd<'static, NoopRawMutex, CABLE_FRAMES>;

pub type TestStack = Stack<'static, ChaCha8Rng>;
pub type TestNet = Net<'static, NoopRawMutex, TestStack, 8>;
pub type TestTcp = TcpSocket<'static, 'static, NoopRawMutex, TestStack, 8>;

pub fn mac(host: u8) -> EthernetAddress {
    EthernetAddress([2, 0, 0, 0, 0, host])
}

pub fn ip(host: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, host)
}

pub fn endpoint(host: u8, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(ip(host), port)
}

/// A stack with `host`'s MAC address and no IPv4 address.
pub fn stack(host: u8) -> TestStack {
    let storage = Storage::with_capacity(Capacities::default());
    let rng = ChaCha8Rng::seed_from_u64(u64::from(host));
    Stack::new(Config::new(mac(host)), storage, rng)
}

/// A stack at 192.0.2.`host`/24, shared for the rest of the test process.
pub fn host(host: u8) -> &'static TestNet {
    let mut stack = stack(host);
    let cidr = Ipv4Cidr::new(ip(host), 24).expect("valid prefix");
    stack.set_ipv4_address(Instant::ZERO, Some(cidr));
    Box::leak(Box::new(Net::new(stack)))
}

/// Hosts 1 and 2 on one cable, their runners spawned.
pub fn two_hosts(exec: &mut Executor<'static>) -> (&'static TestNet, &'static TestNet) {
    let (a, b) = (host(1), host(2));
    let (end_a, end_b) = cable([mac(1), mac(2)]);
    spawn_runner(exec, a, end_a);
    spawn_runner(exec, b, end_b);
    (a, b)
}

pub fn spawn_runner<'a, N: Node<'a> + 'static, D: Driver + 'static>(
    exec: &mut Executor<'static>,
    net: &'static Net<'a, NoopRawMutex, N, 8>,
    driver: D,
) -> TaskId {
    let runner = Runner::new(net, driver);
    exec.spawn(async move {
        runner.run().await;
    })
}

/// A TCP socket with `size`-byte buffers.
pub fn tcp_socket(net: &'static TestNet, size: usize) -> TestTcp {
    let socket = tcp::Socket::new(
        RingBuffer::new(vec![0; size]),
        RingBuffer::new(vec![0; size]),
    );
    TcpSocket::new(net, socket).expect("free socket slot")
}
