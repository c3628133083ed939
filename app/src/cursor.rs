//! `core::fmt` output into a caller's byte buffer, for pages without a heap.

use core::fmt;

/// Writes formatted text into `buf`; a write that does not fit fails whole
/// (and the caller answers with an error instead of a truncated page).
pub(crate) struct Cursor<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> Cursor<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Cursor { buf, len: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Text with HTML's special characters escaped.
pub(crate) struct Html<'s>(pub &'s str);

impl fmt::Display for Html<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '&' => f.write_str("&amp;")?,
                '"' => f.write_str("&quot;")?,
                c => fmt::Write::write_char(f, c)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use core::fmt::Write;

    #[test]
    fn refuses_what_does_not_fit() {
        let mut buf = [0u8; 4];
        let mut c = Cursor::new(&mut buf);
        assert!(write!(c, "abc").is_ok());
        assert!(write!(c, "de").is_err());
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn escapes_html() {
        let mut buf = [0u8; 64];
        let mut c = Cursor::new(&mut buf);
        write!(c, "{}", Html("<a&\"b\">")).unwrap();
        let n = c.len();
        assert_eq!(&buf[..n], b"&lt;a&amp;&quot;b&quot;&gt;");
    }
}
