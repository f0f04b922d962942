#!/bin/sh
# Reserves 2 MiB hugepages and mounts hugetlbfs for DPDK.  Idempotent.
# HUGEPAGES (default 1024, i.e. 2 GiB) sets how many pages to keep reserved.
set -e
want=${HUGEPAGES:-1024}
sys=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
have=$(cat "$sys")
if [ "$have" -lt "$want" ]; then
	echo "$want" > "$sys"
	have=$(cat "$sys")
	[ "$have" -ge "$want" ] || { echo "hugepages: asked for $want 2 MiB pages, the kernel gave $have" >&2; exit 1; }
fi
mkdir -p /dev/hugepages
grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts || mount -t hugetlbfs nodev /dev/hugepages
