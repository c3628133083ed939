//! Random segments and API calls against one socket: no panic, and the
//! invariants in `tcp_driver/mod.rs` hold (also a fuzz target, `tcp_socket`).

#[path = "tcp_driver/mod.rs"]
mod driver;

use proptest::prelude::*;

/// Eight config bytes (all off), listen, the peer's SYN, then its ACK.
fn established_prefix() -> Vec<u8> {
    let mut data = vec![0u8; 8];
    data.extend_from_slice(&[7, 2, 1]);
    data.extend_from_slice(&[0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0]);
    data.extend_from_slice(&[0, 0, 0, 0, 0, 1, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 0]);
    data
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn arbitrary_segments_and_calls_keep_invariants(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        driver::run(&data);
    }

    #[test]
    fn established_socket_keeps_invariants(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut script = established_prefix();
        script.extend_from_slice(&data);
        driver::run(&script);
    }
}

#[test]
fn decoder_can_reach_established() {
    // Proves the byte decoder reaches the interesting states at all.
    assert_eq!(
        driver::run(&established_prefix()),
        seqs::tcp::State::Established
    );
}
