#!/usr/bin/env bash
# Regenerates the golden captures beside this script from real Linux peers.
#
# Two network namespaces (server, client) joined by one veth pair, addressed
# only from 192.0.2.0/24 (RFC 5737). tcpdump runs on the server's end of the
# veth and writes one classic pcap per exchange. Every process started here is
# stopped by pid and both namespaces are deleted on exit, success or not. The
# host clock, /etc/resolv.conf and the host's own interfaces are never touched.
#
# Needs root and: iproute2 ethtool tcpdump tshark dnsmasq-base chrony busybox
# bind9 bind9-dnsutils curl python3 iputils-ping.
#
# Usage: sudo stack/tests/golden/capture.sh [output-dir [capture...]]
# Output defaults to this directory; naming captures (e.g. `dns_bind http`)
# makes only those, leaving the others as they are.
set -euo pipefail

OUT=$(cd "${1:-$(dirname "$0")}" && pwd)
ONLY=("${@:2}")
CAPTURES=(dhcp arp icmp_echo udp_unreachable ipv4_fragments dns_dnsmasq
    dns_bind ntp http tcp_rst)
SRV=seqs-golden-srv-$$
CLI=seqs-golden-cli-$$
SRV_IF=gsrv0
CLI_IF=gcli0
SRV_MAC=02:00:00:00:00:01
CLI_MAC=02:00:00:00:00:02
SRV_IP=192.0.2.1
CLI_IP=192.0.2.2
WORK=$(mktemp -d /tmp/seqs-golden.XXXXXX)
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    ip netns del "$SRV" 2>/dev/null || true
    ip netns del "$CLI" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }
die() {
    printf 'capture.sh: %s\n' "$*" >&2
    tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
    exit 1
}
srv() { ip netns exec "$SRV" "$@"; }
cli() { ip netns exec "$CLI" "$@"; }

# background <name> <command...>: runs the command in the server namespace in
# the background, output in $WORK/<name>.log, and records its pid in PIDS and
# STARTED. `ip netns exec` execs the command: the pid is the program's own.
background() {
    local name=$1
    shift
    ip netns exec "$SRV" "$@" >"$WORK/$name.log" 2>&1 &
    STARTED=$!
    PIDS+=("$STARTED")
}

# serve <name> <command...>: starts the one server of the current exchange.
serve() {
    background "$@"
    SERVER_PID=$STARTED
}

# Stops a process started by `background`, by pid, and waits for it.
stop() {
    local pid=$1 signal=${2:-TERM}
    kill "-$signal" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local kept=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
    PIDS=("${kept[@]}")
}

# Polls a condition for up to ~5 s.
wait_for() {
    local what=$1
    shift
    for _ in $(seq 50); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    die "timed out waiting for $what"
}

listening() { # proto port
    srv ss -Hln"${1:0:1}" "sport = :$2" | grep -q .
}

link_up() { # namespace device mac
    ip netns exec "$1" ip link set "$2" address "$3"
    # veth defaults to checksum offload: the captured frames would carry
    # partial checksums. Software checksums make every frame verify.
    ip netns exec "$1" ethtool -K "$2" tx off rx off >/dev/null
    ip netns exec "$1" ip link set "$2" up
}

setup() {
    log "namespaces $SRV, $CLI"
    ip netns add "$SRV"
    ip netns add "$CLI"
    ip link add "$SRV_IF" netns "$SRV" type veth peer name "$CLI_IF" netns "$CLI"
    local ns
    for ns in "$SRV" "$CLI"; do
        # No IPv6: keeps router solicitations and MLD reports out of captures.
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1
        ip netns exec "$ns" ip link set lo up
    done
    link_up "$SRV" "$SRV_IF" "$SRV_MAC"
    link_up "$CLI" "$CLI_IF" "$CLI_MAC"
    srv ip addr add "$SRV_IP/24" dev "$SRV_IF"
}

# capture <name> <pcap filter> [tcpdump options...]: starts tcpdump writing
# $OUT/<name>.pcap and returns once it is listening.
capture() {
    local name=$1 filter=$2
    shift 2
    background tcpdump tcpdump -i "$SRV_IF" -n -U --immediate-mode -Z root -s 0 "$@" \
        -w "$OUT/$name.pcap" "$filter"
    TCPDUMP_PID=$STARTED
    wait_for "tcpdump ($name)" grep -q 'listening on' "$WORK/tcpdump.log"
    CAPTURE=$name
}

# Lets late frames arrive, then stops tcpdump so it flushes the file.
end_capture() {
    sleep 0.5
    stop "$TCPDUMP_PID"
    rm -f "$WORK/tcpdump.log"
    log "$CAPTURE.pcap: $(tshark -r "$OUT/$CAPTURE.pcap" | wc -l) frames"
}

