use core::fmt;
use core::marker::PhantomData;

use crate::icmp;
use crate::storage::Managed;
use crate::udp;

/// Any socket the stack can hold.
#[derive(Debug)]
pub enum Socket<'a> {
    Udp(udp::Socket<'a>),
    Icmp(icmp::Socket<'a>),
}

/// Handle kind markers: a `Handle<Udp>` can only reach a UDP socket.
#[derive(Debug)]
pub enum Udp {}
#[derive(Debug)]
pub enum Icmp {}

/// A typed reference to a socket in a [`Set`]. Stale handles (the socket was
/// removed and the slot reused) are detected by a generation count.
pub struct Handle<K> {
    index: u16,
    generation: u16,
    kind: PhantomData<K>,
}

impl<K> Clone for Handle<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Handle<K> {}
impl<K> PartialEq for Handle<K> {
    fn eq(&self, other: &Self) -> bool {
        (self.index, self.generation) == (other.index, other.generation)
    }
}
impl<K> Eq for Handle<K> {}
impl<K> fmt::Debug for Handle<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle({}#{})", self.index, self.generation)
    }
}

/// One socket slot. Public so callers can size storage with
/// `core::array::from_fn(|_| Slot::default())`.
#[derive(Debug, Default)]
pub struct Slot<'a> {
    generation: u16,
    socket: Option<Socket<'a>>,
}

/// The fixed-capacity set of sockets.
#[derive(Debug)]
pub struct Set<'a> {
    slots: Managed<'a, Slot<'a>>,
}

impl<'a> Set<'a> {
    pub fn new(slots: impl Into<Managed<'a, Slot<'a>>>) -> Self {
        let mut slots = slots.into();
        slots.iter_mut().for_each(|s| s.socket = None);
        Set { slots }
    }

    /// Adds a socket; `None` when every slot is taken.
    pub fn add<K>(&mut self, socket: Socket<'a>) -> Option<Handle<K>> {
        let index = self.slots.iter().position(|s| s.socket.is_none())?;
        let slot = &mut self.slots[index];
        slot.generation = slot.generation.wrapping_add(1);
        slot.socket = Some(socket);
        Some(Handle {
            index: u16::try_from(index).ok()?,
            generation: slot.generation,
            kind: PhantomData,
        })
    }

    pub fn remove<K>(&mut self, handle: Handle<K>) -> Option<Socket<'a>> {
        let slot = self.slot_mut(handle)?;
        slot.socket.take()
    }

    pub fn get<K>(&self, handle: Handle<K>) -> Option<&Socket<'a>> {
        let slot = self.slots.get(usize::from(handle.index))?;
        (slot.generation == handle.generation).then_some(slot.socket.as_ref()?)
    }

    pub fn get_mut<K>(&mut self, handle: Handle<K>) -> Option<&mut Socket<'a>> {
        self.slot_mut(handle)?.socket.as_mut()
    }

    pub fn udp(&mut self, handle: Handle<Udp>) -> Option<&mut udp::Socket<'a>> {
        match self.get_mut(handle)? {
            Socket::Udp(s) => Some(s),
            _ => None,
        }
    }

    pub fn icmp(&mut self, handle: Handle<Icmp>) -> Option<&mut icmp::Socket<'a>> {
        match self.get_mut(handle)? {
            Socket::Icmp(s) => Some(s),
            _ => None,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Socket<'a>> {
        self.slots.iter().filter_map(|s| s.socket.as_ref())
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Socket<'a>> {
        self.slots.iter_mut().filter_map(|s| s.socket.as_mut())
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Socket at slot `index`, for round-robin dispatch.
    pub(crate) fn at_mut(&mut self, index: usize) -> Option<&mut Socket<'a>> {
        self.slots.get_mut(index)?.socket.as_mut()
    }

    fn slot_mut<K>(&mut self, handle: Handle<K>) -> Option<&mut Slot<'a>> {
        let slot = self.slots.get_mut(usize::from(handle.index))?;
        (slot.generation == handle.generation).then_some(slot)
    }
}
