//! Interop with the Linux kernel's TCP. Inside a network namespace created
//! for the test, a small Python helper owns a TUN device (192.0.2.1/24) and
//! relays IPv4 packets over its stdin/stdout. Behind it a Linux TCP server
//! echoes what it receives once the client has half-closed, and on command
//! a Linux client sends to our listener and checks our echo. Both ways run
//! over a clean and a lossy relay. Needs root and `ip`; skipped (with a message)
//! where namespaces cannot be created.

mod tcp_harness;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seqs::tcp::{Config, Error, SeqNumber, Socket, State};
use seqs::time::{Duration, Instant};
use seqs::wire::checksum;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use tcp_harness::Seg;

const LINUX_IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const OUR_IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

const HELPER: &str = r#"
import fcntl, os, select, socket, struct, subprocess, threading
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"seqs0", 0x0001 | 0x1000))
for cmd in ("ip link set lo up", "ip addr add 192.0.2.1/24 dev seqs0", "ip link set seqs0 up"):
    subprocess.run(cmd.split(), check=True)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("192.0.2.1", 80))
srv.listen(1)
def serve():
    while True:
        conn, _ = srv.accept()
        data = bytearray()
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        conn.sendall(data)
        conn.close()
threading.Thread(target=serve, daemon=True).start()
def client():
    import random
    data = random.Random(7).randbytes(200000)
    conn = socket.create_connection(("192.0.2.2", 80), timeout=20)
    conn.sendall(data)
    conn.shutdown(socket.SHUT_WR)
    back = bytearray()
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        back += chunk
    conn.close()
    os.write(1, b"\0\1" + (b"\1" if back == data else b"\0"))
os.write(1, b"\0\0")
pending = b""
while True:
    ready, _, _ = select.select([fd, 0], [], [])
    if fd in ready:
        pkt = os.read(fd, 65535)
        os.write(1, struct.pack(">H", len(pkt)) + pkt)
    if 0 in ready:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        pending += chunk
        while len(pending) >= 2:
            n = struct.unpack(">H", pending[:2])[0]
            if len(pending) < 2 + n:
                break
            frame = pending[2:2 + n]
            pending = pending[2 + n:]
            if frame == b"connect":
                threading.Thread(target=client, daemon=True).start()
            else:
                os.write(fd, frame)
"#;

/// A network namespace, deleted on drop.
struct Namespace(String);

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// The helper inside its namespace; both go away on drop.
struct Relay {
    child: Child,
    /// Held for its `Drop`, which runs after the child is gone.
    _ns: Namespace,
    to_linux: ChildStdin,
    from_linux: Receiver<Vec<u8>>,
}