dhcp() {
    log "DHCP: dnsmasq server, busybox udhcpc client"
    # --no-ping: dnsmasq would probe the address for 3 s before offering it,
    # udhcpc would retransmit DISCOVER meanwhile and the capture get 2 OFFERs.
    serve dnsmasq dnsmasq --keep-in-foreground --conf-file=/dev/null \
        --port=0 --interface="$SRV_IF" --bind-interfaces --log-dhcp --no-ping \
        --dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h \
        --dhcp-option=option:router,"$SRV_IP" \
        --dhcp-option=option:dns-server,"$SRV_IP" \
        --dhcp-option=option:domain-name,example.test \
        --dhcp-leasefile="$WORK/dnsmasq.leases" \
        --pid-file="$WORK/dnsmasq.pid" --log-facility=-
    wait_for "dnsmasq DHCP" listening udp 67
    capture dhcp 'udp port 67 or udp port 68'
    # The default udhcpc script rewrites /etc/resolv.conf: log the lease only.
    cat >"$WORK/udhcpc.script" <<'EOF'
#!/bin/sh
echo "$1 ip=$ip subnet=$subnet router=$router dns=$dns lease=$lease"
EOF
    chmod +x "$WORK/udhcpc.script"
    cli busybox udhcpc -i "$CLI_IF" -f -q -n -t 3 -T 2 -s "$WORK/udhcpc.script" \
        >"$WORK/udhcpc.log" 2>&1 || die "udhcpc got no lease"
    end_capture
    stop "$SERVER_PID"
    cat "$WORK/udhcpc.log" >&2
}

arp() {
    log "ARP: kernel resolution triggered by one ping"
    srv ip neigh flush dev "$SRV_IF"
    cli ip neigh flush dev "$CLI_IF"
    capture arp arp
    cli ping -n -c 1 -W 2 "$SRV_IP" >/dev/null || die "ping for ARP failed"
    end_capture
}

icmp_echo() {
    log "ICMP echo: iputils ping, two echoes"
    capture icmp_echo icmp
    cli ping -n -c 2 -i 0.2 -W 2 "$SRV_IP" >/dev/null || die "ping failed"
    end_capture
}

udp_unreachable() {
    log "ICMP port unreachable: one UDP datagram to closed port 9"
    capture udp_unreachable 'udp or icmp'
    cli python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 40009))
s.sendto(b"seqs golden: nobody listens here\n", (sys.argv[2], 9))
' "$CLI_IP" "$SRV_IP"
    end_capture
}

# The same two dig queries against whichever server listens: a CNAME chain
# ending in two A records (EDNS on), then a missing name (EDNS off).
dns_queries() {
    wait_for "DNS server" listening udp 53
    capture "$1" 'udp port 53'
    cli dig @"$SRV_IP" -b "$CLI_IP#40053" www.example.test A +nocookie +tries=1 \
        >>"$WORK/dig.log" || die "dig www failed"
    cli dig @"$SRV_IP" -b "$CLI_IP#40054" missing.example.test A +noedns +tries=1 \
        >>"$WORK/dig.log" || die "dig missing failed"
    end_capture
}

dns_dnsmasq() {
    log "DNS: dnsmasq answers from --cname and --host-record, queried by dig"
    serve dnsmasq dnsmasq --keep-in-foreground --conf-file=/dev/null \
        --port=53 --listen-address="$SRV_IP" --bind-interfaces \
        --no-resolv --no-hosts --local=/example.test/ --local-ttl=300 \
        --host-record=host.example.test,192.0.2.10 \
        --host-record=host.example.test,192.0.2.11 \
        --cname=www.example.test,web.example.test \
        --cname=web.example.test,host.example.test \
        --pid-file="$WORK/dnsmasq.pid" --log-queries --log-facility=-
    dns_queries dns_dnsmasq
    stop "$SERVER_PID"
}

# dnsmasq never compresses names inside RDATA; BIND does (a label followed by
# a pointer), and its NXDOMAIN carries the zone's SOA in the authority section.
dns_bind() {
    log "DNS: BIND named authoritative for the same names, queried by dig"
    mkdir -p "$WORK/named"
    cat >"$WORK/named/example.test.zone" <<'EOF'
$TTL 300
@    IN SOA ns.example.test. hostmaster.example.test. 1 3600 900 604800 60
@    IN NS    ns
ns   IN A     192.0.2.1
www  IN CNAME web
web  IN CNAME host
host IN A     192.0.2.10
host IN A     192.0.2.11
EOF
    cat >"$WORK/named/named.conf" <<EOF
options {
    directory "$WORK/named";
    pid-file "$WORK/named/named.pid";
    session-keyfile "$WORK/named/session.key";
    listen-on port 53 { $SRV_IP; };
    listen-on-v6 { none; };
    recursion no;
    dnssec-validation no;
};
controls { };
zone "example.test" { type primary; file "$WORK/named/example.test.zone"; };
EOF
    serve named named -g -n 1 -c "$WORK/named/named.conf"
    dns_queries dns_bind
    stop "$SERVER_PID"
}

