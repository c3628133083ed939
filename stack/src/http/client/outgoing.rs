//! The request a client sends.

use crate::http::{HeadWriter, WriteError};

/// A request to send: [`Client::request`](super::Client::request) adds
/// `Host` and, when there is a body or the method is POST or PUT,
/// `Content-Length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outgoing<'r> {
    pub method: &'r str,
    pub target: &'r str,
    pub host: &'r str,
    /// Other fields; framing fields are refused.
    pub headers: &'r [(&'r str, &'r [u8])],
    pub body: &'r [u8],
}

impl<'r> Outgoing<'r> {
    /// `GET target` with no other fields.
    pub const fn get(target: &'r str, host: &'r str) -> Self {
        Outgoing {
            method: "GET",
            target,
            host,
            headers: &[],
            body: &[],
        }
    }

    /// Writes the request into `buf`; returns its length.
    pub(crate) fn write(&self, buf: &mut [u8]) -> Result<usize, WriteError> {
        let mut w = HeadWriter::request(buf, self.method, self.target)?;
        w.header("Host", self.host.as_bytes())?;
        for &(name, value) in self.headers {
            w.header(name, value)?;
        }
        if self.body.is_empty() && self.method != "POST" && self.method != "PUT" {
            w.finish()
        } else {
            w.body(self.body)
        }
    }
}
