use core::fmt;

use super::Managed;

/// Metadata slot of a [`PacketBuffer`]. Public so callers can size storage:
/// `[PacketMeta::EMPTY; N]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketMeta<H> {
    header: H,
    /// Bytes skipped at the end of the payload ring before this packet,
    /// because it did not fit contiguously there.
    padding: usize,
    len: usize,
}

impl<H: Copy + Default> PacketMeta<H> {
    pub fn empty() -> Self {
        PacketMeta {
            header: H::default(),
            padding: 0,
            len: 0,
        }
    }
}

/// Why a packet could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// All metadata slots are in use.
    Slots,
    /// Not enough contiguous payload space right now.
    Payload,
    /// Larger than the whole payload area: it can never fit.
    TooLarge,
}

/// A bounded FIFO of datagrams, each stored contiguously so that it can be
/// handed out as one slice (and written in place by the emitter).
///
/// Two rings over caller storage: one of metadata (`H` plus lengths) and one
/// of payload bytes. A packet that does not fit at the end of the payload
/// ring wraps to its start, skipping the tail as padding.
pub struct PacketBuffer<'a, H> {
    meta: Managed<'a, PacketMeta<H>>,
    meta_head: usize,
    meta_len: usize,
    payload: Managed<'a, u8>,
    /// Offset of the oldest stored byte (padding included).
    payload_head: usize,
    /// Bytes in use, padding included.
    payload_used: usize,
}

