//! The DHCP client against scripted servers: the normal exchange and each
//! failure path, with exact retransmission timing.

use std::net::Ipv4Addr;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seqs::dhcp::client::{Client, ClientConfig, Event, State, DEFAULT_PARAMETERS};
use seqs::dhcp::Transmit;
use seqs::time::{Duration, Instant};
use seqs::wire::dhcp::{AddressList, MessageType, Packet, Repr, CLIENT_PORT, SERVER_PORT};
use seqs::wire::EthernetAddress;

const MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x42]);
const SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const OTHER_SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 100);
const LEASE_SECS: u32 = 1000;

/// Jitter-free randomness: every draw is distinct (so are transaction
/// ids) but lands in the middle of the +/- 1 s jitter range, so
/// retransmission times are exact.
#[derive(Default)]
struct NoJitter(u32);

impl RngCore for NoJitter {
    fn next_u32(&mut self) -> u32 {
        self.0 += 1;
        1_000_000 + self.0 * 2_000_001
    }
    fn next_u64(&mut self) -> u64 {
        u64::from(self.next_u32())
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        dst.fill(0);
    }
}

fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

/// Sends through real bytes and back, as the stack would.
fn over_the_wire<R>(repr: &Repr, f: impl FnOnce(&Repr) -> R) -> R {
    let mut buf = vec![0; repr.buffer_len()];
    repr.emit(&mut Packet::new_unchecked(&mut buf[..])).unwrap();
    f(&Repr::parse(&Packet::new_checked(&buf[..]).unwrap()).unwrap())
}

/// A scripted server's reply to `to`.
fn reply(to: &Transmit, message_type: MessageType, server: Ipv4Addr) -> Repr<'static> {
    let mut r = Repr::new(message_type, to.repr.transaction_id, MAC);
    r.server_identifier = Some(server);
    if message_type != MessageType::Nak {
        r.your_ip = ADDRESS;
        r.subnet_mask = Some(Ipv4Addr::new(255, 255, 255, 0));
        r.routers = AddressList::from_slice(&[SERVER]);
        r.dns_servers = AddressList::from_slice(&[Ipv4Addr::new(198, 51, 100, 53)]);
        r.ntp_servers = AddressList::from_slice(&[Ipv4Addr::new(198, 51, 100, 123)]);
        r.lease_duration = Some(LEASE_SECS);
    }
    r
}

struct Harness {
    client: Client<'static>,
    rng: NoJitter,
}

impl Harness {
    fn new() -> Self {
        let mut config = ClientConfig::new(MAC);
        config.hostname = Some(b"pico");
        Harness {
            client: Client::new(config),
            rng: NoJitter::default(),
        }
    }

    fn poll(&mut self, now: Instant) -> Option<Transmit<'static>> {
        self.client.poll(now, &mut self.rng)
    }

    fn expect(&mut self, now: Instant, message_type: MessageType) -> Transmit<'static> {
        let t = self
            .poll(now)
            .unwrap_or_else(|| panic!("nothing sent at {now}"));
        assert_eq!(t.repr.message_type, message_type, "at {now}");
        assert_eq!((t.src_port, t.dst_port), (CLIENT_PORT, SERVER_PORT));
        assert_eq!(self.poll(now), None, "one message per due timer");
        t
    }

    fn deliver(&mut self, now: Instant, repr: &Repr) {
        over_the_wire(repr, |r| self.client.handle(now, r));
    }

    /// DISCOVER, OFFER, REQUEST, ACK, all at `now`; returns the ACKed lease's
    /// REQUEST.
    fn bind(&mut self, now: Instant) -> Transmit<'static> {
        let discover = self.expect(now, MessageType::Discover);
        self.deliver(now, &reply(&discover, MessageType::Offer, SERVER));
        let request = self.expect(now, MessageType::Request);
        self.deliver(now, &reply(&request, MessageType::Ack, SERVER));
        assert_eq!(self.client.state(), State::Bound);
        assert!(matches!(
            self.client.take_event(),
            Some(Event::Configured(_))
        ));
        request
    }
}

