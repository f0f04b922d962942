#!/bin/bash
# Builds the mbox firmware image from Debian 12 packages and build/mboxd:
#   OUT/mbox.img    raw disk image, MBR:
#                     partition 1  FAT, label MBOXBOOT, bootable: kernel, initramfs,
#                                  syslinux (BIOS) and EFI/BOOT/BOOTX64.EFI (GRUB, UEFI)
#                     partition 2  FAT, label MBOXCFG: the configuration (empty in the
#                                  image; the first boot writes the defaults)
#   OUT/mbox.qcow2  the same disk as qcow2
# Usage: images/build.sh [MBOXD [OUT]]      (default build/mboxd, build)
# No root, loop devices or mounts are needed: the FAT file systems are
# written with mtools.  Reproducible: every timestamp is SOURCE_DATE_EPOCH
# (default: the commit time of HEAD), so two builds from the same inputs
# give the same bytes.
set -euo pipefail
export LC_ALL=C TZ=UTC
cd "$(dirname "$0")/.."
MBOXD=${1:-build/mboxd}
OUT=${2:-build}
SRC=images
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
export SOURCE_DATE_EPOCH

# Partition layout, in MiB.  Total 44 MiB (46.1 MB).
ALIGN_MB=1      # MBR and free space before the first partition
BOOT_MB=35      # kernel + initramfs + boot loaders (about 22 MiB used)
CFG_MB=8        # configuration partition
BOOT_LABEL=MBOXBOOT
CFG_LABEL=MBOXCFG
# Fixed FAT volume serial numbers (mformat picks random ones otherwise).
BOOT_SERIAL=0x4d420001
CFG_SERIAL=0x4d420002

die() { echo "image: $*" >&2; exit 1; }
[ -x "$MBOXD" ] || die "$MBOXD not found (run make first)"
for t in busybox cpio xz mformat mcopy mmd syslinux grub-mkimage qemu-img sfdisk depmod modinfo; do
	command -v "$t" >/dev/null || die "$t missing (run make deps)"
done

# The newest Debian kernel that has both vmlinuz and modules.
KVER=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V |
	while read -r v; do [ -d "/lib/modules/$v" ] && echo "$v"; done | tail -n1)
[ -n "$KVER" ] || die "no Debian kernel in /boot and /lib/modules (install linux-image-amd64: make deps)"
VMLINUZ=/boot/vmlinuz-$KVER
PMDDIR=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0

W=$OUT/image.work
R=$W/root
rm -rf "$W"
mkdir -p "$R"

# ---------------------------------------------------------------- root file system
# Debian 12 layout (merged /usr).
mkdir -p "$R"/usr/bin "$R"/usr/sbin "$R"/usr/lib/x86_64-linux-gnu "$R"/usr/lib64 \
	"$R"/etc/mbox "$R"/etc/snmp "$R"/proc "$R"/sys "$R"/dev "$R"/run "$R"/tmp "$R"/var \
	"$R"/config "$R"/root
for d in bin sbin lib lib64; do ln -s "usr/$d" "$R/$d"; done

