//! DHCP, DNS and NTP against the programs our users meet: dnsmasq (as
//! DHCP server and as DNS server), busybox udhcpc, chronyd. Each runs
//! inside the case's namespace with its own files in the artefact
//! directory; none touches the host (no host leases, no clock changes).

use std::net::{IpAddr, Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use seqs::time::Duration as StackDuration;
use seqs_tap::apps::{AppSpec, DhcpServerSpec, DnsLookupSpec, NtpQuerySpec, Report};
use seqs_tap::Addressing;

use crate::netns::{describe, Lab, LINUX, OURS};
use crate::{only_report, OUR_MAC};

const POOL_FIRST: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 100);
const POOL_LAST: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 150);
const WEB: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 80);
/// dnsmasq grants at least two minutes whatever the range says; T1 and T2
/// are set explicitly so that renewal happens within the case.
const RENEW_AFTER_SECS: u64 = 3;

fn file(lab: &Lab, name: &str) -> String {
    lab.path(name).to_string_lossy().into_owned()
}

/// Our DHCP client gets a lease from dnsmasq, configures the interface
/// (Linux then reaches us on it), and renews at T1.
#[test]
fn our_dhcp_client_gets_and_renews_a_lease_from_dnsmasq() {
    let Some(mut lab) = Lab::new("dhcp_from_dnsmasq", &["dnsmasq"]) else {
        return;
    };
    let interface = format!("--interface={}", lab.interface());
    let leases = format!("--dhcp-leasefile={}", file(&lab, "dnsmasq.leases"));
    let pid = format!("--pid-file={}", file(&lab, "dnsmasq.pid"));
    let t1 = format!("--dhcp-option=option:T1,{RENEW_AFTER_SECS}");
    let t2 = format!("--dhcp-option=option:T2,{}", RENEW_AFTER_SECS * 3);
    lab.spawn(
        "dnsmasq",
        &[
            "dnsmasq",
            "--no-daemon",
            "--conf-file=/dev/null",
            "--port=0",
            "--bind-interfaces",
            &interface,
            "--dhcp-range=192.0.2.100,192.0.2.150,60",
            "--dhcp-option=option:router,192.0.2.1",
            "--dhcp-option=option:dns-server,192.0.2.1",
            &t1,
            &t2,
            &leases,
            &pid,
            "--user=root",
            "--log-dhcp",
        ],
    );
    lab.wait_udp_listener(67);
    lab.start_bridge(|config| config.addressing = Addressing::Dhcp);
    let timeout = Duration::from_secs(RENEW_AFTER_SECS * 4 + 10);
    let reports = lab.wait_reports(
        "bound, then renewed",
        timeout,
        |r| matches!(r, [Report::DhcpClient(c)] if c.renewals >= 1),
    );
    let Report::DhcpClient(client) = only_report(&reports) else {
        panic!("{reports:#?}");
    };
    let address = client.address.expect("an address while renewed");
    assert!(
        (POOL_FIRST..=POOL_LAST).contains(&address.address()) && address.prefix_len() == 24,
        "{client}"
    );
    assert_eq!(client.bound, 1, "renewal keeps the address: {client}");
    // The interface took the lease: Linux reaches us at the new address.
    let ours = address.address().to_string();
    let out = lab.exec(
        &["ping", "-n", "-c", "2", "-i", "0.2", "-W", "2", &ours],
        &[],
        Duration::from_secs(10),
    );
    assert!(out.status.success(), "{}", describe(&out));
    let config = lab.net().with_stack(|s| *s.ipv4_config());
    assert_eq!(config.gateway, Some(LINUX));
    assert_eq!(config.dns_servers.as_slice(), [LINUX]);
    let held = std::fs::read_to_string(lab.path("dnsmasq.leases")).unwrap_or_default();
    assert!(
        held.contains(OUR_MAC) && held.contains(&ours),
        "dnsmasq's lease file: {held}\n{}",
        lab.log("dnsmasq")
    );
    let log = lab.log("dnsmasq");
    assert!(log.matches("DHCPACK").count() >= 2, "ACKed twice: {log}");
    lab.finish();
}

