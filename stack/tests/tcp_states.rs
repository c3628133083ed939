//! Scripted segment-level tests of the RFC 9293 state machine: feed a
//! segment at time T, expect exact segments out.

mod tcp_harness;

use seqs::tcp::{reset_reply, Error, SeqNumber, Socket, State};
use seqs::time::Instant;
use seqs::wire::tcp::Control::{self, Fin, Psh, Rst, Syn};
use tcp_harness::*;

const WIN: u16 = 1000;
const A_ISN: u32 = 100;
const B_ISN: u32 = 5000;

fn client() -> Socket<'static> {
    socket(usize::from(WIN), plain_config())
}

fn listener() -> Socket<'static> {
    let mut b = client();
    b.listen(b_end(), SeqNumber(B_ISN)).unwrap();
    b
}

fn a(control: Control, seq: u32, ack: Option<u32>) -> Seg {
    Seg::a_to_b(control, seq, ack, WIN)
}
fn b(control: Control, seq: u32, ack: Option<u32>) -> Seg {
    Seg::b_to_a(control, seq, ack, WIN)
}

/// A (client) and B (server) after the three-way handshake at t=0.
fn established() -> (Socket<'static>, Socket<'static>) {
    let mut a_sock = client();
    let mut b_sock = listener();
    a_sock
        .connect(ms(0), a_end(), b_end(), SeqNumber(A_ISN))
        .unwrap();
    let syn = one(&mut a_sock, ms(0));
    assert_eq!(feed(&mut b_sock, ms(0), &syn), None);
    let syn_ack = one(&mut b_sock, ms(0));
    assert_eq!(feed(&mut a_sock, ms(0), &syn_ack), None);
    let ack = one(&mut a_sock, ms(0));
    assert_eq!(feed(&mut b_sock, ms(0), &ack), None);
    assert_eq!(a_sock.state(), State::Established);
    assert_eq!(b_sock.state(), State::Established);
    (a_sock, b_sock)
}

#[test]
fn three_way_handshake() {
    // RFC 9293 figure 6.
    let mut a_sock = client();
    let mut b_sock = listener();
    assert_eq!(b_sock.state(), State::Listen);
    a_sock
        .connect(ms(0), a_end(), b_end(), SeqNumber(A_ISN))
        .unwrap();
    assert_eq!(a_sock.state(), State::SynSent);
    assert_eq!(a_sock.poll_at(ms(0)), Some(ms(0)));
    let syn = one(&mut a_sock, ms(0));
    assert_eq!(syn, a(Syn, A_ISN, None).mss(1460));
    assert_eq!(a_sock.poll_at(ms(0)), Some(ms(1000)), "initial RTO");

    assert_eq!(feed(&mut b_sock, ms(10), &syn), None);
    assert_eq!(b_sock.state(), State::SynReceived);
    let isn = B_ISN + 10_000 / 4;
    let syn_ack = one(&mut b_sock, ms(10));
    assert_eq!(syn_ack, b(Syn, isn, Some(A_ISN + 1)).mss(1460));

    assert_eq!(feed(&mut a_sock, ms(20), &syn_ack), None);
    assert_eq!(a_sock.state(), State::Established);
    let ack = one(&mut a_sock, ms(20));
    assert_eq!(ack, a(Control::None, A_ISN + 1, Some(isn + 1)));
    assert_eq!(a_sock.poll_at(ms(20)), None, "idle");

    assert_eq!(feed(&mut b_sock, ms(30), &ack), None);
    assert_eq!(b_sock.state(), State::Established);
    assert!(drain(&mut b_sock, ms(30)).is_empty());
    assert_eq!(b_sock.remote_endpoint(), a_end());
    assert_eq!(b_sock.metrics().srtt.map(|d| d.total_millis()), Some(20));
}

