use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use seqs::wire::{ethernet, ipv4, udp as udp_wire, EthernetAddress};

use super::*;
use crate::testing::Lcg;

static LED: Signal<CriticalSectionRawMutex, bool> = Signal::new();

fn settings() -> Settings {
    Settings::from_env(None, None).unwrap()
}

#[test]
fn the_board_storage_fits_the_application_which_asks_for_a_lease_at_once() {
    let buffers = Box::leak(Box::new(Buffers::new()));
    let mac = EthernetAddress([0x28, 0xcd, 0xc1, 0, 0, 1]);
    let Built { mut board, echo } = build(
        buffers,
        &settings(),
        mac,
        Lcg(1),
        SignalLed(&LED),
        Instant::ZERO,
    )
    .expect("the buffers are sized for the application");
    assert_eq!(LED.try_take(), Some(false), "the LED starts off");

    assert_eq!(board.poll_at(), Some(Instant::ZERO), "DHCP starts now");
    let mut buf = [0u8; 1514];
    let n = board
        .transmit(Instant::ZERO, &mut buf)
        .expect("a DHCPDISCOVER");
    let frame = ethernet::Frame::new_checked(&buf[..n]).unwrap();
    assert_eq!(frame.dst_addr(), EthernetAddress::BROADCAST);
    assert_eq!(frame.src_addr(), mac);
    let packet = ipv4::Packet::new_checked(frame.payload()).unwrap();
    let datagram = udp_wire::Packet::new_checked(packet.payload()).unwrap();
    assert_eq!((datagram.src_port(), datagram.dst_port()), (68, 67));
    assert!(
        board.stack().add_tcp_socket(echo).is_some(),
        "a slot is left for the echo service"
    );
}

#[test]
fn the_led_signal_keeps_only_the_latest_request() {
    static SIGNAL: Signal<CriticalSectionRawMutex, bool> = Signal::new();
    let mut led = SignalLed(&SIGNAL);
    led.set(true);
    led.set(false);
    led.set(true);
    assert_eq!(SIGNAL.try_take(), Some(true));
    assert_eq!(SIGNAL.try_take(), None);
}
