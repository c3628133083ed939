//! TCP headers (RFC 9293) and options: MSS, window scale, SACK, timestamps.
//!
//! [`Packet`] is a checked view of a segment (header + payload, exactly the
//! IPv4 payload); [`Repr`] is what the connection state machine reads and
//! writes. The checksum always covers the IPv4 pseudo-header, so `parse` and
//! `emit` take the IPv4 source and destination.

mod options;
mod seq;

pub use options::{Options, SackBlock, TcpOption, Timestamp, MAX_SACK_BLOCKS};
pub use seq::SeqNumber;

use crate::wire::view::view;
use crate::wire::{checksum, Error, Result};
use core::net::Ipv4Addr;

/// IPv4 protocol number of TCP.
pub const PROTOCOL: u8 = 6;
/// Length of a header without options.
pub const HEADER_LEN: usize = 20;
/// Length of a header with the most options the data offset can express.
pub const MAX_HEADER_LEN: usize = 60;

mod field {
    use core::ops::Range;
    pub const SRC_PORT: Range<usize> = 0..2;
    pub const DST_PORT: Range<usize> = 2..4;
    pub const SEQ_NUM: Range<usize> = 4..8;
    pub const ACK_NUM: Range<usize> = 8..12;
    pub const FLAGS: Range<usize> = 12..14;
    pub const WIN_SIZE: Range<usize> = 14..16;
    pub const CHECKSUM: Range<usize> = 16..18;
    pub const URGENT: Range<usize> = 18..20;
}

/// Flag bits in the 16-bit word that also holds the data offset.
pub mod flags {
    pub const FIN: u16 = 0x001;
    pub const SYN: u16 = 0x002;
    pub const RST: u16 = 0x004;
    pub const PSH: u16 = 0x008;
    pub const ACK: u16 = 0x010;
    pub const URG: u16 = 0x020;
    pub const ECE: u16 = 0x040;
    pub const CWR: u16 = 0x080;
    /// Every bit below the data offset: the eight flags, the historic NS bit
    /// (RFC 3540, obsoleted by RFC 8311) and the reserved bits.
    pub const ALL: u16 = 0x0fff;
}

