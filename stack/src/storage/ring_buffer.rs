use super::Managed;

/// A byte FIFO over caller storage, for TCP's send and receive buffers.
///
/// Besides queueing and dequeueing, it exposes the *unallocated* space past
/// the queued bytes so out-of-order TCP data can be written in place before
/// it becomes readable, and the *allocated* bytes by offset so unacknowledged
/// data can be re-read for retransmission without copying it out first.
#[derive(Debug)]
pub struct RingBuffer<'a> {
    storage: Managed<'a, u8>,
    read_at: usize,
    len: usize,
}

impl<'a> RingBuffer<'a> {
    pub fn new(storage: impl Into<Managed<'a, u8>>) -> Self {
        RingBuffer {
            storage: storage.into(),
            read_at: 0,
            len: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.storage.len()
    }
    /// Bytes queued.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Free bytes.
    pub fn window(&self) -> usize {
        self.capacity() - self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn is_full(&self) -> bool {
        self.window() == 0
    }
    pub fn clear(&mut self) {
        self.read_at = 0;
        self.len = 0;
    }

    /// Storage index of the byte `offset` bytes past the read position.
    fn index(&self, offset: usize) -> usize {
        let cap = self.capacity();
        // Offsets address queued or free bytes, so they stay below the
        // capacity and one subtraction wraps them: a division costs tens
        // of cycles, and this runs for every segment sent and received.
        match self.read_at.checked_add(offset) {
            Some(at) if at < cap => at,
            Some(at) if at - cap < cap => at - cap,
            _ if cap == 0 => 0,
            _ => (self.read_at + offset % cap) % cap,
        }
    }

    /// The longest contiguous run of storage starting `offset` bytes past the
    /// read position, at most `max` long and never past `limit` bytes from
    /// the read position.
    fn run(&self, offset: usize, max: usize, limit: usize) -> core::ops::Range<usize> {
        let start = self.index(offset);
        let len = max
            .min(limit.saturating_sub(offset))
            .min(self.capacity() - start);
        start..start + len
    }

    /// Queues as much of `data` as fits; returns how much.
    pub fn enqueue_slice(&mut self, data: &[u8]) -> usize {
        let written = self.write_unallocated(0, data);
        self.enqueue_unallocated(written);
        written
    }

    /// Moves up to `buf.len()` queued bytes into `buf`; returns how many.
    pub fn dequeue_slice(&mut self, buf: &mut [u8]) -> usize {
        let read = self.read_allocated(0, buf);
        self.dequeue_allocated(read);
        read
    }

    /// Copies queued bytes starting `offset` past the read position into
    /// `buf` without dequeueing them; returns how many.
    pub fn read_allocated(&self, offset: usize, buf: &mut [u8]) -> usize {
        let mut done = 0;
        while done < buf.len() {
            let run = self.run(offset + done, buf.len() - done, self.len);
            if run.is_empty() {
                break;
            }
            let n = run.len();
            buf[done..done + n].copy_from_slice(&self.storage[run]);
            done += n;
        }
        done
    }

    /// The contiguous queued bytes starting `offset` past the read position,
    /// at most `max` of them (shorter where the storage wraps).
    pub fn get_allocated(&self, offset: usize, max: usize) -> &[u8] {
        &self.storage[self.run(offset, max, self.len)]
    }

    /// Drops up to `count` bytes from the front; returns how many.
    pub fn dequeue_allocated(&mut self, count: usize) -> usize {
        let count = count.min(self.len);
        self.read_at = self.index(count);
        // The read position does not snap back when the ring empties: bytes
        // written past the queued ones must stay where they were put.
        self.len -= count;
        count
    }

    /// Writes `data` into free space starting `offset` bytes past the queued
    /// bytes, without queueing it; returns how many bytes fit.
    pub fn write_unallocated(&mut self, offset: usize, data: &[u8]) -> usize {
        let limit = self.capacity();
        let mut done = 0;
        while done < data.len() {
            let at = self.len + offset + done;
            let run = self.run(at, data.len() - done, limit);
            if run.is_empty() {
                break;
            }
            let n = run.len();
            self.storage[run].copy_from_slice(&data[done..done + n]);
            done += n;
        }
        done
    }

    /// Queues `count` bytes already written past the queued ones (at most the
    /// free space); returns how many.
    pub fn enqueue_unallocated(&mut self, count: usize) -> usize {
        let count = count.min(self.window());
        self.len += count;
        count
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;
    use std::vec;

    #[test]
    fn fifo_across_wrap() {
        let mut storage = [0u8; 5];
        let mut ring = RingBuffer::new(&mut storage);
        assert_eq!(ring.enqueue_slice(b"abc"), 3);
        let mut out = [0u8; 2];
        assert_eq!(ring.dequeue_slice(&mut out), 2);
        assert_eq!(&out, b"ab");
        assert_eq!(ring.enqueue_slice(b"defgh"), 4);
        assert!(ring.is_full());
        assert_eq!(ring.get_allocated(0, 10), b"cde");
        assert_eq!(ring.get_allocated(3, 10), b"fg");
        let mut all = [0u8; 8];
        assert_eq!(ring.read_allocated(1, &mut all), 4);
        assert_eq!(&all[..4], b"defg");
        assert_eq!(ring.dequeue_slice(&mut all), 5);
        assert_eq!(&all[..5], b"cdefg");
        assert!(ring.is_empty());
    }

    #[test]
    fn unallocated_writes_become_readable_when_enqueued() {
        let mut storage = [0u8; 6];
        let mut ring = RingBuffer::new(&mut storage);
        ring.enqueue_slice(b"ab");
        assert_eq!(ring.write_unallocated(3, b"zz"), 1, "only free space");
        assert_eq!(ring.write_unallocated(2, b"ef"), 2);
        assert_eq!(ring.write_unallocated(0, b"cd"), 2);
        assert_eq!(ring.enqueue_unallocated(4), 4);
        let mut out = [0u8; 6];
        assert_eq!(ring.dequeue_slice(&mut out), 6);
        assert_eq!(&out, b"abcdef");
    }

    #[test]
    fn unallocated_bytes_survive_draining_the_queue() {
        let mut storage = [0u8; 4];
        let mut ring = RingBuffer::new(&mut storage);
        ring.enqueue_slice(b"ab");
        ring.write_unallocated(1, b"d");
        assert_eq!(ring.dequeue_slice(&mut [0; 2]), 2);
        ring.write_unallocated(0, b"c");
        ring.enqueue_unallocated(2);
        let mut out = [0u8; 2];
        assert_eq!(ring.dequeue_slice(&mut out), 2);
        assert_eq!(&out, b"cd");
    }

    #[test]
    fn zero_capacity_is_inert() {
        let mut ring = RingBuffer::new(&mut [][..]);
        assert_eq!(ring.enqueue_slice(b"x"), 0);
        assert_eq!(ring.write_unallocated(3, b"x"), 0);
        assert_eq!(ring.dequeue_slice(&mut [0; 3]), 0);
        assert!(ring.get_allocated(0, 5).is_empty());
    }

    proptest! {
        #[test]
        fn behaves_like_a_deque(cap in 0usize..20, ops in proptest::collection::vec((any::<bool>(), 0usize..25), 0..60)) {
            let mut storage = vec![0u8; cap];
            let mut ring = RingBuffer::new(&mut storage[..]);
            let mut model = VecDeque::new();
            let mut next = 0u8;
            for (push, n) in ops {
                if push {
                    let data: std::vec::Vec<u8> = (0..n).map(|_| { next = next.wrapping_add(1); next }).collect();
                    let took = ring.enqueue_slice(&data);
                    prop_assert_eq!(took, n.min(cap - model.len()));
                    model.extend(&data[..took]);
                } else {
                    let mut out = vec![0u8; n];
                    let got = ring.dequeue_slice(&mut out);
                    let expected: std::vec::Vec<u8> = model.drain(..n.min(model.len())).collect();
                    prop_assert_eq!(&out[..got], &expected[..]);
                }
                prop_assert_eq!(ring.len(), model.len());
                prop_assert_eq!(ring.window(), cap - model.len());
            }
        }
    }
}
