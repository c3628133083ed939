//! The options area: TLVs after the magic cookie (RFC 2132 2).

use crate::wire::{Error, Result};

/// Option codes this stack interprets (RFC 2132).
pub mod code {
    pub const PAD: u8 = 0;
    pub const SUBNET_MASK: u8 = 1;
    pub const ROUTER: u8 = 3;
    pub const DNS_SERVERS: u8 = 6;
    pub const HOSTNAME: u8 = 12;
    pub const DOMAIN_NAME: u8 = 15;
    pub const INTERFACE_MTU: u8 = 26;
    pub const NTP_SERVERS: u8 = 42;
    pub const REQUESTED_IP: u8 = 50;
    pub const LEASE_TIME: u8 = 51;
    pub const OVERLOAD: u8 = 52;
    pub const MESSAGE_TYPE: u8 = 53;
    pub const SERVER_IDENTIFIER: u8 = 54;
    pub const PARAMETER_REQUEST_LIST: u8 = 55;
    pub const MESSAGE: u8 = 56;
    pub const MAX_MESSAGE_SIZE: u8 = 57;
    pub const RENEWAL_TIME: u8 = 58;
    pub const REBINDING_TIME: u8 = 59;
    pub const CLIENT_IDENTIFIER: u8 = 61;
    pub const END: u8 = 255;
}

/// One option as it sits in the message: its code and value bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DhcpOption<'a> {
    pub code: u8,
    pub data: &'a [u8],
}

/// Iterator over the options of a message, in wire order, skipping pads.
///
/// It stops at `End` or at the end of the area, then continues into `file`
/// and `sname` when the options area carried an overload option (RFC 2132
/// 9.3), in that order. An option whose length runs past its area yields one
/// `Err(Error::Truncated)` and ends the iteration.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    rest: &'a [u8],
    /// Areas still to walk once `rest` is done; empty slices are skipped.
    queued: [&'a [u8]; 2],
    /// `(file, sname)` that an overload option may enlist; `None` once the
    /// walk has left the options area, where overload alone is meaningful.
    overloadable: Option<(&'a [u8], &'a [u8])>,
}

impl<'a> Options<'a> {
    /// Options in `area`, with `file` and `sname` available for overload.
    pub(super) fn new(area: &'a [u8], file: &'a [u8], sname: &'a [u8]) -> Self {
        Options {
            rest: area,
            queued: [&[], &[]],
            overloadable: Some((file, sname)),
        }
    }

    fn next_area(&mut self) -> bool {
        self.overloadable = None;
        match self.queued {
            [first, second] if !first.is_empty() => {
                self.rest = first;
                self.queued = [second, &[]];
                true
            }
            [_, second] if !second.is_empty() => {
                self.rest = second;
                self.queued = [&[], &[]];
                true
            }
            _ => false,
        }
    }

    fn enlist_overload(&mut self, flags: u8) {
        if let Some((file, sname)) = self.overloadable {
            self.queued = [
                if flags & 1 != 0 { file } else { &[] },
                if flags & 2 != 0 { sname } else { &[] },
            ];
        }
    }

    fn fail(&mut self) -> Option<Result<DhcpOption<'a>>> {
        self.rest = &[];
        self.queued = [&[], &[]];
        self.overloadable = None;
        Some(Err(Error::Truncated))
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<DhcpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match *self.rest {
                [] => {
                    if !self.next_area() {
                        return None;
                    }
                }
                [code::PAD, ref tail @ ..] => self.rest = tail,
                [code::END, ..] => self.rest = &[],
                [code, len, ref tail @ ..] => {
                    let Some((data, tail)) = tail.split_at_checked(usize::from(len)) else {
                        return self.fail();
                    };
                    self.rest = tail;
                    if let (code::OVERLOAD, &[flags]) = (code, data) {
                        self.enlist_overload(flags);
                    }
                    return Some(Ok(DhcpOption { code, data }));
                }
                [_] => return self.fail(),
            }
        }
    }
}

impl core::iter::FusedIterator for Options<'_> {}