#[test]
fn simultaneous_open() {
    // RFC 9293 figure 7.
    let mut a_sock = client();
    let mut b_sock = client();
    a_sock
        .connect(ms(0), a_end(), b_end(), SeqNumber(A_ISN))
        .unwrap();
    b_sock
        .connect(ms(0), b_end(), a_end(), SeqNumber(B_ISN))
        .unwrap();
    let syn_a = one(&mut a_sock, ms(0));
    let syn_b = one(&mut b_sock, ms(0));
    assert_eq!(syn_b, b(Syn, B_ISN, None).mss(1460));
    assert_eq!(feed(&mut a_sock, ms(5), &syn_b), None);
    assert_eq!(feed(&mut b_sock, ms(5), &syn_a), None);
    assert_eq!(a_sock.state(), State::SynReceived);
    assert_eq!(b_sock.state(), State::SynReceived);
    let syn_ack_a = one(&mut a_sock, ms(5));
    let syn_ack_b = one(&mut b_sock, ms(5));
    assert_eq!(syn_ack_a, a(Syn, A_ISN, Some(B_ISN + 1)).mss(1460));
    assert_eq!(syn_ack_b, b(Syn, B_ISN, Some(A_ISN + 1)).mss(1460));
    assert_eq!(feed(&mut a_sock, ms(10), &syn_ack_b), None);
    assert_eq!(feed(&mut b_sock, ms(10), &syn_ack_a), None);
    assert_eq!(a_sock.state(), State::Established);
    assert_eq!(b_sock.state(), State::Established);
}

#[test]
fn old_duplicate_syn_is_recovered_from() {
    // RFC 9293 figure 8: B answers an old SYN; A (in SYN-SENT) resets that
    // SYN,ACK; B returns to LISTEN and the real SYN then completes.
    let mut a_sock = client();
    let mut b_sock = listener();
    a_sock
        .connect(ms(0), a_end(), b_end(), SeqNumber(A_ISN))
        .unwrap();
    let syn = one(&mut a_sock, ms(0));
    let old_syn = a(Syn, 90, None);
    assert_eq!(feed(&mut b_sock, ms(1), &old_syn), None);
    let isn = B_ISN + 1000 / 4;
    let bad_syn_ack = one(&mut b_sock, ms(1));
    assert_eq!(bad_syn_ack, b(Syn, isn, Some(91)).mss(1460));
    let rst = feed(&mut a_sock, ms(2), &bad_syn_ack).expect("RST for a bad ACK");
    assert_eq!(rst, Seg::a_to_b(Rst, 91, None, 0));
    assert_eq!(a_sock.state(), State::SynSent);
    assert_eq!(feed(&mut b_sock, ms(3), &rst), None);
    assert_eq!(b_sock.state(), State::Listen);
    assert_eq!(feed(&mut b_sock, ms(4), &syn), None);
    let syn_ack = one(&mut b_sock, ms(4));
    assert_eq!(syn_ack.ack, Some(A_ISN + 1));
    assert_eq!(feed(&mut a_sock, ms(5), &syn_ack), None);
    assert_eq!(a_sock.state(), State::Established);
}

