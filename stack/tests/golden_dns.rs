//! `dns_dnsmasq.pcap` and `dns_bind.pcap`: dig asking dnsmasq and BIND the
//! same two questions (a CNAME chain to two addresses with EDNS, then an
//! NXDOMAIN), decoded down to every record.
//!
//! Re-emission goes through our `Builder`, which compresses every name,
//! RDATA included, against the names already written. That is exactly
//! BIND's choice, so BIND's messages (and both servers' queries and
//! dnsmasq's NXDOMAIN) round-trip byte for byte. dnsmasq spells CNAME
//! targets out in full, so for its answer only
//! `parse(emit(parse(x))) == parse(x)` holds.

#[path = "golden/layers.rs"]
mod layers;
mod support;

use std::net::Ipv4Addr;

use layers::*;
use seqs::dns::{Server, ZoneData, ZoneEntry};
use seqs::time::Instant;
use seqs::wire::dns::{
    Builder, Class, Flags, Header, Name, Opcode, Packet, Question, RData, Rcode, Record, Repr, Type,
};

const DNSMASQ: &str = "dns_dnsmasq.pcap";
const BIND: &str = "dns_bind.pcap";

/// A decoded message and the UDP datagram around it.
fn dns(frame: &[u8]) -> (Udp<'_>, Repr<'_>) {
    let d = layers::udp(frame);
    let repr = Repr::parse(&Packet::new_checked(d.payload).unwrap()).unwrap();
    assert_eq!(
        repr.wire_len(),
        d.payload.len(),
        "nothing after the message"
    );
    (d, repr)
}

fn name(dotted: &str) -> Name<'_> {
    Name::from_dotted(dotted).unwrap()
}

fn record<'a>(owner: &'a str, ttl: u32, data: RData<'a>) -> Record<'a> {
    let rtype = data.record_type().expect("decoded record data");
    Record {
        name: name(owner),
        rtype,
        class: Class::IN,
        ttl,
        data,
    }
}

/// dig's EDNS record: UDP size 1232 in the class, version 0, no flags, no data.
fn opt() -> Record<'static> {
    Record {
        name: Name::ROOT,
        rtype: Type::OPT,
        class: Class(1232),
        ttl: 0,
        data: RData::Other(&[]),
    }
}

/// One frame, as in the README: id, flags, counts QD/AN/NS/AR, IP DF.
type HeaderRow = (u16, u16, [u16; 4], bool);

#[rustfmt::skip]
const HEADERS: [(&str, [HeaderRow; 4]); 2] = [
    (DNSMASQ, [
        (0x9307, 0x0120, [1, 0, 0, 1], false),
        (0x9307, 0x8580, [1, 4, 0, 1], true),
        (0xf55b, 0x0120, [1, 0, 0, 0], false),
        (0xf55b, 0x8183, [1, 0, 0, 0], true),
    ]),
    (BIND, [
        (0x05c3, 0x0120, [1, 0, 0, 1], false),
        (0x05c3, 0x8500, [1, 4, 0, 1], false),
        (0xd76d, 0x0120, [1, 0, 0, 0], false),
        (0xd76d, 0x8503, [1, 0, 1, 0], false),
    ]),
];

#[test]
fn headers_and_addresses() {
    for (file, rows) in HEADERS {
        let frames = capture(file);
        assert_eq!(frames.len(), rows.len());
        for (i, (frame, (id, flags, counts, df))) in frames.iter().zip(rows).enumerate() {
            let at = format!("{file} frame {}", i + 1);
            let (d, repr) = dns(frame);
            // Queries (RD and AD, 0x0020, which `Flags` does not model) go
            // from dig's port 40053, then 40054, to 53.
            let query = i % 2 == 0;
            let dig = 40053 + (i / 2) as u16;
            let (ports, hosts) = if query {
                ((dig, 53), (CLIENT, SERVER))
            } else {
                ((53, dig), (SERVER, CLIENT))
            };
            assert_eq!((d.udp.src_port, d.udp.dst_port), ports, "{at}");
            assert_eq!((d.ip.src_addr, d.ip.dst_addr), hosts, "{at}");
            assert_eq!(d.ip.dont_frag, df, "{at}");
            let h = repr.header();
            assert_eq!((h.id, h.flags), (id, Flags(flags)), "{at}");
            let got = [
                h.question_count,
                h.answer_count,
                h.authority_count,
                h.additional_count,
            ];
            assert_eq!(got, counts, "{at}");
            assert_eq!(h.flags.opcode(), Opcode::QUERY, "{at}");
            assert_eq!(h.flags.is_response(), !query, "{at}");
            assert!(h.flags.recursion_desired(), "{at}");
        }
    }
}

