//! pcapng capture at the host NICs.
//!
//! One interface per host (named after it, Ethernet link type, nanosecond
//! timestamp resolution so a timestamp *is* the virtual time). A frame is
//! recorded when its host sends it (outbound) and when it reaches the host
//! (inbound, after any corruption on the way), with the direction in the
//! packet's flags. The file is written little-endian whatever the machine, so
//! captures are byte-identical everywhere.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};
use std::time::Duration;

use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::{DataLink, Endianness, PcapError};

use crate::time::SimTime;

/// pcapng `if_tsresol` for 10^-9 s.
const NANOSECOND_RESOLUTION: u8 = 9;
const SNAPLEN: u32 = 262_144;
/// `epb_flags` direction bits.
const FLAG_INBOUND: u32 = 0b01;
const FLAG_OUTBOUND: u32 = 0b10;
/// `epb_flags` link-layer error bit 24: CRC (FCS) error.
const FLAG_FCS_ERROR: u32 = 1 << 24;

/// Which way a frame crossed the NIC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Inbound,
    Outbound,
}

/// A pcapng writer with one interface per host.
pub struct Capture {
    writer: PcapNgWriter<BufWriter<Box<dyn Write>>>,
    error: Option<io::Error>,
    packets: u64,
}

impl Capture {
    /// Writes the section header and one interface per name, in order
    /// (interface id = position).
    pub fn new<'a>(
        out: Box<dyn Write>,
        interfaces: impl IntoIterator<Item = &'a str>,
    ) -> io::Result<Self> {
        let section = SectionHeaderBlock {
            endianness: Endianness::Little,
            options: vec![SectionHeaderOption::UserApplication(Cow::Borrowed(
                "seqs-sim",
            ))],
            ..SectionHeaderBlock::default()
        };
        let mut writer =
            PcapNgWriter::with_section_header(BufWriter::new(out), section).map_err(io_error)?;
        for name in interfaces {
            let interface = InterfaceDescriptionBlock {
                linktype: DataLink::ETHERNET,
                snaplen: SNAPLEN,
                options: vec![
                    InterfaceDescriptionOption::IfName(Cow::Owned(name.to_owned())),
                    InterfaceDescriptionOption::IfTsResol(NANOSECOND_RESOLUTION),
                ],
            };
            writer.write_pcapng_block(interface).map_err(io_error)?;
        }
        Ok(Capture {
            writer,
            error: None,
            packets: 0,
        })
    }

    /// Records one frame; `damaged` frames (a link flipped a bit) are
    /// flagged as FCS errors, so tools can tell injected corruption from a
    /// bug (`tshark -Y '!frame.packet_flags_crc_error'`). After a write
    /// error, records nothing more (reported by [`Capture::flush`]).
    pub fn record(
        &mut self,
        interface: u32,
        time: SimTime,
        direction: Direction,
        frame: &[u8],
        damaged: bool,
    ) {
        if self.error.is_some() {
            return;
        }
        let direction = match direction {
            Direction::Inbound => FLAG_INBOUND,
            Direction::Outbound => FLAG_OUTBOUND,
        };
        let flags = direction | if damaged { FLAG_FCS_ERROR } else { 0 };
        let block = EnhancedPacketBlock {
            interface_id: interface,
            timestamp: Duration::from_nanos(time.as_nanos()),
            original_len: u32::try_from(frame.len()).unwrap_or(u32::MAX),
            data: Cow::Borrowed(frame),
            options: vec![EnhancedPacketOption::Flags(flags)],
        };
        match self.writer.write_pcapng_block(block) {
            Ok(_) => self.packets += 1,
            Err(e) => self.error = Some(io_error(e)),
        }
    }

    /// Packets recorded so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Flushes buffered output; reports the first write error of the run.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.writer.get_mut().flush()
    }
}

fn io_error(e: PcapError) -> io::Error {
    match e {
        PcapError::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}