#[test]
fn normal_close_through_time_wait() {
    // RFC 9293 figure 12.
    let (mut a_sock, mut b_sock) = established();
    let isn = B_ISN;
    a_sock.close();
    assert_eq!(a_sock.state(), State::FinWait1);
    let fin = one(&mut a_sock, ms(100));
    assert_eq!(fin, a(Fin, A_ISN + 1, Some(isn + 1)));
    assert_eq!(a_sock.send_slice(b"late"), Err(Error::InvalidState));

    assert_eq!(feed(&mut b_sock, ms(110), &fin), None);
    assert_eq!(b_sock.state(), State::CloseWait);
    let ack = one(&mut b_sock, ms(110));
    // The FIN took one sequence number; the right edge stays put.
    assert_eq!(
        ack,
        Seg::b_to_a(Control::None, isn + 1, Some(A_ISN + 2), WIN - 1)
    );
    assert_eq!(b_sock.recv_slice(&mut [0; 8]), Err(Error::Finished));

    assert_eq!(feed(&mut a_sock, ms(120), &ack), None);
    assert_eq!(a_sock.state(), State::FinWait2);
    assert_eq!(a_sock.poll_at(ms(120)), None);

    b_sock.send_slice(b"bye").unwrap();
    b_sock.close();
    assert_eq!(b_sock.state(), State::LastAck);
    let data_fin = one(&mut b_sock, ms(130));
    assert_eq!(
        data_fin,
        Seg::b_to_a(Fin, isn + 1, Some(A_ISN + 2), WIN - 1).data(b"bye")
    );

    assert_eq!(feed(&mut a_sock, ms(140), &data_fin), None);
    assert_eq!(a_sock.state(), State::TimeWait);
    let last_ack = one(&mut a_sock, ms(140));
    assert_eq!(
        last_ack,
        Seg::a_to_b(Control::None, A_ISN + 2, Some(isn + 5), WIN - 4)
    );
    let mut buf = [0u8; 8];
    assert_eq!(a_sock.recv_slice(&mut buf), Ok(3));
    assert_eq!(&buf[..3], b"bye");
    assert_eq!(a_sock.recv_slice(&mut buf), Err(Error::Finished));

    assert_eq!(feed(&mut b_sock, ms(150), &last_ack), None);
    assert_eq!(b_sock.state(), State::Closed);

    // TIME-WAIT lasts 2 MSL from the moment it began.
    assert_eq!(a_sock.poll_at(ms(150)), Some(ms(60_140)));
    assert!(drain(&mut a_sock, ms(60_139)).is_empty());
    assert_eq!(a_sock.state(), State::TimeWait);
    assert!(drain(&mut a_sock, ms(60_140)).is_empty());
    assert_eq!(a_sock.state(), State::Closed);
    assert_eq!(a_sock.poll_at(ms(60_140)), None);
}

#[test]
fn time_wait_acks_a_retransmitted_fin_and_restarts() {
    let (mut a_sock, mut b_sock) = established();
    a_sock.close();
    let fin = one(&mut a_sock, ms(0));
    feed(&mut b_sock, ms(0), &fin);
    b_sock.close();
    let out = drain(&mut b_sock, ms(0));
    let b_fin = out.last().unwrap().clone();
    assert_eq!(b_fin.control, Fin);
    for seg in &out {
        feed(&mut a_sock, ms(0), seg);
    }
    assert_eq!(a_sock.state(), State::TimeWait);
    drain(&mut a_sock, ms(0));
    let reply = feed(&mut a_sock, ms(5000), &b_fin).expect("ACK again");
    assert_eq!(
        reply,
        Seg::a_to_b(Control::None, A_ISN + 2, Some(B_ISN + 2), WIN - 1)
    );
    assert_eq!(a_sock.poll_at(ms(5000)), Some(ms(65_000)));
}

#[test]
fn simultaneous_close() {
    // RFC 9293 figure 13.
    let (mut a_sock, mut b_sock) = established();
    a_sock.close();
    b_sock.close();
    let fin_a = one(&mut a_sock, ms(10));
    let fin_b = one(&mut b_sock, ms(10));
    assert_eq!(feed(&mut a_sock, ms(20), &fin_b), None);
    assert_eq!(feed(&mut b_sock, ms(20), &fin_a), None);
    assert_eq!(a_sock.state(), State::Closing);
    assert_eq!(b_sock.state(), State::Closing);
    let ack_a = one(&mut a_sock, ms(20));
    let ack_b = one(&mut b_sock, ms(20));
    assert_eq!(
        ack_a,
        Seg::a_to_b(Control::None, A_ISN + 2, Some(B_ISN + 2), WIN - 1)
    );
    feed(&mut a_sock, ms(30), &ack_b);
    feed(&mut b_sock, ms(30), &ack_a);
    assert_eq!(a_sock.state(), State::TimeWait);
    assert_eq!(b_sock.state(), State::TimeWait);
    assert_eq!(a_sock.poll_at(ms(30)), Some(ms(60_030)));
}

