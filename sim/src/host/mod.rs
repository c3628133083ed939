//! The simulator's `seqs` host: a stack built from a [`HostConfig`], its
//! DHCP client and its apps, behind the [`Node`] trait.
//!
//! The host drives the stack exactly as firmware does. Before every
//! transmit it polls its started apps; when an app or the stack changed
//! something it polls again (bounded), so a lease bound or a DNS answer
//! taken in during one transmit is acted on in the same drain. Its wake-up
//! is the earliest of the stack's `poll_at`, its apps' deadlines and the
//! start times of apps not yet started: there is no periodic tick.
//!
//! When its link goes down the host keeps its address (like dhcpcd; what it
//! sends meanwhile is lost and retried as after any loss); when it comes
//! back up the host may be on another network (RFC 2131 3.2, RFC 4436), so
//! its DHCP client re-verifies the lease from INIT-REBOOT, traced as
//! `dhcp state=init`, `state=init-reboot`, then `state=bound`. The
//! firmware host does the same through its app.
//!
//! A restart builds a fresh host (stack, lease, apps and their results
//! are lost; apps start again relative to the new boot).
//!
//! Trace lines: `<time> <host>[/<app>] <kind> <details>`, details being
//! `key=value` words (a failure reason is quoted). Kinds:
//!
//! ```text
//! 0.000000000 h1 dhcp state=selecting          DHCP client state changes
//! 0.000900000 h1 addr configured cidr=192.0.2.100/24 gw=192.0.2.1 dns=192.0.2.1 ntp=-
//! 9.000000000 h1 addr lost cidr=192.0.2.100/24
//! 0.000000000 h1 error no socket for the dhcp client
//! 2.000000000 h1/ping app start kind=ping      app lifecycle, with metrics:
//! 5.001000000 h1/ping app succeeded received=3 rtt_avg_us=400 ... sent=3
//! 5.001000000 h1/ping app failed reason="no reply" received=0 sent=3
//! 2.000400000 h1/ping dns resolved name=www.example.test addrs=192.0.2.80
//! 2.000400000 h1/ping dns failed name=nowhere.test error=nxdomain
//! 2.001200000 h1/ping ping reply from=192.0.2.80 seq=0 rtt_us=800
//! 7.004000000 h1/ntp ntp sample offset_us=1504000 delay_us=10000 stratum=2
//! 0.000300000 srv/dhcpd lease bound addr=192.0.2.100 mac=02:00:00:00:00:02
//! 0.100100000 h1/bulk tcp state=ESTABLISHED remote=192.0.2.1:9
//! 1.200000000 srv/sink stream verified bytes=1048576 checksum=2033359237
//! 1.200000000 srv/sink stream corrupt byte 5 differs from the pattern
//! 1.200000000 srv/sink stream aborted after=4096
//! 0.300000000 h1/get http status=200 bytes=10000 latency_us=1450
//! ```
//!
//! Summary ([`Node::summary`]):
//!
//! ```text
//! { "boot": 0, "address": "192.0.2.100/24" | null, "gateway": "192.0.2.1" | null,
//!   "dhcp": "bound" | ... | null (static),
//!   "stack": { "frames_in", "frames_out", "bytes_in", "bytes_out", "arp_in",
//!              "arp_out", "icmp_in", "icmp_out", "udp_in", "udp_out", "tcp_in",
//!              "tcp_out", "fragments_in", "datagrams_reassembled",
//!              "egress_drops", "drops": { "<stack drop reason>": n, ... } },
//!   "apps": { "<name>": { "kind", "status", "reason"?, "started_ns",
//!                         "finished_ns", "metrics": {..}, "addresses": [..] } } }
//! ```

mod config;
mod firmware;
mod intern;
mod sockets;
mod status;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use seqs::dhcp::{self, ClientConfig};
use seqs::socket::{DhcpClient, Handle};
use seqs::wire::{EthernetAddress, Ipv4Cidr};
use seqs::{Config, Stack, Storage};

use crate::app::{self, App, AppCx, AppResult, AppStatus};
use crate::node::{Node, NodeCtx, Spawn};
use crate::rng::SimRng;
use crate::time::SimTime;

pub use config::{AddressSource, HostCapacities, HostConfig};
pub use firmware::{firmware_factory, FirmwareConfig, FirmwareHost, RecordedLed};
pub(crate) use intern::{bytes as intern_bytes, ranges as intern_ranges};
pub(crate) use intern::{reservations as intern_reservations, zone as intern_zone};
pub(crate) use sockets::{icmp as icmp_socket, tcp as tcp_socket, udp as udp_socket};

/// The stack a simulated host runs.
pub type HostStack = Stack<'static, SimRng>;

