#!/usr/bin/env python3
"""Many reloads of a forwarding mboxd: the rte_graph nodes it has registered
and the DPDK heap it uses stay what they were after the first few changes
(node clones are reused, everything else a generation owns is freed), and the
counters of the element every generation keeps go on counting."""
import signal

from mboxtest import Mboxd, check, finish, workdir

RELOADS = 150
WARMUP = 6  # every variant has been built in both clone sets

d = workdir("reload-many")
cfg = f"{d}/mbox.cfg"
PLATFORM = """
dpdk = { lcores = "0,1"; main_lcore = 1; memory_mb = 256; file_prefix = "mbox_reload_many"; };
ports = ( { name = "a"; device = "net_null0"; }, { name = "b"; device = "net_null1"; } );
"""
ENDS = """{ name = "rx"; kind = "port_rx"; port = "a"; }, { name = "tx"; kind = "port_tx"; port = "b"; },
  { name = "cnt"; kind = "counter"; }"""
# Three graphs of different sizes and kinds; cnt is in all of them.
VARIANTS = [
    (ENDS, '"rx -> cnt -> tx"'),
    (ENDS + ', { name = "rw"; kind = "ether_rewrite"; swap = true; }, { name = "c2"; kind = "counter"; }',
     '"rx -> rw -> c2 -> cnt -> tx"'),
    (ENDS + ', { name = "k"; kind = "classifier"; rules = ( { name = "udp"; proto = 17; } ); },'
     ' { name = "drop"; kind = "drop"; }',
     '"rx -> k[udp] -> drop", "k[default] -> cnt -> tx"'),
]


def write(n):
    elements, links = VARIANTS[n % len(VARIANTS)]
    with open(cfg, "w") as f:
        f.write(f"{PLATFORM}elements = ( {elements} );\nlinks = ( {links} );\n")


def memory_and_count():
    s = m.dump_stats()
    return (s["memory"].get("dataplane", {}), s["element"].get("cnt", {}).get("packets", 0)) if s else ({}, 0)


write(0)
m = Mboxd(cfg)
applied = 0
if check(m.start(), "reload_many_mboxd_starts", m.output()[-2000:]):
    for n in range(1, RELOADS + 1):
        write(n)
        mark = len(m.output())
        m.signal(signal.SIGHUP)
        if not m.wait_for(f"reload: generation {n + 1} applied", after=mark):
            break
        applied = n
        if n == WARMUP:
            warm, warm_count = memory_and_count()
    check(applied == RELOADS, "reload_many_all_applied", f"{applied} of {RELOADS}: " + m.output()[-1500:])
    if applied == RELOADS:
        end, end_count = memory_and_count()
        check(warm.get("graph_nodes", 0) > 0 and end.get("graph_nodes") == warm.get("graph_nodes"),
              "reload_many_graph_nodes_bounded",
              f"{warm.get('graph_nodes')} nodes after {WARMUP} reloads, {end.get('graph_nodes')} after {RELOADS}")
        # The same variant runs at both points (RELOADS and WARMUP are multiples of 3).
        # Cache-line aligned blocks take a few bytes more or less where they land.
        check(warm.get("heap_used", 0) > 0 and abs(end.get("heap_used", 0) - warm["heap_used"]) < 4096 and
              end.get("heap_allocations") == warm.get("heap_allocations"),
              "reload_many_dpdk_heap_bounded",
              f"after {WARMUP} reloads: {warm}; after {RELOADS}: {end}")
        check(end_count > warm_count > 0, "reload_many_counters_continue", f"cnt {warm_count} then {end_count}")
stats = m.stop()
check(stats is not None, "reload_many_stops_cleanly", m.output()[-1500:])
finish()
