//! The static-zone DNS server, checked with our parser, with hickory-proto,
//! and end to end with our client.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::RData as HRData;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use seqs::dns::{Answer, Client, Config, Server, ZoneData, ZoneEntry};
use seqs::time::Instant;
use seqs::wire::dns::{
    Builder, Class, Flags, Name, Opcode, Packet, Question, RData, Rcode, Repr, Type,
};

const ZONE: &[ZoneEntry<'static>] = &[
    ZoneEntry {
        name: "www.example.com",
        ttl: 300,
        data: ZoneData::Cname("web.example.com"),
    },
    ZoneEntry {
        name: "web.example.com",
        ttl: 60,
        data: ZoneData::A(Ipv4Addr::new(192, 0, 2, 10)),
    },
    ZoneEntry {
        name: "web.example.com",
        ttl: 60,
        data: ZoneData::A(Ipv4Addr::new(192, 0, 2, 11)),
    },
    ZoneEntry {
        name: "web.example.com",
        ttl: 60,
        data: ZoneData::Aaaa(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 10)),
    },
    ZoneEntry {
        name: "loop1.example.com",
        ttl: 5,
        data: ZoneData::Cname("loop2.example.com"),
    },
    ZoneEntry {
        name: "loop2.example.com",
        ttl: 5,
        data: ZoneData::Cname("loop1.example.com"),
    },
    ZoneEntry {
        name: "bad..name",
        ttl: 5,
        data: ZoneData::A(Ipv4Addr::new(192, 0, 2, 99)),
    },
];

fn query(id: u16, host: &str, qtype: Type) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut b = Builder::new(&mut buf, id, Flags::query()).unwrap();
    b.question(&Question {
        name: Name::from_dotted(host).unwrap(),
        qtype,
        qclass: Class::IN,
    })
    .unwrap();
    let len = b.finish();
    buf.truncate(len);
    buf
}

fn respond(request: &[u8]) -> Option<Vec<u8>> {
    let mut out = [0u8; 1500];
    let len = Server::new(ZONE).respond(request, &mut out)?;
    assert!(len <= 512);
    Some(out[..len].to_vec())
}

