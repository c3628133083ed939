//! The crate's only `unsafe`: the `TUNSETIFF` ioctl that attaches a file to
//! a TAP interface, and `ppoll(2)`. Everything else reads and writes the
//! device through `std::fs::File`.

use std::ffi::c_short;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

/// `struct ifreq` as `TUNSETIFF` reads it: the name, then the flags at the
/// start of the union; the padding keeps the size at the kernel's 40 bytes.
#[repr(C)]
struct IfReq {
    name: [u8; libc::IFNAMSIZ],
    flags: c_short,
    _pad: [u8; 22],
}

/// Opens `/dev/net/tun` non-blocking and attaches it to the TAP interface
/// `name` (created if missing, as IFF_TAP | IFF_NO_PI: raw Ethernet frames).
pub(crate) fn open_tap(name: &str) -> io::Result<File> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() >= libc::IFNAMSIZ || bytes.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("interface name {name:?} must be 1 to 15 bytes without NUL"),
        ));
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open("/dev/net/tun")?;
    let mut req = IfReq {
        name: [0; libc::IFNAMSIZ],
        flags: (libc::IFF_TAP | libc::IFF_NO_PI) as c_short,
        _pad: [0; 22],
    };
    req.name[..bytes.len()].copy_from_slice(bytes);
    // SAFETY: `file` is an open descriptor for /dev/net/tun, and `req` is a
    // live, properly laid out `struct ifreq` (NUL-terminated name, flags at
    // offset 16, 40 bytes) that the kernel reads and writes back only for
    // the duration of the call.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), libc::TUNSETIFF, &mut req as *mut IfReq) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(file)
}

/// Waits until one of `fds` is readable or `timeout` passes (`None`: no
/// timeout). Returns which descriptors are readable; an interrupted wait
/// returns all `false`.
pub(crate) fn wait_readable<const N: usize>(
    fds: [BorrowedFd<'_>; N],
    timeout: Option<Duration>,
) -> io::Result<[bool; N]> {
    let mut polls = fds.map(|fd| libc::pollfd {
        fd: fd.as_fd().as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    });
    let spec = timeout.map(|t| libc::timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: t.subsec_nanos() as libc::c_long,
    });
    let spec_ptr = spec
        .as_ref()
        .map_or(std::ptr::null(), |s| s as *const libc::timespec);
    // SAFETY: `polls` is a live array of N initialised pollfd whose
    // descriptors are borrowed for this call; `spec_ptr` is null or points
    // to `spec`, which outlives the call; a null signal mask leaves the
    // mask unchanged.
    let rc = unsafe {
        libc::ppoll(
            polls.as_mut_ptr(),
            N as libc::nfds_t,
            spec_ptr,
            std::ptr::null(),
        )
    };
    if rc < 0 {
        let err = io::Error::last_os_error();
        return match err.kind() {
            io::ErrorKind::Interrupted => Ok([false; N]),
            _ => Err(err),
        };
    }
    Ok(polls.map(|p| p.revents & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0))
}
