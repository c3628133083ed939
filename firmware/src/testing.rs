//! Host-test support: a one-future executor polled by hand, and exclusive
//! use of embassy's global mock clock.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use embassy_time::{Duration, MockDriver};

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
