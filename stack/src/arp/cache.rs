use core::net::Ipv4Addr;

use crate::storage::Managed;
use crate::time::{Duration, Instant};
use crate::wire::EthernetAddress;

/// ARP timing. Requests back off exponentially: with the defaults a neighbour
/// is asked at t, t+1 s and t+3 s and declared unreachable at t+7 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How long a learned mapping is trusted before it must be resolved again.
    pub entry_lifetime: Duration,
    /// Delay before the first retry; doubled after each request.
    pub retry_interval: Duration,
    /// Requests sent before the neighbour is declared unreachable.
    pub max_requests: u8,
    /// How long an unreachable neighbour is remembered, so senders fail fast
    /// instead of flooding the link with requests. Short: traffic after it
    /// starts a new resolution, as Linux's FAILED state does.
    pub failure_hold: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            entry_lifetime: Duration::from_secs(60),
            retry_interval: Duration::from_secs(1),
            max_requests: 3,
            failure_hold: Duration::from_secs(1),
        }
    }
}

/// One cache slot. Public so callers can size storage: `[None; N]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Neighbor {
    addr: Ipv4Addr,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// `used` is the last time a sender asked: eviction takes the least
    /// recently used mapping.
    Reachable {
        mac: EthernetAddress,
        expires_at: Instant,
        used: Instant,
    },
    Resolving {
        requests_sent: u8,
        next_request_at: Instant,
    },
    Unreachable {
        until: Instant,
    },
}

/// What a sender should do with a packet for a next hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Found(EthernetAddress),
    /// Resolution is under way: keep the packet queued.
    Pending,
    /// The neighbour did not answer: drop the packet.
    Unreachable,
    /// Every slot holds a resolution in flight: none can start now. Drop
    /// the packet; evicting a resolution would only restart it later and,
    /// with more peers than slots, make the cache thrash into an ARP storm.
    Full,
}

/// A bounded neighbour cache with expiry, request retries and a negative
/// cache. Storage is fixed at construction.
#[derive(Debug)]
pub struct Cache<'a> {
    slots: Managed<'a, Option<Neighbor>>,
    config: Config,
    /// No request is due before this; `None` while no resolution is in
    /// flight. It may be early (an entry resolved since), never late, and
    /// spares [`Cache::poll_request`] its walk on every transmit.
    request_due: Option<Instant>,
}

