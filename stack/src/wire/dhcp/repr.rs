//! The decoded meaning of a DHCP message.

use core::net::Ipv4Addr;
use core::ops::Deref;

use super::options::Writer;
use super::packet::{field, FLAG_BROADCAST};
use super::{code, DhcpOption, MessageType, Packet, HEADER_LEN, HTYPE_ETHERNET, MAGIC_COOKIE};
use super::{MIN_MESSAGE_LEN, OP_REPLY, OP_REQUEST};
use crate::wire::{Error, EthernetAddress, Result};

/// A short list of server addresses (routers, DNS, NTP) held without heap.
///
/// Servers may list more; only the first [`AddressList::CAPACITY`] are kept,
/// which is more than a client ever tries in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressList {
    /// Slots past `len` stay `UNSPECIFIED` so derived equality is by content.
    addrs: [Ipv4Addr; AddressList::CAPACITY],
    len: u8,
}

impl AddressList {
    pub const CAPACITY: usize = 4;
    pub const EMPTY: AddressList = AddressList {
        addrs: [Ipv4Addr::UNSPECIFIED; AddressList::CAPACITY],
        len: 0,
    };

    /// The first [`AddressList::CAPACITY`] of `addrs`.
    pub fn from_slice(addrs: &[Ipv4Addr]) -> AddressList {
        let mut list = AddressList::EMPTY;
        for &addr in addrs {
            if !list.push(addr) {
                break;
            }
        }
        list
    }

