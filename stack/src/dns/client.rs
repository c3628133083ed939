//! A DNS stub resolver (RFC 1035 §7) for A and AAAA lookups.
//!
//! One [`Client`] resolves one name at a time; a driver wanting several
//! lookups in flight runs several clients (each is a few hundred bytes).

use core::net::{IpAddr, Ipv4Addr, SocketAddrV4};

use rand_core::RngCore;

use crate::storage::Managed;
use crate::time::{Duration, Instant};
use crate::wire::dns::{
    Builder, Class, Flags, Name, Opcode, Packet, Question, RData, Rcode, Record, Repr, Type,
    MAX_NAME_LEN,
};

/// Servers remembered at once (DHCP option 6 usually carries one to three).
pub const MAX_SERVERS: usize = 3;
/// Upper bound on CNAME links followed for one lookup.
pub const MAX_CNAME_HOPS: usize = 8;
/// Source ports are drawn from the IANA dynamic range 49152..=65535.
const EPHEMERAL_BASE: u16 = 0xc000;

/// Tuning; [`Config::default`] suits a LAN or the Internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How long to wait for a reply before asking the next server.
    pub timeout: Duration,
    /// Passes over the server list; every pass doubles the timeout.
    pub rounds: u8,
    /// CNAME links followed before giving up (at most [`MAX_CNAME_HOPS`]).
    pub max_cname_hops: u8,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            timeout: Duration::from_secs(2),
            rounds: 2,
            max_cname_hops: MAX_CNAME_HOPS as u8,
        }
    }
}

/// One address the name resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub address: IpAddr,
    /// Seconds this answer may be cached: the smallest TTL along the CNAME
    /// chain that led to it (TTLs with the top bit set count as 0, RFC 2181).
    pub ttl: u32,
}

impl Answer {
    /// Filler for answer storage.
    pub const UNSPECIFIED: Answer = Answer {
        address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ttl: 0,
    };
}

/// A finished lookup: the first `count` entries of [`Client::answers`] are
/// valid; `omitted` more did not fit in the caller's storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub count: usize,
    pub omitted: usize,
}

/// Why a lookup failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The host name is not a valid domain name.
    InvalidName,
    /// Only A and AAAA lookups are supported.
    UnsupportedType,
    NoServers,
    /// The transmit buffer cannot hold the query.
    BufferTooSmall,
    /// No valid reply from any server after every retry.
    Timeout,
    /// The server set TC: the answer needs TCP, which this client lacks.
    Truncated,
    /// NXDOMAIN: the name does not exist.
    NameError,
    /// Every server that answered refused or failed (SERVFAIL, REFUSED, ...).
    ServerFailure(Rcode),
    /// The name exists but has no address of the kind asked for.
    NoData,
    /// A CNAME chain leads back to a name already on it.
    CnameLoop,
    /// A CNAME chain is longer than [`Config::max_cname_hops`].
    CnameChainTooLong,
}

/// Why a received datagram was ignored; the lookup continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// No lookup waiting for a reply.
    NotQuerying,
    /// Not sent to the port this lookup's query came from.
    WrongPort,
    /// Not from a server this lookup asked.
    WrongSource,
    /// Not a parseable DNS message.
    Malformed,
    /// Not a response to a standard query.
    NotAResponse,
    WrongId,
    /// The question section does not repeat the question asked.
    WrongQuestion,
}

/// A datagram to send: `len` bytes of the caller's buffer, from UDP port
/// `local_port` to `remote`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    pub local_port: u16,
    pub remote: SocketAddrV4,
    pub len: usize,
}

/// A DNS stub resolver.
#[derive(Debug)]
pub struct Client<'a> {
    config: Config,
    servers: [SocketAddrV4; MAX_SERVERS],
    server_count: usize,
    answers: Managed<'a, Answer>,
    phase: Phase,
}

// No heap to box into; one `Phase` lives per client.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Phase {
    Idle,
    Querying(Lookup),
    Done(Result<Resolved, Error>),
}