#[test]
fn normal_exchange_configures_the_interface() {
    let mut h = Harness::new();
    assert_eq!(h.client.poll_at(), Some(Instant::ZERO));
    let discover = h.expect(secs(0), MessageType::Discover);
    assert_eq!(h.client.state(), State::Selecting);
    assert_eq!(
        (discover.src_addr, discover.dst_addr),
        (Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST)
    );
    let d = discover.repr;
    assert_eq!(d.client_hardware_address, MAC);
    assert!(d.broadcast);
    assert_eq!(d.parameter_request_list, Some(DEFAULT_PARAMETERS));
    assert_eq!(d.hostname, Some(&b"pico"[..]));
    assert_eq!((d.requested_ip, d.server_identifier), (None, None));

    h.deliver(secs(1), &reply(&discover, MessageType::Offer, SERVER));
    assert_eq!(h.client.state(), State::Requesting);
    let request = h.expect(secs(1), MessageType::Request);
    let r = request.repr;
    assert_eq!(
        r.transaction_id, d.transaction_id,
        "REQUEST keeps the OFFER's xid"
    );
    assert_eq!(
        (r.requested_ip, r.server_identifier),
        (Some(ADDRESS), Some(SERVER))
    );
    assert_eq!((r.client_ip, r.secs), (Ipv4Addr::UNSPECIFIED, 1));
    assert_eq!(request.dst_addr, Ipv4Addr::BROADCAST);

    h.deliver(secs(2), &reply(&request, MessageType::Ack, SERVER));
    let Some(Event::Configured(lease)) = h.client.take_event() else {
        panic!("not configured");
    };
    assert_eq!(h.client.take_event(), None);
    assert_eq!(lease.address.to_string(), "192.0.2.100/24");
    assert_eq!(lease.router, Some(SERVER));
    assert_eq!(&lease.dns_servers[..], [Ipv4Addr::new(198, 51, 100, 53)]);
    assert_eq!(&lease.ntp_servers[..], [Ipv4Addr::new(198, 51, 100, 123)]);
    assert_eq!(lease.server, SERVER);
    // Times count from the start of the exchange (t=0), never later than
    // the server's.
    assert_eq!(lease.renew_at, secs(500));
    assert_eq!(lease.rebind_at, secs(875));
    assert_eq!(lease.expires_at, secs(1000));
    assert_eq!(h.client.poll_at(), Some(secs(500)));
    assert_eq!(h.poll(secs(499)), None);
}

#[test]
fn lost_discovers_back_off_exponentially_to_64_seconds() {
    let mut h = Harness::new();
    let mut at = 0;
    let first = h.expect(secs(at), MessageType::Discover);
    for (n, gap) in [4, 8, 16, 32, 64, 64, 64].into_iter().enumerate() {
        assert_eq!(
            h.client.poll_at(),
            Some(secs(at + gap)),
            "retransmission {n}"
        );
        assert_eq!(h.poll(secs(at + gap) - Duration::from_micros(1)), None);
        at += gap;
        let again = h.expect(secs(at), MessageType::Discover);
        assert_eq!(again.repr.transaction_id, first.repr.transaction_id);
        assert_eq!(u64::from(again.repr.secs), at);
    }
}

#[test]
fn retransmission_jitter_stays_within_one_second() {
    for seed in 0..50 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut client = Client::new(ClientConfig::new(MAC));
        let mut now = Instant::ZERO;
        assert!(client.poll(now, &mut rng).is_some());
        for nominal in [4u64, 8, 16, 32, 64, 64] {
            let next = client.poll_at().unwrap();
            let gap = (next - now).total_micros() as i64;
            assert!(
                (gap - nominal as i64 * 1_000_000).abs() <= 1_000_000,
                "seed {seed}: {gap}"
            );
            now = next;
            assert!(client.poll(now, &mut rng).is_some());
        }
    }
}

