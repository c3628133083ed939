//! HTTP/1.1 (RFC 9112): zero-allocation parsing and writing over caller buffers.
