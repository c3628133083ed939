//! Domain names: validated, zero-copy, compared case-insensitively.
//!
//! A [`Name`] either refers into a received message (following compression
//! pointers lazily) or wraps dotted text given by the caller. Both are
//! validated once, when constructed, so walking the labels afterwards cannot
//! fail, loop or leave the buffer.

use core::fmt;

use crate::wire::{Error, Result};

/// Longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;
/// Longest name in wire form, length octets and root label included.
pub const MAX_NAME_LEN: usize = 255;
/// Most compression pointers followed while reading one name. Every jump
/// must also land strictly before the run of labels it leaves, so loops are
/// impossible anyway; this bounds the work on hostile input further.
pub const MAX_POINTERS: usize = 32;

const POINTER_TAG: u8 = 0xc0;

/// A validated domain name.
#[derive(Clone, Copy)]
pub struct Name<'a> {
    source: Source<'a>,
    /// Uncompressed wire length (length octets and root label included).
    wire_len: u8,
}

#[derive(Clone, Copy)]
enum Source<'a> {
    /// Starts at `start` in `message`, pointers resolved against `message`.
    Wire { message: &'a [u8], start: usize },
    /// Dotted text, an optional trailing dot, no empty labels.
    Dotted(&'a str),
}

impl<'a> Name<'a> {
    /// The root name, `.`.
    pub const ROOT: Name<'static> = Name {
        source: Source::Dotted(""),
        wire_len: 1,
    };

    /// Reads the name at `offset` in `message`, the whole DNS message (so that
    /// compression pointers can be followed). Returns the name and the offset
    /// just past its in-place encoding.
    pub fn parse(message: &'a [u8], offset: usize) -> Result<(Name<'a>, usize)> {
        let mut walk = Walk::new(message, offset);
        let mut wire_len = 1usize;
        while let Some(label) = walk.next_label()? {
            wire_len += 1 + label.len();
            if wire_len > MAX_NAME_LEN {
                return Err(Error::Malformed);
            }
        }
        let name = Name {
            source: Source::Wire {
                message,
                start: offset,
            },
            wire_len: wire_len as u8,
        };
        Ok((name, walk.end_in_place()))
    }

    /// A name from dotted text such as `"example.com"` or `"example.com."`;
    /// `""` and `"."` are the root. Labels must be non-empty, at most 63
    /// bytes, and the whole name at most 255 bytes in wire form.
    pub fn from_dotted(text: &'a str) -> Result<Name<'a>> {
        let trimmed = text.strip_suffix('.').unwrap_or(text);
        let mut wire_len = 1usize;
        if !trimmed.is_empty() {
            for label in trimmed.split('.') {
                if label.is_empty() || label.len() > MAX_LABEL_LEN {
                    return Err(Error::Malformed);
                }
                wire_len += 1 + label.len();
            }
        }
        if wire_len > MAX_NAME_LEN {
            return Err(Error::Malformed);
        }
        Ok(Name {
            source: Source::Dotted(trimmed),
            wire_len: wire_len as u8,
        })
    }

    /// The labels, most specific first, without the root label.
    pub fn labels(&self) -> Labels<'a> {
        Labels {
            inner: match self.source {
                Source::Wire { message, start } => LabelsInner::Wire(Walk::new(message, start)),
                Source::Dotted(text) => LabelsInner::Dotted(text),
            },
        }
    }

    /// Length in uncompressed wire form.
    pub fn wire_len(&self) -> usize {
        usize::from(self.wire_len)
    }

    pub fn is_root(&self) -> bool {
        self.wire_len == 1
    }

    /// Number of labels (the root label not counted).
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// Compares with ASCII case folding (RFC 4343).
    pub fn eq_ignore_case(&self, other: &Name<'_>) -> bool {
        labels_eq(self.labels(), other.labels(), |a, b| {
            a.eq_ignore_ascii_case(b)
        })
    }

    /// Writes the name uncompressed; returns the bytes written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let out = buf.get_mut(..self.wire_len()).ok_or(Error::Truncated)?;
        let mut at = 0;
        for label in self.labels() {
            write_label(out, &mut at, label)?;
        }
        *out.get_mut(at).ok_or(Error::Truncated)? = 0;
        Ok(at + 1)
    }
}

/// Writes one length-prefixed label at `*at`, advancing it.
pub(super) fn write_label(buf: &mut [u8], at: &mut usize, label: &[u8]) -> Result<()> {
    let end = *at + 1 + label.len();
    let dst = buf.get_mut(*at..end).ok_or(Error::Truncated)?;
    dst[0] = label.len() as u8;
    dst[1..].copy_from_slice(label);
    *at = end;
    Ok(())
}

