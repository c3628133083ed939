//! DNS wire format: differential tests against hickory-proto, round trips and
//! adversarial input.

use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, NULL};
use hickory_proto::rr::{DNSClass, Name as HName, RData as HRData, Record as HRecord, RecordType};
use proptest::prelude::*;
use seqs::wire::dns::Question;
use seqs::wire::dns::{
    Builder, Class, Flags, Name, Opcode, Packet, RData, Rcode, Record, Repr, Section, Type,
};
use seqs::wire::Error;

/// A message described independently of either implementation.
#[derive(Debug, Clone, PartialEq)]
struct Model {
    id: u16,
    response: bool,
    opcode: u8,
    authoritative: bool,
    truncated: bool,
    recursion_desired: bool,
    recursion_available: bool,
    rcode: u8,
    questions: Vec<(Vec<String>, u16, u16)>,
    sections: [Vec<ModelRecord>; 3],
}

#[derive(Debug, Clone, PartialEq)]
struct ModelRecord {
    name: Vec<String>,
    class: u16,
    ttl: u32,
    data: ModelData,
}

#[derive(Debug, Clone, PartialEq)]
enum ModelData {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(Vec<String>),
    /// A private-use type (0xff00 + n) with opaque, non-empty data.
    Raw(u16, Vec<u8>),
}

impl ModelRecord {
    fn rtype(&self) -> u16 {
        match &self.data {
            ModelData::A(_) => 1,
            ModelData::Aaaa(_) => 28,
            ModelData::Cname(_) => 5,
            ModelData::Raw(t, _) => *t,
        }
    }
}

/// Names drawn from a small pool so that suffixes repeat and compression
/// has work to do; mixed case checks that case survives.
fn name_strategy() -> impl Strategy<Value = Vec<String>> {
    let label = prop_oneof![
        Just("www".to_string()),
        Just("Example".to_string()),
        Just("com".to_string()),
        Just("cdn".to_string()),
        "[a-zA-Z0-9-]{1,12}",
        "[a-z]{63}",
    ];
    prop::collection::vec(label, 0..5).prop_filter("name longer than 255 bytes", |labels| {
        labels.iter().map(|l| l.len() + 1).sum::<usize>() < 255
    })
}

fn record_strategy() -> impl Strategy<Value = ModelRecord> {
    let data = prop_oneof![
        any::<[u8; 4]>().prop_map(|b| ModelData::A(Ipv4Addr::from(b))),
        any::<[u8; 16]>().prop_map(|b| ModelData::Aaaa(Ipv6Addr::from(b))),
        name_strategy().prop_map(ModelData::Cname),
        (0u16..16, prop::collection::vec(any::<u8>(), 1..40))
            .prop_map(|(t, d)| ModelData::Raw(0xff00 + t, d)),
    ];
    (
        name_strategy(),
        prop_oneof![Just(1u16), Just(3u16)],
        any::<u32>(),
        data,
    )
        .prop_map(|(name, class, ttl, data)| ModelRecord {
            name,
            class,
            ttl,
            data,
        })
}

fn model_strategy() -> impl Strategy<Value = Model> {
    let question = (
        name_strategy(),
        prop_oneof![Just(1u16), Just(5), Just(28), Just(15), Just(16)],
        prop_oneof![Just(1u16), Just(3)],
    );
    let records = || prop::collection::vec(record_strategy(), 0..4);
    (
        any::<(u16, bool, bool, bool, bool, bool)>(),
        prop_oneof![Just(0u8), Just(2), Just(4), Just(5)],
        0u8..16,
        prop::collection::vec(question, 0..3),
        (records(), records(), records()),
    )
        .prop_map(
            |((id, qr, aa, tc, rd, ra), opcode, rcode, questions, s)| Model {
                id,
                response: qr,
                opcode,
                authoritative: aa,
                truncated: tc,
                recursion_desired: rd,
                recursion_available: ra,
                rcode,
                questions,
                sections: [s.0, s.1, s.2],
            },
        )
}

fn dotted(labels: &[String]) -> String {
    labels.join(".")
}

/// Labels as text, byte for byte (mutated messages hold arbitrary bytes).
fn latin1(label: &[u8]) -> String {
    label.iter().map(|&b| char::from(b)).collect()
}

fn our_labels(name: &Name<'_>) -> Vec<String> {
    name.labels().map(latin1).collect()
}

fn hickory_labels(name: &HName) -> Vec<String> {
    name.iter().map(latin1).collect()
}

