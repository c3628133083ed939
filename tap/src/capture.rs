//! A classic libpcap file (LINKTYPE_ETHERNET, microsecond stamps) of every
//! frame the stack receives and sends. Written by hand: the format is two
//! fixed headers, and owning the buffer lets the bridge flush it before
//! every sleep so an interrupted run still leaves a readable file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::SystemTime;

const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
const LINKTYPE_ETHERNET: u32 = 1;
const SNAPLEN: u32 = 65_535;

#[derive(Debug)]
pub struct Capture {
    out: BufWriter<File>,
}

impl Capture {
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut out = BufWriter::new(File::create(path)?);
        let mut header = Vec::with_capacity(24);
        header.extend_from_slice(&MAGIC_MICROS.to_le_bytes());
        header.extend_from_slice(&2u16.to_le_bytes());
        header.extend_from_slice(&4u16.to_le_bytes());
        header.extend_from_slice(&0i32.to_le_bytes()); // GMT offset
        header.extend_from_slice(&0u32.to_le_bytes()); // timestamp accuracy
        header.extend_from_slice(&SNAPLEN.to_le_bytes());
        header.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        out.write_all(&header)?;
        Ok(Capture { out })
    }

    /// Appends `frame`, stamped with wall-clock time so the capture lines
    /// up with a tcpdump taken on the Linux side of the same link.
    pub fn record(&mut self, frame: &[u8]) -> io::Result<()> {
        let stamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let kept = &frame[..frame.len().min(SNAPLEN as usize)];
        let secs = u32::try_from(stamp.as_secs()).unwrap_or(u32::MAX);
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&secs.to_le_bytes());
        header[4..8].copy_from_slice(&stamp.subsec_micros().to_le_bytes());
        header[8..12].copy_from_slice(&(kept.len() as u32).to_le_bytes());
        let orig = u32::try_from(frame.len()).unwrap_or(u32::MAX);
        header[12..16].copy_from_slice(&orig.to_le_bytes());
        self.out.write_all(&header)?;
        self.out.write_all(kept)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_global_and_record_headers() {
        let path =
            std::env::temp_dir().join(format!("seqs-tap-capture-{}.pcap", std::process::id()));
        let mut capture = Capture::create(&path).unwrap();
        capture.record(&[0xaa; 60]).unwrap();
        capture.flush().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(bytes.len(), 24 + 16 + 60);
        assert_eq!(bytes[..4], [0xd4, 0xc3, 0xb2, 0xa1]);
        assert_eq!(bytes[20..24], [1, 0, 0, 0], "Ethernet link type");
        assert_eq!(
            bytes[32..40],
            [60, 0, 0, 0, 60, 0, 0, 0],
            "captured and original length"
        );
        assert!(bytes[40..].iter().all(|&b| b == 0xaa));
    }
}
