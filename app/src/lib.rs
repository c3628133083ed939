//! The Pico W firmware's application as a device-independent sans-IO node.
//!
//! [`App`] owns a [`seqs::Stack`] and runs on it: a DHCP client, an NTP
//! client (server from the lease, else configured), a DNS lookup of a
//! configured name and an HTTP server ([`seqs::http::server`]) with a status page and endpoints that
//! switch an LED through the [`Led`] trait. It speaks the same driver
//! contract as the stack (`receive`, `transmit`, `poll_at`), so the
//! firmware's frame pump, the simulator and the tests run the very same code.
//! No heap: every buffer is borrowed from the caller ([`Sockets`] and
//! [`seqs::Storage`]) or sized by the constants below.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_debug_implementations)]

mod app;
mod config;
mod cursor;
mod led;
mod page;
mod services;
mod site;
mod utc;

pub use app::{App, Status};
pub use config::{Config, Error, HttpSlot, Sockets, HTTP_CONNECTIONS, SOCKET_SLOTS};
pub use led::Led;
pub use services::Lookup;
pub use site::{BODY_MAX, HEAD_MAX, REQUEST_MAX, RESPONSE_MAX};
pub use utc::Utc;

pub use seqs;
