//! What the [`Runner`](crate::Runner) drives and the sockets reach: a
//! `seqs` stack, alone or inside an application built on it.

use seqs::rand_core::RngCore;
use seqs::time::Instant;
use seqs::Stack;

/// A sans-IO node on one Ethernet interface: the stack's driver contract
/// (`receive`, `transmit`, `poll_at`) plus access to the stack itself, on
/// which the async sockets live.
///
/// The contract methods default to the stack's own. An application that
/// owns a stack and does its own work on each frame (such as `seqs-app`)
/// overrides them; its sockets and the async ones then share the stack.
pub trait Node<'a> {
    type Rng: RngCore;

    /// The stack the async sockets are added to.
    fn stack(&mut self) -> &mut Stack<'a, Self::Rng>;

    /// Accepts one inbound frame received at `now`.
    fn receive(&mut self, now: Instant, frame: &[u8]) {
        Stack::receive(self.stack(), now, frame);
    }

    /// Writes the next outbound frame into `buf` and returns its length,
    /// or `None` when nothing is due at `now`. A length of zero or past
    /// `buf` breaks the contract and the frame is dropped.
    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        Stack::transmit(self.stack(), now, buf)
    }

    /// The earliest instant the node must run again without a frame, or
    /// `None` when only a frame (or an API call) can give it work.
    fn poll_at(&mut self) -> Option<Instant> {
        // Qualified: a `&mut Stack` would resolve to this very method.
        Stack::poll_at(self.stack())
    }
}

impl<'a, R: RngCore> Node<'a> for Stack<'a, R> {
    type Rng = R;

    fn stack(&mut self) -> &mut Stack<'a, R> {
        self
    }
}
