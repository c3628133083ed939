#!/bin/sh
# Installs exactly the tools the interop suite (tap/tests/interop.rs) runs,
# non-interactively, on Debian/Ubuntu. Then, as root:
#   SEQS_INTEROP=1 cargo test -p seqs-tap --test interop
set -eu

packages="iproute2 iputils-ping tcpdump tshark socat netcat-openbsd"

if [ "$(id -u)" -ne 0 ]; then
    echo "ci-deps.sh: run as root (apt-get, namespaces and TAP devices need it)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# tshark's package asks whether non-root users may capture: answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -qq --no-install-recommends $packages
