//! ICMPv4 (RFC 792): echo, destination unreachable, time exceeded.
