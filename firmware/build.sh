#!/usr/bin/env bash
# Builds the Pico W firmware in release mode, converts it to a UF2 for
# BOOTSEL drag-and-drop, and prints its flash and static RAM use.
#
# Runs on a fresh Debian machine with rustup's stable toolchain: it installs
# what else it needs (the thumbv6m target, elf2uf2-rs from crates.io, GNU
# size from Debian's binutils). Wi-Fi credentials come from WIFI_SSID and
# WIFI_PASSWORD in the environment; without them the firmware builds in
# "no credentials" mode (see README.md).
#
# Output: target/thumbv6m-none-eabi/release/seqs-firmware{,.uf2} (under
# $CARGO_TARGET_DIR when that is set).
set -euo pipefail
cd "$(dirname "$0")"

ELF2UF2_VERSION=2.2.0
TARGET=thumbv6m-none-eabi
ELF=${CARGO_TARGET_DIR:-target}/$TARGET/release/seqs-firmware
UF2=$ELF.uf2
FLASH_BYTES=$((2048 * 1024)) # W25Q16JV on the Pico W
RAM_BYTES=$((264 * 1024))    # RP2040 SRAM
started=$SECONDS

say() { echo "=== [$((SECONDS - started))s] $*"; }

cargo_bin() {
    command -v "$1" 2>/dev/null || echo "${CARGO_HOME:-$HOME/.cargo}/bin/$1"
}

say "tools"
if ! rustup target list --installed | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi
elf2uf2=$(cargo_bin elf2uf2-rs)
if ! [ -x "$elf2uf2" ]; then
    # The default "serial" feature needs libudev; converting needs nothing.
    cargo install elf2uf2-rs --version "$ELF2UF2_VERSION" --locked --no-default-features
    elf2uf2=$(cargo_bin elf2uf2-rs)
fi
if ! command -v size >/dev/null; then
    apt-get update -qq && apt-get install -y -qq binutils >/dev/null
fi

if [ -n "${WIFI_SSID:-}" ]; then
    say "build (release) for network '$WIFI_SSID'"
else
    say "build (release) without WIFI_SSID: no-credentials mode"
fi
cargo build --release

say "UF2"
"$elf2uf2" "$ELF" "$UF2"
ls -l "$ELF" "$UF2"

say "memory use (GNU size, Berkeley format)"
size -B "$ELF"
read -r text data bss _ < <(size -B "$ELF" | tail -n 1)
flash=$((text + data))
ram=$((data + bss))
percent() { awk -v n="$1" -v d="$2" 'BEGIN { printf "%.1f", 100 * n / d }'; }
echo "flash: $flash bytes (text $text + data $data) = $(percent $flash $FLASH_BYTES)% of 2 MiB"
echo "static RAM: $ram bytes (data $data + bss $bss) = $(percent $ram $RAM_BYTES)% of 264 KiB"

say "done"