# Copies a file into the root, with every symbolic link on the way to the
# real file (so the image has the same names and links as the host).
copy_path() {
	local p=$1 d f t
	while :; do
		d=$(realpath -e "$(dirname "$p")")
		f=$d/$(basename "$p")
		[ -e "$f" ] || [ -L "$f" ] || die "$p: not found"
		mkdir -p "$R$d"
		[ -e "$R$f" ] || [ -L "$R$f" ] || cp -a "$f" "$R$f"
		[ -L "$f" ] || break
		t=$(readlink "$f")
		case "$t" in /*) p=$t ;; *) p=$d/$t ;; esac
	done
}
# The shared libraries a binary needs (ldd), each with its links.
copy_libs() {
	local lib
	for lib in $(ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		copy_path "$lib"
	done
}

# busybox (static) and its applets; /init is our boot script.
cp /bin/busybox "$R/usr/bin/busybox"
for a in $(busybox --list-full); do
	case "$a" in
	linuxrc) continue ;;
	usr/*) a=${a#usr/} ;;
	esac
	[ -e "$R/usr/$a" ] || ln -s /usr/bin/busybox "$R/usr/$a"
done
install -m 0755 "$SRC/init" "$R/init"

# mboxd and snmpd with their libraries.
install -m 0755 "$MBOXD" "$R/usr/sbin/mboxd"
copy_libs "$MBOXD"
install -m 0755 /usr/sbin/snmpd "$R/usr/sbin/snmpd"
copy_libs /usr/sbin/snmpd
# Loaded with dlopen, so ldd does not list it: glibc needs it for
# pthread_cancel (mboxd's shutdown).
copy_path /lib/x86_64-linux-gnu/libgcc_s.so.1

# DPDK plugins: EAL loads every librte_*.so.23.0 in its plugin directory, so
# only the ones listed go there.
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	f=$PMDDIR/librte_$p.so.23.0
	[ -f "$f" ] || die "$f: no such DPDK plugin"
	copy_path "$f"
	copy_path "/usr/lib/x86_64-linux-gnu/librte_$p.so.23"
	copy_libs "$f"
done < "$SRC/pmds.list"

# Kernel modules and their dependencies (modinfo), then depmod for modprobe.
declare -A seen=()
add_module() {
	local m=$1 f dep
	f=$(modinfo -k "$KVER" -n "$m" 2>/dev/null) || die "kernel module $m not found for $KVER"
	case "$f" in /*) ;; *) return ;; esac   # built in
	[ -n "${seen[$f]:-}" ] && return
	seen[$f]=1
	copy_path "$f"
	for dep in $(modinfo -k "$KVER" -F depends "$m" | tr , ' '); do add_module "$dep"; done
}
for list in modules.early modules.late; do
	while read -r m _; do
		case "$m" in ''|'#'*) continue ;; esac
		add_module "$m"
	done < "$SRC/$list"
	install -m 0644 "$SRC/$list" "$R/etc/mbox/$list"
done
MD=/usr/lib/modules/$KVER
cp /lib/modules/"$KVER"/modules.builtin /lib/modules/"$KVER"/modules.builtin.modinfo \
	/lib/modules/"$KVER"/modules.order "$R$MD/"
depmod -b "$R" "$KVER"
rm -f "$R$MD"/modules.order "$R$MD"/modules.builtin.modinfo

# Configuration, services and scripts.
install -m 0755 "$SRC/mbox-supervise" "$SRC/mbox-snmpd" "$SRC/mbox-debugshell" "$R/usr/sbin/"
install -m 0755 "$SRC/rc.shutdown" "$SRC/udhcpc.script" "$R/etc/mbox/"
install -m 0644 "$SRC/mbox.cfg" "$SRC/mgmt.cfg" "$SRC/config.sh" "$SRC/provision.sh" "$R/etc/mbox/"
install -m 0644 "$SRC/inittab" "$R/etc/inittab"
install -m 0644 "$SRC/snmpd.conf" "$R/etc/snmp/snmpd.conf"
"$MBOXD" --version 2>/dev/null | head -n1 > "$R/etc/mbox/version" || echo unknown > "$R/etc/mbox/version"
echo mbox > "$R/etc/hostname"
# snmp: the unprivileged user snmpd drops to (mbox-snmpd).
printf 'root:x:0:0:root:/root:/bin/sh\nsnmp:x:100:100:snmpd:/nonexistent:/usr/sbin/nologin\n' > "$R/etc/passwd"
printf 'root:x:0:\ntty:x:5:\nsnmp:x:100:\n' > "$R/etc/group"
ln -s /run/resolv.conf "$R/etc/resolv.conf"
ln -s /proc/mounts "$R/etc/mtab"
printf 'PS1="mbox# "\nexport PATH=/usr/sbin:/usr/bin\n' > "$R/etc/profile"

# ---------------------------------------------------------------- initramfs
# Sorted entries, owner root, fixed timestamps, no inode numbers.
find "$R" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$R" && find . -mindepth 1 | sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
	xz -T1 --check=crc32 -9 > "$W/initrd.img"

# ---------------------------------------------------------------- boot files
CMDLINE=$(grep -v '^#' "$SRC/cmdline" | tr '\n' ' ' | sed 's/ *$//')
mkdir -p "$W/boot/EFI/BOOT"
cp "$VMLINUZ" "$W/boot/vmlinuz"
cp "$W/initrd.img" "$W/boot/initrd.img"
cat > "$W/boot/syslinux.cfg" <<EOF
SERIAL 0 115200
PROMPT 0
TIMEOUT 0
DEFAULT mbox
LABEL mbox
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND $CMDLINE
EOF
cat > "$W/grub.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
search --no-floppy --label $BOOT_LABEL --set=root
echo "mbox: loading the kernel and initramfs from (\$root)"
linux /vmlinuz $CMDLINE
initrd /initrd.img
boot
EOF
touch -d "@$SOURCE_DATE_EPOCH" "$W/grub.cfg"
# A standalone GRUB: every module it needs and the configuration above are
# in the one EFI binary (grub-mkimage rather than grub-mkstandalone, whose
# memdisk tar carries the build time).
grub-mkimage -O x86_64-efi -o "$W/boot/EFI/BOOT/BOOTX64.EFI" -p /EFI/BOOT -c "$W/grub.cfg" \
	part_msdos fat search search_label linux boot serial terminal echo normal configfile \
	efi_gop efi_uga all_video gzio
find "$W/boot" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# ---------------------------------------------------------------- disk image
IMG=$OUT/mbox.img
TMP=$IMG.tmp
rm -f "$TMP"
truncate -s $(( (ALIGN_MB + BOOT_MB + CFG_MB) * 1024 * 1024 )) "$TMP"
sfdisk --quiet --no-reread --no-tell-kernel "$TMP" <<EOF
label: dos
label-id: 0x4d424f58
unit: sectors
start=$((ALIGN_MB * 2048)), size=$((BOOT_MB * 2048)), type=c, bootable
start=$(((ALIGN_MB + BOOT_MB) * 2048)), size=$((CFG_MB * 2048)), type=c
EOF
dd if=/usr/lib/SYSLINUX/mbr.bin of="$TMP" conv=notrunc bs=440 count=1 status=none
BOOT_OFF=$((ALIGN_MB * 1024 * 1024))
CFG_OFF=$(((ALIGN_MB + BOOT_MB) * 1024 * 1024))
export MTOOLS_SKIP_CHECK=1 MTOOLS_NO_VFAT=0
mformat -i "$TMP@@$BOOT_OFF" -T $((BOOT_MB * 2048)) -h 64 -s 32 -H $((ALIGN_MB * 2048)) \
	-v "$BOOT_LABEL" -N "${BOOT_SERIAL#0x}" ::
mformat -i "$TMP@@$CFG_OFF" -T $((CFG_MB * 2048)) -h 64 -s 32 -H $(((ALIGN_MB + BOOT_MB) * 2048)) \
	-v "$CFG_LABEL" -N "${CFG_SERIAL#0x}" ::
syslinux --offset "$BOOT_OFF" --install "$TMP"
mcopy -i "$TMP@@$BOOT_OFF" -m -s "$W/boot/vmlinuz" "$W/boot/initrd.img" "$W/boot/syslinux.cfg" "$W/boot/EFI" ::
mv "$TMP" "$IMG"
qemu-img convert -f raw -O qcow2 "$IMG" "$OUT/mbox.qcow2"
