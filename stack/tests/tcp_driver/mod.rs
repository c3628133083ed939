//! Drives one socket with an arbitrary sequence of segments, API calls and
//! clock steps decoded from bytes, checking invariants after every step.
//! Shared by the `tcp_socket` fuzz target and the `tcp_driver` proptest.

use seqs::storage::RingBuffer;
use seqs::tcp::{Config, Congestion, SeqNumber, Socket, State};
use seqs::time::{Duration, Instant};
use seqs::wire::tcp::{Control, Repr, Timestamp, MAX_SACK_BLOCKS};
use std::net::{Ipv4Addr, SocketAddrV4};

const BUF: usize = 300;
const LOCAL: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 1), 80);
const PEER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 2), 4000);

struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }
    /// A sequence number near `base`, so segments often land in window.
    fn near(&mut self, base: SeqNumber) -> SeqNumber {
        let delta = i32::from(self.u8() as i8) * i32::from(self.u8() % 16 + 1);
        SeqNumber(base.0.wrapping_add(delta as u32))
    }
}

struct Totals {
    fed: usize,
    read: usize,
    written: usize,
}

/// Runs the script in `data`; returns the socket's final state.
pub fn run(data: &[u8]) -> State {
    let mut bytes = Bytes(data.iter());
    let config = Config {
        mss: u16::from(bytes.u8()).max(1) * 8,
        window_scaling: bytes.bool(),
        timestamps: bytes.bool(),
        sack: bytes.bool(),
        nagle: bytes.bool(),
        ack_delay: bytes.bool().then_some(Duration::from_millis(40)),
        keepalive: bytes.bool().then_some(Duration::from_secs(5)),
        congestion: if bytes.bool() {
            Congestion::Cubic
        } else {
            Congestion::Reno
        },
        challenge_ack_limit: 5,
        ..Config::default()
    };
    let (mut rx, mut tx) = ([0u8; BUF], [0u8; BUF]);
    let mut sock = Socket::with_config(
        RingBuffer::new(&mut rx[..]),
        RingBuffer::new(&mut tx[..]),
        config,
    );
    let mut now = Instant::ZERO;
    let mut totals = Totals {
        fed: 0,
        read: 0,
        written: 0,
    };
    let mut payload = [0u8; 128];
    while bytes.0.len() > 0 {
        match bytes.u8() % 10 {
            0..=3 => {
                let len = usize::from(bytes.u8()) % payload.len();
                for b in &mut payload[..len] {
                    *b = bytes.u8();
                }
                segment(&mut sock, now, &mut bytes, &payload[..len], &mut totals);
            }
            4 => {
                let len = usize::from(bytes.u8());
                if let Ok(n) = sock.send_slice(&payload[..len.min(payload.len())]) {
                    totals.written += n;
                }
            }
            5 => {
                let mut buf = [0u8; 64];
                if let Ok(n) = sock.recv_slice(&mut buf[..usize::from(bytes.u8()) % 64]) {
                    totals.read += n;
                }
            }
            6 => now += Duration::from_millis(u64::from(bytes.u16())),
            7 => match bytes.u8() % 3 {
                0 => sock.close(),
                1 => sock.abort(),
                _ => open(&mut sock, now, bytes.bool()),
            },
            8 => {
                if let Some(t) = sock.poll_at(now) {
                    now = now.max(t);
                }
            }
            _ => {}
        }
        drain(&mut sock, now);
        check(&sock, &totals);
    }
    sock.state()
}

fn open(sock: &mut Socket<'_>, now: Instant, listen: bool) {
    let _ = if listen {
        sock.listen(LOCAL, SeqNumber(7))
    } else {
        sock.connect(now, LOCAL, PEER, SeqNumber(u32::MAX - 3))
    };
}

fn segment(
    sock: &mut Socket<'_>,
    now: Instant,
    b: &mut Bytes<'_>,
    payload: &[u8],
    totals: &mut Totals,
) {
    let (una, _, _, rcv_nxt) = sock.sequence_state();
    let control = [
        Control::None,
        Control::Psh,
        Control::Syn,
        Control::Fin,
        Control::Rst,
    ][usize::from(b.u8() % 5)];
    let seq_number = b.near(rcv_nxt);
    let ack_number = b.bool().then(|| b.near(una));
    let mut sack_ranges = [None; MAX_SACK_BLOCKS];
    for slot in sack_ranges.iter_mut().take(usize::from(b.u8() % 3)) {
        let left = b.near(una);
        *slot = Some((left, left + u32::from(b.u16())));
    }
    let repr = Repr {
        src_port: PEER.port(),
        dst_port: LOCAL.port(),
        control,
        seq_number,
        ack_number,
        window_len: b.u16(),
        window_scale: b.bool().then(|| b.u8() % 16),
        max_seg_size: b.bool().then(|| b.u16()),
        sack_permitted: b.bool(),
        sack_ranges,
        timestamp: b.bool().then(|| Timestamp {
            tsval: u32::from(b.u16()),
            tsecr: u32::from(b.u16()),
        }),
        payload,
    };
    totals.fed += payload.len();
    if sock.accepts(*PEER.ip(), *LOCAL.ip(), &repr) {
        if let Some(reply) = sock.process(now, *PEER.ip(), *LOCAL.ip(), &repr) {
            assert!(reply.payload.is_empty(), "replies carry no data");
        }
    }
}

fn drain(sock: &mut Socket<'_>, now: Instant) {
    for _ in 0..2000 {
        let sent = sock
            .dispatch(now, |src, dst, repr| {
                assert_eq!(src, *LOCAL.ip());
                assert!(dst == *PEER.ip() || dst.is_unspecified());
                assert!(repr.buffer_len() <= 60 + BUF);
                Ok::<(), ()>(())
            })
            .unwrap();
        if !sent {
            // Nothing left to do now: the next wake-up must be later.
            if let Some(t) = sock.poll_at(now) {
                assert!(t > now, "poll_at {t} not after {now} in {}", sock.state());
            }
            return;
        }
    }
    panic!("dispatch never runs dry in {}", sock.state());
}

fn check(sock: &Socket<'_>, totals: &Totals) {
    let (una, nxt, max, _) = sock.sequence_state();
    if !matches!(sock.state(), State::Closed | State::Listen) {
        assert!(
            una <= nxt && nxt <= max,
            "SND.UNA {una} <= SND.NXT {nxt} <= SND.MAX {max}"
        );
        assert!(
            max.distance_from(una) as usize <= BUF + 2,
            "in flight beyond the buffer"
        );
    }
    assert!(sock.send_queue() <= BUF && sock.recv_queue() <= BUF);
    assert!(sock.send_queue() <= totals.written);
    assert!(
        totals.read + sock.recv_queue() <= totals.fed,
        "data from nowhere"
    );
}
