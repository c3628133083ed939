//! The crate's only `unsafe`: the `TUNSETIFF` ioctl that attaches a file to
//! a TAP interface, `ppoll(2)`, and SIGINT/SIGTERM handling for the command
//! line. Everything else reads and writes the device through
//! `std::fs::File`.

use std::ffi::{c_int, c_short};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// Set by the signal handler; read by the bridge between waits.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Whether [`catch_interrupts`] ran: only then does [`wait_readable`] open
/// the signal mask for the duration of its wait.
static CATCHING: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_signal: c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// An interrupt (SIGINT or SIGTERM) arrived since [`catch_interrupts`].
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn interrupt_signals() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise and modify the local set they
    // are given; zeroed memory is a valid starting value for sigset_t.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        set
    }
}

/// Turns SIGINT and SIGTERM into a flag the bridge checks, so an interrupted
/// run still stops cleanly. The signals are blocked on the calling thread
/// except while it waits in [`wait_readable`], which closes the race between
/// checking the flag and going to sleep. Call it on the thread that runs the
/// bridge, before starting other threads.
pub(crate) fn catch_interrupts() -> io::Result<()> {
    let signals = interrupt_signals();
    // SAFETY: `action` is fully initialised (zeroed, then handler and empty
    // mask set) before sigaction reads it; the handler only stores to an
    // atomic, which is async-signal-safe; pthread_sigmask reads `signals`,
    // a valid set, and the old mask is not requested.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as extern "C" fn(c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        for signal in [libc::SIGINT, libc::SIGTERM] {
            if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, &signals, std::ptr::null_mut());
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
    }
    CATCHING.store(true, Ordering::SeqCst);
    Ok(())
}

/// The signal mask to wait with: the thread's own, minus the interrupt
/// signals when they are being caught.
fn wait_mask() -> io::Result<Option<libc::sigset_t>> {
    if !CATCHING.load(Ordering::SeqCst) {
        return Ok(None);
    }
    // SAFETY: a null new set only queries the mask into `mask`, which is
    // valid writable memory; sigdelset modifies that local set.
    unsafe {
        let mut mask: libc::sigset_t = std::mem::zeroed();
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut mask);
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        for signal in [libc::SIGINT, libc::SIGTERM] {
            libc::sigdelset(&mut mask, signal);
        }
        Ok(Some(mask))
    }
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
    let mask = wait_mask()?;
    let mask_ptr = mask
        .as_ref()
        .map_or(std::ptr::null(), |m| m as *const libc::sigset_t);
    // SAFETY: `polls` is a live array of N initialised pollfd whose
    // descriptors are borrowed for this call; `spec_ptr` and `mask_ptr` are
    // null or point to locals that outlive the call (a null mask leaves the
    // thread's mask unchanged).
    let rc = unsafe { libc::ppoll(polls.as_mut_ptr(), N as libc::nfds_t, spec_ptr, mask_ptr) };
    if rc < 0 {
        let err = io::Error::last_os_error();
        return match err.kind() {
            io::ErrorKind::Interrupted => Ok([false; N]),
            _ => Err(err),
        };
    }
    Ok(polls.map(|p| p.revents & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0))
}
