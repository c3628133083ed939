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