/// The state of one lookup (the original name or a CNAME target).
#[derive(Debug)]
struct Lookup {
    name: NameBuf,
    qtype: Type,
    /// Transaction id and source port, drawn at the first transmission.
    ident: Option<(u16, u16)>,
    /// Transmissions so far; the next goes to `servers[sent % count]`.
    sent: usize,
    /// Bit `i` set once `servers[i]` was asked.
    asked: u8,
    /// When the next transmission is due.
    deadline: Instant,
    /// A failure reply worth reporting if nothing better arrives.
    failure: Option<Error>,
    chain: Chain,
}

/// CNAME links followed across queries.
#[derive(Debug, Clone, Copy)]
struct Chain {
    hops: u8,
    ttl: u32,
    /// Fingerprints of the names visited, to detect loops spanning queries.
    seen: [u32; MAX_CNAME_HOPS + 1],
}

impl<'a> Client<'a> {
    /// `answers` receives the addresses of each finished lookup.
    pub fn new(config: Config, answers: impl Into<Managed<'a, Answer>>) -> Client<'a> {
        Client {
            config,
            servers: [SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0); MAX_SERVERS],
            server_count: 0,
            answers: answers.into(),
            phase: Phase::Idle,
        }
    }

    /// Replaces the server list (extra entries beyond [`MAX_SERVERS`] are
    /// ignored). A lookup in progress keeps going with the new list.
    pub fn set_servers(&mut self, servers: &[SocketAddrV4]) {
        let n = servers.len().min(MAX_SERVERS);
        self.servers[..n].copy_from_slice(&servers[..n]);
        self.server_count = n;
    }

    pub fn servers(&self) -> &[SocketAddrV4] {
        &self.servers[..self.server_count]
    }

    /// Starts resolving `host` for `qtype` (A or AAAA), replacing any lookup
    /// in progress. The first query goes out at the next [`Client::poll`].
    pub fn start(&mut self, now: Instant, host: &str, qtype: Type) -> Result<(), Error> {
        if qtype != Type::A && qtype != Type::AAAA {
            return Err(Error::UnsupportedType);
        }
        let name = Name::from_dotted(host).map_err(|_| Error::InvalidName)?;
        if name.is_root() {
            return Err(Error::InvalidName);
        }
        if self.server_count == 0 {
            return Err(Error::NoServers);
        }
        let buf = NameBuf::new(&name).ok_or(Error::InvalidName)?;
        let mut chain = Chain {
            hops: 0,
            ttl: u32::MAX,
            seen: [0; MAX_CNAME_HOPS + 1],
        };
        chain.seen[0] = fingerprint(&name);
        self.phase = Phase::Querying(Lookup::new(buf, qtype, now, chain));
        Ok(())
    }

    /// Abandons the lookup in progress, if any.
    pub fn cancel(&mut self) {
        self.phase = Phase::Idle;
    }

    pub fn is_busy(&self) -> bool {
        matches!(self.phase, Phase::Querying(_))
    }

    /// The outcome of the last lookup, once it has finished.
    pub fn result(&self) -> Option<Result<Resolved, Error>> {
        match self.phase {
            Phase::Done(result) => Some(result),
            _ => None,
        }
    }

