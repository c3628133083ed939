//! The DHCP server against scripted clients: allocation, reservations,
//! every message type, NAK paths, relays and reply addressing.

use std::net::Ipv4Addr;

use seqs::dhcp::server::{
    AddressRange, ConfigError, LeaseState, Reservation, Server, ServerConfig,
};
use seqs::dhcp::Transmit;
use seqs::time::{Duration, Instant};
use seqs::wire::dhcp::{AddressList, MessageType, Packet, Repr, CLIENT_PORT, SERVER_PORT};
use seqs::wire::{EthernetAddress, Ipv4Cidr};

const SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const OTHER_SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const RESERVED: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 50);

const fn ip(last: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, last)
}

fn mac(n: u8) -> EthernetAddress {
    EthernetAddress([0x02, 0, 0, 0, 0, n])
}

fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

const fn range(first: u8, last: u8) -> AddressRange {
    match AddressRange::new(ip(first), ip(last)) {
        Some(r) => r,
        None => panic!("reversed range"),
    }
}

static RANGES: [AddressRange; 2] = [range(100, 101), range(200, 200)];
static RESERVATIONS: [Reservation; 1] = [Reservation {
    hardware_address: EthernetAddress([0x02, 0, 0, 0, 0, 0xee]),
    address: RESERVED,
}];

fn config() -> ServerConfig<'static> {
    let mut c = ServerConfig::new(Ipv4Cidr::new(SERVER, 24).unwrap(), &RANGES);
    c.reservations = &RESERVATIONS;
    c.router = Some(SERVER);
    c.dns_servers = AddressList::from_slice(&[Ipv4Addr::new(198, 51, 100, 53)]);
    c.domain_name = Some(b"example.test");
    c.lease_duration = Duration::from_secs(800);
    c
}

fn server(rows: usize) -> Server<'static> {
    Server::new(config(), vec![None; rows]).unwrap()
}

static ONE_ADDRESS: [AddressRange; 1] = [range(100, 100)];

/// A pool of one address, where reuse is forced.
fn single_address_server() -> Server<'static> {
    let mut c = config();
    c.ranges = &ONE_ADDRESS;
    Server::new(c, vec![None; 4]).unwrap()
}

/// A reply as sent: its bytes, and the addressing that came with it.
struct Reply {
    bytes: Vec<u8>,
    src_addr: Ipv4Addr,
    src_port: u16,
    dst_addr: Ipv4Addr,
    dst_port: u16,
    dst_hardware: Option<EthernetAddress>,
}

impl Reply {
    fn repr(&self) -> Repr<'_> {
        Repr::parse(&Packet::new_checked(&self.bytes[..]).unwrap()).unwrap()
    }
}

/// Runs the request through real bytes to the server, and the reply back.
fn send(server: &mut Server, now: Instant, request: &Repr) -> Option<Reply> {
    let mut buf = vec![0; request.buffer_len()];
    request
        .emit(&mut Packet::new_unchecked(&mut buf[..]))
        .unwrap();
    let parsed = Repr::parse(&Packet::new_checked(&buf[..]).unwrap()).unwrap();
    let Transmit {
        repr,
        src_addr,
        src_port,
        dst_addr,
        dst_port,
        dst_hardware,
    } = server.handle(now, &parsed)?;
    let mut bytes = vec![0; repr.buffer_len()];
    repr.emit(&mut Packet::new_unchecked(&mut bytes[..]))
        .unwrap();
    Some(Reply {
        bytes,
        src_addr,
        src_port,
        dst_addr,
        dst_port,
        dst_hardware,
    })
}

fn discover(client: EthernetAddress) -> Repr<'static> {
    let mut r = Repr::new(MessageType::Discover, u32::from(client.0[5]), client);
    r.broadcast = true;
    r
}

fn select(client: EthernetAddress, address: Ipv4Addr, server: Ipv4Addr) -> Repr<'static> {
    let mut r = Repr::new(MessageType::Request, u32::from(client.0[5]), client);
    r.broadcast = true;
    r.requested_ip = Some(address);
    r.server_identifier = Some(server);
    r
}

