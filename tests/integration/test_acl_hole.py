#!/usr/bin/env python3
"""acl, issue 20's hole: IPv6 and tagged IPv4 against an ACL whose IPv4 rules
deny them, with ARP permitted, through the real mboxd (net_pcap ports).
Nothing the rules deny may cross, and neither may what they cannot judge
(IPv6, IP behind a third tag or an encapsulation); ARP crosses.  Each output
is compared byte for byte with what should cross.

Two firewalls see the same frames: `fw_new` permits ARP with `arp`, the way
the docs now say; `fw_old` has `non_ip = "permit"`, the way they said before,
which let every IPv6 packet through.  --check must warn about fw_old's
setting, with its file:line."""
import socket
import struct
import subprocess

from mboxtest import MBOXD, Mboxd, check, finish, frame, mac, plan, read_pcap, workdir, write_pcap

FIREWALLS = (("new", 1), ("old", 2))  # element fw_<name>; its column in CASES
plan(*(f"acl_hole_{fw}_only_permitted_frames_cross" for fw, _ in FIREWALLS))
d = workdir("acl_hole")

ETH = mac("02:00:00:00:00:02") + mac("02:00:00:00:00:01")


def tag(fr, tpid=0x88A8, vid=100):
    """fr with a tag (TPID, VID) in front of the tags it has."""
    return fr[:12] + struct.pack("!HH", tpid, vid) + fr[12:]


def ipv6(next_header, l4, src="2001:db8::1", dst="2001:db8::2", hop_limit=64):
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(l4), next_header, hop_limit,
                     socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst))
    return (ETH + struct.pack("!H", 0x86DD) + ip + l4).ljust(60, b"\0")


def tcp6(dport):
    return ipv6(6, struct.pack("!HHIIHHHH", 40000, dport, 1, 0, 0x5002, 1024, 0, 0))


def udp6(dport):
    return ipv6(17, struct.pack("!HHHH", 40000, dport, 12, 0) + b"mbox")


def neighbor_solicitation():
    target = socket.inet_pton(socket.AF_INET6, "2001:db8::2")
    return ipv6(58, struct.pack("!BBHI", 135, 0, 0, 0) + target, dst="ff02::1:ff00:2", hop_limit=255)


def arp(vlan=None):
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac("02:00:00:00:00:01") + socket.inet_aton("10.0.0.1") \
        + b"\0" * 6 + socket.inet_aton("10.0.0.2")
    return frame(dst="ff:ff:ff:ff:ff:ff", vlan=vlan, ethertype=0x0806, payload=body)


def mpls(fr):
    """fr's IPv4 packet behind one MPLS label (bottom of stack)."""
    return (fr[:12] + struct.pack("!HI", 0x8847, (16 << 12) | 0x100 | 64) + fr[14:]).ljust(60, b"\0")


WEB = dict(proto=6, dst_ip="10.0.0.80", dport=80)   # the one thing the rules permit
TELNET = dict(proto=6, dst_ip="10.0.0.80", dport=23)
DNS = dict(proto=17, dport=53)

# (frame, crosses fw_new, crosses fw_old)
CASES = [
    (frame(**WEB), True, True),                                 # IPv4 the rules permit
    (tag(frame(vlan=10, **WEB)), True, True),                   # ... in QinQ: the rules see it
    (frame(**TELNET), False, False),                            # IPv4 the rules deny
    (frame(vlan=10, **TELNET), False, False),
    (tag(frame(vlan=10, **TELNET)), False, False),              # QinQ IPv4 the rules deny
    (tag(frame(vlan=10, **DNS), tpid=0x8100), False, False),    # QinQ with 802.1Q outside
    (tcp6(80), False, False),                                   # IPv6: no IPv6 rules yet
    (tcp6(23), False, False),
    (udp6(53), False, False),
    (tag(tcp6(80), tpid=0x8100, vid=10), False, False),         # tagged IPv6
    (tag(tag(tcp6(80), tpid=0x8100, vid=10)), False, False),    # QinQ IPv6
    (neighbor_solicitation(), False, False),
    (tag(tag(frame(vlan=10, **WEB))), False, False),            # a third tag: unparsed
    (tag(frame(**WEB), tpid=0x9100), False, False),             # pre-standard QinQ TPID
    (mpls(frame(**WEB)), False, False),                         # IPv4 in MPLS
    (arp(), True, True),                                        # ARP crosses
    (arp(vlan=10), True, True),
    (tag(arp(vlan=10)), True, True),
    (frame(dst="01:80:c2:00:00:0e", ethertype=0x88CC), False, True),  # LLDP: non_ip
]
inputs = [fr for fr, _, _ in CASES] * 10