view! {
    /// A read/write view of a TCP segment.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Packet;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Ensures the fixed header fits, the data offset is at least 5 words and
    /// the header it announces fits in the buffer.
    pub fn check_len(&self) -> Result<()> {
        self.require_len(HEADER_LEN)?;
        let header_len = usize::from(self.header_len());
        if header_len < HEADER_LEN {
            return Err(Error::Malformed);
        }
        self.require_len(header_len)
    }

    pub fn src_port(&self) -> u16 {
        self.get(field::SRC_PORT)
    }
    pub fn dst_port(&self) -> u16 {
        self.get(field::DST_PORT)
    }
    pub fn seq_number(&self) -> SeqNumber {
        SeqNumber(self.get(field::SEQ_NUM))
    }
    /// The acknowledgment field, meaningful only when [`ack`](Self::ack) is set.
    pub fn ack_number(&self) -> SeqNumber {
        SeqNumber(self.get(field::ACK_NUM))
    }
    fn offset_and_flags(&self) -> u16 {
        self.get(field::FLAGS)
    }
    /// Header length in bytes (data offset times four).
    pub fn header_len(&self) -> u8 {
        (self.offset_and_flags() >> 12) as u8 * 4
    }
    /// The flag bits (see [`flags`]).
    pub fn flags(&self) -> u16 {
        self.offset_and_flags() & flags::ALL
    }
    fn flag(&self, bit: u16) -> bool {
        self.flags() & bit != 0
    }
    pub fn fin(&self) -> bool {
        self.flag(flags::FIN)
    }
    pub fn syn(&self) -> bool {
        self.flag(flags::SYN)
    }
    pub fn rst(&self) -> bool {
        self.flag(flags::RST)
    }
    pub fn psh(&self) -> bool {
        self.flag(flags::PSH)
    }
    pub fn ack(&self) -> bool {
        self.flag(flags::ACK)
    }
    pub fn urg(&self) -> bool {
        self.flag(flags::URG)
    }
    pub fn ece(&self) -> bool {
        self.flag(flags::ECE)
    }
    pub fn cwr(&self) -> bool {
        self.flag(flags::CWR)
    }
    pub fn window_len(&self) -> u16 {
        self.get(field::WIN_SIZE)
    }
    pub fn checksum(&self) -> u16 {
        self.get(field::CHECKSUM)
    }
    pub fn urgent_at(&self) -> u16 {
        self.get(field::URGENT)
    }

    /// The option bytes between the fixed header and the payload (empty when
    /// the header is inconsistent with the buffer).
    pub fn options(&self) -> &[u8] {
        let header_len = usize::from(self.header_len());
        self.bytes().get(HEADER_LEN..header_len).unwrap_or(&[])
    }

    /// The data after the header (empty when the header does not fit).
    pub fn payload(&self) -> &[u8] {
        let header_len = usize::from(self.header_len());
        self.bytes().get(header_len..).unwrap_or(&[])
    }

    /// The segment's contribution to the checksum including the pseudo-header;
    /// `None` when the segment is too long for the IPv4 length field.
    fn checksum_sum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> Option<u16> {
        let data = self.bytes();
        let len = u16::try_from(data.len()).ok()?;
        Some(checksum::combine(&[
            checksum::pseudo_header(src, dst, PROTOCOL, len),
            checksum::data(data),
        ]))
    }

    /// Whether the checksum is right for a segment sent from `src` to `dst`.
    pub fn verify_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        self.checksum_sum(src, dst) == Some(0xffff)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    pub fn set_src_port(&mut self, port: u16) {
        self.set(field::SRC_PORT, port);
    }
    pub fn set_dst_port(&mut self, port: u16) {
        self.set(field::DST_PORT, port);
    }
    pub fn set_seq_number(&mut self, seq: SeqNumber) {
        self.set(field::SEQ_NUM, seq.0);
    }
    pub fn set_ack_number(&mut self, ack: SeqNumber) {
        self.set(field::ACK_NUM, ack.0);
    }
    /// Sets the header length in bytes; it is rounded down to whole words.
    pub fn set_header_len(&mut self, len: u8) {
        let word = (u16::from(len / 4) << 12) | self.flags();
        self.set(field::FLAGS, word);
    }
    /// Replaces every flag bit (see [`flags`]), keeping the data offset.
    pub fn set_flags(&mut self, bits: u16) {
        let word = (self.offset_and_flags() & !flags::ALL) | (bits & flags::ALL);
        self.set(field::FLAGS, word);
    }
    pub fn set_window_len(&mut self, len: u16) {
        self.set(field::WIN_SIZE, len);
    }
    pub fn set_checksum(&mut self, sum: u16) {
        self.set(field::CHECKSUM, sum);
    }
    pub fn set_urgent_at(&mut self, at: u16) {
        self.set(field::URGENT, at);
    }

    pub fn options_mut(&mut self) -> &mut [u8] {
        let header_len = usize::from(self.header_len());
        self.bytes_mut()
            .get_mut(HEADER_LEN..header_len)
            .unwrap_or(&mut [])
    }

    pub fn payload_mut(&mut self) -> &mut [u8] {
        let header_len = usize::from(self.header_len());
        self.bytes_mut().get_mut(header_len..).unwrap_or(&mut [])
    }

    /// Computes and stores the checksum for a segment from `src` to `dst`
    /// (the whole buffer is the segment).
    pub fn fill_checksum(&mut self, src: Ipv4Addr, dst: Ipv4Addr) {
        self.set_checksum(0);
        let sum = self.checksum_sum(src, dst).unwrap_or(0);
        self.set_checksum(!sum);
    }

    /// Copies `payload` in after the header and stores the checksum, as
    /// `payload_mut` and `fill_checksum` would, but summing the payload
    /// while it is copied: one pass over it instead of two.
    pub fn fill_payload_and_checksum(&mut self, payload: &[u8], src: Ipv4Addr, dst: Ipv4Addr) {
        self.set_checksum(0);
        let header_len = usize::from(self.header_len());
        let bytes = self.bytes_mut();
        let total = u16::try_from(bytes.len());
        let sum = match (bytes.split_at_mut_checked(header_len), total) {
            (Some((header, body)), Ok(total))
                if header.len() >= HEADER_LEN && body.len() == payload.len() =>
            {
                Some(checksum::combine(&[
                    checksum::pseudo_header(src, dst, PROTOCOL, total),
                    checksum::data(header),
                    checksum::copy(body, payload),
                ]))
            }
            _ => None,
        };
        match sum {
            Some(sum) => self.set_checksum(!sum),
            None => {
                if let Some(dest) = self.payload_mut().get_mut(..payload.len()) {
                    dest.copy_from_slice(payload);
                }
                self.fill_checksum(src, dst);
            }
        }
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.bytes()
    }
}