#[test]
fn unanswered_requests_fall_back_to_discover() {
    let mut h = Harness::new();
    let discover = h.expect(secs(0), MessageType::Discover);
    h.deliver(secs(0), &reply(&discover, MessageType::Offer, SERVER));
    let mut at = 0;
    h.expect(secs(at), MessageType::Request);
    for gap in [4, 8, 16, 32] {
        at += gap;
        h.expect(secs(at), MessageType::Request);
    }
    assert_eq!(h.client.poll_at(), Some(secs(at + 64)));
    h.expect(secs(at + 64), MessageType::Discover);
    assert_eq!(h.client.state(), State::Selecting);
}

#[test]
fn offers_that_do_not_match_are_ignored() {
    let mut h = Harness::new();
    let discover = h.expect(secs(0), MessageType::Discover);
    let mut wrong_xid = reply(&discover, MessageType::Offer, SERVER);
    wrong_xid.transaction_id ^= 1;
    let mut wrong_mac = reply(&discover, MessageType::Offer, SERVER);
    wrong_mac.client_hardware_address = EthernetAddress([2, 0, 0, 0, 0, 0x43]);
    let mut no_server_id = reply(&discover, MessageType::Offer, SERVER);
    no_server_id.server_identifier = None;
    let mut no_address = reply(&discover, MessageType::Offer, SERVER);
    no_address.your_ip = Ipv4Addr::UNSPECIFIED;
    let ack_instead = reply(&discover, MessageType::Ack, SERVER);
    let request_echo = discover.repr;
    for bad in [
        wrong_xid,
        wrong_mac,
        no_server_id,
        no_address,
        ack_instead,
        request_echo,
    ] {
        h.deliver(secs(1), &bad);
        assert_eq!(h.client.state(), State::Selecting, "{bad:?}");
    }
    assert_eq!(h.poll(secs(1)), None);
    assert_eq!(h.client.take_event(), None);
}

#[test]
fn requesting_ignores_other_servers_and_wrong_xids() {
    let mut h = Harness::new();
    let discover = h.expect(secs(0), MessageType::Discover);
    h.deliver(secs(0), &reply(&discover, MessageType::Offer, SERVER));
    let request = h.expect(secs(0), MessageType::Request);
    h.deliver(secs(1), &reply(&request, MessageType::Ack, OTHER_SERVER));
    h.deliver(secs(1), &reply(&request, MessageType::Nak, OTHER_SERVER));
    let mut wrong_xid = reply(&request, MessageType::Ack, SERVER);
    wrong_xid.transaction_id ^= 1;
    h.deliver(secs(1), &wrong_xid);
    let mut other_address = reply(&request, MessageType::Ack, SERVER);
    other_address.your_ip = Ipv4Addr::new(192, 0, 2, 101);
    h.deliver(secs(1), &other_address);
    assert_eq!(h.client.state(), State::Requesting);
    h.deliver(secs(1), &reply(&request, MessageType::Ack, SERVER));
    assert_eq!(h.client.state(), State::Bound);
}

#[test]
fn nak_while_requesting_restarts_discovery() {
    let mut h = Harness::new();
    let discover = h.expect(secs(0), MessageType::Discover);
    h.deliver(secs(0), &reply(&discover, MessageType::Offer, SERVER));
    let request = h.expect(secs(0), MessageType::Request);
    h.deliver(secs(1), &reply(&request, MessageType::Nak, SERVER));
    assert_eq!(h.client.take_event(), None, "never configured");
    let again = h.expect(secs(1), MessageType::Discover);
    assert_eq!(again.repr.requested_ip, None);
}

