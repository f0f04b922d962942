#!/bin/bash
# Runs mboxd with a configuration whose ports are TAP interfaces (default:
# firmware/mbox.cfg, interfaces mbox0 and mbox1) and gives each interface
# its own network namespace and address, so that traffic from one namespace
# to the other crosses the firmware.  snmpd runs as the AgentX master with
# the configuration mboxd --snmpd-conf derives from the same file.  Ctrl-C
# (or SIGTERM) stops mboxd, which prints its final counters, and snmpd, and
# removes the namespaces.
set -u
mboxd=${1:-build/mboxd}
cfg=${2:-firmware/mbox.cfg}
ifaces=(${MBOX_TAPS:-mbox0 mbox1})
nets=(mbox-lan mbox-wan)
addrs=(192.0.2.1/24 192.0.2.2/24)

run=/run/mbox
cleanup() {
	[ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid"
	wait "$tee_pid" 2>/dev/null  # until mboxd's last lines are out
	[ -n "${snmpd_pid:-}" ] && kill -TERM "$snmpd_pid" 2>/dev/null && wait "$snmpd_pid"
	for ns in "${nets[@]}"; do ip netns del "$ns" 2>/dev/null; done
	exit 0
}
trap cleanup INT TERM

for ns in "${nets[@]}"; do ip netns del "$ns" 2>/dev/null; done
# snmpd would load users from its previous run's state (a removed user, or
# a changed passphrase's old key): every run starts empty.
rm -rf "$run/snmp" "$run/mboxd.log"
mkdir -p "$run/snmp"
"$mboxd" --snmpd-conf "$cfg" > "$run/snmpd.conf" || exit 1
# -I -smux: no SMUX listener on TCP 199, only the agentaddress.
MIBS= SNMP_PERSISTENT_DIR="$run/snmp" snmpd -f -Lf "$run/snmpd.log" -C -c "$run/snmpd.conf" -p "$run/snmpd.pid" -I -smux &
snmpd_pid=$!
# Its log goes to the terminal and to a file, read for the line that says
# the ports are started: the TAP driver configures an interface by name
# until then, and one moved to a namespace earlier is gone for it.  The tee
# outlives a Ctrl-C to pass on the final counters.
exec 3> >(trap '' INT TERM; exec tee "$run/mboxd.log" >&2)
tee_pid=$!
"$mboxd" -c "$cfg" 2>&3 &
pid=$!
exec 3>&-
until grep -q '] info: forwarding:' "$run/mboxd.log" 2>/dev/null; do
	kill -0 "$pid" 2>/dev/null || { echo "run-tap: mboxd exited" >&2; exit 1; }
	sleep 0.1
done
for i in 0 1; do
	ip netns add "${nets[$i]}"
	ip link set "${ifaces[$i]}" netns "${nets[$i]}"
	ip -n "${nets[$i]}" addr add "${addrs[$i]}" dev "${ifaces[$i]}"
	ip -n "${nets[$i]}" link set "${ifaces[$i]}" up
	ip -n "${nets[$i]}" link set lo up
done
cat <<MSG
run-tap: mboxd (pid $pid) forwards between ${ifaces[0]} (netns ${nets[0]}, ${addrs[0]})
         and ${ifaces[1]} (netns ${nets[1]}, ${addrs[1]}). Try:
           ip netns exec ${nets[0]} ping ${addrs[1]%/*}
           kill -USR1 $pid      # print every counter
           snmpwalk -v3 -l authPriv -u mboxadmin -a SHA -A mbox-change-me -x AES -X mbox-change-me \\
             -M +$(cd "$(dirname "$0")/.." && pwd)/mib -m +MBOX-MIB $(sed -n 's/^agentaddress //p' "$run/snmpd.conf") MBOX-MIB::mbox
         snmpd's log: $run/snmpd.log; its configuration: $run/snmpd.conf
         Ctrl-C stops it.
MSG
wait "$pid"
pid=
cleanup
