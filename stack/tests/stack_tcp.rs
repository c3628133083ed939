//! TCP sockets inside the stack: demultiplexing, listeners as an accept
//! backlog, RST for closed ports, and bulk transfer over a lossy link.

mod support;

use std::net::SocketAddrV4;

use seqs::socket::{Handle, Tcp};
use seqs::stats::{Disposition, DropReason};
use seqs::tcp::State;
use seqs::time::{Duration, Instant};
use support::*;

/// Moves `total` bytes from node 0 to node 1 over `link`, feeding and
/// draining the sockets as an application would, then closes both ends.
/// Returns what node 1 received.
fn bulk(link: &mut Link, total: usize) -> Vec<u8> {
    let server = link.nodes[1]
        .add_tcp_socket(tcp_socket(16384, 16384))
        .unwrap();
    link.nodes[1].tcp_listen(server, 80).unwrap();
    let client = link.nodes[0]
        .add_tcp_socket(tcp_socket(16384, 16384))
        .unwrap();
    let now = link.now;
    link.nodes[0]
        .tcp_connect(client, now, SocketAddrV4::new(ip(2), 80))
        .unwrap();
    let data = pattern(7, 0, total);
    let (mut sent, mut got) = (0, Vec::new());
    let mut buf = vec![0u8; 4096];
    let deadline = link.now + Duration::from_secs(600);
    while link.now < deadline {
        link.run_for(Duration::from_millis(5));
        let c = link.nodes[0].tcp(client).unwrap();
        if sent < total && c.state() == State::Established {
            sent += c.send_slice(&data[sent..]).unwrap();
            if sent == total {
                c.close();
            }
        }
        let s = link.nodes[1].tcp(server).unwrap();
        while let Ok(n @ 1..) = s.recv_slice(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
        if got.len() == total && s.state() == State::CloseWait {
            s.close();
        }
        if got.len() == total && s.state() == State::Closed {
            break;
        }
    }
    got
}

#[test]
fn bulk_transfer_delivers_every_byte_and_closes() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    link.latency = Duration::from_millis(2);
    let got = bulk(&mut link, 300_000);
    assert_eq!(got, pattern(7, 0, 300_000));
    assert_eq!(link.nodes[1].counters().drops(DropReason::TcpNoSocket), 0);
}

#[test]
fn bulk_transfer_survives_loss_for_many_seeds() {
    for seed in 0..32 {
        let mut link = Link::lossy(vec![stack(1, true), stack(2, true)], 0.15, seed);
        link.latency = Duration::from_millis(1);
        let got = bulk(&mut link, 60_000);
        assert_eq!(got.len(), 60_000, "seed {seed}");
        assert!(got == pattern(7, 0, 60_000), "seed {seed}: corrupted data");
    }
}

fn connect(link: &mut Link, node: usize, port: u16) -> Handle<Tcp> {
    let h = link.nodes[node]
        .add_tcp_socket(tcp_socket(2048, 2048))
        .unwrap();
    let now = link.now;
    link.nodes[node]
        .tcp_connect(h, now, SocketAddrV4::new(ip(2), port))
        .unwrap();
    h
}

#[test]
fn listeners_on_one_port_form_a_backlog_and_overflow_is_reset() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    let listeners: Vec<_> = (0..3)
        .map(|_| {
            let h = link.nodes[1]
                .add_tcp_socket(tcp_socket(2048, 2048))
                .unwrap();
            link.nodes[1].tcp_listen(h, 8080).unwrap();
            h
        })
        .collect();
    let clients: Vec<_> = (0..4).map(|_| connect(&mut link, 0, 8080)).collect();
    link.run_for(Duration::from_secs(1));
    let states: Vec<_> = clients
        .iter()
        .map(|&h| link.nodes[0].tcp(h).unwrap().state())
        .collect();
    assert_eq!(
        states.iter().filter(|&&s| s == State::Established).count(),
        3
    );
    assert_eq!(
        states.iter().filter(|&&s| s == State::Closed).count(),
        1,
        "the fourth was reset"
    );
    for h in listeners {
        assert_eq!(link.nodes[1].tcp(h).unwrap().state(), State::Established);
    }
    assert_eq!(link.nodes[1].counters().drops(DropReason::TcpNoSocket), 1);
}

#[test]
fn segment_to_a_closed_port_is_answered_with_rst() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    let h = connect(&mut link, 0, 9);
    link.run_for(Duration::from_secs(1));
    assert_eq!(link.nodes[0].tcp(h).unwrap().state(), State::Closed);
    assert_eq!(link.nodes[1].counters().drops(DropReason::TcpNoSocket), 1);
    let rst_seen = link.sent_by(1).any(|s| {
        let p = etherparse::SlicedPacket::from_ethernet(&s.frame).unwrap();
        matches!(p.transport, Some(etherparse::TransportSlice::Tcp(t)) if t.rst())
    });
    assert!(rst_seen);
}