#[test]
fn renewing_unicasts_to_the_server_and_extends_the_lease() {
    let mut h = Harness::new();
    h.bind(secs(0));
    assert_eq!(h.poll(secs(499)), None);
    let renew = h.expect(secs(500), MessageType::Request);
    assert_eq!(h.client.state(), State::Renewing);
    assert_eq!((renew.src_addr, renew.dst_addr), (ADDRESS, SERVER));
    let r = renew.repr;
    assert_eq!(
        (
            r.client_ip,
            r.requested_ip,
            r.server_identifier,
            r.broadcast
        ),
        (ADDRESS, None, None, false)
    );
    // Half of the 375 s to T2, then the 60 s floor.
    assert_eq!(h.client.poll_at(), Some(Instant::from_millis(687_500)));
    let again = h.expect(Instant::from_millis(687_500), MessageType::Request);
    assert_eq!(again.repr.transaction_id, r.transaction_id);
    assert_eq!(h.client.poll_at(), Some(Instant::from_millis(781_250)));
    h.expect(Instant::from_millis(781_250), MessageType::Request);
    assert_eq!(h.client.poll_at(), Some(Instant::from_millis(841_250)));

    h.deliver(secs(800), &reply(&renew, MessageType::Ack, SERVER));
    assert_eq!(h.client.state(), State::Bound);
    assert_eq!(
        h.client.take_event(),
        None,
        "same configuration, nothing to apply"
    );
    let lease = h.client.lease().unwrap();
    assert_eq!(
        lease.expires_at,
        secs(500 + u64::from(LEASE_SECS)),
        "counted from the first renewal REQUEST"
    );
    assert_eq!(h.client.poll_at(), Some(secs(1000)));
}

#[test]
fn renewal_with_new_options_is_reported() {
    let mut h = Harness::new();
    h.bind(secs(0));
    let renew = h.expect(secs(500), MessageType::Request);
    let mut ack = reply(&renew, MessageType::Ack, SERVER);
    ack.dns_servers = AddressList::from_slice(&[Ipv4Addr::new(203, 0, 113, 53)]);
    h.deliver(secs(501), &ack);
    let Some(Event::Configured(lease)) = h.client.take_event() else {
        panic!("changed DNS not reported");
    };
    assert_eq!(&lease.dns_servers[..], [Ipv4Addr::new(203, 0, 113, 53)]);
}

#[test]
fn rebinding_accepts_a_different_server() {
    let mut h = Harness::new();
    h.bind(secs(0));
    let renew = h.expect(secs(500), MessageType::Request);
    // The original server is gone: its ACKs never come. At T2, rebind.
    let mut at = Instant::from_millis(687_500);
    while at < secs(875) {
        h.expect(at, MessageType::Request);
        at = h.client.poll_at().unwrap();
    }
    assert_eq!(at, secs(875));
    let rebind = h.expect(secs(875), MessageType::Request);
    assert_eq!(h.client.state(), State::Rebinding);
    assert_ne!(rebind.repr.transaction_id, renew.repr.transaction_id);
    assert_eq!(
        (rebind.src_addr, rebind.dst_addr),
        (ADDRESS, Ipv4Addr::BROADCAST)
    );
    assert_eq!(rebind.repr.client_ip, ADDRESS);
    // A late ACK to the renewal's xid is stale.
    h.deliver(secs(880), &reply(&renew, MessageType::Ack, SERVER));
    assert_eq!(h.client.state(), State::Rebinding);
    // Half of the 125 s left, then the 60 s floor capped by expiry.
    assert_eq!(h.client.poll_at(), Some(Instant::from_millis(937_500)));
    h.deliver(secs(900), &reply(&rebind, MessageType::Ack, OTHER_SERVER));
    assert_eq!(h.client.state(), State::Bound);
    assert_eq!(h.client.lease().unwrap().server, OTHER_SERVER);
    let next_renew = h.expect(secs(875 + 500), MessageType::Request);
    assert_eq!(
        next_renew.dst_addr, OTHER_SERVER,
        "renews with the new server"
    );
}

