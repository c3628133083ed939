//! The DNS stub resolver against scripted servers: the normal exchange and
//! every failure path.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddrV4};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use seqs::dns::{Answer, Client, Config, Error, Reject, Resolved, Transmit};
use seqs::time::{Duration, Instant};
use seqs::wire::dns::{Builder, Class, Flags, Name, Packet, RData, Rcode, Record, Repr, Type};

const S1: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 53), 53);
const S2: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 53), 53);

struct Peer {
    client: Client<'static>,
    rng: ChaCha8Rng,
    now: Instant,
}

impl Peer {
    fn new(servers: &[SocketAddrV4], slots: usize) -> Peer {
        let mut client = Client::new(Config::default(), vec![Answer::UNSPECIFIED; slots]);
        client.set_servers(servers);
        Peer {
            client,
            rng: ChaCha8Rng::seed_from_u64(7),
            now: Instant::from_secs(100),
        }
    }

    fn start(&mut self, host: &str) {
        self.client.start(self.now, host, Type::A).unwrap();
    }

    /// The query due now, with its bytes.
    fn sent(&mut self) -> Option<(Transmit, Vec<u8>)> {
        let mut buf = [0u8; 512];
        let t = self.client.poll(self.now, &mut self.rng, &mut buf)?;
        Some((t, buf[..t.len].to_vec()))
    }

    fn advance_to_deadline(&mut self) {
        self.now = self.client.poll_at().expect("a deadline");
    }

    fn deliver(&mut self, t: &Transmit, from: SocketAddrV4, bytes: &[u8]) -> Result<(), Reject> {
        self.client.receive(self.now, t.local_port, from, bytes)
    }
}

