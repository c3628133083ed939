//! What a simulated host does when its link loses or regains carrier: the
//! one policy both [`super::SeqsHost`] and [`super::FirmwareHost`] follow.
//!
//! Down: nothing. Like dhcpcd, the host keeps its address and its
//! connections; what it sends meanwhile is lost on the link, and TCP and
//! the apps retry as they would after any loss.
//! Up: the host may have been moved to another network (RFC 2131 3.2,
//! RFC 4436), so every DHCP client re-verifies its lease from INIT-REBOOT,
//! keeping the address until a NAK or silence says it is wrong.

use seqs::time::Instant;

use crate::node::NodeCtx;

/// Applies the policy: `reverify` runs (with the current instant) when the
/// carrier came back.
pub(crate) fn link_changed(cx: &NodeCtx<'_>, up: bool, reverify: impl FnOnce(Instant)) {
    if up {
        reverify(cx.instant());
    }
}