#[test]
fn silent_drop_mode_makes_a_full_backlog_look_like_loss() {
    let mut config = seqs::Config::new(mac(2));
    config.tcp_reset_unmatched = false;
    let mut link = Link::new(vec![stack(1, true), stack_with(2, true, config)]);
    let h = connect(&mut link, 0, 9);
    link.run_for(Duration::from_secs(2));
    assert_eq!(
        link.nodes[0].tcp(h).unwrap().state(),
        State::SynSent,
        "still retrying"
    );
    assert!(link.sent_by(1).all(|s| {
        let p = etherparse::SlicedPacket::from_ethernet(&s.frame).unwrap();
        !matches!(p.transport, Some(etherparse::TransportSlice::Tcp(_)))
    }));
}

#[test]
fn tcp_to_a_broadcast_address_is_not_for_us() {
    let mut s = silent_stack(2);
    let mut frame = Vec::new();
    etherparse::PacketBuilder::ethernet2(mac(1).0, [0xff; 6])
        .ipv4(ip(1).octets(), [192, 0, 2, 255], 64)
        .tcp(1000, 80, 1, 1024)
        .syn()
        .write(&mut frame, &[])
        .unwrap();
    assert_eq!(
        s.receive(Instant::from_secs(1), &frame),
        Disposition::Dropped(DropReason::Ipv4NotForUs)
    );
}

#[test]
fn abort_after_a_zero_window_probe_still_resets_the_peer() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    let server = link.nodes[1]
        .add_tcp_socket(tcp_socket(4096, 65536))
        .unwrap();
    link.nodes[1].tcp_listen(server, 80).unwrap();
    let client = link.nodes[0]
        .add_tcp_socket(tcp_socket(1024, 1024))
        .unwrap();
    let now = link.now;
    link.nodes[0]
        .tcp_connect(client, now, SocketAddrV4::new(ip(2), 80))
        .unwrap();
    link.run_for(Duration::from_millis(100));
    // The client never reads: its window closes and the server probes it.
    link.nodes[1]
        .tcp(server)
        .unwrap()
        .send_slice(&[7; 20_000])
        .unwrap();
    link.run_for(Duration::from_secs(5));
    assert!(
        link.nodes[1]
            .tcp(server)
            .unwrap()
            .counters()
            .retransmissions
            > 0,
        "zero-window probes sent"
    );
    link.nodes[1].tcp(server).unwrap().abort();
    link.run_for(Duration::from_millis(100));
    assert_eq!(
        link.nodes[0].tcp(client).unwrap().state(),
        State::Closed,
        "the RST was acceptable"
    );
}

/// An idle socket is skipped by `transmit` until something reaches it
/// (`socket::Set` remembers that it had nothing to send): data queued at
/// the very instant of an empty `transmit`, on one connection among several
/// idle sockets, still leaves on the next call; and `poll_at` of a socket
/// marked quiet is what it would be unmarked.
#[test]
fn data_queued_after_an_empty_transmit_leaves_at_once() {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    let server = link.nodes[1]
        .add_tcp_socket(tcp_socket(4096, 4096))
        .unwrap();
    link.nodes[1].tcp_listen(server, 80).unwrap();
    let idle: Vec<_> = (0..3)
        .map(|_| link.nodes[0].add_tcp_socket(tcp_socket(512, 512)).unwrap())
        .collect();
    // Without Nagle each small write leaves at once, unacknowledged data
    // in flight or not (the frames below are never delivered).
    let no_nagle = seqs::tcp::Config {
        nagle: false,
        ..seqs::tcp::Config::default()
    };
    let client = link.nodes[0]
        .add_tcp_socket(seqs::tcp::Socket::with_config(
            seqs::storage::RingBuffer::new(vec![0u8; 4096]),
            seqs::storage::RingBuffer::new(vec![0u8; 4096]),
            no_nagle,
        ))
        .unwrap();
    let now = link.now;
    link.nodes[0]
        .tcp_connect(client, now, SocketAddrV4::new(ip(2), 80))
        .unwrap();
    link.run_for(Duration::from_secs(1));
    assert_eq!(
        link.nodes[0].tcp(client).unwrap().state(),
        State::Established
    );
    assert!(idle
        .iter()
        .all(|&h| link.nodes[0].tcp(h).unwrap().state() == State::Closed));

    let mut frame = [0u8; 1514];
    for round in 0..3 {
        let at = link.now + Duration::from_millis(100 * (round + 1));
        while link.nodes[0].transmit(at, &mut frame).is_some() {}
        assert_eq!(link.nodes[0].transmit(at, &mut frame), None);
        // Quiet now: `poll_at` answers from the mark, and must say what it
        // works out once a touch has cleared it.
        let from_mark = link.nodes[0].poll_at();
        link.nodes[0].tcp(client).unwrap();
        assert_eq!(link.nodes[0].poll_at(), from_mark, "round {round}");
        assert!(
            from_mark.is_some_and(|t| t > at),
            "round {round}: {from_mark:?}"
        );
        let queued = link.nodes[0]
            .tcp(client)
            .unwrap()
            .send_slice(b"ping")
            .unwrap();
        assert_eq!(queued, 4);
        let len = link.nodes[0]
            .transmit(at, &mut frame)
            .unwrap_or_else(|| panic!("round {round}: the segment did not leave"));
        assert!(frame[..len].ends_with(b"ping"), "round {round}");
    }
}
