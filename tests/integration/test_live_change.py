#!/usr/bin/env python3
"""Live reconfiguration without losing a packet: a steady UDP stream crosses
mboxd between two TAP ports (each in a namespace this test makes) while the
configuration changes 200 times: 100 reloads alternating between two graphs
that differ in classifier and ACL rules, then 100 SNMP SETs (classifier
rules, ACL rule rows added, replaced and removed).  Every change builds a
new generation.  Asserted with counts, not timings: every datagram sent
arrives exactly once, and the counters of the elements that kept their name
and kind, carried across 201 generations, equal what was sent."""
import os
import signal
import subprocess
import time

from mboxtest import Mboxd, TapPeers, UdpReceiver, UdpSender, check, finish, free_udp_port, workdir

d = workdir("live")
PEERS = TapPeers(("mlc-a", "mlc-b"), ("mlc0", "mlc1"), ("198.18.0.1", "198.18.0.2"))
RELOADS = 100
SETS = 100
RATE = 4000  # datagrams per second, for as long as the reloads take: far below what the path forwards

GRAPHS = [
    # A: every UDP datagram through the ACL, which permits port 9000 first
    ('( { name = "udp"; proto = 17; } )',
     '( { proto = 17; dst_port = "9000"; action = "permit"; }, { proto = 6; action = "deny"; } )'),
    # B: only port 9000 is "udp"; the ACL has other rules in another order
    ('( { name = "udp"; proto = 17; dst_port = 9000; } )',
     '( { proto = 1; action = "deny"; }, { dst = "198.18.0.0/24"; proto = 17; action = "permit"; } )'),
]


def config(n):
    rules, acl = GRAPHS[n % 2]
    return f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = 8191; file_prefix = "mbox_live"; }};
ports = (
  {{ name = "a"; device = "net_tap0,iface={PEERS.taps[0]}"; }},
  {{ name = "b"; device = "net_tap1,iface={PEERS.taps[1]}"; }}
);
elements = (
  {{ name = "rx_a"; kind = "port_rx"; port = "a"; }},
  {{ name = "rx_b"; kind = "port_rx"; port = "b"; }},
  {{ name = "cls"; kind = "classifier"; rules = {rules}; }},
  {{ name = "acl"; kind = "acl"; default_action = "permit"; rules = {acl}; }},
  {{ name = "cnt_ab"; kind = "counter"; }},
  {{ name = "cnt_ba"; kind = "counter"; }},
  {{ name = "tx_a"; kind = "port_tx"; port = "a"; }},
  {{ name = "tx_b"; kind = "port_tx"; port = "b"; }}
);
links = ( "rx_a -> cls[udp] -> acl -> cnt_ab -> tx_b", "cls[default] -> tx_b", "rx_b -> cnt_ba -> tx_a" );
snmp = {{ agentx_socket = "{d}/agentx.sock"; ping_interval = 1; listen = "udp:127.0.0.1:{AGENT}";
  users = ( {{ name = "admin"; auth_pass = "live-admin-pass"; priv_pass = "live-priv-pass"; write = true; }} ); }};
