//! What every checked view (`ipv4::Packet`, `ethernet::Frame`, ...) shares,
//! written once: the wrapper itself and big-endian fields at fixed offsets.
//! A format module declares its view with [`view!`] and writes only its own
//! `check_len`, getters and setters.

use core::net::Ipv4Addr;

/// A value stored big-endian in a fixed-size header field.
pub(crate) trait Field {
    /// Decodes `bytes`, which are exactly the field.
    fn read(bytes: &[u8]) -> Self;
    /// Encodes into `bytes`, which are exactly the field.
    fn write(self, bytes: &mut [u8]);
}

impl<const N: usize> Field for [u8; N] {
    #[inline]
    fn read(bytes: &[u8]) -> Self {
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        out
    }

    #[inline]
    fn write(self, bytes: &mut [u8]) {
        bytes.copy_from_slice(&self);
    }
}

macro_rules! big_endian_field {
    ($($int:ty),*) => {$(
        impl Field for $int {
            #[inline]
            fn read(bytes: &[u8]) -> Self {
                <$int>::from_be_bytes(Field::read(bytes))
            }

            #[inline]
            fn write(self, bytes: &mut [u8]) {
                self.to_be_bytes().write(bytes);
            }
        }
    )*};
}

big_endian_field!(u16, u32, u64);

impl Field for Ipv4Addr {
    #[inline]
    fn read(bytes: &[u8]) -> Self {
        Ipv4Addr::from(<[u8; 4]>::read(bytes))
    }

    #[inline]
    fn write(self, bytes: &mut [u8]) {
        self.octets().write(bytes);
    }
}

/// Declares `pub struct $name<T: AsRef<[u8]>> { buffer: T }` with the given
/// doc and derives, plus `new_unchecked`, `new_checked` (which calls the
/// module's own `check_len`), `into_inner`, and private `bytes`,
/// `bytes_mut`, `require_len`, `get` and `set` for the module's own
/// `check_len`, getters and setters. A format whose only length rule is a
/// fixed header adds `min_len = HEADER_LEN;` and gets `check_len` too.
macro_rules! view {
    ($(#[$attr:meta])* pub struct $name:ident; min_len = $len:ident;) => {
        $crate::wire::view::view! { $(#[$attr])* pub struct $name; }

        impl<T: AsRef<[u8]>> $name<T> {
            #[doc = concat!(
                "`Truncated` unless the fixed header ([`", stringify!($len),
                "`] bytes) fits; what follows it is not length-checked.",
            )]
            pub fn check_len(&self) -> $crate::wire::Result<()> {
                self.require_len($len)
            }
        }
    };
    ($(#[$attr:meta])* pub struct $name:ident;) => {
        $(#[$attr])*
        pub struct $name<T: AsRef<[u8]>> {
            buffer: T,
        }

        impl<T: AsRef<[u8]>> $name<T> {
            /// Wraps a buffer without checks; getters may panic until
            /// [`Self::check_len`] passes. For buffers about to be filled.
            pub const fn new_unchecked(buffer: T) -> $name<T> {
                $name { buffer }
            }

            /// Wraps a buffer after [`Self::check_len`].
            pub fn new_checked(buffer: T) -> $crate::wire::Result<$name<T>> {
                let view = $name::new_unchecked(buffer);
                view.check_len()?;
                Ok(view)
            }

            pub fn into_inner(self) -> T {
                self.buffer
            }

            fn bytes(&self) -> &[u8] {
                self.buffer.as_ref()
            }

            /// `Truncated` unless the buffer holds at least `len` bytes.
            fn require_len(&self, len: usize) -> $crate::wire::Result<()> {
                if self.bytes().len() < len {
                    Err($crate::wire::Error::Truncated)
                } else {
                    Ok(())
                }
            }

            /// The field at `range`; in bounds once `check_len` has passed.
            fn get<V: $crate::wire::view::Field>(&self, range: core::ops::Range<usize>) -> V {
                V::read(&self.bytes()[range])
            }
        }

        impl<T: AsRef<[u8]> + AsMut<[u8]>> $name<T> {
            fn bytes_mut(&mut self) -> &mut [u8] {
                self.buffer.as_mut()
            }

            fn set<V: $crate::wire::view::Field>(
                &mut self,
                range: core::ops::Range<usize>,
                value: V,
            ) {
                value.write(&mut self.bytes_mut()[range]);
            }
        }
    };
}

pub(crate) use view;
