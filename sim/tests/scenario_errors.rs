//! Scenario errors name the exact place (file:line:column) and what was
//! expected: syntax and type errors from the TOML layer, bad units, and
//! semantic checks (dangling names, duplicates, impossible values).

use seqs_sim::scenario::Scenario;

/// A valid scenario to break: two hosts on a switch.
const BASE: &str = r#"name = "t"
duration = "5s"

[[switch]]
name = "sw"

[[host]]
name = "a"
attach = "sw"
address = { static = "192.0.2.1/24" }

[[host]]
name = "b"
attach = "sw"
address = "dhcp"
"#;

/// The first diagnostic for `text`, as `line:column: message`.
fn error(text: &str) -> String {
    let e = Scenario::parse("t.toml", text).expect_err("invalid scenario");
    let d = e.first();
    assert_eq!(d.file, "t.toml");
    format!("{}:{}: {}", d.line, d.column, d.message)
}

/// Every diagnostic for `text`.
fn errors(text: &str) -> Vec<String> {
    let e = Scenario::parse("t.toml", text).expect_err("invalid scenario");
    e.diagnostics
        .iter()
        .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
        .collect()
}

fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

#[test]
fn base_is_valid() {
    let s = Scenario::parse("t.toml", BASE).expect("valid");
    assert_eq!(s.hosts.len(), 2);
    assert_eq!(s.topology.links().count(), 2);
}

#[test]
fn wrong_type() {
    let text = BASE.replace("duration = \"5s\"", "duration = 5");
    assert_eq!(
        error(&text),
        "2:12: invalid type: integer `5`, expected a duration such as \"250us\", \"5ms\" or \"2s\""
    );
    let text = with("[[link]]\nname = \"l\"\na = \"a\"\nb = 7\n");
    assert_eq!(
        error(&text),
        "19:5: invalid type: integer `7`, expected a string"
    );
}

#[test]
fn unknown_key() {
    let text = BASE.replace("name = \"b\"", "name = \"b\"\ncolour = \"red\"");
    let message = error(&text);
    assert!(
        message.starts_with("14:1: unknown field `colour`, expected one of `name`, `count`"),
        "{message}"
    );
    let text =
        with("[[host.app]]\nname = \"p\"\nping = { target = \"192.0.2.1\", every = \"1s\" }\n");
    assert_eq!(
        error(&text),
        "18:32: unknown field `every`, expected one of `target`, `count`, `interval`, `size`"
    );
}

#[test]
fn bad_units() {
    let text = BASE.replace("duration = \"5s\"", "duration = \"5 s\"");
    assert_eq!(
        error(&text),
        "2:12: invalid duration \"5 s\": unknown unit \" s\", expected one of `ns`, `us`, `µs`, `ms`, `s`, `min`, `h`"
    );
    let text = BASE.replace(
        "attach = \"sw\"\naddress = \"dhcp\"",
        "attach = \"sw\"\naddress = \"dhcp\"\nuplink = { bandwidth = \"0Mbps\" }",
    );
    assert_eq!(
        error(&text),
        "16:24: invalid bandwidth \"0Mbps\": must be positive (leave `bandwidth` out for an unlimited link)"
    );
    let text = BASE.replace(
        "attach = \"sw\"\naddress = \"dhcp\"",
        "attach = \"sw\"\naddress = \"dhcp\"\nuplink = { loss = \"150%\" }",
    );
    assert_eq!(
        error(&text),
        "16:19: invalid percentage \"150%\": must be between 0% and 100%"
    );
    let text = BASE.replace(
        "attach = \"sw\"\naddress = \"dhcp\"",
        "attach = \"sw\"\naddress = \"dhcp\"\nuplink = { mtu = 20 }",
    );
    assert_eq!(
        error(&text),
        "16:18: MTU of 20 bytes is impossible: expected 68 to 65000"
    );
    let text = BASE.replace(
        "address = \"dhcp\"",
        "address = \"dhcp\"\ncapacities = { sockets = 0, tcp_rx = \"1GiB\" }",
    );
    assert_eq!(
        errors(&text),
        [
            "16:14: tcp_rx of 1073741824 bytes is impossible: expected 1B to 64MiB",
            "16:14: sockets = 0 is impossible: expected 1 to 4096",
        ]
    );
    let text = with("[[fault]]\nat = \"2 seconds\"\nheal = true\n");
    assert!(error(&text).starts_with("17:6: invalid duration \"2 seconds\""));
}

#[test]
fn dangling_references() {
    let text = with("[[link]]\nname = \"l\"\na = \"a\"\nb = \"nowhere\"\n");
    assert_eq!(error(&text), "19:5: unknown host or switch \"nowhere\"");
    let text = BASE.replacen("attach = \"sw\"", "attach = \"sw9\"", 1);
    assert_eq!(
        error(&text),
        "9:10: unknown switch or host to attach to \"sw9\""
    );
    let text = with("[[fault]]\nat = \"1s\"\nlink_down = \"wan\"\n");
    assert_eq!(error(&text), "18:13: unknown link \"wan\"");
    let text = with("[[fault]]\nat = \"1s\"\ncrash = \"sw\"\n");
    assert_eq!(error(&text), "18:9: \"sw\" is a switch, expected host");
    let text = with("[[expect]]\napp = \"c/ping\"\n");
    assert_eq!(error(&text), "17:7: unknown host or host group \"c\"");
    let text = with("[trace]\nelements = [\"zz\"]\n");
    assert_eq!(
        error(&text),
        "17:13: unknown element \"zz\" in the trace filter"
    );
}