#[test]
fn reply_flags_decode() {
    // (file, frame index, AA, RA, rcode) of each reply.
    let replies = [
        (DNSMASQ, 1, true, true, Rcode::NO_ERROR),
        (DNSMASQ, 3, false, true, Rcode::NX_DOMAIN),
        (BIND, 1, true, false, Rcode::NO_ERROR),
        (BIND, 3, true, false, Rcode::NX_DOMAIN),
    ];
    for (file, i, aa, ra, rcode) in replies {
        let frame = &capture(file)[i];
        let flags = dns(frame).1.header().flags;
        assert_eq!(
            (
                flags.authoritative(),
                flags.recursion_available(),
                flags.truncated(),
                flags.rcode()
            ),
            (aa, ra, false, rcode),
            "{file} frame {}",
            i + 1
        );
    }
}

#[test]
fn questions_and_edns() {
    for file in [DNSMASQ, BIND] {
        let frames = capture(file);
        for (i, frame) in frames.iter().enumerate() {
            let (_, repr) = dns(frame);
            let qname = ["www.example.test", "missing.example.test"][i / 2];
            let questions: Vec<Question> = repr.questions().collect();
            let expected = Question {
                name: name(qname),
                qtype: Type::A,
                qclass: Class::IN,
            };
            assert_eq!(questions, [expected], "{file} frame {}", i + 1);
            let additionals: Vec<Record> = repr.additionals().collect();
            let edns = if i < 2 { vec![opt()] } else { vec![] };
            assert_eq!(additionals, edns, "{file} frame {}", i + 1);
        }
    }
}

#[test]
fn cname_chain_to_two_addresses() {
    let chain = [
        record(
            "www.example.test",
            300,
            RData::Cname(name("web.example.test")),
        ),
        record(
            "web.example.test",
            300,
            RData::Cname(name("host.example.test")),
        ),
        record(
            "host.example.test",
            300,
            RData::A(Ipv4Addr::new(192, 0, 2, 10)),
        ),
        record(
            "host.example.test",
            300,
            RData::A(Ipv4Addr::new(192, 0, 2, 11)),
        ),
    ];
    for file in [DNSMASQ, BIND] {
        let frame = &capture(file)[1];
        let answers: Vec<Record> = dns(frame).1.answers().collect();
        assert_eq!(answers, chain, "{file}");
    }
}

/// Offset of `part` within `whole`, when it is a subslice of it.
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    let at = part.as_ptr() as usize - whole.as_ptr() as usize;
    assert!(at + part.len() <= whole.len());
    at
}

#[test]
fn nxdomain_from_bind_carries_the_soa() {
    let frame = &capture(BIND)[3];
    let (d, repr) = dns(frame);
    let message = d.payload;
    let [soa] = repr.authorities().collect::<Vec<_>>()[..] else {
        panic!("one authority record");
    };
    assert_eq!(
        (soa.name, soa.rtype, soa.class, soa.ttl),
        (name("example.test"), Type::SOA, Class::IN, 60)
    );
    let RData::Other(rdata) = soa.data else {
        panic!("SOA is kept raw");
    };
    // The names in the SOA are compressed against the question: read them
    // at their place in the message.
    let (mname, at) = Name::parse(message, offset_in(message, rdata)).unwrap();
    let (rname, at) = Name::parse(message, at).unwrap();
    assert_eq!(
        (mname, rname),
        (name("ns.example.test"), name("hostmaster.example.test"))
    );
    let numbers: Vec<u32> = message[at..]
        .chunks(4)
        .map(|c| u32::from_be_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(
        numbers,
        [1, 3600, 900, 604_800, 60],
        "serial, refresh, retry, expire, minimum"
    );
    assert_eq!(repr.answers().count() + repr.additionals().count(), 0);
}

/// Writes `repr` again with our `Builder`.
fn reemit(repr: &Repr<'_>) -> Vec<u8> {
    let mut buf = vec![0; 512];
    let Header { id, flags, .. } = repr.header();
    let mut b = Builder::new(&mut buf, id, flags).unwrap();
    repr.questions().for_each(|q| b.question(&q).unwrap());
    repr.answers().for_each(|r| b.answer(&r).unwrap());
    repr.authorities().for_each(|r| b.authority(&r).unwrap());
    repr.additionals().for_each(|r| b.additional(&r).unwrap());
    let len = b.finish();
    buf.truncate(len);
    buf
}

/// Everything a message says, for comparing messages written differently.
fn meaning<'a>(repr: &Repr<'a>) -> (Header, Vec<Question<'a>>, Vec<Vec<Record<'a>>>) {
    let records = [repr.answers(), repr.authorities(), repr.additionals()];
    (
        repr.header(),
        repr.questions().collect(),
        records.map(Iterator::collect).into(),
    )
}

