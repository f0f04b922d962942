#!/usr/bin/env python3
"""The README's main job: tools/run-tap.sh starts mboxd with the default
configuration on TAP ports in two namespaces; a ping crosses it and the
counters see it, read over SNMP through the snmpd the script starts.
ifAdminStatus down on a port whose TAP lives in another namespace takes
mboxPortLinkState, ifOperStatus and the kernel interface down together, and
up brings all three back."""
import json
import os
import signal
import subprocess
import time

from mboxtest import MBOXD, check, finish, parse_stats, wait, workdir

LOG = workdir("tap") + "/run-tap.log"
log = open(LOG, "w")
p = subprocess.Popen(["tools/run-tap.sh", MBOXD, "firmware/mbox.cfg"], stdout=log,
                     stderr=subprocess.STDOUT, start_new_session=True)
out = lambda: open(LOG).read()
deadline = time.time() + 30
while time.time() < deadline and "Ctrl-C stops it" not in out() and p.poll() is None:
    time.sleep(0.2)
if check("Ctrl-C stops it" in out(), "tap_run_script_ready", out()[-1500:]):
    ping = subprocess.run(["ip", "netns", "exec", "mbox-lan", "ping", "-c", "5", "-i", "0.2", "-W", "2",
                           "192.0.2.2"], capture_output=True, text=True)
    check(ping.returncode == 0 and " 0% packet loss" in ping.stdout, "tap_ping_crosses_mboxd", ping.stdout + ping.stderr)
    # lan2wan is the third element; its first counter is 'packets'.
    lan2wan = ".1.3.6.1.4.1.99999.1.3.3.1.3.3.1"
    auth = ["-v3", "-l", "authPriv", "-u", "mboxadmin", "-a", "SHA", "-A", "mbox-change-me",
            "-x", "AES", "-X", "mbox-change-me", "udp:127.0.0.1:1161"]
    get = ["snmpget", "-Oqv"] + auth + [lan2wan]
    value = ""
    for _ in range(50):
        r = subprocess.run(get, capture_output=True, text=True, env=dict(os.environ, MIBS=""))
        value = r.stdout.strip()
        if value.isdigit() and int(value) >= 5:
            break
        time.sleep(0.2)
    check(value.isdigit() and int(value) >= 5, "tap_snmpget_reads_the_counter", f"{value!r} {r.stderr}")

    def snmp(tool, *args):
        r = subprocess.run([tool, "-Oqv"] + auth + list(args), capture_output=True, text=True,
                           env=dict(os.environ, MIBS=""))
        return r.stdout.strip() if r.returncode == 0 else f"error: {r.stderr.strip()}"

    def states():
        """mboxPortLinkState, ifOperStatus of the wan port (mbox1), and its kernel interface's carrier."""
        link = subprocess.run(["ip", "-n", "mbox-wan", "-j", "link", "show", "mbox1"], capture_output=True, text=True)
        flags = json.loads(link.stdout)[0]["flags"] if link.returncode == 0 else []
        return (snmp("snmpget", f"{PORT}.5.2"), snmp("snmpget", f"{IF}.8.{if_index}"),
                "up" if "LOWER_UP" in flags else "down")

    PORT, IF = ".1.3.6.1.4.1.99999.1.2.1.1", ".1.3.6.1.2.1.2.2.1"
    if_index = snmp("snmpget", f"{PORT}.17.2")
    result = snmp("snmpset", f"{IF}.7.{if_index}", "i", "2")
    down = wait(lambda: states() == ("2", "2", "down"), 5)
    check(down, "tap_admin_down_link_state_agrees", f"ifIndex {if_index}, SET {result!r}; mboxPortLinkState, "
          f"ifOperStatus, kernel: {states()}; mboxd: {[l for l in out().splitlines() if 'port' in l][-4:]}")
    result = snmp("snmpset", f"{PORT}.8.2", "i", "1")
    up = wait(lambda: states() == ("1", "1", "up"), 5)
    check(up, "tap_admin_up_link_state_agrees", f"SET {result!r}; mboxPortLinkState, ifOperStatus, kernel: {states()}")
    ping = subprocess.run(["ip", "netns", "exec", "mbox-lan", "ping", "-c", "3", "-i", "0.2", "-W", "2",
                           "192.0.2.2"], capture_output=True, text=True)
    check(ping.returncode == 0, "tap_ping_crosses_after_admin_up", ping.stdout + ping.stderr)
os.killpg(p.pid, signal.SIGTERM)
p.wait(30)
stats = parse_stats(out())
check(stats is not None and stats["element"]["lan2wan"]["packets"] >= 5 and stats["element"]["wan2lan"]["packets"] >= 5,
      "tap_counters_count_the_ping", out()[-1500:])
left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
check("mbox-lan" not in left and "mbox-wan" not in left, "tap_namespaces_removed", f"left behind: {left}")
finish()
