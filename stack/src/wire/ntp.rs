//! NTP v3/v4 packets (RFC 5905) and 64-bit timestamps.
