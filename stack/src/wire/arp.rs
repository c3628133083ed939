//! ARP for IPv4 over Ethernet (RFC 826).
//!
//! The view reads any ARP packet (address lengths come from the header); the
//! `Repr` is Ethernet/IPv4 only, which is all this stack resolves.

use core::fmt;
use core::net::Ipv4Addr;
use core::ops::Range;

use super::ethernet::{Address as EthernetAddress, EtherType};
use super::view::view;
use super::{Error, Result};

/// The fixed part, before the four addresses.
pub const FIXED_LEN: usize = 8;
/// Length of an Ethernet/IPv4 ARP packet (before link padding).
pub const PACKET_LEN: usize = FIXED_LEN + 2 * (6 + 4);

/// Hardware type number of Ethernet (ARP "HTYPE").
pub const HARDWARE_ETHERNET: u16 = 1;

/// What an ARP packet asks or answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Request,
    Reply,
    /// RARP and other opcodes. Never holds 1 or 2 when produced by
    /// `From<u16>`.
    Unknown(u16),
}

impl From<u16> for Operation {
    fn from(value: u16) -> Operation {
        match value {
            1 => Operation::Request,
            2 => Operation::Reply,
            other => Operation::Unknown(other),
        }
    }
}

impl From<Operation> for u16 {
    fn from(value: Operation) -> u16 {
        match value {
            Operation::Request => 1,
            Operation::Reply => 2,
            Operation::Unknown(other) => other,
        }
    }
}

mod field {
    use core::ops::Range;
    pub const HTYPE: Range<usize> = 0..2;
    pub const PTYPE: Range<usize> = 2..4;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPER: Range<usize> = 6..8;
}

view! {
    /// A view of an ARP packet.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Packet;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// `Truncated` unless the fixed part and the four addresses it announces
    /// fit in the buffer. Bytes after them (link padding) are ignored.
    pub fn check_len(&self) -> Result<()> {
        self.require_len(FIXED_LEN)?;
        self.require_len(self.packet_len())
    }

    pub fn hardware_type(&self) -> u16 {
        self.get(field::HTYPE)
    }

    pub fn protocol_type(&self) -> EtherType {
        EtherType::from(self.get::<u16>(field::PTYPE))
    }

    pub fn hardware_len(&self) -> u8 {
        self.bytes()[field::HLEN]
    }

    pub fn protocol_len(&self) -> u8 {
        self.bytes()[field::PLEN]
    }

    pub fn operation(&self) -> Operation {
        Operation::from(self.get::<u16>(field::OPER))
    }

    /// Fixed part plus four addresses, per the header's length fields.
    pub fn packet_len(&self) -> usize {
        let (h, p) = self.addr_lens();
        FIXED_LEN + 2 * (h + p)
    }

    fn addr_lens(&self) -> (usize, usize) {
        match self.bytes().get(field::HLEN..=field::PLEN) {
            Some(&[h, p]) => (usize::from(h), usize::from(p)),
            _ => (0, 0),
        }
    }

    /// Ranges of sender hardware, sender protocol, target hardware and
    /// target protocol addresses.
    fn addr_ranges(&self) -> [Range<usize>; 4] {
        let (h, p) = self.addr_lens();
        let sha = FIXED_LEN;
        let spa = sha + h;
        let tha = spa + p;
        let tpa = tha + h;
        [sha..spa, spa..tha, tha..tpa, tpa..tpa + p]
    }

    pub fn source_hardware_addr(&self) -> &[u8] {
        let [sha, ..] = self.addr_ranges();
        &self.bytes()[sha]
    }

    pub fn source_protocol_addr(&self) -> &[u8] {
        let [_, spa, ..] = self.addr_ranges();
        &self.bytes()[spa]
    }

    pub fn target_hardware_addr(&self) -> &[u8] {
        let [_, _, tha, _] = self.addr_ranges();
        &self.bytes()[tha]
    }

    pub fn target_protocol_addr(&self) -> &[u8] {
        let [.., tpa] = self.addr_ranges();
        &self.bytes()[tpa]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    pub fn set_hardware_type(&mut self, value: u16) {
        self.set(field::HTYPE, value);
    }

    pub fn set_protocol_type(&mut self, value: EtherType) {
        self.set(field::PTYPE, u16::from(value));
    }

    pub fn set_hardware_len(&mut self, value: u8) {
        self.bytes_mut()[field::HLEN] = value;
    }

    pub fn set_protocol_len(&mut self, value: u8) {
        self.bytes_mut()[field::PLEN] = value;
    }

    pub fn set_operation(&mut self, value: Operation) {
        self.set(field::OPER, u16::from(value));
    }

    /// The address setters write where the length fields say, so set those
    /// first; `addr` must be exactly that long.
    pub fn set_source_hardware_addr(&mut self, addr: &[u8]) {
        let [sha, ..] = self.addr_ranges();
        self.bytes_mut()[sha].copy_from_slice(addr);
    }

    pub fn set_source_protocol_addr(&mut self, addr: &[u8]) {
        let [_, spa, ..] = self.addr_ranges();
        self.bytes_mut()[spa].copy_from_slice(addr);
    }

    pub fn set_target_hardware_addr(&mut self, addr: &[u8]) {
        let [_, _, tha, _] = self.addr_ranges();
        self.bytes_mut()[tha].copy_from_slice(addr);
    }

    pub fn set_target_protocol_addr(&mut self, addr: &[u8]) {
        let [.., tpa] = self.addr_ranges();
        self.bytes_mut()[tpa].copy_from_slice(addr);
    }
}

/// An Ethernet/IPv4 ARP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    pub operation: Operation,
    pub source_hardware_addr: EthernetAddress,
    pub source_protocol_addr: Ipv4Addr,
    pub target_hardware_addr: EthernetAddress,
    pub target_protocol_addr: Ipv4Addr,
}

