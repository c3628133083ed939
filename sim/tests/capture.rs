//! pcapng output: one interface per host, nanosecond timestamps equal to
//! virtual time, both directions recorded; checked with pcap-file's reader
//! and, when installed, with tshark.

mod common;

use std::process::Command;

use common::{echo, mac, simulation, stream};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketOption;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::DataLink;
use seqs_sim::{
    DirectionConfig, LinkConfig, SharedBuffer, SimDuration, SimTime, SwitchConfig, TopologyBuilder,
};

const FRAMES: u32 = 20;

/// h1 sends 20 frames to h2 (1.5 ms away through s1), which echoes them.
fn capture() -> Vec<u8> {
    let mut t = TopologyBuilder::new();
    t.host("h1", mac(1))
        .host("h2", mac(2))
        .switch("s1", SwitchConfig::default());
    let slow = LinkConfig::symmetric(DirectionConfig {
        latency: SimDuration::from_micros(1500),
        ..Default::default()
    });
    t.link("l1", "h1", "s1", LinkConfig::default())
        .link("l2", "h2", "s1", slow);
    let roles = [
        (
            "h1",
            stream(mac(2), FRAMES, SimDuration::from_millis(1), 100),
        ),
        ("h2", echo()),
    ];
    let (mut sim, _) = simulation(&t.build().expect("valid"), 1, &roles);
    let pcap = SharedBuffer::new();
    sim.capture_to(Box::new(pcap.clone())).expect("in memory");
    assert!(sim.run_until_idle(SimTime::from_secs(1)));
    sim.finish().expect("in memory");
    pcap.contents()
}

struct Packet {
    interface: u32,
    nanos: u128,
    inbound: bool,
}

#[test]
fn interfaces_timestamps_and_directions() {
    let bytes = capture();
    let mut reader = PcapNgReader::new(&bytes[..]).expect("valid pcapng");
    let mut packets = Vec::new();
    while let Some(block) = reader.next_block() {
        if let Block::EnhancedPacket(p) = block.expect("valid block") {
            let inbound = p
                .options
                .iter()
                .any(|o| matches!(o, EnhancedPacketOption::Flags(1)));
            packets.push(Packet {
                interface: p.interface_id,
                nanos: p.timestamp.as_nanos(),
                inbound,
            });
        }
    }
    let interfaces = reader.interfaces();
    assert_eq!(interfaces.len(), 2);
    for (interface, name) in interfaces.iter().zip(["h1", "h2"]) {
        assert_eq!(interface.linktype, DataLink::ETHERNET);
        assert!(interface
            .options
            .contains(&InterfaceDescriptionOption::IfName(name.into())));
        assert!(interface
            .options
            .contains(&InterfaceDescriptionOption::IfTsResol(9)));
    }
    assert_eq!(
        packets.len(),
        4 * FRAMES as usize,
        "tx and rx at both hosts"
    );
    assert!(packets.windows(2).all(|w| w[0].nanos <= w[1].nanos));
    let first_rx_h2 = packets
        .iter()
        .find(|p| p.interface == 1 && p.inbound)
        .expect("h2 received");
    assert_eq!(first_rx_h2.nanos, 1_500_000);
    let first_echo_back = packets
        .iter()
        .find(|p| p.interface == 0 && p.inbound)
        .expect("h1 received");
    assert_eq!(first_echo_back.nanos, 3_000_000);
}

#[test]
fn captures_are_byte_identical() {
    assert_eq!(capture(), capture());
}

fn tshark_available() -> bool {
    let found = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("SEQS_REQUIRE_TSHARK").as_deref() != Ok("1"),
            "tshark required but not installed"
        );
        eprintln!(
            "SKIPPED: tshark is not installed (set SEQS_REQUIRE_TSHARK=1 to make this a failure)"
        );
    }
    found
}

#[test]
fn tshark_reads_the_capture() {
    if !tshark_available() {
        return;
    }
    let path = std::env::temp_dir().join(format!("seqs-sim-capture-{}.pcapng", std::process::id()));
    std::fs::write(&path, capture()).expect("temp file");
    let fields = [
        "frame.interface_name",
        "frame.time_epoch",
        "frame.len",
        "frame.packet_flags_direction",
    ];
    let mut cmd = Command::new("tshark");
    cmd.arg("-n")
        .arg("-r")
        .arg(&path)
        .args(["-T", "fields", "-E", "separator=,"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark runs");
    std::fs::remove_file(&path).expect("temp file removed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let complaints: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("Running as user"))
        .collect();
    assert!(
        out.status.success() && complaints.is_empty(),
        "tshark failed: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = stdout.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4 * FRAMES as usize);
    assert!(rows
        .iter()
        .all(|r| r[2] == "100" && (r[0] == "h1" || r[0] == "h2")));
    let first_h2 = rows.iter().find(|r| r[0] == "h2").expect("h2 rows");
    assert_eq!(
        first_h2[1], "0.001500000",
        "nanosecond timestamp = virtual time"
    );
    assert_eq!(first_h2[3], "0x00000001", "inbound");
    assert_eq!(rows[0][3], "0x00000002", "outbound");
}