fn renew(client: EthernetAddress, address: Ipv4Addr) -> Repr<'static> {
    let mut r = Repr::new(MessageType::Request, 9, client);
    r.client_ip = address;
    r
}

fn reboot(client: EthernetAddress, address: Ipv4Addr) -> Repr<'static> {
    let mut r = Repr::new(MessageType::Request, 9, client);
    r.requested_ip = Some(address);
    r
}

/// DISCOVER then REQUEST; the address ACKed.
fn acquire(server: &mut Server, now: Instant, client: EthernetAddress) -> Ipv4Addr {
    let offer = send(server, now, &discover(client)).expect("no offer");
    let offered = offer.repr().your_ip;
    let ack = send(server, now, &select(client, offered, SERVER)).expect("no ack");
    assert_eq!(ack.repr().message_type, MessageType::Ack);
    assert_eq!(ack.repr().your_ip, offered);
    offered
}

#[test]
fn discover_gets_an_offer_with_the_subnet_configuration() {
    let mut s = server(4);
    let offer = send(&mut s, secs(0), &discover(mac(1))).unwrap();
    let o = offer.repr();
    assert_eq!(o.message_type, MessageType::Offer);
    assert_eq!((o.transaction_id, o.client_hardware_address), (1, mac(1)));
    assert_eq!(o.your_ip, ip(100), "first address of the first range");
    assert_eq!(o.server_identifier, Some(SERVER));
    assert_eq!(o.subnet_mask, Some(Ipv4Addr::new(255, 255, 255, 0)));
    assert_eq!(&o.routers[..], [SERVER]);
    assert_eq!(&o.dns_servers[..], [Ipv4Addr::new(198, 51, 100, 53)]);
    assert_eq!(o.domain_name, Some(&b"example.test"[..]));
    assert_eq!(
        (o.lease_duration, o.renewal_duration, o.rebinding_duration),
        (Some(800), Some(400), Some(700))
    );
    assert!(o.broadcast);
    assert_eq!((offer.src_addr, offer.src_port), (SERVER, SERVER_PORT));
    assert_eq!(
        (offer.dst_addr, offer.dst_port),
        (Ipv4Addr::BROADCAST, CLIENT_PORT)
    );
    assert_eq!(offer.dst_hardware, None);
    let lease = s.leases().next().unwrap();
    assert_eq!(
        (lease.address, lease.state, lease.expires_at),
        (ip(100), LeaseState::Offered, secs(60))
    );
}

#[test]
fn without_the_broadcast_flag_the_offer_goes_to_the_client_mac() {
    let mut s = server(4);
    let mut d = discover(mac(1));
    d.broadcast = false;
    let offer = send(&mut s, secs(0), &d).unwrap();
    assert_eq!(offer.dst_addr, ip(100));
    assert_eq!(offer.dst_hardware, Some(mac(1)));
    assert!(!offer.repr().broadcast);
}

#[test]
fn clients_get_distinct_addresses_and_keep_them() {
    let mut s = server(8);
    let a = acquire(&mut s, secs(0), mac(1));
    let b = acquire(&mut s, secs(0), mac(2));
    let c = acquire(&mut s, secs(0), mac(3));
    assert_eq!([a, b, c], [ip(100), ip(101), ip(200)]);
    assert!(
        send(&mut s, secs(0), &discover(mac(4))).is_none(),
        "pool exhausted"
    );
    assert_eq!(
        acquire(&mut s, secs(10), mac(2)),
        b,
        "the same client, the same address"
    );
    assert!(s.leases().all(|l| l.state == LeaseState::Bound));
}