/// The control function of a segment besides ACK. Combinations that no
/// correct peer sends (SYN with FIN or RST, FIN with RST) do not parse.
/// A FIN segment may also carry PSH on the wire; it parses as `Fin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Control {
    #[default]
    None,
    Psh,
    Syn,
    Fin,
    Rst,
}

impl Control {
    /// Sequence space the control flag occupies (SYN and FIN count as one).
    pub const fn len(self) -> usize {
        match self {
            Control::Syn | Control::Fin => 1,
            Control::None | Control::Psh | Control::Rst => 0,
        }
    }

    /// True for controls that occupy no sequence space.
    pub const fn is_empty(self) -> bool {
        self.len() == 0
    }

    fn from_flags(bits: u16) -> Result<Control> {
        let exclusive = bits & (flags::SYN | flags::FIN | flags::RST);
        match exclusive {
            0 if bits & flags::PSH != 0 => Ok(Control::Psh),
            0 => Ok(Control::None),
            flags::SYN => Ok(Control::Syn),
            flags::FIN => Ok(Control::Fin),
            flags::RST => Ok(Control::Rst),
            _ => Err(Error::Malformed),
        }
    }

    fn flags(self) -> u16 {
        match self {
            Control::None => 0,
            Control::Psh => flags::PSH,
            Control::Syn => flags::SYN,
            Control::Fin => flags::FIN,
            Control::Rst => flags::RST,
        }
    }
}

/// The meaning of a TCP segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Repr<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub control: Control,
    pub seq_number: SeqNumber,
    /// `Some` exactly when the ACK flag is set.
    pub ack_number: Option<SeqNumber>,
    /// The raw (unscaled) window field.
    pub window_len: u16,
    /// The shift count as sent; RFC 7323 caps its use at 14, which is the
    /// socket's job, not the parser's.
    pub window_scale: Option<u8>,
    pub max_seg_size: Option<u16>,
    pub sack_permitted: bool,
    /// Leading `Some` entries are the blocks, first block first.
    pub sack_ranges: [Option<SackBlock>; MAX_SACK_BLOCKS],
    pub timestamp: Option<Timestamp>,
    pub payload: &'a [u8],
}