impl<'a> Cache<'a> {
    pub fn new(slots: impl Into<Managed<'a, Option<Neighbor>>>, config: Config) -> Self {
        let mut slots = slots.into();
        slots.fill(None);
        Cache {
            slots,
            config,
            request_due: None,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Looks `addr` up without side effects.
    pub fn lookup(&self, now: Instant, addr: Ipv4Addr) -> Option<Lookup> {
        self.find(addr).and_then(|i| self.state_lookup(now, i))
    }

    /// Looks `addr` up and starts resolving it when nothing usable is cached.
    pub fn resolve(&mut self, now: Instant, addr: Ipv4Addr) -> Lookup {
        let slot = self.find(addr);
        if let Some(found) = slot.and_then(|i| self.state_lookup(now, i)) {
            if let Some(Some(Neighbor {
                state: State::Reachable { used, .. },
                ..
            })) = slot.and_then(|i| self.slots.get_mut(i))
            {
                *used = now;
            }
            return found;
        }
        let state = State::Resolving {
            requests_sent: 0,
            next_request_at: now,
        };
        if self.store(now, addr, state) {
            self.request_due = Some(now);
            Lookup::Pending
        } else {
            Lookup::Full
        }
    }

    /// Records a mapping learned from an ARP packet. RFC 826: an existing
    /// entry is always refreshed; a new one is created only when `create`
    /// (the packet was addressed to us, or answers our request).
    pub fn fill(&mut self, now: Instant, addr: Ipv4Addr, mac: EthernetAddress, create: bool) {
        if !mac.is_unicast() || addr.is_unspecified() || addr.is_broadcast() {
            return;
        }
        let state = State::Reachable {
            mac,
            expires_at: now + self.config.entry_lifetime,
            used: now,
        };
        match self.find(addr) {
            Some(i) => self.slots[i] = Some(Neighbor { addr, state }),
            None if create => {
                self.store(now, addr, state);
            }
            None => {}
        }
    }

    /// Whether a request for `addr` is in flight (an ARP reply from it is
    /// then worth caching even if it was not addressed to us).
    pub fn is_resolving(&self, addr: Ipv4Addr) -> bool {
        self.find(addr).is_some_and(|i| {
            matches!(
                self.slots[i],
                Some(Neighbor {
                    state: State::Resolving { .. },
                    ..
                })
            )
        })
    }

    /// The next address to send an ARP request for, if one is due. Entries
    /// that used up their requests become unreachable here.
    pub fn poll_request(&mut self, now: Instant) -> Option<Ipv4Addr> {
        if !self.request_may_be_due(now) {
            return None;
        }
        let config = self.config;
        let mut next_due = None;
        for slot in self.slots.iter_mut().flatten() {
            let State::Resolving {
                requests_sent,
                next_request_at,
            } = slot.state
            else {
                continue;
            };
            if next_request_at > now {
                next_due =
                    Some(next_due.map_or(next_request_at, |t: Instant| t.min(next_request_at)));
                continue;
            }
            if requests_sent >= config.max_requests {
                slot.state = State::Unreachable {
                    until: now + config.failure_hold,
                };
                continue;
            }
            let backoff = config
                .retry_interval
                .saturating_mul(1u64 << requests_sent.min(16));
            slot.state = State::Resolving {
                requests_sent: requests_sent + 1,
                next_request_at: now + backoff,
            };
            // The slots after this one were not looked at.
            self.request_due = Some(now);
            return Some(slot.addr);
        }
        self.request_due = next_due;
        None
    }

    /// False when [`Cache::poll_request`] surely has nothing at `now`.
    pub fn request_may_be_due(&self, now: Instant) -> bool {
        self.request_due.is_some_and(|due| due <= now)
    }

    /// The earliest instant at which [`Cache::poll_request`] has work.
    pub fn poll_at(&self) -> Option<Instant> {
        self.request_due?;
        self.slots
            .iter()
            .flatten()
            .filter_map(|n| match n.state {
                State::Resolving {
                    next_request_at, ..
                } => Some(next_request_at),
                _ => None,
            })
            .min()
    }

    /// Forgets everything (the interface's address changed).
    pub fn flush(&mut self) {
        self.slots.fill(None);
        self.request_due = None;
    }

    /// Number of occupied slots.
    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn find(&self, addr: Ipv4Addr) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.is_some_and(|n| n.addr == addr))
    }

    fn state_lookup(&self, now: Instant, i: usize) -> Option<Lookup> {
        match self.slots[i]?.state {
            State::Reachable {
                mac, expires_at, ..
            } if expires_at > now => Some(Lookup::Found(mac)),
            State::Resolving { .. } => Some(Lookup::Pending),
            State::Unreachable { until } if until > now => Some(Lookup::Unreachable),
            _ => None,
        }
    }

    /// Puts `state` for `addr` in its slot, a free slot, or in place of the
    /// least valuable entry: stale ones first, then the least recently used
    /// mapping. Resolutions in flight are never evicted; returns false when
    /// nothing could be placed.
    fn store(&mut self, now: Instant, addr: Ipv4Addr, state: State) -> bool {
        let victim = self.find(addr).or_else(|| self.eviction_victim(now));
        if let Some(i) = victim {
            self.slots[i] = Some(Neighbor { addr, state });
        }
        victim.is_some()
    }

