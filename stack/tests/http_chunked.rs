//! The chunked coding (RFC 9112 §7.1): decoding in any feed pattern,
//! extensions, trailers, limits, and round trips through the writer.

use proptest::prelude::*;
use seqs::http::{write_chunk, write_last_chunk, Chunk, ChunkedDecoder, Error};

/// Everything a decode produced: body, trailers, and the bytes it used.
#[derive(Debug, PartialEq, Default)]
struct Decoded {
    body: Vec<u8>,
    trailers: Vec<(String, Vec<u8>)>,
    consumed: usize,
    done: bool,
}

/// Decodes `input` arriving in pieces that end at `cuts`, the way a receive
/// loop does: unconsumed bytes are kept and new ones appended.
fn decode_in_pieces(
    mut decoder: ChunkedDecoder,
    input: &[u8],
    cuts: &[usize],
) -> Result<Decoded, Error> {
    let mut out = Decoded::default();
    let mut pending: Vec<u8> = Vec::new();
    let mut fed = 0;
    for &cut in cuts.iter().chain([&input.len()]) {
        let cut = cut.clamp(fed, input.len());
        pending.extend_from_slice(&input[fed..cut]);
        fed = cut;
        loop {
            let (used, chunk) = decoder.decode(&pending)?;
            out.consumed += used;
            match chunk {
                Some(Chunk::Data(d)) => out.body.extend_from_slice(d),
                Some(Chunk::Trailer(h)) => out.trailers.push((h.name().into(), h.value().to_vec())),
                Some(Chunk::End) => {
                    out.done = true;
                    pending.drain(..used);
                    return Ok(out);
                }
                None => {
                    pending.drain(..used);
                    break;
                }
            }
            pending.drain(..used);
        }
    }
    Ok(out)
}

fn decode(input: &[u8]) -> Result<Decoded, Error> {
    decode_in_pieces(ChunkedDecoder::new(), input, &[])
}

#[test]
fn decodes_chunks_and_stops_at_the_end() {
    let d = decode(b"4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\nNEXT").unwrap();
    assert_eq!(d.body, b"Wikipedia in\r\n\r\nchunks.");
    assert!(d.done && d.trailers.is_empty());
    assert_eq!(d.consumed, 43, "stops before the next message");
}

#[test]
fn hex_sizes_any_case_with_leading_zeros() {
    let mut input = b"0000a\r\n".to_vec();
    input.extend([b'x'; 10]);
    input.extend(b"\r\nA\r\n");
    input.extend([b'y'; 10]);
    input.extend(b"\r\n000\r\n\r\n");
    assert_eq!(decode(&input).unwrap().body.len(), 20);
}

#[test]
fn trailers_are_returned_as_fields() {
    let d = decode(b"3\r\nabc\r\n0\r\nExpires: never\r\nX-Sum:  12 \r\n\r\n").unwrap();
    assert_eq!(d.body, b"abc");
    assert_eq!(
        d.trailers,
        [
            ("Expires".into(), b"never".to_vec()),
            ("X-Sum".into(), b"12".to_vec())
        ]
    );
}

#[test]
fn extensions_are_validated_and_ignored() {
    for line in [
        "3;a",
        "3;a=b",
        "3 ; a = b",
        "3;a=\"q \\\" ;\";b",
        "3;a;b=c;d=\"\"",
        "3\t;\ta\t=\t\"x\"\t;b",
    ] {
        let input = format!("{line}\r\nabc\r\n0\r\n\r\n");
        assert_eq!(decode(input.as_bytes()).unwrap().body, b"abc", "{line:?}");
    }
    for line in [
        "3;",
        "3;=b",
        "3;a=",
        "3;a=\"x",
        "3;a=b c",
        "3 \r",
        "3;a \r",
        "3;a=\"\x01\"",
        "3;a@b",
    ] {
        let input = format!("{line}\r\nabc\r\n0\r\n\r\n");
        assert!(decode(input.as_bytes()).is_err(), "{line:?}");
    }
    assert_eq!(decode(b"3;a=b c\r\n").unwrap_err(), Error::ChunkExtension);
}

