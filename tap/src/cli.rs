//! `seqs-sim tap ...`: run a stack node on a TAP device from the command
//! line. The lead's CLI embeds [`TapArgs`] as a subcommand and calls [`run`].

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use seqs::wire::{EthernetAddress, Ipv4Cidr};

use crate::apps::{
    AppSpec, DhcpServerSpec, DnsLookupSpec, HttpClientSpec, HttpServerSpec, NtpQuerySpec, PingSpec,
    Report, TcpEchoSpec, TcpSinkSpec, TcpSourceSpec, UdpClientSpec, UdpEchoSpec,
};
use crate::clock::stack_duration;
use crate::{random_seed, Addressing, Bridge, BridgeConfig, BridgeReport, LossRate, TapDevice};

/// Run one seqs stack node in real time on a Linux TAP device.
///
/// Needs CAP_NET_ADMIN to create the device (or a persistent device owned
/// by the caller: `ip tuntap add mode tap user $USER name seqs0`).
#[derive(Debug, Clone, Args)]
pub struct TapArgs {
    /// TAP interface to attach to; created if it does not exist.
    #[arg(long, default_value = "seqs0")]
    pub tap: String,
    /// Our static address and prefix length.
    #[arg(long, value_parser = parse_cidr, value_name = "ADDR/LEN", required_unless_present = "dhcp")]
    pub address: Option<Ipv4Cidr>,
    /// Get our address (and gateway, DNS and NTP servers) from a DHCP
    /// server instead.
    #[arg(long, conflicts_with_all = ["address", "gateway"])]
    pub dhcp: bool,
    /// Default gateway for off-subnet destinations.
    #[arg(long)]
    pub gateway: Option<Ipv4Addr>,
    /// Our MAC address (default 02:53:51:00:00:02).
    #[arg(long, value_parser = parse_mac)]
    pub mac: Option<EthernetAddress>,
    /// Seed for the stack's RNG and the loss pattern (default: from the OS).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Random loss on both directions, e.g. `5%`.
    #[arg(long, default_value = "0%")]
    pub loss: LossRate,
    /// Loss on frames from the TAP device to the stack (overrides --loss).
    #[arg(long)]
    pub ingress_loss: Option<LossRate>,
    /// Loss on frames from the stack to the TAP device (overrides --loss).
    #[arg(long)]
    pub egress_loss: Option<LossRate>,
    /// Write every frame received and sent to this pcap file.
    #[arg(long)]
    pub pcap: Option<PathBuf>,
    /// Stop after this long (`30s`, `500ms`); default: when the client apps
    /// are done, or never when only servers run.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Print only the final reports, not every event.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub apps: AppArgs,
}

/// The applications to run beside the stack; each may be repeated.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Applications")]
pub struct AppArgs {
    /// Ping this address.
    #[arg(long, value_name = "ADDR")]
    pub ping: Vec<Ipv4Addr>,
    /// Echo requests per --ping target.
    #[arg(long, default_value_t = 5)]
    pub ping_count: u16,
    /// Time between echo requests.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub ping_interval: std::time::Duration,
    /// Echo data bytes per request.
    #[arg(long, default_value_t = 56)]
    pub ping_size: usize,
    /// Serve UDP echo on this port.
    #[arg(long, value_name = "PORT")]
    pub udp_echo: Vec<u16>,
    /// Send numbered datagrams to this UDP echo server and verify the echoes.
    #[arg(long, value_name = "ADDR:PORT")]
    pub udp_send: Vec<SocketAddrV4>,
    /// Datagrams per --udp-send target.
    #[arg(long, default_value_t = 5)]
    pub udp_count: u32,
    /// Payload bytes per datagram (at least 4).
    #[arg(long, default_value_t = 64)]
    pub udp_size: usize,
    /// Time between datagrams.
    #[arg(long, default_value = "100ms", value_parser = parse_duration)]
    pub udp_interval: std::time::Duration,
    /// Serve DHCP from this pool (needs a static --address in its subnet).
    #[arg(long, value_parser = parse_range, value_name = "FIRST-LAST")]
    pub dhcp_server: Option<(Ipv4Addr, Ipv4Addr)>,
    /// Lease time the DHCP server grants.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub dhcp_lease: std::time::Duration,
    /// Serve TCP echo on this port.
    #[arg(long, value_name = "PORT")]
    pub tcp_echo: Vec<u16>,
    /// Accept TCP streams on this port, read them to the end and print
    /// their length and SHA-256.
    #[arg(long, value_name = "PORT")]
    pub tcp_sink: Vec<u16>,
    /// Send --tcp-bytes of a seeded pattern to this TCP server, then close;
    /// prints the SHA-256 of what was sent.
    #[arg(long, value_name = "ADDR:PORT")]
    pub tcp_send: Vec<SocketAddrV4>,
    /// Bytes per --tcp-send stream.
    #[arg(long, default_value_t = 1 << 20)]
    pub tcp_bytes: u64,
    /// Resolve this name (A records, CNAMEs followed).
    #[arg(long, value_name = "NAME")]
    pub dns: Vec<String>,
    /// DNS server for --dns (default: the one DHCP gave us).
    #[arg(long, value_name = "ADDR")]
    pub dns_server: Option<Ipv4Addr>,
    /// Serve HTTP on this port (seqs::http::server): `/` greets,
    /// `/bytes?n=N` streams N bytes.
    #[arg(long, value_name = "PORT")]
    pub http_server: Vec<u16>,
    /// Fetch this URL (`http://ADDR[:PORT]/PATH`) and print the status,
    /// body length and SHA-256.
    #[arg(long, value_parser = parse_url, value_name = "URL")]
    pub http_get: Vec<(SocketAddrV4, String)>,
    /// Ask this NTP server for the time (port 123 unless given).
    #[arg(long, value_parser = parse_socket, value_name = "ADDR[:PORT]")]
    pub ntp: Vec<SocketAddrV4>,
}