#[test]
fn duplicates() {
    let text = with("[[host]]\nname = \"a\"\nattach = \"sw\"\n");
    assert_eq!(error(&text), "17:8: \"a\" is already defined (as a host)");
    let text = BASE
        .replacen(
            "name = \"a\"",
            "name = \"a\"\nmac = \"02:00:00:00:00:09\"",
            1,
        )
        .replacen(
            "name = \"b\"",
            "name = \"b\"\nmac = \"02:00:00:00:00:09\"",
            1,
        );
    assert_eq!(
        error(&text),
        "15:7: host \"b\" would get MAC 02:00:00:00:00:09, already used by \"a\""
    );
    let text = BASE.replace(
        "address = \"dhcp\"",
        "address = { static = \"192.0.2.1/24\" }",
    );
    assert_eq!(
        error(&text),
        "15:11: address 192.0.2.1 of host \"b\" is already used by \"a\""
    );
    let text = with("[[host]]\nname = \"c\"\ncount = 3\nattach = \"sw\"\naddress = { static = \"192.0.2.254/24\" }\n");
    assert_eq!(
        error(&text),
        "20:11: host \"c2\" would get 192.0.2.255, the broadcast address of 192.0.2.254/24"
    );
}

#[test]
fn semantic_errors() {
    let text = with("[[host]]\nname = \"c\"\nattach = \"sw\"\n\n[[host.app]]\nname = \"p\"\nping = { target = \"192.0.2.1\" }\n");
    assert_eq!(
        error(&text),
        "20:1: host \"c\" has apps but no address: add `address = \"dhcp\"` or `address = { static = \"192.0.2.10/24\" }`"
    );
    let text = with("[[fault]]\nat = \"9s\"\nheal = true\n");
    assert_eq!(
        error(&text),
        "16:1: fault at 9s is after the end of the run (5s)"
    );
    let text = with("[[fault]]\nat = \"1s\"\nheal = true\ncrash = \"a\"\n");
    assert!(error(&text).starts_with("16:1: expected exactly one action in a fault"));
    let text = with("[[expect]]\nlink = \"a-sw\"\nmetric = \"dropped\"\nvalue = \"about 3\"\n");
    assert!(error(&text).starts_with("19:9: invalid comparison \"about 3\""));
    let text = with("[[host]]\nname = \"lonely\"\n");
    assert_eq!(
        error(&text),
        "17:8: host \"lonely\" has 0 links; a host has exactly one (give it `attach = \"<switch>\"` or a [[link]])"
    );
    let text =
        with("[[host.app]]\nname = \"d\"\ndhcp_server = { ranges = [\"192.0.2.9-192.0.2.1\"] }\n");
    let all = errors(&text);
    assert_eq!(
        all,
        [
            "17:8: a DHCP server needs a static address on its host",
            "18:27: invalid range \"192.0.2.9-192.0.2.1\": expected \"first-last\" such as \"192.0.2.100-192.0.2.199\" with first <= last",
        ]
    );
}

#[test]
fn firmware_hosts_configure_themselves() {
    let text = BASE.replace(
        "address = \"dhcp\"",
        "address = \"dhcp\"\nfirmware = { hostname = \"pico\" }",
    );
    assert_eq!(
        error(&text),
        "16:12: a firmware host configures itself (by DHCP, with its own sizes and apps): remove `address`"
    );
    let text = BASE.replace(
        "address = \"dhcp\"",
        "firmware = { lookup = \"time.example.test\" }",
    );
    Scenario::parse("t.toml", &text).expect("a firmware host needs nothing else");
}

#[test]
fn several_errors_are_reported_in_file_order() {
    let text = with(
        "[[fault]]\nat = \"1s\"\nlink_down = \"x\"\n\n[[fault]]\nat = \"2s\"\nrestart = \"y\"\n",
    );
    assert_eq!(
        errors(&text),
        ["18:13: unknown link \"x\"", "22:11: unknown host \"y\""]
    );
}

#[test]
fn groups_expand_with_addresses_and_macs() {
    let text = with("[[host]]\nname = \"c\"\ncount = 3\nattach = \"sw\"\nmac = \"02:aa:00:00:00:fe\"\naddress = { static = \"192.0.2.10/24\" }\n");
    let s = Scenario::parse("t.toml", &text).expect("valid");
    let macs: Vec<String> = s.topology.hosts().map(|h| h.mac.to_string()).collect();
    assert_eq!(
        macs[2..],
        [
            "02:aa:00:00:00:fe",
            "02:aa:00:00:00:ff",
            "02:aa:00:00:01:00"
        ]
    );
    let links: Vec<&str> = s.topology.links().map(|l| l.name.as_str()).collect();
    assert_eq!(links, ["a-sw", "b-sw", "c1-sw", "c2-sw", "c3-sw"]);
}

#[test]
fn tcp_congestion_is_reno_or_cubic() {
    use seqs::tcp::Congestion;
    use seqs_sim::scenario::HostPlan;
    let text = BASE.replace(
        "address = { static = \"192.0.2.1/24\" }",
        "address = { static = \"192.0.2.1/24\" }\ntcp = { congestion = \"cubic\" }",
    );
    let s = Scenario::parse("t.toml", &text).expect("valid");
    let congestion = |i: usize| match &s.hosts[i].1 {
        HostPlan::Seqs(host) => host.tcp.congestion,
        _ => panic!("a seqs host"),
    };
    assert_eq!(
        (congestion(0), congestion(1)),
        (Congestion::Cubic, Congestion::Reno)
    );
    let text = text.replace("\"cubic\"", "\"vegas\"");
    assert!(
        error(&text).starts_with("11:22: unknown variant `vegas`, expected `reno` or `cubic`"),
        "{}",
        error(&text)
    );
}