    /// Appends `addr`; `false` (and no change) when full.
    pub fn push(&mut self, addr: Ipv4Addr) -> bool {
        match self.addrs.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = addr;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    pub fn as_slice(&self) -> &[Ipv4Addr] {
        self.addrs.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// An option value: one or more addresses, four bytes each.
    fn parse(data: &[u8]) -> Result<AddressList> {
        if data.is_empty() || data.len() % 4 != 0 {
            return Err(Error::Malformed);
        }
        let mut list = AddressList::EMPTY;
        for chunk in data.chunks_exact(4).take(AddressList::CAPACITY) {
            list.push(ipv4(chunk)?);
        }
        Ok(list)
    }

    /// The option value, `None` when empty (an empty list is not sent).
    fn encode(&self) -> Option<EncodedList> {
        if self.len == 0 {
            return None;
        }
        let mut out = EncodedList {
            bytes: [0; 4 * AddressList::CAPACITY],
            len: 0,
        };
        for addr in self.as_slice() {
            if let Some(dst) = out.bytes.get_mut(out.len..out.len + 4) {
                dst.copy_from_slice(&addr.octets());
                out.len += 4;
            }
        }
        Some(out)
    }
}

impl Default for AddressList {
    fn default() -> Self {
        AddressList::EMPTY
    }
}

impl Deref for AddressList {
    type Target = [Ipv4Addr];
    fn deref(&self) -> &[Ipv4Addr] {
        self.as_slice()
    }
}

struct EncodedList {
    bytes: [u8; 4 * AddressList::CAPACITY],
    len: usize,
}

impl AsRef<[u8]> for EncodedList {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// A DHCP message: the BOOTP header and the options this stack uses.
///
/// Byte-string fields borrow from the parsed buffer. Durations are the wire's
/// seconds (`u32::MAX` is an infinite lease). `op` is not stored: it follows
/// from `message_type`, and [`Repr::parse`] rejects messages where it does
/// not. Only Ethernet hardware addresses are represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repr<'a> {
    pub message_type: MessageType,
    pub transaction_id: u32,
    pub secs: u16,
    /// The client asks for broadcast replies (flags bit 15).
    pub broadcast: bool,
    pub hops: u8,
    pub client_hardware_address: EthernetAddress,
    /// `ciaddr`: the client's address while it holds a lease.
    pub client_ip: Ipv4Addr,
    /// `yiaddr`: the address a server offers or acknowledges.
    pub your_ip: Ipv4Addr,
    /// `siaddr`: next server in bootstrap (TFTP); not the server identifier.
    pub server_ip: Ipv4Addr,
    /// `giaddr`: the relay agent the message came through.
    pub relay_agent_ip: Ipv4Addr,
    /// `sname` up to its first NUL; empty when absent or overloaded.
    pub server_name: &'a [u8],
    /// `file` up to its first NUL; empty when absent or overloaded.
    pub boot_file: &'a [u8],
    pub subnet_mask: Option<Ipv4Addr>,
    pub routers: AddressList,
    pub dns_servers: AddressList,
    pub hostname: Option<&'a [u8]>,
    pub domain_name: Option<&'a [u8]>,
    pub interface_mtu: Option<u16>,
    pub ntp_servers: AddressList,
    pub requested_ip: Option<Ipv4Addr>,
    pub lease_duration: Option<u32>,
    pub server_identifier: Option<Ipv4Addr>,
    pub parameter_request_list: Option<&'a [u8]>,
    /// Option 56: why a server sent NAK or a client DECLINE.
    pub message: Option<&'a [u8]>,
    pub max_message_size: Option<u16>,
    /// T1.
    pub renewal_duration: Option<u32>,
    /// T2.
    pub rebinding_duration: Option<u32>,
    pub client_identifier: Option<&'a [u8]>,
}

fn ipv4(data: &[u8]) -> Result<Ipv4Addr> {
    <[u8; 4]>::try_from(data)
        .map(Ipv4Addr::from)
        .map_err(|_| Error::Malformed)
}

fn be_u32(data: &[u8]) -> Result<u32> {
    <[u8; 4]>::try_from(data)
        .map(u32::from_be_bytes)
        .map_err(|_| Error::Malformed)
}

fn be_u16(data: &[u8]) -> Result<u16> {
    <[u8; 2]>::try_from(data)
        .map(u16::from_be_bytes)
        .map_err(|_| Error::Malformed)
}

/// A fixed-size text field up to its first NUL.
fn until_nul(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    field.get(..end).unwrap_or_default()
}

/// Writes `value` into a fixed-size text field and zero-fills the rest.
/// NUL inside `value` would cut it short on parse, so it is `Malformed`.
fn fill_field(dst: &mut [u8], value: &[u8]) -> Result<()> {
    if value.contains(&0) {
        return Err(Error::Malformed);
    }
    let (head, tail) = dst
        .split_at_mut_checked(value.len())
        .ok_or(Error::Malformed)?;
    head.copy_from_slice(value);
    tail.fill(0);
    Ok(())
}

/// Calls `f` for an option that is present.
fn put<D: AsRef<[u8]>>(
    f: &mut impl FnMut(u8, &[u8]) -> Result<()>,
    code: u8,
    value: Option<D>,
) -> Result<()> {
    value.map_or(Ok(()), |v| f(code, v.as_ref()))
}

impl<'a> Repr<'a> {
    /// A message with every address zero and every option absent.
    pub const fn new(
        message_type: MessageType,
        transaction_id: u32,
        client_hardware_address: EthernetAddress,
    ) -> Repr<'a> {
        Repr {
            message_type,
            transaction_id,
            secs: 0,
            broadcast: false,
            hops: 0,
            client_hardware_address,
            client_ip: Ipv4Addr::UNSPECIFIED,
            your_ip: Ipv4Addr::UNSPECIFIED,
            server_ip: Ipv4Addr::UNSPECIFIED,
            relay_agent_ip: Ipv4Addr::UNSPECIFIED,
            server_name: &[],
            boot_file: &[],
            subnet_mask: None,
            routers: AddressList::EMPTY,
            dns_servers: AddressList::EMPTY,
            hostname: None,
            domain_name: None,
            interface_mtu: None,
            ntp_servers: AddressList::EMPTY,
            requested_ip: None,
            lease_duration: None,
            server_identifier: None,
            parameter_request_list: None,
            message: None,
            max_message_size: None,
            renewal_duration: None,
            rebinding_duration: None,
            client_identifier: None,
        }
    }

    /// Decodes a message.
    ///
    /// - `Unsupported`: no magic cookie (plain BOOTP), non-Ethernet hardware,
    ///   no message type option (BOOTP) or a type outside 1..=8.
    /// - `Malformed`: unknown `op`, `op` contradicting the message type, an
    ///   option of the wrong length, or an interpreted option repeated (this
    ///   stack does not concatenate split options, RFC 3396).
    /// - `Truncated`: an option overrunning its area.
    ///
    /// Unknown options are skipped; read them with [`Packet::options`].
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&'a T>) -> Result<Repr<'a>> {
        packet.check_len()?;
        if packet.magic_cookie() != MAGIC_COOKIE {
            return Err(Error::Unsupported);
        }
        if packet.hardware_type() != HTYPE_ETHERNET || packet.hardware_len() != 6 {
            return Err(Error::Unsupported);
        }
        let op = packet.op();
        if op != OP_REQUEST && op != OP_REPLY {
            return Err(Error::Malformed);
        }
        let bytes = packet.buffer_ref();
        let chaddr =
            EthernetAddress::from_bytes(packet.client_hardware_field()).ok_or(Error::Truncated)?;
        let mut repr = Repr::new(MessageType::Discover, packet.transaction_id(), chaddr);
        let mut seen = Seen::default();
        for option in packet.options_ref() {
            repr.take_option(option?, &mut seen)?;
        }
        if !seen.message_type || repr.message_type.op() != op {
            return Err(if seen.message_type {
                Error::Malformed
            } else {
                Error::Unsupported
            });
        }
        repr.secs = packet.secs();
        repr.broadcast = packet.broadcast();
        repr.hops = packet.hops();
        repr.client_ip = packet.client_ip();
        repr.your_ip = packet.your_ip();
        repr.server_ip = packet.server_ip();
        repr.relay_agent_ip = packet.relay_agent_ip();
        if seen.overload & 1 == 0 {
            repr.boot_file = until_nul(bytes.get(field::FILE).unwrap_or_default());
        }
        if seen.overload & 2 == 0 {
            repr.server_name = until_nul(bytes.get(field::SNAME).unwrap_or_default());
        }
        Ok(repr)
    }

    /// Stores one option's value in its field.
    fn take_option(&mut self, option: DhcpOption<'a>, seen: &mut Seen) -> Result<()> {
        let DhcpOption { code, data } = option;
        if !seen.first_time(code) {
            return Err(Error::Malformed);
        }
        match code {
            code::MESSAGE_TYPE => {
                let [value] = *data else {
                    return Err(Error::Malformed);
                };
                self.message_type = MessageType::from_u8(value).ok_or(Error::Unsupported)?;
                seen.message_type = true;
            }
            code::OVERLOAD => {
                let [value] = *data else {
                    return Err(Error::Malformed);
                };
                seen.overload = value;
            }
            code::SUBNET_MASK => self.subnet_mask = Some(ipv4(data)?),
            code::ROUTER => self.routers = AddressList::parse(data)?,
            code::DNS_SERVERS => self.dns_servers = AddressList::parse(data)?,
            code::HOSTNAME => self.hostname = Some(data),
            code::DOMAIN_NAME => self.domain_name = Some(data),
            code::INTERFACE_MTU => self.interface_mtu = Some(be_u16(data)?),
            code::NTP_SERVERS => self.ntp_servers = AddressList::parse(data)?,
            code::REQUESTED_IP => self.requested_ip = Some(ipv4(data)?),
            code::LEASE_TIME => self.lease_duration = Some(be_u32(data)?),
            code::SERVER_IDENTIFIER => self.server_identifier = Some(ipv4(data)?),
            code::PARAMETER_REQUEST_LIST => self.parameter_request_list = Some(data),
            code::MESSAGE => self.message = Some(data),
            code::MAX_MESSAGE_SIZE => self.max_message_size = Some(be_u16(data)?),
            code::RENEWAL_TIME => self.renewal_duration = Some(be_u32(data)?),
            code::REBINDING_TIME => self.rebinding_duration = Some(be_u32(data)?),
            code::CLIENT_IDENTIFIER => self.client_identifier = Some(data),
            _ => {}
        }
        Ok(())
    }

    /// Calls `f(code, value)` for every option to send, in wire order:
    /// message type first (some servers look only there), then by code.
    /// The one list that both sizes and writes the options area.
    fn each_option(&self, mut f: impl FnMut(u8, &[u8]) -> Result<()>) -> Result<()> {
        let f = &mut f;
        f(code::MESSAGE_TYPE, &[self.message_type.to_u8()])?;
        put(f, code::SUBNET_MASK, self.subnet_mask.map(|a| a.octets()))?;
        put(f, code::ROUTER, self.routers.encode())?;
        put(f, code::DNS_SERVERS, self.dns_servers.encode())?;
        put(f, code::HOSTNAME, self.hostname)?;
        put(f, code::DOMAIN_NAME, self.domain_name)?;
        put(
            f,
            code::INTERFACE_MTU,
            self.interface_mtu.map(u16::to_be_bytes),
        )?;
        put(f, code::NTP_SERVERS, self.ntp_servers.encode())?;
        put(f, code::REQUESTED_IP, self.requested_ip.map(|a| a.octets()))?;
        put(
            f,
            code::LEASE_TIME,
            self.lease_duration.map(u32::to_be_bytes),
        )?;
        put(
            f,
            code::SERVER_IDENTIFIER,
            self.server_identifier.map(|a| a.octets()),
        )?;
        put(f, code::PARAMETER_REQUEST_LIST, self.parameter_request_list)?;
        put(f, code::MESSAGE, self.message)?;
        put(
            f,
            code::MAX_MESSAGE_SIZE,
            self.max_message_size.map(u16::to_be_bytes),
        )?;
        put(
            f,
            code::RENEWAL_TIME,
            self.renewal_duration.map(u32::to_be_bytes),
        )?;
        put(
            f,
            code::REBINDING_TIME,
            self.rebinding_duration.map(u32::to_be_bytes),
        )?;
        put(f, code::CLIENT_IDENTIFIER, self.client_identifier)
    }

    /// Length of the emitted message: header, options and `End`, padded to
    /// [`MIN_MESSAGE_LEN`].
    pub fn buffer_len(&self) -> usize {
        let mut len = HEADER_LEN + 1;
        let _ = self.each_option(|_, data| {
            len = len.saturating_add(Writer::option_len(data.len()));
            Ok(())
        });
        len.max(MIN_MESSAGE_LEN)
    }

    /// Writes the message into `packet`, which must be at least
    /// [`Repr::buffer_len`] long (any excess is padding).
    ///
    /// `Malformed` when a value cannot be encoded: an option value over 255
    /// bytes, `server_name` over 64 or `boot_file` over 128 bytes, or a NUL
    /// inside either. `Truncated` when the buffer is too short.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]> + ?Sized>(
        &self,
        packet: &mut Packet<&mut T>,
    ) -> Result<()> {
        packet.check_len()?;
        packet.set_op(self.message_type.op());
        packet.set_hardware_type(HTYPE_ETHERNET);
        packet.set_hardware_len(6);
        packet.set_hops(self.hops);
        packet.set_transaction_id(self.transaction_id);
        packet.set_secs(self.secs);
        packet.set_flags(if self.broadcast { FLAG_BROADCAST } else { 0 });
        packet.set_client_ip(self.client_ip);
        packet.set_your_ip(self.your_ip);
        packet.set_server_ip(self.server_ip);
        packet.set_relay_agent_ip(self.relay_agent_ip);
        let chaddr = packet.client_hardware_field_mut();
        chaddr.fill(0);
        if let Some(mac) = chaddr.get_mut(..6) {
            mac.copy_from_slice(&self.client_hardware_address.octets());
        }
        fill_field(packet.server_name_field_mut(), self.server_name)?;
        fill_field(packet.boot_file_field_mut(), self.boot_file)?;
        packet.set_magic_cookie(MAGIC_COOKIE);
        let mut writer = Writer::new(packet.options_area_mut());
        self.each_option(|code, data| writer.option(code, data))?;
        writer.finish()
    }
}

