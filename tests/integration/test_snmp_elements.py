#!/usr/bin/env python3
"""The element library managed over SNMP, through a real snmpd and mboxd's
subagent: one chain with every kind that has run-time parameters (mirror,
policer, sequencer, http_filter, acl, nat, router) under live traffic, and a
SET of each (a whole parameter, or a row of a list created or destroyed with
RowStatus).  Each SET must build exactly one new generation and read back;
turning the mirror's capture on over SNMP must produce a pcap file."""
import os
import time

from mboxtest import Mboxd, Snmp, check, finish, plan, frame, free_udp_port, workdir, write_pcap

d = workdir("snmpel")
ENT = ".1.3.6.1.4.1.99999"
GENERATION = ENT + ".1.1.4.0"
PARAM_VALUE = ENT + ".1.3.4.1.3"
ROW = ENT + ".1.3.5.1"



AGENT = free_udp_port()
ADMIN = ["-v3", "-l", "authPriv", "-u", "admin", "-a", "SHA", "-A", "elem-admin-pass", "-x", "AES",
         "-X", "elem-priv-pass"]
TARGET = f"udp:127.0.0.1:{AGENT}"
ELEMENTS = ["rx", "mir", "pol", "seq", "hf", "acl", "nat", "rt", "sink"]
CONFIG = f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 256; mbufs = 8191; file_prefix = "mbox_snmpel";
         eal_args = ( "--in-memory" ); }};
ports = ( {{ name = "live"; device = "net_pcap0,rx_pcap={d}/live.pcap,infinite_rx=1"; }} );
elements = (
  {{ name = "rx"; kind = "port_rx"; port = "live"; }},
  {{ name = "mir"; kind = "mirror"; }},
  {{ name = "pol"; kind = "policer"; cir = 1000000000; cbs = 100000; red = "pass"; }},
  {{ name = "seq"; kind = "sequencer"; port = 1001; }},
  {{ name = "hf"; kind = "http_filter"; rules = ( {{ host = "blocked.example"; action = "deny"; }} ); }},
  {{ name = "acl"; kind = "acl"; default_action = "permit";
     rules = ( {{ proto = 6; dst_port = "23"; action = "deny"; }}, {{ proto = 6; dst_port = "25"; action = "deny"; }} ); }},
  {{ name = "nat"; kind = "nat"; address = "198.51.100.1"; }},
  {{ name = "rt"; kind = "router";
     interfaces = ( {{ name = "wan"; port = "live"; address = "203.0.113.2"; prefix_len = 24; mac = "02:00:00:00:00:02"; }} );
     next_hops = ( {{ name = "gw"; address = "203.0.113.1"; mac = "02:00:00:00:00:01"; }} );
     routes = ( {{ prefix = "0.0.0.0/0"; next_hop = "gw"; }} ); }},
  {{ name = "sink"; kind = "drop"; }}
);
links = ( "rx -> mir[out] -> pol -> seq -> hf[out] -> acl -> nat[outside] -> rt[wan] -> sink",
          "mir[copy] -> sink", "hf[reverse] -> sink", "nat[inside] -> sink" );
snmp = {{ agentx_socket = "{d}/agentx.sock"; ping_interval = 1; listen = "udp:127.0.0.1:{AGENT}";
  users = ( {{ name = "admin"; auth_pass = "elem-admin-pass"; priv_pass = "elem-priv-pass"; write = true; }} ); }};