#[test]
fn our_compression_reproduces_bind_byte_for_byte() {
    for frame in capture(BIND) {
        let (d, repr) = dns(&frame);
        assert_eq!(reemit(&repr), d.payload);
    }
    for i in [0, 2, 3] {
        let frame = &capture(DNSMASQ)[i];
        let (d, repr) = dns(frame);
        assert_eq!(reemit(&repr), d.payload, "dnsmasq frame {}", i + 1);
    }
}

#[test]
fn dnsmasq_answer_reemitted_means_the_same_and_matches_bind() {
    let frame = &capture(DNSMASQ)[1];
    let (d, repr) = dns(frame);
    let ours = reemit(&repr);
    assert_eq!(d.payload.len(), 138);
    let again = Repr::parse(&Packet::new_checked(&ours[..]).unwrap()).unwrap();
    assert_eq!(meaning(&again), meaning(&repr));
    // Compressed our way, dnsmasq's answer is BIND's but for id and flags.
    let bind = &capture(BIND)[1];
    assert_eq!(ours[4..], dns(bind).0.payload[4..]);
}

/// The records of the capture's zone that our server can hold (no SOA, NS).
const ZONE: &[ZoneEntry<'static>] = &[
    ZoneEntry {
        name: "www.example.test",
        ttl: 300,
        data: ZoneData::Cname("web.example.test"),
    },
    ZoneEntry {
        name: "web.example.test",
        ttl: 300,
        data: ZoneData::Cname("host.example.test"),
    },
    ZoneEntry {
        name: "host.example.test",
        ttl: 300,
        data: ZoneData::A(Ipv4Addr::new(192, 0, 2, 10)),
    },
    ZoneEntry {
        name: "host.example.test",
        ttl: 300,
        data: ZoneData::A(Ipv4Addr::new(192, 0, 2, 11)),
    },
];

#[test]
fn stack_answers_dig_like_bind_without_edns_or_soa() {
    let frames = capture(BIND);
    let mut stack = support::silent_stack(1);
    stack
        .add_dns_server(Server::new(ZONE), support::udp_socket(4, 4096))
        .unwrap();
    let now = Instant::from_secs(1);
    learn_client(&mut stack, now);
    let mut answer = |query: &[u8]| {
        stack.receive(now, query);
        let mut sent = transmit_all(&mut stack, now);
        assert_eq!(sent.len(), 1, "one answer");
        sent.remove(0)
    };
    // Our server does not speak EDNS, so it sends no OPT: otherwise its
    // answer is BIND's, byte for byte.
    let ours = answer(&frames[0]);
    let (d, repr) = dns(&ours);
    assert_eq!((d.ip.dst_addr, d.udp.dst_port), (CLIENT, 40053));
    let bind = dns(&frames[1]).0.payload;
    let opt_len = 1 + 2 + 2 + 4 + 2; // root name, type, class, TTL, RDLENGTH
    let mut expected = bind[..bind.len() - opt_len].to_vec();
    expected[11] = 0; // ARCOUNT
    assert_eq!(d.payload, expected);
    assert_eq!(repr.answers().count(), 4);
    // NXDOMAIN like BIND's header, but without its SOA (as dnsmasq does).
    let ours = answer(&frames[2]);
    let (d, repr) = dns(&ours);
    let bind = dns(&frames[3]).1;
    let h = repr.header();
    assert_eq!((h.id, h.flags), (bind.header().id, bind.header().flags));
    assert_eq!(
        (h.answer_count, h.authority_count, h.additional_count),
        (0, 0, 0)
    );
    assert_eq!(d.udp.dst_port, 40054);
}
