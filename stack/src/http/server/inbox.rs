//! The per-connection receive buffer: one caller slice reused for every
//! request of a keep-alive connection, pipelined bytes kept at its front.

use crate::http::{Chunk, ChunkedDecoder, Error};
use crate::tcp;

/// Received bytes `buf[..len]`: the current request first, then whatever
/// the client pipelined after it.
#[derive(Debug)]
pub(crate) struct Inbox<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Inbox<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Inbox { buf, len: 0 }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == self.buf.len()
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// Moves what the socket holds into the free tail; returns the count, or
    /// `Finished` once the peer closed and nothing is left to read.
    pub(crate) fn fill(&mut self, socket: &mut tcp::Socket<'_>) -> Result<usize, tcp::Error> {
        let free = self.buf.get_mut(self.len..).unwrap_or_default();
        if free.is_empty() {
            return Ok(0);
        }
        let n = socket.recv_slice(free)?;
        self.len += n;
        Ok(n)
    }

    /// Drops the first `n` bytes (a served request), keeping what follows.
    pub(crate) fn consume(&mut self, n: usize) {
        let n = n.min(self.len);
        self.buf.copy_within(n..self.len, 0);
        self.len -= n;
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Decodes the chunked body whose undecoded bytes start at `*body_end`
    /// (everything before it is head and decoded body), moving data down
    /// in place so the decoded body is contiguous after the head. Returns
    /// whether the body, trailers included, is complete; on `false` the
    /// undecoded rest has been moved down to `*body_end` to make room.
    pub(crate) fn decode_chunked(
        &mut self,
        decoder: &mut ChunkedDecoder,
        body_end: &mut usize,
    ) -> Result<bool, Error> {
        let mut raw = *body_end;
        let done = loop {
            let input = self.buf.get(raw..self.len).unwrap_or_default();
            let (used, chunk) = decoder.decode(input)?;
            let (data_len, stop) = match chunk {
                Some(Chunk::Data(data)) => (data.len(), None),
                Some(Chunk::Trailer(_)) => (0, None),
                Some(Chunk::End) => (0, Some(true)),
                None => (0, Some(false)),
            };
            raw += used;
            self.buf.copy_within(raw - data_len..raw, *body_end);
            *body_end += data_len;
            if let Some(done) = stop {
                break done;
            }
        };
        self.buf.copy_within(raw..self.len, *body_end);
        self.len -= raw - *body_end;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `wire` after a 3-byte "head", arriving in pieces of `step`.
    fn decode_in_pieces(wire: &[u8], step: usize) -> Result<([u8; 64], usize, usize), Error> {
        let mut storage = [0u8; 64];
        let mut inbox = Inbox::new(&mut storage);
        inbox.buf[..3].copy_from_slice(b"HD:");
        inbox.len = 3;
        let mut decoder = ChunkedDecoder::new();
        let mut end = 3;
        for piece in wire.chunks(step.max(1)) {
            inbox.buf[inbox.len..inbox.len + piece.len()].copy_from_slice(piece);
            inbox.len += piece.len();
            if inbox.decode_chunked(&mut decoder, &mut end)? {
                let mut out = [0u8; 64];
                out[..inbox.len].copy_from_slice(inbox.bytes());
                return Ok((out, end, inbox.len));
            }
        }
        Err(Error::ChunkDelimiter)
    }

    #[test]
    fn chunked_bodies_are_compacted_in_place_at_every_split() {
        let wire = b"3\r\nabc\r\n1;x=y\r\nd\r\n0\r\nT: 1\r\n\r\nNEXT";
        for step in 1..=wire.len() {
            let (bytes, end, len) = decode_in_pieces(wire, step).unwrap();
            assert_eq!(&bytes[..end], b"HD:abcd", "step {step}");
            // Bytes after the body that arrived with it are kept.
            assert_eq!(&bytes[end..len], &b"NEXT"[..len - end], "step {step}");
        }
    }

    #[test]
    fn consume_keeps_the_pipelined_rest() {
        let mut storage = *b"GET /a\r\nGET /b\r\n";
        let mut inbox = Inbox::new(&mut storage);
        inbox.len = 16;
        inbox.consume(8);
        assert_eq!(inbox.bytes(), b"GET /b\r\n");
        inbox.consume(100);
        assert!(inbox.bytes().is_empty());
    }
}