fn hickory_name(labels: &[String]) -> HName {
    let mut name = HName::from_labels(labels.iter().map(|l| l.as_bytes())).unwrap();
    name.set_fqdn(true);
    name
}

fn flags_of(m: &Model) -> Flags {
    Flags::default()
        .with_response(m.response)
        .with_opcode(Opcode::from_bits(m.opcode))
        .with_authoritative(m.authoritative)
        .with_truncated(m.truncated)
        .with_recursion_desired(m.recursion_desired)
        .with_recursion_available(m.recursion_available)
        .with_rcode(Rcode::from_bits(m.rcode))
}

/// Emits `m` with our builder.
fn emit_ours(m: &Model) -> Vec<u8> {
    let mut buf = vec![0u8; 8192];
    let names: Vec<String> = m.questions.iter().map(|q| dotted(&q.0)).collect();
    let mut b = Builder::new(&mut buf, m.id, flags_of(m)).unwrap();
    for (q, text) in m.questions.iter().zip(&names) {
        let question = Question {
            name: Name::from_dotted(text).unwrap(),
            qtype: Type(q.1),
            qclass: Class(q.2),
        };
        b.question(&question).unwrap();
    }
    let sections = [Section::Answer, Section::Authority, Section::Additional];
    for (section, records) in sections.into_iter().zip(&m.sections) {
        for r in records {
            let owner = dotted(&r.name);
            let target = match &r.data {
                ModelData::Cname(n) => dotted(n),
                _ => String::new(),
            };
            let data = match &r.data {
                ModelData::A(a) => RData::A(*a),
                ModelData::Aaaa(a) => RData::Aaaa(*a),
                ModelData::Cname(_) => RData::Cname(Name::from_dotted(&target).unwrap()),
                ModelData::Raw(_, d) => RData::Other(d),
            };
            let record = Record {
                name: Name::from_dotted(&owner).unwrap(),
                rtype: Type(r.rtype()),
                class: Class(r.class),
                ttl: r.ttl,
                data,
            };
            b.record(section, &record).unwrap();
        }
    }
    let len = b.finish();
    buf.truncate(len);
    buf
}

/// Decodes with our parser back into a model.
fn decode_ours(bytes: &[u8]) -> Model {
    let repr = Repr::parse(&Packet::new_checked(bytes).unwrap()).unwrap();
    let h = repr.header();
    let record = |r: Record<'_>| ModelRecord {
        name: our_labels(&r.name),
        class: r.class.0,
        ttl: r.ttl,
        data: match r.data {
            RData::A(a) => ModelData::A(a),
            RData::Aaaa(a) => ModelData::Aaaa(a),
            RData::Cname(n) => ModelData::Cname(our_labels(&n)),
            RData::Other(d) => ModelData::Raw(r.rtype.0, d.to_vec()),
        },
    };
    Model {
        id: h.id,
        response: h.flags.is_response(),
        opcode: h.flags.opcode().bits(),
        authoritative: h.flags.authoritative(),
        truncated: h.flags.truncated(),
        recursion_desired: h.flags.recursion_desired(),
        recursion_available: h.flags.recursion_available(),
        rcode: h.flags.rcode().bits(),
        questions: repr
            .questions()
            .map(|q| (our_labels(&q.name), q.qtype.0, q.qclass.0))
            .collect(),
        sections: [
            repr.answers().map(record).collect(),
            repr.authorities().map(record).collect(),
            repr.additionals().map(record).collect(),
        ],
    }
}

fn to_hickory(m: &Model) -> Message {
    let kind = if m.response {
        MessageType::Response
    } else {
        MessageType::Query
    };
    let mut msg = Message::new(m.id, kind, OpCode::from_u8(m.opcode));
    msg.metadata.authoritative = m.authoritative;
    msg.metadata.truncation = m.truncated;
    msg.metadata.recursion_desired = m.recursion_desired;
    msg.metadata.recursion_available = m.recursion_available;
    msg.metadata.response_code = hickory_proto::op::ResponseCode::from_low(m.rcode);
    for (name, qtype, qclass) in &m.questions {
        let mut q = Query::query(hickory_name(name), RecordType::from(*qtype));
        q.set_query_class(DNSClass::from(*qclass));
        msg.add_query(q);
    }
    let to_record = |r: &ModelRecord| {
        let data = match &r.data {
            ModelData::A(a) => HRData::A(A(*a)),
            ModelData::Aaaa(a) => HRData::AAAA(AAAA(*a)),
            ModelData::Cname(n) => HRData::CNAME(CNAME(hickory_name(n))),
            ModelData::Raw(t, d) => HRData::Unknown {
                code: RecordType::from(*t),
                rdata: NULL::with(d.clone()),
            },
        };
        let mut rec = HRecord::from_rdata(hickory_name(&r.name), r.ttl, data);
        rec.dns_class = DNSClass::from(r.class);
        rec
    };
    msg.add_answers(m.sections[0].iter().map(to_record));
    msg.add_authorities(m.sections[1].iter().map(to_record));
    msg.add_additionals(m.sections[2].iter().map(to_record));
    msg
}