/// Polls of the apps in one transmit call at most, when each round changes
/// something: a bound against apps that never settle.
const MAX_ROUNDS: usize = 8;

/// IPv4 datagrams reassembled at once, and the largest payload: half the
/// stack's default slots, since every simulated host pays for them.
const FRAGMENT_SLOTS: usize = 2;
const FRAGMENT_BYTES: usize = 9000;

/// Builds the host's node at every boot (a restart gets a fresh stack and
/// fresh apps: nothing survives a crash).
pub fn host_factory(config: HostConfig) -> impl Fn(&Spawn<'_>) -> Box<dyn Node> {
    move |spawn| Box::new(SeqsHost::new(spawn, &config))
}

/// Builds each host of a network from its own config; hosts missing from
/// `configs` get `default`.
pub fn network_factory(
    configs: BTreeMap<String, HostConfig>,
    default: HostConfig,
) -> impl Fn(&Spawn<'_>) -> Box<dyn Node> {
    move |spawn| {
        let config = configs.get(spawn.host).unwrap_or(&default);
        Box::new(SeqsHost::new(spawn, config))
    }
}

/// One app of the host and what it reported so far.
struct AppSlot {
    name: String,
    kind: &'static str,
    start_at: SimTime,
    app: Box<dyn App>,
    result: AppResult,
}

/// A `seqs` stack with its DHCP client and apps.
pub struct SeqsHost {
    stack: HostStack,
    caps: HostCapacities,
    tcp: seqs::tcp::Config,
    boot: u32,
    dhcp: Option<Handle<DhcpClient>>,
    /// What the trace last said, to report changes only.
    dhcp_state: Option<dhcp::client::State>,
    address: Option<Ipv4Cidr>,
    /// A problem found while building, traced at the first transmit.
    boot_error: Option<&'static str>,
    apps: Vec<AppSlot>,
}

impl SeqsHost {
    pub fn new(spawn: &Spawn<'_>, config: &HostConfig) -> Self {
        let mut stack = Stack::new(
            stack_config(spawn.mac, config),
            storage(config),
            spawn.rng(),
        );
        let mut boot_error = None;
        let mut dhcp = None;
        match &config.address {
            AddressSource::Static {
                cidr,
                gateway,
                dns,
                ntp,
            } => {
                stack.set_ipv4_address(spawn.now.to_instant(), Some(*cidr));
                stack.set_gateway(*gateway);
                stack.set_dns_servers(dns);
                stack.set_ntp_servers(ntp);
            }
            AddressSource::Dhcp => {
                // Our stack takes unicast replies before it has an address,
                // so it need not ask for broadcasts every host must process.
                let client = dhcp::Client::new(ClientConfig {
                    broadcast: false,
                    ..ClientConfig::new(spawn.mac)
                });
                match stack.add_dhcp_client(client, udp_socket(&config.capacities)) {
                    Ok(h) => dhcp = Some(h),
                    Err(_) => boot_error = Some("no socket for the dhcp client"),
                }
            }
        }
        let apps = config
            .apps
            .iter()
            .map(|a| AppSlot {
                name: a.name.clone(),
                kind: a.kind.name(),
                start_at: spawn.now + a.start,
                app: app::build(&a.kind),
                result: AppResult::default(),
            })
            .collect();
        SeqsHost {
            stack,
            caps: config.capacities,
            tcp: config.tcp,
            boot: spawn.boot,
            dhcp,
            dhcp_state: None,
            address: None,
            boot_error,
            apps,
        }
    }

    pub fn stack(&self) -> &HostStack {
        &self.stack
    }

    /// The result of the app named `name`.
    pub fn app_result(&self, name: &str) -> Option<&AppResult> {
        self.apps.iter().find(|a| a.name == name).map(|a| &a.result)
    }

    /// Traces changes of the DHCP state and of the interface address.
    fn observe(&mut self, cx: &mut NodeCtx<'_>) {
        if let Some(error) = self.boot_error.take() {
            cx.trace(None, "error", format_args!("{error}"));
        }
        let state = self
            .dhcp
            .and_then(|h| self.stack.dhcp_client(h))
            .map(|s| s.engine().client().state());
        if state != self.dhcp_state {
            self.dhcp_state = state;
            if let Some(state) = state {
                cx.trace(
                    None,
                    "dhcp",
                    format_args!("state={}", status::dhcp_state(state)),
                );
            }
        }
        let address = self.stack.ipv4_address();
        if address != self.address {
            if let Some(old) = self.address {
                cx.trace(None, "addr", format_args!("lost cidr={old}"));
            }
            self.address = address;
            if let Some(new) = address {
                let ipv4 = *self.stack.ipv4_config();
                cx.trace(
                    None,
                    "addr",
                    format_args!(
                        "configured cidr={new} gw={} dns={} ntp={}",
                        status::opt_addr(ipv4.gateway),
                        status::addr_list(ipv4.dns_servers.as_slice()),
                        status::addr_list(ipv4.ntp_servers.as_slice()),
                    ),
                );
            }
        }
    }

