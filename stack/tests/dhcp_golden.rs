//! Real messages: busybox udhcpc 1.35.0 talking to dnsmasq, captured by the
//! golden-capture work (`tests/golden/dhcp.pcap`, frames 1-4; see
//! `tests/golden/README.md` for how). Here as the UDP payloads, so that our
//! client is driven by dnsmasq's own replies and our server by udhcpc's own
//! requests.

use std::net::Ipv4Addr;

use rand_chacha::rand_core::RngCore;
use seqs::dhcp::client::{Client, ClientConfig, Event};
use seqs::dhcp::server::{AddressRange, Server, ServerConfig};
use seqs::time::Instant;
use seqs::wire::dhcp::{code, MessageType, Packet, Repr};
use seqs::wire::{EthernetAddress, Ipv4Cidr};

const UDHCPC_DISCOVER: &str = concat!(
    "010106001f172b5e00000000000000000000000000000000000000000200000000020000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363",
    "3501013902024037070103060c0f1c2a3c0c756468637020312e33352e303d0701020000000002ff0000000000000000",
    "000000000000000000000000",
);
const DNSMASQ_OFFER: &str = concat!(
    "020106001f172b5e0000000000000000c0000292c0000201000000000200000000020000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363",
    "3501023604c0000201330400000e103a04000007083b0400000c4e0104ffffff001c04c00002ff0f0c6578616d706c65",
    "2e746573740604c00002010304c0000201ff",
);
const UDHCPC_REQUEST: &str = concat!(
    "010106001f172b5e00000000000000000000000000000000000000000200000000020000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363",
    "3501033204c00002923604c00002013902024037070103060c0f1c2a3c0c756468637020312e33352e303d0701020000",
    "000002ff0000000000000000",
);
const DNSMASQ_ACK: &str = concat!(
    "020106001f172b5e0000000000000000c0000292c0000201000000000200000000020000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363",
    "3501053604c0000201330400000e103a04000007083b0400000c4e0104ffffff001c04c00002ff0f0c6578616d706c65",
    "2e746573740604c00002010304c0000201ff",
);

const XID: u32 = 0x1f17_2b5e;
const CLIENT_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 2]);
const DNSMASQ: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const LEASED: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 146);

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn parse(bytes: &[u8]) -> Repr<'_> {
    Repr::parse(&Packet::new_checked(bytes).unwrap()).unwrap()
}

#[test]
fn udhcpc_requests_decode_field_by_field() {
    let discover = bytes(UDHCPC_DISCOVER);
    let d = parse(&discover);
    assert_eq!(
        (d.message_type, d.transaction_id, d.secs, d.broadcast),
        (MessageType::Discover, XID, 0, false)
    );
    assert_eq!(d.client_hardware_address, CLIENT_MAC);
    assert_eq!(d.max_message_size, Some(576));
    assert_eq!(
        d.parameter_request_list,
        Some(&[1, 3, 6, 12, 15, 28, 42][..])
    );
    assert_eq!(d.client_identifier, Some(&[1, 2, 0, 0, 0, 0, 2][..]));
    let vendor_class = Packet::new_checked(&discover[..])
        .unwrap()
        .options_ref()
        .find_map(|o| o.ok().filter(|o| o.code == 60))
        .unwrap();
    assert_eq!(vendor_class.data, b"udhcp 1.35.0");

    let request = bytes(UDHCPC_REQUEST);
    let r = parse(&request);
    assert_eq!(
        (r.message_type, r.transaction_id),
        (MessageType::Request, XID)
    );
    assert_eq!(
        (r.requested_ip, r.server_identifier),
        (Some(LEASED), Some(DNSMASQ))
    );
    assert_eq!(r.client_ip, Ipv4Addr::UNSPECIFIED);
}