impl<'a> Repr<'a> {
    /// Decodes a segment received from `src` addressed to `dst`, verifying
    /// the checksum, the ports (zero is invalid) and the options.
    // Inlined: the caller reading back a returned `Repr` (about 100 bytes
    // written field by field) waited on store forwarding; perf put a
    // quarter of this function's samples on that reload.
    #[inline]
    pub fn parse<T>(packet: &Packet<&'a T>, src: Ipv4Addr, dst: Ipv4Addr) -> Result<Repr<'a>>
    where
        T: AsRef<[u8]> + ?Sized,
    {
        packet.check_len()?;
        if !packet.verify_checksum(src, dst) {
            return Err(Error::Checksum);
        }
        if packet.src_port() == 0 || packet.dst_port() == 0 {
            return Err(Error::Malformed);
        }
        let control = Control::from_flags(packet.flags())?;
        let bytes: &'a [u8] = packet.buffer.as_ref();
        let header_len = usize::from(packet.header_len());
        let options_bytes = bytes.get(HEADER_LEN..header_len).ok_or(Error::Truncated)?;
        let payload = bytes.get(header_len..).ok_or(Error::Truncated)?;
        let mut repr = Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            control,
            seq_number: packet.seq_number(),
            ack_number: packet.ack().then(|| packet.ack_number()),
            window_len: packet.window_len(),
            window_scale: None,
            max_seg_size: None,
            sack_permitted: false,
            sack_ranges: [None; MAX_SACK_BLOCKS],
            timestamp: None,
            payload,
        };
        if let Some((timestamp, sack_ranges)) = usual_options(options_bytes) {
            repr.timestamp = timestamp;
            repr.sack_ranges = sack_ranges;
            return Ok(repr);
        }
        for option in Options::new(options_bytes) {
            repr.apply_option(option?);
        }
        Ok(repr)
    }

    fn apply_option(&mut self, option: TcpOption<'_>) {
        match option {
            TcpOption::MaxSegmentSize(mss) => self.max_seg_size = Some(mss),
            TcpOption::WindowScale(shift) => self.window_scale = Some(shift),
            TcpOption::SackPermitted => self.sack_permitted = true,
            TcpOption::SackRange(blocks) => self.sack_ranges = blocks,
            TcpOption::Timestamp(ts) => self.timestamp = Some(ts),
            TcpOption::EndOfList | TcpOption::NoOperation | TcpOption::Unknown { .. } => {}
        }
    }

    /// Hands the options to `out` in the order Linux sends them, each group
    /// padded with NOPs to a 4-byte boundary, with as many SACK blocks as fit
    /// in 40 bytes. The one layout both measures and writes the header.
    // Inlined so each option's kind is known where it is measured and
    // written: no branch on the kind is left for the CPU to predict.
    #[inline(always)]
    fn lay_out_options(&self, out: &mut impl OptionSink) {
        if let Some(mss) = self.max_seg_size {
            out.put(&TcpOption::MaxSegmentSize(mss));
        }
        match (self.sack_permitted, self.timestamp) {
            (true, Some(ts)) => {
                out.put(&TcpOption::SackPermitted);
                out.put(&TcpOption::Timestamp(ts));
            }
            (false, Some(ts)) => out.put_aligned(&TcpOption::Timestamp(ts)),
            (true, None) => out.put_aligned(&TcpOption::SackPermitted),
            (false, None) => {}
        }
        if let Some(shift) = self.window_scale {
            out.put_aligned(&TcpOption::WindowScale(shift));
        }
        if self.sack_ranges[0].is_none() {
            return;
        }
        let room = (MAX_HEADER_LEN - HEADER_LEN).saturating_sub(out.len());
        let fit = room.saturating_sub(4) / 8;
        let mut blocks = [None; MAX_SACK_BLOCKS];
        for (slot, block) in blocks
            .iter_mut()
            .zip(self.sack_ranges.iter().flatten().take(fit))
        {
            *slot = Some(*block);
        }
        if blocks[0].is_some() {
            out.put_aligned(&TcpOption::SackRange(blocks));
        }
    }

    fn options_len(&self) -> usize {
        let mut measure = Measure(0);
        self.lay_out_options(&mut measure);
        measure.0
    }