#[test]
fn fin_wait_1_straight_to_time_wait_on_fin_ack() {
    let (mut a_sock, _) = established();
    a_sock.close();
    one(&mut a_sock, ms(0));
    feed(&mut a_sock, ms(5), &b(Fin, B_ISN + 1, Some(A_ISN + 2)));
    assert_eq!(a_sock.state(), State::TimeWait);
    assert_eq!(
        one(&mut a_sock, ms(5)),
        Seg::a_to_b(Control::None, A_ISN + 2, Some(B_ISN + 2), WIN - 1)
    );
}

#[test]
fn half_close_keeps_receiving() {
    let (mut a_sock, mut b_sock) = established();
    a_sock.close();
    feed(&mut b_sock, ms(1), &one(&mut a_sock, ms(1)));
    feed(&mut a_sock, ms(2), &one(&mut b_sock, ms(2)));
    assert_eq!(a_sock.state(), State::FinWait2);
    b_sock.send_slice(b"more data").unwrap();
    let data = one(&mut b_sock, ms(3));
    assert_eq!(
        data,
        Seg::b_to_a(Psh, B_ISN + 1, Some(A_ISN + 2), WIN - 1).data(b"more data")
    );
    feed(&mut a_sock, ms(4), &data);
    let mut buf = [0u8; 16];
    assert_eq!(a_sock.recv_slice(&mut buf), Ok(9));
    assert_eq!(a_sock.peek(&mut buf), Ok(0));
}

#[test]
fn listener_answers_a_stray_ack_with_rst() {
    let mut b_sock = listener();
    let reply = feed(&mut b_sock, ms(0), &a(Control::None, 7, Some(1234)));
    assert_eq!(reply, Some(Seg::b_to_a(Rst, 1234, None, 0)));
    assert_eq!(feed(&mut b_sock, ms(0), &a(Rst, 7, None)), None);
    assert_eq!(b_sock.state(), State::Listen);
}

#[test]
fn closed_port_rst_follows_rfc9293() {
    let syn = a(Syn, 41, None).data(b"xy");
    let rst = syn.with_repr(|r| reset_reply(r).map(|r| Seg::from_repr(B_IP, A_IP, &r)));
    assert_eq!(rst, Some(Seg::b_to_a(Rst, 0, Some(44), 0)));
    let ack = a(Control::None, 41, Some(77));
    let rst = ack.with_repr(|r| reset_reply(r).map(|r| Seg::from_repr(B_IP, A_IP, &r)));
    assert_eq!(rst, Some(Seg::b_to_a(Rst, 77, None, 0)));
    assert!(a(Rst, 1, None).with_repr(|r| reset_reply(r).is_none()));
}

#[test]
fn syn_sent_handles_rst() {
    let mut a_sock = client();
    a_sock
        .connect(ms(0), a_end(), b_end(), SeqNumber(A_ISN))
        .unwrap();
    one(&mut a_sock, ms(0));
    // A RST whose ACK does not cover our SYN is ignored.
    assert_eq!(feed(&mut a_sock, ms(1), &b(Rst, 0, Some(A_ISN + 5))), None);
    assert_eq!(feed(&mut a_sock, ms(1), &b(Rst, 0, None)), None);
    assert_eq!(a_sock.state(), State::SynSent);
    // Connection refused.
    assert_eq!(feed(&mut a_sock, ms(2), &b(Rst, 0, Some(A_ISN + 1))), None);
    assert_eq!(a_sock.state(), State::Closed);
    assert_eq!(a_sock.poll_at(ms(2)), None);
}

#[test]
fn syn_received_reset_returns_to_listen() {
    let mut b_sock = listener();
    feed(&mut b_sock, ms(0), &a(Syn, A_ISN, None));
    one(&mut b_sock, ms(0));
    assert_eq!(feed(&mut b_sock, ms(1), &a(Rst, A_ISN + 1, None)), None);
    assert_eq!(b_sock.state(), State::Listen);
    assert_eq!(b_sock.local_endpoint().port(), B_PORT);
}

