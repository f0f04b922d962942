#!/bin/bash
# Boots the mbox firmware image in QEMU (what `make run-image` runs):
#   - KVM if it works (probed with a short timeout), else TCG; never hangs;
#   - BIOS (SeaBIOS) by default, UEFI (OVMF) with --uefi;
#   - management NIC (virtio, 00:03.0): QEMU user network, the guest's SNMP
#     agent forwarded to 127.0.0.1:SNMP_PORT (UDP), and each --forward
#     PROTO:HOST_PORT:GUEST_PORT from 127.0.0.1:HOST_PORT (tests probe the
#     guest's ports with these);
#   - data NICs (virtio, 00:04.0 "lan" and 00:05.0 "wan", as in the image's
#     default mbox.cfg): TAP devices in the network namespaces PREFIX-lan
#     (10.0.0.1/24) and PREFIX-wan (10.0.0.2/24), so that traffic between
#     them crosses the firmware;
#   - a root shell on a virtio-serial port (org.mbox.debug) at DIR/debug.sock;
#   - SNMPv3 credentials of its own: a fresh disk boots with a cidata seed
#     (CD-ROM, tools/flash --seed) giving the user mboxadmin a random
#     passphrase, kept in DIR/snmp-passphrase (mode 0600) and printed below;
#     --seed FILE attaches that seed instead, --no-provision none (the first
#     boot then makes up a passphrase and shows it on the console).
# The disk is a copy-on-write overlay (DIR/disk.qcow2) of the image, fresh
# for every run unless --keep (which keeps the configuration partition).
# Ctrl-A X quits QEMU (serial console on stdio); everything is cleaned up.
#
# Usage: images/run-image.sh [--image FILE] [--uefi] [--accel auto|kvm|tcg]
#          [--snmp-port N] [--forward tcp|udp:HOST_PORT:GUEST_PORT]... [--prefix NAME] [--dir DIR] [--keep]
#          [--seed FILE | --no-provision]
#          [--serial-log FILE]   (console to FILE instead of stdio, for scripts)
set -u
cd "$(dirname "$0")/.."
image=build/mbox.qcow2 uefi=0 accel=auto snmp_port=16161 prefix=mbimg dir=build/run-image keep=0 serial_log=
forwards= seed= provision=1
while [ $# -gt 0 ]; do
	case "$1" in
	--image) image=$2; shift ;;
	--uefi) uefi=1 ;;
	--accel) accel=$2; shift ;;
	--snmp-port) snmp_port=$2; shift ;;
	--forward)
		[[ "$2" =~ ^(tcp|udp):([0-9]+):([0-9]+)$ ]] ||
			{ echo "--forward $2: expected tcp|udp:HOST_PORT:GUEST_PORT" >&2; exit 2; }
		forwards+=",hostfwd=${BASH_REMATCH[1]}:127.0.0.1:${BASH_REMATCH[2]}-:${BASH_REMATCH[3]}"
		shift ;;
	--prefix) prefix=$2; shift ;;
	--dir) dir=$2; shift ;;
	--keep) keep=1 ;;
	--seed) seed=$2; shift ;;
	--no-provision) provision=0 ;;
	--serial-log) serial_log=$2; shift ;;
	*) echo "usage: see the header of $0" >&2; exit 2 ;;
	esac
	shift
done
say() { echo "run-image: $*" >&2; }
die() { say "$*"; exit 1; }
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (make deps)"
[ -f "$image" ] || die "$image not found (make image)"
[ "$(id -u)" = 0 ] || die "needs root (TAP devices and network namespaces)"
mkdir -p "$dir" && chmod 700 "$dir"
dir=$(realpath "$dir")
ns_lan=$prefix-lan ns_wan=$prefix-wan tap_lan=${prefix}0 tap_wan=${prefix}1
qpid=

