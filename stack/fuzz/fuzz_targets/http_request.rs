//! Request heads: never panic; a parse fed in two pieces (split at the
//! first input byte) gives the same outcome as one feed; a parsed head's
//! slices lie inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seqs::http::{Header, Progress, RequestParser};

fuzz_target!(|data: &[u8]| {
    let Some((&split, input)) = data.split_first() else {
        return;
    };
    let mut headers = [Header::EMPTY; 16];
    let whole = match RequestParser::new().parse(input, &mut headers) {
        Ok(Progress::Done(r)) => {
            assert!(r.head_len() <= input.len());
            assert!(r.headers().iter().all(|h| !h.name().is_empty()));
            Ok(Some((
                r.head_len(),
                r.headers().len(),
                r.body(),
                r.keep_alive(),
            )))
        }
        Ok(Progress::NeedMore) => Ok(None),
        Err(e) => Err(e),
    };
    let cut = usize::from(split).min(input.len());
    let mut parser = RequestParser::new();
    let mut headers = [Header::EMPTY; 16];
    let first = parser.parse(&input[..cut], &mut headers);
    let split_outcome = match first {
        Ok(Progress::NeedMore) => {
            let mut headers = [Header::EMPTY; 16];
            match parser.parse(input, &mut headers) {
                Ok(Progress::Done(r)) => Ok(Some((
                    r.head_len(),
                    r.headers().len(),
                    r.body(),
                    r.keep_alive(),
                ))),
                Ok(Progress::NeedMore) => Ok(None),
                Err(e) => Err(e),
            }
        }
        Ok(Progress::Done(r)) => Ok(Some((
            r.head_len(),
            r.headers().len(),
            r.body(),
            r.keep_alive(),
        ))),
        Err(e) => Err(e),
    };
    assert_eq!(whole, split_outcome);
});