impl Repr {
    /// `Unsupported` for any hardware or protocol other than Ethernet/IPv4.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        packet.check_len()?;
        let ethernet_ipv4 = packet.hardware_type() == HARDWARE_ETHERNET
            && packet.protocol_type() == EtherType::Ipv4
            && packet.hardware_len() == 6
            && packet.protocol_len() == 4;
        if !ethernet_ipv4 {
            return Err(Error::Unsupported);
        }
        let mac = |b: &[u8]| EthernetAddress::from_bytes(b).ok_or(Error::Truncated);
        let ip = |b: &[u8]| {
            <[u8; 4]>::try_from(b)
                .map(Ipv4Addr::from)
                .map_err(|_| Error::Truncated)
        };
        Ok(Repr {
            operation: packet.operation(),
            source_hardware_addr: mac(packet.source_hardware_addr())?,
            source_protocol_addr: ip(packet.source_protocol_addr())?,
            target_hardware_addr: mac(packet.target_hardware_addr())?,
            target_protocol_addr: ip(packet.target_protocol_addr())?,
        })
    }

    /// Always [`PACKET_LEN`].
    pub const fn buffer_len(&self) -> usize {
        PACKET_LEN
    }

    /// Writes the whole packet; the view must hold [`PACKET_LEN`] bytes.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        packet.set_hardware_type(HARDWARE_ETHERNET);
        packet.set_protocol_type(EtherType::Ipv4);
        packet.set_hardware_len(6);
        packet.set_protocol_len(4);
        packet.set_operation(self.operation);
        packet.set_source_hardware_addr(&self.source_hardware_addr.0);
        packet.set_source_protocol_addr(&self.source_protocol_addr.octets());
        packet.set_target_hardware_addr(&self.target_hardware_addr.0);
        packet.set_target_protocol_addr(&self.target_protocol_addr.octets());
    }
}

