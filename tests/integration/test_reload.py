#!/usr/bin/env python3
"""SIGHUP under traffic: an invalid file or a port change is rejected with the
running graph still forwarding; a valid one replaces the graph."""
import re
import signal

from mboxtest import Mboxd, Testpmd, check, finish, workdir

d = workdir("reload")
cfg = f"{d}/mbox.cfg"
PLATFORM = f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 256; file_prefix = "mbox_reload"; }};
ports = (
  {{ name = "a"; device = "net_memif0,role=server,socket={d}/a.sock"; }},
  {{ name = "b"; device = "net_memif1,role=server,socket={d}/b.sock"; }}
);
"""
GRAPH1 = """
elements = (
  { name = "rx_a"; kind = "port_rx"; port = "a"; }, { name = "rx_b"; kind = "port_rx"; port = "b"; },
  { name = "cnt1"; kind = "counter"; },
  { name = "tx_a"; kind = "port_tx"; port = "a"; }, { name = "tx_b"; kind = "port_tx"; port = "b"; }
);
links = ( "rx_a -> cnt1 -> tx_b", "rx_b -> tx_a" );
"""
GRAPH2 = GRAPH1.replace('{ name = "cnt1"; kind = "counter"; },',
                        '{ name = "cnt2"; kind = "counter"; }, { name = "rw"; kind = "ether_rewrite"; swap = true; },'
                        ).replace("rx_a -> cnt1 -> tx_b", "rx_a -> cnt2 -> rw -> tx_b")


def write(text):
    with open(cfg, "w") as f:
        f.write(text)


def reload_and_wait(expect):
    mark = len(m.output())
    m.signal(signal.SIGHUP)
    return m.wait_for(expect, after=mark)


def growing(counter_path):
    """Whether the counter rises (within 5 s), and the generation."""
    get = lambda s: s["element"].get(counter_path, {}).get("packets", 0) if s else 0
    first = m.dump_stats()
    second = m.wait_stats(lambda s: get(s) > get(first), 5)
    return second is not None, second["generation"] if second else None


write(PLATFORM + GRAPH1)
m = Mboxd(cfg)
gen = None
if check(m.start(), "reload_mboxd_starts", m.output()[-2000:]):
    gen = Testpmd(d, [f"net_memif0,role=client,socket={d}/a.sock",
                      f"net_memif1,role=client,socket={d}/b.sock"], prefix="gen_reload")
    m.wait_links_up()
    gen.cmd("start")
    m.wait_stats(lambda s: s["element"].get("cnt1", {}).get("packets", 0) > 0, 10)
    flowing, generation = growing("cnt1")
    check(flowing and generation == 1, "reload_traffic_before", f"generation {generation}")

    write(PLATFORM + GRAPH1.replace('kind = "counter"', 'kind = "kounter"'))
    check(reload_and_wait("generation 1 keeps forwarding"), "reload_invalid_rejected", m.output()[-1500:])
    check(f"{cfg}:" in m.output() and "unknown element kind 'kounter'" in m.output(),
          "reload_invalid_names_file_line", m.output()[-1500:])
    flowing, generation = growing("cnt1")
    check(flowing and generation == 1, "reload_invalid_keeps_forwarding", f"generation {generation}")

    write(PLATFORM.replace("net_memif1,", "net_memif1,rsize=9,") + GRAPH1)
    check(reload_and_wait("needs a restart of mboxd; generation 1 keeps forwarding"),
          "reload_port_change_rejected", m.output()[-1500:])

    write(PLATFORM + GRAPH2)
    check(reload_and_wait("(6 elements: 2 added, 0 changed, 0 replaced; removed: cnt1)") and
          re.search(r"reload: generation 2 applied in \d+\.\d\d ms \(", m.output()),
          "reload_valid_applied_with_change_summary", m.output()[-1500:])
    flowing, generation = growing("cnt2")
    check(flowing and generation == 2, "reload_new_graph_forwards", f"generation {generation}")
    gen.cmd("stop")
    m.wait_quiet()
stats = m.stop()
if gen:
    gen.quit()
check(stats is not None and stats["element"]["rw"]["in"] == stats["element"]["cnt2"]["packets"] > 0,
      "reload_stops_cleanly_with_new_counters", m.output()[-1500:])
finish()
