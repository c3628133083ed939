//! Process-wide storage for the borrowed configuration that the stack's
//! server engines keep (`&'a` slices of ranges, reservations, zone records).
//!
//! A simulated host owns its stack as `Stack<'static, _>` and is rebuilt on
//! every restart, so such data must live for the whole process. Interning
//! keeps one copy per distinct value: a seed sweep that builds the same
//! scenario a thousand times stores its DHCP ranges and DNS zone once.

use std::sync::Mutex;

use seqs::dhcp::{AddressRange, Reservation};
use seqs::dns::{ZoneData, ZoneEntry};

use crate::app::{RecordData, ZoneRecord};

type Pool<T> = Mutex<Vec<&'static [T]>>;

static RANGES: Pool<AddressRange> = Mutex::new(Vec::new());
static RESERVATIONS: Pool<Reservation> = Mutex::new(Vec::new());
static BYTES: Pool<u8> = Mutex::new(Vec::new());
static ZONES: Pool<ZoneEntry<'static>> = Mutex::new(Vec::new());

/// The interned copy of `items` (a linear search: there are few distinct
/// configurations in a process).
fn intern<T: PartialEq + Clone>(pool: &Pool<T>, items: &[T]) -> &'static [T] {
    let mut pool = pool.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = pool.iter().find(|p| **p == items) {
        return found;
    }
    let leaked: &'static [T] = Vec::leak(items.to_vec());
    pool.push(leaked);
    leaked
}

pub(crate) fn ranges(items: &[AddressRange]) -> &'static [AddressRange] {
    intern(&RANGES, items)
}

pub(crate) fn reservations(items: &[Reservation]) -> &'static [Reservation] {
    intern(&RESERVATIONS, items)
}

pub(crate) fn bytes(items: &[u8]) -> &'static [u8] {
    intern(&BYTES, items)
}

fn text(s: &str) -> &'static str {
    std::str::from_utf8(bytes(s.as_bytes())).unwrap_or_default()
}

/// A zone as the stack's DNS server reads it.
pub(crate) fn zone(records: &[ZoneRecord]) -> &'static [ZoneEntry<'static>] {
    let entries: Vec<ZoneEntry<'static>> = records
        .iter()
        .map(|r| ZoneEntry {
            name: text(&r.name),
            ttl: r.ttl,
            data: match &r.data {
                RecordData::A(a) => ZoneData::A(*a),
                RecordData::Cname(target) => ZoneData::Cname(text(target)),
            },
        })
        .collect();
    intern(&ZONES, &entries)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    #[test]
    fn equal_values_share_one_copy() {
        let r = |n| {
            AddressRange::new(
                Ipv4Addr::new(198, 51, 100, 1),
                Ipv4Addr::new(198, 51, 100, n),
            )
        };
        let a = ranges(&[r(10).unwrap()]);
        let b = ranges(&[r(10).unwrap()]);
        let c = ranges(&[r(20).unwrap()]);
        assert!(std::ptr::eq(a, b));
        assert!(!std::ptr::eq(a, c));
        let zone = [ZoneRecord {
            name: "a.example.test".into(),
            ttl: 5,
            data: RecordData::Cname("b.example.test".into()),
        }];
        let z = super::zone(&zone);
        assert!(std::ptr::eq(z, super::zone(&zone)));
        assert_eq!(z[0].name, "a.example.test");
        assert_eq!(z[0].data, ZoneData::Cname("b.example.test"));
    }
}