impl AppArgs {
    pub fn specs(&self) -> Vec<AppSpec> {
        let pings = self.ping.iter().map(|&target| {
            AppSpec::Ping(PingSpec {
                count: self.ping_count,
                interval: stack_duration(self.ping_interval),
                size: self.ping_size,
                ..PingSpec::new(target)
            })
        });
        let echoes = self
            .udp_echo
            .iter()
            .map(|&port| AppSpec::UdpEcho(UdpEchoSpec { port }));
        let clients = self.udp_send.iter().map(|to| {
            AppSpec::UdpClient(UdpClientSpec {
                count: self.udp_count,
                size: self.udp_size,
                interval: stack_duration(self.udp_interval),
                ..UdpClientSpec::new(*to)
            })
        });
        let dhcp = self.dhcp_server.map(|(first, last)| {
            AppSpec::DhcpServer(DhcpServerSpec {
                lease: stack_duration(self.dhcp_lease),
                ..DhcpServerSpec::new(first, last)
            })
        });
        let tcp_echoes = self
            .tcp_echo
            .iter()
            .map(|&port| AppSpec::TcpEcho(TcpEchoSpec { port }));
        let sinks = self
            .tcp_sink
            .iter()
            .map(|&port| AppSpec::TcpSink(TcpSinkSpec { port }));
        let sources = self.tcp_send.iter().zip(0..).map(|(to, seed)| {
            AppSpec::TcpSource(TcpSourceSpec {
                remote: *to,
                bytes: self.tcp_bytes,
                seed,
            })
        });
        let lookups = self.dns.iter().map(|name| {
            AppSpec::DnsLookup(DnsLookupSpec {
                name: name.clone(),
                server: self.dns_server,
            })
        });
        let ntp = self
            .ntp
            .iter()
            .map(|&server| AppSpec::NtpQuery(NtpQuerySpec::new(server)));
        let http_servers = self
            .http_server
            .iter()
            .map(|&port| AppSpec::HttpServer(HttpServerSpec { port }));
        let fetches = self.http_get.iter().map(|(to, path)| {
            AppSpec::HttpClient(HttpClientSpec {
                remote: *to,
                host: String::new(),
                path: path.clone(),
            })
        });
        pings
            .chain(echoes)
            .chain(clients)
            .chain(dhcp)
            .chain(tcp_echoes)
            .chain(sinks)
            .chain(sources)
            .chain(lookups)
            .chain(ntp)
            .chain(http_servers)
            .chain(fetches)
            .collect()
    }
}

impl TapArgs {
    pub fn bridge_config(&self, seed: u64) -> BridgeConfig {
        let addressing = match self.address {
            Some(address) if !self.dhcp => Addressing::Static {
                address,
                gateway: self.gateway,
            },
            _ => Addressing::Dhcp,
        };
        let mut config = BridgeConfig::new(addressing, seed);
        if let Some(mac) = self.mac {
            config.mac = mac;
        }
        config.ingress_loss = self.ingress_loss.unwrap_or(self.loss);
        config.egress_loss = self.egress_loss.unwrap_or(self.loss);
        config.pcap = self.pcap.clone();
        config.run_for = self.duration;
        config.apps = self.apps.specs();
        config.verbose = !self.quiet;
        config
    }
}

