#!/bin/bash
# Runs one test as PID 1 of fresh PID, network and mount namespaces; run.sh
# starts it as
#   unshare --pid --fork --kill-child --mount-proc --net --mount --propagation private \
#     tests/isolate.sh META WORK TEST [ARGS]
# Private here: /run (so /run/netns, /var/run/dpdk and /run/mbox: fixed
# namespace names and DPDK file prefixes cannot meet another run's), a
# hugetlbfs on /dev/hugepages (DPDK leaves its page files behind even after
# a clean exit; these vanish with the mount), the network (lo only), and
# TMPDIR=WORK (not mounted over /tmp: a checkout may live under /tmp).  When
# this script ends the kernel kills every process left in the PID
# namespace, whatever process group or session it made.  Writes the PID
# namespace to META so that run.sh can look for survivors.
set -u
meta=$1 work=$2
shift 2
name=$(basename "$1")
fail() { echo "ERROR $name/isolation: $*"; exit 125; }

readlink /proc/self/ns/pid >"$meta" || fail "no PID namespace link"
mount -t tmpfs -o mode=0755 mbox-test-run /run || fail "cannot mount a private /run"
mkdir -p /run/lock /run/netns
mount -t hugetlbfs nodev /dev/hugepages || fail "cannot mount a private hugetlbfs"
ip link set lo up || fail "cannot bring lo up"
export TMPDIR=$work

# The runner's timeout: stop everything at once (PID 1 gets only the
# signals it handles).
trap 'kill -KILL -1 2>/dev/null; exit 124' TERM INT

"$@" &
wait $!
rc=$?

# Leftovers: what the test started or made and did not stop or remove.
# Processes get 2 s to finish what the test asked them to.
others() {
	procs=()
	local p stat comm state
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = 1 ] && continue
		read -r stat <"/proc/$p/stat" 2>/dev/null || continue
		comm=${stat#*(} comm=${comm%)*} state=${stat##*) } state=${state%% *}
		[ "$state" = Z ] || procs+=("$comm[$p]")
	done
}
for _ in $(seq 20); do
	others
	[ ${#procs[@]} -eq 0 ] && break
	sleep 0.1
done
left=()
[ ${#procs[@]} -gt 0 ] && left+=("processes still running: ${procs[*]}")
netns=$(ls /run/netns)
[ -n "$netns" ] && left+=("network namespaces: $(echo $netns)")
if [ ${#left[@]} -gt 0 ]; then
	echo "FAIL $name/no_leftovers: ${left[*]} (killed and removed now)"
	kill -KILL -1 2>/dev/null
else
	echo "PASS $name/no_leftovers"
fi
for ns in $netns; do ip netns del "$ns"; done
rm -f /dev/hugepages/*
exit $rc
