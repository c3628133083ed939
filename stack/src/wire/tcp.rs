//! TCP headers (RFC 9293) and options: MSS, window scale, SACK, timestamps.