    /// Polls every app whose start time has come; `true` if any acted.
    fn poll_apps(&mut self, cx: &mut NodeCtx<'_>) -> bool {
        let now = cx.now();
        let mut acted = false;
        for slot in &mut self.apps {
            if now < slot.start_at || slot.result.status.is_finished() {
                continue;
            }
            if slot.result.status == AppStatus::Pending {
                slot.result.status = AppStatus::Running;
                slot.result.started = Some(now);
                cx.trace(
                    Some(&slot.name),
                    "app",
                    format_args!("start kind={}", slot.kind),
                );
                acted = true;
            }
            let mut app_cx = AppCx::new(&mut self.stack, &self.caps, &self.tcp, &slot.name, cx);
            acted |= slot.app.poll(&mut app_cx, &mut slot.result);
            if slot.result.status.is_finished() {
                slot.result.finished = Some(now);
                trace_outcome(cx, slot);
            }
        }
        acted
    }
}

fn trace_outcome(cx: &mut NodeCtx<'_>, slot: &AppSlot) {
    let details = slot.result.details();
    match &slot.result.status {
        AppStatus::Failed(reason) => cx.trace(
            Some(&slot.name),
            "app",
            format_args!("failed reason={reason:?}{details}"),
        ),
        _ => cx.trace(Some(&slot.name), "app", format_args!("succeeded{details}")),
    }
}

fn stack_config(mac: EthernetAddress, config: &HostConfig) -> Config {
    let mut stack = Config::new(mac);
    stack.mtu = config.mtu;
    stack
}

fn storage(config: &HostConfig) -> Storage<'static> {
    Storage::with_capacity(seqs::iface::Capacities {
        sockets: config.capacities.sockets,
        neighbors: config.capacities.neighbors,
        fragment_slots: FRAGMENT_SLOTS,
        fragment_bytes: FRAGMENT_BYTES,
        ..seqs::iface::Capacities::default()
    })
}

impl Node for SeqsHost {
    fn receive(&mut self, cx: &mut NodeCtx<'_>, frame: &[u8]) {
        self.stack.receive(cx.instant(), frame);
    }

    fn transmit(&mut self, cx: &mut NodeCtx<'_>, buf: &mut [u8]) -> Option<usize> {
        let now = cx.instant();
        let mut idle = 0;
        for _ in 0..MAX_ROUNDS {
            self.observe(cx);
            let acted = self.poll_apps(cx);
            if let Some(n) = self.stack.transmit(now, buf) {
                return Some(n);
            }
            // The stack ran timers and engines: look once more before
            // saying there is nothing to send.
            idle = if acted { 0 } else { idle + 1 };
            if idle == 2 {
                break;
            }
        }
        self.observe(cx);
        None
    }

    fn link_changed(&mut self, cx: &mut NodeCtx<'_>, up: bool) {
        if !up {
            return;
        }
        if let Some(client) = self.dhcp.and_then(|h| self.stack.dhcp_client(h)) {
            client.engine_mut().client_mut().link_up(cx.instant());
        }
    }

    fn poll_at(&self) -> Option<SimTime> {
        let stack = self.stack.poll_at().map(SimTime::from_instant);
        let apps = self
            .apps
            .iter()
            .filter_map(|slot| match slot.result.status {
                AppStatus::Pending => Some(slot.start_at),
                AppStatus::Running => slot.app.poll_at(),
                AppStatus::Succeeded | AppStatus::Failed(_) => None,
            });
        stack.into_iter().chain(apps).min()
    }

    fn summary(&self) -> serde_json::Value {
        let ipv4 = self.stack.ipv4_config();
        let apps: serde_json::Map<String, serde_json::Value> = self
            .apps
            .iter()
            .map(|slot| {
                let mut json = slot.result.to_json();
                if let Some(map) = json.as_object_mut() {
                    map.insert("kind".into(), slot.kind.into());
                }
                (slot.name.clone(), json)
            })
            .collect();
        serde_json::json!({
            "boot": self.boot,
            "address": ipv4.address.map(|c| c.to_string()),
            "gateway": ipv4.gateway.map(|a: Ipv4Addr| a.to_string()),
            "dhcp": self.dhcp_state.map(status::dhcp_state),
            "stack": status::counters(self.stack.counters()),
            "apps": apps,
        })
    }
}