/// Label-wise equality of two label sequences under `eq`.
pub(super) fn labels_eq<'x, 'y>(
    mut a: impl Iterator<Item = &'x [u8]>,
    mut b: impl Iterator<Item = &'y [u8]>,
    eq: impl Fn(&[u8], &[u8]) -> bool,
) -> bool {
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if eq(x, y) => {}
            _ => return false,
        }
    }
}

/// Case-insensitive equality, as DNS compares names.
impl PartialEq<Name<'_>> for Name<'_> {
    fn eq(&self, other: &Name<'_>) -> bool {
        self.eq_ignore_case(other)
    }
}

impl Eq for Name<'_> {}

/// Presentation format: dotted, with `\.`, `\\` and `\DDD` escapes for bytes
/// that would otherwise be ambiguous or unprintable; the root is `.`.
impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str(".");
        }
        for (i, label) in self.labels().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            for &b in label {
                match b {
                    b'.' | b'\\' => write!(f, "\\{}", b as char)?,
                    0x21..=0x7e => write!(f, "{}", b as char)?,
                    _ => write!(f, "\\{b:03}")?,
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({self})")
    }
}

/// Iterator over a name's labels.
#[derive(Debug, Clone)]
pub struct Labels<'a> {
    inner: LabelsInner<'a>,
}

#[derive(Debug, Clone)]
enum LabelsInner<'a> {
    Wire(Walk<'a>),
    Dotted(&'a str),
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        match &mut self.inner {
            // Validated at construction: an error here cannot happen, and
            // would end the iteration rather than panic.
            LabelsInner::Wire(walk) => walk.next_label().ok().flatten(),
            LabelsInner::Dotted(rest) => {
                if rest.is_empty() {
                    return None;
                }
                let (label, tail) = rest.split_once('.').unwrap_or((rest, ""));
                *rest = tail;
                Some(label.as_bytes())
            }
        }
    }
}

/// A cursor through a wire-format name that follows compression pointers.
///
/// Loop protection: a pointer must target an offset strictly below the start
/// of the run of labels it ends, so successive targets strictly decrease and
/// the walk terminates; [`MAX_POINTERS`] bounds it further.
#[derive(Debug, Clone)]
struct Walk<'a> {
    message: &'a [u8],
    pos: usize,
    run_start: usize,
    pointers: usize,
    /// Offset after the name's in-place bytes, known once the walk leaves
    /// them (first pointer) or finishes.
    end: Option<usize>,
    done: bool,
}

impl<'a> Walk<'a> {
    fn new(message: &'a [u8], start: usize) -> Walk<'a> {
        Walk {
            message,
            pos: start,
            run_start: start,
            pointers: 0,
            end: None,
            done: false,
        }
    }

    /// The next label, `None` at the root label.
    fn next_label(&mut self) -> Result<Option<&'a [u8]>> {
        if self.done {
            return Ok(None);
        }
        loop {
            let len = *self.message.get(self.pos).ok_or(Error::Truncated)?;
            match len & POINTER_TAG {
                0 if len == 0 => {
                    self.end.get_or_insert(self.pos + 1);
                    self.done = true;
                    return Ok(None);
                }
                0 => {
                    let start = self.pos + 1;
                    let end = start + usize::from(len);
                    let label = self.message.get(start..end).ok_or(Error::Truncated)?;
                    self.pos = end;
                    return Ok(Some(label));
                }
                POINTER_TAG => self.jump(len)?,
                // 0x40 and 0x80 prefixes: extended/obsolete label types.
                _ => return Err(Error::Malformed),
            }
        }
    }

    fn jump(&mut self, first: u8) -> Result<()> {
        let low = *self.message.get(self.pos + 1).ok_or(Error::Truncated)?;
        let target = usize::from(u16::from_be_bytes([first & !POINTER_TAG, low]));
        self.pointers += 1;
        if target >= self.run_start || self.pointers > MAX_POINTERS {
            return Err(Error::Malformed);
        }
        self.end.get_or_insert(self.pos + 2);
        self.pos = target;
        self.run_start = target;
        Ok(())
    }

