//! Async sockets between two stacks on an in-memory cable, under a
//! hand-cranked executor and embassy's mock clock.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::Duration;
use embedded_io_async::{Read, Write};
use seqs::storage::{PacketBuffer, PacketMeta};
use seqs::udp;
use seqs_embassy::{Error, UdpSocket};

const PORT: u16 = 5000;
const LIMIT: Duration = Duration::from_secs(60);

/// Byte `i` of the test stream: not periodic in any buffer size used here.
fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

#[test]
fn one_mebibyte_crosses_intact_through_read_and_write_all() {
    const TOTAL: usize = 1 << 20;
    let _time = TimeGuard::new();
    let mut exec = Executor::default();
    let (a, b) = two_hosts(&mut exec);
    let received = Rc::new(Cell::new(0usize));

    let count = received.clone();
    let server = exec.spawn(async move {
        let mut socket = tcp_socket(b, 8192);
        let peer = socket.accept(PORT).await.unwrap();
        assert_eq!(*peer.ip(), ip(1));
        let mut buf = [0u8; 1000];
        let mut at = 0;
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            for (k, &byte) in buf[..n].iter().enumerate() {
                assert_eq!(byte, pattern(at + k), "byte {}", at + k);
            }
            at += n;
        }
        count.set(at);
        socket.close();
        socket.wait_closed().await;
    });
    let client = exec.spawn(async move {
        let mut socket = tcp_socket(a, 8192);
        socket.connect(endpoint(2, PORT)).await.unwrap();
        let data: Vec<u8> = (0..TOTAL).map(pattern).collect();
        for chunk in data.chunks(3000) {
            socket.write_all(chunk).await.unwrap();
        }
        socket.flush().await.unwrap();
        socket.close();
        socket.wait_closed().await;
    });
    exec.run_until(&[server, client], LIMIT);
    assert_eq!(received.get(), TOTAL);
}

#[test]
fn several_connections_are_accepted_on_one_port() {
    const CONNECTIONS: u8 = 3;
    let _time = TimeGuard::new();
    let mut exec = Executor::default();
    let (a, b) = two_hosts(&mut exec);
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        tasks.push(exec.spawn(async move {
            let mut socket = tcp_socket(b, 1024);
            socket.accept(80).await.unwrap();
            let mut id = [0u8; 1];
            socket.read_exact(&mut id).await.unwrap();
            socket.write_all(&[id[0], b'!']).await.unwrap();
            socket.flush().await.unwrap();
        }));
    }
    for id in 0..CONNECTIONS {
        tasks.push(exec.spawn(async move {
            let mut socket = tcp_socket(a, 1024);
            socket.connect(endpoint(2, 80)).await.unwrap();
            socket.write_all(&[id]).await.unwrap();
            let mut reply = [0u8; 2];
            socket.read_exact(&mut reply).await.unwrap();
            assert_eq!(reply, [id, b'!'], "each connection answered on its own");
        }));
    }
    exec.run_until(&tasks, LIMIT);
}

#[test]
fn connecting_to_a_closed_port_is_refused() {
    let _time = TimeGuard::new();
    let mut exec = Executor::default();
    let (a, _b) = two_hosts(&mut exec);
    let client = exec.spawn(async move {
        let mut socket = tcp_socket(a, 1024);
        let refused = socket.connect(endpoint(2, 9)).await;
        assert_eq!(refused, Err(Error::ConnectionRefused));
    });
    exec.run_until(&[client], Duration::from_secs(1));
}

#[test]
fn read_before_connecting_and_accept_on_port_zero_are_refused() {
    let _time = TimeGuard::new();
    let mut exec = Executor::default();
    let (a, _b) = two_hosts(&mut exec);
    let task = exec.spawn(async move {
        let mut socket = tcp_socket(a, 1024);
        let mut nothing = [0u8; 4];
        assert_eq!(socket.read(&mut nothing).await, Err(Error::NotConnected));
        assert_eq!(socket.accept(0).await, Err(Error::Unaddressable));
    });
    exec.run_until(&[task], Duration::from_secs(1));
}

