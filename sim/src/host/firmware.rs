//! The Pico W firmware's application (`seqs-app`) as a simulated host, so
//! what ships is what was simulated: the same `App`, driven through the
//! same sans-IO contract as on the board, with an LED that only records.
//! Its link going down and up stands for the Wi-Fi association lost and
//! rejoined.
//!
//! Trace kinds on the host: `led state=on|off`, `addr configured cidr=..`
//! / `addr lost`, `ntp synced unix_us=..`, `lookup resolved addr=..` /
//! `lookup failed reason=..`. The summary (`node`) holds the address, the
//! LED state and how often it switched, the NTP time, the lookup and the
//! stack counters.

use seqs::storage::{PacketBuffer, PacketMeta, RingBuffer};
use seqs::wire::Ipv4Cidr;
use seqs::{dns, iface::Capacities, tcp, udp, Storage};
use seqs_app::{App, Config, HttpSlot, Led, Lookup, Sockets};
use serde_json::json;

use crate::node::{Node, NodeCtx, Spawn};
use crate::rng::SimRng;
use crate::time::SimTime;

/// What differs between boards; everything else is the firmware's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirmwareConfig {
    pub hostname: Option<String>,
    /// Used when the DHCP lease names no NTP server.
    pub ntp_server: Option<std::net::Ipv4Addr>,
    /// A name resolved once the lease brings DNS servers.
    pub lookup: Option<String>,
}

/// The board's LED, as seen from outside.
#[derive(Debug, Default)]
pub struct RecordedLed {
    pub on: bool,
    pub switches: u32,
}

impl Led for RecordedLed {
    fn set(&mut self, on: bool) {
        if on != self.on {
            self.switches += 1;
        }
        self.on = on;
    }
}

/// What the host last traced, to trace only changes.
#[derive(Debug, Default, PartialEq)]
struct Seen {
    led: bool,
    address: Option<Ipv4Cidr>,
    synced: bool,
    lookup: Option<String>,
}

pub struct FirmwareHost {
    app: App<'static, SimRng, RecordedLed>,
    seen: Seen,
    /// The latest instant the host ran at, for the summary.
    last: seqs::time::Instant,
}

/// Builds a firmware host per boot, like [`super::host_factory`].
pub fn firmware_factory(config: FirmwareConfig) -> impl Fn(&Spawn<'_>) -> Box<dyn Node> {
    move |spawn| Box::new(FirmwareHost::new(spawn, &config))
}

/// Sized as the firmware sizes them (firmware/src/app.rs).
fn udp_socket() -> udp::Socket<'static> {
    let buffer = || PacketBuffer::new(vec![PacketMeta::empty(); 4], vec![0u8; 2048]);
    udp::Socket::new(buffer(), buffer())
}

/// The app borrows its buffers for as long as it lives; a simulated board
/// lives for the run, so they are leaked once per boot.
fn leak(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

fn leak_str(s: &Option<String>) -> Option<&'static str> {
    s.as_ref().map(|s| &*Box::leak(s.clone().into_boxed_str()))
}

impl FirmwareHost {
    pub fn new(spawn: &Spawn<'_>, config: &FirmwareConfig) -> Self {
        let mut app_config = Config::new(spawn.mac);
        app_config.hostname = leak_str(&config.hostname);
        app_config.ntp_server = config.ntp_server;
        app_config.lookup = leak_str(&config.lookup);
        let sockets = Sockets {
            dhcp: udp_socket(),
            ntp: udp_socket(),
            dns: udp_socket(),
            dns_answers: vec![dns::Answer::UNSPECIFIED; 2].into(),
            http: std::array::from_fn(|_| HttpSlot {
                socket: tcp::Socket::new(
                    RingBuffer::new(vec![0u8; 2048]),
                    RingBuffer::new(vec![0u8; 2048]),
                ),
                request: leak(seqs_app::REQUEST_MAX),
                response: leak(seqs_app::RESPONSE_MAX),
            }),
        };
        let storage = Storage::with_capacity(Capacities {
            sockets: seqs_app::SOCKET_SLOTS,
            ..Capacities::default()
        });
        let app = App::new(
            app_config,
            storage,
            sockets,
            spawn.rng(),
            RecordedLed::default(),
            spawn.now.to_instant(),
        )
        .expect("the firmware's own sizes fit");
        FirmwareHost {
            app,
            seen: Seen::default(),
            last: spawn.now.to_instant(),
        }
    }

    pub fn app(&self) -> &App<'static, SimRng, RecordedLed> {
        &self.app
    }

    /// Traces what changed since the last call.
    fn observe(&mut self, cx: &mut NodeCtx<'_>) {
        self.last = cx.instant();
        let status = self.app.status(self.last);
        let now = Seen {
            led: status.led,
            address: status.address,
            synced: status.unix_micros.is_some(),
            lookup: lookup_text(&status.lookup),
        };
        if now.led != self.seen.led {
            cx.trace(
                None,
                "led",
                format_args!("state={}", if now.led { "on" } else { "off" }),
            );
        }
        if now.address != self.seen.address {
            match now.address {
                Some(cidr) => cx.trace(None, "addr", format_args!("configured cidr={cidr}")),
                None => cx.trace(None, "addr", format_args!("lost")),
            }
        }
        if now.synced && !self.seen.synced {
            let unix = status.unix_micros.unwrap_or(0);
            cx.trace(None, "ntp", format_args!("synced unix_us={unix}"));
        }
        if now.lookup != self.seen.lookup {
            if let Some(text) = &now.lookup {
                cx.trace(None, "lookup", format_args!("{text}"));
            }
        }
        self.seen = now;
    }
}

fn lookup_text(lookup: &Lookup) -> Option<String> {
    match lookup {
        Lookup::Idle | Lookup::Pending => None,
        Lookup::Resolved(addr) => Some(format!("resolved addr={addr}")),
        Lookup::Failed(e) => Some(format!("failed reason={e:?}")),
    }
}

impl Node for FirmwareHost {
    fn receive(&mut self, cx: &mut NodeCtx<'_>, frame: &[u8]) {
        self.app.receive(cx.instant(), frame);
        self.observe(cx);
    }

    fn transmit(&mut self, cx: &mut NodeCtx<'_>, buf: &mut [u8]) -> Option<usize> {
        let sent = self.app.transmit(cx.instant(), buf);
        self.observe(cx);
        sent
    }

    /// The board's Wi-Fi association was lost or rejoined: on a rejoin the
    /// firmware calls `App::link_up`, and so does this host.
    fn link_changed(&mut self, cx: &mut NodeCtx<'_>, up: bool) {
        if up {
            self.app.link_up(cx.instant());
        }
    }

    fn poll_at(&self) -> Option<SimTime> {
        self.app.poll_at().map(SimTime::from_instant)
    }

    fn summary(&self) -> serde_json::Value {
        let led = self.app.led();
        let status = self.app.status(self.last);
        json!({
            "firmware": true,
            "address": status.address.map(|c| c.to_string()),
            "led": led.on,
            "led_switches": led.switches,
            "unix_us": status.unix_micros,
            "lookup": lookup_text(&status.lookup),
            "stack": {
                "frames_in": status.counters.frames_in,
                "frames_out": status.counters.frames_out,
                "total_drops": status.counters.total_drops(),
            },
        })
    }
}
