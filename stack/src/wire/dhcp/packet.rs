//! Checked view over a BOOTP/DHCP message.

use core::net::Ipv4Addr;

use super::{Options, HEADER_LEN};
use crate::wire::view::view;

/// Byte ranges of the fixed header (RFC 2131 2, figure 1).
pub(super) mod field {
    use core::ops::Range;

    pub const OP: usize = 0;
    pub const HTYPE: usize = 1;
    pub const HLEN: usize = 2;
    pub const HOPS: usize = 3;
    pub const XID: Range<usize> = 4..8;
    pub const SECS: Range<usize> = 8..10;
    pub const FLAGS: Range<usize> = 10..12;
    pub const CIADDR: Range<usize> = 12..16;
    pub const YIADDR: Range<usize> = 16..20;
    pub const SIADDR: Range<usize> = 20..24;
    pub const GIADDR: Range<usize> = 24..28;
    pub const CHADDR: Range<usize> = 28..44;
    pub const SNAME: Range<usize> = 44..108;
    pub const FILE: Range<usize> = 108..236;
    pub const COOKIE: Range<usize> = 236..240;
    pub const OPTIONS: usize = 240;
}

/// The `flags` bit asking servers to broadcast their reply (RFC 2131 4.1),
/// for clients that cannot receive unicast before they have an address.
pub const FLAG_BROADCAST: u16 = 0x8000;

view! {
    /// A view over a DHCP message. After [`Packet::new_checked`] every getter
    /// is in bounds.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Packet;
    min_len = HEADER_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub fn op(&self) -> u8 {
        self.bytes()[field::OP]
    }
    pub fn hardware_type(&self) -> u8 {
        self.bytes()[field::HTYPE]
    }
    pub fn hardware_len(&self) -> u8 {
        self.bytes()[field::HLEN]
    }
    pub fn hops(&self) -> u8 {
        self.bytes()[field::HOPS]
    }
    pub fn transaction_id(&self) -> u32 {
        self.get(field::XID)
    }
    pub fn secs(&self) -> u16 {
        self.get(field::SECS)
    }
    pub fn flags(&self) -> u16 {
        self.get(field::FLAGS)
    }
    pub fn broadcast(&self) -> bool {
        self.flags() & FLAG_BROADCAST != 0
    }
    pub fn client_ip(&self) -> Ipv4Addr {
        self.get(field::CIADDR)
    }
    pub fn your_ip(&self) -> Ipv4Addr {
        self.get(field::YIADDR)
    }
    pub fn server_ip(&self) -> Ipv4Addr {
        self.get(field::SIADDR)
    }
    pub fn relay_agent_ip(&self) -> Ipv4Addr {
        self.get(field::GIADDR)
    }
    /// All 16 bytes of `chaddr`; `hardware_len` says how many are meaningful.
    pub fn client_hardware_field(&self) -> &[u8] {
        &self.bytes()[field::CHADDR]
    }
    /// The raw 64-byte `sname` field.
    pub fn server_name_field(&self) -> &[u8] {
        &self.bytes()[field::SNAME]
    }
    /// The raw 128-byte `file` field.
    pub fn boot_file_field(&self) -> &[u8] {
        &self.bytes()[field::FILE]
    }
    pub fn magic_cookie(&self) -> u32 {
        self.get(field::COOKIE)
    }
    /// Bytes after the magic cookie.
    pub fn options_area(&self) -> &[u8] {
        &self.bytes()[field::OPTIONS..]
    }
    /// Every option, including those [`super::Repr`] does not interpret.
    pub fn options(&self) -> Options<'_> {
        options_in(self.bytes())
    }
}

