//! Ethernet II frames, recognising one IEEE 802.1Q VLAN tag.
//!
//! A frame is `dst | src | ethertype | payload`, or with a tag
//! `dst | src | 0x8100 | TCI | ethertype | payload`. The view reports the
//! *inner* ethertype and starts the payload after the tag, so the layers above
//! never see whether a frame was tagged.

use core::fmt;

use super::view::{view, Field};
use super::Result;

/// A 48-bit IEEE MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Address(pub [u8; 6]);

impl Address {
    pub const BROADCAST: Address = Address([0xff; 6]);

    pub const fn is_broadcast(&self) -> bool {
        matches!(self.0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    }
    /// Group bit set: broadcast or multicast.
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }
    pub const fn is_unicast(&self) -> bool {
        !self.is_multicast()
    }
    pub const fn is_locally_administered(&self) -> bool {
        self.0[0] & 0x02 != 0
    }
    /// Reads an address from the first six bytes of `bytes`, if there are six.
    pub fn from_bytes(bytes: &[u8]) -> Option<Address> {
        bytes.get(..6).and_then(|b| b.try_into().ok()).map(Address)
    }
    pub const fn octets(&self) -> [u8; 6] {
        self.0
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

/// The protocol of a frame's payload (or, for [`EtherType::Vlan`], the tag
/// protocol identifier that announces an 802.1Q tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EtherType {
    Ipv4,
    Arp,
    /// 802.1Q tag protocol identifier (TPID), 0x8100.
    Vlan,
    /// Any other value, including 802.3 length fields (< 0x0600). Never holds
    /// the value of a named variant when produced by `From<u16>`.
    Unknown(u16),
}

impl From<u16> for EtherType {
    fn from(value: u16) -> EtherType {
        match value {
            0x0800 => EtherType::Ipv4,
            0x0806 => EtherType::Arp,
            0x8100 => EtherType::Vlan,
            other => EtherType::Unknown(other),
        }
    }
}

impl From<EtherType> for u16 {
    fn from(value: EtherType) -> u16 {
        match value {
            EtherType::Ipv4 => 0x0800,
            EtherType::Arp => 0x0806,
            EtherType::Vlan => 0x8100,
            EtherType::Unknown(other) => other,
        }
    }
}

/// An 802.1Q tag control information word: priority (PCP), drop eligible
/// indicator (DEI) and VLAN id. Kept whole so that re-emitting a parsed frame
/// reproduces its tag bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VlanTag(u16);

impl VlanTag {
    /// `None` when `id` does not fit 12 bits or `pcp` 3 bits.
    pub const fn new(id: u16, pcp: u8, dei: bool) -> Option<VlanTag> {
        if id > 0x0fff || pcp > 7 {
            return None;
        }
        Some(VlanTag(((pcp as u16) << 13) | ((dei as u16) << 12) | id))
    }
    pub const fn from_tci(tci: u16) -> VlanTag {
        VlanTag(tci)
    }
    pub const fn tci(self) -> u16 {
        self.0
    }
    /// The 12-bit VLAN identifier (0 = priority tag only).
    pub const fn id(self) -> u16 {
        self.0 & 0x0fff
    }
    /// Priority code point, 0..=7.
    pub const fn pcp(self) -> u8 {
        (self.0 >> 13) as u8
    }
    /// Drop eligible indicator.
    pub const fn dei(self) -> bool {
        self.0 & 0x1000 != 0
    }
}

/// Length of an untagged header.
pub const HEADER_LEN: usize = 14;
/// Extra length an 802.1Q tag adds to the header.
pub const VLAN_TAG_LEN: usize = 4;

mod field {
    use core::ops::Range;
    pub const DESTINATION: Range<usize> = 0..6;
    pub const SOURCE: Range<usize> = 6..12;
    /// Ethertype of an untagged frame, TPID of a tagged one.
    pub const TYPE_OR_TPID: Range<usize> = 12..14;
    pub const TCI: Range<usize> = 14..16;
    pub const INNER_TYPE: Range<usize> = 16..18;
}

view! {
    /// A view of an Ethernet II frame.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Frame;
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// `Truncated` unless the header, and the tag when the TPID announces
    /// one, fit in the buffer.
    pub fn check_len(&self) -> Result<()> {
        self.require_len(self.header_len())
    }

    fn is_tagged(&self) -> bool {
        self.bytes()
            .get(field::TYPE_OR_TPID)
            .is_some_and(|b| EtherType::from(u16::read(b)) == EtherType::Vlan)
    }

    /// 18 for a tagged frame, 14 otherwise.
    pub fn header_len(&self) -> usize {
        if self.is_tagged() {
            HEADER_LEN + VLAN_TAG_LEN
        } else {
            HEADER_LEN
        }
    }

    pub fn dst_addr(&self) -> Address {
        Address(self.get(field::DESTINATION))
    }

    pub fn src_addr(&self) -> Address {
        Address(self.get(field::SOURCE))
    }

    /// The payload's protocol: the inner ethertype of a tagged frame.
    pub fn ethertype(&self) -> EtherType {
        let range = if self.is_tagged() {
            field::INNER_TYPE
        } else {
            field::TYPE_OR_TPID
        };
        EtherType::from(self.get::<u16>(range))
    }

    /// The 802.1Q tag, when the frame carries one.
    pub fn vlan_tag(&self) -> Option<VlanTag> {
        self.is_tagged()
            .then(|| VlanTag::from_tci(self.get(field::TCI)))
    }

    /// Shorthand for the tag's VLAN id.
    pub fn vlan_id(&self) -> Option<u16> {
        self.vlan_tag().map(VlanTag::id)
    }

    /// Shorthand for the tag's priority code point.
    pub fn vlan_pcp(&self) -> Option<u8> {
        self.vlan_tag().map(VlanTag::pcp)
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Frame<&'a T> {
    /// Everything after the header, including any padding to the 60-byte
    /// minimum: the layer above knows its own length.
    pub fn payload(&self) -> &'a [u8] {
        let start = self.header_len();
        &self.buffer.as_ref()[start..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    pub fn set_dst_addr(&mut self, addr: Address) {
        self.set(field::DESTINATION, addr.0);
    }

    pub fn set_src_addr(&mut self, addr: Address) {
        self.set(field::SOURCE, addr.0);
    }

    /// Tags the frame (writes TPID and TCI) or, with `None`, marks it
    /// untagged. Call before [`Frame::set_ethertype`], whose position depends
    /// on the tag.
    pub fn set_vlan_tag(&mut self, tag: Option<VlanTag>) {
        match tag {
            Some(tag) => {
                self.set(field::TYPE_OR_TPID, u16::from(EtherType::Vlan));
                self.set(field::TCI, tag.tci());
            }
            None => self.set(field::TYPE_OR_TPID, 0u16),
        }
    }

    /// Writes the payload's ethertype after the tag, if any.
    pub fn set_ethertype(&mut self, ethertype: EtherType) {
        let range = if self.is_tagged() {
            field::INNER_TYPE
        } else {
            field::TYPE_OR_TPID
        };
        self.set(range, u16::from(ethertype));
    }

    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = self.header_len();
        &mut self.bytes_mut()[start..]
    }
}

/// The decoded header of an Ethernet II frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    pub src_addr: Address,
    pub dst_addr: Address,
    /// The payload's protocol (inner ethertype when tagged). `Vlan` here
    /// needs a tag in `vlan` (it then means a second, inner tag); without
    /// one the frame would read back as tagged.
    pub ethertype: EtherType,
    pub vlan: Option<VlanTag>,
}

impl Repr {
    /// Never fails on a checked frame; `Result` keeps the shape of every
    /// other format's `parse`.
    pub fn parse<T: AsRef<[u8]>>(frame: &Frame<T>) -> Result<Repr> {
        frame.check_len()?;
        Ok(Repr {
            src_addr: frame.src_addr(),
            dst_addr: frame.dst_addr(),
            ethertype: frame.ethertype(),
            vlan: frame.vlan_tag(),
        })
    }