/// Runs the bridge in the foreground. Exit status: 0 when every client app
/// got all its answers, 1 when some did not, 2 on bad input or setup errors.
pub fn run(args: TapArgs) -> ExitCode {
    let seed = match args.seed.map_or_else(random_seed, Ok) {
        Ok(seed) => seed,
        Err(e) => return fail(format_args!("cannot read a seed from the OS: {e}")),
    };
    let device = match TapDevice::open(&args.tap) {
        Ok(device) => device,
        Err(e) => return fail(format_args!("cannot open TAP device {}: {e}", args.tap)),
    };
    if let Err(e) = crate::stop_on_interrupt() {
        return fail(format_args!("cannot catch interrupts: {e}"));
    }
    let config = args.bridge_config(seed);
    let address = args
        .address
        .filter(|_| !args.dhcp)
        .map_or_else(|| "DHCP".to_owned(), |a| a.to_string());
    eprintln!(
        "seqs-tap on {}: {address} mac {} seed {}",
        args.tap, config.mac, seed
    );
    let report = match Bridge::new(device, config).and_then(Bridge::run) {
        Ok(report) => report,
        Err(e) => return fail(format_args!("bridge failed: {e}")),
    };
    print_report(&report);
    if report.apps.iter().all(Report::is_complete) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn fail(what: std::fmt::Arguments<'_>) -> ExitCode {
    eprintln!("seqs-tap: {what}");
    ExitCode::from(2)
}

fn print_report(report: &BridgeReport) {
    for app in &report.apps {
        println!("{app}");
    }
    let b = &report.bridge;
    let s = &report.stack;
    println!(
        "bridge: {:.3} s, stopped {:?}, seed {}, {} frames read ({} lost), {} written ({} lost, {} write errors)",
        report.elapsed.as_secs_f64(),
        report.stopped,
        report.seed,
        b.frames_read,
        b.ingress_lost,
        b.frames_written,
        b.egress_lost,
        b.write_errors
    );
    println!(
        "stack: {} frames in, {} out, arp {}/{}, icmp {}/{}, udp {}/{}, tcp {}/{}",
        s.frames_in,
        s.frames_out,
        s.arp_in,
        s.arp_out,
        s.icmp_in,
        s.icmp_out,
        s.udp_in,
        s.udp_out,
        s.tcp_in,
        s.tcp_out
    );
    for (reason, n) in s.nonzero_drops() {
        println!("  dropped {reason}: {n}");
    }
}

fn parse_cidr(s: &str) -> Result<Ipv4Cidr, String> {
    let (addr, len) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?}: expected ADDR/LEN, e.g. 192.0.2.2/24"))?;
    let addr: Ipv4Addr = addr.parse().map_err(|e| format!("{addr:?}: {e}"))?;
    let len: u8 = len.parse().map_err(|e| format!("{len:?}: {e}"))?;
    Ipv4Cidr::new(addr, len).ok_or_else(|| format!("prefix length {len} is over 32"))
}

fn parse_range(s: &str) -> Result<(Ipv4Addr, Ipv4Addr), String> {
    let (first, last) = s
        .split_once('-')
        .ok_or_else(|| format!("{s:?}: expected FIRST-LAST, e.g. 192.0.2.100-192.0.2.150"))?;
    let parse = |a: &str| {
        a.trim()
            .parse::<Ipv4Addr>()
            .map_err(|e| format!("{a:?}: {e}"))
    };
    let (first, last) = (parse(first)?, parse(last)?);
    if first > last {
        return Err(format!("{s:?}: the first address is after the last"));
    }
    Ok((first, last))
}

/// `ADDR:PORT`, or a bare `ADDR` for NTP's port 123.
fn parse_socket(s: &str) -> Result<SocketAddrV4, String> {
    const NTP_PORT: u16 = 123;
    s.parse::<SocketAddrV4>().or_else(|_| {
        s.parse::<Ipv4Addr>()
            .map(|a| SocketAddrV4::new(a, NTP_PORT))
            .map_err(|e| format!("{s:?}: {e}"))
    })
}

/// `http://ADDR[:PORT][/PATH]`: port 80 and path `/` by default.
fn parse_url(s: &str) -> Result<(SocketAddrV4, String), String> {
    let rest = s
        .strip_prefix("http://")
        .ok_or_else(|| format!("{s:?}: expected http://ADDR[:PORT]/PATH"))?;
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
    let to = authority.parse::<SocketAddrV4>().or_else(|_| {
        authority
            .parse::<Ipv4Addr>()
            .map(|a| SocketAddrV4::new(a, 80))
            .map_err(|e| format!("{authority:?}: {e} (an IPv4 address, no names)"))
    })?;
    Ok((to, path.to_owned()))
}

fn parse_mac(s: &str) -> Result<EthernetAddress, String> {
    let mut mac = [0u8; 6];
    let mut parts = s.split(':');
    for byte in &mut mac {
        let part = parts
            .next()
            .ok_or_else(|| format!("{s:?}: too few octets"))?;
        *byte = u8::from_str_radix(part, 16).map_err(|e| format!("{part:?}: {e}"))?;
    }
    match parts.next() {
        Some(_) => Err(format!("{s:?}: too many octets")),
        None => Ok(EthernetAddress(mac)),
    }
}

