#!/usr/bin/env python3
"""Faults, with real packets and real SNMP (snmpd master, snmptrapd).  One
mboxd forwards between two TAP ports in namespaces, with the smallest mbuf
pool its configuration check allows:
  1. snmpd is killed (SIGKILL) and restarted under a UDP stream: the
     subagent answers again, counters continue, not one datagram is lost;
  2. the peer of a TAP port goes down and up inside its namespace: linkDown
     and linkUp traps with the port's ifIndex, ifOperStatus follows,
     counters are kept and the stream resumes;
  3. a packet capture under a flood holds the pool's mbufs: receive drops
     are counted (ifInDiscards), a poolUsage threshold trap is sent, and
     once the flood stops the pool is back at its idle level and a stream
     crosses without loss;
  4. full tables: a NAT session table smaller than the flows (table_full
     drops, a tableFill trap, new sessions once the old ones expire); then
     a second mboxd holds an ACL and a router at their row limits, and one
     more row over SNMP is refused with the reason while nothing changes."""
import os
import re
import subprocess
import time

from mboxtest import (MBOXD, Mboxd, Snmp, TapPeers, UdpReceiver, UdpSender, check, finish, free_udp_port,
                      plan, wait, workdir, write_pcap)

d = workdir("faults")
plan(*(f"faults_{kind}_row_beyond_limit_refused" for kind in ("acl", "router")))
# Names of this run only: another run of this test may be going on.
RUN = os.getpid()
PEERS = TapPeers((f"mflt-a{RUN}", f"mflt-b{RUN}"), (f"mflt{RUN}a", f"mflt{RUN}b"), ("198.18.7.1", "198.18.7.2"))
A, B = 0, 1
STREAM_PORT, FLOOD_PORT, NAT_PORT = 9000, 9100, 9200
STREAM_RATE = 2000
NAT_PUBLIC, NAT_MAX_SESSIONS, NAT_UDP_TIMEOUT = "198.18.7.100", 16, 2
POOL_USAGE_THRESHOLD = 90

ENT = ".1.3.6.1.4.1.99999"
GENERATION, HASH, LAST_ERROR = (f"{ENT}.1.1.{c}.0" for c in (4, 5, 6))
PORT, ELEM, COUNTER, PARAM, ROW = (ENT + s for s in (".1.2.1.1", ".1.3.1.1", ".1.3.3.1", ".1.3.4.1", ".1.3.5.1"))
POOL_IN_USE = f"{ENT}.1.5.1.1.4.1"
THRESHOLD_CROSSED = f"{ENT}.0.4"
IF, IFX = ".1.3.6.1.2.1.2.2.1", ".1.3.6.1.2.1.31.1.1.1"
LINK_DOWN, LINK_UP = ".1.3.6.1.6.3.1.1.5.3", ".1.3.6.1.6.3.1.1.5.4"
IF_INDEX = {A: 1001, B: 1002}
# Element positions in config() (counting from 1), and the counters used.
CLS, CNT_STREAM, NAT, CAPTURE = 3, 4, 5, 6
NAT_ACTIVE, NAT_CREATED, NAT_EXPIRED, NAT_TABLE_FULL = 1, 2, 3, 5
CAPTURE_PARAM = 2  # mirror's parameters: snaplen, capture, ...

AGENT, TRAPS = free_udp_port(), free_udp_port()
AUTH = ["-v3", "-l", "authPriv", "-u", "admin", "-a", "SHA", "-A", "faults-admin-pass", "-x", "AES",
        "-X", "faults-priv-pass"]
SNMP_SECTION = f"""
snmp = {{
  agentx_socket = "{d}/agentx.sock";
  ping_interval = 1;
  listen = "udp:127.0.0.1:{AGENT}";
  users = ( {{ name = "admin"; auth_pass = "faults-admin-pass"; priv_pass = "faults-priv-pass"; write = true; }} );
  trap_sinks = ( {{ address = "udp:127.0.0.1:{TRAPS}"; community = "public"; }} );
}};
"""


def config(mbufs):
    return f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = {mbufs}; file_prefix = "mbox_faults{RUN}"; }};