#[test]
fn unanswered_lease_expires_and_deconfigures() {
    let mut h = Harness::new();
    h.bind(secs(0));
    let mut sent = 0;
    let mut at = secs(500);
    while at < secs(1000) {
        h.expect(at, MessageType::Request);
        sent += 1;
        at = h.client.poll_at().unwrap();
    }
    assert!(sent >= 4, "renewals and rebinds: {sent}");
    assert_eq!(at, secs(1000));
    let discover = h.expect(secs(1000), MessageType::Discover);
    assert_eq!(h.client.take_event(), Some(Event::Deconfigured));
    assert_eq!(h.client.lease(), None);
    assert_eq!(
        discover.repr.requested_ip,
        Some(ADDRESS),
        "asks for its old address back"
    );
    assert_eq!(discover.src_addr, Ipv4Addr::UNSPECIFIED);
}

#[test]
fn a_late_wake_up_goes_straight_to_expiry() {
    let mut h = Harness::new();
    h.bind(secs(0));
    h.expect(secs(5000), MessageType::Discover);
    assert_eq!(h.client.take_event(), Some(Event::Deconfigured));
}

#[test]
fn nak_while_renewing_deconfigures() {
    let mut h = Harness::new();
    h.bind(secs(0));
    let renew = h.expect(secs(500), MessageType::Request);
    h.deliver(secs(501), &reply(&renew, MessageType::Nak, SERVER));
    assert_eq!(h.client.take_event(), Some(Event::Deconfigured));
    h.expect(secs(501), MessageType::Discover);
}

#[test]
fn init_reboot_asks_for_the_remembered_address() {
    let mut client = Client::with_previous_address(ClientConfig::new(MAC), ADDRESS);
    let request = client.poll(secs(0), &mut NoJitter::default()).unwrap();
    assert_eq!(client.state(), State::InitReboot);
    let r = request.repr;
    assert_eq!(r.message_type, MessageType::Request);
    assert_eq!(
        (r.requested_ip, r.server_identifier, r.client_ip),
        (Some(ADDRESS), None, Ipv4Addr::UNSPECIFIED)
    );
    assert_eq!(request.dst_addr, Ipv4Addr::BROADCAST);
    over_the_wire(&reply(&request, MessageType::Ack, SERVER), |ack| {
        client.handle(secs(1), ack)
    });
    assert_eq!(client.state(), State::Bound);
    assert_eq!(client.lease().unwrap().address.address(), ADDRESS);
}

#[test]
fn init_reboot_nak_falls_back_to_discover() {
    let mut client = Client::with_previous_address(ClientConfig::new(MAC), ADDRESS);
    let request = client.poll(secs(0), &mut NoJitter::default()).unwrap();
    over_the_wire(&reply(&request, MessageType::Nak, SERVER), |nak| {
        client.handle(secs(1), nak)
    });
    assert_eq!(client.take_event(), None);
    let discover = client.poll(secs(1), &mut NoJitter::default()).unwrap();
    assert_eq!(discover.repr.message_type, MessageType::Discover);
    assert_eq!(discover.repr.requested_ip, None);
}

#[test]
fn decline_reports_the_conflict_and_waits_ten_seconds() {
    let mut h = Harness::new();
    let request = h.bind(secs(0));
    h.client.decline(secs(3));
    assert_eq!(h.client.take_event(), Some(Event::Deconfigured));
    let decline = h.expect(secs(3), MessageType::Decline);
    assert_eq!(
        (decline.src_addr, decline.dst_addr),
        (Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST)
    );
    let d = decline.repr;
    assert_eq!(
        (d.requested_ip, d.server_identifier),
        (Some(ADDRESS), Some(SERVER))
    );
    assert_eq!(d.transaction_id, request.repr.transaction_id);
    assert_eq!(
        (d.parameter_request_list, d.client_ip),
        (None, Ipv4Addr::UNSPECIFIED)
    );
    assert_eq!(h.client.poll_at(), Some(secs(13)));
    assert_eq!(h.poll(secs(12)), None);
    h.expect(secs(13), MessageType::Discover);
}

