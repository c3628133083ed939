//! A static-zone DNS server for the simulator: authoritative answers for A,
//! AAAA and CNAME records from a borrowed table.
//!
//! It keeps no state between requests, so instead of the queue-and-poll
//! shape of the clients it answers in place: [`Server::respond`] turns one
//! request datagram into one reply datagram for the driver to send back to
//! the request's source.

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::wire::dns::{
    Builder, Class, Flags, Name, Opcode, Packet, Question, RData, Rcode, Record, Repr, Type,
    MAX_UDP_LEN,
};

/// CNAME links followed inside the zone before giving up.
const MAX_CHAIN: usize = 8;

/// One record of the zone. Entries whose names are not valid domain names
/// are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneEntry<'z> {
    /// Owner name, dotted (`"www.example.com"`).
    pub name: &'z str,
    pub ttl: u32,
    pub data: ZoneData<'z>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneData<'z> {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    /// Target name, dotted.
    Cname(&'z str),
}

impl ZoneData<'_> {
    fn record_type(&self) -> Type {
        match self {
            ZoneData::A(_) => Type::A,
            ZoneData::Aaaa(_) => Type::AAAA,
            ZoneData::Cname(_) => Type::CNAME,
        }
    }
}

impl<'z> ZoneEntry<'z> {
    fn owner(&self) -> Option<Name<'z>> {
        Name::from_dotted(self.name).ok()
    }

    fn rdata(&self) -> Option<RData<'z>> {
        Some(match self.data {
            ZoneData::A(a) => RData::A(a),
            ZoneData::Aaaa(a) => RData::Aaaa(a),
            ZoneData::Cname(target) => RData::Cname(Name::from_dotted(target).ok()?),
        })
    }
}

/// An authoritative server for one static zone.
#[derive(Debug, Clone, Copy)]
pub struct Server<'z> {
    zone: &'z [ZoneEntry<'z>],
}

impl<'z> Server<'z> {
    pub const fn new(zone: &'z [ZoneEntry<'z>]) -> Server<'z> {
        Server { zone }
    }

    /// Writes the reply to `request` into `reply` (at most 512 bytes are
    /// used: no EDNS) and returns its length, or `None` when the datagram
    /// deserves no answer (too short to carry an id, or itself a response).
    ///
    /// Answers follow CNAMEs inside the zone; a name with no records at all
    /// is NXDOMAIN, an existing name without the asked type is an empty
    /// NOERROR. Answers that do not fit set TC.
    pub fn respond(&self, request: &[u8], reply: &mut [u8]) -> Option<usize> {
        let packet = Packet::new_checked(request).ok()?;
        let flags = packet.flags();
        if flags.is_response() {
            return None;
        }
        let limit = reply.len().min(MAX_UDP_LEN);
        let mut out =
            Builder::new(&mut reply[..limit], packet.id(), Flags::response_to(flags)).ok()?;
        let rcode = match Repr::parse(&packet) {
            Err(_) => Rcode::FORM_ERR,
            Ok(_) if flags.opcode() != Opcode::QUERY => Rcode::NOT_IMP,
            Ok(repr) => self.answer(&repr, &mut out),
        };
        let flags = out.header().flags.with_rcode(rcode);
        out.set_flags(flags);
        Some(out.finish())
    }

    fn answer(&self, repr: &Repr<'_>, out: &mut Builder<'_>) -> Rcode {
        let mut questions = repr.questions();
        let (Some(question), None) = (questions.next(), questions.next()) else {
            return Rcode::FORM_ERR;
        };
        if question.qclass != Class::IN {
            return Rcode::REFUSED;
        }
        if out.question(&question).is_err() {
            return Rcode::SERV_FAIL;
        }
        out.set_flags(out.header().flags.with_authoritative(true));
        self.add_records(&question, out)
    }

    /// Adds the answer records for `question`, following CNAMEs.
    fn add_records(&self, question: &Question<'_>, out: &mut Builder<'_>) -> Rcode {
        let mut owner = question.name;
        for _ in 0..MAX_CHAIN {
            let mut owned = self.entries_of(owner).peekable();
            if owned.peek().is_none() {
                return Rcode::NX_DOMAIN;
            }
            let cname = self
                .entries_of(owner)
                .find(|e| matches!(e.data, ZoneData::Cname(_)));
            match cname {
                Some(entry) if question.qtype != Type::CNAME => {
                    let Some(target) = self.put(out, &owner, entry) else {
                        return Rcode::NO_ERROR;
                    };
                    owner = target;
                }
                _ => {
                    for entry in owned.filter(|e| wanted(question.qtype, e)) {
                        if self.put(out, &owner, entry).is_none() {
                            break;
                        }
                    }
                    return Rcode::NO_ERROR;
                }
            }
        }
        Rcode::SERV_FAIL
    }

    /// The valid entries owned by `owner`.
    fn entries_of<'n>(&self, owner: Name<'n>) -> impl Iterator<Item = &'z ZoneEntry<'z>> + 'n
    where
        'z: 'n,
    {
        self.zone
            .iter()
            .filter(move |e| e.owner().is_some_and(|n| n == owner) && e.rdata().is_some())
    }

    /// Appends `entry` (valid, from [`Server::entries_of`]) under `owner`;
    /// on running out of room sets TC and returns `None`. Returns the CNAME
    /// target (or `owner`) otherwise.
    fn put<'n>(
        &self,
        out: &mut Builder<'_>,
        owner: &Name<'n>,
        entry: &ZoneEntry<'z>,
    ) -> Option<Name<'n>>
    where
        'z: 'n,
    {
        let data = entry.rdata()?;
        let record = Record {
            name: *owner,
            rtype: entry.data.record_type(),
            class: Class::IN,
            ttl: entry.ttl,
            data,
        };
        if out.answer(&record).is_err() {
            out.set_flags(out.header().flags.with_truncated(true));
            return None;
        }
        Some(match data {
            RData::Cname(target) => target,
            _ => *owner,
        })
    }
}

fn wanted(qtype: Type, entry: &ZoneEntry<'_>) -> bool {
    qtype == Type::ANY || qtype == entry.data.record_type()
}
