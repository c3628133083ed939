//! `embedded-io` on a TCP connection: the non-blocking semantics documented
//! in `seqs::tcp::TcpConnection`, between two stacks on an in-memory link.

mod support;

use std::net::SocketAddrV4;

use embedded_io::{Error as _, ErrorKind, Read, ReadReady, Write, WriteReady};
use seqs::socket::{Handle, Tcp};
use seqs::tcp::{IoError, State, TcpConnection};
use seqs::time::Duration;
use support::*;

/// A connected pair (client on node 0, server on node 1) with `size`-byte
/// buffers on both sockets.
fn connected(size: usize) -> (Link, Handle<Tcp>, Handle<Tcp>) {
    let mut link = Link::new(vec![stack(1, true), stack(2, true)]);
    let server = link.nodes[1]
        .add_tcp_socket(tcp_socket(size, size))
        .unwrap();
    link.nodes[1].tcp_listen(server, 7).unwrap();
    let client = link.nodes[0]
        .add_tcp_socket(tcp_socket(size, size))
        .unwrap();
    let now = link.now;
    link.nodes[0]
        .tcp_connect(client, now, SocketAddrV4::new(ip(2), 7))
        .unwrap();
    (link, client, server)
}

fn conn(
    link: &mut Link,
    node: usize,
    h: Handle<Tcp>,
) -> TcpConnection<'_, 'static, rand_chacha::ChaCha8Rng> {
    TcpConnection::new(&mut link.nodes[node], h)
}

/// Generic code that only knows the `embedded-io` traits.
fn greet(w: &mut impl Write) -> Result<(), embedded_io::WriteFmtError<impl embedded_io::Error>> {
    write!(w, "hello {}", 42)
}

#[test]
fn reads_would_block_until_data_arrives_then_return_it() {
    let (mut link, client, server) = connected(4096);
    let mut buf = [0u8; 64];
    assert_eq!(
        conn(&mut link, 1, server).read(&mut buf),
        Err(IoError::WouldBlock)
    );
    assert_eq!(
        conn(&mut link, 0, client).read(&mut buf),
        Err(IoError::WouldBlock),
        "connecting"
    );
    assert!(!conn(&mut link, 1, server).read_ready().unwrap());

    link.run_for(Duration::from_millis(10));
    greet(&mut conn(&mut link, 0, client)).unwrap();
    link.run_for(Duration::from_millis(10));

    let mut server_conn = conn(&mut link, 1, server);
    assert!(server_conn.read_ready().unwrap());
    let n = server_conn.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello 42");
    assert_eq!(server_conn.read(&mut buf), Err(IoError::WouldBlock));
    assert_eq!(server_conn.read(&mut []), Ok(0), "empty buffer");
    assert_eq!(IoError::WouldBlock.kind(), ErrorKind::Other);
}

#[test]
fn read_returns_zero_only_at_end_of_stream() {
    let (mut link, client, server) = connected(4096);
    link.run_for(Duration::from_millis(10));
    conn(&mut link, 0, client).write_all(b"last words").unwrap();
    conn(&mut link, 0, client).socket().unwrap().close();
    link.run_for(Duration::from_millis(100));

    let mut server_conn = conn(&mut link, 1, server);
    let mut buf = [0u8; 64];
    let mut got = Vec::new();
    server_conn.read_exact(&mut buf[..10]).unwrap();
    got.extend_from_slice(&buf[..10]);
    assert_eq!(got, b"last words");
    assert!(server_conn.read_ready().unwrap(), "EOF is ready");
    assert_eq!(server_conn.read(&mut buf), Ok(0));
    assert_eq!(server_conn.read(&mut buf), Ok(0), "EOF stays");
}

#[test]
fn write_would_block_when_the_buffer_is_full_and_flush_waits_for_acks() {
    let (mut link, client, _server) = connected(1024);
    link.run_for(Duration::from_millis(10));
    let mut client_conn = conn(&mut link, 0, client);
    assert!(client_conn.write_ready().unwrap());
    assert_eq!(client_conn.write(&[7u8; 4000]), Ok(1024));
    assert!(!client_conn.write_ready().unwrap());
    assert_eq!(client_conn.write(&[7u8; 10]), Err(IoError::WouldBlock));
    assert_eq!(client_conn.write(&[]), Ok(0), "empty buffer");
    assert_eq!(
        client_conn.flush(),
        Err(IoError::WouldBlock),
        "not yet sent"
    );

    // The server never reads: a kilobyte fits its window, so it is acked.
    link.run_for(Duration::from_millis(100));
    let mut client_conn = conn(&mut link, 0, client);
    assert_eq!(client_conn.flush(), Ok(()));
    assert!(client_conn.write_ready().unwrap());
}

#[test]
fn write_after_close_is_a_broken_pipe() {
    let (mut link, client, _server) = connected(1024);
    link.run_for(Duration::from_millis(10));
    let mut client_conn = conn(&mut link, 0, client);
    client_conn.socket().unwrap().close();
    assert_eq!(client_conn.write(b"x"), Err(IoError::WriteClosed));
    assert_eq!(IoError::WriteClosed.kind(), ErrorKind::BrokenPipe);
    assert!(
        client_conn.write_ready().unwrap(),
        "fails at once, never blocks"
    );
}

#[test]
fn unconnected_and_unknown_sockets_are_errors_not_blocking() {
    let mut link = Link::new(vec![stack(1, true)]);
    let idle = link.nodes[0]
        .add_tcp_socket(tcp_socket(1024, 1024))
        .unwrap();
    let mut buf = [0u8; 8];
    let mut idle_conn = conn(&mut link, 0, idle);
    assert_eq!(idle_conn.read(&mut buf), Err(IoError::NotConnected));
    assert_eq!(idle_conn.write(b"x"), Err(IoError::NotConnected));
    assert_eq!(IoError::NotConnected.kind(), ErrorKind::NotConnected);
    assert!(idle_conn.read_ready().unwrap());

    link.nodes[0].remove_socket(idle).unwrap();
    let mut gone = conn(&mut link, 0, idle);
    assert_eq!(gone.read(&mut buf), Err(IoError::InvalidHandle));
    assert_eq!(gone.write(b"x"), Err(IoError::InvalidHandle));
}

#[test]
fn a_reset_connection_reads_as_not_connected() {
    let (mut link, client, server) = connected(1024);
    link.run_for(Duration::from_millis(10));
    conn(&mut link, 0, client).socket().unwrap().abort();
    link.run_for(Duration::from_millis(10));
    let mut server_conn = conn(&mut link, 1, server);
    assert_eq!(server_conn.socket().unwrap().state(), State::Closed);
    assert_eq!(server_conn.read(&mut [0u8; 8]), Err(IoError::NotConnected));
    assert_eq!(server_conn.write(b"x"), Err(IoError::NotConnected));
}
