#!/usr/bin/env python3
"""Live traffic: dpdk-testpmd flowgen sends over two net_memif links through
mboxd (classifier -> counter -> ether_rewrite one way, pass-through back) and
receives what mboxd forwards; mboxd's counters are checked against what the
generator sent and received."""
from mboxtest import Mboxd, Testpmd, check, finish, plan, workdir

RING = 1024  # memif default ring size: what can sit unread at the generator

d = workdir("memif")
plan(*(f"memif_generator_received_what_{tx}_sent" for tx in ("tx_b", "tx_a")))
cfg = f"{d}/mbox.cfg"
with open(cfg, "w") as f:
    f.write(f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 256; file_prefix = "mbox_memif"; }};
ports = (
  {{ name = "a"; device = "net_memif0,role=server,socket={d}/a.sock"; }},
  {{ name = "b"; device = "net_memif1,role=server,socket={d}/b.sock"; }}
);
elements = (
  {{ name = "rx_a"; kind = "port_rx"; port = "a"; }},
  {{ name = "rx_b"; kind = "port_rx"; port = "b"; }},
  {{ name = "cls";  kind = "classifier"; rules = ( {{ name = "udp"; proto = 17; }} ); }},
  {{ name = "cnt";  kind = "counter"; }},
  {{ name = "rw";   kind = "ether_rewrite"; swap = true; }},
  {{ name = "tx_a"; kind = "port_tx"; port = "a"; }},
  {{ name = "tx_b"; kind = "port_tx"; port = "b"; }}
);
links = (
  "rx_a -> cls[udp] -> cnt -> rw -> tx_b",
  "cls[default] -> cnt",
  "rx_b -> tx_a"
);
""")

m = Mboxd(cfg)
gen = None
if check(m.start(), "memif_mboxd_starts", m.output()[-2000:]):
    gen = Testpmd(d, [f"net_memif0,role=client,socket={d}/a.sock",
                      f"net_memif1,role=client,socket={d}/b.sock"])
    m.wait_links_up()
    sent = gen.run_for(3)
    m.wait_quiet()  # what is still in its rings is forwarded
live = m.dump_stats()
stats = m.stop()
if gen:
    gen.quit()
check(stats is not None and gen is not None and len(sent) == 2, "memif_run_completes",
      f"generator stats {sent if gen else None}; mboxd log tail:\n{m.output()[-1500:]}")
if stats and gen and len(sent) == 2:
    p, e = stats["port"], stats["element"]
    check(sent[0]["tx"] > 10000 and sent[1]["rx"] > 10000, "memif_traffic_flows",
          f"generator sent {sent[0]['tx']} on port 0, received {sent[1]['rx']} on port 1")
    check(p["a"]["ipackets"] == sent[0]["tx"] and p["b"]["ipackets"] == sent[1]["tx"],
          "memif_mboxd_received_all_sent",
          f"mboxd rx a={p['a']['ipackets']} b={p['b']['ipackets']}, generator tx {sent[0]['tx']} {sent[1]['tx']}")
    check(e["rx_a"]["out.out"] == p["a"]["ipackets"] == e["cls"]["in"]
          and e["cls"]["out.udp"] + e["cls"]["out.default"] == e["cls"]["in"]
          and e["cnt"]["in"] == e["cnt"]["packets"] == e["cls"]["in"] == e["rw"]["out.out"]
          and e["cnt"]["bytes"] == 60 * e["cnt"]["packets"],  # 64 B on the wire, less the CRC
          "memif_element_counters_add_up", str(e))
    check(e["tx_b"]["in"] == e["tx_b"]["sent"] + e["tx_b"]["drops"] and e["tx_b"]["sent"] == p["b"]["opackets"]
          and e["tx_a"]["sent"] == p["a"]["opackets"], "memif_port_tx_sent_plus_dropped",
          f"tx_b={e['tx_b']} port b opackets={p['b']['opackets']}")
    # What mboxd transmitted reached the generator, but for what was still
    # in the ring when the generator stopped reading.
    for port, tx in ((1, "tx_b"), (0, "tx_a")):
        gap = e[tx]["sent"] - sent[port]["rx"]
        check(0 <= gap <= RING, f"memif_generator_received_what_{tx}_sent",
              f"mboxd sent {e[tx]['sent']}, generator port {port} received {sent[port]['rx']}")
    check(stats["core"]["0"]["packets"] == p["a"]["ipackets"] + p["b"]["ipackets"]
          and stats["core"]["0"]["busy_walks"] > 0, "memif_core_counters", str(stats["core"]))
    check(live is not None and live["element"]["cnt"]["packets"] > 0, "memif_sigusr1_dumps_live_counters", str(live))
finish()