#[test]
fn reservations_are_kept_for_their_owner() {
    let mut s = server(8);
    assert_eq!(acquire(&mut s, secs(0), mac(0xee)), RESERVED);
    let mut wants_reserved = discover(mac(1));
    wants_reserved.requested_ip = Some(RESERVED);
    assert_eq!(
        send(&mut s, secs(0), &wants_reserved)
            .unwrap()
            .repr()
            .your_ip,
        ip(100)
    );
    let nak = send(&mut s, secs(0), &reboot(mac(1), RESERVED)).unwrap();
    assert_eq!(nak.repr().message_type, MessageType::Nak);
    let nak = send(&mut s, secs(0), &reboot(mac(0xee), ip(101))).unwrap();
    assert_eq!(
        nak.repr().message_type,
        MessageType::Nak,
        "the owner is steered to its reservation"
    );
}

#[test]
fn a_free_requested_address_is_honoured() {
    let mut s = server(4);
    let mut d = discover(mac(1));
    d.requested_ip = Some(ip(200));
    assert_eq!(send(&mut s, secs(0), &d).unwrap().repr().your_ip, ip(200));
    let mut outside = discover(mac(2));
    outside.requested_ip = Some(ip(150));
    assert_eq!(
        send(&mut s, secs(0), &outside).unwrap().repr().your_ip,
        ip(100)
    );
}

#[test]
fn requests_for_the_wrong_subnet_or_a_taken_address_are_naked() {
    let mut s = server(4);
    let taken = acquire(&mut s, secs(0), mac(1));
    let wrong_subnet = send(
        &mut s,
        secs(1),
        &reboot(mac(2), Ipv4Addr::new(198, 51, 100, 7)),
    )
    .unwrap();
    let foreign = send(&mut s, secs(1), &reboot(mac(2), taken)).unwrap();
    let outside_ranges = send(&mut s, secs(1), &reboot(mac(2), ip(150))).unwrap();
    for (nak, why) in [
        (wrong_subnet, "wrong subnet"),
        (foreign, "address not available"),
        (outside_ranges, "address not available"),
    ] {
        let r = nak.repr();
        assert_eq!(r.message_type, MessageType::Nak);
        assert_eq!(r.message, Some(why.as_bytes()));
        assert_eq!(
            (r.your_ip, r.lease_duration, r.server_identifier),
            (Ipv4Addr::UNSPECIFIED, None, Some(SERVER))
        );
        assert_eq!(nak.dst_addr, Ipv4Addr::BROADCAST, "NAKs are broadcast");
    }
}

#[test]
fn choosing_another_server_releases_the_offer() {
    let mut s = single_address_server();
    let offered = send(&mut s, secs(0), &discover(mac(1)))
        .unwrap()
        .repr()
        .your_ip;
    assert!(
        send(&mut s, secs(0), &discover(mac(2))).is_none(),
        "held for mac 1"
    );
    assert!(send(&mut s, secs(0), &select(mac(1), offered, OTHER_SERVER)).is_none());
    assert!(!s.leases().next().unwrap().is_live(secs(0)));
    assert_eq!(
        send(&mut s, secs(0), &discover(mac(2)))
            .unwrap()
            .repr()
            .your_ip,
        offered
    );
}

#[test]
fn renewal_is_answered_to_the_client_address() {
    let mut s = server(4);
    let address = acquire(&mut s, secs(0), mac(1));
    let ack = send(&mut s, secs(400), &renew(mac(1), address)).unwrap();
    assert_eq!(ack.repr().message_type, MessageType::Ack);
    assert_eq!(
        (ack.repr().client_ip, ack.repr().your_ip),
        (address, address)
    );
    assert_eq!((ack.dst_addr, ack.dst_hardware), (address, None));
    assert_eq!(s.leases().next().unwrap().expires_at, secs(1200));
}

#[test]
fn a_restarted_server_grants_free_addresses_it_has_no_record_of() {
    let mut s = server(4);
    let ack = send(&mut s, secs(0), &renew(mac(1), ip(101))).unwrap();
    assert_eq!(ack.repr().message_type, MessageType::Ack);
    let ack = send(&mut s, secs(0), &reboot(mac(2), ip(100))).unwrap();
    assert_eq!(ack.repr().message_type, MessageType::Ack);
    assert_eq!(s.leases().count(), 2);
}

