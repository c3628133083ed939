#!/bin/sh
# Installs exactly the tools the interop suite (tap/tests/interop.rs) runs,
# non-interactively, on Debian/Ubuntu. Then, as root:
#   SEQS_INTEROP=1 cargo test -p seqs-tap --test interop
set -eu

# dnsmasq-base: the binary without the system service. chrony: chronyd,
# run by the suite with its own config and -x (never the host clock).
packages="iproute2 iputils-ping tcpdump tshark socat netcat-openbsd coreutils \
dnsmasq-base busybox chrony curl python3"

if [ "$(id -u)" -ne 0 ]; then
    echo "ci-deps.sh: run as root (apt-get, namespaces and TAP devices need it)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# tshark's package asks whether non-root users may capture: answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections

# Packages must not start services here (chrony's would discipline the
# host clock from the Internet): policy-rc.d refuses every start while
# apt runs, and is removed afterwards unless it was already there.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=true
fi
cleanup() { if $own_policy; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -qq
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -qq --no-install-recommends $packages

# Belt and braces: if a service manager started chronyd anyway, stop it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet chrony 2>/dev/null; then
    systemctl stop chrony
fi
