//! Shared by the DHCP engine targets: fuzz bytes as a script of timed
//! messages, nudged towards parsing so the engines' deeper states are met.

use seqs::wire::dhcp::{HEADER_LEN, HTYPE_ETHERNET, MAGIC_COOKIE};

/// One scripted step: wait `advance` (each target picks the unit), then
/// receive `message`; `flags` picks extra driver actions.
pub struct Step {
    pub advance: u64,
    pub flags: u8,
    pub message: Vec<u8>,
}

/// Splits `data` into steps of `[advance, flags, len, message[len]]`.
pub fn steps(mut data: &[u8]) -> impl Iterator<Item = Step> + '_ {
    std::iter::from_fn(move || {
        let [advance, flags, len, rest @ ..] = data else {
            return None;
        };
        let take = usize::from(*len).saturating_mul(4).min(rest.len());
        let (body, tail) = rest.split_at(take);
        data = tail;
        Some(Step {
            advance: u64::from(*advance),
            flags: *flags,
            message: message(body),
        })
    })
}

/// The body laid over a well-formed header, so most steps parse: fuzzed
/// bytes still reach every field but the cookie and hardware type.
fn message(body: &[u8]) -> Vec<u8> {
    let mut m = body.to_vec();
    if m.len() < HEADER_LEN {
        m.resize(HEADER_LEN, 0);
    }
    m[1] = HTYPE_ETHERNET;
    m[2] = 6;
    m[236..240].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    m
}

/// Every message an engine sends must encode.
pub fn assert_encodes(repr: &seqs::wire::dhcp::Repr) {
    let mut buf = [0u8; 1500];
    let out = buf.get_mut(..repr.buffer_len()).expect("fits a frame");
    repr.emit(&mut seqs::wire::dhcp::Packet::new_unchecked(out))
        .expect("engine output encodes");
}