ports = (
  {{ name = "a"; device = "net_tap0,iface={PEERS.taps[A]}"; rx_desc = 64; tx_desc = 64; }},
  {{ name = "b"; device = "net_tap1,iface={PEERS.taps[B]}"; rx_desc = 64; tx_desc = 64; }}
);
elements = (
  {{ name = "rx_a"; kind = "port_rx"; port = "a"; }},
  {{ name = "rx_b"; kind = "port_rx"; port = "b"; }},
  {{ name = "cls"; kind = "classifier"; rules = ( {{ name = "stream"; proto = 17; dst_port = {STREAM_PORT}; }},
     {{ name = "flood"; proto = 17; dst_port = {FLOOD_PORT}; }}, {{ name = "nat"; proto = 17; dst_port = {NAT_PORT}; }} ); }},
  {{ name = "cnt_stream"; kind = "counter"; }},
  {{ name = "nat"; kind = "nat"; address = "{NAT_PUBLIC}"; ports = "20000-20999";
     max_sessions = {NAT_MAX_SESSIONS}; udp_timeout = {NAT_UDP_TIMEOUT}; }},
  {{ name = "capture"; kind = "mirror"; snaplen = 64; capture = false; capture_file = "{d}/flood.pcap";
     capture_limit = 0; capture_ring = 65536; }},
  {{ name = "sink"; kind = "drop"; }},
  {{ name = "tx_a"; kind = "port_tx"; port = "a"; }},
  {{ name = "tx_b"; kind = "port_tx"; port = "b"; }}
);
links = ( "rx_a -> cls[stream] -> cnt_stream -> tx_b", "cls[flood] -> capture[out] -> tx_b", "capture[copy] -> sink",
          "cls[nat] -> nat[outside] -> tx_b", "nat[inside] -> tx_a", "cls[default] -> tx_b", "rx_b -> tx_a" );
thresholds = {{ pool_usage = {POOL_USAGE_THRESHOLD}; }};
{SNMP_SECTION}"""


def smallest_pool():
    """The fewest mbufs the configuration check accepts for CONFIG's ports."""
    with open(f"{d}/probe.cfg", "w") as f:
        f.write(config(1023))
    r = subprocess.run([MBOXD, "--check", f"{d}/probe.cfg"], capture_output=True, text=True)
    if r.returncode == 0:
        return 1023
    return int((r.stdout + r.stderr).split("expected at least ")[1].split()[0])


def counters(snmp):
    """The counters a fault must not reset."""
    return {"cnt_stream": snmp.num(f"{COUNTER}.3.{CNT_STREAM}.1"), "ifHCInUcastPkts.a": snmp.num(f"{IFX}.7.{IF_INDEX[A]}"),
            "ifHCOutUcastPkts.b": snmp.num(f"{IFX}.11.{IF_INDEX[B]}"), "cls in": snmp.num(f"{ELEM}.5.{CLS}")}


def kept(before, after):
    return all(before[k] is not None and after[k] is not None and after[k] >= before[k] for k in before)


def snmpd_killed_under_stream(m, snmp):
    """Fault 1: forwarding never depends on snmpd; the subagent comes back."""
    receiver = UdpReceiver(PEERS.ns[B], STREAM_PORT)
    sender = UdpSender(PEERS.ns[A], PEERS.addrs[B], STREAM_PORT, STREAM_RATE)
    time.sleep(1.2)  # the snapshot the subagent serves is at most a second old
    before = counters(snmp)
    snmp.snmpd.kill()
    snmp.snmpd.wait()
    time.sleep(1)
    restarted = time.time()
    snmp.start_snmpd()
    answered = wait(lambda: snmp.get(GENERATION, timeout=0.1, retries=0), 15, step=0.02)
    reconnect = time.time() - restarted
    check(answered, "faults_snmpd_kill_subagent_reconnects", f"no answer {reconnect:.2f} s after snmpd restarted: "
          f"{m.output()[-800:]}")
    after = counters(snmp)
    check(kept(before, after) and after["cnt_stream"] > before["cnt_stream"], "faults_snmpd_kill_counters_continue",
          f"before the kill {before}, after the restart {after}")
    time.sleep(0.5)
    sent = sender.stop()
    got = receiver.result()
    check(got["distinct"] == sent and got["next"] == sent and got["datagrams"] == sent,
          "faults_snmpd_kill_zero_loss", f"sent {sent}, received {got}")
    final = wait(lambda: snmp.num(f"{COUNTER}.3.{CNT_STREAM}.1") == sent, 3)
    check(final, "faults_snmpd_kill_final_count_equals_sent",
          f"cnt_stream {snmp.num(f'{COUNTER}.3.{CNT_STREAM}.1')}, sent {sent}")
    print(f"info: snmpd killed under {STREAM_RATE} datagrams/s: subagent answered {reconnect:.2f} s after "
          f"snmpd restarted; {sent} sent, {got['distinct']} received", flush=True)


