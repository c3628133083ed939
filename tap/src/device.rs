//! A TAP interface as a non-blocking source and sink of Ethernet frames.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};

use crate::sys;

/// An open TAP interface (IFF_TAP | IFF_NO_PI). A device this process
/// created disappears when it is dropped; an existing persistent one
/// (`ip tuntap add mode tap`) is only detached.
#[derive(Debug)]
pub struct TapDevice {
    file: File,
    name: String,
}

impl TapDevice {
    /// Attaches to the TAP interface `name`, creating it if needed. Needs
    /// CAP_NET_ADMIN unless the device is persistent and owned by the caller.
    pub fn open(name: &str) -> io::Result<Self> {
        Ok(TapDevice {
            file: sys::open_tap(name)?,
            name: name.to_owned(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads one frame; `None` when none is waiting.
    pub fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        match self.file.read(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e) if is_transient(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes one frame. Fails with EIO while the interface is down.
    pub fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        let n = self.file.write(frame)?;
        if n == frame.len() {
            Ok(())
        } else {
            Err(io::Error::new(io::ErrorKind::WriteZero, "short TAP write"))
        }
    }
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

impl AsFd for TapDevice {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}
