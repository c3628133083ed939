use crate::time::Duration;

/// Per-socket TCP tunables. `Default` follows the RFCs, with Linux's choices
/// where an RFC leaves room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The MSS we announce: the largest segment payload we can receive
    /// without options (RFC 6691: MTU minus 40 for IPv4).
    pub mss: u16,
    /// RTO before the first RTT sample (RFC 6298: 1 s).
    pub rto_initial: Duration,
    pub rto_min: Duration,
    pub rto_max: Duration,
    /// Retransmissions of a SYN before the connection attempt fails.
    pub syn_retries: u8,
    /// Retransmissions of data or FIN without progress before the
    /// connection is given up.
    pub max_retries: u8,
    /// Delayed ACK timeout (RFC 1122: under 500 ms); `None` ACKs at once.
    pub ack_delay: Option<Duration>,
    /// Nagle's algorithm (RFC 896): hold back small segments while data is
    /// unacknowledged.
    pub nagle: bool,
    /// Idle time before keepalive probes and between them; `None` disables.
    pub keepalive: Option<Duration>,
    /// Unanswered keepalive probes before the connection is dropped.
    pub keepalive_probes: u8,
    /// How long TIME-WAIT lasts (2 MSL).
    pub time_wait: Duration,
    /// Offer RFC 7323 window scaling.
    pub window_scaling: bool,
    /// Offer RFC 7323 timestamps (RTTM and PAWS).
    pub timestamps: bool,
    /// Offer RFC 2018 selective acknowledgments.
    pub sack: bool,
    /// RFC 5961 challenge ACKs allowed per second.
    pub challenge_ack_limit: u16,
    /// How the congestion window shrinks on loss and grows back.
    pub congestion: Congestion,
}

/// Congestion window policy. Loss detection and recovery (fast retransmit,
/// NewReno, SACK with RACK-TLP) are the same for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Congestion {
    /// RFC 5681: halve on loss, one segment per round trip in congestion
    /// avoidance.
    #[default]
    Reno,
    /// RFC 9438: keep 0.7 on loss, grow back along a cubic curve of time
    /// (Linux's default; refills a long, fast path much sooner).
    Cubic,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mss: 1460,
            rto_initial: Duration::from_secs(1),
            rto_min: Duration::from_millis(200),
            rto_max: Duration::from_secs(60),
            syn_retries: 6,
            max_retries: 15,
            ack_delay: Some(Duration::from_millis(40)),
            nagle: true,
            keepalive: None,
            keepalive_probes: 9,
            time_wait: Duration::from_secs(60),
            window_scaling: true,
            timestamps: true,
            sack: true,
            challenge_ack_limit: 100,
            congestion: Congestion::Reno,
        }
    }
}
