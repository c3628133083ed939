//! NTP v3/v4 packets (RFC 5905) and 64-bit timestamps.
//!
//! Timestamps on the wire count seconds since 1900-01-01 00:00:00 UTC modulo
//! 2^32 (an *era*, ~136 years; era 1 starts 2036-02-07 06:28:16 UTC) plus a
//! 32-bit binary fraction. [`Epoch`] maps them to and from the stack's
//! [`Instant`], which counts microseconds since a driver-chosen origin.

use core::fmt;

use crate::time::{Duration, Instant};
use crate::wire::view::view;
use crate::wire::{Error, Result};

/// The NTP server port.
pub const PORT: u16 = 123;
/// The fixed header; extension fields and MACs after it are ignored.
pub const HEADER_LEN: usize = 48;
/// Seconds from the NTP prime epoch (1900) to the Unix epoch (1970).
pub const UNIX_OFFSET_SECS: u64 = 2_208_988_800;

mod field {
    use core::ops::Range;
    pub const LI_VN_MODE: usize = 0;
    pub const STRATUM: usize = 1;
    pub const POLL: usize = 2;
    pub const PRECISION: usize = 3;
    pub const ROOT_DELAY: Range<usize> = 4..8;
    pub const ROOT_DISPERSION: Range<usize> = 8..12;
    pub const REFERENCE_ID: Range<usize> = 12..16;
    pub const REFERENCE_TS: Range<usize> = 16..24;
    pub const ORIGIN_TS: Range<usize> = 24..32;
    pub const RECEIVE_TS: Range<usize> = 32..40;
    pub const TRANSMIT_TS: Range<usize> = 40..48;
}

const MICROS_PER_SEC: u128 = 1_000_000;

/// Leap indicator: a warning of a leap second at the end of the day, or that
/// the server's clock is not synchronised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leap {
    NoWarning,
    /// Last minute of the day has 61 seconds.
    Insert,
    /// Last minute of the day has 59 seconds.
    Delete,
    /// Clock unsynchronised.
    Alarm,
}

impl Leap {
    const fn from_bits(bits: u8) -> Leap {
        match bits & 0b11 {
            0 => Leap::NoWarning,
            1 => Leap::Insert,
            2 => Leap::Delete,
            _ => Leap::Alarm,
        }
    }
    const fn bits(self) -> u8 {
        self as u8
    }
}

/// Association mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Reserved,
    SymmetricActive,
    SymmetricPassive,
    Client,
    Server,
    Broadcast,
    Control,
    Private,
}

impl Mode {
    const fn from_bits(bits: u8) -> Mode {
        match bits & 0b111 {
            0 => Mode::Reserved,
            1 => Mode::SymmetricActive,
            2 => Mode::SymmetricPassive,
            3 => Mode::Client,
            4 => Mode::Server,
            5 => Mode::Broadcast,
            6 => Mode::Control,
            _ => Mode::Private,
        }
    }
    const fn bits(self) -> u8 {
        self as u8
    }
}

/// The protocol versions this stack speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    V3 = 3,
    V4 = 4,
}

/// The 32-bit reference identifier: a kiss code when stratum is 0, an ASCII
/// source name at stratum 1, an IPv4 address (or hash) above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReferenceId(pub [u8; 4]);

impl ReferenceId {
    /// Kiss codes (RFC 5905 §7.4) that matter to a client.
    pub const DENY: ReferenceId = ReferenceId(*b"DENY");
    pub const RSTR: ReferenceId = ReferenceId(*b"RSTR");
    pub const RATE: ReferenceId = ReferenceId(*b"RATE");
    pub const INIT: ReferenceId = ReferenceId(*b"INIT");
    pub const STEP: ReferenceId = ReferenceId(*b"STEP");
}

impl fmt::Display for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.iter().all(|b| b.is_ascii_graphic() || *b == 0) {
            for &b in self.0.iter().take_while(|&&b| b != 0) {
                write!(f, "{}", b as char)?;
            }
            Ok(())
        } else {
            let [a, b, c, d] = self.0;
            write!(f, "{a}.{b}.{c}.{d}")
        }
    }
}