/// Appends options to an options area, refusing to overrun it.
#[derive(Debug)]
pub(super) struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    pub(super) fn new(buf: &'b mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    /// Bytes an option with `len` value bytes takes.
    pub(super) const fn option_len(len: usize) -> usize {
        2 + len
    }

    /// Writes one option; values longer than 255 bytes are `Malformed`
    /// (this stack never splits options, RFC 3396).
    pub(super) fn option(&mut self, code: u8, data: &[u8]) -> Result<()> {
        let len = u8::try_from(data.len()).map_err(|_| Error::Malformed)?;
        let end = self
            .pos
            .checked_add(Self::option_len(data.len()))
            .ok_or(Error::Truncated)?;
        let Some([c, l, value @ ..]) = self.buf.get_mut(self.pos..end) else {
            return Err(Error::Truncated);
        };
        *c = code;
        *l = len;
        value.copy_from_slice(data);
        self.pos = end;
        Ok(())
    }

    /// Writes `End` and zero-fills (pads) the rest of the area.
    pub(super) fn finish(self) -> Result<()> {
        let Some((end, pad)) = self
            .buf
            .get_mut(self.pos..)
            .and_then(|rest| rest.split_first_mut())
        else {
            return Err(Error::Truncated);
        };
        *end = code::END;
        pad.fill(code::PAD);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn walk<'a>(area: &'a [u8], file: &'a [u8], sname: &'a [u8]) -> Vec<Result<(u8, &'a [u8])>> {
        Options::new(area, file, sname)
            .map(|o| o.map(|o| (o.code, o.data)))
            .collect()
    }

    #[test]
    fn pads_are_skipped_and_end_stops() {
        let area = [0, 0, 53, 1, 1, 0, 12, 0, 255, 53, 1, 2];
        assert_eq!(
            walk(&area, &[], &[]),
            [Ok((53, &[1][..])), Ok((12, &[][..]))]
        );
    }

    #[test]
    fn missing_end_is_tolerated() {
        assert_eq!(
            walk(&[1, 4, 255, 255, 255, 0], &[], &[]),
            [Ok((1, &[255, 255, 255, 0][..]))]
        );
    }

    #[test]
    fn overrun_yields_one_error_then_stops() {
        assert_eq!(
            walk(&[53, 1, 1, 12, 5, b'a'], &[], &[]),
            [Ok((53, &[1][..])), Err(Error::Truncated)]
        );
        assert_eq!(walk(&[53], &[], &[]), [Err(Error::Truncated)]);
        let mut it = Options::new(&[6, 9], &[], &[]);
        assert_eq!(it.next(), Some(Err(Error::Truncated)));
        assert_eq!(it.next(), None);
    }

    #[test]
    fn overload_continues_into_file_then_sname() {
        let area = [code::OVERLOAD, 1, 3, 255];
        let file = [12, 1, b'f', 255, 0];
        let sname = [15, 1, b's', 0];
        assert_eq!(
            walk(&area, &file, &sname),
            [Ok((52, &[3][..])), Ok((12, &b"f"[..])), Ok((15, &b"s"[..]))]
        );
        let only_sname = [code::OVERLOAD, 1, 2];
        assert_eq!(
            walk(&only_sname, &file, &sname),
            [Ok((52, &[2][..])), Ok((15, &b"s"[..]))]
        );
    }

    #[test]
    fn overload_outside_the_options_area_is_ignored() {
        let area = [code::OVERLOAD, 1, 1];
        let file = [code::OVERLOAD, 1, 2, 255];
        let sname = [12, 1, b'x'];
        assert_eq!(
            walk(&area, &file, &sname),
            [Ok((52, &[1][..])), Ok((52, &[2][..]))]
        );
    }

    #[test]
    fn writer_refuses_overruns_and_long_values() {
        let mut buf = [0xaa; 6];
        let mut w = Writer::new(&mut buf);
        w.option(53, &[1]).unwrap();
        assert_eq!(w.option(12, &[1, 2]), Err(Error::Truncated));
        assert_eq!(w.option(12, &[0; 256]), Err(Error::Malformed));
        w.finish().unwrap();
        assert_eq!(buf, [53, 1, 1, 255, 0, 0]);
        let mut full = [0; 2];
        let mut w = Writer::new(&mut full);
        w.option(12, &[]).unwrap();
        assert_eq!(w.finish(), Err(Error::Truncated));
    }
}