#[test]
fn release_gives_the_address_back_and_stops() {
    let mut h = Harness::new();
    h.bind(secs(0));
    h.client.release();
    assert_eq!(h.client.take_event(), Some(Event::Deconfigured));
    let release = h.expect(secs(10), MessageType::Release);
    assert_eq!((release.src_addr, release.dst_addr), (ADDRESS, SERVER));
    assert_eq!(release.repr.client_ip, ADDRESS);
    assert_eq!(release.repr.server_identifier, Some(SERVER));
    assert_eq!(h.client.state(), State::Stopped);
    assert_eq!(h.client.poll_at(), None);
    assert_eq!(h.poll(secs(100_000)), None);
    h.client.restart(secs(20));
    h.expect(secs(20), MessageType::Discover);
}

#[test]
fn decline_and_release_without_a_lease_send_nothing() {
    let mut h = Harness::new();
    h.expect(secs(0), MessageType::Discover);
    h.client.decline(secs(1));
    assert_eq!(h.client.state(), State::Selecting);
    h.client.release();
    assert_eq!(h.client.take_event(), None);
    assert_eq!(h.poll(secs(1000)), None);
}

#[test]
fn infinite_lease_never_renews() {
    let mut h = Harness::new();
    let discover = h.expect(secs(0), MessageType::Discover);
    h.deliver(secs(0), &reply(&discover, MessageType::Offer, SERVER));
    let request = h.expect(secs(0), MessageType::Request);
    let mut ack = reply(&request, MessageType::Ack, SERVER);
    ack.lease_duration = Some(u32::MAX);
    h.deliver(secs(0), &ack);
    assert_eq!(h.client.poll_at(), Some(Instant::MAX));
    assert_eq!(h.poll(Instant::from_secs(u64::MAX / 2_000_000)), None);
}

#[test]
fn random_transaction_ids_differ_between_exchanges() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut client = Client::new(ClientConfig::new(MAC));
    let first = client.poll(secs(0), &mut rng).unwrap().repr.transaction_id;
    client.restart(secs(1));
    let second = client.poll(secs(1), &mut rng).unwrap().repr.transaction_id;
    assert_ne!(first, second);
}

/// Bound at 0 (lease 1000 s), link back at `at`: the INIT-REBOOT REQUEST.
fn relinked(h: &mut Harness, at: u64) -> Transmit<'static> {
    let bound = h.bind(secs(0));
    h.client.link_up(secs(at));
    let request = h.expect(secs(at), MessageType::Request);
    assert_eq!(h.client.state(), State::InitReboot);
    assert_ne!(
        request.repr.transaction_id, bound.repr.transaction_id,
        "a new exchange"
    );
    request
}

#[test]
fn link_up_asks_to_keep_the_lease_from_init_reboot() {
    let mut h = Harness::new();
    let request = relinked(&mut h, 100);
    assert_eq!(
        (request.src_addr, request.dst_addr),
        (Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST)
    );
    let r = request.repr;
    assert_eq!(
        (r.client_ip, r.requested_ip, r.server_identifier),
        (Ipv4Addr::UNSPECIFIED, Some(ADDRESS), None),
        "RFC 2131 table 5, INIT-REBOOT"
    );
    assert!(r.broadcast);
    assert_eq!(r.parameter_request_list, Some(DEFAULT_PARAMETERS));
    assert_eq!(h.client.lease().unwrap().address.address(), ADDRESS);
    assert_eq!(h.client.take_event(), None, "still in use meanwhile");

    h.deliver(secs(101), &reply(&request, MessageType::Ack, SERVER));
    assert_eq!(h.client.state(), State::Bound);
    assert_eq!(h.client.take_event(), None, "same configuration");
    let lease = h.client.lease().unwrap();
    assert_eq!(lease.expires_at, secs(1100), "counted from the REQUEST");
    assert_eq!(h.client.poll_at(), Some(secs(600)));
}

#[test]
fn link_up_ack_with_new_options_is_reported() {
    let mut h = Harness::new();
    let request = relinked(&mut h, 100);
    let mut ack = reply(&request, MessageType::Ack, OTHER_SERVER);
    ack.routers = AddressList::from_slice(&[OTHER_SERVER]);
    h.deliver(secs(101), &ack);
    let Some(Event::Configured(lease)) = h.client.take_event() else {
        panic!("the new router is not reported");
    };
    assert_eq!(
        (lease.router, lease.server),
        (Some(OTHER_SERVER), OTHER_SERVER)
    );
}

