//! `dhcp.pcap`: busybox udhcpc and dnsmasq (DISCOVER, OFFER, REQUEST, ACK),
//! decoded from Ethernet down to every DHCP option; a live stack running our
//! DHCP server answers udhcpc's own frames as dnsmasq did.
//!
//! Our DHCP emitter is not canonical for these messages: it writes the
//! options it interprets in its own fixed order, leaves out those it does
//! not (28 broadcast address, 60 vendor class) and pads to 300 bytes. So
//! DHCP round trips are checked as `parse(emit(parse(x))) == parse(x)`; the
//! Ethernet, IPv4 and UDP layers round-trip byte for byte.

#[path = "golden/layers.rs"]
mod layers;
mod support;

use std::net::Ipv4Addr;

use layers::*;
use seqs::dhcp::{self, AddressRange, LeaseEntry, ServerConfig};
use seqs::time::{Duration, Instant};
use seqs::wire::dhcp::{MessageType, Packet, Repr, HEADER_LEN, OP_REQUEST};
use seqs::wire::{EthernetAddress, Ipv4Cidr};

const XID: u32 = 0x1f17_2b5e;
const LEASED: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 146);
const REQUESTED: [u8; 7] = [1, 3, 6, 12, 15, 28, 42];
const VENDOR: &[u8] = b"udhcp 1.35.0";
const CLIENT_ID: [u8; 7] = [1, 2, 0, 0, 0, 0, 2];

/// Options as (code, data), in wire order.
type OptionList = Vec<(u8, Vec<u8>)>;

fn opt(code: u8, data: impl AsRef<[u8]>) -> (u8, Vec<u8>) {
    (code, data.as_ref().to_vec())
}

/// Options in wire order, as tshark listed them.
fn client_options(message_type: u8, requested: bool) -> OptionList {
    let mut options = vec![opt(53, [message_type])];
    if requested {
        options.push(opt(50, LEASED.octets()));
        options.push(opt(54, SERVER.octets()));
    }
    options.extend([
        opt(57, 576u16.to_be_bytes()),
        opt(55, REQUESTED),
        opt(60, VENDOR),
        opt(61, CLIENT_ID),
    ]);
    options
}

fn dnsmasq_options(message_type: u8) -> OptionList {
    vec![
        opt(53, [message_type]),
        opt(54, SERVER.octets()),
        opt(51, 3600u32.to_be_bytes()),
        opt(58, 1800u32.to_be_bytes()),
        opt(59, 3150u32.to_be_bytes()),
        opt(1, [255, 255, 255, 0]),
        opt(28, [192, 0, 2, 255]),
        opt(15, b"example.test"),
        opt(6, SERVER.octets()),
        opt(3, SERVER.octets()),
    ]
}

/// Per frame: message type, IP id, UDP checksum, options, pad bytes after END.
fn expected() -> [(MessageType, u16, u16, OptionList, usize); 4] {
    [
        (
            MessageType::Discover,
            0,
            0xea5d,
            client_options(1, false),
            20,
        ),
        (MessageType::Offer, 0x9488, 0xbcab, dnsmasq_options(2), 0),
        (MessageType::Request, 0, 0x4b71, client_options(3, true), 8),
        (MessageType::Ack, 0x9489, 0xb9ab, dnsmasq_options(5), 0),
    ]
}

fn parse(message: &[u8]) -> Repr<'_> {
    Repr::parse(&Packet::new_checked(message).unwrap()).unwrap()
}

/// Checks the options area: the options, END, then only pad bytes.
fn check_options(message: &[u8], options: &[(u8, Vec<u8>)], pad: usize) {
    let packet = Packet::new_checked(message).unwrap();
    let got: Vec<_> = packet
        .options()
        .map(|o| o.map(|o| (o.code, o.data.to_vec())).unwrap())
        .collect();
    assert_eq!(got, options);
    let end = HEADER_LEN + options.iter().map(|(_, d)| 2 + d.len()).sum::<usize>();
    assert_eq!(message[end], 255, "END");
    assert_eq!(message[end + 1..], vec![0; pad], "padding");
}

#[test]
fn every_message_decodes_field_by_field() {
    let frames = capture("dhcp.pcap");
    assert_eq!(frames.len(), 4);
    for (frame, (message_type, ip_id, checksum, options, pad)) in frames.iter().zip(expected()) {
        let d = layers::udp(frame);
        let (eth, _) = ethernet(frame);
        let to_server = message_type.op() == OP_REQUEST;
        let (src_mac, dst_mac, src, dst, ports) = if to_server {
            let bcast = Ipv4Addr::BROADCAST;
            (
                CLIENT_MAC,
                EthernetAddress::BROADCAST,
                Ipv4Addr::UNSPECIFIED,
                bcast,
                (68, 67),
            )
        } else {
            // Broadcast bit clear: unicast to the offered address and MAC.
            (SERVER_MAC, CLIENT_MAC, SERVER, LEASED, (67, 68))
        };
        assert_eq!((eth.src_addr, eth.dst_addr), (src_mac, dst_mac));
        assert_eq!((d.ip.src_addr, d.ip.dst_addr), (src, dst));
        assert_eq!((d.ip.ident, d.ip.dont_frag, d.ip.ttl), (ip_id, false, 64));
        assert_eq!(
            (d.udp.src_port, d.udp.dst_port, d.checksum),
            (ports.0, ports.1, checksum)
        );

        let r = parse(d.payload);
        assert_eq!((r.message_type, r.transaction_id), (message_type, XID));
        assert_eq!((r.secs, r.broadcast, r.hops), (0, false, 0));
        assert_eq!(r.client_hardware_address, CLIENT_MAC);
        assert_eq!(
            (r.client_ip, r.relay_agent_ip),
            (Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED)
        );
        let (yiaddr, siaddr) = if to_server {
            (Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED)
        } else {
            (LEASED, SERVER)
        };
        assert_eq!((r.your_ip, r.server_ip), (yiaddr, siaddr));
        assert_eq!((r.server_name, r.boot_file), (&[][..], &[][..]));
        check_options(d.payload, &options, pad);
    }
}

