//! The SNTP client against scripted servers (ours, and hand-built replies
//! for every failure path), and the simulator's NTP server.

use std::net::{Ipv4Addr, SocketAddrV4};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use seqs::ntp::{Client, Config, Error, Reject, Server, ServerConfig, Sync};
use seqs::time::{Duration, Instant};
use seqs::wire::ntp::{Epoch, Leap, Mode, Packet, ReferenceId, Repr, Timestamp, Version};

const SERVER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 123), 123);
/// The client's belief: Instant::ZERO is 2024-01-01 00:00:00 UTC.
const CLIENT_EPOCH: Epoch = Epoch::from_unix_micros(1_704_067_200_000_000);

struct Rig {
    client: Client,
    server: Server,
    rng: ChaCha8Rng,
    now: Instant,
}

impl Rig {
    /// The server's clock runs `offset_micros` ahead of the client's.
    fn new(offset_micros: i64) -> Rig {
        let now = Instant::from_secs(10);
        let mut server = ServerConfig::new(CLIENT_EPOCH);
        server.offset_micros = offset_micros;
        server.stratum = 2;
        Rig {
            client: Client::new(Config::new(SERVER, CLIENT_EPOCH), now),
            server: Server::new(server),
            rng: ChaCha8Rng::seed_from_u64(3),
            now,
        }
    }

    fn request(&mut self) -> Option<Vec<u8>> {
        let mut buf = [0u8; 64];
        let (to, len) = self.client.poll(self.now, &mut self.rng, &mut buf)?;
        assert_eq!(to, SERVER);
        Some(buf[..len].to_vec())
    }

    /// One exchange: `out` on the way to the server, `back` on the way back.
    fn exchange(&mut self, out: Duration, back: Duration) -> Result<(), Reject> {
        let request = self.request().expect("a request is due");
        self.now += out;
        let mut reply = [0u8; 48];
        let len = self.server.respond(self.now, &request, &mut reply).unwrap();
        self.now += back;
        self.client.receive(self.now, SERVER, &reply[..len])
    }

    fn wait(&mut self) {
        self.now = self.client.poll_at().expect("a deadline");
    }