#[test]
fn link_up_nak_drops_the_address_and_rediscovers() {
    let mut h = Harness::new();
    let request = relinked(&mut h, 100);
    h.deliver(secs(101), &reply(&request, MessageType::Nak, OTHER_SERVER));
    assert_eq!(h.client.take_event(), Some(Event::Deconfigured));
    assert_eq!(h.client.lease(), None);
    let discover = h.expect(secs(101), MessageType::Discover);
    assert_eq!(
        discover.repr.requested_ip, None,
        "the old address was refused"
    );
}

#[test]
fn link_up_ignores_replies_to_other_exchanges() {
    let mut h = Harness::new();
    h.bind(secs(0));
    let renew = h.expect(secs(500), MessageType::Request);
    h.client.link_up(secs(510));
    let request = h.expect(secs(510), MessageType::Request);
    assert_eq!(
        request.repr.client_ip,
        Ipv4Addr::UNSPECIFIED,
        "not a renewal"
    );
    h.deliver(secs(511), &reply(&renew, MessageType::Nak, SERVER));
    let mut other_address = reply(&request, MessageType::Ack, SERVER);
    other_address.your_ip = Ipv4Addr::new(192, 0, 2, 101);
    h.deliver(secs(511), &other_address);
    assert_eq!(h.client.state(), State::InitReboot);
    assert_eq!(h.client.take_event(), None);
    h.deliver(secs(512), &reply(&request, MessageType::Ack, SERVER));
    assert_eq!(h.client.state(), State::Bound);
}

#[test]
fn link_up_unanswered_keeps_the_address_then_rediscovers() {
    let mut h = Harness::new();
    relinked(&mut h, 100);
    let mut at = 100;
    for gap in [4, 8, 16, 32] {
        at += gap;
        h.expect(secs(at), MessageType::Request);
        assert!(h.client.lease().is_some(), "in use while asking, at {at}");
    }
    assert_eq!(h.client.take_event(), None);
    assert_eq!(h.client.poll_at(), Some(secs(at + 64)));
    let discover = h.expect(secs(at + 64), MessageType::Discover);
    assert_eq!(h.client.take_event(), Some(Event::Deconfigured));
    assert_eq!(h.client.lease(), None);
    assert_eq!(
        discover.repr.requested_ip,
        Some(ADDRESS),
        "asks for it back"
    );
}

#[test]
fn link_up_near_expiry_gives_the_address_up_on_time() {
    let mut h = Harness::new();
    relinked(&mut h, 990);
    assert_eq!(h.client.poll_at(), Some(secs(994)));
    h.expect(secs(994), MessageType::Request);
    assert_eq!(h.client.poll_at(), Some(secs(1000)), "expiry before 1002");
    h.expect(secs(1000), MessageType::Discover);
    assert_eq!(h.client.take_event(), Some(Event::Deconfigured));
}

#[test]
fn link_up_without_a_lease_restarts_the_exchange_at_once() {
    let mut h = Harness::new();
    let discover = h.expect(secs(0), MessageType::Discover);
    h.expect(secs(4), MessageType::Discover);
    h.client.link_up(secs(5));
    let again = h.expect(secs(5), MessageType::Discover);
    assert_ne!(again.repr.transaction_id, discover.repr.transaction_id);
    assert_eq!(h.client.poll_at(), Some(secs(9)), "backoff from the start");

    h.deliver(secs(5), &reply(&again, MessageType::Offer, SERVER));
    h.expect(secs(5), MessageType::Request);
    h.client.link_up(secs(6));
    let rediscover = h.expect(secs(6), MessageType::Discover);
    assert_eq!(
        rediscover.repr.requested_ip,
        Some(ADDRESS),
        "the offered one"
    );

    let mut rebooting = Client::with_previous_address(ClientConfig::new(MAC), ADDRESS);
    let mut rng = NoJitter::default();
    rebooting.poll(secs(0), &mut rng).unwrap();
    rebooting.link_up(secs(2));
    let request = rebooting.poll(secs(2), &mut rng).unwrap();
    assert_eq!(rebooting.state(), State::InitReboot);
    assert_eq!(request.repr.requested_ip, Some(ADDRESS));
    assert_eq!(rebooting.take_event(), None, "never configured");
}

