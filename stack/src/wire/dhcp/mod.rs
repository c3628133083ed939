//! DHCPv4 messages (RFC 2131) and options (RFC 2132), carried in UDP between
//! [`CLIENT_PORT`] and [`SERVER_PORT`].
//!
//! - [`Packet`] is the checked view over the fixed BOOTP header, the magic
//!   cookie and the options area.
//! - [`Options`] walks the option TLVs without copying; it follows option 52
//!   (overload) into the `file` and `sname` fields and yields an error value,
//!   never a panic, when an option overruns its area.
//! - [`Repr`] holds every option this stack's client and server use as typed
//!   fields. Other options stay reachable through [`Packet::options`].

mod options;
mod packet;
mod repr;

pub use options::{code, DhcpOption, Options};
pub use packet::{Packet, FLAG_BROADCAST};
pub use repr::{AddressList, Repr};

/// UDP port servers listen on.
pub const SERVER_PORT: u16 = 67;
/// UDP port clients listen on.
pub const CLIENT_PORT: u16 = 68;
/// Marks the options area as DHCP (RFC 2131 3), not plain BOOTP vendor data.
pub const MAGIC_COOKIE: u32 = 0x6382_5363;
/// Fixed header plus magic cookie: the shortest message with options.
pub const HEADER_LEN: usize = 240;
/// RFC 1542 2.1: relays may drop BOOTP messages shorter than this, so
/// [`Repr::emit`] pads up to it.
pub const MIN_MESSAGE_LEN: usize = 300;

/// BOOTP `op` field values.
pub const OP_REQUEST: u8 = 1;
pub const OP_REPLY: u8 = 2;
/// ARP hardware type for Ethernet (RFC 1700), the only one handled.
pub const HTYPE_ETHERNET: u8 = 1;

/// Option 53, the DHCP message type (RFC 2132 9.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    Discover,
    Offer,
    Request,
    Decline,
    Ack,
    Nak,
    Release,
    Inform,
}

impl MessageType {
    /// `None` for values outside 1..=8 (lease query and other extensions).
    pub const fn from_u8(value: u8) -> Option<MessageType> {
        Some(match value {
            1 => MessageType::Discover,
            2 => MessageType::Offer,
            3 => MessageType::Request,
            4 => MessageType::Decline,
            5 => MessageType::Ack,
            6 => MessageType::Nak,
            7 => MessageType::Release,
            8 => MessageType::Inform,
            _ => return None,
        })
    }

    pub const fn to_u8(self) -> u8 {
        match self {
            MessageType::Discover => 1,
            MessageType::Offer => 2,
            MessageType::Request => 3,
            MessageType::Decline => 4,
            MessageType::Ack => 5,
            MessageType::Nak => 6,
            MessageType::Release => 7,
            MessageType::Inform => 8,
        }
    }

    /// The BOOTP `op` this message type travels with: servers send replies,
    /// clients requests. [`Repr`] derives `op` from this so they cannot
    /// disagree.
    pub const fn op(self) -> u8 {
        match self {
            MessageType::Offer | MessageType::Ack | MessageType::Nak => OP_REPLY,
            _ => OP_REQUEST,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_values_round_trip() {
        for value in 0..=u8::MAX {
            match MessageType::from_u8(value) {
                Some(t) => assert_eq!(t.to_u8(), value),
                None => assert!(value == 0 || value > 8),
            }
        }
        assert_eq!(MessageType::Offer.op(), OP_REPLY);
        assert_eq!(MessageType::Inform.op(), OP_REQUEST);
    }
}