    /// The addresses of the last successful lookup.
    pub fn answers(&self) -> &[Answer] {
        match self.phase {
            Phase::Done(Ok(resolved)) => self.answers.get(..resolved.count).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// When [`Client::poll`] next has something to do.
    pub fn poll_at(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Querying(lookup) => Some(lookup.deadline),
            _ => None,
        }
    }

    /// The next query to send, if one is due; writes it into `buf` (512
    /// bytes always suffice). Also ends the lookup with [`Error::Timeout`]
    /// once every server has had every chance.
    pub fn poll<R: RngCore + ?Sized>(
        &mut self,
        now: Instant,
        rng: &mut R,
        buf: &mut [u8],
    ) -> Option<Transmit> {
        let Phase::Querying(lookup) = &mut self.phase else {
            return None;
        };
        if now < lookup.deadline {
            return None;
        }
        let servers = self.server_count;
        let attempts = servers * usize::from(self.config.rounds);
        if lookup.sent >= attempts {
            let error = lookup.failure.unwrap_or(if servers == 0 {
                Error::NoServers
            } else {
                Error::Timeout
            });
            self.phase = Phase::Done(Err(error));
            return None;
        }
        let (id, local_port) = *lookup.ident.get_or_insert_with(|| draw_ident(rng));
        let Some(len) = lookup.emit(id, buf) else {
            self.phase = Phase::Done(Err(Error::BufferTooSmall));
            return None;
        };
        let index = lookup.sent % servers;
        let round = (lookup.sent / servers).min(16) as u32;
        lookup.sent += 1;
        lookup.asked |= 1 << index;
        lookup.deadline = now + self.config.timeout.saturating_mul(1 << round);
        Some(Transmit {
            local_port,
            remote: self.servers[index],
            len,
        })
    }

    /// Feeds a datagram received on UDP port `local_port` from `from`.
    /// Replies that do not belong to the lookup are rejected without
    /// disturbing it (they may be spoofed).
    pub fn receive(
        &mut self,
        now: Instant,
        local_port: u16,
        from: SocketAddrV4,
        bytes: &[u8],
    ) -> Result<(), Reject> {
        let Phase::Querying(lookup) = &mut self.phase else {
            return Err(Reject::NotQuerying);
        };
        let Some((id, port)) = lookup.ident else {
            return Err(Reject::NotQuerying);
        };
        if local_port != port {
            return Err(Reject::WrongPort);
        }
        let asked = self.servers[..self.server_count]
            .iter()
            .enumerate()
            .any(|(i, s)| *s == from && lookup.asked & (1 << i) != 0);
        if !asked {
            return Err(Reject::WrongSource);
        }
        let packet = Packet::new_checked(bytes).map_err(|_| Reject::Malformed)?;
        let repr = Repr::parse(&packet).map_err(|_| Reject::Malformed)?;
        lookup.validate(&repr, id)?;
        let step = lookup.judge(&repr, &self.config, &mut self.answers);
        match step {
            Step::Finish(result) => self.phase = Phase::Done(result),
            Step::NextServer(error) => {
                lookup.failure = Some(error);
                lookup.deadline = now;
            }
            Step::Follow(name, chain) => {
                let qtype = lookup.qtype;
                *lookup = Lookup::new(name, qtype, now, chain);
            }
        }
        Ok(())
    }
}

/// What a valid reply means for the lookup.
// Short-lived, on the stack; no heap to box into.
#[allow(clippy::large_enum_variant)]
enum Step {
    Finish(Result<Resolved, Error>),
    /// This server failed; try the next one now.
    NextServer(Error),
    /// The answer ends in a CNAME without addresses: ask for the target.
    Follow(NameBuf, Chain),
}

impl Lookup {
    fn new(name: NameBuf, qtype: Type, now: Instant, chain: Chain) -> Lookup {
        Lookup {
            name,
            qtype,
            ident: None,
            sent: 0,
            asked: 0,
            deadline: now,
            failure: None,
            chain,
        }
    }

    fn question(&self) -> Option<Question<'_>> {
        Some(Question {
            name: self.name.name()?,
            qtype: self.qtype,
            qclass: Class::IN,
        })
    }

    fn emit(&self, id: u16, buf: &mut [u8]) -> Option<usize> {
        let mut builder = Builder::new(buf, id, Flags::query()).ok()?;
        builder.question(&self.question()?).ok()?;
        Some(builder.finish())
    }

    /// Checks that `repr` answers our query (RFC 5452 §9.1).
    fn validate(&self, repr: &Repr<'_>, id: u16) -> Result<(), Reject> {
        let header = repr.header();
        if !header.flags.is_response() || header.flags.opcode() != Opcode::QUERY {
            return Err(Reject::NotAResponse);
        }
        if header.id != id {
            return Err(Reject::WrongId);
        }
        let asked = self.question().ok_or(Reject::WrongQuestion)?;
        let mut questions = repr.questions();
        match (questions.next(), questions.next()) {
            (Some(q), None) if q.matches(&asked) => Ok(()),
            _ => Err(Reject::WrongQuestion),
        }
    }