#[test]
fn link_up_leaves_a_waiting_or_stopped_client_alone() {
    let mut h = Harness::new();
    h.bind(secs(0));
    h.client.decline(secs(3));
    h.client.link_up(secs(4));
    h.expect(secs(4), MessageType::Decline);
    assert_eq!(
        h.client.poll_at(),
        Some(secs(13)),
        "still waits ten seconds"
    );
    h.client.release();
    h.client.link_up(secs(20));
    assert_eq!(h.client.state(), State::Stopped);
    assert_eq!(h.poll(secs(20)), None);
}

mod arbitrary_peers {
    use super::*;
    use proptest::prelude::*;

    /// One scripted step: wait, receive a reply built from the choices,
    /// maybe act as the stack would, then poll.
    type Step = (u64, u8, bool, usize, usize, Option<u32>, u8);

    /// Weighted towards replies that fit, so that every state is visited.
    fn step() -> impl Strategy<Value = Step> {
        (
            prop_oneof![3 => 0u64..10, 1 => 0u64..4000],
            prop::sample::select(vec![2u8, 2, 5, 5, 5, 6, 1, 3]),
            prop::bool::weighted(0.8),
            prop::sample::select(vec![0usize, 0, 1, 2]),
            prop::sample::select(vec![0usize, 0, 1, 2]),
            prop::option::weighted(0.9, 10u32..3000),
            0u8..40,
        )
    }

    proptest! {
        /// Whatever servers say and whenever, the interface the stack
        /// builds from events matches the client's lease, the client never
        /// asks to be polled in the past, and what it sends encodes.
        #[test]
        fn events_always_describe_the_lease(
            reboot in any::<bool>(),
            script in prop::collection::vec(step(), 0..80),
        ) {
            let mut client = match reboot {
                true => Client::with_previous_address(ClientConfig::new(MAC), ADDRESS),
                false => Client::new(ClientConfig::new(MAC)),
            };
            let mut rng = NoJitter::default();
            let mut now = Instant::ZERO;
            let mut xid = 0;
            let mut interface = None;
            for (advance, message_type, same_xid, address, server, lease, action) in script {
                now += Duration::from_secs(advance);
                let mut r = Repr::new(MessageType::from_u8(message_type).unwrap(), xid ^ u32::from(!same_xid), MAC);
                r.your_ip = [ADDRESS, Ipv4Addr::new(192, 0, 2, 101), Ipv4Addr::UNSPECIFIED][address];
                r.server_identifier = [Some(SERVER), Some(OTHER_SERVER), None][server];
                r.lease_duration = lease;
                over_the_wire(&r, |r| client.handle(now, r));
                match action {
                    1 => client.decline(now),
                    2 => client.release(),
                    3..=5 => client.restart(now),
                    6..=8 => client.link_up(now),
                    _ => {}
                }
                let mut sent = 0;
                while let Some(t) = client.poll(now, &mut rng) {
                    over_the_wire(&t.repr, |_| ());
                    xid = t.repr.transaction_id;
                    sent += 1;
                    prop_assert!(sent <= 2);
                }
                if let Some(at) = client.poll_at() {
                    prop_assert!(at > now);
                }
                while let Some(event) = client.take_event() {
                    interface = match event {
                        Event::Configured(lease) => Some(lease.address),
                        Event::Deconfigured => None,
                    };
                }
                prop_assert_eq!(interface, client.lease().map(|l| l.address));
            }
        }
    }
}
