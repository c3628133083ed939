//! The HTTP routes: the status page and the LED resource, served by
//! [`seqs::http::server`].

use core::fmt;

use seqs::http::server::{ResponseWriter, Route};
use seqs::http::{Request, WriteError};

use crate::app::Status;
use crate::cursor::Cursor;
use crate::led::Led;
use crate::page::{self, Format};

/// Largest response body (the status page, with room for every counter to
/// grow to 20 digits).
pub const BODY_MAX: usize = 2048;
/// Largest response head.
pub const HEAD_MAX: usize = 256;
/// Largest response: the least each connection's response (staging)
/// buffer must hold.
pub const RESPONSE_MAX: usize = HEAD_MAX + BODY_MAX;
/// Longest request head accepted: the least each connection's request
/// buffer must hold. The routes take no body.
pub const REQUEST_MAX: usize = 1024;

const NO_STORE: (&str, &[u8]) = ("Cache-Control", b"no-store");

/// What the handlers work on: the LED and a snapshot of the state the
/// status page shows, taken before each server poll (the server holds the
/// stack while handlers run).
#[derive(Debug)]
pub(crate) struct Site<'a, L> {
    pub led: L,
    pub status: Status<'a>,
    /// The page is rendered here before it is staged.
    body: [u8; BODY_MAX],
}

impl<'a, L: Led + 'a> Site<'a, L> {
    pub const ROUTES: &'a [Route<Site<'a, L>>] = &[
        Route::new("GET", "/", Self::status_page),
        Route::new("GET", "/led", Self::led),
        Route::new("POST", "/led/on", Self::led_on),
        Route::new("POST", "/led/off", Self::led_off),
    ];

    pub fn new(led: L, status: Status<'a>) -> Self {
        Site {
            led,
            status,
            body: [0; BODY_MAX],
        }
    }

    /// Switches the LED, telling the board only about changes.
    fn switch(&mut self, on: bool) {
        if self.status.led != on {
            self.led.set(on);
            self.status.led = on;
        }
    }

    fn status_page(
        &mut self,
        _: &Request<'_, '_>,
        _: &[u8],
        w: &mut ResponseWriter<'_>,
    ) -> Result<(), WriteError> {
        let mut out = Cursor::new(&mut self.body);
        page::status_page(&self.status, &mut out).map_err(|fmt::Error| WriteError::BufferFull)?;
        let len = out.len();
        let body = self.body.get(..len).unwrap_or_default();
        w.send(200, "OK", &[("Content-Type", page::HTML), NO_STORE], body)
    }

    fn led(
        &mut self,
        request: &Request<'_, '_>,
        _: &[u8],
        w: &mut ResponseWriter<'_>,
    ) -> Result<(), WriteError> {
        let format = Format::of(request);
        let body = page::led(self.status.led, format);
        w.send(
            200,
            "OK",
            &[("Content-Type", format.content_type()), NO_STORE],
            body,
        )
    }

    fn led_on(
        &mut self,
        request: &Request<'_, '_>,
        body: &[u8],
        w: &mut ResponseWriter<'_>,
    ) -> Result<(), WriteError> {
        self.switch(true);
        self.led(request, body, w)
    }

    fn led_off(
        &mut self,
        request: &Request<'_, '_>,
        body: &[u8],
        w: &mut ResponseWriter<'_>,
    ) -> Result<(), WriteError> {
        self.switch(false);
        self.led(request, body, w)
    }
}