    /// Interprets a validated reply.
    fn judge(&self, repr: &Repr<'_>, config: &Config, answers: &mut [Answer]) -> Step {
        let flags = repr.header().flags;
        if flags.truncated() {
            return Step::Finish(Err(Error::Truncated));
        }
        match flags.rcode() {
            Rcode::NO_ERROR => {}
            Rcode::NX_DOMAIN => return Step::Finish(Err(Error::NameError)),
            other => return Step::NextServer(Error::ServerFailure(other)),
        }
        let Some(question) = self.question() else {
            return Step::Finish(Err(Error::InvalidName));
        };
        let max_hops = config.max_cname_hops.min(MAX_CNAME_HOPS as u8);
        let mut chain = self.chain;
        let mut current = question.name;
        let mut followed_here = false;
        loop {
            let found = collect(repr, &current, chain.ttl, answers);
            if found.count + found.omitted > 0 {
                return Step::Finish(Ok(found));
            }
            let Some((target, ttl)) = cname_of(repr, &current) else {
                break;
            };
            if chain.hops >= max_hops {
                return Step::Finish(Err(Error::CnameChainTooLong));
            }
            let print = fingerprint(&target);
            if chain.seen[..=usize::from(chain.hops)].contains(&print) {
                return Step::Finish(Err(Error::CnameLoop));
            }
            chain.hops += 1;
            chain.seen[usize::from(chain.hops)] = print;
            chain.ttl = chain.ttl.min(ttl);
            current = target;
            followed_here = true;
        }
        match (followed_here, NameBuf::new(&current)) {
            (true, Some(name)) => Step::Follow(name, chain),
            (true, None) => Step::Finish(Err(Error::InvalidName)),
            (false, _) => Step::Finish(Err(Error::NoData)),
        }
    }
}

/// Stores the A and AAAA records owned by `owner` into `answers`.
fn collect(repr: &Repr<'_>, owner: &Name<'_>, chain_ttl: u32, answers: &mut [Answer]) -> Resolved {
    let mut found = Resolved {
        count: 0,
        omitted: 0,
    };
    for record in repr
        .answers()
        .filter(|r| r.class == Class::IN && r.name == *owner)
    {
        let address = match record.data {
            RData::A(a) => IpAddr::V4(a),
            RData::Aaaa(a) => IpAddr::V6(a),
            _ => continue,
        };
        let answer = Answer {
            address,
            ttl: effective_ttl(&record).min(chain_ttl),
        };
        match answers.get_mut(found.count) {
            Some(slot) => {
                *slot = answer;
                found.count += 1;
            }
            None => found.omitted += 1,
        }
    }
    found
}

/// The CNAME target of `owner` in the answer section, with its TTL.
fn cname_of<'a>(repr: &Repr<'a>, owner: &Name<'_>) -> Option<(Name<'a>, u32)> {
    repr.answers()
        .filter(|r| r.class == Class::IN && r.name == *owner)
        .find_map(|r| match r.data {
            RData::Cname(target) => Some((target, effective_ttl(&r))),
            _ => None,
        })
}

/// RFC 2181 §8: a TTL with the top bit set is treated as zero.
fn effective_ttl(record: &Record<'_>) -> u32 {
    if record.ttl > i32::MAX as u32 {
        0
    } else {
        record.ttl
    }
}

fn draw_ident<R: RngCore + ?Sized>(rng: &mut R) -> (u16, u16) {
    let bits = rng.next_u32();
    // 16384 ports divide 2^16 evenly: the draw is uniform.
    (bits as u16, EPHEMERAL_BASE | ((bits >> 16) as u16 & 0x3fff))
}

/// A case-folded FNV-1a hash of a name's labels, for loop detection across
/// queries without storing whole names. A collision could only end a
/// legitimate chain early with [`Error::CnameLoop`], with odds ~2^-32.
fn fingerprint(name: &Name<'_>) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for label in name.labels() {
        for &b in core::iter::once(&(label.len() as u8)).chain(label) {
            hash = (hash ^ u32::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0193);
        }
    }
    hash
}

/// A name copied out of a message, in uncompressed wire form.
#[derive(Debug, Clone, Copy)]
struct NameBuf {
    bytes: [u8; MAX_NAME_LEN],
    len: usize,
}

impl NameBuf {
    fn new(name: &Name<'_>) -> Option<NameBuf> {
        let mut bytes = [0u8; MAX_NAME_LEN];
        let len = name.emit(&mut bytes).ok()?;
        Some(NameBuf { bytes, len })
    }

    /// `None` cannot happen: the bytes were written by [`Name::emit`].
    fn name(&self) -> Option<Name<'_>> {
        let (name, _) = Name::parse(self.bytes.get(..self.len)?, 0).ok()?;
        Some(name)
    }
}
