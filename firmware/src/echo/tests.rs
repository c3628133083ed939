use std::boxed::Box;

use embassy_futures::join::join3;
use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use seqs::iface::Capacities;
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{Config, Stack, Storage};
use seqs_embassy::{Cable, Net, Runner};

use super::*;
use crate::testing::{Lcg, Poller, TimeGuard};

type TestNet = Net<'static, NoopRawMutex, Stack<'static, Lcg>, 2>;

fn host(n: u8) -> (&'static TestNet, EthernetAddress) {
    let mac = EthernetAddress([2, 0, 0, 0, 0, n]);
    let storage = Storage::with_capacity(Capacities::default());
    let mut stack = Stack::new(Config::new(mac), storage, Lcg(n.into()));
    let address = Ipv4Cidr::new(core::net::Ipv4Addr::new(192, 0, 2, n), 24);
    stack.set_ipv4_address(seqs::time::Instant::ZERO, address);
    (Box::leak(Box::new(Net::new(stack))), mac)
}

fn socket(
    net: &'static TestNet,
) -> TcpSocket<'static, 'static, NoopRawMutex, Stack<'static, Lcg>, 2> {
    let buffers: &'static mut Buffers = Box::leak(Box::default());
    TcpSocket::new(net, buffers.socket()).expect("a free socket slot")
}

/// The board's echo service on one stack, clients on another, joined by
/// an in-memory cable: each client gets back what it sent, and the one
/// socket serves them one after another.
#[test]
fn echoes_each_client_in_turn_on_one_socket() {
    let time = TimeGuard::new();
    let cable: &'static Cable<NoopRawMutex, 8> = Box::leak(Box::default());
    let ((board, board_mac), (peer, peer_mac)) = (host(2), host(1));
    let (board_end, peer_end) = cable.ends([board_mac, peer_mac]);
    let service = serve(socket(board));
    let runners = join3(
        Runner::new(board, board_end).run(),
        Runner::new(peer, peer_end).run(),
        service,
    );
    let clients = async move {
        for message in [&b"hello, echo"[..], &[0xa5; 1500]] {
            let mut client = socket(peer);
            let board_at = core::net::SocketAddrV4::new([192, 0, 2, 2].into(), PORT);
            client.connect(board_at).await.unwrap();
            client.write_all(message).await.unwrap();
            let mut back = [0u8; 1500];
            client.read_exact(&mut back[..message.len()]).await.unwrap();
            assert_eq!(&back[..message.len()], message);
            client.close();
            assert_eq!(
                client.read(&mut back).await,
                Ok(0),
                "the service closes too"
            );
        }
    };
    let mut run = Poller::new(select(runners, clients));
    for _ in 0..10_000 {
        match run.poll() {
            core::task::Poll::Ready(Either::Second(())) => return,
            core::task::Poll::Ready(Either::First(_)) => unreachable!("the runners never end"),
            core::task::Poll::Pending => time.advance_millis(1),
        }
    }
    panic!("the clients were not served within 10 s");
}