    /// 18 with a tag, 14 without.
    pub const fn header_len(&self) -> usize {
        match self.vlan {
            Some(_) => HEADER_LEN + VLAN_TAG_LEN,
            None => HEADER_LEN,
        }
    }

    /// Size of a frame carrying `payload_len` bytes (no minimum-size padding).
    pub const fn buffer_len(&self, payload_len: usize) -> usize {
        self.header_len() + payload_len
    }

    /// Writes the header; the caller writes the payload through
    /// [`Frame::payload_mut`]. The view must hold at least
    /// [`Repr::header_len`] bytes.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, frame: &mut Frame<T>) {
        frame.set_dst_addr(self.dst_addr);
        frame.set_src_addr(self.src_addr);
        frame.set_vlan_tag(self.vlan);
        frame.set_ethertype(self.ethertype);
    }
}

impl fmt::Display for EtherType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EtherType::Ipv4 => f.write_str("IPv4"),
            EtherType::Arp => f.write_str("ARP"),
            EtherType::Vlan => f.write_str("802.1Q"),
            EtherType::Unknown(value) => write!(f, "0x{value:04x}"),
        }
    }
}

/// One line for traces: `src > dst type [vlan id pcp p]`.
impl fmt::Display for Repr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} > {} {}",
            self.src_addr, self.dst_addr, self.ethertype
        )?;
        if let Some(tag) = self.vlan {
            write!(f, " vlan {} pcp {}", tag.id(), tag.pcp())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Error;
    use std::string::ToString;

    const UNTAGGED: [u8; 18] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // dst
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // src
        0x08, 0x06, // ARP
        0xde, 0xad, 0xbe, 0xef,
    ];

    const TAGGED: [u8; 20] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // dst
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // src
        0x81, 0x00, // TPID
        0xb0, 0x2a, // PCP 5, DEI 1, VID 42
        0x08, 0x00, // IPv4
        0x45, 0x00,
    ];

    #[test]
    fn untagged_fields_and_payload() {
        let frame = Frame::new_checked(&UNTAGGED[..]).unwrap();
        assert_eq!(frame.dst_addr(), Address::BROADCAST);
        assert_eq!(frame.src_addr(), Address([2, 0, 0, 0, 0, 1]));
        assert_eq!(frame.ethertype(), EtherType::Arp);
        assert_eq!(frame.vlan_tag(), None);
        assert_eq!(frame.header_len(), HEADER_LEN);
        assert_eq!(frame.payload(), &[0xde, 0xad, 0xbe, 0xef]);
    }

    #[test]
    fn tag_is_decoded_and_skipped() {
        let frame = Frame::new_checked(&TAGGED[..]).unwrap();
        assert_eq!(frame.ethertype(), EtherType::Ipv4);
        assert_eq!(frame.vlan_id(), Some(42));
        assert_eq!(frame.vlan_pcp(), Some(5));
        assert!(frame.vlan_tag().unwrap().dei());
        assert_eq!(frame.header_len(), 18);
        assert_eq!(frame.payload(), &[0x45, 0x00]);
    }

    #[test]
    fn truncated_at_every_length() {
        for len in 0..HEADER_LEN {
            assert_eq!(
                Frame::new_checked(&UNTAGGED[..len]).err(),
                Some(Error::Truncated)
            );
        }
        // A TPID promises four more bytes than an untagged header.
        for len in 0..HEADER_LEN + VLAN_TAG_LEN {
            assert_eq!(
                Frame::new_checked(&TAGGED[..len]).err(),
                Some(Error::Truncated),
                "length {len}"
            );
        }
        assert!(Frame::new_checked(&UNTAGGED[..HEADER_LEN]).is_ok());
        let empty_tagged = Frame::new_checked(&TAGGED[..18]).unwrap();
        assert_eq!(empty_tagged.payload(), &[] as &[u8]);
    }

    #[test]
    fn emit_reproduces_parsed_frames() {
        for bytes in [&UNTAGGED[..], &TAGGED[..]] {
            let frame = Frame::new_checked(bytes).unwrap();
            let repr = Repr::parse(&frame).unwrap();
            let mut out = bytes.to_vec();
            out[..repr.header_len()].fill(0x55);
            repr.emit(&mut Frame::new_unchecked(&mut out[..]));
            assert_eq!(out, bytes);
            assert_eq!(repr.buffer_len(frame.payload().len()), bytes.len());
        }
    }

    #[test]
    fn vlan_tag_bounds() {
        assert_eq!(VlanTag::new(4096, 0, false), None);
        assert_eq!(VlanTag::new(1, 8, false), None);
        let tag = VlanTag::new(4095, 7, true).unwrap();
        assert_eq!((tag.id(), tag.pcp(), tag.dei()), (4095, 7, true));
        assert_eq!(tag.tci(), 0xffff);
    }

    #[test]
    fn ethertype_numbers_round_trip() {
        for value in [0x0800u16, 0x0806, 0x8100, 0x86dd, 0x0000, 0x05dc] {
            assert_eq!(u16::from(EtherType::from(value)), value);
        }
        assert_eq!(EtherType::from(0x86dd), EtherType::Unknown(0x86dd));
    }

    #[test]
    fn address_classes() {
        assert!(Address::BROADCAST.is_broadcast() && Address::BROADCAST.is_multicast());
        let mcast = Address([0x01, 0x00, 0x5e, 0, 0, 1]);
        assert!(mcast.is_multicast() && !mcast.is_broadcast() && !mcast.is_unicast());
        assert!(Address([2, 0, 0, 0, 0, 1]).is_locally_administered());
        assert_eq!(Address::from_bytes(&[1, 2, 3, 4, 5]), None);
        assert_eq!(
            Address([0xa, 0xb, 0xc, 0xd, 0xe, 0xf]).to_string(),
            "0a:0b:0c:0d:0e:0f"
        );
    }

    #[test]
    fn display_for_traces() {
        let repr = Repr::parse(&Frame::new_checked(&TAGGED[..]).unwrap()).unwrap();
        assert_eq!(
            repr.to_string(),
            "02:00:00:00:00:01 > 02:00:00:00:00:02 IPv4 vlan 42 pcp 5"
        );
        assert_eq!(EtherType::from(0x86dd).to_string(), "0x86dd");
    }
}