#[test]
fn bad_sizes_and_delimiters_are_rejected() {
    assert_eq!(decode(b"\r\n").unwrap_err(), Error::ChunkSize);
    assert_eq!(decode(b"x\r\n").unwrap_err(), Error::ChunkSize);
    assert_eq!(decode(b"-1\r\n").unwrap_err(), Error::ChunkSize);
    assert_eq!(decode(b"0x3\r\n").unwrap_err(), Error::ChunkSize);
    assert_eq!(
        decode(b"10000000000000000\r\n").unwrap_err(),
        Error::ChunkSize,
        "u64 overflow"
    );
    assert_eq!(decode(b"3\nabc").unwrap_err(), Error::BareLf);
    assert_eq!(decode(b"3\rabc").unwrap_err(), Error::BareCr);
    assert_eq!(decode(b"3\r\nabcd\r\n").unwrap_err(), Error::ChunkDelimiter);
    assert_eq!(
        decode(b"3\r\nabc\n0\r\n\r\n").unwrap_err(),
        Error::ChunkDelimiter
    );
    assert_eq!(decode(b"0\r\n\n").unwrap_err(), Error::BareLf);
    assert_eq!(decode(b"0\r\n\rX\n").unwrap_err(), Error::BareCr);
}

#[test]
fn largest_size_is_accepted_and_streams() {
    let d = decode(b"ffffffffffffffff\r\nabc").unwrap();
    assert_eq!((d.body.as_slice(), d.done), (&b"abc"[..], false));
}

#[test]
fn trailer_fields_follow_header_rules() {
    assert_eq!(
        decode(b"0\r\nA : b\r\n\r\n").unwrap_err(),
        Error::WhitespaceBeforeColon
    );
    assert_eq!(
        decode(b"0\r\nA: b\r\n c\r\n\r\n").unwrap_err(),
        Error::ObsFold
    );
    assert_eq!(decode(b"0\r\nA: b\rc\r\n\r\n").unwrap_err(), Error::BareCr);
    assert_eq!(decode(b"0\r\nA: b\nc\r\n\r\n").unwrap_err(), Error::BareLf);
    assert_eq!(
        decode(b"0\r\nA\x01: b\r\n\r\n").unwrap_err(),
        Error::HeaderName
    );
}

#[test]
fn limits_bound_size_lines_and_trailers() {
    let long_ext = format!("1;{}\r\n", "a".repeat(2000));
    assert_eq!(
        decode(long_ext.as_bytes()).unwrap_err(),
        Error::ChunkLineTooLong
    );
    let zeros = format!("{}1\r\n", "0".repeat(2000));
    assert_eq!(
        decode(zeros.as_bytes()).unwrap_err(),
        Error::ChunkLineTooLong
    );
    let small = ChunkedDecoder::with_limits(64, 16);
    assert!(decode_in_pieces(small, b"0\r\nA: 123456789\r\n\r\n", &[]).is_ok());
    let e = decode_in_pieces(small, b"0\r\nA: 1234567890\r\n\r\n", &[]).unwrap_err();
    assert_eq!((e, e.status()), (Error::TrailersTooLarge, 431));
    let endless = format!("0\r\nA: {}", "b".repeat(100));
    assert_eq!(
        decode_in_pieces(small, endless.as_bytes(), &[5, 9]).unwrap_err(),
        Error::TrailersTooLarge
    );
}

#[test]
fn decoder_keeps_reporting_the_end() {
    let mut decoder = ChunkedDecoder::new();
    let input = b"0\r\n\r\n";
    assert_eq!(decoder.decode(input), Ok((5, Some(Chunk::End))));
    assert!(decoder.is_done());
    assert_eq!(decoder.decode(b"GET"), Ok((0, Some(Chunk::End))));
}

const SAMPLE: &[u8] = b"1a;ext=\"v\"\r\nabcdefghijklmnopqrstuvwxyz\r\n2\r\n\r\n\r\n0;last\r\nT: 1\r\nU: two words\r\n\r\n";