fn name(text: &'static str) -> Name<'static> {
    Name::from_dotted(text).unwrap()
}

fn a(owner: &'static str, addr: [u8; 4], ttl: u32) -> Record<'static> {
    Record {
        name: name(owner),
        rtype: Type::A,
        class: Class::IN,
        ttl,
        data: RData::A(Ipv4Addr::from(addr)),
    }
}

fn cname(owner: &'static str, target: &'static str, ttl: u32) -> Record<'static> {
    Record {
        name: name(owner),
        rtype: Type::CNAME,
        class: Class::IN,
        ttl,
        data: RData::Cname(name(target)),
    }
}

/// A reply to `query` echoing its id and question.
fn reply(query: &[u8], flags: impl Fn(Flags) -> Flags, answers: &[Record<'_>]) -> Vec<u8> {
    let packet = Packet::new_checked(query).unwrap();
    let q = Repr::parse(&packet).unwrap();
    let mut buf = vec![0u8; 1500];
    let base = Flags::response_to(packet.flags()).with_recursion_available(true);
    let mut b = Builder::new(&mut buf, packet.id(), flags(base)).unwrap();
    for question in q.questions() {
        b.question(&question).unwrap();
    }
    for r in answers {
        b.answer(r).unwrap();
    }
    let len = b.finish();
    buf.truncate(len);
    buf
}

fn ok(f: Flags) -> Flags {
    f
}

fn question_of(query: &[u8]) -> String {
    let repr = Repr::parse(&Packet::new_checked(query).unwrap()).unwrap();
    let q = repr.questions().next().unwrap();
    assert_eq!((q.qtype, q.qclass), (Type::A, Class::IN));
    q.name.to_string()
}

fn v4(addr: [u8; 4], ttl: u32) -> Answer {
    Answer {
        address: IpAddr::V4(Ipv4Addr::from(addr)),
        ttl,
    }
}

#[test]
fn resolves_several_addresses_with_ttls() {
    let mut p = Peer::new(&[S1], 4);
    p.start("www.example.com");
    assert_eq!(p.client.poll_at(), Some(p.now));
    let (t, q) = p.sent().unwrap();
    assert_eq!(t.remote, S1);
    assert!(t.local_port >= 49152);
    assert_eq!(question_of(&q), "www.example.com");
    let header = Packet::new_checked(&q[..]).unwrap().flags();
    assert!(header.recursion_desired() && !header.is_response());
    assert!(p.sent().is_none(), "nothing more before the timeout");
    // hickory reads our query the same way.
    let hq = hickory_proto::op::Message::from_vec(&q).unwrap();
    assert!(hq.metadata.recursion_desired);
    assert_eq!(hq.queries.len(), 1);
    assert_eq!(hq.queries[0].name().to_ascii(), "www.example.com.");
    assert_eq!(u16::from(hq.queries[0].query_type()), 1);

    let r = reply(
        &q,
        ok,
        &[
            a("www.example.com", [203, 0, 113, 1], 300),
            a("WWW.EXAMPLE.COM", [203, 0, 113, 2], 60),
            // Not ours: another owner.
            a("other.example.com", [203, 0, 113, 3], 60),
        ],
    );
    p.deliver(&t, S1, &r).unwrap();
    assert_eq!(
        p.client.result(),
        Some(Ok(Resolved {
            count: 2,
            omitted: 0
        }))
    );
    assert_eq!(
        p.client.answers(),
        [v4([203, 0, 113, 1], 300), v4([203, 0, 113, 2], 60)]
    );
    assert_eq!(p.client.poll_at(), None);
    assert_eq!(p.deliver(&t, S1, &r), Err(Reject::NotQuerying));
}

#[test]
fn aaaa_records_are_returned_and_storage_overflow_is_counted() {
    let mut p = Peer::new(&[S1], 2);
    p.start("dual.example");
    let (t, q) = p.sent().unwrap();
    let v6 = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
    let aaaa = Record {
        name: name("dual.example"),
        rtype: Type::AAAA,
        class: Class::IN,
        ttl: 30,
        data: RData::Aaaa(v6),
    };
    let r = reply(
        &q,
        ok,
        &[
            aaaa,
            a("dual.example", [192, 0, 2, 1], 40),
            a("dual.example", [192, 0, 2, 2], 40),
        ],
    );
    p.deliver(&t, S1, &r).unwrap();
    assert_eq!(
        p.client.result(),
        Some(Ok(Resolved {
            count: 2,
            omitted: 1
        }))
    );
    assert_eq!(
        p.client.answers(),
        [
            Answer {
                address: IpAddr::V6(v6),
                ttl: 30
            },
            v4([192, 0, 2, 1], 40)
        ]
    );
}

#[test]
fn retries_across_servers_with_backoff_then_times_out() {
    let mut p = Peer::new(&[S1, S2], 4);
    let t0 = p.now;
    p.start("lost.example");
    let (first, q1) = p.sent().unwrap();
    assert_eq!(first.remote, S1);
    p.advance_to_deadline();
    assert_eq!(p.now, t0 + Duration::from_secs(2));
    let (second, q2) = p.sent().unwrap();
    assert_eq!(second.remote, S2);
    // Same transaction: id and port kept, so a late reply still counts.
    assert_eq!(second.local_port, first.local_port);
    assert_eq!(q1, q2);
    p.advance_to_deadline();
    assert_eq!(p.now, t0 + Duration::from_secs(4));
    let (third, _) = p.sent().unwrap();
    assert_eq!(third.remote, S1);
    p.advance_to_deadline();
    assert_eq!(p.now, t0 + Duration::from_secs(8), "second round doubles");
    let (fourth, _) = p.sent().unwrap();
    assert_eq!(fourth.remote, S2);
    p.advance_to_deadline();
    assert_eq!(p.now, t0 + Duration::from_secs(12));
    assert!(p.sent().is_none());
    assert_eq!(p.client.result(), Some(Err(Error::Timeout)));
    assert_eq!(p.client.poll_at(), None);
}

#[test]
fn a_late_reply_to_an_earlier_transmission_is_accepted() {
    let mut p = Peer::new(&[S1, S2], 4);
    p.start("slow.example");
    let (t, q) = p.sent().unwrap();
    p.advance_to_deadline();
    p.sent().unwrap();
    let r = reply(&q, ok, &[a("slow.example", [192, 0, 2, 9], 5)]);
    p.deliver(&t, S1, &r).unwrap();
    assert_eq!(p.client.answers(), [v4([192, 0, 2, 9], 5)]);
}

#[test]
fn ids_and_ports_differ_between_lookups() {
    let mut p = Peer::new(&[S1], 1);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..20 {
        p.start("x.example");
        let (t, q) = p.sent().unwrap();
        let id = Packet::new_checked(&q[..]).unwrap().id();
        seen.insert((id, t.local_port));
    }
    assert_eq!(seen.len(), 20);
}

#[test]
fn replies_that_do_not_match_are_ignored() {
    let mut p = Peer::new(&[S1, S2], 4);
    p.start("www.example.com");
    let (t, q) = p.sent().unwrap();
    let good = reply(&q, ok, &[a("www.example.com", [192, 0, 2, 1], 60)]);

    let mut wrong_id = good.clone();
    wrong_id[0] ^= 0xff;
    assert_eq!(p.deliver(&t, S1, &wrong_id), Err(Reject::WrongId));
    // S2 was not asked yet.
    assert_eq!(p.deliver(&t, S2, &good), Err(Reject::WrongSource));
    let spoof = SocketAddrV4::new(Ipv4Addr::new(203, 0, 113, 66), 53);
    assert_eq!(p.deliver(&t, spoof, &good), Err(Reject::WrongSource));
    let wrong_port = SocketAddrV4::new(*S1.ip(), 5353);
    assert_eq!(p.deliver(&t, wrong_port, &good), Err(Reject::WrongSource));
    assert_eq!(
        p.client.receive(p.now, t.local_port ^ 1, S1, &good),
        Err(Reject::WrongPort)
    );
    // Echo of our own query (QR clear).
    assert_eq!(p.deliver(&t, S1, &q), Err(Reject::NotAResponse));
    // Another question, same id.
    let mut buf = vec![0u8; 512];
    let id = Packet::new_checked(&q[..]).unwrap().id();
    let mut b = Builder::new(&mut buf, id, Flags::response_to(Flags::query())).unwrap();
    b.question(&seqs::wire::dns::Question {
        name: name("evil.example"),
        qtype: Type::A,
        qclass: Class::IN,
    })
    .unwrap();
    let len = b.finish();
    assert_eq!(p.deliver(&t, S1, &buf[..len]), Err(Reject::WrongQuestion));
    // Malformed: truncated in the middle of the answer.
    assert_eq!(
        p.deliver(&t, S1, &good[..good.len() - 2]),
        Err(Reject::Malformed)
    );
    assert_eq!(p.deliver(&t, S1, &[0u8; 5]), Err(Reject::Malformed));
    assert!(p.client.is_busy());
    p.deliver(&t, S1, &good).unwrap();
    assert_eq!(p.client.answers(), [v4([192, 0, 2, 1], 60)]);
}

#[test]
fn follows_a_cname_chain_within_one_answer() {
    let mut p = Peer::new(&[S1], 4);
    p.start("www.example.com");
    let (t, q) = p.sent().unwrap();
    let r = reply(
        &q,
        ok,
        &[
            cname("www.example.com", "edge.cdn.example.net", 3600),
            cname("edge.cdn.example.net", "node7.cdn.example.net", 120),
            a("node7.cdn.example.net", [203, 0, 113, 7], 600),
            a("node7.cdn.example.net", [203, 0, 113, 8], 20),
        ],
    );
    p.deliver(&t, S1, &r).unwrap();
    // TTLs are capped by the shortest link of the chain.
    assert_eq!(
        p.client.answers(),
        [v4([203, 0, 113, 7], 120), v4([203, 0, 113, 8], 20)]
    );
}

#[test]
fn asks_again_for_a_cname_target_without_addresses() {
    let mut p = Peer::new(&[S1], 4);
    p.start("alias.example");
    let (t, q) = p.sent().unwrap();
    let r = reply(&q, ok, &[cname("alias.example", "real.example", 50)]);
    p.deliver(&t, S1, &r).unwrap();
    assert!(p.client.is_busy());
    let (t2, q2) = p.sent().unwrap();
    assert_eq!(question_of(&q2), "real.example");
    // The old transaction is over: the new query came from a fresh port.
    assert_ne!(t2.local_port, t.local_port);
    assert_eq!(p.deliver(&t, S1, &r), Err(Reject::WrongPort));
    let r2 = reply(&q2, ok, &[a("real.example", [192, 0, 2, 80], 500)]);
    p.deliver(&t2, S1, &r2).unwrap();
    assert_eq!(p.client.answers(), [v4([192, 0, 2, 80], 50)]);
}

#[test]
fn cname_loops_are_detected() {
    // Inside one answer.
    let mut p = Peer::new(&[S1], 4);
    p.start("a.example");
    let (t, q) = p.sent().unwrap();
    let r = reply(
        &q,
        ok,
        &[
            cname("a.example", "b.example", 5),
            cname("b.example", "A.EXAMPLE", 5),
        ],
    );
    p.deliver(&t, S1, &r).unwrap();
    assert_eq!(p.client.result(), Some(Err(Error::CnameLoop)));

    // Spanning two queries: a -> b, then b -> a.
    p.start("a.example");
    let (t, q) = p.sent().unwrap();
    p.deliver(
        &t,
        S1,
        &reply(&q, ok, &[cname("a.example", "b.example", 5)]),
    )
    .unwrap();
    let (t, q) = p.sent().unwrap();
    p.deliver(
        &t,
        S1,
        &reply(&q, ok, &[cname("b.example", "a.example", 5)]),
    )
    .unwrap();
    assert_eq!(p.client.result(), Some(Err(Error::CnameLoop)));

    // A self-referencing CNAME.
    p.start("self.example");
    let (t, q) = p.sent().unwrap();
    p.deliver(
        &t,
        S1,
        &reply(&q, ok, &[cname("self.example", "self.example", 5)]),
    )
    .unwrap();
    assert_eq!(p.client.result(), Some(Err(Error::CnameLoop)));
}

#[test]
fn overlong_cname_chains_are_cut() {
    const NAMES: [&str; 11] = [
        "n0.example",
        "n1.example",
        "n2.example",
        "n3.example",
        "n4.example",
        "n5.example",
        "n6.example",
        "n7.example",
        "n8.example",
        "n9.example",
        "n10.example",
    ];
    let mut p = Peer::new(&[S1], 4);
    p.start(NAMES[0]);
    let (t, q) = p.sent().unwrap();
    let chain: Vec<_> = NAMES.windows(2).map(|w| cname(w[0], w[1], 5)).collect();
    p.deliver(&t, S1, &reply(&q, ok, &chain)).unwrap();
    assert_eq!(p.client.result(), Some(Err(Error::CnameChainTooLong)));
}

#[test]
fn truncated_replies_are_a_distinct_error() {
    let mut p = Peer::new(&[S1], 4);
    p.start("big.example");
    let (t, q) = p.sent().unwrap();
    let r = reply(
        &q,
        |f| f.with_truncated(true),
        &[a("big.example", [192, 0, 2, 1], 1)],
    );
    p.deliver(&t, S1, &r).unwrap();
    assert_eq!(p.client.result(), Some(Err(Error::Truncated)));
    assert_eq!(p.client.answers(), []);
}

#[test]
fn nxdomain_nodata_and_server_failures() {
    let mut p = Peer::new(&[S1, S2], 4);
    p.start("nope.example");
    let (t, q) = p.sent().unwrap();
    p.deliver(&t, S1, &reply(&q, |f| f.with_rcode(Rcode::NX_DOMAIN), &[]))
        .unwrap();
    assert_eq!(p.client.result(), Some(Err(Error::NameError)));

    p.start("empty.example");
    let (t, q) = p.sent().unwrap();
    p.deliver(&t, S1, &reply(&q, ok, &[])).unwrap();
    assert_eq!(p.client.result(), Some(Err(Error::NoData)));

    // SERVFAIL moves on to the next server at once; its answer wins.
    p.start("flaky.example");
    let (t, q) = p.sent().unwrap();
    let asked_at = p.now;
    p.deliver(&t, S1, &reply(&q, |f| f.with_rcode(Rcode::SERV_FAIL), &[]))
        .unwrap();
    assert_eq!(p.client.poll_at(), Some(asked_at));
    let (t2, q2) = p.sent().unwrap();
    assert_eq!(t2.remote, S2);
    p.deliver(
        &t2,
        S2,
        &reply(&q2, ok, &[a("flaky.example", [192, 0, 2, 4], 9)]),
    )
    .unwrap();
    assert_eq!(p.client.answers(), [v4([192, 0, 2, 4], 9)]);

    // Every server refuses: the refusal is reported, not a timeout.
    p.start("refused.example");
    for _ in 0..4 {
        let (t, q) = p.sent().unwrap();
        let refused = reply(&q, |f| f.with_rcode(Rcode::REFUSED), &[]);
        p.deliver(&t, t.remote, &refused).unwrap();
    }
    assert!(p.sent().is_none());
    assert_eq!(
        p.client.result(),
        Some(Err(Error::ServerFailure(Rcode::REFUSED)))
    );
}

#[test]
fn bad_requests_are_refused_up_front() {
    let mut p = Peer::new(&[], 4);
    assert_eq!(
        p.client.start(p.now, "x.example", Type::A),
        Err(Error::NoServers)
    );
    p.client.set_servers(&[S1]);
    assert_eq!(
        p.client.start(p.now, "a..b", Type::A),
        Err(Error::InvalidName)
    );
    assert_eq!(p.client.start(p.now, ".", Type::A), Err(Error::InvalidName));
    assert_eq!(
        p.client.start(p.now, "x.example", Type::MX),
        Err(Error::UnsupportedType)
    );
    p.client.start(p.now, "x.example", Type::AAAA).unwrap();
    let mut tiny = [0u8; 20];
    assert!(p.client.poll(p.now, &mut p.rng, &mut tiny).is_none());
    assert_eq!(p.client.result(), Some(Err(Error::BufferTooSmall)));
}

/// A compressed CNAME + A answer written by hickory-proto, as a recursive
/// resolver would send it.
#[test]
fn accepts_a_compressed_answer_built_by_hickory() {
    use hickory_proto::op::{Message, OpCode};
    use hickory_proto::rr::rdata::{A, CNAME};
    use hickory_proto::rr::{Name as HName, RData as HRData, Record as HRecord};

    let mut p = Peer::new(&[S1], 4);
    p.start("www.example.org");
    let (t, q) = p.sent().unwrap();
    let query = Message::from_vec(&q).unwrap();
    let mut m = Message::response(query.metadata.id, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.metadata.recursion_available = true;
    m.add_queries(query.queries.iter().cloned());
    let www = HName::from_ascii("www.example.org.").unwrap();
    let edge = HName::from_ascii("edge.example.org.").unwrap();
    m.add_answer(HRecord::from_rdata(
        www,
        90,
        HRData::CNAME(CNAME(edge.clone())),
    ));
    m.add_answer(HRecord::from_rdata(
        edge,
        30,
        HRData::A(A(Ipv4Addr::new(198, 51, 100, 7))),
    ));
    let bytes = m.to_vec().unwrap();
    p.deliver(&t, S1, &bytes).unwrap();
    assert_eq!(p.client.answers(), [v4([198, 51, 100, 7], 30)]);
}
