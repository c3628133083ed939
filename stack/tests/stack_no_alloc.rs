//! Steady-state UDP and ICMP traffic performs zero heap allocations, whole
//! or in fragments: a counting global allocator watches two stacks exchange
//! datagrams and pings through fixed buffers.

mod counting_alloc;
mod support;

use std::net::SocketAddrV4;

use counting_alloc::{allocations, Counting};
use seqs::storage::{PacketBuffer, PacketMeta};
use seqs::time::{Duration, Instant};
use support::*;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Moves every pending frame between the two stacks until both are quiet.
fn exchange(a: &mut TestStack, b: &mut TestStack, now: Instant, buf: &mut [u8; 1600]) {
    loop {
        let mut moved = false;
        while let Some(n) = a.transmit(now, buf) {
            b.receive(now, &buf[..n]);
            moved = true;
        }
        while let Some(n) = b.transmit(now, buf) {
            a.receive(now, &buf[..n]);
            moved = true;
        }
        if !moved {
            return;
        }
    }
}

#[test]
fn udp_and_ping_steady_state_do_not_allocate() {
    let mut a = stack(1, true);
    let mut b = stack(2, true);
    let ha = a.add_udp_socket(udp_socket(8, 8192)).unwrap();
    let hb = b.add_udp_socket(udp_socket(8, 8192)).unwrap();
    a.bind_udp(ha, 1000).unwrap();
    b.bind_udp(hb, 2000).unwrap();
    let ping = a.add_icmp_socket(icmp_socket()).unwrap();
    let mut buf = [0u8; 1600];
    let mut payload = [0u8; 512];
    let mut now = Instant::from_secs(5);

    let mut round = |a: &mut TestStack, b: &mut TestStack, now: Instant, i: u16| {
        payload[0] = i as u8;
        a.udp(ha)
            .unwrap()
            .send_slice(&payload, SocketAddrV4::new(ip(2), 2000))
            .unwrap();
        a.icmp(ping)
            .unwrap()
            .send_echo(ip(2), i, &payload[..64])
            .unwrap();
        exchange(a, b, now, &mut buf);
        let (data, meta) = b.udp(hb).unwrap().recv().unwrap();
        assert_eq!(data[0], i as u8);
        let to = meta.remote;
        let echo = b.udp(hb).unwrap().send(512, to).unwrap();
        echo[0] = i as u8;
        exchange(a, b, now, &mut buf);
        assert_eq!(a.udp(ha).unwrap().recv().unwrap().0[0], i as u8);
        assert_eq!(a.icmp(ping).unwrap().recv().unwrap().0.seq_no, i);
    };

    round(&mut a, &mut b, now, 0); // warm-up: ARP in both directions
    let before = allocations();
    for i in 1..200 {
        now += Duration::from_millis(20);
        round(&mut a, &mut b, now, i);
    }
    let made = allocations() - before;
    assert_eq!(made, 0, "heap allocations on the packet path");
    assert_eq!(a.counters().udp_in, 200);
}

#[test]
fn fragmented_udp_and_ping_steady_state_do_not_allocate() {
    let mut a = stack(1, true);
    let mut b = stack(2, true);
    let ha = a.add_udp_socket(udp_socket(4, 16384)).unwrap();
    let hb = b.add_udp_socket(udp_socket(4, 16384)).unwrap();
    a.bind_udp(ha, 1000).unwrap();
    b.bind_udp(hb, 2000).unwrap();
    let ping = a
        .add_icmp_socket(seqs::icmp::Socket::new(
            PacketBuffer::new(vec![PacketMeta::empty(); 4], vec![0u8; 8192]),
            PacketBuffer::new(vec![PacketMeta::empty(); 4], vec![0u8; 8192]),
        ))
        .unwrap();
    let mut buf = [0u8; 1600];
    // Three fragments each way at the default 1500-byte MTU.
    let mut payload = [0u8; 4000];
    let mut now = Instant::from_secs(5);

    let mut round = |a: &mut TestStack, b: &mut TestStack, now: Instant, i: u16| {
        payload[3999] = i as u8;
        a.udp(ha)
            .unwrap()
            .send_slice(&payload, SocketAddrV4::new(ip(2), 2000))
            .unwrap();
        a.icmp(ping)
            .unwrap()
            .send_echo(ip(2), i, &payload[..3000])
            .unwrap();
        exchange(a, b, now, &mut buf);
        let (data, meta) = b.udp(hb).unwrap().recv().unwrap();
        assert_eq!((data.len(), data[3999]), (4000, i as u8));
        let to = meta.remote;
        let echo = b.udp(hb).unwrap().send(4000, to).unwrap();
        echo[3999] = i as u8;
        exchange(a, b, now, &mut buf);
        assert_eq!(a.udp(ha).unwrap().recv().unwrap().0[3999], i as u8);
        let (reply, data) = a.icmp(ping).unwrap().recv().unwrap();
        assert_eq!((reply.seq_no, data.len()), (i, 3000));
    };

    round(&mut a, &mut b, now, 0); // warm-up: ARP in both directions
    let before = allocations();
    for i in 1..100 {
        now += Duration::from_millis(20);
        round(&mut a, &mut b, now, i);
    }
    let made = allocations() - before;
    assert_eq!(made, 0, "heap allocations on the fragmenting path");
    // Every datagram each way went in fragments and was reassembled.
    assert_eq!(a.counters().datagrams_reassembled, 200);
    assert_eq!(b.counters().datagrams_reassembled, 200);
}

#[test]
fn tcp_bulk_steady_state_does_not_allocate() {
    let mut a = stack(1, true);
    let mut b = stack(2, true);
    let server = b.add_tcp_socket(tcp_socket(32768, 32768)).unwrap();
    b.tcp_listen(server, 80).unwrap();
    let client = a.add_tcp_socket(tcp_socket(32768, 32768)).unwrap();
    let mut now = Instant::from_secs(1);
    a.tcp_connect(client, now, SocketAddrV4::new(ip(2), 80))
        .unwrap();
    let mut buf = [0u8; 1600];
    let chunk = [0x5au8; 8192];
    let mut sink = [0u8; 8192];
    let mut received = 0usize;
    let mut step = |a: &mut TestStack, b: &mut TestStack, now: Instant, received: &mut usize| {
        let _ = a.tcp(client).unwrap().send_slice(&chunk);
        exchange(a, b, now, &mut buf);
        while let Ok(n @ 1..) = b.tcp(server).unwrap().recv_slice(&mut sink) {
            *received += n;
        }
        exchange(a, b, now, &mut buf);
    };
    for _ in 0..50 {
        now += Duration::from_millis(1);
        step(&mut a, &mut b, now, &mut received); // handshake and warm-up
    }
    let before = allocations();
    for _ in 0..500 {
        now += Duration::from_millis(1);
        step(&mut a, &mut b, now, &mut received);
    }
    assert_eq!(
        allocations() - before,
        0,
        "heap allocations during bulk transfer"
    );
    assert!(received > 1_000_000, "only {received} bytes moved");
}