impl<'a, H: Copy + Default> PacketBuffer<'a, H> {
    pub fn new(
        meta: impl Into<Managed<'a, PacketMeta<H>>>,
        payload: impl Into<Managed<'a, u8>>,
    ) -> Self {
        PacketBuffer {
            meta: meta.into(),
            meta_head: 0,
            meta_len: 0,
            payload: payload.into(),
            payload_head: 0,
            payload_used: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.meta_len
    }

    pub fn is_empty(&self) -> bool {
        self.meta_len == 0
    }

    pub fn is_full(&self) -> bool {
        self.meta_len == self.meta.len()
    }

    /// Largest packet the buffer could ever hold.
    pub fn payload_capacity(&self) -> usize {
        self.payload.len()
    }

    /// Whether a packet of `len` bytes would be queued now: a free slot and
    /// `len` contiguous bytes (as [`PacketBuffer::enqueue`] would find them).
    pub fn can_fit(&self, len: usize) -> bool {
        self.placement(len).is_ok()
    }

    /// Reserves `len` contiguous bytes for a new packet with `header` and
    /// returns them for the caller to fill.
    pub fn enqueue(&mut self, len: usize, header: H) -> Result<&mut [u8], Full> {
        let (padding, start) = self.reserve(len)?;
        self.commit(header, padding, len);
        Ok(&mut self.payload[start..start + len])
    }

    /// Lets `write` fill up to `max_len` bytes and queues the packet, with
    /// the length and header it returns, only if it returns some. Nothing
    /// is called when the space is not there.
    pub fn enqueue_with(
        &mut self,
        max_len: usize,
        write: impl FnOnce(&mut [u8]) -> Option<(usize, H)>,
    ) -> Result<bool, Full> {
        let (padding, start) = self.reserve(max_len)?;
        let Some((len, header)) = write(&mut self.payload[start..start + max_len]) else {
            return Ok(false);
        };
        self.commit(header, padding, len.min(max_len));
        Ok(true)
    }

    fn reserve(&mut self, len: usize) -> Result<(usize, usize), Full> {
        let placed = self.placement(len)?;
        if self.payload_used == 0 {
            self.payload_head = 0;
        }
        Ok(placed)
    }

    /// Where `reserve` puts `len` bytes (padding, start), or why it cannot.
    fn placement(&self, len: usize) -> Result<(usize, usize), Full> {
        if len > self.payload.len() {
            return Err(Full::TooLarge);
        }
        if self.is_full() {
            return Err(Full::Slots);
        }
        if self.payload_used == 0 {
            // Empty: restart at zero to offer the largest contiguous run.
            return Ok((0, 0));
        }
        self.place(len).ok_or(Full::Payload)
    }

    fn commit(&mut self, header: H, padding: usize, len: usize) {
        let slot = (self.meta_head + self.meta_len) % self.meta.len();
        self.meta[slot] = PacketMeta {
            header,
            padding,
            len,
        };
        self.meta_len += 1;
        self.payload_used += padding + len;
    }

    /// Copies `data` in as a new packet.
    pub fn enqueue_slice(&mut self, data: &[u8], header: H) -> Result<(), Full> {
        self.enqueue(data.len(), header)?.copy_from_slice(data);
        Ok(())
    }

    /// The oldest packet, without removing it.
    pub fn peek(&self) -> Option<(H, &[u8])> {
        let meta = self.front()?;
        let start = (self.payload_head + meta.padding) % self.payload.len().max(1);
        Some((meta.header, &self.payload[start..start + meta.len]))
    }

    /// Removes the oldest packet.
    pub fn dequeue(&mut self) -> Option<(H, &[u8])> {
        let meta = self.front()?;
        let cap = self.payload.len();
        let start = (self.payload_head + meta.padding) % cap.max(1);
        self.payload_head = (start + meta.len) % cap.max(1);
        self.payload_used -= meta.padding + meta.len;
        self.meta_head = (self.meta_head + 1) % self.meta.len();
        self.meta_len -= 1;
        Some((meta.header, &self.payload[start..start + meta.len]))
    }

    fn front(&self) -> Option<PacketMeta<H>> {
        (self.meta_len > 0).then(|| self.meta[self.meta_head])
    }

    /// Where a packet of `len` bytes goes: (padding before it, its offset).
    fn place(&self, len: usize) -> Option<(usize, usize)> {
        let cap = self.payload.len();
        let free = cap - self.payload_used;
        let tail = (self.payload_head + self.payload_used) % cap.max(1);
        let contiguous_at_tail = if tail >= self.payload_head {
            cap - tail
        } else {
            self.payload_head - tail
        };
        if len <= contiguous_at_tail.min(free) {
            Some((0, tail))
        } else if tail >= self.payload_head && len <= self.payload_head && cap - tail + len <= free
        {
            Some((cap - tail, 0))
        } else {
            None
        }
    }
}

impl<H> fmt::Debug for PacketBuffer<'_, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PacketBuffer")
            .field("packets", &self.meta_len)
            .field("slots", &self.meta.len())
            .field("bytes_used", &self.payload_used)
            .field("bytes", &self.payload.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;
    use std::vec::Vec;

    #[test]
    fn fifo_order_and_wraparound_padding() {
        let mut meta = [PacketMeta::<u8>::empty(); 4];
        let mut bytes = [0u8; 10];
        let mut buf = PacketBuffer::new(&mut meta, &mut bytes);
        buf.enqueue_slice(&[1; 4], 1).unwrap();
        buf.enqueue_slice(&[2; 4], 2).unwrap();
        assert_eq!(buf.dequeue(), Some((1, &[1u8; 4][..])));
        // 2 bytes left at the tail, 4 free at the head: wraps with padding.
        buf.enqueue_slice(&[3; 4], 3).unwrap();
        assert_eq!(buf.enqueue_slice(&[4; 1], 4), Err(Full::Payload));
        assert_eq!(buf.dequeue(), Some((2, &[2u8; 4][..])));
        assert_eq!(buf.peek(), Some((3, &[3u8; 4][..])));
        assert_eq!(buf.dequeue(), Some((3, &[3u8; 4][..])));
        assert!(buf.is_empty());
        assert_eq!(buf.enqueue_slice(&[5; 11], 5), Err(Full::TooLarge));
        buf.enqueue_slice(&[6; 10], 6).unwrap();
    }

    #[test]
    fn enqueue_with_commits_only_on_success() {
        let mut meta = [PacketMeta::<u8>::empty(); 2];
        let mut bytes = [0u8; 8];
        let mut buf = PacketBuffer::new(&mut meta, &mut bytes);
        assert_eq!(buf.enqueue_with(8, |_| None), Ok(false));
        assert!(buf.is_empty());
        let written = buf.enqueue_with(8, |b| {
            b[..3].copy_from_slice(b"abc");
            Some((3, 2))
        });
        assert_eq!(written, Ok(true));
        assert_eq!(buf.dequeue(), Some((2, &b"abc"[..])));
    }

    #[test]
    fn slot_limit_and_empty_packets() {
        let mut meta = [PacketMeta::<u8>::empty(); 2];
        let mut bytes = [0u8; 8];
        let mut buf = PacketBuffer::new(&mut meta, &mut bytes);
        buf.enqueue_slice(&[], 1).unwrap();
        buf.enqueue_slice(&[], 2).unwrap();
        assert_eq!(buf.enqueue_slice(&[], 3), Err(Full::Slots));
        assert_eq!(buf.dequeue(), Some((1, &[][..])));
    }

    #[test]
    fn zero_sized_storage_never_panics() {
        let mut meta: [PacketMeta<u8>; 0] = [];
        let mut bytes: [u8; 0] = [];
        let mut buf = PacketBuffer::new(&mut meta, &mut bytes);
        assert_eq!(buf.enqueue_slice(&[], 0), Err(Full::Slots));
        assert_eq!(buf.dequeue(), None);
    }

    proptest! {
        /// Against a VecDeque model: same packets out, in order; a rejected
        /// packet is always one that could not fit contiguously, and
        /// `can_fit` foretells each enqueue.
        #[test]
        fn behaves_like_a_bounded_queue(ops in proptest::collection::vec((any::<bool>(), 0usize..72), 0..200)) {
            let mut meta = [PacketMeta::<u32>::empty(); 5];
            let mut bytes = [0u8; 64];
            let mut buf = PacketBuffer::new(&mut meta, &mut bytes);
            let mut model: VecDeque<Vec<u8>> = VecDeque::new();
            for (n, (push, len)) in ops.into_iter().enumerate() {
                if push {
                    let data: Vec<u8> = (0..len).map(|i| (n + i) as u8).collect();
                    let fits = buf.can_fit(len);
                    let queued = buf.enqueue_slice(&data, n as u32);
                    prop_assert_eq!(fits, queued.is_ok(), "can_fit({}) foretold enqueue", len);
                    match queued {
                        Ok(()) => model.push_back(data),
                        Err(Full::Slots) => prop_assert_eq!(model.len(), 5),
                        Err(Full::TooLarge) => prop_assert!(len > 64),
                        // An empty buffer always has one contiguous run.
                        Err(Full::Payload) => prop_assert!(!model.is_empty()),
                    }
                } else {
                    let got = buf.dequeue().map(|(_, d)| d.to_vec());
                    prop_assert_eq!(got, model.pop_front());
                }
                prop_assert_eq!(buf.len(), model.len());
            }
        }
    }
}