#[test]
fn syn_received_bad_ack_gets_rst() {
    let mut b_sock = listener();
    feed(&mut b_sock, ms(0), &a(Syn, A_ISN, None));
    one(&mut b_sock, ms(0));
    let reply = feed(&mut b_sock, ms(1), &a(Control::None, A_ISN + 1, Some(3)));
    assert_eq!(reply, Some(Seg::b_to_a(Rst, 3, None, 0)));
    assert_eq!(b_sock.state(), State::SynReceived);
}

#[test]
fn syn_received_resends_syn_ack_on_retransmitted_syn() {
    let mut b_sock = listener();
    feed(&mut b_sock, ms(0), &a(Syn, A_ISN, None));
    let syn_ack = one(&mut b_sock, ms(0));
    assert_eq!(feed(&mut b_sock, ms(300), &a(Syn, A_ISN, None)), None);
    assert_eq!(one(&mut b_sock, ms(300)), syn_ack);
}

#[test]
fn rst_in_window_rules_rfc5961() {
    let (mut a_sock, _) = established();
    // Out of window: silently dropped.
    assert_eq!(feed(&mut a_sock, ms(1), &b(Rst, B_ISN + 5000, None)), None);
    // In window but not exact: challenge ACK.
    let challenge = feed(&mut a_sock, ms(2), &b(Rst, B_ISN + 10, None));
    assert_eq!(
        challenge,
        Some(a(Control::None, A_ISN + 1, Some(B_ISN + 1)))
    );
    assert_eq!(a_sock.state(), State::Established);
    assert_eq!(a_sock.counters().challenge_acks, 1);
    // Exact: the connection is reset.
    assert_eq!(feed(&mut a_sock, ms(3), &b(Rst, B_ISN + 1, None)), None);
    assert_eq!(a_sock.state(), State::Closed);
    assert_eq!(a_sock.recv_slice(&mut [0; 4]), Err(Error::InvalidState));
}

#[test]
fn syn_in_established_gets_rate_limited_challenge_acks() {
    let mut config = plain_config();
    config.challenge_ack_limit = 2;
    let (mut a_sock, _) = established();
    a_sock.set_config(config);
    let challenge = Some(a(Control::None, A_ISN + 1, Some(B_ISN + 1)));
    let syn = b(Syn, B_ISN + 1, None);
    assert_eq!(feed(&mut a_sock, ms(1000), &syn), challenge);
    assert_eq!(feed(&mut a_sock, ms(1001), &syn), challenge);
    assert_eq!(feed(&mut a_sock, ms(1002), &syn), None, "rate limited");
    assert_eq!(feed(&mut a_sock, ms(2000), &syn), challenge, "next second");
    assert_eq!(a_sock.state(), State::Established);
    assert_eq!(a_sock.counters().challenge_acks_suppressed, 1);
}

#[test]
fn ack_for_unsent_data_gets_challenge_ack() {
    let (mut a_sock, _) = established();
    let reply = feed(
        &mut a_sock,
        ms(1),
        &b(Control::None, B_ISN + 1, Some(A_ISN + 50)),
    );
    assert_eq!(reply, Some(a(Control::None, A_ISN + 1, Some(B_ISN + 1))));
}

#[test]
fn unacceptable_segment_is_acked() {
    let (mut a_sock, _) = established();
    let old = b(Psh, B_ISN - 10, Some(A_ISN + 1)).data(b"old");
    assert_eq!(
        feed(&mut a_sock, ms(1), &old),
        Some(a(Control::None, A_ISN + 1, Some(B_ISN + 1)))
    );
    assert_eq!(a_sock.recv_queue(), 0);
    assert_eq!(a_sock.counters().unacceptable, 1);
}

#[test]
fn abort_sends_rst_and_closes() {
    let (mut a_sock, mut b_sock) = established();
    a_sock.abort();
    assert_eq!(a_sock.state(), State::Closed);
    let rst = one(&mut a_sock, ms(1));
    assert_eq!(rst, Seg::a_to_b(Rst, A_ISN + 1, Some(B_ISN + 1), 0));
    assert_eq!(a_sock.poll_at(ms(1)), None);
    feed(&mut b_sock, ms(2), &rst);
    assert_eq!(b_sock.state(), State::Closed);
}