/// The options of a whole message buffer at least [`HEADER_LEN`] long.
fn options_in(bytes: &[u8]) -> Options<'_> {
    Options::new(
        bytes.get(field::OPTIONS..).unwrap_or_default(),
        bytes.get(field::FILE).unwrap_or_default(),
        bytes.get(field::SNAME).unwrap_or_default(),
    )
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The whole buffer, borrowed for `'a` rather than for the view, so that
    /// values parsed from it can outlive the view.
    pub fn buffer_ref(&self) -> &'a [u8] {
        T::as_ref(self.buffer)
    }
    /// [`Packet::options`], borrowing the buffer for `'a`.
    pub fn options_ref(&self) -> Options<'a> {
        options_in(self.buffer_ref())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    pub fn set_op(&mut self, value: u8) {
        self.bytes_mut()[field::OP] = value;
    }
    pub fn set_hardware_type(&mut self, value: u8) {
        self.bytes_mut()[field::HTYPE] = value;
    }
    pub fn set_hardware_len(&mut self, value: u8) {
        self.bytes_mut()[field::HLEN] = value;
    }
    pub fn set_hops(&mut self, value: u8) {
        self.bytes_mut()[field::HOPS] = value;
    }
    pub fn set_transaction_id(&mut self, value: u32) {
        self.set(field::XID, value);
    }
    pub fn set_secs(&mut self, value: u16) {
        self.set(field::SECS, value);
    }
    pub fn set_flags(&mut self, value: u16) {
        self.set(field::FLAGS, value);
    }
    pub fn set_client_ip(&mut self, value: Ipv4Addr) {
        self.set(field::CIADDR, value);
    }
    pub fn set_your_ip(&mut self, value: Ipv4Addr) {
        self.set(field::YIADDR, value);
    }
    pub fn set_server_ip(&mut self, value: Ipv4Addr) {
        self.set(field::SIADDR, value);
    }
    pub fn set_relay_agent_ip(&mut self, value: Ipv4Addr) {
        self.set(field::GIADDR, value);
    }
    pub fn set_magic_cookie(&mut self, value: u32) {
        self.set(field::COOKIE, value);
    }
    pub fn client_hardware_field_mut(&mut self) -> &mut [u8] {
        &mut self.bytes_mut()[field::CHADDR]
    }
    pub fn server_name_field_mut(&mut self) -> &mut [u8] {
        &mut self.bytes_mut()[field::SNAME]
    }
    pub fn boot_file_field_mut(&mut self) -> &mut [u8] {
        &mut self.bytes_mut()[field::FILE]
    }
    pub fn options_area_mut(&mut self) -> &mut [u8] {
        &mut self.bytes_mut()[field::OPTIONS..]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Packet<T> {
    fn as_ref(&self) -> &[u8] {
        self.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Error;

    #[test]
    fn short_buffers_are_truncated() {
        for len in 0..HEADER_LEN {
            assert_eq!(
                Packet::new_checked(&[0u8; HEADER_LEN][..len]).err(),
                Some(Error::Truncated)
            );
        }
        assert!(Packet::new_checked(&[0u8; HEADER_LEN][..]).is_ok());
    }

    #[test]
    fn setters_and_getters_agree() {
        let mut buf = [0u8; HEADER_LEN + 4];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        p.set_op(2);
        p.set_hardware_type(1);
        p.set_hardware_len(6);
        p.set_hops(3);
        p.set_transaction_id(0xdead_beef);
        p.set_secs(9);
        p.set_flags(FLAG_BROADCAST);
        p.set_client_ip(Ipv4Addr::new(192, 0, 2, 1));
        p.set_your_ip(Ipv4Addr::new(192, 0, 2, 2));
        p.set_server_ip(Ipv4Addr::new(192, 0, 2, 3));
        p.set_relay_agent_ip(Ipv4Addr::new(192, 0, 2, 4));
        p.set_magic_cookie(super::super::MAGIC_COOKIE);
        p.options_area_mut().copy_from_slice(&[53, 1, 2, 255]);
        let p = Packet::new_checked(&buf[..]).unwrap();
        assert_eq!(
            (p.op(), p.hardware_type(), p.hardware_len(), p.hops()),
            (2, 1, 6, 3)
        );
        assert_eq!(
            (p.transaction_id(), p.secs(), p.broadcast()),
            (0xdead_beef, 9, true)
        );
        assert_eq!(p.client_ip(), Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(p.your_ip(), Ipv4Addr::new(192, 0, 2, 2));
        assert_eq!(p.server_ip(), Ipv4Addr::new(192, 0, 2, 3));
        assert_eq!(p.relay_agent_ip(), Ipv4Addr::new(192, 0, 2, 4));
        assert_eq!(&buf[236..240], &[99, 130, 83, 99]);
        assert_eq!(p.options().count(), 1);
    }
}