#[test]
fn answers_a_cname_chain_authoritatively() {
    let r = respond(&query(0x1111, "WWW.example.com", Type::A)).unwrap();
    let repr = Repr::parse(&Packet::new_checked(&r[..]).unwrap()).unwrap();
    let h = repr.header();
    assert_eq!(h.id, 0x1111);
    assert!(h.flags.is_response() && h.flags.authoritative() && h.flags.recursion_desired());
    assert_eq!(h.flags.rcode(), Rcode::NO_ERROR);
    let answers: Vec<_> = repr.answers().collect();
    assert_eq!(answers.len(), 3);
    // The owner echoes the question's spelling.
    assert_eq!(answers[0].name.to_string(), "WWW.example.com");
    assert_eq!(
        answers[0].data,
        RData::Cname(Name::from_dotted("web.example.com").unwrap())
    );
    assert_eq!(answers[1].data, RData::A(Ipv4Addr::new(192, 0, 2, 10)));
    assert_eq!(answers[2].data, RData::A(Ipv4Addr::new(192, 0, 2, 11)));

    // hickory reads the same thing.
    let m = Message::from_vec(&r).unwrap();
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    assert!(m.metadata.authoritative);
    assert_eq!(m.answers.len(), 3);
    match &m.answers[0].data {
        HRData::CNAME(c) => assert_eq!(c.0.to_ascii(), "web.example.com."),
        other => panic!("{other:?}"),
    }
    match &m.answers[2].data {
        HRData::A(a) => assert_eq!(a.0, Ipv4Addr::new(192, 0, 2, 11)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nxdomain_nodata_and_cname_queries() {
    let r = respond(&query(1, "missing.example.com", Type::A)).unwrap();
    let repr = Repr::parse(&Packet::new_checked(&r[..]).unwrap()).unwrap();
    assert_eq!(repr.header().flags.rcode(), Rcode::NX_DOMAIN);
    assert_eq!(repr.answers().count(), 0);
    assert_eq!(repr.questions().count(), 1);

    // Exists, but has no MX: NOERROR with no answers.
    let r = respond(&query(2, "web.example.com", Type::MX)).unwrap();
    let repr = Repr::parse(&Packet::new_checked(&r[..]).unwrap()).unwrap();
    assert_eq!(repr.header().flags.rcode(), Rcode::NO_ERROR);
    assert_eq!(repr.answers().count(), 0);

    // AAAA through the CNAME.
    let r = respond(&query(3, "www.example.com", Type::AAAA)).unwrap();
    let repr = Repr::parse(&Packet::new_checked(&r[..]).unwrap()).unwrap();
    let types: Vec<_> = repr.answers().map(|r| r.rtype).collect();
    assert_eq!(types, [Type::CNAME, Type::AAAA]);

    // Asking for the CNAME itself does not follow it.
    let r = respond(&query(4, "www.example.com", Type::CNAME)).unwrap();
    let repr = Repr::parse(&Packet::new_checked(&r[..]).unwrap()).unwrap();
    assert_eq!(repr.answers().count(), 1);

    // A loop inside the zone ends in SERVFAIL, not a hang.
    let r = respond(&query(5, "loop1.example.com", Type::A)).unwrap();
    let repr = Repr::parse(&Packet::new_checked(&r[..]).unwrap()).unwrap();
    assert_eq!(repr.header().flags.rcode(), Rcode::SERV_FAIL);

    // Invalid zone entries are never served.
    let r = respond(&query(6, "bad.name", Type::A)).unwrap();
    let repr = Repr::parse(&Packet::new_checked(&r[..]).unwrap()).unwrap();
    assert_eq!(repr.header().flags.rcode(), Rcode::NX_DOMAIN);
}

#[test]
fn odd_requests() {
    // Too short for an id: silence.
    assert!(respond(&[0u8; 11]).is_none());
    // Responses are never answered (no reflection loops).
    let mut resp = query(7, "www.example.com", Type::A);
    resp[2] |= 0x80;
    assert!(respond(&resp).is_none());
    // A broken body: FORMERR echoing the id.
    let mut broken = query(8, "www.example.com", Type::A);
    broken.truncate(broken.len() - 3);
    let r = respond(&broken).unwrap();
    let p = Packet::new_checked(&r[..]).unwrap();
    assert_eq!((p.id(), p.flags().rcode()), (8, Rcode::FORM_ERR));
    // Other opcodes: NOTIMP.
    let mut status = query(9, "www.example.com", Type::A);
    let flags = Packet::new_checked(&status[..]).unwrap().flags();
    Packet::new_unchecked(&mut status[..]).set_flags(flags.with_opcode(Opcode::STATUS));
    let r = respond(&status).unwrap();
    assert_eq!(
        Packet::new_checked(&r[..]).unwrap().flags().rcode(),
        Rcode::NOT_IMP
    );
    // Two questions: FORMERR.
    let mut buf = vec![0u8; 512];
    let mut b = Builder::new(&mut buf, 10, Flags::query()).unwrap();
    let q = Question {
        name: Name::from_dotted("www.example.com").unwrap(),
        qtype: Type::A,
        qclass: Class::IN,
    };
    b.question(&q).unwrap();
    b.question(&q).unwrap();
    let len = b.finish();
    let r = respond(&buf[..len]).unwrap();
    assert_eq!(
        Packet::new_checked(&r[..]).unwrap().flags().rcode(),
        Rcode::FORM_ERR
    );
}

#[test]
fn answers_that_do_not_fit_set_tc() {
    let addrs: Vec<ZoneEntry<'static>> = (0..40)
        .map(|i| ZoneEntry {
            name: "many.example",
            ttl: 1,
            data: ZoneData::A(Ipv4Addr::new(198, 51, 100, i)),
        })
        .collect();
    let server = Server::new(&addrs);
    let mut out = [0u8; 512];
    let len = server
        .respond(&query(1, "many.example", Type::A), &mut out)
        .unwrap();
    let repr = Repr::parse(&Packet::new_checked(&out[..len]).unwrap()).unwrap();
    assert!(repr.header().flags.truncated());
    let n = repr.answers().count();
    assert!(n > 10 && n < 40, "{n} answers");
    // 12 + 17 question + 16 per compressed A record.
    assert_eq!(len, 12 + 18 + 16 * n);
}

#[test]
fn our_client_resolves_through_our_server() {
    let server_addr = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 53), 53);
    let mut client = Client::new(Config::default(), vec![Answer::UNSPECIFIED; 4]);
    client.set_servers(&[server_addr]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let now = Instant::from_secs(1);
    client.start(now, "www.example.com", Type::A).unwrap();
    let mut buf = [0u8; 512];
    let t = client.poll(now, &mut rng, &mut buf).unwrap();
    let mut reply = [0u8; 512];
    let len = Server::new(ZONE)
        .respond(&buf[..t.len], &mut reply)
        .unwrap();
    client
        .receive(now, t.local_port, server_addr, &reply[..len])
        .unwrap();
    let addrs: Vec<_> = client
        .answers()
        .iter()
        .map(|a| (a.address, a.ttl))
        .collect();
    assert_eq!(
        addrs,
        [
            (Ipv4Addr::new(192, 0, 2, 10).into(), 60),
            (Ipv4Addr::new(192, 0, 2, 11).into(), 60)
        ]
    );
}
