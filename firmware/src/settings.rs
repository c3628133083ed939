//! Application settings baked in at build time, checked in a `const`
//! context like the credentials: a malformed value fails the build.
//!
//! - `NTP_SERVER`: an IPv4 address (`192.0.2.123`), asked when the DHCP
//!   lease names no NTP server (many home routers do not).
//! - `LOOKUP_NAME`: a host name the board resolves and shows on its status
//!   page; `pool.ntp.org` when unset.

use core::net::Ipv4Addr;

/// Sent to the DHCP server as option 12.
pub const HOSTNAME: &str = "seqs-pico";
/// The lookup when `LOOKUP_NAME` is unset or empty.
pub const DEFAULT_LOOKUP: &str = "pool.ntp.org";

/// What the application is configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub hostname: &'static str,
    pub ntp_server: Option<Ipv4Addr>,
    pub lookup: Option<&'static str>,
}

impl Settings {
    /// Interprets the build environment; the error is the build's message.
    pub const fn from_env(
        ntp_server: Option<&'static str>,
        lookup: Option<&'static str>,
    ) -> Result<Settings, &'static str> {
        let ntp_server = match ntp_server {
            Some(s) if !s.is_empty() => match parse_ipv4(s.as_bytes()) {
                Some(addr) => Some(addr),
                None => return Err("NTP_SERVER must be an IPv4 address such as 192.0.2.123"),
            },
            _ => None,
        };
        let lookup = match lookup {
            Some(name) if !name.is_empty() => name,
            _ => DEFAULT_LOOKUP,
        };
        Ok(Settings {
            hostname: HOSTNAME,
            ntp_server,
            lookup: Some(lookup),
        })
    }
}

/// Dotted-quad IPv4 (four decimal octets, no leading `+`, at most three
/// digits each), in a `const fn` since `FromStr` is not one.
const fn parse_ipv4(s: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let (mut part, mut value, mut digits, mut i) = (0, 0u16, 0, 0);
    while i <= s.len() {
        if i == s.len() || s[i] == b'.' {
            if digits == 0 || value > 255 || part > 3 {
                return None;
            }
            octets[part] = value as u8;
            (part, value, digits) = (part + 1, 0, 0);
        } else if s[i].is_ascii_digit() && digits < 3 {
            value = value * 10 + (s[i] - b'0') as u16;
            digits += 1;
        } else {
            return None;
        }
        i += 1;
    }
    if part != 4 {
        return None;
    }
    Some(Ipv4Addr::new(octets[0], octets[1], octets[2], octets[3]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_addresses_and_refuses_the_rest() {
        assert_eq!(
            parse_ipv4(b"192.0.2.123"),
            Some(Ipv4Addr::new(192, 0, 2, 123))
        );
        assert_eq!(parse_ipv4(b"0.0.0.0"), Some(Ipv4Addr::UNSPECIFIED));
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1..2.3",
            "1.2.3.",
            ".1.2.3",
            "1.2.3.4x",
            "1234.1.1.1",
            "+1.2.3.4",
            "a.b.c.d",
        ] {
            assert_eq!(parse_ipv4(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn defaults_and_errors() {
        let s = Settings::from_env(None, Some("")).unwrap();
        assert_eq!((s.ntp_server, s.lookup), (None, Some(DEFAULT_LOOKUP)));
        let s = Settings::from_env(Some("198.51.100.7"), Some("example.org")).unwrap();
        assert_eq!(s.ntp_server, Some(Ipv4Addr::new(198, 51, 100, 7)));
        assert_eq!(s.lookup, Some("example.org"));
        assert!(Settings::from_env(Some("time.example.org"), None).is_err());
    }
}