impl Relay {
    fn start() -> Option<Relay> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("seqs-tcp-{}-{n}", std::process::id());
        let added = Command::new("ip").args(["netns", "add", &name]).status();
        if !added.is_ok_and(|s| s.success()) {
            eprintln!("skipping: cannot create a network namespace");
            return None;
        }
        let ns = Namespace(name);
        let spawned = Command::new("ip")
            .args(["netns", "exec", &ns.0, "python3", "-c", HELPER])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn();
        let Ok(mut child) = spawned else {
            eprintln!("skipping: cannot run python3 in the namespace");
            return None;
        };
        let to_linux = child.stdin.take()?;
        let mut out = child.stdout.take()?;
        let (tx, from_linux) = channel();
        std::thread::spawn(move || {
            let mut len = [0u8; 2];
            while out.read_exact(&mut len).is_ok() {
                let mut pkt = vec![0u8; usize::from(u16::from_be_bytes(len))];
                if out.read_exact(&mut pkt).is_err() || tx.send(pkt).is_err() {
                    return;
                }
            }
        });
        let relay = Relay {
            child,
            _ns: ns,
            to_linux,
            from_linux,
        };
        // The helper announces itself with an empty packet once set up; if
        // it does not, dropping the relay stops it and removes the namespace.
        let ready = relay
            .from_linux
            .recv_timeout(std::time::Duration::from_secs(10));
        if !ready.is_ok_and(|p| p.is_empty()) {
            eprintln!("skipping: the TUN helper did not start (no /dev/net/tun?)");
            return None;
        }
        Some(relay)
    }

    /// Asks the helper to start its client against our listener.
    fn send_command(&mut self, command: &[u8]) {
        self.write_frame(command);
    }

    fn write_frame(&mut self, frame: &[u8]) {
        let len = (frame.len() as u16).to_be_bytes();
        self.to_linux
            .write_all(&[&len[..], frame].concat())
            .unwrap();
        self.to_linux.flush().unwrap();
    }

    fn send(&mut self, tcp: &[u8]) {
        let mut ip = [0u8; 20];
        ip[0] = 0x45;
        ip[2..4].copy_from_slice(&((20 + tcp.len()) as u16).to_be_bytes());
        ip[6] = 0x40;
        ip[8] = 64;
        ip[9] = 6;
        ip[12..16].copy_from_slice(&OUR_IP.octets());
        ip[16..20].copy_from_slice(&LINUX_IP.octets());
        let sum = !checksum::data(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        self.write_frame(&[&ip[..], tcp].concat());
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        // Our own child, by handle; the namespace goes after it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn trace(now: Instant, dir: &str, s: &Seg) {
    if std::env::var_os("TRACE").is_some() {
        eprintln!(
            "{now} {dir} {:?} seq={} ack={:?} win={} len={} sack={:?} ts={:?}",
            s.control,
            s.seq,
            s.ack,
            s.win,
            s.payload.len(),
            s.sack,
            s.ts
        );
    }
}

/// The TCP segment in an IPv4 packet from Linux to us, if it is one.
fn tcp_segment(pkt: &[u8]) -> Option<Seg> {
    if pkt.first()? >> 4 != 4 || *pkt.get(9)? != 6 || pkt.get(16..20)? != OUR_IP.octets() {
        return None;
    }
    let ihl = usize::from(pkt[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([pkt[2], pkt[3]]));
    Seg::from_bytes(LINUX_IP, OUR_IP, pkt.get(ihl..total)?)
}

/// Runs `sock` against Linux until `app` says it is done. `app` sees the
/// socket and the helper's verdict on its own side of the exchange.
fn drive(
    relay: &mut Relay,
    sock: &mut Socket<'_>,
    loss: f64,
    rng: &mut ChaCha8Rng,
    mut app: impl FnMut(&mut Socket<'_>, Option<u8>) -> bool,
) {
    let start = std::time::Instant::now();
    let clock = || Instant::from_micros(start.elapsed().as_micros() as u64);
    let mut verdict = None;
    loop {
        let now = clock();
        assert!(now < Instant::from_secs(10), "stuck in {}", sock.state());
        if app(sock, verdict) {
            return;
        }
        send_all(relay, sock, now, rng, loss);
        let wait = sock
            .poll_at(now)
            .map_or(Duration::from_millis(5), |t| t - now)
            .min(Duration::from_millis(5));
        let pkt = match relay.from_linux.recv_timeout(wait.into()) {
            Ok(pkt) => pkt,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => panic!("relay died"),
        };
        if let [v] = pkt[..] {
            verdict = Some(v);
            continue;
        }
        let Some(seg) = tcp_segment(&pkt) else {
            continue;
        };
        trace(clock(), "in", &seg);
        if rng.random_bool(loss) {
            continue;
        }
        let now = clock();
        let reply = seg.with_repr(|r| {
            sock.accepts(seg.src, seg.dst, r)
                .then(|| sock.process(now, seg.src, seg.dst, r))
                .flatten()
                .map(|r| Seg::from_repr(OUR_IP, LINUX_IP, &r))
        });
        if let Some(reply) = reply {
            relay.send(&reply.to_bytes());
        }
    }
}

fn config() -> Config {
    Config {
        time_wait: Duration::from_secs(1),
        ..Config::default()
    }
}

/// Reads what is there; true once the peer's FIN has been read too.
fn read_into(sock: &mut Socket<'_>, into: &mut Vec<u8>) -> bool {
    let mut buf = [0u8; 8192];
    match sock.recv_slice(&mut buf) {
        Ok(n) => {
            into.extend_from_slice(&buf[..n]);
            false
        }
        Err(Error::Finished) => true,
        Err(e) => panic!("{e:?} in {}", sock.state()),
    }
}

/// We connect to Linux's echo server, send, half-close and read it back.
fn client_exchange(relay: &mut Relay, loss: f64, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let data: Vec<u8> = (0..200_000).map(|_| rng.random()).collect();
    let mut sock = tcp_harness::socket(16 << 10, config());
    let local = SocketAddrV4::new(OUR_IP, 40_000 + seed as u16);
    let remote = SocketAddrV4::new(LINUX_IP, 80);
    sock.connect(Instant::ZERO, local, remote, SeqNumber(rng.random()))
        .unwrap();
    let (mut sent, mut echoed, mut closed) = (0, Vec::new(), false);
    drive(relay, &mut sock, loss, &mut rng, |sock, _| {
        if sent < data.len() {
            sent += sock.send_slice(&data[sent..]).unwrap_or(0);
        } else if !closed {
            sock.close();
            closed = true;
        }
        read_into(sock, &mut echoed) && matches!(sock.state(), State::TimeWait | State::Closed)
    });
    assert_eq!(echoed.len(), data.len());
    assert!(echoed == data, "the echo differs");
}

/// Linux connects to us, sends, half-closes; we echo and close; the helper
/// checks the echo and reports.
fn server_exchange(relay: &mut Relay, loss: f64, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sock = tcp_harness::socket(16 << 10, config());
    sock.listen(SocketAddrV4::new(OUR_IP, 80), SeqNumber(rng.random()))
        .unwrap();
    relay.send_command(b"connect");
    let (mut got, mut sent, mut eof, mut closed) = (Vec::new(), 0, false, false);
    let mut result = None;
    drive(relay, &mut sock, loss, &mut rng, |sock, verdict| {
        result = verdict;
        eof = eof || read_into(sock, &mut got);
        if eof && sent < got.len() {
            sent += sock.send_slice(&got[sent..]).unwrap_or(0);
        }
        if eof && sent == got.len() && !closed {
            sock.close();
            closed = true;
        }
        verdict.is_some() && sock.state() == State::Closed
    });
    assert_eq!(got.len(), 200_000, "bytes from Linux");
    assert_eq!(result, Some(1), "Linux got its bytes back");
}

fn send_all(
    relay: &mut Relay,
    sock: &mut Socket<'_>,
    now: Instant,
    rng: &mut ChaCha8Rng,
    loss: f64,
) {
    let mut out = Vec::new();
    while sock
        .dispatch(now, |_, _, repr| {
            out.push(Seg::from_repr(OUR_IP, LINUX_IP, repr).to_bytes());
            Ok::<(), ()>(())
        })
        .unwrap()
    {}
    for tcp in out {
        trace(
            now,
            "out",
            &Seg::from_bytes(OUR_IP, LINUX_IP, &tcp).unwrap(),
        );
        if !rng.random_bool(loss) {
            relay.send(&tcp);
        }
    }
}

#[test]
fn linux_echoes_what_we_send_over_clean_and_lossy_links() {
    let Some(mut relay) = Relay::start() else {
        return;
    };
    client_exchange(&mut relay, 0.0, 1);
    client_exchange(&mut relay, 0.05, 2);
}

#[test]
fn we_echo_what_linux_sends_over_clean_and_lossy_links() {
    let Some(mut relay) = Relay::start() else {
        return;
    };
    server_exchange(&mut relay, 0.0, 3);
    server_exchange(&mut relay, 0.05, 4);
}