#[test]
fn typed_options_hold_the_captured_values() {
    let frames = capture("dhcp.pcap");
    let requests = [&frames[0], &frames[2]].map(|f| parse(layers::udp(f).payload));
    for r in &requests {
        assert_eq!(r.max_message_size, Some(576));
        assert_eq!(r.parameter_request_list, Some(&REQUESTED[..]));
        assert_eq!(r.client_identifier, Some(&CLIENT_ID[..]));
    }
    assert_eq!(
        (requests[0].requested_ip, requests[0].server_identifier),
        (None, None)
    );
    assert_eq!(
        (requests[1].requested_ip, requests[1].server_identifier),
        (Some(LEASED), Some(SERVER))
    );
    for frame in [&frames[1], &frames[3]] {
        let r = parse(layers::udp(frame).payload);
        assert_eq!(r.server_identifier, Some(SERVER));
        assert_eq!(
            (r.lease_duration, r.renewal_duration, r.rebinding_duration),
            (Some(3600), Some(1800), Some(3150))
        );
        assert_eq!(r.subnet_mask, Some(Ipv4Addr::new(255, 255, 255, 0)));
        assert_eq!(
            (&r.routers[..], &r.dns_servers[..]),
            (&[SERVER][..], &[SERVER][..])
        );
        assert_eq!(r.domain_name, Some(&b"example.test"[..]));
    }
}

#[test]
fn reemitted_messages_mean_the_same() {
    for frame in capture("dhcp.pcap") {
        let original = parse(layers::udp(&frame).payload);
        let mut ours = vec![0; original.buffer_len()];
        original
            .emit(&mut Packet::new_unchecked(&mut ours[..]))
            .unwrap();
        assert_eq!(parse(&ours), original);
    }
}

fn server_stack() -> support::TestStack {
    let ranges: &'static [AddressRange] = Box::leak(Box::new([AddressRange::new(
        Ipv4Addr::new(192, 0, 2, 100),
        Ipv4Addr::new(192, 0, 2, 150),
    )
    .unwrap()]));
    let mut config = ServerConfig::new(Ipv4Cidr::new(SERVER, 24).unwrap(), ranges);
    config.router = Some(SERVER);
    config.lease_duration = Duration::from_secs(3600);
    let server = dhcp::Server::new(config, vec![None::<LeaseEntry>; 8]).unwrap();
    let mut stack = support::silent_stack(1);
    stack
        .add_dhcp_server(server, support::udp_socket(4, 4096))
        .unwrap();
    stack
}

/// The one frame `stack` answers `frame` with.
fn answer(stack: &mut support::TestStack, frame: &[u8]) -> Vec<u8> {
    let now = Instant::from_secs(1);
    stack.receive(now, frame);
    let mut sent = transmit_all(stack, now);
    assert_eq!(sent.len(), 1, "one answer");
    sent.remove(0)
}

#[test]
fn stack_serves_udhcpc_as_dnsmasq_did() {
    let frames = capture("dhcp.pcap");
    let mut stack = server_stack();
    for (request, linux) in [(&frames[0], &frames[1]), (&frames[2], &frames[3])] {
        let frame = answer(&mut stack, request);
        let d = layers::udp(&frame);
        let ours = parse(d.payload);
        let theirs = parse(layers::udp(linux).payload);
        assert_eq!(ours.message_type, theirs.message_type);
        assert_eq!(ours.transaction_id, XID);
        assert_eq!(ours.client_hardware_address, CLIENT_MAC);
        assert_eq!(ours.server_identifier, Some(SERVER));
        assert_eq!(ours.subnet_mask, theirs.subnet_mask);
        assert_eq!(&ours.routers[..], &theirs.routers[..]);
        assert_eq!(ours.lease_duration, theirs.lease_duration);
        // Unicast to the offered address at the client's MAC, like dnsmasq.
        assert_eq!(ethernet(&frame).0, ethernet(linux).0);
        assert_eq!((d.ip.src_addr, d.ip.dst_addr), (SERVER, ours.your_ip));
        assert_eq!((d.udp.src_port, d.udp.dst_port), (67, 68));
        if ours.message_type == MessageType::Ack {
            // udhcpc requested dnsmasq's choice, which our server grants.
            assert_eq!(ours.your_ip, LEASED);
        }
    }
}
