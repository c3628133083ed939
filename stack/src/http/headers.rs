//! Header fields borrowed from the receive buffer, and lookup by name.

use core::fmt;

/// One field line: name and value borrowed from the buffer they were parsed
/// from. The value has surrounding whitespace removed; its bytes are opaque
/// (obs-text is allowed), so it is a byte slice.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header<'b> {
    pub(crate) name: &'b [u8],
    pub(crate) value: &'b [u8],
}

impl<'b> Header<'b> {
    /// A placeholder for sizing the caller's header array.
    pub const EMPTY: Header<'static> = Header {
        name: b"",
        value: b"",
    };

    /// The field name as received (token characters only, hence ASCII).
    pub fn name(&self) -> &'b str {
        ascii(self.name)
    }

    /// The field value, without leading or trailing whitespace.
    pub fn value(&self) -> &'b [u8] {
        self.value
    }

    /// Whether this field's name is `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }
}

impl fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Header");
        d.field("name", &self.name());
        match core::str::from_utf8(self.value) {
            Ok(text) => d.field("value", &text),
            Err(_) => d.field("value", &self.value),
        };
        d.finish()
    }
}

/// The parsed fields of a message head, in order of appearance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headers<'h, 'b> {
    pub(crate) fields: &'h [Header<'b>],
}

impl<'h, 'b> Headers<'h, 'b> {
    /// The value of the first field named `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&'b [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field named `name`, in order: list-valued fields
    /// may be split across several lines.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'b [u8]> + use<'h, 'b, 'n> {
        self.fields
            .iter()
            .filter(move |h| h.is(name))
            .map(|h| h.value)
    }

    /// Whether a field named `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// All fields, in order.
    pub fn iter(&self) -> core::slice::Iter<'h, Header<'b>> {
        self.fields.iter()
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the head has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl<'h, 'b> IntoIterator for Headers<'h, 'b> {
    type Item = &'h Header<'b>;
    type IntoIter = core::slice::Iter<'h, Header<'b>>;

    fn into_iter(self) -> Self::IntoIter {
        self.fields.iter()
    }
}

/// Bytes the parser has checked to be ASCII, as a `str`.
///
/// The parser admits only ASCII into method, target and names, so the
/// conversion cannot fail; without `unsafe` it is still checked, and an
/// impossible failure yields "".
pub(crate) fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}