cleanup() {
	trap - EXIT INT TERM
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
	fi
	for ns in "$ns_lan" "$ns_wan"; do ip netns del "$ns" 2>/dev/null; done
	for t in "$tap_lan" "$tap_wan"; do ip link del "$t" 2>/dev/null; done
	rm -f "$dir/debug.sock"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- accelerator: KVM only if a guest really runs under it
probe_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { say "no usable /dev/kvm"; return 1; }
	local raw=$image
	if [ "${image##*.}" = qcow2 ]; then
		raw=$dir/probe.img
		qemu-img convert -O raw "$image" "$raw" || return 1
	fi
	rm -f "$dir/probe-vmlinuz" "$dir/probe-initrd"
	mcopy -n -i "$raw@@1M" ::vmlinuz "$dir/probe-vmlinuz" && mcopy -n -i "$raw@@1M" ::initrd.img "$dir/probe-initrd" || return 1
	[ "$raw" = "$dir/probe.img" ] && rm -f "$raw"
	local out
	out=$(timeout -s KILL 20 qemu-system-x86_64 -accel kvm -cpu host -m 512 -nodefaults -display none \
		-no-reboot -serial stdio -kernel "$dir/probe-vmlinuz" -initrd "$dir/probe-initrd" \
		-append "console=ttyS0 loglevel=0 mbox.probe=1" 2>&1 </dev/null)
	rm -f "$dir/probe-vmlinuz" "$dir/probe-initrd"
	if echo "$out" | grep -q MBOX-PROBE-OK; then return 0; fi
	say "KVM probe failed: $(echo "$out" | tr -d '\r' | grep -v '^$' | tail -n 2 | tr '\n' ' ')"
	return 1
}
case "$accel" in
auto) if probe_kvm; then accel=kvm; else accel=tcg; fi ;;
kvm|tcg) ;;
*) die "--accel: auto, kvm or tcg" ;;
esac
if [ "$accel" = kvm ]; then
	accel_args=(-accel kvm -cpu host)
else
	# DPDK needs SSE4.2, which TCG's "max" CPU model has.
	accel_args=(-accel tcg,thread=multi -cpu max)
fi
say "accelerator: $accel"

# ---- firmware
fw_args=()
if [ "$uefi" = 1 ]; then
	code=/usr/share/OVMF/OVMF_CODE.fd vars=/usr/share/OVMF/OVMF_VARS.fd
	[ -f "$code" ] && [ -f "$vars" ] || die "OVMF not installed (apt-get install ovmf)"
	cp "$vars" "$dir/OVMF_VARS.fd"
	fw_args=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
		-drive "if=pflash,format=raw,unit=1,file=$dir/OVMF_VARS.fd")
fi

# ---- disk: an overlay, so the image itself stays as built
disk=$dir/disk.qcow2
fmt=raw; [ "${image##*.}" = qcow2 ] && fmt=qcow2
fresh=0
if [ "$keep" = 0 ] || [ ! -f "$disk" ]; then
	fresh=1
	rm -f "$disk"
	qemu-img create -q -f qcow2 -F "$fmt" -b "$(realpath "$image")" "$disk" || die "qemu-img create failed"
fi

# ---- credentials: a fresh disk is provisioned by a cidata seed (only its
# first boot reads one), with a random passphrase unless --seed gives one.
pwfile=$dir/snmp-passphrase
seed_args=()
if [ -n "$seed" ]; then
	[ -f "$seed" ] || die "--seed $seed: no such file"
	rm -f "$pwfile"
elif [ "$provision" = 1 ] && { [ "$fresh" = 1 ] || [ ! -f "$pwfile" ]; }; then
	if [ "$fresh" = 0 ]; then
		say "--keep: no passphrase of this disk in $pwfile (it was provisioned otherwise)"
	else
		(umask 077 && head -c 15 /dev/urandom | base64 | tr '+/' '-_' > "$pwfile")
		seed=$dir/seed.iso
		echo "mboxadmin $(cat "$pwfile")" | tools/flash --seed "$seed" --image "$image" \
			--snmp-user mboxadmin,write --passphrases - >/dev/null || die "cannot make the cidata seed"
	fi
elif [ "$provision" = 0 ]; then
	rm -f "$pwfile"
fi
[ -n "$seed" ] && seed_args=(-drive "file=$seed,format=raw,if=ide,media=cdrom,readonly=on")
if [ -f "$pwfile" ]; then
	pw=$(cat "$pwfile")
	snmp_auth="-v3 -l authPriv -u mboxadmin -a SHA -A $pw -x AES -X $pw"