/// NTP short format: unsigned 16.16 fixed-point seconds (root delay and
/// dispersion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ShortTime(pub u32);

impl ShortTime {
    /// Rounded to the nearest microsecond.
    pub fn to_duration(self) -> Duration {
        let micros = (u128::from(self.0) * MICROS_PER_SEC + (1 << 15)) >> 16;
        Duration::from_micros(micros as u64)
    }
    /// Rounded to the nearest 2^-16 s; saturates past ~18 hours.
    pub fn from_duration(d: Duration) -> ShortTime {
        let units = ((u128::from(d.total_micros()) << 16) + MICROS_PER_SEC / 2) / MICROS_PER_SEC;
        ShortTime(u32::try_from(units).unwrap_or(u32::MAX))
    }
}

/// An NTP timestamp: seconds since 1900 modulo 2^32, plus a 2^-32 s fraction.
///
/// Zero means "unknown" on the wire (RFC 5905 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    pub const ZERO: Timestamp = Timestamp(0);

    pub const fn new(seconds: u32, fraction: u32) -> Timestamp {
        Timestamp(((seconds as u64) << 32) | fraction as u64)
    }
    pub const fn seconds(self) -> u32 {
        (self.0 >> 32) as u32
    }
    pub const fn fraction(self) -> u32 {
        self.0 as u32
    }
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self - earlier` in microseconds (rounded), reading the wrapping
    /// difference as signed 32.32 seconds: correct across an era boundary
    /// as long as the two are within ~68 years (RFC 5905 §6).
    pub fn micros_since(self, earlier: Timestamp) -> i64 {
        let diff = i128::from(self.0.wrapping_sub(earlier.0) as i64);
        ((diff * MICROS_PER_SEC as i128 + (1 << 31)) >> 32) as i64
    }

    /// Microseconds since the start of this timestamp's era, rounded.
    fn era_micros(self) -> u128 {
        let frac = (u128::from(self.fraction()) * MICROS_PER_SEC + (1 << 31)) >> 32;
        u128::from(self.seconds()) * MICROS_PER_SEC + frac
    }

    /// The timestamp `micros` after 1900, modulo the era; the fraction is
    /// rounded to nearest, which never carries (999_999 µs < 2^32 - 1 units).
    fn from_ntp_micros(micros: u128) -> Timestamp {
        let seconds = (micros / MICROS_PER_SEC) as u32;
        let frac = (((micros % MICROS_PER_SEC) << 32) + MICROS_PER_SEC / 2) / MICROS_PER_SEC;
        Timestamp::new(seconds, frac as u32)
    }
}

/// Maps [`Instant`]s to NTP time: `Instant::ZERO` is `ntp_micros`
/// microseconds after 1900-01-01 00:00:00 UTC (counted across eras, so
/// ~584,000 years are representable).
///
/// Conversions round to the nearest unit, which makes
/// `instant(timestamp(t), t) == t` exact: one microsecond is ~4295 fraction
/// units, so rounding there and back cannot move to another microsecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Epoch {
    ntp_micros: u64,
}

impl Epoch {
    /// `Instant::ZERO` is 1900-01-01 00:00:00 UTC, the start of era 0.
    pub const PRIME: Epoch = Epoch { ntp_micros: 0 };
    /// `Instant::ZERO` is 1970-01-01 00:00:00 UTC.
    pub const UNIX: Epoch = Epoch::from_unix_micros(0);

    pub const fn from_ntp_micros(ntp_micros: u64) -> Epoch {
        Epoch { ntp_micros }
    }
    /// `Instant::ZERO` is `unix_micros` after 1970-01-01 00:00:00 UTC.
    pub const fn from_unix_micros(unix_micros: u64) -> Epoch {
        Epoch {
            ntp_micros: unix_micros.saturating_add(UNIX_OFFSET_SECS * 1_000_000),
        }
    }
    pub const fn ntp_micros(self) -> u64 {
        self.ntp_micros
    }
    /// The same mapping shifted so that wall time reads `offset_micros` later.
    pub const fn adjusted(self, offset_micros: i64) -> Epoch {
        Epoch {
            ntp_micros: self.ntp_micros.saturating_add_signed(offset_micros),
        }
    }

    /// The NTP timestamp of `at` (the era number is dropped, as on the wire).
    pub fn timestamp(self, at: Instant) -> Timestamp {
        Timestamp::from_ntp_micros(u128::from(self.ntp_micros) + u128::from(at.total_micros()))
    }

    /// The instant of `ts`, choosing the era that puts it closest to `near`
    /// (e.g. the current time): within ±68 years it is unambiguous. `None` if
    /// that lies before `Instant::ZERO` or beyond `Instant::MAX`.
    pub fn instant(self, ts: Timestamp, near: Instant) -> Option<Instant> {
        const ERA: i128 = (1i128 << 32) * MICROS_PER_SEC as i128;
        let in_era = ts.era_micros() as i128;
        let pivot = i128::from(self.ntp_micros) + i128::from(near.total_micros());
        let era = (pivot - in_era + ERA / 2).div_euclid(ERA);
        let micros = in_era + era * ERA - i128::from(self.ntp_micros);
        u64::try_from(micros).ok().map(Instant::from_micros)
    }
}

view! {
    /// A checked view of an NTP packet.
    #[derive(Debug, Clone)]
    pub struct Packet;
    min_len = HEADER_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub fn leap(&self) -> Leap {
        Leap::from_bits(self.bytes()[field::LI_VN_MODE] >> 6)
    }
    /// The raw 3-bit version number.
    pub fn version(&self) -> u8 {
        (self.bytes()[field::LI_VN_MODE] >> 3) & 0b111
    }
    pub fn mode(&self) -> Mode {
        Mode::from_bits(self.bytes()[field::LI_VN_MODE])
    }
    pub fn stratum(&self) -> u8 {
        self.bytes()[field::STRATUM]
    }
    /// log2 of the poll interval in seconds.
    pub fn poll(&self) -> i8 {
        self.bytes()[field::POLL] as i8
    }
    /// log2 of the clock precision in seconds.
    pub fn precision(&self) -> i8 {
        self.bytes()[field::PRECISION] as i8
    }
    pub fn root_delay(&self) -> ShortTime {
        ShortTime(self.get(field::ROOT_DELAY))
    }
    pub fn root_dispersion(&self) -> ShortTime {
        ShortTime(self.get(field::ROOT_DISPERSION))
    }
    pub fn reference_id(&self) -> ReferenceId {
        ReferenceId(self.get(field::REFERENCE_ID))
    }
    pub fn reference_timestamp(&self) -> Timestamp {
        Timestamp(self.get(field::REFERENCE_TS))
    }
    pub fn origin_timestamp(&self) -> Timestamp {
        Timestamp(self.get(field::ORIGIN_TS))
    }
    pub fn receive_timestamp(&self) -> Timestamp {
        Timestamp(self.get(field::RECEIVE_TS))
    }
    pub fn transmit_timestamp(&self) -> Timestamp {
        Timestamp(self.get(field::TRANSMIT_TS))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    pub fn set_leap_version_mode(&mut self, leap: Leap, version: u8, mode: Mode) {
        self.bytes_mut()[field::LI_VN_MODE] =
            (leap.bits() << 6) | ((version & 0b111) << 3) | mode.bits();
    }
    pub fn set_stratum(&mut self, value: u8) {
        self.bytes_mut()[field::STRATUM] = value;
    }
    pub fn set_poll(&mut self, value: i8) {
        self.bytes_mut()[field::POLL] = value as u8;
    }
    pub fn set_precision(&mut self, value: i8) {
        self.bytes_mut()[field::PRECISION] = value as u8;
    }
    pub fn set_root_delay(&mut self, value: ShortTime) {
        self.set(field::ROOT_DELAY, value.0);
    }
    pub fn set_root_dispersion(&mut self, value: ShortTime) {
        self.set(field::ROOT_DISPERSION, value.0);
    }
    pub fn set_reference_id(&mut self, value: ReferenceId) {
        self.set(field::REFERENCE_ID, value.0);
    }
    pub fn set_reference_timestamp(&mut self, value: Timestamp) {
        self.set(field::REFERENCE_TS, value.0);
    }
    pub fn set_origin_timestamp(&mut self, value: Timestamp) {
        self.set(field::ORIGIN_TS, value.0);
    }
    pub fn set_receive_timestamp(&mut self, value: Timestamp) {
        self.set(field::RECEIVE_TS, value.0);
    }
    pub fn set_transmit_timestamp(&mut self, value: Timestamp) {
        self.set(field::TRANSMIT_TS, value.0);
    }
}

/// The decoded header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    pub leap: Leap,
    pub version: Version,
    pub mode: Mode,
    pub stratum: u8,
    pub poll: i8,
    pub precision: i8,
    pub root_delay: ShortTime,
    pub root_dispersion: ShortTime,
    pub reference_id: ReferenceId,
    pub reference_timestamp: Timestamp,
    pub origin_timestamp: Timestamp,
    pub receive_timestamp: Timestamp,
    pub transmit_timestamp: Timestamp,
}

impl Repr {
    /// A client request (RFC 4330 §5): everything zero except version, mode
    /// and the transmit timestamp the server will echo as origin.
    pub fn client_request(transmit_timestamp: Timestamp) -> Repr {
        Repr {
            leap: Leap::NoWarning,
            version: Version::V4,
            mode: Mode::Client,
            stratum: 0,
            poll: 0,
            precision: 0,
            root_delay: ShortTime(0),
            root_dispersion: ShortTime(0),
            reference_id: ReferenceId::default(),
            reference_timestamp: Timestamp::ZERO,
            origin_timestamp: Timestamp::ZERO,
            receive_timestamp: Timestamp::ZERO,
            transmit_timestamp,
        }
    }

    /// Versions other than 3 and 4 are `Unsupported`.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        packet.check_len()?;
        let version = match packet.version() {
            3 => Version::V3,
            4 => Version::V4,
            _ => return Err(Error::Unsupported),
        };
        Ok(Repr {
            leap: packet.leap(),
            version,
            mode: packet.mode(),
            stratum: packet.stratum(),
            poll: packet.poll(),
            precision: packet.precision(),
            root_delay: packet.root_delay(),
            root_dispersion: packet.root_dispersion(),
            reference_id: packet.reference_id(),
            reference_timestamp: packet.reference_timestamp(),
            origin_timestamp: packet.origin_timestamp(),
            receive_timestamp: packet.receive_timestamp(),
            transmit_timestamp: packet.transmit_timestamp(),
        })
    }

    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes the 48-byte header; `packet` must be at least that long.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        packet.set_leap_version_mode(self.leap, self.version as u8, self.mode);
        packet.set_stratum(self.stratum);
        packet.set_poll(self.poll);
        packet.set_precision(self.precision);
        packet.set_root_delay(self.root_delay);
        packet.set_root_dispersion(self.root_dispersion);
        packet.set_reference_id(self.reference_id);
        packet.set_reference_timestamp(self.reference_timestamp);
        packet.set_origin_timestamp(self.origin_timestamp);
        packet.set_receive_timestamp(self.receive_timestamp);
        packet.set_transmit_timestamp(self.transmit_timestamp);
    }

    /// The kiss code of a kiss-of-death packet (stratum 0), if this is one.
    pub fn kiss_code(&self) -> Option<ReferenceId> {
        (self.stratum == 0).then_some(self.reference_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000_000;

    /// A server reply as a stratum-2 server would send it, built by hand.
    const REPLY: [u8; 48] = [
        0x24, 0x02, 0x06, 0xe9, // LI 0, VN 4, mode 4; stratum 2; poll 6; precision -23
        0x00, 0x00, 0x01, 0x80, // root delay 0x0180 / 65536 s
        0x00, 0x01, 0x00, 0x00, // root dispersion 1 s
        0xc0, 0x00, 0x02, 0x01, // reference id 192.0.2.1
        0xe9, 0x2f, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, // reference
        0xe9, 0x2f, 0x1c, 0x10, 0x80, 0x00, 0x00, 0x00, // origin
        0xe9, 0x2f, 0x1c, 0x10, 0xc0, 0x00, 0x00, 0x00, // receive
        0xe9, 0x2f, 0x1c, 0x10, 0xc0, 0x01, 0x00, 0x00, // transmit
    ];

    #[test]
    fn decodes_a_server_reply_and_emits_it_back() {
        let repr = Repr::parse(&Packet::new_checked(&REPLY[..]).unwrap()).unwrap();
        assert_eq!(repr.leap, Leap::NoWarning);
        assert_eq!(repr.version, Version::V4);
        assert_eq!(repr.mode, Mode::Server);
        assert_eq!((repr.stratum, repr.poll, repr.precision), (2, 6, -23));
        assert_eq!(repr.root_delay.to_duration(), Duration::from_micros(5_859));
        assert_eq!(repr.root_dispersion.to_duration(), Duration::from_secs(1));
        assert_eq!(repr.reference_id, ReferenceId([192, 0, 2, 1]));
        assert_eq!(
            repr.origin_timestamp,
            Timestamp::new(0xe92f1c10, 0x8000_0000)
        );
        assert_eq!(repr.kiss_code(), None);
        let receive = Epoch::UNIX.instant(repr.receive_timestamp, Instant::ZERO);
        // 0xe92f1c10 = 3912178704 s since 1900 = 1703189904 Unix, plus 0.75 s.
        assert_eq!(receive, Some(Instant::from_micros(1_703_189_904_750_000)));
        let mut out = [0u8; 48];
        repr.emit(&mut Packet::new_unchecked(&mut out[..]));
        assert_eq!(out, REPLY);
    }

    #[test]
    fn client_request_matches_rfc_4330() {
        // RFC 4330 §5: LI 0, VN 4 (or 3), mode 3: first byte 0x23 (0x1b).
        let mut out = [0xffu8; 48];
        let mut repr = Repr::client_request(Timestamp::new(1, 2));
        repr.emit(&mut Packet::new_unchecked(&mut out[..]));
        assert_eq!(out[0], 0x23);
        assert!(out[1..40].iter().all(|&b| b == 0));
        assert_eq!(&out[40..], &[0, 0, 0, 1, 0, 0, 0, 2]);
        repr.version = Version::V3;
        repr.emit(&mut Packet::new_unchecked(&mut out[..]));
        assert_eq!(out[0], 0x1b);
        let parsed = Repr::parse(&Packet::new_checked(&out[..]).unwrap()).unwrap();
        assert_eq!(parsed, repr);
    }

    #[test]
    fn rejects_short_packets_and_other_versions() {
        assert_eq!(
            Packet::new_checked(&REPLY[..47]).unwrap_err(),
            Error::Truncated
        );
        let mut v2 = REPLY;
        v2[0] = 0x14;
        let packet = Packet::new_checked(&v2[..]).unwrap();
        assert_eq!(Repr::parse(&packet).unwrap_err(), Error::Unsupported);
        // Trailing extension fields are ignored.
        let mut long = [0u8; 68];
        long[..48].copy_from_slice(&REPLY);
        assert!(Repr::parse(&Packet::new_checked(&long[..]).unwrap()).is_ok());
    }

    #[test]
    fn kiss_of_death() {
        let mut kod = REPLY;
        kod[1] = 0;
        kod[12..16].copy_from_slice(b"RATE");
        let repr = Repr::parse(&Packet::new_checked(&kod[..]).unwrap()).unwrap();
        assert_eq!(repr.kiss_code(), Some(ReferenceId::RATE));
        extern crate std;
        use std::string::ToString;
        assert_eq!(repr.reference_id.to_string(), "RATE");
        assert_eq!(ReferenceId([192, 0, 2, 1]).to_string(), "192.0.2.1");
    }

    /// RFC 5905 Figure 4 ("Interesting Historic NTP Dates"), as Unix times.
    #[test]
    fn historic_dates_of_rfc_5905() {
        let cases: [(i64, u32, u32); 5] = [
            (-2_208_988_800, 0, 0),          // 1900-01-01, era 0
            (0, 0, 2_208_988_800),           // 1970-01-01
            (63_072_000, 0, 2_272_060_800),  // 1972-01-01
            (946_598_400, 0, 3_155_587_200), // 1999-12-31
            (2_086_041_600, 1, 63_104),      // 2036-02-08, era 1
        ];
        for (unix, era, seconds) in cases {
            let ntp_secs = unix + UNIX_OFFSET_SECS as i64;
            let at = Instant::from_secs(ntp_secs as u64);
            let ts = Epoch::PRIME.timestamp(at);
            assert_eq!(ts, Timestamp::new(seconds, 0), "unix {unix}");
            assert_eq!((ntp_secs >> 32) as u32, era);
            assert_eq!(Epoch::PRIME.instant(ts, at), Some(at));
        }
    }

    #[test]
    fn eras_resolve_to_the_nearest_one() {
        let epoch = Epoch::UNIX;
        let early_2036 = Instant::from_secs(2_085_978_496 - 10); // 10 s before era 1
        let later = Instant::from_secs(2_085_978_496 + 100);
        let ts = epoch.timestamp(later);
        assert_eq!(ts.seconds(), 100);
        assert_eq!(epoch.instant(ts, early_2036), Some(later));
        assert_eq!(
            ts.micros_since(epoch.timestamp(early_2036)),
            110 * SEC as i64
        );
        assert_eq!(
            epoch.timestamp(early_2036).micros_since(ts),
            -110 * SEC as i64
        );
        // Relative to an epoch in 2030, a 1990 timestamp lies before it.
        let epoch_2030 = Epoch::from_unix_micros(1_893_456_000 * SEC);
        let ts_1990 = Epoch::UNIX.timestamp(Instant::from_secs(631_152_000));
        assert_eq!(epoch_2030.instant(ts_1990, Instant::ZERO), None);
    }

    #[test]
    fn conversions_round_trip_exactly() {
        for micros in [0, 1, 499_999, 500_000, 999_999, 1_000_000, 123_456_789_012] {
            let at = Instant::from_micros(micros);
            let ts = Epoch::UNIX.timestamp(at);
            assert_eq!(Epoch::UNIX.instant(ts, at), Some(at), "{micros}");
        }
        // The largest fraction rounds up into the next second.
        let ts = Timestamp::new(UNIX_OFFSET_SECS as u32, u32::MAX);
        assert_eq!(
            Epoch::UNIX.instant(ts, Instant::ZERO),
            Some(Instant::from_secs(1))
        );
        // Half a second exactly.
        let ts = Timestamp::new(UNIX_OFFSET_SECS as u32 + 5, 1 << 31);
        assert_eq!(
            Epoch::UNIX.instant(ts, Instant::ZERO),
            Some(Instant::from_micros(5_500_000))
        );
        assert_eq!(
            Epoch::UNIX.adjusted(-1_000).ntp_micros() + 1_000,
            Epoch::UNIX.ntp_micros()
        );
    }

    #[test]
    fn short_time_conversions() {
        assert_eq!(
            ShortTime(0x0001_8000).to_duration(),
            Duration::from_millis(1_500)
        );
        assert_eq!(
            ShortTime::from_duration(Duration::from_millis(1_500)),
            ShortTime(0x0001_8000)
        );
        assert_eq!(ShortTime::from_duration(Duration::MAX), ShortTime(u32::MAX));
        assert_eq!(ShortTime(1).to_duration(), Duration::from_micros(15));
    }
}