/// The reader below waits with no traffic for ten virtual seconds: neither
/// it nor either runner is polled in that time (no tick), and one write on
/// the other side, with the clock stopped, wakes the reader exactly once.
#[test]
fn a_waiting_reader_is_polled_again_only_when_data_arrives() {
    let _time = TimeGuard::new();
    let mut exec = Executor::default();
    let (a, b) = (host(1), host(2));
    let (end_a, end_b) = cable([mac(1), mac(2)]);
    let runner_a = spawn_runner(&mut exec, a, end_a);
    let runner_b = spawn_runner(&mut exec, b, end_b);
    let go: &'static Signal<NoopRawMutex, ()> = Box::leak(Box::new(Signal::new()));
    let connected = Rc::new(Cell::new(false));

    let up = connected.clone();
    let reader = exec.spawn(async move {
        let mut socket = tcp_socket(b, 1024);
        socket.accept(PORT).await.unwrap();
        up.set(true);
        let mut buf = [0u8; 16];
        let n = socket.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"wake");
    });
    let writer = exec.spawn(async move {
        let mut socket = tcp_socket(a, 1024);
        socket.connect(endpoint(2, PORT)).await.unwrap();
        go.wait().await;
        socket.write_all(b"wake").await.unwrap();
        go.wait().await;
    });
    // Handshake, then let the ARP announcements and the ACKs settle.
    exec.run_ready();
    exec.idle(Duration::from_secs(10));
    assert!(connected.get());
    assert_eq!(a.waiting() + b.waiting(), 1, "only the read waits");

    let polls = [reader, runner_a, runner_b].map(|t| exec.polls(t));
    exec.idle(Duration::from_secs(10));
    assert_eq!(
        [reader, runner_a, runner_b].map(|t| exec.polls(t)),
        polls,
        "idle tasks are not polled"
    );

    go.signal(());
    exec.run_ready();
    assert!(
        exec.is_done(reader),
        "data arrived without the clock moving"
    );
    assert_eq!(exec.polls(reader), polls[0] + 1, "one wake-up, one poll");
    assert!(!exec.is_done(writer));
    assert_eq!(a.waiting() + b.waiting(), 0);
}

#[test]
fn a_dropped_socket_leaves_no_waiter_and_frees_its_slot() {
    let _time = TimeGuard::new();
    let mut exec = Executor::default();
    let (_a, b) = two_hosts(&mut exec);
    let task = exec.spawn(async move {
        let mut socket = tcp_socket(b, 1024);
        let accept = socket.accept(PORT);
        let timeout = embassy_time::Timer::after_millis(5);
        embassy_futures::select::select(accept, timeout).await;
        assert_eq!(b.waiting(), 1, "the cancelled accept's entry stays");
        drop(socket);
        assert_eq!(b.waiting(), 0);
        assert_eq!(b.with_stack(|s| s.sockets().iter().count()), 0);
    });
    exec.run_until(&[task], Duration::from_secs(1));
}

fn udp_socket(
    net: &'static TestNet,
    port: u16,
) -> UdpSocket<'static, 'static, NoopRawMutex, TestStack, 8> {
    let buffer = || PacketBuffer::new(vec![PacketMeta::<udp::Meta>::empty(); 4], vec![0u8; 2048]);
    UdpSocket::bind(net, udp::Socket::new(buffer(), buffer()), port).unwrap()
}

