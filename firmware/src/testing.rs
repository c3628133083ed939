//! Host-test support: a one-future executor that counts wake-ups, and
//! exclusive use of embassy's global mock clock.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use embassy_time::{Duration, MockDriver};

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls one future by hand, so a test sees exactly when it would sleep and
/// what woke it.
pub struct Poller<F: Future> {
    future: Pin<Box<F>>,
    counter: Arc<CountingWaker>,
    waker: Waker,
}

impl<F: Future> Poller<F> {
    pub fn new(future: F) -> Self {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        Poller {
            future: Box::pin(future),
            counter,
            waker,
        }
    }

    pub fn poll(&mut self) -> Poll<F::Output> {
        self.counter.0.store(0, Ordering::SeqCst);
        let mut cx = Context::from_waker(&self.waker);
        self.future.as_mut().poll(&mut cx)
    }

    /// Wake-ups since the last poll.
    pub fn wakes(&self) -> usize {
        self.counter.0.load(Ordering::SeqCst)
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