#[test]
fn dnsmasq_replies_decode_field_by_field() {
    for (hex, message_type) in [
        (DNSMASQ_OFFER, MessageType::Offer),
        (DNSMASQ_ACK, MessageType::Ack),
    ] {
        let reply = bytes(hex);
        let r = parse(&reply);
        assert_eq!((r.message_type, r.transaction_id), (message_type, XID));
        assert_eq!((r.your_ip, r.server_ip), (LEASED, DNSMASQ));
        assert_eq!(r.server_identifier, Some(DNSMASQ));
        assert_eq!(
            (r.lease_duration, r.renewal_duration, r.rebinding_duration),
            (Some(3600), Some(1800), Some(3150))
        );
        assert_eq!(r.subnet_mask, Some(Ipv4Addr::new(255, 255, 255, 0)));
        assert_eq!(
            (&r.routers[..], &r.dns_servers[..]),
            (&[DNSMASQ][..], &[DNSMASQ][..])
        );
        assert_eq!(r.domain_name, Some(&b"example.test"[..]));
        assert_eq!((r.server_name, r.boot_file), (&[][..], &[][..]));
        // Re-encoded by us, it means the same (option 28 aside, which we
        // do not interpret).
        let mut ours = vec![0; r.buffer_len()];
        r.emit(&mut Packet::new_unchecked(&mut ours[..])).unwrap();
        assert_eq!(parse(&ours), r);
        let theirs = Packet::new_checked(&reply[..]).unwrap();
        let codes: Vec<u8> = theirs.options().map(|o| o.unwrap().code).collect();
        assert_eq!(codes, [53, 54, 51, 58, 59, 1, 28, 15, 6, 3]);
        assert!(!Packet::new_checked(&ours[..])
            .unwrap()
            .options()
            .any(|o| o.unwrap().code == code::OVERLOAD));
    }
}

/// Hands out the captured transaction id first, then jitter-free values.
struct CapturedXid(bool);

impl RngCore for CapturedXid {
    fn next_u32(&mut self) -> u32 {
        if std::mem::replace(&mut self.0, true) {
            1_000_000
        } else {
            XID
        }
    }
    fn next_u64(&mut self) -> u64 {
        u64::from(self.next_u32())
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        dst.fill(0);
    }
}

#[test]
fn our_client_binds_with_dnsmasq_replies() {
    let mut client = Client::new(ClientConfig::new(CLIENT_MAC));
    let mut rng = CapturedXid(false);
    let now = Instant::from_secs(1);
    let discover = client.poll(now, &mut rng).unwrap();
    assert_eq!(discover.repr.transaction_id, XID);
    client.handle(now, &parse(&bytes(DNSMASQ_OFFER)));
    let request = client.poll(now, &mut rng).unwrap();
    assert_eq!(request.repr.message_type, MessageType::Request);
    assert_eq!(
        (request.repr.requested_ip, request.repr.server_identifier),
        (Some(LEASED), Some(DNSMASQ))
    );
    client.handle(now, &parse(&bytes(DNSMASQ_ACK)));
    let Some(Event::Configured(lease)) = client.take_event() else {
        panic!("dnsmasq's ACK not accepted");
    };
    assert_eq!(lease.address, Ipv4Cidr::new(LEASED, 24).unwrap());
    assert_eq!((lease.router, lease.server), (Some(DNSMASQ), DNSMASQ));
    assert_eq!(&lease.dns_servers[..], [DNSMASQ]);
    assert_eq!(
        (
            lease.renew_at.secs(),
            lease.rebind_at.secs(),
            lease.expires_at.secs()
        ),
        (1801, 3151, 3601)
    );
}

#[test]
fn our_server_answers_udhcpc_like_dnsmasq_did() {
    static RANGE: [AddressRange; 1] =
        match AddressRange::new(Ipv4Addr::new(192, 0, 2, 100), Ipv4Addr::new(192, 0, 2, 150)) {
            Some(r) => [r],
            None => panic!("reversed range"),
        };
    let mut config = ServerConfig::new(Ipv4Cidr::new(DNSMASQ, 24).unwrap(), &RANGE);
    config.router = Some(DNSMASQ);
    let mut server = Server::new(config, vec![None; 4]).unwrap();
    let discover = bytes(UDHCPC_DISCOVER);
    let offer = server.handle(Instant::ZERO, &parse(&discover)).unwrap();
    assert_eq!(offer.repr.message_type, MessageType::Offer);
    assert_eq!(offer.repr.transaction_id, XID);
    // Broadcast bit clear: unicast to the offered address at the client's
    // MAC, as dnsmasq did.
    assert_eq!(
        (offer.dst_addr, offer.dst_hardware),
        (offer.repr.your_ip, Some(CLIENT_MAC))
    );
    assert_eq!(
        offer.repr.client_identifier,
        Some(&[1, 2, 0, 0, 0, 0, 2][..])
    );
    // udhcpc's REQUEST asks for dnsmasq's choice, which is free here too.
    let request = bytes(UDHCPC_REQUEST);
    let ack = server.handle(Instant::ZERO, &parse(&request)).unwrap();
    assert_eq!(
        (ack.repr.message_type, ack.repr.your_ip),
        (MessageType::Ack, LEASED)
    );
    assert_eq!(ack.dst_addr, LEASED);
    assert_eq!(
        server.leases().filter(|l| l.is_live(Instant::ZERO)).count(),
        1,
        "the unused offer was replaced"
    );
}