fn from_hickory(msg: &Message) -> Model {
    let md = &msg.metadata;
    let record = |r: &HRecord| ModelRecord {
        name: hickory_labels(&r.name),
        class: u16::from(r.dns_class),
        ttl: r.ttl,
        data: match &r.data {
            HRData::A(a) => ModelData::A(a.0),
            HRData::AAAA(a) => ModelData::Aaaa(a.0),
            HRData::CNAME(n) => ModelData::Cname(hickory_labels(&n.0)),
            HRData::Unknown { code, rdata } => {
                ModelData::Raw(u16::from(*code), rdata.anything.clone())
            }
            other => panic!("unexpected hickory rdata {other:?}"),
        },
    };
    Model {
        id: md.id,
        response: md.message_type == MessageType::Response,
        opcode: u8::from(md.op_code),
        authoritative: md.authoritative,
        truncated: md.truncation,
        recursion_desired: md.recursion_desired,
        recursion_available: md.recursion_available,
        rcode: md.response_code.low(),
        questions: msg
            .queries
            .iter()
            .map(|q| {
                (
                    hickory_labels(q.name()),
                    u16::from(q.query_type()),
                    u16::from(q.query_class()),
                )
            })
            .collect(),
        sections: [
            msg.answers.iter().map(record).collect(),
            msg.authorities.iter().map(record).collect(),
            msg.additionals.iter().map(record).collect(),
        ],
    }
}

/// Rebuilds a parsed message with our builder: parse -> emit -> parse.
fn reemit(bytes: &[u8]) -> Option<Vec<u8>> {
    let repr = Repr::parse(&Packet::new_checked(bytes).ok()?).ok()?;
    let mut out = vec![0u8; 65_536];
    let h = repr.header();
    let mut b = Builder::new(&mut out, h.id, h.flags).unwrap();
    for q in repr.questions() {
        b.question(&q).unwrap();
    }
    for r in repr.answers() {
        b.answer(&r).unwrap();
    }
    for r in repr.authorities() {
        b.authority(&r).unwrap();
    }
    for r in repr.additionals() {
        b.additional(&r).unwrap();
    }
    let len = b.finish();
    out.truncate(len);
    Some(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn what_we_emit_hickory_decodes_identically(m in model_strategy()) {
        let bytes = emit_ours(&m);
        let decoded = Message::from_vec(&bytes).expect("hickory rejects our message");
        prop_assert_eq!(from_hickory(&decoded), m.clone());
        prop_assert_eq!(decode_ours(&bytes), m);
    }

    #[test]
    fn what_hickory_emits_we_decode_identically(m in model_strategy()) {
        let bytes = to_hickory(&m).to_vec().unwrap();
        prop_assert_eq!(decode_ours(&bytes), m);
    }

    #[test]
    fn reemitting_a_parsed_message_preserves_it(m in model_strategy()) {
        let bytes = to_hickory(&m).to_vec().unwrap();
        let again = reemit(&bytes).unwrap();
        prop_assert_eq!(decode_ours(&again), m);
        // Our own compression is stable: emitting our output again is a no-op.
        prop_assert_eq!(reemit(&again).unwrap(), again);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Some(out) = reemit(&bytes) {
            prop_assert!(Repr::parse(&Packet::new_checked(&out[..]).unwrap()).is_ok());
        }
    }

    #[test]
    fn mutated_messages_never_panic(
        m in model_strategy(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = emit_ours(&m);
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep);
        if let Some(out) = reemit(&bytes) {
            // Whatever we accept, we can write back out and read again.
            prop_assert_eq!(decode_ours(&out), decode_ours(&bytes));
        }
    }
}

/// A hickory-built answer with a CNAME chain and several A records, the
/// shape a recursive resolver returns: every name after the first is a
/// compression pointer, including the CNAME target.
#[test]
fn decodes_a_compressed_cname_answer_from_hickory() {
    let mut msg = Message::response(0x4a4a, OpCode::Query);
    msg.metadata.recursion_desired = true;
    msg.metadata.recursion_available = true;
    let www = HName::from_ascii("www.example.com.").unwrap();
    let edge = HName::from_ascii("edge.cdn.example.com.").unwrap();
    msg.add_query(Query::query(www.clone(), RecordType::A));
    msg.add_answer(HRecord::from_rdata(
        www,
        300,
        HRData::CNAME(CNAME(edge.clone())),
    ));
    for last in [10, 11] {
        let a = A(Ipv4Addr::new(203, 0, 113, last));
        msg.add_answer(HRecord::from_rdata(edge.clone(), 20, HRData::A(a)));
    }
    let bytes = msg.to_vec().unwrap();
    // "example.com" is written once; the rest are pointers.
    assert_eq!(bytes.windows(7).filter(|w| w == b"example").count(), 1);

    let repr = Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap();
    let h = repr.header();
    assert_eq!(h.id, 0x4a4a);
    assert!(h.flags.is_response() && h.flags.recursion_available());
    let q = repr.questions().next().unwrap();
    assert_eq!(q.name, Name::from_dotted("WWW.example.com").unwrap());
    let answers: Vec<_> = repr.answers().collect();
    assert_eq!(answers.len(), 3);
    let edge_name = Name::from_dotted("edge.cdn.example.com").unwrap();
    assert_eq!(answers[0].data, RData::Cname(edge_name));
    assert_eq!(answers[0].ttl, 300);
    assert_eq!(answers[1].name, edge_name);
    assert_eq!(answers[1].data, RData::A(Ipv4Addr::new(203, 0, 113, 10)));
    assert_eq!(answers[2].data, RData::A(Ipv4Addr::new(203, 0, 113, 11)));
    assert_eq!(answers[2].name.to_string(), "edge.cdn.example.com");
}

fn header(qd: u16, an: u16) -> Vec<u8> {
    let mut h = vec![0x12, 0x34, 0x81, 0x80];
    for c in [qd, an, 0, 0] {
        h.extend(c.to_be_bytes());
    }
    h
}

fn parse(bytes: &[u8]) -> Result<Repr<'_>, Error> {
    Repr::parse(&Packet::new_checked(bytes)?)
}