write_pcap(f"{d}/in.pcap", inputs)
write_pcap(f"{d}/empty.pcap", [])
cfg = f"{d}/mbox.cfg"
RULES = ('rules = ( { name = "web"; dst = "10.0.0.80"; proto = 6; dst_port = "80"; action = "permit"; },\n'
         '            { name = "telnet"; proto = 6; dst_port = "23"; action = "deny"; } );')
with open(cfg, "w") as f:
    f.write(f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = 16383; file_prefix = "mbox_acl_hole"; }};
ports = (
  {{ name = "in_new";  device = "net_pcap0,rx_pcap={d}/in.pcap,tx_pcap={d}/in_new_tx.pcap"; }},
  {{ name = "in_old";  device = "net_pcap1,rx_pcap={d}/in.pcap,tx_pcap={d}/in_old_tx.pcap"; }},
  {{ name = "out_new"; device = "net_pcap2,rx_pcap={d}/empty.pcap,tx_pcap={d}/out_new.pcap"; }},
  {{ name = "out_old"; device = "net_pcap3,rx_pcap={d}/empty.pcap,tx_pcap={d}/out_old.pcap"; }}
);
elements = (
  {{ name = "rx_new"; kind = "port_rx"; port = "in_new"; }},
  {{ name = "rx_old"; kind = "port_rx"; port = "in_old"; }},
  {{ name = "fw_new"; kind = "acl"; default_action = "deny"; arp = "permit";
    {RULES} }},
  {{ name = "fw_old"; kind = "acl"; default_action = "deny";
    non_ip = "permit";
    {RULES} }},
  {{ name = "tx_new"; kind = "port_tx"; port = "out_new"; }},
  {{ name = "tx_old"; kind = "port_tx"; port = "out_old"; }}
);
links = ( "rx_new -> fw_new -> tx_new", "rx_old -> fw_old -> tx_old" );
""")
old_line = open(cfg).read().splitlines().index('    non_ip = "permit";') + 1

p = subprocess.run([MBOXD, "--check", cfg], capture_output=True, text=True, timeout=60)
check(p.returncode == 0 and p.stderr.count(": warning: ") == 1
      and f"{cfg}:{old_line}: warning: element 'fw_old': field 'non_ip' = \"permit\"" in p.stderr
      and "1 warning(s)" in p.stderr, "acl_hole_check_warns_non_ip_permit", p.stdout + p.stderr)

m = Mboxd(cfg)
if check(m.start(), "acl_hole_mboxd_starts", m.output()[-2000:]):
    m.wait_inputs_read()
stats = m.stop()
check(stats is not None, "acl_hole_mboxd_stops_cleanly", m.output()[-2000:])
if stats:
    for fw, column in FIREWALLS:
        want = [case[0] for case in CASES if case[column]] * 10
        got = read_pcap(f"{d}/out_{fw}.pcap")
        leaked = sorted({i % len(CASES) for i, fr in enumerate(inputs)
                         if fr in got and not CASES[i % len(CASES)][column]})
        check(got == want, f"acl_hole_{fw}_only_permitted_frames_cross",
              f"{len(got)} frames, expected {len(want)}; crossed though denied: cases {leaked}")
    new, old = stats["element"]["fw_new"], stats["element"]["fw_old"]
    want_new = {"arp": 30, "ipv6": 60, "unparsed": 30, "non_ip": 10, "permitted": 50, "denied": 140,
                "row0": 20, "row1": 30}
    got_new = {k: new.get(k) for k in want_new}
    check(got_new == want_new, "acl_hole_new_counters", f"{got_new}, expected {want_new}")
    want_old = dict(want_new, permitted=60, denied=130)
    got_old = {k: old.get(k) for k in want_old}
    check(got_old == want_old, "acl_hole_old_counters", f"{got_old}, expected {want_old}")
finish()
