"""What SNMP management costs the forwarding path, and how fast it answers.

mboxd forwards port_rx -> port_tx both ways between two memif links fed by a
dpdk-testpmd flowgen generator (the harness of tools/bench), with a real
snmpd as AgentX master.  Runs without polling, with an NMS polling every
counter at 10 and at 100 requests per second (SNMPv2c GETs of 20 counters,
sent from this process so that no tool start-up pollutes the CPUs), are
interleaved over rounds; the report gives the forwarding rate of each as a
ratio to no polling, the GET latency, and the time of a full snmpbulkwalk of
the MBOX subtree and of ifTable taken while forwarding.  It also reports the
CPU time the management path used per case (mboxd's control thread, which is
the subagent, snmpd, and the poller itself): on a machine whose control
thread has a core of its own, that, not the generator's rate, is the cost.
"""
import argparse
import contextlib
import os
import statistics
import tempfile

from mboxlib.cli import ROOT
from mboxlib.configs import mboxd_config
from mboxlib.dpdk import dut_mboxd, run_once
from mboxlib.net import free_udp_port
from mboxlib.snmp import COUNTERS, CpuMeter, Poller, bulkwalks, snmp_section, start_snmpd


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--mboxd", default=os.path.join(ROOT, "build", "mboxd"))
    ap.add_argument("--quick", action="store_true", help="smoke test: 1 round of 1 s")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 1.0

    with tempfile.TemporaryDirectory(prefix="mbox-snmp-bench-") as tmp:
        port = free_udp_port()
        target = f"udp:127.0.0.1:{port}"
        socks = [os.path.join(tmp, f"memif{i}.sock") for i in range(2)]
        snmp = snmp_section(tmp, target)
        cfg = os.path.join(tmp, "bench-snmp.cfg")
        with open(cfg, "w") as f:
            f.write(mboxd_config(socks, False, snmp))
        snmpd = start_snmpd(args.mboxd, cfg, tmp)
        start = lambda: dut_mboxd(args.mboxd, cfg)
        cases = [("no polling", 0), ("10 req/s", 10), ("100 req/s", 100)]
        runs = {label: [] for label, _ in cases}
        latencies, errors = {label: [] for label, _ in cases}, {label: [] for label, _ in cases}
        cpu = {label: {} for label, _ in cases}

        @contextlib.contextmanager
        def measured(rate, label):
            """The case's polling, if any, inside its CPU meter."""
            poller = Poller(port, rate, latencies[label], errors[label]) if rate else None
            with CpuMeter(snmpd, cpu[label], poller), poller or contextlib.nullcontext():
                yield

        print(f"{len(cases)} cases interleaved over {args.rounds} round(s), {args.seconds:g} s each after "
              f"{args.warmup:g} s of warm-up; mboxd pass-through between two memif links", flush=True)
        try:
            for r in range(1, args.rounds + 1):
                for label, rate in cases:
                    ports, _, _ = run_once(start, socks, args.warmup, args.seconds,
                                                 lambda rate=rate, label=label: measured(rate, label))
                    runs[label].append(sum(ports))
                    print(f"round {r}/{args.rounds}  {label:12} {sum(ports):6.2f} Mpps", flush=True)
            walks = {}
            run_once(start, socks, args.warmup, 0.1, lambda: bulkwalks(target, walks))
        finally:
            snmpd.stop()

    base = runs["no polling"]
    print(f"\n{'case':12} {'median Mpps':>11}  ratio vs no polling  per-round ratio  GET latency median / p99 (ms)  failed GETs")
    for label, _ in cases:
        med = statistics.median(runs[label])
        lat = sorted(latencies[label])
        lat_text = (f"{1000 * statistics.median(lat):.2f} / {1000 * lat[int(0.99 * (len(lat) - 1))]:.2f} "
                    f"({len(lat)} GETs)") if lat else "-"
        print(f"{label:12} {med:11.2f}  {med / statistics.median(base):19.3f}  "
              f"{statistics.median(x / b for x, b in zip(runs[label], base)):15.3f}  {lat_text:29}  {len(errors[label])}")
    print(f"\n{'case':12}  CPU share of one core while measured: mboxd control thread (the subagent), snmpd, poller")
    for label, _ in cases:
        c = cpu[label]
        print(f"{label:12}  " + ", ".join(f"{name} {100 * c.get(name, 0) / c['seconds']:.2f}%"
                                          for name in ("mboxd control", "snmpd", "poller")))
    for name, samples in walks.items():
        print(f"snmpbulkwalk {name}: median {1000 * statistics.median(t for t, _ in samples):.0f} ms for "
              f"{samples[0][1]} instances (5 walks, while forwarding)")
    print("method: Mpps = what the generator (testpmd flowgen, 64 B, lcore 1) received back on both memif\n"
          "  ports; mboxd's worker on lcore 0, its control thread (the subagent) and snmpd share lcore 1 with\n"
          "  the generator, so on this 2-core machine polling costs show up as generator rate too.\n"
          f"  Each GET asks for {len(COUNTERS)} counters; latency is measured at the poller, through snmpd.")
