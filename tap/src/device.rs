//! Where the bridge's frames come from and go to: a TAP interface, or (for
//! tests and for joining two bridges) one end of a Unix datagram pair.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixDatagram;

use crate::sys;

/// A non-blocking, frame-preserving link the bridge can sleep on: one
/// `recv` is one Ethernet frame.
pub trait FrameIo: AsFd + Send {
    /// Reads one frame; `None` when none is waiting.
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>>;
    /// Writes one frame.
    fn send(&mut self, frame: &[u8]) -> io::Result<()>;
    /// For thread names and messages.
    fn name(&self) -> &str;
}

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
}

impl FrameIo for TapDevice {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        transient_is_none(self.file.read(buf))
    }

    /// Fails with EIO while the interface is down.
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        whole(self.file.write(frame)?, frame)
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// A datagram socket pair joins two bridges back to back, no root needed.
/// Set it non-blocking before handing it over.
impl FrameIo for UnixDatagram {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        transient_is_none(UnixDatagram::recv(self, buf))
    }

    /// WouldBlock when the peer's queue is full: the frame is lost.
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        whole(UnixDatagram::send(self, frame)?, frame)
    }

    fn name(&self) -> &str {
        "unix-datagram"
    }
}

fn transient_is_none(read: io::Result<usize>) -> io::Result<Option<usize>> {
    match read {
        Ok(n) => Ok(Some(n)),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn whole(written: usize, frame: &[u8]) -> io::Result<()> {
    if written == frame.len() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "short frame write",
        ))
    }
}

impl AsFd for TapDevice {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}