else
	snmp_auth="-v3 -l authPriv -u USER -a SHA -A AUTH_PASS -x AES -X PRIV_PASS"
fi

# ---- data NICs: TAPs created here, moved into their namespaces once QEMU holds them
for t in "$tap_lan" "$tap_wan"; do
	ip tuntap add dev "$t" mode tap || die "cannot create TAP $t"
done

cat >&2 <<MSG
run-image: booting $image ($accel, $([ "$uefi" = 1 ] && echo UEFI || echo BIOS)); console: ${serial_log:-this terminal (Ctrl-A X quits QEMU)}
run-image: once it is up (under TCG about 15 s):
  SNMP:     A="$snmp_auth"
            snmpget \$A -On udp:127.0.0.1:$snmp_port 1.3.6.1.2.1.1.1.0     (sysDescr; UDP forwarded to the guest)
  counters: snmpwalk \$A -M +mib:../shared/mibs -m +MBOX-MIB udp:127.0.0.1:$snmp_port MBOX-MIB::mboxElementCounterTable
            ($([ -f "$pwfile" ] && echo "this disk's own random passphrase, also in $pwfile" ||
               echo "the credentials this disk was provisioned with; unprovisioned, the first boot shows them on the console");
             SNMPv3 only: the image has no SNMPv1/v2c community unless you add one)
  traffic:  ip netns exec $ns_lan ping 10.0.0.2     ($tap_lan in $ns_lan, 10.0.0.1 <-> $tap_wan in $ns_wan, 10.0.0.2)
  shell:    python3 images/debugsh.py $dir/debug.sock  (root shell in the guest; or socat - UNIX-CONNECT:$dir/debug.sock)
MSG
serial=(-serial mon:stdio)
[ -n "$serial_log" ] && serial=(-serial "file:$serial_log")
exec 3<&0
qemu-system-x86_64 -name "mbox-$prefix" -machine pc "${accel_args[@]}" -smp 2 -m 1024 \
	-nodefaults -display none "${serial[@]}" "${fw_args[@]}" \
	-drive "file=$disk,format=qcow2,if=virtio,cache=unsafe" "${seed_args[@]}" \
	-netdev "user,id=mgmt,hostfwd=udp:127.0.0.1:$snmp_port-:161$forwards" \
	-device virtio-net-pci,netdev=mgmt,addr=3,mac=52:54:00:4d:42:03 \
	-netdev "tap,id=lan,ifname=$tap_lan,script=no,downscript=no" \
	-device virtio-net-pci,netdev=lan,addr=4,mac=52:54:00:4d:42:04 \
	-netdev "tap,id=wan,ifname=$tap_wan,script=no,downscript=no" \
	-device virtio-net-pci,netdev=wan,addr=5,mac=52:54:00:4d:42:05 \
	-device virtio-serial-pci,addr=7 \
	-chardev "socket,id=dbg,path=$dir/debug.sock,server=on,wait=off" \
	-device virtserialport,chardev=dbg,name=org.mbox.debug <&3 &
qpid=$!
exec 3<&-

attached() { grep -qs "^iff:[[:space:]]*$1\$" /proc/"$qpid"/fdinfo/*; }
for _ in $(seq 100); do
	attached "$tap_lan" && attached "$tap_wan" && break
	kill -0 "$qpid" 2>/dev/null || die "QEMU exited"
	sleep 0.1
done
attached "$tap_lan" && attached "$tap_wan" || die "QEMU did not open the TAP devices"
for pair in "$ns_lan $tap_lan 10.0.0.1/24" "$ns_wan $tap_wan 10.0.0.2/24"; do
	set -- $pair
	ip netns add "$1" && ip link set "$2" netns "$1" &&
		ip -n "$1" addr add "$3" dev "$2" && ip -n "$1" link set "$2" up && ip -n "$1" link set lo up ||
		die "cannot set up namespace $1"
done

wait "$qpid"
rc=$?
qpid=
exit $rc
