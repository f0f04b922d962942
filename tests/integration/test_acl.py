#!/usr/bin/env python3
"""acl: frames from a pcap file through the real mboxd (net_pcap ports) and a
firewall; what comes out of each output is compared byte for byte with a
Python model of the rules, and the per-rule hit counters (rowN) and the
permitted/denied/... counters with the model's counts."""
import ipaddress
import struct

from mboxtest import Mboxd, check, finish, frame, read_pcap, write_pcap, workdir

d = workdir("acl")

# (name, src, dst, proto, src_port, dst_port, priority, action); None: any
RULES = [
    ("ssh_admin", "192.168.10.0/24", "10.0.0.0/8", 6, None, (22, 22), 0, "permit"),
    ("web", "0.0.0.0/0", "10.0.0.80/32", 6, None, (80, 443), 0, "permit"),
    ("dns", "0.0.0.0/0", "0.0.0.0/0", 17, (1024, 65535), (53, 53), 0, "permit"),
    ("blocked", "10.66.0.0/16", "0.0.0.0/0", None, None, None, 100, "deny"),
    ("icmp", "0.0.0.0/0", "0.0.0.0/0", 1, None, None, 0, "out1"),
]


def rule_cfg(r):
    name, src, dst, proto, sport, dport, prio, action = r
    text = f'{{ name = "{name}"; src = "{src}"; dst = "{dst}"; action = "{action}";'
    if proto is not None:
        text += f" proto = {proto};"
    for field, rng in (("src_port", sport), ("dst_port", dport)):
        if rng:
            text += f' {field} = "{rng[0]}-{rng[1]}";'
    if prio:
        text += f" priority = {prio};"
    return text + " }"


def with_ip_option(fr):
    """The same frame with a 4-byte IP option (NOPs) before the L4 header."""
    ip = bytearray(fr[14:34]) + b"\x01\x01\x01\x01"
    ip[0] = 0x46
    ip[2:4] = struct.pack("!H", struct.unpack("!H", ip[2:4])[0] + 4)
    return fr[:14] + bytes(ip) + fr[34:]


# Ethertypes after the tags with an action of their own (elements/acl.c,
# pkt_ethertype_hides_l3 in elements/pkt.h); the others take non_ip.
CLASSES = {0x0806: "arp", 0x86DD: "ipv6", **{t: "unparsed" for t in (
    0x8100, 0x88A8, 0x9100, 0x9200, 0x9300, 0x8847, 0x8848, 0x8864, 0x88E7, 0x893F, 0x894F, 0x6558)}}
# The firewall's actions for them (arp = "permit"; the others default to deny).
CLASS_ACTIONS = {"arp": "permit", "ipv6": "deny", "unparsed": "deny", "non_ip": "deny"}


def model(fr):
    """-> (verdict, index of the rule that decided or None, non-first fragment?);
    verdict: an action, or arp, ipv6, unparsed, non_ip, truncated, bad_header."""
    if len(fr) < 14:
        return "truncated", None, False
    off, etype = 14, fr[12:14]
    for _ in range(2):  # up to two tags, 802.1Q or 802.1ad (elements/pkt.h)
        if etype not in (b"\x81\x00", b"\x88\xa8"):
            break
        if len(fr) < off + 4:
            return "truncated", None, False
        off, etype = off + 4, fr[off + 2:off + 4]
    if etype != b"\x08\x00":
        return CLASSES.get(int.from_bytes(etype, "big"), "non_ip"), None, False
    if len(fr) < off + 20:
        return "truncated", None, False
    ihl, total = (fr[off] & 0xF) * 4, int.from_bytes(fr[off + 2:off + 4], "big")
    if fr[off] >> 4 != 4 or ihl < 20 or total < ihl:
        return "bad_header", None, False
    if len(fr) < off + ihl or len(fr) < off + total:
        return "truncated", None, False
    proto = fr[off + 9]
    src = ipaddress.ip_address(fr[off + 12:off + 16])
    dst = ipaddress.ip_address(fr[off + 16:off + 20])
    ports, fragment = None, bool(int.from_bytes(fr[off + 6:off + 8], "big") & 0x1FFF)
    if not fragment and proto in (6, 17, 132):
        if total < ihl + 4:
            return "truncated", None, False
        ports = struct.unpack("!HH", fr[off + ihl:off + ihl + 4])
    best = None
    for i, (_, rsrc, rdst, rproto, sport, dport, prio, action) in enumerate(RULES):
        if src not in ipaddress.ip_network(rsrc) or dst not in ipaddress.ip_network(rdst):
            continue
        if rproto is not None and rproto != proto:
            continue
        if sport or dport:
            if ports is None:
                continue
            if sport and not sport[0] <= ports[0] <= sport[1]:
                continue
            if dport and not dport[0] <= ports[1] <= dport[1]:
                continue
        if best is None or prio > RULES[best][6]:
            best = i
    return ("deny" if best is None else RULES[best][7]), best, fragment