#[test]
fn close_before_established_and_from_listen() {
    let mut b_sock = listener();
    b_sock.close();
    assert_eq!(b_sock.state(), State::Closed);
    let mut a_sock = client();
    a_sock
        .connect(ms(0), a_end(), b_end(), SeqNumber(A_ISN))
        .unwrap();
    a_sock.close();
    assert_eq!(a_sock.state(), State::Closed);
    assert!(drain(&mut a_sock, ms(0)).is_empty());
}

#[test]
fn close_in_syn_received_sends_fin_after_handshake() {
    let mut b_sock = listener();
    feed(&mut b_sock, ms(0), &a(Syn, A_ISN, None));
    one(&mut b_sock, ms(0));
    b_sock.close();
    assert_eq!(b_sock.state(), State::FinWait1);
    assert!(
        drain(&mut b_sock, ms(1)).is_empty(),
        "no FIN before the SYN is acked"
    );
    feed(
        &mut b_sock,
        ms(2),
        &a(Control::None, A_ISN + 1, Some(B_ISN + 1)),
    );
    assert_eq!(one(&mut b_sock, ms(2)), b(Fin, B_ISN + 1, Some(A_ISN + 1)));
}

#[test]
fn api_misuse_is_refused() {
    let mut s = client();
    assert_eq!(s.send_slice(b"x"), Err(Error::InvalidState));
    assert_eq!(s.recv_slice(&mut [0; 1]), Err(Error::InvalidState));
    assert_eq!(
        s.listen(std::net::SocketAddrV4::new(B_IP, 0), SeqNumber(0)),
        Err(Error::Unaddressable)
    );
    assert_eq!(
        s.connect(
            Instant::ZERO,
            a_end(),
            std::net::SocketAddrV4::new(std::net::Ipv4Addr::UNSPECIFIED, 80),
            SeqNumber(0)
        ),
        Err(Error::Unaddressable)
    );
    assert_eq!(
        s.connect(
            Instant::ZERO,
            std::net::SocketAddrV4::new(std::net::Ipv4Addr::UNSPECIFIED, 5000),
            b_end(),
            SeqNumber(0)
        ),
        Err(Error::Unaddressable),
        "the stack picks the source address before connecting"
    );
    s.listen(b_end(), SeqNumber(0)).unwrap();
    assert_eq!(s.listen(b_end(), SeqNumber(0)), Err(Error::InvalidState));
    assert_eq!(
        s.connect(Instant::ZERO, a_end(), b_end(), SeqNumber(0)),
        Err(Error::InvalidState)
    );
}

#[test]
fn listener_ignores_other_ports_and_addresses() {
    let b_sock = listener();
    let mut seg = a(Syn, 1, None);
    seg.dst_port = 81;
    assert!(!seg.with_repr(|r| b_sock.accepts(A_IP, B_IP, r)));
    let seg = a(Syn, 1, None);
    assert!(!seg.with_repr(|r| b_sock.accepts(A_IP, A_IP, r)));
    assert!(seg.with_repr(|r| b_sock.accepts(A_IP, B_IP, r)));
}

#[test]
fn unanswered_syn_ack_returns_listener_to_listen() {
    let mut b_sock = socket(
        usize::from(WIN),
        seqs::tcp::Config {
            syn_retries: 1,
            ..plain_config()
        },
    );
    b_sock.listen(b_end(), SeqNumber(B_ISN)).unwrap();
    feed(&mut b_sock, ms(0), &a(Syn, A_ISN, None));
    let syn_ack = one(&mut b_sock, ms(0));
    assert_eq!(one(&mut b_sock, ms(1000)), syn_ack);
    assert_eq!(b_sock.poll_at(ms(1000)), Some(ms(3000)));
    assert!(drain(&mut b_sock, ms(3000)).is_empty());
    assert_eq!(b_sock.state(), State::Listen);
    assert_eq!(b_sock.poll_at(ms(3000)), None);
}

