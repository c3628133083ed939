//! DHCPv4 messages (RFC 2131) and options (RFC 2132).