#[test]
fn a_full_table_offers_nothing_until_a_lease_expires() {
    let mut s = server(1);
    acquire(&mut s, secs(0), mac(1));
    assert!(send(&mut s, secs(799), &discover(mac(2))).is_none());
    let nak = send(&mut s, secs(799), &reboot(mac(2), ip(101))).unwrap();
    assert_eq!(nak.repr().message, Some(&b"lease table full"[..]));
    assert_eq!(
        send(&mut s, secs(800), &discover(mac(2)))
            .unwrap()
            .repr()
            .your_ip,
        ip(101)
    );
    let rows: Vec<_> = s.leases().collect();
    assert_eq!(
        (rows.len(), rows[0].hardware_address),
        (1, mac(2)),
        "expired row reused"
    );
}

#[test]
fn expired_offers_free_the_address() {
    let mut s = single_address_server();
    let offered = send(&mut s, secs(0), &discover(mac(1)))
        .unwrap()
        .repr()
        .your_ip;
    assert!(send(&mut s, secs(59), &discover(mac(2))).is_none());
    assert_eq!(
        send(&mut s, secs(60), &discover(mac(2)))
            .unwrap()
            .repr()
            .your_ip,
        offered
    );
}

#[test]
fn declined_addresses_are_withheld_for_the_hold_time() {
    let mut s = server(4);
    let address = acquire(&mut s, secs(0), mac(1));
    let mut decline = Repr::new(MessageType::Decline, 5, mac(1));
    decline.requested_ip = Some(address);
    decline.server_identifier = Some(SERVER);
    assert!(send(&mut s, secs(1), &decline).is_none());
    let row = s.leases().find(|l| l.address == address).unwrap();
    assert_eq!(
        (row.state, row.expires_at),
        (LeaseState::Declined, secs(601))
    );
    assert_ne!(
        send(&mut s, secs(2), &discover(mac(1)))
            .unwrap()
            .repr()
            .your_ip,
        address
    );
    assert_ne!(
        send(&mut s, secs(2), &discover(mac(2)))
            .unwrap()
            .repr()
            .your_ip,
        address
    );
    let mut single = single_address_server();
    assert_eq!(acquire(&mut single, secs(0), mac(1)), address);
    send(&mut single, secs(1), &decline);
    assert!(send(&mut single, secs(600), &discover(mac(3))).is_none());
    assert_eq!(
        send(&mut single, secs(601), &discover(mac(3)))
            .unwrap()
            .repr()
            .your_ip,
        address
    );
}

#[test]
fn a_renewal_from_a_declined_address_explains_the_decline() {
    // A restarted server offers 192.0.2.100, in use by a client it forgot;
    // the new client declines it; the user then renews from it.
    let mut s = single_address_server();
    let offered = acquire(&mut s, secs(0), mac(2));
    let mut decline = Repr::new(MessageType::Decline, 5, mac(2));
    decline.requested_ip = Some(offered);
    decline.server_identifier = Some(SERVER);
    send(&mut s, secs(1), &decline);
    assert!(send(&mut s, secs(2), &discover(mac(3))).is_none());
    let ack = send(&mut s, secs(2), &renew(mac(1), offered)).unwrap();
    assert_eq!(ack.repr().message_type, MessageType::Ack);
    let rows: Vec<_> = s.leases().map(|l| (l.hardware_address, l.state)).collect();
    assert_eq!(rows, [(mac(1), LeaseState::Bound)]);
}

#[test]
fn declines_and_releases_of_addresses_not_held_are_ignored() {
    let mut s = server(4);
    let address = acquire(&mut s, secs(0), mac(1));
    let mut decline = Repr::new(MessageType::Decline, 5, mac(2));
    decline.requested_ip = Some(address);
    decline.server_identifier = Some(SERVER);
    send(&mut s, secs(1), &decline);
    let mut release = Repr::new(MessageType::Release, 5, mac(2));
    release.client_ip = address;
    release.server_identifier = Some(SERVER);
    send(&mut s, secs(1), &release);
    let mut other_server = Repr::new(MessageType::Release, 5, mac(1));
    other_server.client_ip = address;
    other_server.server_identifier = Some(OTHER_SERVER);
    send(&mut s, secs(1), &other_server);
    let row = s.leases().next().unwrap();
    assert_eq!((row.state, row.expires_at), (LeaseState::Bound, secs(800)));
}

