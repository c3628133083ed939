//! The per-connection staging buffer for responses: handlers write whole
//! responses here, and the server moves them into the TCP send buffer as
//! space frees up, so a full send buffer never loses bytes.

use crate::tcp;

#[derive(Debug)]
pub(crate) struct Outbox<'a> {
    buf: &'a mut [u8],
    /// Unsent bytes are `buf[start..end]`.
    start: usize,
    end: usize,
}

impl<'a> Outbox<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Outbox {
            buf,
            start: 0,
            end: 0,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The whole buffer, for writing a response when it is empty.
    pub(crate) fn space(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.end..).unwrap_or_default()
    }

    /// Marks `n` bytes written into [`space`](Self::space) as ready.
    pub(crate) fn commit(&mut self, n: usize) {
        self.end = self.end.saturating_add(n).min(self.buf.len());
    }

    /// Copies `bytes` after what is queued; false when they do not fit.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> bool {
        let Some(dst) = self.space().get_mut(..bytes.len()) else {
            return false;
        };
        dst.copy_from_slice(bytes);
        self.commit(bytes.len());
        true
    }

    pub(crate) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Queues as much as the socket takes; returns how much moved.
    pub(crate) fn flush(&mut self, socket: &mut tcp::Socket<'_>) -> Result<usize, tcp::Error> {
        if self.is_empty() {
            return Ok(0);
        }
        let pending = self.buf.get(self.start..self.end).unwrap_or_default();
        let n = socket.send_slice(pending)?;
        self.start += n;
        if self.is_empty() {
            self.clear();
        }
        Ok(n)
    }
}
