//! Host-test support: a one-future executor polled by hand, exclusive use
//! of embassy's global mock clock, and a deterministic RNG.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use embassy_time::{Duration, MockDriver};
use seqs::rand_core::RngCore;

/// Polls one future by hand, so a test sees exactly when it would sleep.
pub struct Poller<F: Future> {
    future: Pin<Box<F>>,
}

impl<F: Future> Poller<F> {
    pub fn new(future: F) -> Self {
        Poller {
            future: Box::pin(future),
        }
    }

    pub fn poll(&mut self) -> Poll<F::Output> {
        let mut cx = Context::from_waker(Waker::noop());
        self.future.as_mut().poll(&mut cx)
    }
}

static CLOCK: Mutex<()> = Mutex::new(());

/// The mock clock is process-global: tests that read or advance it hold
/// this guard, which also rewinds it to zero.
pub struct TimeGuard {
    _held: MutexGuard<'static, ()>,
}

impl TimeGuard {
    pub fn new() -> Self {
        let guard = CLOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        MockDriver::get().reset();
        TimeGuard { _held: guard }
    }

    pub fn advance_millis(&self, millis: u64) {
        MockDriver::get().advance(Duration::from_millis(millis));
    }
}

/// A fixed-sequence generator: the tests need determinism, not entropy.
pub struct Lcg(pub u64);

impl RngCore for Lcg {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        dst.iter_mut().for_each(|b| *b = self.next_u32() as u8);
    }
}
