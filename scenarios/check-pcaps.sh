#!/usr/bin/env bash
# Every capture the catalogue produces must open in tshark with zero
# malformed packets and zero bad IPv4/ICMP/UDP/TCP checksums. Frames a link
# corrupted on purpose carry the pcapng FCS-error flag and are excluded
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
bad='frame.packet_flags_crc_error == 0 && (_ws.malformed || ip.checksum.status == 0 || icmp.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0)'

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
    problems=$(tshark -r "$pcap" "${checks[@]}" -Y "$bad" 2>/dev/null)
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
