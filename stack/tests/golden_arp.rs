//! `arp.pcap`: a Linux ARP request and the Linux reply, decoded by our wire
//! layer, and answered (and asked) by a live stack byte for byte as Linux did.

#[path = "golden/layers.rs"]
mod layers;
mod support;

use std::net::SocketAddrV4;

use layers::*;
use seqs::stats::{Consumer, Disposition};
use seqs::time::Instant;
use seqs::wire::arp::{Operation, Repr};
use seqs::wire::{ethernet, EthernetAddress};

#[test]
fn request_and_reply_decode_field_by_field() {
    let frames = capture("arp.pcap");
    let decoded: Vec<_> = frames.iter().map(|f| arp(f)).collect();
    let eth = |src, dst| ethernet::Repr {
        src_addr: src,
        dst_addr: dst,
        ethertype: ethernet::EtherType::Arp,
        vlan: None,
    };
    assert_eq!(
        decoded,
        [
            (
                eth(CLIENT_MAC, EthernetAddress::BROADCAST),
                Repr {
                    operation: Operation::Request,
                    source_hardware_addr: CLIENT_MAC,
                    source_protocol_addr: CLIENT,
                    target_hardware_addr: EthernetAddress([0; 6]),
                    target_protocol_addr: SERVER,
                }
            ),
            (
                eth(SERVER_MAC, CLIENT_MAC),
                Repr {
                    operation: Operation::Reply,
                    source_hardware_addr: SERVER_MAC,
                    source_protocol_addr: SERVER,
                    target_hardware_addr: CLIENT_MAC,
                    target_protocol_addr: CLIENT,
                }
            ),
        ]
    );
}

#[test]
fn stack_at_the_server_address_replies_like_linux() {
    let frames = capture("arp.pcap");
    let mut server = support::silent_stack(1);
    let now = Instant::from_secs(1);
    assert_eq!(
        server.receive(now, &frames[0]),
        Disposition::Consumed(Consumer::Arp)
    );
    assert_eq!(layers::transmit_all(&mut server, now), [frames[1].clone()]);
}

#[test]
fn stack_at_the_client_address_asks_like_linux_and_learns_the_reply() {
    let frames = capture("arp.pcap");
    let mut client = support::silent_stack(2);
    let now = Instant::from_secs(1);
    let socket = client.add_udp_socket(support::udp_socket(1, 64)).unwrap();
    client.bind_udp(socket, 40000).unwrap();
    client
        .udp(socket)
        .unwrap()
        .send_slice(b"x", SocketAddrV4::new(SERVER, 9))
        .unwrap();
    assert_eq!(layers::transmit_all(&mut client, now), [frames[0].clone()]);
    assert_eq!(
        client.receive(now, &frames[1]),
        Disposition::Consumed(Consumer::Arp)
    );
    assert_eq!(
        client.neighbor(now, SERVER),
        Some(seqs::arp::Lookup::Found(SERVER_MAC))
    );
    // The datagram that waited for resolution now leaves, to Linux's MAC.
    let sent = layers::transmit_all(&mut client, now);
    assert_eq!(sent.len(), 1);
    let datagram = layers::udp(&sent[0]);
    assert_eq!(datagram.ip.dst_addr, SERVER);
    assert_eq!(ethernet(&sent[0]).0.dst_addr, SERVER_MAC);
}
