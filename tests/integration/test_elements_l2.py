#!/usr/bin/env python3
"""vlan, policer and load_balancer in the real mboxd: frames in from a pcap
file, split by VLAN (tag popped), VLAN 10 policed (srTCM: yellow re-marked,
red dropped) and tagged again, VLAN 20 load-balanced over two ports,
untagged frames through a vlan pop, unknown VLANs out unchanged.  Every
output pcap is compared byte for byte with what Python computes; counters
come from the stop dump."""
import struct

from mboxtest import Mboxd, check, finish, frame, ipv4_checksum, read_pcap, workdir, write_pcap

d = workdir("l2")
CBS, EBS, YELLOW_DSCP = 300, 200, 46


def pop(fr):
    return fr[:12] + fr[16:]


def push(fr, tci):
    return fr[:12] + struct.pack("!HH", 0x8100, tci) + fr[12:]


def mark(fr, dscp):
    ip = bytearray(fr[14:34])
    ip[1] = dscp << 2 | (ip[1] & 3)
    ip[10:12] = b"\0\0"
    ip[10:12] = struct.pack("!H", ipv4_checksum(bytes(ip)))
    return fr[:14] + bytes(ip) + fr[34:]


def srtcm(lengths, cbs, ebs):
    tc, te, colours = cbs, ebs, []
    for n in lengths:
        if tc >= n:
            tc -= n
            colours.append("green")
        elif te >= n:
            te -= n
            colours.append("yellow")
        else:
            colours.append("red")
    return colours


policed = [frame(vlan=10, sport=7, payload=b"p" * 58, proto=17 if i % 2 else 6) for i in range(8)]
flows = [dict(src_ip=f"10.1.{i}.1", dst_ip=f"10.2.{i % 7}.9", sport=1000 + i, dport=80 + i % 3,
              proto=6 if i % 2 else 17) for i in range(20)]
balanced = []
for f in flows:
    back = dict(f, src_ip=f["dst_ip"], dst_ip=f["src_ip"], sport=f["dport"], dport=f["sport"])
    balanced += [frame(vlan=20, **f), frame(vlan=20, **back)]
untagged = [frame(ethertype=0x0806), frame(proto=17, dport=53), frame(proto=6)]
unknown = [frame(vlan=30), frame(vlan=4000, ethertype=0x0806)]
runt = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x81\x00\x00\x0a"
inputs = policed[:3] + balanced[:10] + untagged + unknown + [runt] + policed[3:] + balanced[10:]

colours = srtcm([len(pop(fr)) for fr in policed], CBS, EBS)
want_a = [push(mark(pop(fr), YELLOW_DSCP) if c == "yellow" else pop(fr), 3 << 13 | 10)
          for fr, c in zip(policed, colours) if c != "red"]
want_balanced = [pop(fr) for fr in balanced]

write_pcap(f"{d}/in.pcap", inputs)
cfg = f"{d}/mbox.cfg"
ports = ["a", "x", "y", "u", "o"]
with open(cfg, "w") as f:
    f.write(f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; file_prefix = "mbox_l2"; }};
ports = (
  {{ name = "in"; device = "net_pcap0,rx_pcap={d}/in.pcap"; }},
""" + ",\n".join(f'  {{ name = "{p}"; device = "net_pcap{i + 1},tx_pcap={d}/{p}.pcap"; }}'
                 for i, p in enumerate(ports)) + f"""
);
elements = (
  {{ name = "rx";  kind = "port_rx"; port = "in"; }},
  {{ name = "vs";  kind = "vlan"; mode = "split"; pop = true;
     vlans = ( {{ vid = 10; name = "pol"; }}, {{ vid = 20; name = "lb"; }} ); }},
  {{ name = "pol"; kind = "policer"; cir = 1; cbs = {CBS}; ebs = {EBS};
     yellow = "mark"; yellow_dscp = {YELLOW_DSCP}; }},
  {{ name = "tag"; kind = "vlan"; mode = "push"; vid = 10; pcp = 3; }},
  {{ name = "lb";  kind = "load_balancer"; outputs = ( {{ name = "x"; }}, {{ name = "y"; }} ); }},
  {{ name = "pop"; kind = "vlan"; mode = "pop"; }},
""" + ",\n".join(f'  {{ name = "tx_{p}"; kind = "port_tx"; port = "{p}"; }}' for p in ports) + """
);
links = (
  "rx -> vs[pol] -> pol -> tag -> tx_a",
  "vs[lb] -> lb[x] -> tx_x", "lb[y] -> tx_y",
  "vs[untagged] -> pop -> tx_u",
  "vs[other] -> tx_o"
);
""")

m = Mboxd(cfg)
if check(m.start(), "l2_mboxd_starts", m.output()[-2000:]):
    m.wait_inputs_read()
stats = m.stop()
check(stats is not None, "l2_mboxd_stops_cleanly", m.output()[-2000:])
if stats:
    got = {p: read_pcap(f"{d}/{p}.pcap") for p in ports}
    e = stats["element"]
    check(got["a"] == want_a, "l2_policed_vlan_bytes",
          f"{len(got['a'])} frames, expected {len(want_a)} (colours {colours})")
    check(got["u"] == untagged and got["o"] == unknown, "l2_untagged_and_unknown_vlan_bytes",
          f"untagged {len(got['u'])}/{len(untagged)}, other {len(got['o'])}/{len(unknown)}")
    in_order = all([fr for fr in want_balanced if fr in got[p]] == got[p] for p in ("x", "y"))
    check(sorted(got["x"] + got["y"]) == sorted(want_balanced) and in_order, "l2_balanced_bytes",
          f"x {len(got['x'])} + y {len(got['y'])} frames, expected {len(want_balanced)} popped frames in order")
    pairs_split = sum((want_balanced[2 * i] in got["x"]) != (want_balanced[2 * i + 1] in got["x"])
                      for i in range(len(flows)))
    check(pairs_split == 0 and got["x"] and got["y"], "l2_balancer_symmetric_and_spread",
          f"{pairs_split} flows split between directions; x {len(got['x'])}, y {len(got['y'])}")
    n_col = {c: colours.count(c) for c in ("green", "yellow", "red")}
    check(e["pol"]["green"] == n_col["green"] and e["pol"]["yellow"] == n_col["yellow"]
          and e["pol"]["red"] == n_col["red"] and e["pol"]["marked"] == n_col["yellow"]
          and e["pol"]["drops"] == n_col["red"], "l2_policer_counters", str(e["pol"]))
    check(e["vs"]["popped"] == len(policed) + len(balanced) and e["vs"]["untagged"] == len(untagged)
          and e["vs"]["unknown_vid"] == len(unknown) and e["vs"]["runts"] == 1 and e["vs"]["drops"] == 1
          and e["tag"]["pushed"] == len(want_a) and e["pop"]["untagged"] == len(untagged),
          "l2_vlan_counters", f"{e['vs']} {e['tag']} {e['pop']}")
    check(e["lb"]["out.x"] == len(got["x"]) and e["lb"]["out.y"] == len(got["y"]),
          "l2_balancer_counters", str(e["lb"]))
finish()