#[test]
fn release_frees_the_address_but_remembers_the_client() {
    let mut s = server(4);
    let address = acquire(&mut s, secs(0), mac(1));
    let mut release = Repr::new(MessageType::Release, 5, mac(1));
    release.client_ip = address;
    release.server_identifier = Some(SERVER);
    assert!(send(&mut s, secs(5), &release).is_none());
    assert!(!s.leases().next().unwrap().is_live(secs(5)));
    assert_eq!(
        acquire(&mut s, secs(6), mac(1)),
        address,
        "same address back"
    );
    send(&mut s, secs(7), &release);
    acquire(&mut s, secs(8), mac(2));
    acquire(&mut s, secs(8), mac(3));
    assert_eq!(
        acquire(&mut s, secs(8), mac(4)),
        address,
        "released address reused when needed"
    );
}

#[test]
fn inform_gets_configuration_without_a_lease() {
    let mut s = server(4);
    let mut inform = Repr::new(MessageType::Inform, 5, mac(9));
    inform.client_ip = ip(7);
    let ack = send(&mut s, secs(0), &inform).unwrap();
    let r = ack.repr();
    assert_eq!(r.message_type, MessageType::Ack);
    assert_eq!(
        (r.your_ip, r.lease_duration, r.renewal_duration),
        (Ipv4Addr::UNSPECIFIED, None, None)
    );
    assert_eq!(&r.dns_servers[..], [Ipv4Addr::new(198, 51, 100, 53)]);
    assert_eq!(ack.dst_addr, ip(7));
    assert_eq!(s.leases().count(), 0);
    inform.client_ip = Ipv4Addr::UNSPECIFIED;
    assert!(
        send(&mut s, secs(0), &inform).is_none(),
        "nowhere to answer"
    );
}

#[test]
fn relayed_messages_are_answered_through_the_relay() {
    let mut s = server(4);
    let mut d = discover(mac(1));
    d.relay_agent_ip = ip(254);
    d.hops = 1;
    let offer = send(&mut s, secs(0), &d).unwrap();
    assert_eq!((offer.dst_addr, offer.dst_port), (ip(254), SERVER_PORT));
    assert_eq!(offer.repr().relay_agent_ip, ip(254));
    let mut nak_req = reboot(mac(2), Ipv4Addr::new(198, 51, 100, 9));
    nak_req.relay_agent_ip = ip(254);
    let nak = send(&mut s, secs(0), &nak_req).unwrap();
    assert_eq!(nak.dst_addr, ip(254));
    assert!(nak.repr().broadcast, "relay must broadcast the NAK");
    let mut foreign_relay = discover(mac(3));
    foreign_relay.relay_agent_ip = Ipv4Addr::new(203, 0, 113, 1);
    assert!(send(&mut s, secs(0), &foreign_relay).is_none());
}

#[test]
fn replies_and_foreign_messages_are_ignored() {
    let mut s = server(4);
    for t in [MessageType::Offer, MessageType::Ack, MessageType::Nak] {
        assert!(send(&mut s, secs(0), &Repr::new(t, 1, mac(1))).is_none());
    }
    let mut to_other = discover(mac(1));
    to_other.server_identifier = Some(OTHER_SERVER);
    assert!(send(&mut s, secs(0), &to_other).is_none());
    assert!(
        send(&mut s, secs(0), &Repr::new(MessageType::Request, 1, mac(1))).is_none(),
        "no address named"
    );
    assert_eq!(s.leases().count(), 0);
}

#[test]
fn client_identifier_is_echoed() {
    let mut s = server(4);
    let mut d = discover(mac(1));
    d.client_identifier = Some(b"\x01\x02\x00\x00\x00\x00\x01");
    let offer = send(&mut s, secs(0), &d).unwrap();
    assert_eq!(offer.repr().client_identifier, d.client_identifier);
}

