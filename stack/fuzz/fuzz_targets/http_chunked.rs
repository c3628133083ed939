//! Chunked bodies: never panic; feeding in pieces of any size yields the
//! same body, trailers and end as one feed; consumed counts stay in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seqs::http::{Chunk, ChunkedDecoder, Error};

/// Decodes `input` delivered `step` bytes at a time; returns a digest of the
/// body, the trailer count, the bytes consumed and whether it ended.
fn decode(input: &[u8], step: usize) -> Result<(u64, usize, usize, usize, bool), Error> {
    let mut decoder = ChunkedDecoder::with_limits(64, 256);
    let (mut digest, mut body_len, mut trailers, mut consumed) = (0u64, 0usize, 0usize, 0usize);
    let mut available = 0;
    while available < input.len() {
        available = (available + step).min(input.len());
        loop {
            let pending = &input[consumed..available];
            let (used, chunk) = decoder.decode(pending)?;
            assert!(used <= pending.len());
            consumed += used;
            match chunk {
                Some(Chunk::Data(d)) => {
                    body_len += d.len();
                    digest = d.iter().fold(digest, |h, &b| {
                        h.wrapping_mul(31).wrapping_add(u64::from(b))
                    });
                }
                Some(Chunk::Trailer(_)) => trailers += 1,
                Some(Chunk::End) => return Ok((digest, body_len, trailers, consumed, true)),
                None => break,
            }
        }
    }
    Ok((digest, body_len, trailers, consumed, false))
}

fuzz_target!(|data: &[u8]| {
    let Some((&step, input)) = data.split_first() else {
        return;
    };
    let whole = decode(input, input.len().max(1));
    let pieces = decode(input, usize::from(step).max(1));
    assert_eq!(whole.is_ok(), pieces.is_ok());
    if let (Ok(a), Ok(b)) = (whole, pieces) {
        assert_eq!(a, b);
    }
});