/// One line for traces, worded as tcpdump words ARP.
impl fmt::Display for Repr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sha, spa) = (self.source_hardware_addr, self.source_protocol_addr);
        let (tha, tpa) = (self.target_hardware_addr, self.target_protocol_addr);
        match self.operation {
            Operation::Request => write!(f, "ARP who-has {tpa} tell {spa} ({sha})"),
            Operation::Reply => write!(f, "ARP {spa} is-at {sha} to {tpa} ({tha})"),
            Operation::Unknown(op) => write!(f, "ARP op {op} {spa} ({sha}) > {tpa} ({tha})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Who has 192.0.2.1? Tell 192.0.2.10", padded to Ethernet's minimum.
    fn request() -> [u8; 46] {
        let mut b = [0u8; 46];
        b[..PACKET_LEN].copy_from_slice(&[
            0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, // fixed part
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 192, 0, 2, 10, // sender
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 192, 0, 2, 1, // target
        ]);
        b
    }

    fn request_repr() -> Repr {
        Repr {
            operation: Operation::Request,
            source_hardware_addr: EthernetAddress([2, 0, 0, 0, 0, 0x0a]),
            source_protocol_addr: Ipv4Addr::new(192, 0, 2, 10),
            target_hardware_addr: EthernetAddress([0; 6]),
            target_protocol_addr: Ipv4Addr::new(192, 0, 2, 1),
        }
    }

    #[test]
    fn parses_a_request_and_ignores_padding() {
        let bytes = request();
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.packet_len(), PACKET_LEN);
        assert_eq!(Repr::parse(&packet), Ok(request_repr()));
    }

    #[test]
    fn emit_reproduces_the_request() {
        let mut out = [0xaa; PACKET_LEN];
        request_repr().emit(&mut Packet::new_unchecked(&mut out[..]));
        assert_eq!(out[..], request()[..PACKET_LEN]);
    }

    #[test]
    fn truncated_at_every_length() {
        for len in 0..PACKET_LEN {
            assert_eq!(
                Packet::new_checked(&request()[..len]).err(),
                Some(Error::Truncated),
                "length {len}"
            );
        }
    }

    #[test]
    fn length_fields_drive_the_bounds() {
        // Claimed 255-byte hardware addresses cannot fit in 46 bytes.
        let mut bytes = request();
        bytes[4] = 255;
        assert_eq!(
            Packet::new_checked(&bytes[..]).err(),
            Some(Error::Truncated)
        );
        // Zero-length addresses fit and are read as empty, but unsupported.
        bytes[4] = 0;
        bytes[5] = 0;
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.source_hardware_addr(), &[] as &[u8]);
        assert_eq!(Repr::parse(&packet), Err(Error::Unsupported));
    }

    #[test]
    fn foreign_hardware_or_protocol_is_unsupported() {
        for (offset, value) in [(1usize, 6u8), (2, 0x86), (4, 8), (5, 16)] {
            let mut bytes = request();
            bytes[offset] = value;
            let result = Packet::new_checked(&bytes[..]).and_then(|p| Repr::parse(&p));
            assert!(
                matches!(result, Err(Error::Unsupported | Error::Truncated)),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn unknown_operations_are_kept() {
        let mut bytes = request();
        bytes[7] = 3; // RARP request
        let repr = Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(repr.operation, Operation::Unknown(3));
        let mut out = [0; PACKET_LEN];
        repr.emit(&mut Packet::new_unchecked(&mut out[..]));
        assert_eq!(out[..], bytes[..PACKET_LEN]);
    }

    #[test]
    fn display_for_traces() {
        assert_eq!(
            std::format!("{}", request_repr()),
            "ARP who-has 192.0.2.1 tell 192.0.2.10 (02:00:00:00:00:0a)"
        );
        let reply = Repr {
            operation: Operation::Reply,
            ..request_repr()
        };
        assert_eq!(
            std::format!("{reply}"),
            "ARP 192.0.2.10 is-at 02:00:00:00:00:0a to 192.0.2.1 (00:00:00:00:00:00)"
        );
    }
}