/// `250ms`, `30s`, `2m`, `1h`, `1500us`, or bare seconds (`1.5`).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{s:?}: expected a duration such as 250ms or 30s"))?;
    let scale = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 1e-3,
        "us" => 1e-6,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        other => return Err(format!("{s:?}: unknown unit {other:?} (us, ms, s, m, h)")),
    };
    std::time::Duration::try_from_secs_f64(value * scale).map_err(|e| format!("{s:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        tap: TapArgs,
    }

    #[test]
    fn parses_a_full_command_line() {
        let cli = Cli::try_parse_from([
            "tap",
            "--tap",
            "t0",
            "--address",
            "192.0.2.2/24",
            "--gateway",
            "192.0.2.1",
            "--mac",
            "02:00:00:00:00:09",
            "--seed",
            "7",
            "--loss",
            "5%",
            "--egress-loss",
            "0.5",
            "--duration",
            "1.5s",
            "--ping",
            "192.0.2.1",
            "--ping-count",
            "3",
            "--udp-echo",
            "7",
            "--udp-send",
            "192.0.2.1:9000",
        ])
        .unwrap();
        let config = cli.tap.bridge_config(7);
        assert_eq!(config.mac, EthernetAddress([2, 0, 0, 0, 0, 9]));
        assert_eq!(config.ingress_loss, LossRate::new(0.05).unwrap());
        assert_eq!(config.egress_loss, LossRate::new(0.5).unwrap());
        assert_eq!(config.run_for, Some(std::time::Duration::from_millis(1500)));
        assert_eq!(config.apps.len(), 3);
        assert!(matches!(&config.apps[0], AppSpec::Ping(p) if p.count == 3));
        assert_eq!(config.apps[1], AppSpec::UdpEcho(UdpEchoSpec { port: 7 }));
    }

    #[test]
    fn parses_dhcp_and_service_apps() {
        let cli = Cli::try_parse_from([
            "tap",
            "--dhcp",
            "--tcp-echo",
            "7",
            "--tcp-send",
            "192.0.2.1:5001",
            "--tcp-bytes",
            "1000",
            "--dns",
            "www.example.test",
            "--ntp",
            "192.0.2.1",
        ])
        .unwrap();
        let config = cli.tap.bridge_config(1);
        assert_eq!(config.addressing, Addressing::Dhcp);
        assert_eq!(config.apps[0], AppSpec::TcpEcho(TcpEchoSpec { port: 7 }));
        assert!(matches!(&config.apps[1], AppSpec::TcpSource(s) if s.bytes == 1000));
        assert!(matches!(&config.apps[2], AppSpec::DnsLookup(d) if d.server.is_none()));
        assert!(matches!(&config.apps[3], AppSpec::NtpQuery(n) if n.server.port() == 123));
        assert!(
            Cli::try_parse_from(["tap"]).is_err(),
            "an address is required"
        );
        assert!(
            Cli::try_parse_from(["tap", "--dhcp", "--address", "192.0.2.2/24"]).is_err(),
            "--dhcp excludes --address"
        );
        let server = Cli::try_parse_from([
            "tap",
            "--address",
            "192.0.2.1/24",
            "--dhcp-server",
            "192.0.2.100-192.0.2.150",
        ])
        .unwrap();
        assert!(matches!(
            &server.tap.bridge_config(1).apps[0],
            AppSpec::DhcpServer(d) if d.last == Ipv4Addr::new(192, 0, 2, 150)
        ));
        assert!(parse_range("192.0.2.9-192.0.2.1").is_err());
        assert_eq!(
            parse_url("http://192.0.2.1:8000/data.bin"),
            Ok((
                SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 1), 8000),
                "/data.bin".into()
            ))
        );
        assert_eq!(
            parse_url("http://192.0.2.1"),
            Ok((
                SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 1), 80),
                "/".into()
            ))
        );
        assert!(parse_url("ftp://192.0.2.1/").is_err());
        assert!(parse_url("http://example.test/").is_err());
    }

    #[test]
    fn rejects_bad_values() {
        assert!(parse_cidr("192.0.2.2").is_err());
        assert!(parse_cidr("192.0.2.2/33").is_err());
        assert!(parse_mac("02:00:00:00:00").is_err());
        assert!(parse_mac("02:00:00:00:00:00:00").is_err());
        assert!(parse_mac("zz:00:00:00:00:00").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("-1s").is_err());
        assert_eq!(
            parse_duration("250ms"),
            Ok(std::time::Duration::from_millis(250))
        );
        assert_eq!(
            parse_duration("2m"),
            Ok(std::time::Duration::from_secs(120))
        );
    }
}