ntp() {
    log "NTP: chronyd server (local stratum 8, -x), chronyd -Q and SNTP clients"
    cat >"$WORK/server.conf" <<EOF
local stratum 8
allow 192.0.2.0/24
bindaddress $SRV_IP
cmdport 0
bindcmdaddress $WORK/chronyd.sock
pidfile $WORK/chronyd.pid
driftfile $WORK/chronyd.drift
EOF
    # -x: never adjust the clock, -d: foreground, -u root: the temp dir is ours.
    serve chronyd chronyd -x -d -u root -f "$WORK/server.conf"
    wait_for "chronyd server" listening udp 123
    capture ntp 'udp port 123' --time-stamp-precision=nano
    # -Q: measure only, never set the clock. One sample is enough.
    cli chronyd -Q -t 10 -u root "server $SRV_IP iburst maxsamples 1" \
        "pidfile $WORK/client.pid" "cmdport 0" \
        "bindcmdaddress $WORK/client.sock" >"$WORK/chronyd-client.log" 2>&1 ||
        die "chronyd -Q got no answer"
    # A plain SNTP request (RFC 4330) whose transmit timestamp is the real
    # time, unlike chronyd's random cookie: the answer's origin echoes it.
    cli python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 40123))
s.settimeout(2)
t = time.time() + 2208988800
s.sendto(bytes([0x23]) + bytes(39) + struct.pack("!II", int(t), int(t % 1 * 2**32)),
         (sys.argv[2], 123))
s.recv(512)
' "$CLI_IP" "$SRV_IP" || die "SNTP request got no answer"
    end_capture
    stop "$SERVER_PID"
    cat "$WORK/chronyd-client.log" >&2
}

http() {
    log "HTTP: curl GET from python3 -m http.server"
    mkdir -p "$WORK/www"
    printf 'Hello from the seqs golden capture.\n' >"$WORK/www/hello.txt"
    serve httpd python3 -m http.server 80 --bind "$SRV_IP" --directory "$WORK/www"
    wait_for "http.server" listening tcp 80
    capture http 'tcp port 80'
    cli curl -sS --local-port 40080 -o /dev/null "http://$SRV_IP/hello.txt" ||
        die "curl failed"
    end_capture
    stop "$SERVER_PID"
}

ipv4_fragments() {
    log "IPv4 fragments: a 2000-byte ping, fragmented both ways"
    capture ipv4_fragments icmp
    cli ping -n -c 1 -s 2000 -M dont -W 2 "$SRV_IP" >/dev/null || die "big ping failed"
    end_capture
}

tcp_rst() {
    log "TCP reset: curl to closed port 81"
    capture tcp_rst 'tcp port 81'
    if cli curl -sS --local-port 40081 -o /dev/null "http://$SRV_IP:81/" 2>/dev/null; then
        die "port 81 unexpectedly open"
    fi
    end_capture
}

CHECKS=(-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE)

# Fails if tshark finds a malformed frame, a bad checksum or an expert error.
verify() {
    local f bad
    for f in "${MADE[@]}"; do
        bad=$(tshark -r "$OUT/$f.pcap" "${CHECKS[@]}" \
            -Y '_ws.malformed || _ws.expert.severity == error ||
                ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" ||
                udp.checksum.status == "Bad" || icmp.checksum.status == "Bad"' |
            wc -l)
        [ "$bad" -eq 0 ] || die "$f.pcap: $bad malformed or bad-checksum frames"
    done
    log "tshark: no malformed frames, all checksums good"
}

# Writes tshark's full dissection of each capture beside it, so test writers
# can read every field value without tshark installed.
describe() {
    local f
    for f in "${MADE[@]}"; do
        tshark -r "$OUT/$f.pcap" "${CHECKS[@]}" -V >"$OUT/$f.txt"
    done
}

# step <name>: makes that capture if it was asked for (or nothing was).
step() {
    if [ ${#ONLY[@]} -eq 0 ] || [[ " ${ONLY[*]} " == *" $1 "* ]]; then
        "$1"
        MADE+=("$1")
    fi
}

for name in "${ONLY[@]}"; do
    [[ " ${CAPTURES[*]} " == *" $name "* ]] || die "unknown capture $name (known: ${CAPTURES[*]})"
done
MADE=()
setup
step dhcp
srv ip neigh flush dev "$SRV_IF"
cli ip addr add "$CLI_IP/24" dev "$CLI_IF"
for name in "${CAPTURES[@]:1}"; do step "$name"; done
verify
describe
