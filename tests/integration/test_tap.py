#!/usr/bin/env python3
"""The README's main job: tools/run-tap.sh starts mboxd with the default
configuration on TAP ports in two namespaces; a ping crosses it and the
counters see it, read over SNMP through the snmpd the script starts."""
import os
import signal
import subprocess
import time

from mboxtest import MBOXD, check, finish, parse_stats, workdir

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
    get = ["snmpget", "-Oqv", "-v3", "-l", "authPriv", "-u", "mboxadmin", "-a", "SHA", "-A", "mbox-change-me",
           "-x", "AES", "-X", "mbox-change-me", "udp:127.0.0.1:1161", lan2wan]
    value = ""
    for _ in range(50):
        r = subprocess.run(get, capture_output=True, text=True, env=dict(os.environ, MIBS=""))
        value = r.stdout.strip()
        if value.isdigit() and int(value) >= 5:
            break
        time.sleep(0.2)
    check(value.isdigit() and int(value) >= 5, "tap_snmpget_reads_the_counter", f"{value!r} {r.stderr}")
os.killpg(p.pid, signal.SIGTERM)
p.wait(30)
stats = parse_stats(out())
check(stats is not None and stats["element"]["lan2wan"]["packets"] >= 5 and stats["element"]["wan2lan"]["packets"] >= 5,
      "tap_counters_count_the_ping", out()[-1500:])
left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
check("mbox-lan" not in left and "mbox-wan" not in left, "tap_namespaces_removed", f"left behind: {left}")
finish()