#[test]
fn udp_datagrams_go_both_ways() {
    let _time = TimeGuard::new();
    let mut exec = Executor::default();
    let (a, b) = two_hosts(&mut exec);
    // An echo server that never stops: dropping a UDP socket discards what
    // it still has queued, as its documentation says.
    exec.spawn(async move {
        let socket = udp_socket(b, 7);
        let mut buf = [0u8; 64];
        loop {
            let (n, from) = socket.recv_from(&mut buf).await.unwrap();
            assert_eq!(*from.ip(), ip(1));
            socket.send_to(&buf[..n], from).await.unwrap();
        }
    });
    let client = exec.spawn(async move {
        let socket = udp_socket(a, 0);
        assert_ne!(socket.local_port(), 0);
        let mut buf = [0u8; 64];
        for word in [&b"one"[..], b"two", b"three"] {
            socket.send_to(word, endpoint(2, 7)).await.unwrap();
            let (n, from) = socket.recv_from(&mut buf).await.unwrap();
            assert_eq!((&buf[..n], from), (word, endpoint(2, 7)));
        }
        let mut short = [0u8; 2];
        socket.send_to(b"long", endpoint(2, 7)).await.unwrap();
        let (n, _) = socket.recv_from(&mut short).await.unwrap();
        assert_eq!(&short[..n], b"lo", "truncated like std");
    });
    exec.run_until(&[client], LIMIT);
}

/// 64 KiB through 2 KiB buffers, echoed back while still being sent: only
/// a client that reads and writes at once (split halves, joined) finishes.
#[test]
fn split_halves_read_while_writing() {
    const TOTAL: usize = 64 * 1024;
    let _time = TimeGuard::new();
    let mut exec = Executor::default();
    let (a, b) = two_hosts(&mut exec);
    exec.spawn(async move {
        let mut socket = tcp_socket(b, 2048);
        socket.accept(PORT).await.unwrap();
        let mut buf = [0u8; 700];
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            socket.write_all(&buf[..n]).await.unwrap();
        }
        socket.close();
        socket.wait_closed().await;
    });
    let client = exec.spawn(async move {
        let mut socket = tcp_socket(a, 2048);
        socket.connect(endpoint(2, PORT)).await.unwrap();
        let (mut reader, mut writer) = socket.split();
        let send = async {
            let data: Vec<u8> = (0..TOTAL).map(pattern).collect();
            writer.write_all(&data).await.unwrap();
            writer.flush().await.unwrap();
        };
        let receive = async {
            let mut back = vec![0u8; TOTAL];
            reader.read_exact(&mut back).await.unwrap();
            assert!(back.iter().enumerate().all(|(i, &b)| b == pattern(i)));
        };
        embassy_futures::join::join(send, receive).await;
        socket.close();
        let mut rest = [0u8; 1];
        assert_eq!(socket.read(&mut rest).await, Ok(0));
    });
    exec.run_until(&[client], LIMIT);
}

/// A datagram that finds a free slot but not room for its bytes waits for
/// room, and is not woken each time the runner goes round in between.
#[test]
fn a_large_datagram_waits_for_room_without_spinning() {
    let _time = TimeGuard::new();
    let mut exec = Executor::default();
    let (a, _b) = two_hosts(&mut exec);
    let task = exec.spawn(async move {
        let socket = udp_socket(a, 0);
        // Nobody has host 3's address: the first datagram waits in the
        // queue for ARP, which retries and finally gives up on it.
        socket.send_to(&[1; 1500], endpoint(3, 7)).await.unwrap();
        // Three of four slots are free but 548 of 2048 bytes: this waits.
        socket.send_to(&[2; 1000], endpoint(3, 7)).await.unwrap();
    });
    exec.idle(Duration::from_millis(100));
    assert!(!exec.is_done(task));
    let polls = exec.polls(task);
    let rounds = a.with_stack(|s| s.counters().frames_out);
    exec.idle(Duration::from_millis(2500));
    assert!(
        a.with_stack(|s| s.counters().frames_out) > rounds,
        "ARP retried meanwhile, so the runner went round"
    );
    assert_eq!(exec.polls(task), polls, "not woken while there is no room");
    exec.run_until(&[task], LIMIT);
}