base = [
    frame(proto=6, src_ip="192.168.10.5", dst_ip="10.1.1.1", dport=22),   # ssh_admin
    frame(proto=6, src_ip="192.168.11.5", dst_ip="10.1.1.1", dport=22),   # default deny
    frame(proto=6, dst_ip="10.0.0.80", dport=80),                         # web
    frame(proto=6, dst_ip="10.0.0.80", dport=443, payload=b"y" * 300),    # web
    frame(proto=6, dst_ip="10.0.0.80", dport=8080),                       # default deny
    frame(proto=17, sport=5353, dport=53),                                # dns
    frame(proto=17, sport=53, dport=53),                                  # dns needs sport >= 1024: deny
    frame(proto=17, sport=5353, dport=53, src_ip="10.66.1.1"),            # blocked beats dns
    frame(proto=1),                                                       # icmp -> out1
    frame(ethertype=0x0806),                                              # ARP: arp permit
    frame(ethertype=0x86DD),                                              # IPv6: ipv6 deny
    frame(ethertype=0x88CC),                                              # LLDP: non_ip deny
    frame(vlan=10, proto=17, sport=5353, dport=53),                       # tagged dns
    frame(proto=17, sport=5353, dport=53, frag=100),                      # non-first fragment: deny
    frame(proto=17, sport=5353, dport=53, frag=0x2000),                   # first fragment (MF): dns
    frame(proto=17, sport=5353, dport=53)[:36],                           # ports cut off: truncated
    with_ip_option(frame(proto=17, sport=5353, dport=53)),                # dns after an IP option
]
inputs = base * 25  # bursts of up to 256 (port_rx burst): several classify chunks

want = {"permit": [], "out1": []}
hits = [0] * len(RULES)
counts = {"permitted": 0, "denied": 0, "arp": 0, "ipv6": 0, "unparsed": 0, "non_ip": 0, "truncated": 0,
          "bad_header": 0, "fragments": 0}
for fr in inputs:
    verdict, rule, fragment = model(fr)
    counts["fragments"] += fragment
    if rule is not None:
        hits[rule] += 1
    if verdict in CLASS_ACTIONS:
        counts[verdict] += 1
        verdict = CLASS_ACTIONS[verdict]
    if verdict in want:
        want[verdict].append(fr)
        counts["permitted"] += 1
    elif verdict == "deny":
        counts["denied"] += 1
    else:
        counts[verdict] += 1

write_pcap(f"{d}/in.pcap", inputs)
write_pcap(f"{d}/empty.pcap", [])
cfg = f"{d}/mbox.cfg"
rules_text = ",\n    ".join(rule_cfg(r) for r in RULES)
with open(cfg, "w") as f:
    f.write(f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = 8191; file_prefix = "mbox_acl"; }};
ports = (
  {{ name = "in";   device = "net_pcap0,rx_pcap={d}/in.pcap,tx_pcap={d}/in_tx.pcap"; }},
  {{ name = "ok";   device = "net_pcap1,rx_pcap={d}/empty.pcap,tx_pcap={d}/ok.pcap"; }},
  {{ name = "icmp"; device = "net_pcap2,rx_pcap={d}/empty.pcap,tx_pcap={d}/icmp.pcap"; }}
);
elements = (
  {{ name = "rx"; kind = "port_rx"; port = "in"; burst = 256; }},
  {{ name = "fw"; kind = "acl"; default_action = "deny"; arp = "permit";
    rules = (
    {rules_text} ); }},
  {{ name = "tx_ok";   kind = "port_tx"; port = "ok"; }},
  {{ name = "tx_icmp"; kind = "port_tx"; port = "icmp"; }}
);
links = ( "rx -> fw[permit] -> tx_ok", "fw[out1] -> tx_icmp" );
""")

m = Mboxd(cfg)
if check(m.start(), "acl_mboxd_starts", m.output()[-2000:]):
    m.wait_inputs_read()
stats = m.stop()
check(stats is not None, "acl_mboxd_stops_cleanly", m.output()[-2000:])
if stats:
    got_ok, got_icmp = read_pcap(f"{d}/ok.pcap"), read_pcap(f"{d}/icmp.pcap")
    check(got_ok == want["permit"], "acl_permit_output_bytes",
          f"{len(got_ok)} frames, expected {len(want['permit'])}")
    check(got_icmp == want["out1"], "acl_out1_output_bytes",
          f"{len(got_icmp)} frames, expected {len(want['out1'])}")
    fw = stats["element"]["fw"]
    got_hits = [fw.get(f"row{i}") for i in range(len(RULES))]
    check(got_hits == hits, "acl_rule_hit_counters", f"rows {got_hits}, expected {hits}")
    got_counts = {k: fw.get(k) for k in counts}
    check(got_counts == counts, "acl_kind_counters", f"{got_counts}, expected {counts}")
    check(fw["in"] == len(inputs) and fw["out.permit"] == len(want["permit"])
          and fw["out.out1"] == len(want["out1"])
          and fw["drops"] == counts["denied"] + counts["truncated"] + counts["bad_header"],
          "acl_outputs_and_drops_add_up", str(fw))
finish()
