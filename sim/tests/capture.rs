//! pcapng output: one interface per host, nanosecond timestamps equal to
//! virtual time, both directions recorded, injected corruption flagged as
//! FCS errors; checked with pcap-file's reader and, when installed, tshark.

mod common;

use std::process::Command;

use common::{echo, mac, simulation, stream};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketOption;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::DataLink;
use seqs_sim::{
    DirectionConfig, LinkConfig, Probability, SharedBuffer, SimDuration, SimTime, SwitchConfig,
    TopologyBuilder,
};

const FRAMES: u32 = 20;

/// h1 sends 20 frames to h2 (1.5 ms away through s1), which echoes them.
fn capture() -> Vec<u8> {
    capture_with(Probability::ZERO)
}

/// The same, with `corrupt` applied on the way from s1 to h2.
fn capture_with(corrupt: Probability) -> Vec<u8> {
    let mut t = TopologyBuilder::new();
    t.host("h1", mac(1))
        .host("h2", mac(2))
        .switch("s1", SwitchConfig::default());
    let latency = SimDuration::from_micros(1500);
    let slow = DirectionConfig {
        latency,
        ..Default::default()
    };
    let damaging = DirectionConfig {
        corrupt,
        ..slow.clone()
    };
    let l2 = LinkConfig {
        a_to_b: slow,
        b_to_a: damaging,
    };
    t.link("l1", "h1", "s1", LinkConfig::default())
        .link("l2", "h2", "s1", l2);
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
    flags: u32,
}

impl Packet {
    fn inbound(&self) -> bool {
        self.flags & 0b11 == 1
    }
    fn fcs_error(&self) -> bool {
        self.flags & (1 << 24) != 0
    }
}

fn packets(reader: &mut PcapNgReader<&[u8]>) -> Vec<Packet> {
    let mut packets = Vec::new();
    while let Some(block) = reader.next_block() {
        if let Block::EnhancedPacket(p) = block.expect("valid block") {
            let flags = p.options.iter().find_map(|o| match o {
                EnhancedPacketOption::Flags(f) => Some(*f),
                _ => None,
            });
            let flags = flags.expect("every packet has flags");
            packets.push(Packet {
                interface: p.interface_id,
                nanos: p.timestamp.as_nanos(),
                flags,
            });
        }
    }
    packets
}

#[test]
fn interfaces_timestamps_and_directions() {
    let bytes = capture();
    let mut reader = PcapNgReader::new(&bytes[..]).expect("valid pcapng");
    let packets = packets(&mut reader);
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
    assert!(packets.iter().all(|p| !p.fcs_error()));
    let first_rx_h2 = packets
        .iter()
        .find(|p| p.interface == 1 && p.inbound())
        .expect("h2 received");
    assert_eq!(first_rx_h2.nanos, 1_500_000);
    let first_echo_back = packets
        .iter()
        .find(|p| p.interface == 0 && p.inbound())
        .expect("h1 received");
    assert_eq!(first_echo_back.nanos, 3_000_000);
}

#[test]
fn corrupted_frames_are_flagged_as_fcs_errors() {
    let bytes = capture_with(Probability::ONE);
    let packets = packets(&mut PcapNgReader::new(&bytes[..]).expect("valid pcapng"));
    let (damaged, intact): (Vec<&Packet>, Vec<&Packet>) =
        packets.iter().partition(|p| p.fcs_error());
    assert_eq!(damaged.len(), FRAMES as usize);
    assert!(
        damaged.iter().all(|p| p.interface == 1 && p.inbound()),
        "damaged on the way to h2"
    );
    assert!(intact.iter().all(|p| !(p.interface == 1 && p.inbound())));
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
    std::fs::write(&path, capture_with(Probability::new(0.5).expect("valid"))).expect("temp file");
    let fields = [
        "frame.interface_name",
        "frame.time_epoch",
        "frame.len",
        "frame.packet_flags_direction",
        "frame.packet_flags_crc_error",
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
    let flagged: Vec<_> = rows.iter().filter(|r| r[4] == "1").collect();
    assert!(!flagged.is_empty());
    assert!(
        flagged.iter().all(|r| r[0] == "h2" && r[3] == "0x00000001"),
        "only frames damaged on the way in"
    );
    let echoed = FRAMES as usize - flagged.len();
    assert_eq!(
        rows.len(),
        2 * FRAMES as usize + 2 * echoed,
        "h2 echoes only intact frames"
    );
}