#[test]
fn every_split_point_and_byte_at_a_time_agree_with_one_feed() {
    let whole = decode(SAMPLE).unwrap();
    assert!(whole.done);
    assert_eq!(whole.consumed, SAMPLE.len());
    for cut in 0..=SAMPLE.len() {
        assert_eq!(
            decode_in_pieces(ChunkedDecoder::new(), SAMPLE, &[cut]).unwrap(),
            whole,
            "cut {cut}"
        );
    }
    let bytewise: Vec<usize> = (0..SAMPLE.len()).collect();
    assert_eq!(
        decode_in_pieces(ChunkedDecoder::new(), SAMPLE, &bytewise).unwrap(),
        whole
    );
}

/// Encodes `chunks` with the writer, then `trailers`.
fn encode(chunks: &[Vec<u8>], trailers: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 600];
    for chunk in chunks {
        let n = write_chunk(&mut buf, chunk).unwrap();
        out.extend_from_slice(&buf[..n]);
    }
    let n = write_last_chunk(&mut buf, trailers).unwrap();
    out.extend_from_slice(&buf[..n]);
    out
}

#[test]
fn writer_output_is_what_the_rfc_shows() {
    assert_eq!(
        encode(&[b"Wiki".to_vec(), vec![b'x'; 26]], &[]),
        [&b"4\r\nWiki\r\n1A\r\n"[..], &[b'x'; 26], b"\r\n0\r\n\r\n"].concat()
    );
    assert_eq!(encode(&[], &[("Sum", b"9")]), b"0\r\nSum: 9\r\n\r\n");
    let mut buf = [0u8; 8];
    assert_eq!(write_chunk(&mut buf, b""), Ok(0));
    assert_eq!(
        write_chunk(&mut buf, b"abcd"),
        Err(seqs::http::WriteError::BufferFull)
    );
    assert_eq!(write_chunk(&mut buf, b"abc"), Ok(8));
    assert_eq!(
        write_last_chunk(&mut buf, &[("A", b"bcdefg")]),
        Err(seqs::http::WriteError::BufferFull)
    );
    assert_eq!(
        write_last_chunk(&mut buf, &[("A\r", b"b")]),
        Err(seqs::http::WriteError::Invalid)
    );
    assert_eq!(
        write_last_chunk(&mut buf, &[("content-length", b"1")]),
        Err(seqs::http::WriteError::FramingHeader)
    );
}

proptest! {
    #[test]
    fn writer_and_decoder_round_trip(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..300), 0..6),
        cuts in proptest::collection::vec(0usize..2000, 0..6),
    ) {
        let wire = encode(&chunks, &[("T", b"v")]);
        let mut cuts = cuts;
        cuts.sort_unstable();
        let d = decode_in_pieces(ChunkedDecoder::new(), &wire, &cuts).unwrap();
        prop_assert_eq!(d.body, chunks.concat());
        prop_assert_eq!(d.trailers, vec![("T".to_string(), b"v".to_vec())]);
        prop_assert!(d.done);
        prop_assert_eq!(d.consumed, wire.len());
    }

    #[test]
    fn random_bytes_never_panic_and_splitting_changes_nothing(
        input in proptest::collection::vec(any::<u8>(), 0..200),
        cut in 0usize..200,
    ) {
        let whole = decode(&input);
        let split = decode_in_pieces(ChunkedDecoder::new(), &input, &[cut]);
        prop_assert_eq!(whole.is_ok(), split.is_ok());
        if let (Ok(w), Ok(s)) = (whole, split) {
            prop_assert_eq!(w, s);
        }
    }

    #[test]
    fn chunk_shaped_noise_never_panics(
        input in proptest::collection::vec(prop_oneof![
            Just(b'\r'), Just(b'\n'), Just(b';'), Just(b'='), Just(b'"'), Just(b'\\'), Just(b' '),
            Just(b'0'), Just(b'1'), Just(b'f'), Just(b'a'), Just(b':'),
        ], 0..120),
    ) {
        let _ = decode(&input);
    }
}