#[test]
fn adversarial_messages_are_errors() {
    // Truncated at every length.
    let m = Model {
        questions: vec![(vec!["www".into(), "example".into()], 1, 1)],
        sections: [
            vec![ModelRecord {
                name: vec!["www".into(), "example".into()],
                class: 1,
                ttl: 1,
                data: ModelData::Cname(vec!["a".into(), "example".into()]),
            }],
            vec![],
            vec![],
        ],
        ..model_default()
    };
    let full = emit_ours(&m);
    for len in 0..full.len() {
        assert!(parse(&full[..len]).is_err(), "accepted a {len}-byte prefix");
    }
    assert!(parse(&full).is_ok());

    // A question whose name is a pointer to itself.
    let mut looped = header(1, 0);
    looped.extend([0xc0, 12, 0, 1, 0, 1]);
    assert_eq!(parse(&looped).unwrap_err(), Error::Malformed);

    // A forward pointer, to a valid name placed later.
    let mut forward = header(1, 0);
    forward.extend([0xc0, 18, 0, 1, 0, 1, 1, b'a', 0]);
    assert_eq!(parse(&forward).unwrap_err(), Error::Malformed);

    // Label longer than 63 (0x40 prefix is not a length).
    let mut long_label = header(1, 0);
    long_label.push(64);
    long_label.extend([b'a'; 64]);
    long_label.extend([0, 0, 1, 0, 1]);
    assert_eq!(parse(&long_label).unwrap_err(), Error::Malformed);

    // A 256-byte name written out in full.
    let mut long_name = header(1, 0);
    for _ in 0..4 {
        long_name.push(63);
        long_name.extend([b'a'; 63]);
    }
    long_name.extend([0, 0, 1, 0, 1]);
    assert_eq!(parse(&long_name).unwrap_err(), Error::Malformed);

    // Counts larger than the message.
    let mut counts = header(1, 3);
    counts.extend([0, 0, 1, 0, 1]);
    assert_eq!(parse(&counts).unwrap_err(), Error::Truncated);
}

fn model_default() -> Model {
    Model {
        id: 7,
        response: true,
        opcode: 0,
        authoritative: false,
        truncated: false,
        recursion_desired: true,
        recursion_available: true,
        rcode: 0,
        questions: vec![],
        sections: [vec![], vec![], vec![]],
    }
}
