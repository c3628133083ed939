//! Wi-Fi credentials baked in at build time.
//!
//! `WIFI_SSID` and `WIFI_PASSWORD` are read by `option_env!` in `main.rs`
//! and checked here in a `const` context, so a credential the radio would
//! refuse fails the build with a message instead of failing on the board.
//! No SSID is a valid build: CI has no credentials, and the board then runs
//! in "no credentials" mode.

/// Longest SSID 802.11 allows, in bytes.
pub const MAX_SSID_LEN: usize = 32;
/// WPA2/WPA3-personal passphrase length bounds, in bytes (IEEE 802.11i).
pub const PASSPHRASE_LEN: core::ops::RangeInclusive<usize> = 8..=63;

/// A network to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credentials {
    ssid: &'static str,
    security: Security,
}

/// How the network is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Open,
    /// WPA2/WPA3-personal with this passphrase.
    Passphrase(&'static str),
}

/// Why build-time credentials were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsError {
    SsidTooLong,
    PasswordWithoutSsid,
    PassphraseLength,
}

impl CredentialsError {
    /// The message the build fails with.
    pub const fn message(self) -> &'static str {
        match self {
            CredentialsError::SsidTooLong => "WIFI_SSID is longer than 32 bytes",
            CredentialsError::PasswordWithoutSsid => "WIFI_PASSWORD is set but WIFI_SSID is not",
            CredentialsError::PassphraseLength => {
                "WIFI_PASSWORD must be 8 to 63 bytes (leave it unset or empty for an open network)"
            }
        }
    }
}

impl Credentials {
    /// Interprets the build environment. An unset or empty variable counts
    /// as absent: `Ok(None)` means "no credentials", an empty password means
    /// an open network.
    pub const fn from_env(
        ssid: Option<&'static str>,
        password: Option<&'static str>,
    ) -> Result<Option<Credentials>, CredentialsError> {
        let (ssid, password) = (non_empty(ssid), non_empty(password));
        let Some(ssid) = ssid else {
            return match password {
                Some(_) => Err(CredentialsError::PasswordWithoutSsid),
                None => Ok(None),
            };
        };
        if ssid.len() > MAX_SSID_LEN {
            return Err(CredentialsError::SsidTooLong);
        }
        let security = match password {
            None => Security::Open,
            Some(p) if p.len() < *PASSPHRASE_LEN.start() || p.len() > *PASSPHRASE_LEN.end() => {
                return Err(CredentialsError::PassphraseLength)
            }
            Some(p) => Security::Passphrase(p),
        };
        Ok(Some(Credentials { ssid, security }))
    }

    pub const fn ssid(&self) -> &'static str {
        self.ssid
    }

    pub const fn security(&self) -> Security {
        self.security
    }
}

const fn non_empty(s: Option<&'static str>) -> Option<&'static str> {
    match s {
        Some(s) if !s.is_empty() => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_set_is_no_credentials() {
        assert_eq!(Credentials::from_env(None, None), Ok(None));
        assert_eq!(Credentials::from_env(Some(""), Some("")), Ok(None));
    }

    #[test]
    fn ssid_alone_is_an_open_network() {
        let c = Credentials::from_env(Some("lab"), None).unwrap().unwrap();
        assert_eq!((c.ssid(), c.security()), ("lab", Security::Open));
        assert_eq!(Credentials::from_env(Some("lab"), Some("")), Ok(Some(c)));
    }

    #[test]
    fn passphrase_bounds() {
        let ok = |p| Credentials::from_env(Some("lab"), Some(p));
        assert_eq!(ok("1234567"), Err(CredentialsError::PassphraseLength));
        assert_eq!(
            ok("12345678").unwrap().unwrap().security(),
            Security::Passphrase("12345678")
        );
        let longest = "x".repeat(63).leak();
        assert!(ok(longest).unwrap().is_some());
        let too_long = "x".repeat(64).leak();
        assert_eq!(ok(too_long), Err(CredentialsError::PassphraseLength));
    }

    #[test]
    fn ssid_bounds() {
        let longest = "s".repeat(MAX_SSID_LEN).leak();
        assert!(Credentials::from_env(Some(longest), None)
            .unwrap()
            .is_some());
        let too_long = "s".repeat(MAX_SSID_LEN + 1).leak();
        assert_eq!(
            Credentials::from_env(Some(too_long), None),
            Err(CredentialsError::SsidTooLong)
        );
    }

    #[test]
    fn password_needs_an_ssid() {
        assert_eq!(
            Credentials::from_env(None, Some("12345678")),
            Err(CredentialsError::PasswordWithoutSsid)
        );
    }

    #[test]
    fn usable_in_const_context() {
        const C: Result<Option<Credentials>, CredentialsError> =
            Credentials::from_env(Some("lab"), Some("correct horse"));
        assert!(matches!(C, Ok(Some(_))));
    }
}
