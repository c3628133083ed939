//! A minimal reader for classic libpcap files, for tests only.
//!
//! The golden captures are read with this rather than with a capture crate so
//! that tests decoding them depend on nothing but the bytes on disk. Include
//! it from an integration test with
//! `#[path = "golden/pcap.rs"] mod pcap;` and call [`frames`].
//!
//! Both byte orders and both timestamp resolutions (microsecond and
//! nanosecond magic) are accepted; timestamps are skipped because no test
//! needs them. pcapng is not supported: tcpdump `-w` writes classic pcap.

use std::path::Path;

/// Magic numbers as read in the byte order of the host that wrote the file.
const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
const MAGIC_NANOS: u32 = 0xa1b2_3c4d;
/// The only link type the golden captures use (LINKTYPE_ETHERNET).
const LINKTYPE_ETHERNET: u32 = 1;

/// Every frame (Ethernet II, starting at the destination MAC, no FCS) of the
/// classic pcap file at `path`, in capture order. A relative path is resolved
/// against the working directory, which `cargo test` sets to the package
/// root: `frames("tests/golden/dhcp.pcap")`.
///
/// Panics, naming the file, if it cannot be read or is not a well-formed
/// Ethernet pcap: a golden vector that does not load is a broken test.
pub fn frames(path: impl AsRef<Path>) -> Vec<Vec<u8>> {
    let path = path.as_ref();
    let file = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse(&file).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Splits a whole classic pcap file into its captured frames.
pub fn parse(file: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut cursor = Cursor {
        rest: file,
        big_endian: false,
    };
    let magic = cursor.u32("magic number")?;
    cursor.big_endian = match magic {
        MAGIC_MICROS | MAGIC_NANOS => false,
        _ if [MAGIC_MICROS, MAGIC_NANOS].contains(&magic.swap_bytes()) => true,
        _ => return Err(format!("not a classic pcap file (magic {magic:#010x})")),
    };
    let major = cursor.u16("major version")?;
    cursor.u16("minor version")?;
    if major != 2 {
        return Err(format!("unsupported pcap version {major}"));
    }
    // thiszone, sigfigs, snaplen: nothing a test needs.
    cursor.take(12, "global header")?;
    // The upper bits may carry FCS information; the link type is the low 16.
    let link_type = cursor.u32("link type")? & 0xffff;
    if link_type != LINKTYPE_ETHERNET {
        return Err(format!("link type {link_type}, expected Ethernet (1)"));
    }
    let mut frames = Vec::new();
    while !cursor.rest.is_empty() {
        cursor.take(8, "record timestamp")?;
        let captured = cursor.u32("captured length")?;
        cursor.u32("original length")?;
        let len = usize::try_from(captured).map_err(|e| e.to_string())?;
        frames.push(cursor.take(len, "frame data")?.to_vec());
    }
    Ok(frames)
}

/// Reads fields front to back in the file's byte order.
struct Cursor<'a> {
    rest: &'a [u8],
    big_endian: bool,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], String> {
        if self.rest.len() < len {
            return Err(format!(
                "truncated {what}: {len} bytes needed, {} left",
                self.rest.len()
            ));
        }
        let (head, tail) = self.rest.split_at(len);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u16(&mut self, what: &str) -> Result<u16, String> {
        let bytes = self.array(what)?;
        Ok(if self.big_endian {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        })
    }

    fn u32(&mut self, what: &str) -> Result<u32, String> {
        let bytes = self.array(what)?;
        Ok(if self.big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        })
    }
}