    /// A reply to `request` from a server whose clock reads `t2` on
    /// reception and `t3` on transmission, shaped by `edit`.
    fn reply_to(request: &[u8], t2: Timestamp, t3: Timestamp, edit: impl Fn(&mut Repr)) -> Vec<u8> {
        let req = Repr::parse(&Packet::new_checked(request).unwrap()).unwrap();
        let mut repr = Repr {
            leap: Leap::NoWarning,
            version: Version::V4,
            mode: Mode::Server,
            stratum: 2,
            poll: 6,
            precision: -20,
            root_delay: Default::default(),
            root_dispersion: Default::default(),
            reference_id: ReferenceId([192, 0, 2, 1]),
            reference_timestamp: t2,
            origin_timestamp: req.transmit_timestamp,
            receive_timestamp: t2,
            transmit_timestamp: t3,
        };
        edit(&mut repr);
        let mut out = vec![0u8; 48];
        repr.emit(&mut Packet::new_unchecked(&mut out[..]));
        out
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn a_burst_keeps_the_lowest_delay_sample() {
    let mut rig = Rig::new(1_500_000);
    assert_eq!(rig.client.poll_at(), Some(rig.now));
    // Asymmetric paths bias the offset by half the asymmetry; the exchange
    // with the smallest delay is symmetric here and must win.
    let paths = [
        (ms(40), ms(10)),
        (ms(5), ms(5)),
        (ms(30), ms(30)),
        (ms(10), ms(25)),
    ];
    for (i, (out, back)) in paths.into_iter().enumerate() {
        rig.exchange(out, back).unwrap();
        if i < 3 {
            assert!(rig.client.take_result().is_none());
            let next = rig.client.poll_at().unwrap();
            assert_eq!(next, rig.now + Duration::from_secs(2), "spacing");
            rig.now = next;
        }
    }
    let sync: Sync = rig.client.take_result().unwrap().unwrap();
    assert_eq!(sync.offset_micros, 1_500_000);
    assert_eq!(sync.delay, ms(10));
    assert_eq!(sync.stratum, 2);
    // Measured by the second exchange: 10 s + 50 ms + 2 s spacing + 10 ms.
    assert_eq!(sync.at, Instant::from_millis(12_060));
    assert_eq!(rig.client.last_sync(), Some(sync));
    assert!(rig.client.take_result().is_none(), "reported once");
    // Next burst after the poll interval.
    assert_eq!(rig.client.poll_interval(), Duration::from_secs(64));
    assert_eq!(
        rig.client.poll_at(),
        Some(rig.now + Duration::from_secs(64))
    );
    // The corrected epoch tells the server's time.
    let corrected = CLIENT_EPOCH.adjusted(sync.offset_micros);
    assert_eq!(corrected, rig.server.epoch());
}

#[test]
fn negative_offsets_and_the_2036_era_rollover() {
    // The client believes it is 2036-02-07 06:28:15 (one second before era
    // 1); the server is 3 s behind, i.e. still in era 0 while the client's
    // own timestamps wrap into era 1 during the burst.
    let epoch = Epoch::from_ntp_micros((1u64 << 32) * 1_000_000 - 1_000_000);
    let now = Instant::ZERO;
    let mut config = Config::new(SERVER, epoch);
    config.samples = 1;
    let mut server = ServerConfig::new(epoch);
    server.offset_micros = -3_000_000;
    let mut rig = Rig {
        client: Client::new(config, now),
        server: Server::new(server),
        rng: ChaCha8Rng::seed_from_u64(9),
        now,
    };
    rig.exchange(ms(700), ms(700)).unwrap();
    let sync = rig.client.take_result().unwrap().unwrap();
    assert_eq!(sync.offset_micros, -3_000_000);
    assert_eq!(sync.delay, ms(1400));
}

#[test]
fn lost_requests_time_out_and_are_retried() {
    let mut rig = Rig::new(0);
    let start = rig.now;
    for i in 0..8u64 {
        assert!(rig.request().is_some(), "request {i}");
        assert_eq!(
            rig.client.poll_at(),
            Some(start + Duration::from_secs(2 * (i + 1)))
        );
        rig.wait();
    }
    // max_requests reached: the burst ends without a sample.
    assert!(rig.request().is_none());
    assert_eq!(rig.client.take_result(), Some(Err(Error::NoResponse)));
    assert_eq!(
        rig.client.poll_at(),
        Some(rig.now + Duration::from_secs(64))
    );
    // A reply to a request that already timed out is not accepted.
    assert_eq!(
        rig.client.receive(rig.now, SERVER, &[0u8; 48]),
        Err(Reject::NotWaiting)
    );
}

#[test]
fn replies_that_do_not_belong_are_rejected() {
    let mut rig = Rig::new(0);
    let request = rig.request().unwrap();
    let t = CLIENT_EPOCH.timestamp(rig.now);
    let good = Rig::reply_to(&request, t, t, |_| {});
    let other = SocketAddrV4::new(Ipv4Addr::new(203, 0, 113, 1), 123);
    assert_eq!(
        rig.client.receive(rig.now, other, &good),
        Err(Reject::WrongSource)
    );
    let other_port = SocketAddrV4::new(*SERVER.ip(), 1123);
    assert_eq!(
        rig.client.receive(rig.now, other_port, &good),
        Err(Reject::WrongSource)
    );
    assert_eq!(
        rig.client.receive(rig.now, SERVER, &good[..47]),
        Err(Reject::Malformed)
    );
    let bogus = Rig::reply_to(&request, t, t, |r| {
        r.origin_timestamp = Timestamp(r.origin_timestamp.0 ^ 1)
    });
    assert_eq!(
        rig.client.receive(rig.now, SERVER, &bogus),
        Err(Reject::BogusOrigin)
    );
    let client_mode = Rig::reply_to(&request, t, t, |r| r.mode = Mode::Client);
    assert_eq!(
        rig.client.receive(rig.now, SERVER, &client_mode),
        Err(Reject::WrongMode)
    );
    let mut v2 = good.clone();
    v2[0] = (v2[0] & !0x38) | (2 << 3);
    assert_eq!(
        rig.client.receive(rig.now, SERVER, &v2),
        Err(Reject::UnsupportedVersion)
    );
    // None of that disturbed the exchange.
    rig.client.receive(rig.now, SERVER, &good).unwrap();
    // A duplicate of an accepted reply is not a second sample.
    assert_eq!(
        rig.client.receive(rig.now, SERVER, &good),
        Err(Reject::NotWaiting)
    );
}

#[test]
fn changing_the_epoch_abandons_the_request_in_flight() {
    let mut rig = Rig::new(0);
    let request = rig.request().unwrap();
    let t = CLIENT_EPOCH.timestamp(rig.now);
    rig.client.set_epoch(CLIENT_EPOCH.adjusted(1_000));
    let reply = Rig::reply_to(&request, t, t, |_| {});
    assert_eq!(
        rig.client.receive(rig.now, SERVER, &reply),
        Err(Reject::NotWaiting)
    );
    // The burst goes on with the next request once the timeout passes.
    rig.wait();
    assert!(rig.request().is_some());
}

#[test]
fn unsynchronised_servers_and_bad_timestamps_give_no_sample() {
    type Edit = fn(&mut Repr);
    let cases: [(&str, Edit, Error); 4] = [
        (
            "leap alarm",
            |r| r.leap = Leap::Alarm,
            Error::Unsynchronized,
        ),
        ("stratum 16", |r| r.stratum = 16, Error::Unsynchronized),
        (
            "zero transmit",
            |r| r.transmit_timestamp = Timestamp::ZERO,
            Error::BadTimestamps,
        ),
        (
            "transmit before receive",
            |r| r.transmit_timestamp = Timestamp(r.receive_timestamp.0 - (1 << 32)),
            Error::BadTimestamps,
        ),
    ];
    for (what, edit, error) in cases {
        let mut rig = Rig::new(0);
        let mut config = Config::new(SERVER, CLIENT_EPOCH);
        config.max_requests = 1;
        rig.client = Client::new(config, rig.now);
        let request = rig.request().unwrap();
        let t = CLIENT_EPOCH.timestamp(rig.now);
        rig.client
            .receive(rig.now, SERVER, &Rig::reply_to(&request, t, t, edit))
            .unwrap();
        assert!(rig.client.take_result().is_none(), "{what}: burst goes on");
        rig.wait();
        assert!(rig.request().is_none());
        assert_eq!(rig.client.take_result(), Some(Err(error)), "{what}");
    }
}

#[test]
fn kiss_of_death() {
    // RATE: the burst stops and the poll interval doubles.
    let mut rig = Rig::new(0);
    let request = rig.request().unwrap();
    let rate = Rig::reply_to(&request, Timestamp::ZERO, Timestamp::ZERO, |r| {
        r.stratum = 0;
        r.reference_id = ReferenceId::RATE;
    });
    rig.client.receive(rig.now, SERVER, &rate).unwrap();
    assert_eq!(rig.client.take_result(), Some(Err(Error::RateLimited)));
    assert_eq!(rig.client.poll_interval(), Duration::from_secs(128));
    assert_eq!(
        rig.client.poll_at(),
        Some(rig.now + Duration::from_secs(128))
    );

    // DENY and RSTR: the client stops for good.
    for code in [ReferenceId::DENY, ReferenceId::RSTR] {
        let mut rig = Rig::new(0);
        let mut server = *rig.server.config();
        server.kiss = Some(code);
        rig.server = Server::new(server);
        rig.exchange(ms(1), ms(1)).unwrap();
        assert_eq!(rig.client.take_result(), Some(Err(Error::Denied(code))));
        assert_eq!(rig.client.poll_at(), None);
        rig.now += Duration::from_secs(10_000);
        assert!(rig.request().is_none());
    }

    // Another code: that sample is dropped, the burst continues.
    let mut rig = Rig::new(0);
    let mut config = Config::new(SERVER, CLIENT_EPOCH);
    config.samples = 1;
    rig.client = Client::new(config, rig.now);
    let request = rig.request().unwrap();
    let init = Rig::reply_to(&request, Timestamp::ZERO, Timestamp::ZERO, |r| {
        r.stratum = 0;
        r.reference_id = ReferenceId::INIT;
    });
    rig.client.receive(rig.now, SERVER, &init).unwrap();
    assert!(rig.client.take_result().is_none());
    rig.wait();
    rig.exchange(ms(3), ms(3)).unwrap();
    assert_eq!(rig.client.take_result().unwrap().unwrap().delay, ms(6));
}

#[test]
fn rate_limiting_stops_at_the_longest_interval() {
    let mut rig = Rig::new(0);
    let mut server = *rig.server.config();
    server.kiss = Some(ReferenceId::RATE);
    rig.server = Server::new(server);
    for expected in [128, 256, 512, 1024, 1024] {
        rig.exchange(ms(1), ms(1)).unwrap();
        assert_eq!(rig.client.take_result(), Some(Err(Error::RateLimited)));
        assert_eq!(rig.client.poll_interval(), Duration::from_secs(expected));
        rig.wait();
    }
}

#[test]
fn the_server_answers_client_requests_only() {
    let mut config = ServerConfig::new(Epoch::UNIX);
    config.offset_micros = 250_000;
    let server = Server::new(config);
    let now = Instant::from_secs(1_700_000_000);
    let mut request = [0u8; 48];
    let t1 = Timestamp::new(123, 456);
    let mut req = Repr::client_request(t1);
    req.version = Version::V3;
    req.poll = 7;
    req.emit(&mut Packet::new_unchecked(&mut request[..]));
    let mut out = [0u8; 48];
    let len = server.respond(now, &request, &mut out).unwrap();
    let reply = Repr::parse(&Packet::new_checked(&out[..len]).unwrap()).unwrap();
    assert_eq!(reply.mode, Mode::Server);
    assert_eq!(
        reply.version,
        Version::V3,
        "answers in the request's version"
    );
    assert_eq!(reply.origin_timestamp, t1);
    assert_eq!(reply.poll, 7);
    assert_eq!(reply.stratum, 1);
    assert_eq!(reply.reference_id, ReferenceId(*b"SIM\0"));
    let told = Epoch::UNIX.instant(reply.transmit_timestamp, now).unwrap();
    assert_eq!(told, now + Duration::from_millis(250));
    assert_eq!(reply.receive_timestamp, reply.transmit_timestamp);

    // Not a client request, too short, too small a buffer: no reply.
    let mut not_client = request;
    not_client[0] = (not_client[0] & !0x07) | 4;
    assert!(server.respond(now, &not_client, &mut out).is_none());
    assert!(server.respond(now, &request[..47], &mut out).is_none());
    assert!(server.respond(now, &request, &mut [0u8; 47]).is_none());
}