"""



AGENT = free_udp_port()
SNMP = ["-v3", "-l", "authPriv", "-u", "admin", "-a", "SHA", "-A", "live-admin-pass", "-x", "AES",
        "-X", "live-priv-pass", "-t", "5", "-r", "0", f"udp:127.0.0.1:{AGENT}"]
ENT = ".1.3.6.1.4.1.99999"
CLS_RULES = f"{ENT}.1.3.4.1.3.3.1"  # mboxElementParamValue: element 3 (cls), parameter 1 (rules)
ACL_ROW = f"{ENT}.1.3.5.1.%d.4.1.%d"  # mboxElementRowTable column, element 4 (acl), parameter 1 (rules), row
# The i-th SET: a whole-parameter value or one ACL rule row, created, replaced or destroyed.
SET_KINDS = [
    lambda: (CLS_RULES, "s", '( { name = "udp"; proto = 17; dst_port = 9000; } )'),
    lambda: (ACL_ROW % (4, 3), "i", "4", ACL_ROW % (2, 3), "s", 'proto = 6; dst_port = "23"; action = "deny";'),
    lambda: (ACL_ROW % (2, 3), "s", 'proto = 6; dst_port = "25"; action = "deny";'),
    lambda: (ACL_ROW % (4, 3), "i", "6"),
    lambda: (CLS_RULES, "s", '( { name = "udp"; proto = 17; } )'),
]


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


PEERS.cleanup()
cfg = f"{d}/live.cfg"
with open(cfg, "w") as f:
    f.write(config(0))
with open(f"{d}/snmpd.conf", "w") as f:
    f.write(sh(os.environ.get("MBOXD", "build/mboxd"), "--snmpd-conf", cfg).stdout)
os.makedirs(f"{d}/persist", exist_ok=True)
snmpd = subprocess.Popen(["snmpd", "-f", "-Lf", f"{d}/snmpd.log", "-C", "-c", f"{d}/snmpd.conf"],
                         env=dict(os.environ, MIBS="", SNMP_PERSISTENT_DIR=f"{d}/persist"), start_new_session=True)
m = Mboxd(cfg)
try:
    if not check(m.start(), "live_mboxd_starts", m.output()[-2000:]):
        raise SystemExit
    PEERS.attach()
    receiver = UdpReceiver(PEERS.ns[1], 9000)
    sender = UdpSender(PEERS.ns[0], PEERS.addrs[1], 9000, RATE)
    time.sleep(0.5)
    applied, t0 = 0, time.time()
    for n in range(1, RELOADS + 1):
        with open(cfg + ".tmp", "w") as f:
            f.write(config(n))
        os.rename(cfg + ".tmp", cfg)
        mark = len(m.output())
        m.signal(signal.SIGHUP)
        if not m.wait_for(f"reload: generation {n + 1} applied", timeout=10, after=mark):
            break
        applied = n
        time.sleep(0.05)
    check(applied == RELOADS and sender.sending(), "live_100_reloads_during_the_stream",
          f"{applied} reloads applied; sender {'still sending' if sender.sending() else 'stopped'}")
    # The file now holds graph A (RELOADS is even): the SETs edit that.
    errors = []
    for i in range(SETS):
        r = sh("snmpset", *SNMP, *SET_KINDS[i % len(SET_KINDS)]())
        if r.returncode:
            errors.append(r.stderr.strip())
    sets_ok = not errors and m.wait_for(f"generation {RELOADS + SETS + 1} applied", timeout=10)
    check(sets_ok and sender.sending(), "live_100_snmp_sets_during_the_stream",
          f"{len(errors)} refused: {errors[:2]}; sender {'still sending' if sender.sending() else 'stopped'}")
    time.sleep(0.5)
    total = sender.stop()
    print(f"live: {total} datagrams at {RATE}/s; {applied} reloads and {SETS - len(errors)} SETs in "
          f"{time.time() - t0:.1f} s", flush=True)
    got = receiver.result()
    check(got["distinct"] == total and got["next"] == total, "live_zero_loss_across_200_changes",
          f"sent {total}, received {got['distinct']} distinct (highest {got['next'] - 1})")
    stats = m.stop()
    e = stats["element"] if stats else {}
    check(stats is not None and stats["generation"] == RELOADS + SETS + 1, "live_mboxd_stops_after_201_generations",
          m.output()[-500:])
    check(e and e["acl"]["in"] == total and e["cnt_ab"]["packets"] == total,
          "live_counters_carried_over_201_generations",
          f"acl in={e.get('acl', {}).get('in')} cnt_ab={e.get('cnt_ab', {}).get('packets')}, sent {total}")
finally:
    if m.proc and m.proc.poll() is None:
        m.stop()
    snmpd.terminate()
    snmpd.wait(10)
    PEERS.cleanup()
finish()