"""


def snmp(tool, *args):
    r = agent.run(tool, *args, options=("-Oqv",), timeout=5, retries=0)
    return r.returncode == 0, (r.stdout + r.stderr).strip().strip('"')


def generation():
    ok, out = snmp("snmpget", GENERATION)
    return int(out) if ok and out.isdigit() else None


def param(element, name):
    """The OID suffix "E.P" of a parameter, found by its name over SNMP."""
    return agent.param(ELEMENTS.index(element) + 1, name)


def rows(suffix):
    r = agent.run("snmpwalk", f"{ROW}.2.{suffix}", options=("-Oqn",), timeout=5, retries=0)
    return [line.split(" ", 1)[1].strip('"').replace('\\"', '"') for line in r.stdout.splitlines()
            if line.startswith(".") and "No Such" not in line]


write_pcap(f"{d}/live.pcap", [frame(proto=17, sport=5000 + i, dport=1001, dst_ip="192.0.2.7",
                                    payload=bytes(20)) for i in range(8)])
cfg = f"{d}/mbox.cfg"
with open(cfg, "w") as f:
    f.write(CONFIG)
agent = Snmp(d, cfg, TARGET, ADMIN)
whole = [  # (test, element, parameter, value to SET, value read back)
    ("policer_rate", "pol", "cir", "2000000000", "2000000000"),
    ("sequencer_restart", "seq", "start", "1000", "1000"),
    ("http_filter_default", "hf", "default_action", "deny", "deny"),
    ("acl_arp_action", "acl", "arp", "permit", "permit"),
]
plan(*(f"snmpel_set_{test}" for test, *_ in whole), "snmpel_acl_unparsed_allow_refused", "snmpel_acl_ipv6_out1_refused")

row_sets = [  # (test, element, list, RowStatus, row, value or None)
    ("router_route_added", "rt", "routes", 4, 2, '{ prefix = "198.18.0.0/15"; next_hop = "gw"; }'),
    ("router_next_hop_added", "rt", "next_hops", 4, 2, '{ name = "gw2"; address = "203.0.113.9"; }'),
    ("nat_static_added", "nat", "static", 4, 1,
     '{ proto = "tcp"; public_port = 80; inside_address = "10.0.0.80"; inside_port = 8080; }'),
    ("http_filter_rule_added", "hf", "rules", 4, 2, '{ host = "*.ads.example"; action = "deny"; }'),
    ("acl_rule_destroyed", "acl", "rules", 6, 1, None),
]
plan(*(f"snmpel_row_{test}" for test, *_ in row_sets))

m = Mboxd(cfg)
try:
    started = check(m.start(), "snmpel_mboxd_starts", m.output()[-2000:])
    deadline = time.time() + 20
    while started and generation() != 1 and time.time() < deadline:
        time.sleep(0.5)
    check(generation() == 1, "snmpel_subagent_answers", str(generation()))

    capture = f"{d}/mirror.pcap"
    for test, element, name, value, want in whole:
        before, at = generation(), param(element, name)
        ok, out = snmp("snmpset", f"{PARAM_VALUE}.{at}", "s", value) if at else (False, f"no parameter {name}")
        ok2, back = snmp("snmpget", f"{PARAM_VALUE}.{at}")
        check(ok and generation() == before + 1 and back == want, f"snmpel_set_{test}",
              f"{out}; generation {before} -> {generation()}; read back {back!r}")

    # The acl's class actions are checked as the file would be: not an action,
    # or an output (out1) that no link takes.
    for name, value, error in (("unparsed", "allow", "wrongValue"), ("ipv6", "out1", "inconsistentValue")):
        before, at = generation(), param("acl", name)
        ok, out = snmp("snmpset", f"{PARAM_VALUE}.{at}", "s", value) if at else (True, f"no parameter {name}")
        ok2, back = snmp("snmpget", f"{PARAM_VALUE}.{at}")
        check(not ok and error in out and generation() == before and back == "deny",
              f"snmpel_acl_{name}_{value}_refused", f"{out}; generation {before} -> {generation()}; read back {back!r}")

    # Mirror capture on (file and switch in one SET): the control hook writes packets.
    before, on, path = generation(), param("mir", "capture"), param("mir", "capture_file")
    ok, out = snmp("snmpset", f"{PARAM_VALUE}.{path}", "s", capture, f"{PARAM_VALUE}.{on}", "s", "true")
    time.sleep(1.5)
    size = os.path.getsize(capture) if os.path.exists(capture) else 0
    check(ok and generation() == before + 1 and size > 24 + 16, "snmpel_mirror_capture_started_over_snmp",
          f"{out}; generation {before} -> {generation()}; {capture}: {size} bytes")

    for test, element, name, status, row, value in row_sets:
        before, at = generation(), param(element, name)
        n_before = len(rows(at)) if at else 0
        varbinds = [f"{ROW}.4.{at}.{row}", "i", str(status)] + ([f"{ROW}.2.{at}.{row}", "s", value] if value else [])
        ok, out = snmp("snmpset", *varbinds) if at else (False, f"no parameter {name}")
        now = rows(at) if at else []
        want = n_before + (1 if status == 4 else -1)
        check(ok and generation() == before + 1 and len(now) == want and
              (not value or value.split(";")[0].split("=")[1].strip() in now[row - 1]),
              f"snmpel_row_{test}", f"{out}; generation {before} -> {generation()}; rows {n_before} -> {now}")
    stats = m.stop()
    e = stats["element"] if stats else {}
    check(stats is not None and e["seq"]["stamped"] > 0 and e["rt"]["out.wan"] > 0 and e["mir"]["captured"] > 0,
          "snmpel_traffic_crossed_every_generation", str({k: e.get(k) for k in ("seq", "rt", "mir")}))
finally:
    if m.proc and m.proc.poll() is None:
        m.stop()
    agent.stop()
finish()
