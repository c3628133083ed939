//! Two `seqs` stacks, each driven as a driver would: `receive` per frame,
//! `transmit` until it has nothing, `poll_at` for the next timer.

use super::wire::{Frame, Micros, Pair, Pool, MTU};
use core::net::{Ipv4Addr, SocketAddrV4};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use seqs::iface::Capacities;
use seqs::socket::{Handle, Tcp};
use seqs::storage::RingBuffer;
use seqs::time::Instant;
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{Config, Stack, Storage};

const PORT: u16 = 5001;

/// `seqs` with its default TCP options (`OPTIONS` true: timestamps and
/// SACK), or without them (false), which is what two smoltcp 0.14 sockets
/// agree on: smoltcp sends no timestamps and never offers SACK.
pub struct Seqs<const OPTIONS: bool> {
    nodes: [Stack<'static, ChaCha8Rng>; 2],
    handles: [Handle<Tcp>; 2],
    /// The buffer the next frame is written into.
    scratch: Frame,
}

fn ip(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, n)
}

fn node(n: u8, buffer: usize, options: bool) -> (Stack<'static, ChaCha8Rng>, Handle<Tcp>) {
    let mut config = Config::new(EthernetAddress([2, 0, 0, 0, 0, n]));
    config.mtu = MTU;
    // No gratuitous ARP: the frames on the wire are the transfer's own, as
    // for smoltcp, so the loss pattern hits comparable frames.
    config.announcements = 0;
    let mut stack = Stack::new(
        config,
        // One socket slot, as smoltcp's `SocketSet` holds exactly the one
        // socket added: both stacks walk only the sockets that exist.
        Storage::with_capacity(Capacities {
            sockets: 1,
            ..Capacities::default()
        }),
        ChaCha8Rng::seed_from_u64(u64::from(n)),
    );
    stack.set_ipv4_address(Instant::ZERO, Ipv4Cidr::new(ip(n), 24));
    let tcp = seqs::tcp::Config {
        timestamps: options,
        sack: options,
        ..seqs::tcp::Config::default()
    };
    let socket = seqs::tcp::Socket::with_config(
        RingBuffer::new(vec![0u8; buffer]),
        RingBuffer::new(vec![0u8; buffer]),
        tcp,
    );
    let handle = stack.add_tcp_socket(socket).expect("a free socket slot");
    (stack, handle)
}

impl<const OPTIONS: bool> Pair for Seqs<OPTIONS> {
    fn new(buffer: usize) -> Self {
        let (mut a, ha) = node(1, buffer, OPTIONS);
        let (mut b, hb) = node(2, buffer, OPTIONS);
        b.tcp_listen(hb, PORT).expect("listen");
        a.tcp_connect(ha, Instant::ZERO, SocketAddrV4::new(ip(2), PORT))
            .expect("connect");
        Seqs {
            nodes: [a, b],
            handles: [ha, hb],
            scratch: Pool::default().take(),
        }
    }

    fn receive(&mut self, now: Micros, to: usize, frame: Frame, pool: &mut Pool) {
        self.nodes[to].receive(Instant::from_micros(now), frame.as_slice());
        pool.put(frame);
    }

    fn applications(&mut self, data: &[u8], sent: &mut usize, got: &mut usize, sink: &mut [u8]) {
        let [a, b] = &mut self.nodes;
        let sender = a.tcp(self.handles[0]).expect("socket");
        if *sent < data.len() {
            *sent += sender.send_slice(&data[*sent..]).unwrap_or(0);
        }
        let receiver = b.tcp(self.handles[1]).expect("socket");
        while let Ok(n @ 1..) = receiver.recv_slice(sink) {
            super::wire::verify(data, got, &sink[..n]);
        }
    }

    fn transmit(&mut self, now: Micros, pool: &mut Pool, out: &mut Vec<(usize, Frame)>) {
        let now = Instant::from_micros(now);
        for (from, node) in self.nodes.iter_mut().enumerate() {
            while let Some(n) = node.transmit(now, self.scratch.buffer_mut()) {
                let mut frame = core::mem::replace(&mut self.scratch, pool.take());
                frame.set_len(n);
                out.push((from, frame));
            }
        }
    }

    fn poll_at(&mut self, _now: Micros) -> Option<Micros> {
        self.nodes
            .iter()
            .filter_map(|n| n.poll_at())
            .map(|t| t.total_micros())
            .min()
    }
}
