use core::fmt;
use core::ops::{Deref, DerefMut};

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// A fixed-length slice that is either borrowed from the caller or, with the
/// `alloc` feature, owned. It never changes length after construction.
pub enum Managed<'a, T> {
    Borrowed(&'a mut [T]),
    #[cfg(feature = "alloc")]
    Owned(Vec<T>),
}

impl<T> Deref for Managed<'_, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Managed::Borrowed(s) => s,
            #[cfg(feature = "alloc")]
            Managed::Owned(v) => v,
        }
    }
}

impl<T> DerefMut for Managed<'_, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Managed::Borrowed(s) => s,
            #[cfg(feature = "alloc")]
            Managed::Owned(v) => v,
        }
    }
}

impl<'a, T> From<&'a mut [T]> for Managed<'a, T> {
    fn from(s: &'a mut [T]) -> Self {
        Managed::Borrowed(s)
    }
}

impl<'a, T, const N: usize> From<&'a mut [T; N]> for Managed<'a, T> {
    fn from(s: &'a mut [T; N]) -> Self {
        Managed::Borrowed(s)
    }
}

#[cfg(feature = "alloc")]
impl<T> From<Vec<T>> for Managed<'_, T> {
    fn from(v: Vec<T>) -> Self {
        Managed::Owned(v)
    }
}

impl<T> fmt::Debug for Managed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Managed").field("len", &self.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_and_owned_behave_alike() {
        let mut backing = [0u8; 4];
        let mut borrowed = Managed::from(&mut backing);
        borrowed[1] = 7;
        assert_eq!(&*borrowed, &[0, 7, 0, 0]);
        #[cfg(feature = "alloc")]
        {
            let mut owned = Managed::from(alloc::vec![0u8; 4]);
            owned[1] = 7;
            assert_eq!(&*owned, &*borrowed);
        }
    }
}