/// Codes [`Repr`] interprets, as bits of a `u64` (all are below 64).
const INTERPRETED: u64 = {
    let codes = [
        code::SUBNET_MASK,
        code::ROUTER,
        code::DNS_SERVERS,
        code::HOSTNAME,
        code::DOMAIN_NAME,
        code::INTERFACE_MTU,
        code::NTP_SERVERS,
        code::REQUESTED_IP,
        code::LEASE_TIME,
        code::OVERLOAD,
        code::MESSAGE_TYPE,
        code::SERVER_IDENTIFIER,
        code::PARAMETER_REQUEST_LIST,
        code::MESSAGE,
        code::MAX_MESSAGE_SIZE,
        code::RENEWAL_TIME,
        code::REBINDING_TIME,
        code::CLIENT_IDENTIFIER,
    ];
    let mut bits = 0u64;
    let mut i = 0;
    while i < codes.len() {
        bits |= 1 << codes[i];
        i += 1;
    }
    bits
};

/// Which interpreted options a parse has met, to refuse repeats.
#[derive(Default)]
struct Seen {
    codes: u64,
    message_type: bool,
    overload: u8,
}

impl Seen {
    /// `false` for a repeat of an interpreted option; other codes may repeat.
    fn first_time(&mut self, code: u8) -> bool {
        let bit = 1u64.checked_shl(u32::from(code)).unwrap_or(0) & INTERPRETED;
        let first = self.codes & bit == 0;
        self.codes |= bit;
        first
    }
}
