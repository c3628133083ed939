#!/usr/bin/env bash
# Every capture the catalogue produces must open in tshark with zero
# malformed packets and zero bad IPv4/ICMP/UDP/TCP checksums.
#
# A capture records each frame twice: leaving its sender's NIC and reaching
# the receiver's. Dissected together, the two copies of one TCP stream look
# like overlapping retransmissions to Wireshark's reassembly, which then
# flags them as malformed. So malformed packets are looked for among the
# outbound frames only (`-2 -R`: one copy of everything a stack sent, as a
# single tap would see it), and checksums are checked on every frame.
# Even one tap shows a retransmission of a segment whose PDU Wireshark has
# already reassembled as "New fragment overlaps old data (retransmission?)";
# such frames (ones tshark itself marks as retransmitted or out of order)
# are not counted as malformed. Instead, every retransmitted TCP byte is
# checked to equal the byte first sent at that sequence number.
#
# Frames a link corrupted on purpose carry the pcapng FCS-error flag and are
# excluded
# (`frame.packet_flags_crc_error == 1`; note that `!frame.packet_flags_crc_error`
# would exclude every frame, since the field is present, false, on all of
# them): catching those is the stack's job, and the snapshot traces show it
# does.
#
# Usage: scenarios/check-pcaps.sh [scenario.toml ...]   (default: all)
# Needs tshark (Debian/Ubuntu: DEBIAN_FRONTEND=noninteractive apt-get
# install -y tshark, after preseeding wireshark-common/install-setuid false).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v tshark >/dev/null || { echo "check-pcaps: tshark is not installed" >&2; exit 2; }
cargo build --release --quiet -p seqs-sim-cli
bin=target/release/seqs-sim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Checksum validation is off by default in tshark; turn it on everywhere.
checks=(-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE)
bad_checksum='frame.packet_flags_crc_error == 0 && (ip.checksum.status == 0 || icmp.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0)'
outbound='frame.packet_flags_direction == 2'
malformed='_ws.malformed && !(tcp.analysis.retransmission || tcp.analysis.out_of_order)'

# Prints "<frame> <stream> <seq>" for every TCP payload byte that differs
# from the byte first sent at the same sequence number of the same stream.
conflicts() {
    tshark -r "$1" -2 -R "$outbound && tcp.len > 0" -o tcp.relative_sequence_numbers:FALSE \
        -T fields -e frame.number -e tcp.stream -e tcp.srcport -e tcp.seq -e tcp.payload 2>/dev/null |
        python3 -c '
import sys
first = {}
for line in sys.stdin:
    fields = line.split()
    if len(fields) != 5:
        continue
    frame, stream, port, seq = fields[:4]
    for i, byte in enumerate(bytes.fromhex(fields[4].replace(":", ""))):
        key = (stream, port, (int(seq) + i) % 2**32)
        if first.setdefault(key, byte) != byte:
            print(frame, "stream", stream, "seq", key[2], "retransmitted with different data")
            break
'
}

# Scenarios with more hosts than this are captured at a reduced `count`:
# the 1,000-host storm's full capture is about 1 GB of the same messages.
max_hosts=100

failed=0
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(scenarios/*.toml)
for file in "${files[@]}"; do
    name=$(basename "$file" .toml)
    scenario="$work/$name.toml"
    cp "$file" "$scenario"
    if awk '/^count = / { if ($3 > m) m = $3 } END { exit !(m > '$max_hosts') }' "$scenario"; then
        sed -i -E -e "s/^count = ([0-9]+)$/count = $max_hosts/" -e '/^elements = /d' "$scenario"
        note=" (host groups cut to $max_hosts)"
    else
        note=""
    fi
    pcap="$work/$name.pcapng"
    status=0
    "$bin" run "$scenario" --pcap "$pcap" >/dev/null || status=$?
    if [ "$status" -eq 2 ]; then
        echo "FAIL $name: seqs-sim could not run it"
        failed=1
        continue
    fi
    total=$(tshark -r "$pcap" 2>/dev/null | wc -l)
    damaged=$(tshark -r "$pcap" -Y 'frame.packet_flags_crc_error == 1' 2>/dev/null | wc -l)
    problems=$(
        tshark -r "$pcap" -2 -R "$outbound" -Y "$malformed" 2>/dev/null
        conflicts "$pcap"
        tshark -r "$pcap" "${checks[@]}" -Y "$bad_checksum" 2>/dev/null
    )
    if [ "$total" -eq 0 ]; then
        echo "FAIL $name: tshark read no packets"
        failed=1
    elif [ -n "$problems" ]; then
        echo "FAIL $name: $(wc -l <<<"$problems") malformed or bad-checksum packets of $total$note:"
        head -20 <<<"$problems"
        failed=1
    else
        echo "ok   $name: $total packets, $damaged corrupted on purpose, none malformed or with a bad checksum$note"
    fi
done
exit "$failed"