def oper_status(snmp, side):
    return snmp.get(f"{IF}.8.{IF_INDEX[side]}")


def link_down_and_up(m, snmp):
    """Fault 2: the TAP peer of port b goes down and comes back in its namespace."""
    receiver = UdpReceiver(PEERS.ns[B], STREAM_PORT)
    sender = UdpSender(PEERS.ns[A], PEERS.addrs[B], STREAM_PORT, STREAM_RATE)
    time.sleep(1.2)
    before = counters(snmp)
    discards_before = snmp.num(f"{IF}.19.{IF_INDEX[B]}")
    oper_before = oper_status(snmp, B)
    link = f"{IF}.1.{IF_INDEX[B]} = INTEGER: {IF_INDEX[B]}"
    mark = len(snmp.traps())
    t0 = time.time()
    PEERS.sh("ip", "-n", PEERS.ns[B], "link", "set", "dev", PEERS.taps[B], "down")
    trap_down = snmp.trap_after(mark, LINK_DOWN, link, f"{IF}.8.{IF_INDEX[B]} = INTEGER: 2")
    down_after = time.time() - t0
    check(oper_before == "1" and trap_down, "faults_link_down_trap",
          f"ifOperStatus before {oper_before}; traps: {snmp.traps()[mark:][-1500:]}")
    check(wait(lambda: oper_status(snmp, B) == "2", 3), "faults_link_down_oper_status",
          f"ifOperStatus.{IF_INDEX[B]} = {oper_status(snmp, B)}")
    time.sleep(0.5)
    mark = len(snmp.traps())
    t0 = time.time()
    PEERS.sh("ip", "-n", PEERS.ns[B], "link", "set", "dev", PEERS.taps[B], "up")
    PEERS.neighbour(B)
    trap_up = snmp.trap_after(mark, LINK_UP, link, f"{IF}.8.{IF_INDEX[B]} = INTEGER: 1")
    up_after = time.time() - t0
    check(trap_up, "faults_link_up_trap", snmp.traps()[mark:][-1500:])
    check(wait(lambda: oper_status(snmp, B) == "1", 3), "faults_link_up_oper_status",
          f"ifOperStatus.{IF_INDEX[B]} = {oper_status(snmp, B)}")
    time.sleep(0.5)
    sent = sender.stop()
    got = receiver.result()
    after = counters(snmp)
    check(kept(before, after), "faults_link_down_up_counters_kept", f"before {before}, after {after}")
    # What the down interface refused, port_tx dropped and counted.
    discards = wait(lambda: (snmp.num(f"{IF}.19.{IF_INDEX[B]}") or 0) - discards_before == sent - got["distinct"], 3)
    check(got["next"] == sent and sent > got["distinct"] and discards, "faults_link_down_losses_counted",
          f"sent {sent}, received {got}; ifOutDiscards.{IF_INDEX[B]} {discards_before} before, "
          f"{snmp.num(f'{IF}.19.{IF_INDEX[B]}')} after")
    # A fresh stream once the link is back: every datagram arrives.
    receiver = UdpReceiver(PEERS.ns[B], STREAM_PORT)
    sent_after = UdpSender(PEERS.ns[A], PEERS.addrs[B], STREAM_PORT, STREAM_RATE, count=STREAM_RATE // 2).stop()
    got_after = receiver.result()
    check(got_after["distinct"] == sent_after == got_after["datagrams"], "faults_link_up_traffic_resumes",
          f"sent {sent_after}, received {got_after}")
    print(f"info: link down/up: linkDown trap {down_after:.2f} s after the peer went down, linkUp {up_after:.2f} s "
          f"after it came back; {sent} sent across it, {sent - got['distinct']} lost while down (counted in "
          f"ifOutDiscards), {sent_after} of {sent_after} after", flush=True)


def threshold_trap(kind, subject):
    """mboxThresholdCrossed's varbinds: type (3 poolUsage, 4 tableFill) and subject."""
    return (THRESHOLD_CROSSED, f"{ENT}.1.6.4.0 = INTEGER: {kind}", f'{ENT}.1.6.5.0 = STRING: "{subject}"')


def trap_value(text):
    """mboxThresholdValue of the last mboxThresholdCrossed in text."""
    values = re.findall(rf"{re.escape(ENT)}\.1\.6\.6\.0 = Gauge32: (\d+)", text)
    return int(values[-1]) if values else None


def pool_exhaustion(m, snmp):
    """Fault 3: copies for a capture wait for the control thread, so a flood
    empties the smallest pool; the port's receive path runs out of mbufs."""
    port_a = lambda col: snmp.num(f"{PORT}.{col}.1")
    idle = wait(lambda: snmp.num(POOL_IN_USE), 2)
    size = snmp.num(f"{ENT}.1.5.1.1.3.1")
    nombuf_before = port_a(16)
    err = snmp.set(f"{PARAM}.3.{CAPTURE}.{CAPTURE_PARAM}", "s", "true")
    check(err is None, "faults_pool_capture_started", f"SET capture = true: {err}")
    mark = len(snmp.traps())
    receiver = UdpReceiver(PEERS.ns[B], FLOOD_PORT)
    flood = UdpSender(PEERS.ns[A], PEERS.addrs[B], FLOOD_PORT, 0)
    flood_at = time.time()
    trap = snmp.trap_after(mark, *threshold_trap(3, "pool mbox_pool"), timeout=5)
    trap_after = time.time() - flood_at
    time.sleep(0.5)
    flooded = flood.stop()
    got = receiver.result()
    check(trap, "faults_pool_usage_trap", f"no poolUsage trap after {flooded} datagrams; {snmp.traps()[mark:][-1500:]}")
    # Every frame the kernel handed to port a was received or counted as a
    # receive drop (DPDK rx_nombuf), which ifInDiscards includes.
    def accounted():
        received, no_mbuf, errors, missed = (port_a(c) for c in (9, 16, 13, 15))
        discards = snmp.num(f"{IF}.13.{IF_INDEX[A]}")
        return (None not in (received, no_mbuf, errors, missed, discards) and no_mbuf > nombuf_before and
                PEERS.tx_packets(A) == received + no_mbuf + errors and discards == missed + no_mbuf)
    check(wait(accounted, 3), "faults_pool_exhaustion_drops_counted",
          f"kernel handed over {PEERS.tx_packets(A)}; received {port_a(9)}, no mbuf {port_a(16)}, "
          f"errors {port_a(13)}, missed {port_a(15)}; ifInDiscards {snmp.num(f'{IF}.13.{IF_INDEX[A]}')}")
    back = wait(lambda: snmp.num(POOL_IN_USE) == idle, 3)
    check(back, "faults_pool_back_to_idle", f"in use {snmp.num(POOL_IN_USE)} of {size}, {idle} before the flood")
    receiver = UdpReceiver(PEERS.ns[B], STREAM_PORT)
    sent = UdpSender(PEERS.ns[A], PEERS.addrs[B], STREAM_PORT, STREAM_RATE, count=STREAM_RATE // 2).stop()
    after = receiver.result()
    check(after["distinct"] == sent == after["datagrams"], "faults_pool_recovered_zero_loss",
          f"sent {sent} after the flood, received {after}")
    err = snmp.set(f"{PARAM}.3.{CAPTURE}.{CAPTURE_PARAM}", "s", "false")
    check(err is None, "faults_pool_capture_stopped", f"SET capture = false: {err}")
    print(f"info: pool of {size} mbufs ({idle} in use idle): flood of {flooded} datagrams, {got['datagrams']} "
          f"crossed; poolUsage trap at {trap_value(snmp.traps()[mark:])}% {trap_after:.2f} s into the flood; "
          f"{port_a(16) - nombuf_before} receive drops for "
          f"want of mbufs; back to {snmp.num(POOL_IN_USE)} in use", flush=True)


def nat_flows(flows, per_flow):
    """flows UDP flows of per_flow datagrams each through the NAT; what arrived."""
    receiver = UdpReceiver(PEERS.ns[B], NAT_PORT)
    UdpSender(PEERS.ns[A], PEERS.addrs[B], NAT_PORT, 1000, flows=flows, count=flows * per_flow).stop()
    return receiver.result()


def nat_table_full(m, snmp):
    """Fault 4: more flows than the NAT has sessions for."""
    def state():
        return {"active": snmp.num(f"{COUNTER}.3.{NAT}.{NAT_ACTIVE}"),
                "created": snmp.num(f"{COUNTER}.3.{NAT}.{NAT_CREATED}"),
                "expired": snmp.num(f"{COUNTER}.3.{NAT}.{NAT_EXPIRED}"),
                "table_full": snmp.num(f"{COUNTER}.3.{NAT}.{NAT_TABLE_FULL}"), "drops": snmp.num(f"{ELEM}.6.{NAT}")}
    flows, per_flow = 3 * NAT_MAX_SESSIONS, 5
    refused = (flows - NAT_MAX_SESSIONS) * per_flow
    mark = len(snmp.traps())
    got = nat_flows(flows, per_flow)
    sent_at = time.time()
    want = {"active": NAT_MAX_SESSIONS, "created": NAT_MAX_SESSIONS, "expired": 0, "table_full": refused,
            "drops": refused}
    check(wait(lambda: state() == want, 3) and got["sources"] == NAT_MAX_SESSIONS and
          got["datagrams"] == NAT_MAX_SESSIONS * per_flow, "faults_nat_table_full_drops_counted",
          f"{flows} flows of {per_flow}: {got} arrived; counters {state()}, expected {want}")
    trap = snmp.trap_after(mark, *threshold_trap(4, "element nat"), f"{ENT}.1.6.6.0 = Gauge32: 100")
    trap_after = time.time() - sent_at
    check(trap, "faults_nat_table_fill_trap", snmp.traps()[mark:][-1500:])
    time.sleep(NAT_UDP_TIMEOUT + 0.5)
    again = nat_flows(NAT_MAX_SESSIONS // 2, per_flow)
    want = {"active": NAT_MAX_SESSIONS // 2, "created": NAT_MAX_SESSIONS * 3 // 2, "expired": NAT_MAX_SESSIONS,
            "table_full": refused, "drops": refused}
    check(wait(lambda: state() == want, 3) and again["sources"] == NAT_MAX_SESSIONS // 2 and
          again["datagrams"] == NAT_MAX_SESSIONS // 2 * per_flow and m.proc.poll() is None,
          "faults_nat_sessions_recover_after_expiry",
          f"after {NAT_UDP_TIMEOUT + 0.5} s: {again} arrived; counters {state()}, expected {want}")
    print(f"info: nat with {NAT_MAX_SESSIONS} sessions: {flows} flows, {got['sources']} got through, {refused} "
          f"datagrams counted table_full; tableFill trap {trap_after:.2f} s after the flows; after "
          f"{NAT_UDP_TIMEOUT} s idle, {again['sources']} new flows of {NAT_MAX_SESSIONS // 2} got through", flush=True)


ACL_MAX_RULES, ROUTER_MAX_NEXT_HOPS = 4096, 256
ACL, ROUTER = 2, 3  # element positions in full_config()
ACL_RULES, ROUTER_NEXT_HOPS = 1, 2  # parameter positions of their kinds


def full_config():
    """An ACL and a router whose writable lists are at their kinds' limits."""
    rules = ", ".join(f'{{ proto = 17; dst_port = "{n}"; action = "deny"; }}' for n in range(1, ACL_MAX_RULES + 1))
    hops = ", ".join(f'{{ name = "nh{n}"; address = "10.1.{n // 250}.{n % 250 + 1}"; mac = "02:00:00:00:00:{n:02x}"; }}'
                     for n in range(ROUTER_MAX_NEXT_HOPS))
    write_pcap(f"{d}/empty.pcap", [])
    return f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 256; file_prefix = "mbox_faults{RUN}"; }};
ports = ( {{ name = "p"; device = "net_pcap0,rx_pcap={d}/empty.pcap,tx_pcap={d}/p.pcap"; }} );
elements = (
  {{ name = "rx"; kind = "port_rx"; port = "p"; }},
  {{ name = "acl"; kind = "acl"; default_action = "permit"; rules = ( {rules} ); }},
  {{ name = "router"; kind = "router"; interfaces = ( {{ name = "p"; port = "p"; address = "10.1.255.254"; prefix_len = 16; }} );
     next_hops = ( {hops} ); routes = ( {{ prefix = "0.0.0.0/0"; next_hop = "nh0"; }} ); }},
  {{ name = "tx"; kind = "port_tx"; port = "p"; }}
);
links = ( "rx -> acl[permit] -> router[p] -> tx" );
{SNMP_SECTION}"""


def row_beyond_limit_refused(snmp, element, param, limit, value, kind):
    """createAndGo of row limit + 1: refused with the reason, nothing changes."""
    row = f"{ROW}.%d.{element}.{param}.%d"
    state = lambda: (snmp.get(GENERATION), snmp.get(HASH), snmp.get(row % (4, limit)), snmp.get(row % (4, limit + 1)))
    before = state()
    got = snmp.set(row % (4, limit + 1), "i", "4", row % (2, limit + 1), "s", value)
    reason = snmp.get(LAST_ERROR) or ""
    check(before[2] == "1" and before[3] is None and got == "noCreation" and f"at most {limit} rows" in reason
          and state() == before, f"faults_{kind}_row_beyond_limit_refused",
          f"SET of row {limit + 1}: {got}; mboxConfigLastError {reason!r}; state {state()} (was {before})")
    print(f"info: {kind} row {limit + 1}: {got}, {reason!r}", flush=True)


def tables_at_capacity(snmp):
    """A second mboxd whose ACL and router lists are full."""
    cfg = f"{d}/full.cfg"
    with open(cfg, "w") as f:
        f.write(full_config())
    m = Mboxd(cfg)
    try:
        if not check(m.start(60) and wait(lambda: snmp.get(GENERATION) == "1", 15), "faults_full_tables_mboxd_starts",
                     m.output()[-1500:]):
            return
        row_beyond_limit_refused(snmp, ACL, ACL_RULES, ACL_MAX_RULES, 'proto = 6; dst_port = "22"; action = "deny";',
                                 "acl")
        row_beyond_limit_refused(snmp, ROUTER, ROUTER_NEXT_HOPS, ROUTER_MAX_NEXT_HOPS,
                                 'name = "extra"; address = "10.1.9.9";', "router")
    finally:
        check(m.stop() is not None, "faults_full_tables_mboxd_stops_cleanly", m.output()[-1500:])


mbufs = smallest_pool()
cfg = f"{d}/faults.cfg"
with open(cfg, "w") as f:
    f.write(config(mbufs))
snmp = Snmp(d, cfg, f"udp:127.0.0.1:{AGENT}", AUTH, TRAPS)
m = Mboxd(cfg)
try:
    if not check(m.start(), "faults_mboxd_starts", m.output()[-2000:]):
        raise SystemExit
    PEERS.attach()
    check(wait(lambda: snmp.get(GENERATION) == "1", 15), "faults_subagent_answers", m.output()[-1000:])
    snmpd_killed_under_stream(m, snmp)
    link_down_and_up(m, snmp)
    nat_table_full(m, snmp)
    pool_exhaustion(m, snmp)
    check(m.stop() is not None, "faults_mboxd_stops_cleanly", m.output()[-1500:])
    tables_at_capacity(snmp)
finally:
    if m.proc and m.proc.poll() is None:
        m.stop()
    snmp.stop()
    PEERS.cleanup()
finish()
