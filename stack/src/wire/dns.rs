//! DNS messages (RFC 1035): header, questions, resource records, name compression.