/// busybox udhcpc gets a lease from our DHCP server. Its script only logs
/// what it was given: udhcpc never configures an interface.
#[test]
fn busybox_udhcpc_gets_a_lease_from_our_server() {
    let Some(mut lab) = Lab::new("udhcpc_from_us", &["busybox"]) else {
        return;
    };
    let log = file(&lab, "udhcpc-events.log");
    let script = lab.path("udhcpc-script.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1 ip=$ip subnet=$subnet router=$router serverid=$serverid lease=$lease\" >> {log}\n"),
    )
    .expect("write the udhcpc script");
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("make the script executable");
    lab.start_bridge(|config| {
        let mut pool = DhcpServerSpec::new(POOL_FIRST, POOL_LAST);
        pool.router = Some(OURS);
        pool.lease = StackDuration::from_secs(600);
        config.apps.push(AppSpec::DhcpServer(pool));
    });
    let interface = lab.interface().to_owned();
    let script = script.to_string_lossy().into_owned();
    let out = lab.exec(
        &[
            "busybox", "udhcpc", "-f", "-q", "-n", "-t", "5", "-T", "1", "-i", &interface, "-s",
            &script,
        ],
        &[],
        Duration::from_secs(20),
    );
    assert!(out.status.success(), "{}", describe(&out));
    let events = std::fs::read_to_string(&log).unwrap_or_default();
    let bound = events
        .lines()
        .find(|l| l.starts_with("bound "))
        .unwrap_or_else(|| panic!("no bound event: {events}\n{}", describe(&out)));
    assert!(
        bound.contains("ip=192.0.2.100 ")
            && bound.contains("subnet=255.255.255.0")
            && bound.contains("router=192.0.2.2")
            && bound.contains("serverid=192.0.2.2")
            && bound.contains("lease=600"),
        "{bound}"
    );
    let report = lab.finish();
    let [Report::DhcpServer(server)] = &report.apps[..] else {
        panic!("{report:#?}");
    };
    assert_eq!(server.leases.len(), 1, "{server}");
    assert_eq!(server.leases[0].1, POOL_FIRST, "{server}");
}

/// Our resolver asks dnsmasq for an A record and for a name that is a
/// CNAME of it.
#[test]
fn our_dns_client_resolves_a_and_cname_from_dnsmasq() {
    let Some(mut lab) = Lab::new("dns_from_dnsmasq", &["dnsmasq"]) else {
        return;
    };
    let pid = format!("--pid-file={}", file(&lab, "dnsmasq.pid"));
    let listen = format!("--listen-address={LINUX}");
    lab.spawn(
        "dnsmasq",
        &[
            "dnsmasq",
            "--no-daemon",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--bind-interfaces",
            &listen,
            "--address=/web.example.test/192.0.2.80",
            "--cname=www.example.test,web.example.test",
            &pid,
            "--user=root",
            "--log-queries",
        ],
    );
    lab.wait_udp_listener(53);
    let lookup = |name: &str| {
        AppSpec::DnsLookup(DnsLookupSpec {
            name: name.into(),
            server: Some(LINUX),
        })
    };
    lab.start_bridge(|config| {
        config.apps.push(lookup("web.example.test"));
        config.apps.push(lookup("www.example.test"));
        config.apps.push(lookup("nothing.example.test"));
    });
    lab.wait_for_clients(Duration::from_secs(15));
    let report = lab.finish();
    let results: Vec<_> = report
        .apps
        .iter()
        .map(|r| match r {
            Report::DnsLookup(d) => d.result.clone(),
            other => panic!("{other}"),
        })
        .collect();
    let web = Some(Ok(vec![IpAddr::V4(WEB)]));
    assert_eq!(results[0], web, "A: {report:#?}");
    assert_eq!(results[1], web, "CNAME followed: {report:#?}");
    assert!(
        matches!(results[2], Some(Err(_))),
        "a name dnsmasq does not know fails: {report:#?}"
    );
}

/// Our SNTP client against chronyd serving its local clock at stratum 8.
/// `-x`: chronyd never adjusts the host clock.
#[test]
fn our_ntp_client_against_chronyd() {
    let Some(mut lab) = Lab::new("ntp_from_chronyd", &["chronyd"]) else {
        return;
    };
    let conf = lab.path("chrony.conf");
    std::fs::write(
        &conf,
        format!(
            "local stratum 8\nallow 192.0.2.0/24\nbindaddress {LINUX}\ncmdport 0\n\
             pidfile {}\ndriftfile {}\n",
            file(&lab, "chronyd.pid"),
            file(&lab, "chrony.drift")
        ),
    )
    .expect("write chrony.conf");
    let conf = conf.to_string_lossy().into_owned();
    lab.spawn(
        "chronyd",
        &["chronyd", "-x", "-d", "-u", "root", "-f", &conf],
    );
    lab.wait_udp_listener(123);
    lab.start_bridge(|config| {
        config
            .apps
            .push(AppSpec::NtpQuery(NtpQuerySpec::new(SocketAddrV4::new(
                LINUX, 123,
            ))));
    });
    lab.wait_for_clients(Duration::from_secs(20));
    let report = lab.finish();
    let Report::NtpQuery(ntp) = only_report(&report.apps) else {
        panic!("{report:#?}");
    };
    let sync = match &ntp.result {
        Some(Ok(sync)) => *sync,
        _ => panic!("{ntp}"),
    };
    assert_eq!(sync.stratum, 8, "chronyd's local stratum: {ntp}");
    // Same host clock on both ends: only scheduling separates them.
    assert!(sync.offset_micros.abs() < 50_000, "{ntp}");
    assert!(sync.delay < StackDuration::from_millis(100), "{ntp}");
    println!("{ntp}");
}
