//! Response heads: never panic; two-piece feeds agree with one feed; a
//! parsed head's length lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seqs::http::{Header, Progress, ResponseParser};

fuzz_target!(|data: &[u8]| {
    let Some((&split, input)) = data.split_first() else {
        return;
    };
    let method = if split & 1 == 0 { "GET" } else { "HEAD" };
    let summary = |parser: &mut ResponseParser, bytes: &[u8]| {
        let mut headers = [Header::EMPTY; 16];
        match parser.parse(bytes, &mut headers) {
            Ok(Progress::Done(r)) => {
                assert!(r.head_len() <= bytes.len() && (100..1000).contains(&r.status()));
                Ok(Some((
                    r.head_len(),
                    r.status(),
                    r.headers().len(),
                    r.body(),
                    r.keep_alive(),
                )))
            }
            Ok(Progress::NeedMore) => Ok(None),
            Err(e) => Err(e),
        }
    };
    let whole = summary(&mut ResponseParser::new().request_method(method), input);
    let cut = usize::from(split >> 1).min(input.len());
    let mut parser = ResponseParser::new().request_method(method);
    let split_outcome = match summary(&mut parser, &input[..cut]) {
        Ok(None) => summary(&mut parser, input),
        done_or_error => done_or_error,
    };
    assert_eq!(whole, split_outcome);
});
