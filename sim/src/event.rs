//! The event queue and the frame-buffer pool.
//!
//! Events are ordered by `(time, insertion sequence)`: two events at the same
//! virtual time always run in the order they were scheduled, whatever the
//! machine, so a run is a pure function of its inputs. The queue is a binary
//! heap (O(log n) push and pop) of small keys over a slab of events, its
//! storage reused, and frames travel in pooled `Vec<u8>` buffers, so a run in
//! steady state does not allocate per event.

use core::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::time::SimTime;

/// What the heap orders: small, so that sifting moves few bytes (events
/// themselves, frames included, stay put in the slab).
struct Key {
    time: SimTime,
    seq: u64,
    slot: usize,
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the earliest entry.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A min-queue of events keyed by `(time, insertion sequence)`.
pub struct EventQueue<E> {
    heap: BinaryHeap<Key>,
    /// Events by slot; a slot is `None` once its event is popped.
    slab: Vec<Option<E>>,
    /// Empty slots, reused before the slab grows.
    free: Vec<usize>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `time`, after every event already scheduled at
    /// the same time.
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot] = Some(event);
                slot
            }
            None => {
                self.slab.push(Some(event));
                self.slab.len() - 1
            }
        };
        self.heap.push(Key { time, seq, slot });
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let key = self.heap.pop()?;
        self.free.push(key.slot);
        let event = self.slab[key.slot].take()?;
        Some((key.time, event))
    }

    /// The time of the earliest event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|k| k.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

/// Recycles frame buffers so steady-state forwarding does not allocate.
#[derive(Default)]
pub struct FramePool {
    free: Vec<Vec<u8>>,
    allocated: u64,
}

/// Buffers kept for reuse at most; more are freed (bounds idle memory after
/// a burst).
const POOL_MAX_FREE: usize = 4096;

impl FramePool {
    pub fn new() -> Self {
        Self::default()
    }

    /// A buffer holding a copy of `bytes`.
    pub fn copy_of(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut buf = self.free.pop().unwrap_or_else(|| {
            self.allocated += 1;
            Vec::new()
        });
        buf.clear();
        buf.extend_from_slice(bytes);
        buf
    }

    /// Returns a buffer to the pool.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        if self.free.len() < POOL_MAX_FREE {
            self.free.push(buf);
        }
    }

    /// Buffers created so far (a steady-state run stops increasing this).
    pub fn allocated(&self) -> u64 {
        self.allocated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_nanos(5), "b1");
        q.push(SimTime::from_nanos(1), "a");
        q.push(SimTime::from_nanos(5), "b2");
        q.push(SimTime::from_nanos(5), "b3");
        let order: Vec<_> = core::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["a", "b1", "b2", "b3"]);
    }

    #[test]
    fn reused_slots_keep_time_and_insertion_order() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_nanos(3), "c1");
        q.push(SimTime::from_nanos(1), "a");
        assert_eq!(q.pop(), Some((SimTime::from_nanos(1), "a")));
        // Takes the slot "a" left, yet runs after "c1" at the same time.
        q.push(SimTime::from_nanos(3), "c2");
        q.push(SimTime::from_nanos(2), "b");
        let order: Vec<_> = core::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["b", "c1", "c2"]);
        assert!(q.is_empty());
        assert_eq!(q.slab.len(), 3, "slots are reused");
    }

    #[test]
    fn pool_reuses_buffers() {
        let mut pool = FramePool::new();
        for i in 0..100u8 {
            let buf = pool.copy_of(&[i; 60]);
            assert_eq!(buf, [i; 60]);
            pool.recycle(buf);
        }
        assert_eq!(pool.allocated(), 1);
    }
}
