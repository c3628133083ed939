//! Two smoltcp interfaces driven like the `seqs` pair: one
//! `poll_ingress_single` per delivered frame, `poll_egress` until it has
//! nothing, `poll_at` for the next timer.

use super::wire::{Frame, Micros, Pair, Pool, FRAME};
use smoltcp::iface::{
    Config, Interface, PollIngressSingleResult, PollResult, SocketHandle, SocketSet,
};
use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr};
use std::collections::VecDeque;

const PORT: u16 = 5001;

/// One interface's NIC: frames handed in by the wire, frames it sent, and
/// the shared buffer pool (borrowed while smoltcp polls).
struct Nic<'p> {
    rx: &'p mut VecDeque<Frame>,
    tx: &'p mut Vec<Frame>,
    pool: &'p mut Pool,
    /// Received frames, returned to the pool after the poll.
    used: &'p mut Vec<Frame>,
}

struct Rx<'a> {
    frame: Frame,
    used: &'a mut Vec<Frame>,
}

struct Tx<'a> {
    tx: &'a mut Vec<Frame>,
    pool: &'a mut Pool,
}

impl RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let r = f(self.frame.as_slice());
        self.used.push(self.frame);
        r
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = self.pool.take();
        let r = f(frame.fill(len));
        self.tx.push(frame);
        r
    }
}

impl Device for Nic<'_> {
    type RxToken<'a>
        = Rx<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = Tx<'a>
    where
        Self: 'a;

    fn receive(&mut self, _: Instant) -> Option<(Rx<'_>, Tx<'_>)> {
        let frame = self.rx.pop_front()?;
        Some((
            Rx {
                frame,
                used: self.used,
            },
            Tx {
                tx: self.tx,
                pool: self.pool,
            },
        ))
    }

    fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
        Some(Tx {
            tx: self.tx,
            pool: self.pool,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = FRAME;
        caps
    }
}

struct Node {
    iface: Interface,
    sockets: SocketSet<'static>,
    handle: SocketHandle,
    rx: VecDeque<Frame>,
    tx: Vec<Frame>,
    used: Vec<Frame>,
}

impl Node {
    fn new(n: u8, buffer: usize) -> Self {
        let (mut rx, mut tx, mut used) = (VecDeque::new(), Vec::new(), Vec::new());
        let mut pool = Pool::default();
        let mut nic = Nic {
            rx: &mut rx,
            tx: &mut tx,
            pool: &mut pool,
            used: &mut used,
        };
        let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress([
            2, 0, 0, 0, 0, n,
        ])));
        config.random_seed = u64::from(n);
        let mut iface = Interface::new(config, &mut nic, Instant::ZERO);
        iface.update_ip_addrs(|a| {
            a.push(IpCidr::new(IpAddress::v4(192, 0, 2, n), 24))
                .expect("room for an address")
        });
        let socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; buffer]),
            tcp::SocketBuffer::new(vec![0; buffer]),
        );
        let mut sockets = SocketSet::new(Vec::new());
        let handle = sockets.add(socket);
        Node {
            iface,
            sockets,
            handle,
            rx,
            tx,
            used,
        }
    }

    fn socket(&mut self) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut(self.handle)
    }

    fn nic<'p>(
        rx: &'p mut VecDeque<Frame>,
        tx: &'p mut Vec<Frame>,
        used: &'p mut Vec<Frame>,
        pool: &'p mut Pool,
    ) -> Nic<'p> {
        Nic { rx, tx, pool, used }
    }

    fn receive(&mut self, now: Instant, frame: Frame, pool: &mut Pool) {
        self.rx.push_back(frame);
        let mut nic = Self::nic(&mut self.rx, &mut self.tx, &mut self.used, pool);
        while self
            .iface
            .poll_ingress_single(now, &mut nic, &mut self.sockets)
            != PollIngressSingleResult::None
        {}
        for frame in self.used.drain(..) {
            pool.put(frame);
        }
    }

    fn transmit(&mut self, now: Instant, pool: &mut Pool) {
        let mut nic = Self::nic(&mut self.rx, &mut self.tx, &mut self.used, pool);
        while self.iface.poll_egress(now, &mut nic, &mut self.sockets) != PollResult::None {}
    }
}

pub struct Smoltcp {
    nodes: [Node; 2],
}

impl Pair for Smoltcp {
    fn new(buffer: usize) -> Self {
        let mut a = Node::new(1, buffer);
        let mut b = Node::new(2, buffer);
        b.socket().listen(PORT).expect("listen");
        let remote = (IpAddress::v4(192, 0, 2, 2), PORT);
        let socket = a.sockets.get_mut::<tcp::Socket>(a.handle);
        socket
            .connect(a.iface.context(), remote, 49152)
            .expect("connect");
        Smoltcp { nodes: [a, b] }
    }

    fn receive(&mut self, now: Micros, to: usize, frame: Frame, pool: &mut Pool) {
        self.nodes[to].receive(Instant::from_micros(now as i64), frame, pool);
    }

    fn applications(&mut self, data: &[u8], sent: &mut usize, got: &mut usize, sink: &mut [u8]) {
        let [a, b] = &mut self.nodes;
        let sender = a.socket();
        if *sent < data.len() && sender.may_send() {
            *sent += sender.send_slice(&data[*sent..]).unwrap_or(0);
        }
        let receiver = b.socket();
        while let Ok(n @ 1..) = receiver.recv_slice(sink) {
            super::wire::verify(data, got, &sink[..n]);
        }
    }

    fn transmit(&mut self, now: Micros, pool: &mut Pool, out: &mut Vec<(usize, Frame)>) {
        let now = Instant::from_micros(now as i64);
        for (from, node) in self.nodes.iter_mut().enumerate() {
            node.transmit(now, pool);
            out.extend(node.tx.drain(..).map(|frame| (from, frame)));
        }
    }

    fn poll_at(&mut self, now: Micros) -> Option<Micros> {
        let now = Instant::from_micros(now as i64);
        self.nodes
            .iter_mut()
            .filter_map(|n| n.iface.poll_at(now, &n.sockets))
            .map(|t| t.total_micros().max(0) as Micros)
            .min()
    }
}