#[test]
fn close_wait_can_still_send() {
    let (mut a_sock, mut b_sock) = established();
    a_sock.close();
    feed(&mut b_sock, ms(1), &one(&mut a_sock, ms(1)));
    drain(&mut b_sock, ms(1));
    assert_eq!(b_sock.state(), State::CloseWait);
    assert_eq!(b_sock.send_slice(b"reply"), Ok(5));
    let data = one(&mut b_sock, ms(2));
    assert_eq!(data.payload, b"reply");
    assert_eq!(data.control, Psh);
}

#[test]
fn half_open_connection_is_discovered() {
    // RFC 9293 figure 10 with RFC 5961: A crashed and reconnects with the
    // same ports. B answers the SYN with a challenge ACK, A resets that ACK
    // with exactly B's RCV.NXT, and B drops the stale connection.
    let (_, mut b_sock) = established();
    let mut a_new = client();
    a_new
        .connect(ms(100), a_end(), b_end(), SeqNumber(400))
        .unwrap();
    let syn = one(&mut a_new, ms(100));
    let challenge = feed(&mut b_sock, ms(110), &syn).expect("challenge ACK");
    assert_eq!(challenge, b(Control::None, B_ISN + 1, Some(A_ISN + 1)));
    assert_eq!(b_sock.state(), State::Established);
    let rst = feed(&mut a_new, ms(120), &challenge).expect("RST");
    assert_eq!(rst, Seg::a_to_b(Rst, A_ISN + 1, None, 0));
    assert_eq!(feed(&mut b_sock, ms(130), &rst), None);
    assert_eq!(b_sock.state(), State::Closed);
    // A's SYN retransmission now finds nothing; the stack answers with RST.
    let retry = one(&mut a_new, ms(1100));
    assert_eq!(retry, syn);
}

#[test]
fn rst_is_ignored_in_time_wait_rfc1337() {
    let (mut a_sock, _) = established();
    a_sock.close();
    one(&mut a_sock, ms(0));
    feed(&mut a_sock, ms(5), &b(Fin, B_ISN + 1, Some(A_ISN + 2)));
    assert_eq!(a_sock.state(), State::TimeWait);
    drain(&mut a_sock, ms(5));
    assert_eq!(feed(&mut a_sock, ms(6), &b(Rst, B_ISN + 2, None)), None);
    assert_eq!(a_sock.state(), State::TimeWait);
}

#[test]
fn rst_in_last_ack_closes_but_keeps_the_finished_stream() {
    let (mut a_sock, mut b_sock) = established();
    b_sock.send_slice(b"tail").unwrap();
    b_sock.close();
    for seg in drain(&mut b_sock, ms(1)) {
        feed(&mut a_sock, ms(2), &seg);
    }
    assert_eq!(a_sock.state(), State::CloseWait);
    a_sock.close();
    assert_eq!(a_sock.state(), State::LastAck);
    one(&mut a_sock, ms(3));
    assert_eq!(feed(&mut a_sock, ms(4), &b(Rst, B_ISN + 6, None)), None);
    assert_eq!(a_sock.state(), State::Closed);
    let mut buf = [0u8; 8];
    assert_eq!(a_sock.recv_slice(&mut buf), Ok(4));
    assert_eq!(&buf[..4], b"tail");
    assert_eq!(a_sock.recv_slice(&mut buf), Err(Error::Finished));
}

#[test]
fn rst_in_close_wait_discards_unread_data() {
    let (mut a_sock, mut b_sock) = established();
    b_sock.send_slice(b"lost").unwrap();
    b_sock.close();
    for seg in drain(&mut b_sock, ms(1)) {
        feed(&mut a_sock, ms(2), &seg);
    }
    assert_eq!(a_sock.state(), State::CloseWait);
    assert_eq!(feed(&mut a_sock, ms(4), &b(Rst, B_ISN + 6, None)), None);
    assert_eq!(a_sock.state(), State::Closed);
    assert_eq!(a_sock.recv_slice(&mut [0u8; 8]), Err(Error::InvalidState));
}