    /// Only meaningful once the walk has finished successfully.
    fn end_in_place(&self) -> usize {
        self.end.unwrap_or(self.pos)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn dotted_names_validate_lengths() {
        assert!(Name::from_dotted("example.com").is_ok());
        assert!(Name::from_dotted("example.com.").is_ok());
        assert!(Name::from_dotted(".").unwrap().is_root());
        assert!(Name::from_dotted("").unwrap().is_root());
        assert_eq!(Name::from_dotted("a..b").unwrap_err(), Error::Malformed);
        assert_eq!(Name::from_dotted(".a").unwrap_err(), Error::Malformed);
        let long = "a".repeat(64);
        assert_eq!(Name::from_dotted(&long).unwrap_err(), Error::Malformed);
        assert!(Name::from_dotted(&"a".repeat(63)).is_ok());
        // 127 one-byte labels: 127 * 2 + 1 = 255 bytes, the maximum.
        let max = ["a"; 127].join(".");
        assert_eq!(Name::from_dotted(&max).unwrap().wire_len(), 255);
        let over = ["a"; 128].join(".");
        assert_eq!(Name::from_dotted(&over).unwrap_err(), Error::Malformed);
    }

    #[test]
    fn parses_plain_and_compressed_names() {
        // 0: "example.com", 13: "www" + pointer to 0.
        let msg = b"\x07example\x03com\x00\x03www\xc0\x00";
        let (name, end) = Name::parse(msg, 0).unwrap();
        assert_eq!(end, 13);
        assert_eq!(name.to_string(), "example.com");
        let (www, end) = Name::parse(msg, 13).unwrap();
        assert_eq!(end, msg.len());
        assert_eq!(www.to_string(), "www.example.com");
        assert_eq!(www.wire_len(), 17);
        assert_eq!(www, Name::from_dotted("WWW.Example.COM.").unwrap());
        assert_ne!(www, name);
        let mut out = [0u8; 17];
        assert_eq!(www.emit(&mut out), Ok(17));
        assert_eq!(&out, b"\x03www\x07example\x03com\x00");
        assert_eq!(www.emit(&mut [0u8; 16]), Err(Error::Truncated));
    }

    #[test]
    fn rejects_loops_forward_pointers_and_truncation() {
        // Pointer to itself.
        assert_eq!(Name::parse(b"\xc0\x00", 0).unwrap_err(), Error::Malformed);
        // Forward pointer.
        assert_eq!(
            Name::parse(b"\xc0\x02\x00", 0).unwrap_err(),
            Error::Malformed
        );
        // A pointer back into the run it came from: 2 -> 0 -> label -> 2 ...
        let msg = b"\x01a\xc0\x00";
        assert_eq!(Name::parse(msg, 2).unwrap_err(), Error::Malformed);
        // Two pointers bouncing between each other.
        let msg = b"\xc0\x02\xc0\x00";
        assert_eq!(Name::parse(msg, 2).unwrap_err(), Error::Malformed);
        assert_eq!(Name::parse(b"\x03ab", 0).unwrap_err(), Error::Truncated);
        assert_eq!(Name::parse(b"\x01a", 0).unwrap_err(), Error::Truncated);
        assert_eq!(Name::parse(b"\xc0", 0).unwrap_err(), Error::Truncated);
        assert_eq!(Name::parse(b"", 0).unwrap_err(), Error::Truncated);
        assert_eq!(Name::parse(b"\x41a\x00", 0).unwrap_err(), Error::Malformed);
    }

    #[test]
    fn rejects_overlong_names_even_through_pointers() {
        // 0: 63-byte label + root; then chains of pointers each adding a label.
        let mut msg = std::vec![63u8];
        msg.extend([b'x'; 63]);
        msg.push(0);
        let mut prev = 0u16;
        for _ in 0..4 {
            let here = msg.len() as u16;
            msg.push(63);
            msg.extend([b'y'; 63]);
            msg.extend((0xc000 | prev).to_be_bytes());
            prev = here;
        }
        // 4 labels of 63: 4 * 64 + 1 = 257 > 255.
        assert_eq!(
            Name::parse(&msg, usize::from(prev)).unwrap_err(),
            Error::Malformed
        );
        let (three, _) = Name::parse(&msg, 65).unwrap();
        assert_eq!(three.wire_len(), 129);
    }

    #[test]
    fn displays_escapes() {
        let msg = b"\x03a.b\x02\\\x01\x00";
        let (name, _) = Name::parse(msg, 0).unwrap();
        assert_eq!(name.to_string(), "a\\.b.\\\\\\001");
        assert_eq!(Name::ROOT.to_string(), ".");
    }
}
