#!/bin/sh
# Installs the Debian packages mbox needs to build, test and benchmark.
# Idempotent: does nothing (quickly) when everything is installed.
set -e
PACKAGES="build-essential pkg-config libdpdk-dev dpdk dpdk-dev libconfig-dev \
libsnmp-dev libssl-dev snmpd snmp snmptrapd smitools libpcap-dev python3 iproute2 procps \
iputils-ping coreutils cppcheck clang-tidy pyflakes3 clang libclang-rt-14-dev gnuplot-nox \
linux-image-amd64 busybox-static cpio xz-utils kmod fdisk mtools syslinux syslinux-common \
grub-efi-amd64-bin qemu-system-x86 qemu-utils ovmf lcov"

# genisoimage: cidata seeds (tools/flash --seed, make run, test_provision.py)
PACKAGES="$PACKAGES genisoimage"
missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root (or: sudo make deps) to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
