//! Staying on Wi-Fi: join with exponential back-off, notice a lost
//! association (the driver's link going down), rejoin, and have the
//! application re-verify its address once the link is back. The decisions live
//! here, against a [`Radio`] trait, so the host tests drive them; the board
//! implements the trait with the CYW43 control channel.

use embassy_time::Duration;

/// Pauses between failed join attempts: the first, and the longest the
/// doubling reaches.
pub const JOIN_BACKOFF: Backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));

/// Exponential back-off between join attempts, reset by a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    first: Duration,
    longest: Duration,
    next: Duration,
}

impl Backoff {
    pub const fn new(first: Duration, longest: Duration) -> Self {
        Backoff {
            first,
            longest,
            next: first,
        }
    }

    /// The pause after a failed attempt; each failure doubles the next.
    pub fn failed(&mut self) -> Duration {
        let pause = self.next;
        self.next = (self.next * 2).min(self.longest);
        pause
    }

    /// A join succeeded: the next failure starts from the first pause.
    pub fn succeeded(&mut self) {
        self.next = self.first;
    }
}

/// What the decisions need from the Wi-Fi chip and the network.
#[allow(async_fn_in_trait)] // driven from one executor thread; no Send bound wanted
pub trait Radio {
    /// One attempt to join the configured network.
    async fn join(&mut self) -> bool;
    /// A join attempt failed: show it, then wait `pause`.
    async fn failed(&mut self, pause: Duration);
    /// Joined (first time or again).
    async fn joined(&mut self);
    /// Waits until the network driver reports the link `up` (or down).
    async fn link(&mut self, up: bool);
    /// The link is up again after a rejoin: the access point may belong to
    /// another network, so the application re-verifies its DHCP lease.
    fn relinked(&mut self);
}

/// Joins, retrying after each failure with `backoff`'s pauses.
pub async fn join(radio: &mut impl Radio, backoff: &mut Backoff) {
    while !radio.join().await {
        radio.failed(backoff.failed()).await;
    }
    backoff.succeeded();
    radio.joined().await;
}

/// After a join: waits for the association to show as link up, then for it
/// to go down, and rejoins; forever. The first attempt after a loss is
/// immediate, the next ones back off from the first pause again. Once a
/// rejoined link is up (not before: what the application sent meanwhile
/// would be lost), the application re-verifies its address; the first link
/// up needs none, as the application has no lease from before it.
pub async fn stay_joined(radio: &mut impl Radio, backoff: &mut Backoff) -> ! {
    radio.link(true).await;
    loop {
        radio.link(false).await;
        join(radio, backoff).await;
        radio.link(true).await;
        radio.relinked();
    }
}

#[cfg(test)]
mod tests;
