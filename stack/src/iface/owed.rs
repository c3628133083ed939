//! Replies the interface owes outside any socket's flow (ARP replies, RSTs,
//! challenge ACKs): a few fixed slots, sent before socket traffic.

/// At most `N` owed replies. When full, new ones are refused: the peer asks
/// again and is answered then. The same reply owed twice is kept once.
#[derive(Debug, Clone, Copy)]
pub(super) struct Owed<T, const N: usize> {
    slots: [Option<T>; N],
    /// Occupied slots: `transmit` checks for work on every call, and this
    /// makes the usual answer (nothing owed) one comparison.
    len: usize,
}

impl<T: Copy + PartialEq, const N: usize> Owed<T, N> {
    pub fn new() -> Self {
        Owed {
            slots: [None; N],
            len: 0,
        }
    }

    /// Queues `item`; false when there was no room for it.
    pub fn push(&mut self, item: T) -> bool {
        if self.slots.contains(&Some(item)) {
            return true;
        }
        let Some(slot) = self.slots.iter_mut().find(|s| s.is_none()) else {
            return false;
        };
        *slot = Some(item);
        self.len += 1;
        true
    }

    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let item = self.slots.iter_mut().find(|s| s.is_some())?.take();
        self.len -= 1;
        item
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_when_full_and_keeps_duplicates_once() {
        let mut owed = Owed::<u8, 2>::new();
        assert!(owed.is_empty());
        assert!(owed.push(1));
        assert!(owed.push(1));
        assert!(owed.push(2));
        assert!(!owed.push(3));
        assert_eq!(owed.pop(), Some(1));
        assert!(owed.push(3));
        let mut rest = [owed.pop(), owed.pop()];
        rest.sort();
        assert_eq!(rest, [Some(2), Some(3)]);
        assert_eq!(owed.pop(), None);
        assert!(owed.is_empty());
    }
}
