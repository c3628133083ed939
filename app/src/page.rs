//! What the HTTP routes answer: the status page and the LED's state.

use core::fmt::{self, Write};

use seqs::http::Request;
use seqs::time::Duration;

use crate::app::Status;
use crate::cursor::{Cursor, Html};
use crate::services::Lookup;
use crate::utc::Utc;

pub(crate) const HTML: &[u8] = b"text/html; charset=utf-8";

/// How `/led` answers: JSON unless the client asks for plain text only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Text,
}

impl Format {
    pub fn of(request: &Request<'_, '_>) -> Format {
        let accepts = |what: &[u8]| {
            request
                .headers()
                .get_all("accept")
                .any(|v| v.windows(what.len()).any(|w| w.eq_ignore_ascii_case(what)))
        };
        if accepts(b"text/plain") && !accepts(b"application/json") {
            Format::Text
        } else {
            Format::Json
        }
    }

    pub fn content_type(self) -> &'static [u8] {
        match self {
            Format::Json => b"application/json",
            Format::Text => b"text/plain; charset=utf-8",
        }
    }
}

/// The LED's state as `format` says.
pub(crate) fn led(on: bool, format: Format) -> &'static [u8] {
    match (format, on) {
        (Format::Json, true) => b"{\"led\":\"on\"}\n",
        (Format::Json, false) => b"{\"led\":\"off\"}\n",
        (Format::Text, true) => b"on\n",
        (Format::Text, false) => b"off\n",
    }
}

/// `d` as `[Nd ]hh:mm:ss`.
struct Span(Duration);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.secs();
        if s >= 86_400 {
            write!(f, "{}d ", s / 86_400)?;
        }
        write!(f, "{:02}:{:02}:{:02}", s / 3600 % 24, s / 60 % 60, s % 60)
    }
}

/// An optional value, or a dash.
struct Or<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Or<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("&mdash;"),
        }
    }
}

pub(crate) fn status_page(s: &Status<'_>, out: &mut Cursor<'_>) -> fmt::Result {
    out.write_str(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>seqs on Pico W</title>\
         <meta name=\"viewport\" content=\"width=device-width\"></head><body>\n\
         <h1>seqs on Pico W</h1>\n<table>\n",
    )?;
    let row = |out: &mut Cursor<'_>, name: &str, value: fmt::Arguments<'_>| {
        writeln!(out, "<tr><th>{name}</th><td>{value}</td></tr>")
    };
    row(out, "Address", format_args!("{}", Or(s.address)))?;
    row(out, "Gateway", format_args!("{}", Or(s.gateway)))?;
    row(out, "MAC", format_args!("{}", s.mac))?;
    match (&s.lease, s.lease_remaining) {
        (Some(_), Some(left)) => row(out, "Lease", format_args!("{} left", Span(left)))?,
        (Some(_), None) => row(out, "Lease", format_args!("infinite"))?,
        (None, _) => row(out, "Lease", format_args!("none"))?,
    }
    row(out, "DHCP", format_args!("{}", Or(s.dhcp.map(Debugged))))?;
    row(out, "Uptime", format_args!("{}", Span(s.uptime)))?;
    row(out, "NTP server", format_args!("{}", Or(s.ntp_server)))?;
    row(out, "Time", format_args!("{}", Or(s.unix_micros.map(Utc))))?;
    if let Some(name) = s.lookup_name {
        row(
            out,
            "DNS",
            format_args!("{} &rarr; {}", Html(name), LookupText(s.lookup)),
        )?;
    }
    row(
        out,
        "LED",
        format_args!("{}", if s.led { "on" } else { "off" }),
    )?;
    let c = &s.counters;
    row(
        out,
        "Frames in/out",
        format_args!("{} / {}", c.frames_in, c.frames_out),
    )?;
    row(
        out,
        "Bytes in/out",
        format_args!("{} / {}", c.bytes_in, c.bytes_out),
    )?;
    row(
        out,
        "ARP in/out",
        format_args!("{} / {}", c.arp_in, c.arp_out),
    )?;
    row(
        out,
        "ICMP in/out",
        format_args!("{} / {}", c.icmp_in, c.icmp_out),
    )?;
    row(
        out,
        "UDP in/out",
        format_args!("{} / {}", c.udp_in, c.udp_out),
    )?;
    row(
        out,
        "TCP in/out",
        format_args!("{} / {}", c.tcp_in, c.tcp_out),
    )?;
    row(out, "Drops", format_args!("{}", c.total_drops()))?;
    out.write_str(
        "</table>\n<p><button onclick=\"led('on')\">LED on</button> \
         <button onclick=\"led('off')\">LED off</button></p>\n<script>\
         function led(v){fetch('/led/'+v,{method:'POST'}).then(()=>location.reload())}\
         </script>\n</body></html>\n",
    )
}

/// A value shown through its `Debug` form (enum names such as `Bound`).
struct Debugged<T>(T);

impl<T: fmt::Debug> fmt::Display for Debugged<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

struct LookupText(Lookup);

impl fmt::Display for LookupText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Lookup::Idle => f.write_str("waiting for a DNS server"),
            Lookup::Pending => f.write_str("resolving"),
            Lookup::Resolved(addr) => addr.fmt(f),
            Lookup::Failed(e) => write!(f, "failed ({e:?})"),
        }
    }
}