    fn eviction_victim(&self, now: Instant) -> Option<usize> {
        let rank = |slot: &Option<Neighbor>| -> Option<(u8, Instant)> {
            match slot {
                None => Some((0, Instant::ZERO)),
                Some(n) => match n.state {
                    State::Reachable { expires_at, .. } if expires_at <= now => {
                        Some((1, expires_at))
                    }
                    State::Unreachable { until } if until <= now => Some((1, until)),
                    State::Unreachable { until } => Some((2, until)),
                    State::Reachable { used, .. } => Some((3, used)),
                    State::Resolving { .. } => None,
                },
            }
        };
        (0..self.slots.len())
            .filter_map(|i| rank(&self.slots[i]).map(|r| (r, i)))
            .min()
            .map(|(_, i)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
    const B: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
    const C: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 3);
    const MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 1]);

    fn secs(s: u64) -> Instant {
        Instant::from_secs(s)
    }

    #[test]
    fn resolve_requests_with_backoff_then_fails() {
        let mut slots = [None; 4];
        let mut cache = Cache::new(&mut slots, Config::default());
        assert_eq!(cache.resolve(secs(0), A), Lookup::Pending);
        assert_eq!(cache.poll_request(secs(0)), Some(A));
        assert_eq!(cache.poll_request(secs(0)), None);
        assert_eq!(cache.poll_at(), Some(secs(1)));
        assert_eq!(cache.poll_request(secs(1)), Some(A));
        assert_eq!(cache.poll_at(), Some(secs(3)));
        assert_eq!(cache.poll_request(secs(3)), Some(A));
        assert_eq!(cache.poll_at(), Some(secs(7)));
        assert_eq!(cache.poll_request(secs(7)), None);
        assert_eq!(cache.lookup(secs(7), A), Some(Lookup::Unreachable));
        assert_eq!(cache.poll_at(), None);
        // The negative entry ages out and a new resolution can start.
        assert_eq!(cache.resolve(secs(12), A), Lookup::Pending);
    }

    #[test]
    fn reply_completes_resolution_and_entry_expires() {
        let mut slots = [None; 4];
        let mut cache = Cache::new(&mut slots, Config::default());
        cache.resolve(secs(0), A);
        assert!(cache.is_resolving(A));
        cache.fill(secs(0), A, MAC, false);
        assert_eq!(cache.resolve(secs(1), A), Lookup::Found(MAC));
        assert_eq!(cache.poll_at(), None);
        assert_eq!(cache.lookup(secs(60), A), None);
        assert_eq!(cache.resolve(secs(60), A), Lookup::Pending);
    }

    #[test]
    fn fill_creates_only_when_asked() {
        let mut slots = [None; 4];
        let mut cache = Cache::new(&mut slots, Config::default());
        cache.fill(secs(0), A, MAC, false);
        assert!(cache.is_empty());
        cache.fill(secs(0), A, MAC, true);
        assert_eq!(cache.lookup(secs(0), A), Some(Lookup::Found(MAC)));
        cache.fill(secs(0), B, EthernetAddress::BROADCAST, true);
        assert_eq!(cache.len(), 1, "broadcast MACs are never cached");
    }

    #[test]
    fn full_cache_evicts_oldest_mapping_not_pending_resolution() {
        let mut slots = [None; 2];
        let mut cache = Cache::new(&mut slots, Config::default());
        cache.fill(secs(0), A, MAC, true);
        cache.resolve(secs(1), B);
        cache.resolve(secs(2), C);
        assert_eq!(cache.lookup(secs(2), A), None);
        assert_eq!(cache.lookup(secs(2), B), Some(Lookup::Pending));
        assert_eq!(cache.lookup(secs(2), C), Some(Lookup::Pending));
    }

    #[test]
    fn resolutions_in_flight_are_never_evicted() {
        let mut slots = [None; 2];
        let mut cache = Cache::new(&mut slots, Config::default());
        assert_eq!(cache.resolve(secs(0), A), Lookup::Pending);
        assert_eq!(cache.resolve(secs(0), B), Lookup::Pending);
        assert_eq!(cache.resolve(secs(0), C), Lookup::Full);
        assert!(cache.is_resolving(A) && cache.is_resolving(B));
    }

    #[test]
    fn eviction_takes_the_least_recently_used_mapping() {
        let mut slots = [None; 2];
        let mut cache = Cache::new(&mut slots, Config::default());
        cache.fill(secs(0), A, MAC, true);
        cache.fill(secs(1), B, MAC, true);
        assert_eq!(cache.resolve(secs(2), A), Lookup::Found(MAC)); // A used last
        cache.resolve(secs(3), C);
        assert_eq!(cache.lookup(secs(3), A), Some(Lookup::Found(MAC)));
        assert_eq!(cache.lookup(secs(3), B), None);
    }

    #[test]
    fn zero_capacity_never_panics() {
        let mut slots: [Option<Neighbor>; 0] = [];
        let mut cache = Cache::new(&mut slots, Config::default());
        assert_eq!(cache.resolve(secs(0), A), Lookup::Full);
        assert_eq!(cache.poll_request(secs(0)), None);
        cache.fill(secs(0), A, MAC, true);
    }
}
