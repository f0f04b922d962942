#!/usr/bin/env python3
"""The combined example, firmware/examples/two-slices.cfg (vlan -> acl -> nat ->
router -> policer for two slices), run as written with its pcap ports: tagged
frames of both slices in on the trunk, and what leaves on the uplink checked
field by field (tag removed, slice's own public source address, TTL - 1 with a
valid header checksum, router MACs), per-slice firewall verdicts and counters."""
import os
import shutil
import socket
import struct

from mboxtest import Mboxd, check, finish, frame, ipv4_checksum, mac, read_pcap, workdir, write_pcap

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../firmware/examples/two-slices.cfg")
d = workdir("slices")
DST = "192.0.2.99"

# (slice VLAN, proto, dst port, expected public source or None when dropped, why)
cases = [
    (10, 6, 80, "198.51.100.10", "acl10 permits web"),
    (10, 17, 53, "198.51.100.10", "acl10 permits DNS"),
    (10, 6, 22, None, "acl10 denies ssh"),
    (20, 6, 25, None, "acl20 denies SMTP"),
    (20, 17, 5000, "198.51.100.20", "acl20 permits the rest"),
    (30, 17, 53, None, "VLAN 30 is no slice"),
    (None, 17, 53, None, "untagged frames are no slice"),
]
inputs, expected = [], []
for n, (vlan, proto, dport, public, _) in enumerate(cases * 3):
    src = f"10.{vlan or 0}.0.{5 + n}"
    inputs.append(frame(vlan=vlan, proto=proto, sport=40000 + n, dport=dport, src_ip=src, dst_ip=DST))
    if public:
        expected.append((public, proto, dport))

write_pcap(f"{d}/trunk.pcap", inputs)
write_pcap(f"{d}/wan.pcap", [])
shutil.copy(EXAMPLE, f"{d}/two-slices.cfg")
cwd = os.getcwd()
os.chdir(d)  # the example names its pcap files relative to where mboxd runs
m = Mboxd(f"{d}/two-slices.cfg")
started = m.start()
os.chdir(cwd)
if check(started, "slices_example_runs_as_written", m.output()[-2000:]):
    m.wait_inputs_read()
stats = m.stop()
check(stats is not None, "slices_mboxd_stops_cleanly", m.output()[-2000:])
if stats:
    out = read_pcap(f"{d}/wan_tx.pcap")
    got = []
    fields_ok = True
    for fr in out:
        ip = fr[14:34]
        fields_ok &= (fr[0:6] == mac("02:00:5e:00:00:01") and fr[12:14] == b"\x08\x00" and ip[8] == 63
                      and ipv4_checksum(ip[:10] + b"\0\0" + ip[12:]) == struct.unpack("!H", ip[10:12])[0]
                      and socket.inet_ntoa(ip[16:20]) == DST
                      and fr[6:12] == mac("02:00:5e:00:00:10" if ip[12:16] == socket.inet_aton("198.51.100.10")
                                          else "02:00:5e:00:00:20"))
        got.append((socket.inet_ntoa(ip[12:16]), ip[9], struct.unpack("!H", fr[36:38])[0]))
    check(sorted(got) == sorted(expected), "slices_uplink_carries_permitted_traffic_with_slice_address",
          f"got {sorted(got)}, expected {sorted(expected)}")
    check(out and fields_ok, "slices_untagged_routed_ttl_checksum_macs", f"{len(out)} frames")
    e = stats["element"]
    per_slice = {s: sum(1 for v, *_ in cases * 3 if v == s) for s in (10, 20)}
    check(e["slices"]["out.s10"] == per_slice[10] and e["slices"]["out.s20"] == per_slice[20]
          and e["slices"]["unknown_vid"] + e["slices"]["untagged"] == 6, "slices_split_by_vlan", str(e["slices"]))
    check(e["acl10"]["denied"] == 3 and e["acl20"]["denied"] == 3 and e["acl10"]["permitted"] == 6
          and e["acl20"]["permitted"] == 3, "slices_acl_per_slice", f"{e['acl10']} {e['acl20']}")
    check(e["nat10"]["active_sessions"] == 6 and e["nat20"]["active_sessions"] == 3
          and e["nat10"]["created"] == 6 and e["nat10"]["out.outside"] == 6, "slices_nat_sessions_per_slice", f"{e['nat10']} {e['nat20']}")
    check(e["pol10"]["green"] == 6 and e["pol20"]["green"] == 3 and e["tx_wan"]["sent"] == len(expected)
          and stats["port"]["wan"]["opackets"] == len(expected), "slices_policer_and_port_counters_add_up",
          f"{e['pol10']} {e['pol20']} {e['tx_wan']}")
finish()