    /// Header length including options.
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options_len()
    }

    /// Header plus payload.
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload.len()
    }

    /// Sequence space the segment occupies: payload plus SYN or FIN.
    pub fn segment_len(&self) -> usize {
        self.payload.len() + self.control.len()
    }

    /// Writes the segment into `packet`, whose buffer must be exactly
    /// [`buffer_len`](Self::buffer_len) bytes, and fills the checksum for a
    /// segment from `src` to `dst`.
    pub fn emit<T>(&self, packet: &mut Packet<T>, src: Ipv4Addr, dst: Ipv4Addr)
    where
        T: AsRef<[u8]> + AsMut<[u8]>,
    {
        let options_len = self.options_len();
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_seq_number(self.seq_number);
        packet.set_ack_number(self.ack_number.unwrap_or_default());
        packet.set_header_len((HEADER_LEN + options_len) as u8);
        let ack = if self.ack_number.is_some() {
            flags::ACK
        } else {
            0
        };
        packet.set_flags(self.control.flags() | ack);
        packet.set_window_len(self.window_len);
        packet.set_urgent_at(0);
        self.lay_out_options(&mut Writer {
            rest: packet.options_mut(),
            len: 0,
        });
        packet.fill_payload_and_checksum(self.payload, src, dst);
    }
}

/// The options Linux and this stack put on nearly every segment once they
/// are agreed: two NOPs and the timestamps, then two NOPs and SACK blocks,
/// either or both. Recognised whole, they skip the option walk, whose
/// branch on each kind byte the CPU mostly mispredicts; anything else
/// (including a malformed SACK option) is left to the walk.
// Inlined, as `Repr::parse` is, so the options go from the bytes to the
// caller's `Repr` in registers: returned through memory, the wide reload
// of their narrow stores stalled on every segment.
#[inline(always)]
fn usual_options(
    options: &[u8],
) -> Option<(Option<Timestamp>, [Option<SackBlock>; MAX_SACK_BLOCKS])> {
    let (timestamp, rest) = match options {
        [1, 1, 8, 10, a, b, c, d, e, f, g, h, rest @ ..] => {
            let timestamp = Timestamp {
                tsval: u32::from_be_bytes([*a, *b, *c, *d]),
                tsecr: u32::from_be_bytes([*e, *f, *g, *h]),
            };
            (Some(timestamp), rest)
        }
        _ => (None, options),
    };
    let sack = match rest {
        [] => [None; MAX_SACK_BLOCKS],
        [1, 1, 5, len, blocks @ ..] if usize::from(*len) == blocks.len() + 2 => {
            options::parse_sack_blocks(blocks).ok()?
        }
        _ => return None,
    };
    (timestamp.is_some() || sack[0].is_some()).then_some((timestamp, sack))
}

/// Where [`Repr::lay_out_options`] puts each option.
trait OptionSink {
    /// Bytes taken so far.
    fn len(&self) -> usize;
    fn put(&mut self, option: &TcpOption<'_>);

    /// Puts NOPs first so the option ends on a 4-byte boundary.
    #[inline(always)]
    fn put_aligned(&mut self, option: &TcpOption<'_>) {
        let pad = (4 - (self.len() + option.buffer_len()) % 4) % 4;
        for _ in 0..pad {
            self.put(&TcpOption::NoOperation);
        }
        self.put(option);
    }
}

/// Counts the option bytes without writing them.
struct Measure(usize);

impl OptionSink for Measure {
    fn len(&self) -> usize {
        self.0
    }

    #[inline(always)]
    fn put(&mut self, option: &TcpOption<'_>) {
        self.0 += option.buffer_len();
    }
}

/// Writes the options into a header's option bytes.
struct Writer<'b> {
    rest: &'b mut [u8],
    len: usize,
}

impl OptionSink for Writer<'_> {
    fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn put(&mut self, option: &TcpOption<'_>) {
        self.rest = option.emit(core::mem::take(&mut self.rest));
        self.len += option.buffer_len();
    }
}

#[cfg(test)]
mod tests;
