#!/usr/bin/env python3
"""Packets in from a pcap file through net_pcap ports, out to pcap files,
compared byte for byte with what the graph should produce; counters checked."""

from mboxtest import Mboxd, check, finish, frame, mac, read_pcap, workdir, write_pcap

d = workdir("pcap")
NEW_DST = "02:de:ad:be:ef:01"

inputs = [
    frame(proto=17, dport=53),                   # dns -> rewritten -> out_dns
    frame(proto=6, dport=80),                    # default -> out_other
    frame(vlan=7, proto=17, dport=9),            # vlan 7 -> dropped
    frame(ethertype=0x0806),                     # ARP -> default
    frame(proto=17, dport=53, payload=b"x" * 200),
    frame(proto=17, dport=53, frag=100),         # non-first fragment: no ports -> default
    b"\x02\x00\x00\x00\x00\x02\x02\x00",         # 8-byte runt -> default (classifier reads nothing)
] * 5


def expected_route(fr):
    if len(fr) < 14:
        return "other"
    if fr[12:14] == b"\x81\x00" and int.from_bytes(fr[14:16], "big") & 0xFFF == 7:
        return "drop"
    if fr[12:14] == b"\x08\x00" and fr[23] == 17 and fr[20:22] == b"\x00\x00" and fr[36:38] == (53).to_bytes(2, "big"):
        return "dns"
    return "other"


want_dns = [mac(NEW_DST) + fr[6:] for fr in inputs if expected_route(fr) == "dns"]
want_other = [fr for fr in inputs if expected_route(fr) == "other"]
n_drop = sum(expected_route(fr) == "drop" for fr in inputs)

write_pcap(f"{d}/in.pcap", inputs)
write_pcap(f"{d}/empty.pcap", [])
cfg = f"{d}/mbox.cfg"
with open(cfg, "w") as f:
    f.write(f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = 8191; file_prefix = "mbox_pcap"; }};
ports = (
  {{ name = "in";    device = "net_pcap0,rx_pcap={d}/in.pcap,tx_pcap={d}/in_tx.pcap"; }},
  {{ name = "dns";   device = "net_pcap1,rx_pcap={d}/empty.pcap,tx_pcap={d}/dns.pcap"; }},
  {{ name = "other"; device = "net_pcap2,rx_pcap={d}/empty.pcap,tx_pcap={d}/other.pcap"; }}
);
elements = (
  {{ name = "rx";     kind = "port_rx"; port = "in"; }},
  {{ name = "cls";    kind = "classifier";
     rules = ( {{ name = "dns"; proto = 17; dst_port = 53; }}, {{ name = "v7"; vlan = 7; }} ); }},
  {{ name = "rw";     kind = "ether_rewrite"; dst = "{NEW_DST}"; }},
  {{ name = "cnt";    kind = "counter"; }},
  {{ name = "trash";  kind = "drop"; }},
  {{ name = "tx_dns"; kind = "port_tx"; port = "dns"; }},
  {{ name = "tx_oth"; kind = "port_tx"; port = "other"; }}
);
links = (
  "rx -> cls[dns] -> rw -> tx_dns",
  "cls[default] -> cnt -> tx_oth",
  "cls[v7] -> trash"
);
""")

m = Mboxd(cfg)
if check(m.start(), "pcap_mboxd_starts", m.output()[-2000:]):
    m.wait_inputs_read()
stats = m.stop()
check(stats is not None, "pcap_mboxd_stops_cleanly", m.output()[-2000:])
if stats:
    got_dns = read_pcap(f"{d}/dns.pcap")
    got_other = read_pcap(f"{d}/other.pcap")
    check(got_dns == want_dns, "pcap_dns_output_bytes",
          f"{len(got_dns)} frames, expected {len(want_dns)} with dst {NEW_DST}")
    check(got_other == want_other, "pcap_default_output_bytes",
          f"{len(got_other)} frames, expected {len(want_other)} unchanged")
    e = stats["element"]
    check(e["rx"]["in"] == len(inputs) and stats["port"]["in"]["ipackets"] == len(inputs),
          "pcap_rx_counts_input", f"rx in={e['rx']['in']}, port ipackets={stats['port']['in']['ipackets']}, sent {len(inputs)}")
    check(e["cls"]["out.dns"] == len(want_dns) and e["cls"]["out.default"] == len(want_other)
          and e["cls"]["out.v7"] == n_drop and e["cls"]["in"] == len(inputs),
          "pcap_classifier_counters_add_up", str(e["cls"]))
    check(e["trash"]["drops"] == n_drop and e["cnt"]["packets"] == len(want_other)
          and e["cnt"]["bytes"] == sum(map(len, want_other)), "pcap_counter_and_drop", f"{e['trash']} {e['cnt']}")
    check(e["tx_dns"]["sent"] == len(want_dns) and stats["port"]["dns"]["opackets"] == len(want_dns)
          and stats["port"]["other"]["opackets"] == len(want_other), "pcap_port_tx_counts",
          f"{e['tx_dns']} {stats['port']['dns']} {stats['port']['other']}")
    check(stats["pool"]["mbox_pool"]["in_use"] <= 3 * 1024 + 512, "pcap_pool_reported", str(stats["pool"]))
finish()