#[test]
fn configuration_is_checked() {
    let outside = [AddressRange::new(ip(10), Ipv4Addr::new(192, 0, 3, 1)).unwrap()];
    let c = ServerConfig::new(Ipv4Cidr::new(SERVER, 24).unwrap(), &outside);
    assert_eq!(
        Server::new(c, vec![None; 1]).err(),
        Some(ConfigError::RangeOutsideSubnet)
    );
    let mut c = config();
    let bad = [Reservation {
        hardware_address: mac(1),
        address: Ipv4Addr::new(203, 0, 113, 5),
    }];
    c.reservations = &bad;
    assert_eq!(
        Server::new(c, vec![None; 1]).err(),
        Some(ConfigError::ReservationOutsideSubnet)
    );
    assert_eq!(AddressRange::new(ip(5), ip(4)), None);
}

#[test]
fn the_server_and_subnet_edges_are_never_leased() {
    let edges = [
        AddressRange::new(ip(0), ip(2)).unwrap(),
        AddressRange::new(ip(255), ip(255)).unwrap(),
    ];
    let c = ServerConfig::new(Ipv4Cidr::new(SERVER, 24).unwrap(), &edges);
    let mut s = Server::new(c, vec![None; 4]).unwrap();
    assert_eq!(
        send(&mut s, secs(0), &discover(mac(1)))
            .unwrap()
            .repr()
            .your_ip,
        ip(2)
    );
    assert!(send(&mut s, secs(0), &discover(mac(2))).is_none());
}

mod arbitrary_clients {
    use super::*;
    use proptest::prelude::*;

    type Step = (u64, u8, u8, Option<u8>, Option<u8>, u8, bool);

    fn step() -> impl Strategy<Value = Step> {
        let addr = prop::sample::select(vec![0u8, 1, 2, 50, 100, 101, 150, 200, 255]);
        (
            0u64..400,
            1u8..=8,
            prop::sample::select(vec![1u8, 2, 3, 4, 0xee]),
            prop::option::of(addr.clone()),
            prop::option::of(prop::sample::select(vec![1u8, 2])),
            addr,
            any::<bool>(),
        )
    }

    proptest! {
        /// Whatever clients send and whenever: no two live holds share an
        /// address or a client, every address handed out is the client's
        /// reservation or in a range, and replies go where RFC 2131 says.
        #[test]
        fn leases_stay_distinct(script in prop::collection::vec(step(), 0..80)) {
            let mut s = server(3);
            let mut now = Instant::ZERO;
            for (advance, message_type, client, requested, server_id, ciaddr, broadcast) in script {
                now += Duration::from_secs(advance);
                let message_type = MessageType::from_u8(message_type).unwrap();
                let mut r = Repr::new(message_type, 1, mac(client));
                r.requested_ip = requested.map(ip);
                r.server_identifier = server_id.map(ip);
                r.client_ip = if message_type == MessageType::Discover { Ipv4Addr::UNSPECIFIED } else { ip(ciaddr) };
                r.broadcast = broadcast;
                if let Some(reply) = send(&mut s, now, &r) {
                    let given = reply.repr().your_ip;
                    if reply.repr().message_type != MessageType::Nak && !given.is_unspecified() {
                        let reserved = RESERVATIONS.iter().any(|x| x.hardware_address == mac(client) && x.address == given);
                        prop_assert!(reserved || RANGES.iter().any(|x| x.contains(given)), "{given}");
                    }
                    prop_assert_eq!(reply.src_addr, SERVER);
                }
                let live: Vec<_> = s.leases().filter(|l| l.is_live(now) && l.state != LeaseState::Declined).collect();
                for (i, a) in live.iter().enumerate() {
                    for b in &live[i + 1..] {
                        prop_assert_ne!(a.address, b.address);
                        prop_assert_ne!(a.hardware_address, b.hardware_address);
                    }
                }
            }
        }
    }
}
