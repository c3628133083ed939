//! The golden captures load, and hold what tshark said they hold.
//!
//! Every fact below was read from tshark's dissection of the same file (see
//! `tests/golden/README.md` and the `.txt` files beside the captures). Only
//! fixed byte offsets are used, never a seqs parser: these tests vouch for the
//! vectors and for the pcap reader, so that the wire tests built on them can
//! trust both.

#[path = "golden/pcap.rs"]
mod pcap;

use std::net::Ipv4Addr;
use std::path::Path;

const ETHERTYPE: usize = 12;
const IP: usize = 14;
const IP_PROTO: usize = IP + 9;
const IP_SRC: usize = IP + 12;
/// Start of the transport header: every captured IPv4 header is 20 bytes.
const L4: usize = IP + 20;
/// Start of a UDP payload.
const UDP_DATA: usize = L4 + 8;

const ARP: u16 = 0x0806;
const IPV4: u16 = 0x0800;
const ICMP: u8 = 1;
const TCP: u8 = 6;
const UDP: u8 = 17;

const SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const CLIENT: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const SERVER_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
const CLIENT_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];

fn golden(name: &str) -> Vec<Vec<u8>> {
    pcap::frames(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
}

fn be16(frame: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([frame[at], frame[at + 1]])
}

fn be32(frame: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([frame[at], frame[at + 1], frame[at + 2], frame[at + 3]])
}

fn ipv4(frame: &[u8], at: usize) -> Ipv4Addr {
    Ipv4Addr::from(be32(frame, at))
}

/// Checks the frame lengths, then per frame the EtherType and, for IPv4, a
/// 20-byte header carrying `proto` between the given addresses.
fn check_ipv4(frames: &[Vec<u8>], lens: &[usize], proto: u8, hosts: &[(Ipv4Addr, Ipv4Addr)]) {
    let got: Vec<usize> = frames.iter().map(Vec::len).collect();
    assert_eq!(got, lens, "frame lengths");
    for (i, (frame, &(src, dst))) in frames.iter().zip(hosts).enumerate() {
        assert_eq!(be16(frame, ETHERTYPE), IPV4, "frame {}", i + 1);
        assert_eq!(frame[IP], 0x45, "frame {}: version 4, IHL 5", i + 1);
        assert_eq!(frame[IP_PROTO], proto, "frame {}", i + 1);
        assert_eq!(ipv4(frame, IP_SRC), src, "frame {}", i + 1);
        assert_eq!(ipv4(frame, IP_SRC + 4), dst, "frame {}", i + 1);
    }
}

/// Checks the UDP (or TCP) source and destination ports of each frame.
fn check_ports(frames: &[Vec<u8>], ports: &[(u16, u16)]) {
    let got: Vec<(u16, u16)> = frames
        .iter()
        .map(|f| (be16(f, L4), be16(f, L4 + 2)))
        .collect();
    assert_eq!(got, ports);
}

/// Client to server and back, `n` times.
fn ping_pong(n: usize) -> Vec<(Ipv4Addr, Ipv4Addr)> {
    [(CLIENT, SERVER), (SERVER, CLIENT)].repeat(n)
}

#[test]
fn arp_request_and_reply() {
    let frames = golden("arp.pcap");
    assert_eq!(frames.len(), 2);
    let (request, reply) = (&frames[0], &frames[1]);
    assert_eq!(request.len(), 42);
    assert_eq!(reply.len(), 42);
    assert_eq!(request[..6], [0xff; 6]);
    assert_eq!(request[6..12], CLIENT_MAC);
    assert_eq!(reply[..6], CLIENT_MAC);
    assert_eq!(reply[6..12], SERVER_MAC);
    for frame in &frames {
        assert_eq!(be16(frame, ETHERTYPE), ARP);
        // Ethernet/IPv4, hlen 6, plen 4.
        assert_eq!(frame[14..20], [0, 1, 8, 0, 6, 4]);
    }
    assert_eq!(be16(request, 20), 1, "opcode request");
    assert_eq!(be16(reply, 20), 2, "opcode reply");
    assert_eq!(ipv4(request, 28), CLIENT, "sender IP");
    assert_eq!(request[32..38], [0; 6], "target MAC unknown");
    assert_eq!(ipv4(request, 38), SERVER, "target IP");
    assert_eq!(reply[22..28], SERVER_MAC, "sender MAC");
    assert_eq!(ipv4(reply, 28), SERVER);
    assert_eq!(reply[32..38], CLIENT_MAC);
    assert_eq!(ipv4(reply, 38), CLIENT);
}

#[test]
fn dhcp_discover_offer_request_ack() {
    let frames = golden("dhcp.pcap");
    let unspecified = Ipv4Addr::UNSPECIFIED;
    let leased = Ipv4Addr::new(192, 0, 2, 146);
    let to_server = (unspecified, Ipv4Addr::BROADCAST);
    let to_client = (SERVER, leased);
    check_ipv4(
        &frames,
        &[342, 348, 342, 348],
        UDP,
        &[to_server, to_client, to_server, to_client],
    );
    check_ports(&frames, &[(68, 67), (67, 68), (68, 67), (67, 68)]);
    const BOOTP: usize = UDP_DATA;
    for (frame, (op, message_type, yiaddr)) in frames.iter().zip([
        (1, 1, unspecified),
        (2, 2, leased),
        (1, 3, unspecified),
        (2, 5, leased),
    ]) {
        assert_eq!(frame[BOOTP], op);
        assert_eq!(be32(frame, BOOTP + 4), 0x1f17_2b5e, "xid");
        assert_eq!(ipv4(frame, BOOTP + 16), yiaddr);
        assert_eq!(frame[BOOTP + 28..BOOTP + 34], CLIENT_MAC, "chaddr");
        assert_eq!(be32(frame, BOOTP + 236), 0x6382_5363, "magic cookie");
        // Both peers put the message type (option 53) first.
        assert_eq!(frame[BOOTP + 240..BOOTP + 243], [53, 1, message_type]);
    }
}

/// DNS header fields after the UDP header: id, flags, and the four counts.
fn dns_header(frame: &[u8]) -> (u16, u16, [u16; 4]) {
    let at = UDP_DATA;
    let counts = [0, 1, 2, 3].map(|i| be16(frame, at + 4 + 2 * i));
    (be16(frame, at), be16(frame, at + 2), counts)
}

fn check_dns(name: &str, lens: &[usize], headers: &[(u16, u16, [u16; 4])]) -> Vec<Vec<u8>> {
    let frames = golden(name);
    check_ipv4(&frames, lens, UDP, &ping_pong(2));
    check_ports(
        &frames,
        &[(40053, 53), (53, 40053), (40054, 53), (53, 40054)],
    );
    let got: Vec<_> = frames.iter().map(|f| dns_header(f)).collect();
    assert_eq!(got, headers);
    frames
}

/// Offset of the first answer: the 12-byte header plus the question
/// `www.example.test` (18-byte name, type, class).
const FIRST_ANSWER: usize = UDP_DATA + 12 + 18 + 4;

#[test]
fn dns_from_dnsmasq() {
    let frames = check_dns(
        "dns_dnsmasq.pcap",
        &[87, 180, 80, 80],
        &[
            (0x9307, 0x0120, [1, 0, 0, 1]),
            (0x9307, 0x8580, [1, 4, 0, 1]),
            (0xf55b, 0x0120, [1, 0, 0, 0]),
            (0xf55b, 0x8183, [1, 0, 0, 0]),
        ],
    );
    let answer = &frames[1][FIRST_ANSWER..];
    // Owner: pointer to the question name; CNAME, IN, TTL 300, then the
    // target spelled out in full (dnsmasq does not compress RDATA).
    assert_eq!(answer[..12], [0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 1, 44, 0, 18]);
    assert_eq!(answer[12..30], *b"\x03web\x07example\x04test\x00");
    // The next owner points at that RDATA: offset 46 in the DNS message.
    assert_eq!(answer[30..32], [0xc0, 46]);
}

#[test]
fn dns_from_bind() {
    let frames = check_dns(
        "dns_bind.pcap",
        &[87, 156, 80, 130],
        &[
            (0x05c3, 0x0120, [1, 0, 0, 1]),
            (0x05c3, 0x8500, [1, 4, 0, 1]),
            (0xd76d, 0x0120, [1, 0, 0, 0]),
            (0xd76d, 0x8503, [1, 0, 1, 0]),
        ],
    );
    let answer = &frames[1][FIRST_ANSWER..];
    // CNAME RDATA compressed: label "web", then a pointer to "example.test"
    // inside the question (offset 16).
    assert_eq!(answer[..12], [0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 1, 44, 0, 6]);
    assert_eq!(answer[12..18], *b"\x03web\xc0\x10");
    // NXDOMAIN: the authority SOA, owner "example.test" by pointer, TTL 60.
    let authority = &frames[3][UDP_DATA + 12 + 22 + 4..];
    assert_eq!(authority[..10], [0xc0, 0x14, 0, 6, 0, 1, 0, 0, 0, 60]);
}

#[test]
fn ntp_client_server_exchanges() {
    let frames = golden("ntp.pcap");
    check_ipv4(&frames, &[90; 4], UDP, &ping_pong(2));
    check_ports(
        &frames,
        &[(33227, 123), (123, 33227), (40123, 123), (123, 40123)],
    );
    const NTP: usize = UDP_DATA;
    const ORIGIN: usize = NTP + 24;
    const TRANSMIT: usize = NTP + 40;
    for pair in frames.chunks(2) {
        let (request, reply) = (&pair[0], &pair[1]);
        assert_eq!(request[NTP], 0x23, "LI 0, version 4, mode 3 (client)");
        assert_eq!(reply[NTP], 0x24, "LI 0, version 4, mode 4 (server)");
        assert_eq!(reply[NTP + 1], 8, "stratum (local stratum 8)");
        assert_eq!(reply[NTP + 3], 230, "precision -26");
        assert_eq!(reply[NTP + 12..NTP + 16], [127, 127, 1, 1], "reference id");
        assert_eq!(
            reply[ORIGIN..ORIGIN + 8],
            request[TRANSMIT..TRANSMIT + 8],
            "origin echoes the request's transmit timestamp"
        );
    }
    // chronyd's transmit timestamp is a random cookie; the SNTP one is the time.
    assert_eq!(be32(&frames[0], TRANSMIT), 0xa8f0_065a);
    assert_eq!(be32(&frames[2], TRANSMIT), 0xeeb4_1121);
}

#[test]
fn http_get_over_tcp() {
    let frames = golden("http.pcap");
    let c = (CLIENT, SERVER);
    let s = (SERVER, CLIENT);
    check_ipv4(
        &frames,
        &[74, 74, 66, 148, 66, 252, 66, 102, 66, 66, 66, 66],
        TCP,
        &[c, s, c, c, s, s, c, s, c, s, c, s],
    );
    let flags: Vec<u8> = frames.iter().map(|f| f[L4 + 13]).collect();
    // SYN, SYN|ACK, ACK, PSH|ACK (GET), ACK, PSH|ACK x2 (head, body), ACKs,
    // FIN|ACK from the server, FIN|ACK from curl, last ACK.
    assert_eq!(
        flags,
        [0x02, 0x12, 0x10, 0x18, 0x10, 0x18, 0x10, 0x18, 0x10, 0x11, 0x11, 0x10]
    );
    let (syn, syn_ack) = (&frames[0], &frames[1]);
    assert_eq!((be16(syn, L4), be16(syn, L4 + 2)), (40080, 80));
    assert_eq!(be32(syn, L4 + 4), 177_407_658, "client ISN");
    assert_eq!(be32(syn_ack, L4 + 4), 3_545_596_543, "server ISN");
    assert_eq!(be32(syn_ack, L4 + 8), 177_407_659, "ACK of the SYN");
    // Linux SYN options: MSS 1460, SACK-permitted, timestamps, NOP, WS 10.
    assert_eq!(syn[L4 + 12] >> 4, 10, "data offset: 40-byte header");
    assert_eq!(syn[L4 + 20..L4 + 24], [2, 4, 0x05, 0xb4]);
    assert_eq!(syn[L4 + 24..L4 + 26], [4, 2]);
    assert_eq!(syn[L4 + 26..L4 + 28], [8, 10]);
    assert_eq!(be32(syn, L4 + 28), 3_499_802_309, "TSval");
    assert_eq!(be32(syn, L4 + 32), 0, "TSecr");
    assert_eq!(syn[L4 + 36..L4 + 40], [1, 3, 3, 10]);
    assert!(frames[3][L4 + 32..].starts_with(b"GET /hello.txt HTTP/1.1\r\n"));
    assert!(frames[5][L4 + 32..].starts_with(b"HTTP/1.0 200 OK\r\n"));
    assert_eq!(
        frames[7][L4 + 32..],
        *b"Hello from the seqs golden capture.\n"
    );
}

#[test]
fn icmp_echo_request_and_reply() {
    let frames = golden("icmp_echo.pcap");
    check_ipv4(&frames, &[98; 4], ICMP, &ping_pong(2));
    let got: Vec<(u8, u8, u16, u16)> = frames
        .iter()
        .map(|f| (f[L4], f[L4 + 1], be16(f, L4 + 4), be16(f, L4 + 6)))
        .collect();
    assert_eq!(
        got,
        [
            (8, 0, 11293, 1),
            (0, 0, 11293, 1),
            (8, 0, 11293, 2),
            (0, 0, 11293, 2)
        ]
    );
    // A reply echoes the request's 56 data bytes.
    assert_eq!(frames[0][L4 + 8..], frames[1][L4 + 8..]);
}

#[test]
fn udp_to_closed_port_gets_port_unreachable() {
    let frames = golden("udp_unreachable.pcap");
    assert_eq!(frames.len(), 2);
    let (datagram, unreachable) = (&frames[0], &frames[1]);
    check_ipv4(&frames[..1], &[75], UDP, &[(CLIENT, SERVER)]);
    check_ipv4(&frames[1..], &[103], ICMP, &[(SERVER, CLIENT)]);
    assert_eq!((be16(datagram, L4), be16(datagram, L4 + 2)), (40009, 9));
    assert_eq!(datagram[UDP_DATA..], *b"seqs golden: nobody listens here\n");
    assert_eq!(
        unreachable[L4..L4 + 2],
        [3, 3],
        "destination/port unreachable"
    );
    // The ICMP body quotes the whole offending datagram, IP header first.
    assert_eq!(unreachable[L4 + 8..], datagram[IP..]);
}

#[test]
fn ipv4_fragments_of_a_big_ping() {
    let frames = golden("ipv4_fragments.pcap");
    let hosts = [
        (CLIENT, SERVER),
        (CLIENT, SERVER),
        (SERVER, CLIENT),
        (SERVER, CLIENT),
    ];
    check_ipv4(&frames, &[1514, 562, 1514, 562], ICMP, &hosts);
    // (total length, id, flags and fragment offset in 8-byte units).
    let got: Vec<(u16, u16, u16)> = frames
        .iter()
        .map(|f| (be16(f, IP + 2), be16(f, IP + 4), be16(f, IP + 6)))
        .collect();
    assert_eq!(
        got,
        [
            (1500, 0x0c32, 0x2000),
            (548, 0x0c32, 185),
            (1500, 0x047b, 0x2000),
            (548, 0x047b, 185),
        ]
    );
    // The ICMP header is in the first fragment only: echo request, then reply.
    assert_eq!(frames[0][L4..L4 + 8], [8, 0, 0xa7, 0x3e, 0x46, 0xf4, 0, 1]);
    assert_eq!(frames[2][L4..L4 + 8], [0, 0, 0xaf, 0x3e, 0x46, 0xf4, 0, 1]);
    // 1480 + 528 = 8-byte ICMP header + 2000 data bytes.
    assert_eq!(frames[1][L4..L4 + 2], [0xc0, 0xc1]);
}

#[test]
fn tcp_syn_to_closed_port_gets_reset() {
    let frames = golden("tcp_rst.pcap");
    check_ipv4(&frames, &[74, 54], TCP, &ping_pong(1));
    let (syn, rst) = (&frames[0], &frames[1]);
    assert_eq!((be16(syn, L4), be16(syn, L4 + 2)), (40081, 81));
    assert_eq!(syn[L4 + 13], 0x02, "SYN");
    assert_eq!(rst[L4 + 13], 0x14, "RST, ACK");
    assert_eq!(rst[L4 + 12] >> 4, 5, "no options");
    assert_eq!(be32(rst, L4 + 4), 0, "seq");
    assert_eq!(be32(rst, L4 + 8), be32(syn, L4 + 4).wrapping_add(1), "ack");
    assert_eq!(be32(syn, L4 + 4), 2_070_803_485);
    assert_eq!(be16(rst, L4 + 14), 0, "window");
}

/// Builds a classic pcap file holding `frames` in the given byte order.
fn encode(frames: &[Vec<u8>], big_endian: bool, magic: u32) -> Vec<u8> {
    let word = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let version = if big_endian {
        [0, 2, 0, 4]
    } else {
        [2, 0, 4, 0]
    };
    let mut file = Vec::new();
    file.extend(word(magic));
    file.extend(version);
    for field in [0, 0, 65535, 1] {
        file.extend(word(field));
    }
    for frame in frames {
        let len = u32::try_from(frame.len()).unwrap();
        for field in [1_700_000_000, 123_456, len, len] {
            file.extend(word(field));
        }
        file.extend(frame);
    }
    file
}

#[test]
fn reader_accepts_every_byte_order_and_resolution() {
    let frames = golden("http.pcap");
    for big_endian in [false, true] {
        for magic in [0xa1b2_c3d4, 0xa1b2_3c4d] {
            let file = encode(&frames, big_endian, magic);
            assert_eq!(pcap::parse(&file).unwrap(), frames);
        }
    }
}

#[test]
fn real_captures_use_both_resolutions() {
    let magic = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name);
        std::fs::read(path).unwrap()[..4].to_vec()
    };
    assert_eq!(
        magic("ntp.pcap"),
        [0x4d, 0x3c, 0xb2, 0xa1],
        "nanoseconds, LE"
    );
    assert_eq!(
        magic("dhcp.pcap"),
        [0xd4, 0xc3, 0xb2, 0xa1],
        "microseconds, LE"
    );
}

#[test]
fn reader_rejects_malformed_files() {
    let good = encode(&golden("arp.pcap"), false, 0xa1b2_c3d4);
    assert!(pcap::parse(&good).is_ok());
    assert!(pcap::parse(&[]).is_err(), "empty");
    assert!(pcap::parse(&good[..23]).is_err(), "short global header");
    assert!(pcap::parse(&good[..30]).is_err(), "short record header");
    assert!(pcap::parse(&good[..good.len() - 1]).is_err(), "short frame");
    let mut magic = good.clone();
    magic[0] ^= 0xff;
    assert!(pcap::parse(&magic).is_err(), "bad magic");
    let mut version = good.clone();
    version[4] = 1;
    assert!(pcap::parse(&version).is_err(), "version 1");
    let mut link = good.clone();
    link[20] = 101;
    assert!(pcap::parse(&link).is_err(), "raw IP link type");
    let mut huge = good;
    huge[32..36].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(pcap::parse(&huge).is_err(), "captured length past the end");
}
