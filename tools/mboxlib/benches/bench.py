"""Forwarding throughput of mboxd against dpdk-testpmd io, over two memif links.

A generator (dpdk-testpmd, flowgen, 64-byte frames) forwards on lcore 1 and
the device under test (DUT) on lcore 0.  The DUT is the memif server, the
generator the client; each run starts both afresh.  Throughput is what the
generator receives back on both ports, i.e. what crossed the DUT.  Cases
are interleaved (a b c a b c ...) because this VM's throughput drifts by up
to 3x over seconds to minutes; the report gives medians and their ratios.
"""
import argparse
import os
import signal
import statistics
import sys
import tempfile

from mboxlib.cli import ROOT
from mboxlib.configs import ELEMENT_CASES, chain_default, mboxd_case
from mboxlib.dpdk import dut_testpmd, element_cycles, run_once
from mboxlib.procs import BenchError


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--seconds", type=float, default=3.0, help="measurement per run (default 3)")
    ap.add_argument("--warmup", type=float, default=1.0, help="forwarding before measuring (default 1)")
    ap.add_argument("--mboxd", default=os.path.join(ROOT, "build", "mboxd"), help="mboxd binary")
    ap.add_argument("--quick", action="store_true", help="smoke test: 1 round of 1 s")
    ap.add_argument("--elements", action="store_true",
                    help="every element kind alone, and classifier -> acl -> router -> counter, against pass-through")
    ap.add_argument("--only", help="with --elements: comma-separated substrings of the cases to run")
    ap.add_argument("--timing-cost", action="store_true",
                    help="classifier -> acl -> router -> counter with and without dpdk.element_cycles (the walk's "
                         "TSC reads), against pass-through")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 1.0
    if args.rounds < 1 or args.seconds <= 0 or args.warmup < 0:
        ap.error("--rounds must be >= 1, --seconds > 0, --warmup >= 0")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="mbox-bench-") as tmp:
        socks = [os.path.join(tmp, f"memif{i}.sock") for i in range(2)]
        cases = [("testpmd io (a)", lambda: dut_testpmd(socks), None)]
        # (label, chain, element prefix for cycles/packet, element_cycles);
        # --elements reports each element's cycles: every case is timed alike.
        mboxd_cases = [("mboxd pass-through", None, None, args.elements)]
        if args.elements:
            mboxd_cases += [(label, chain, prefix, True) for label, chain, prefix in ELEMENT_CASES
                            if not args.only or any(o in label for o in args.only.split(","))]
        elif args.timing_cost:
            chain = ELEMENT_CASES[-1][1]
            mboxd_cases += [("chain, untimed", chain, None, False), ("chain, element_cycles", chain, None, True)]
        else:
            mboxd_cases.append(("mboxd cls->cnt->rw", chain_default, None, False))
        for n, (label, chain, prefix, timed) in enumerate(mboxd_cases):
            cases.append((label, mboxd_case(args.mboxd, os.path.join(tmp, f"bench-{n}.cfg"), socks, chain, label,
                                            element_cycles=timed), prefix))

        print(f"{len(cases)} cases interleaved over {args.rounds} round(s); each run starts the DUT "
              f"(lcore 0) and the generator (lcore 1) afresh, forwards {args.warmup:g} s, then "
              f"measures {args.seconds:g} s", flush=True)
        runs = {label: [] for label, _, _ in cases}
        shares = {label: [] for label, _, _ in cases}  # forwarded / offered
        cycles = {label: [] for label, _, _ in cases}  # the element's own cycles per packet
        for r in range(1, args.rounds + 1):
            for label, start_dut, prefix in cases:
                ports, offered, dut_output = run_once(start_dut, socks, args.warmup, args.seconds)
                if prefix:
                    cycles[label].append(element_cycles(dut_output, prefix))
                print(f"round {r}/{args.rounds}  {label:20} {sum(ports):6.2f} Mpps "
                      f"(port0 {ports[0]:.2f} + port1 {ports[1]:.2f}; offered {offered:.2f})"
                      + (f"  {cycles[label][-1]:.0f} cycles/packet" if prefix else ""), flush=True)
                if min(ports) <= 0:
                    raise BenchError(f"{label}, round {r}: 0 pps came back to generator port "
                                     f"{ports.index(min(ports))}; the DUT forwarded nothing")
                runs[label].append(sum(ports))
                shares[label].append(sum(ports) / offered)

    base, through = runs[cases[0][0]], runs[cases[1][0]]
    width = max(len("runs (Mpps)"), 6 * args.rounds - 1)
    print(f"\n{'case':20} {'median Mpps':>11}   {'runs (Mpps)':{width}}   vs testpmd io (per-round)   "
          f"vs pass-through (per-round)   cycles/packet")
    for n, (label, _, _) in enumerate(cases):
        med = statistics.median(runs[label])
        ratio = lambda ref: (f"{med / statistics.median(ref):.2f} "
                             f"({statistics.median(x / a for x, a in zip(runs[label], ref)):.2f})")
        vs_io = ratio(base) if n else ""
        vs_pass = ratio(through) if n > 1 else ""
        own = f"{statistics.median(cycles[label]):.0f}" if cycles[label] else ""
        print(f"{label:20} {med:11.2f}   {' '.join(f'{x:5.2f}' for x in runs[label]):{width}}   "
              f"{vs_io:25}   {vs_pass:27}   {own}")
    print(f"\nmethod: Mpps = 64-byte frames the generator (testpmd flowgen, lcore 1) received back on both\n"
          f"  memif ports, i.e. that crossed the DUT (forwarding on lcore 0), counted over {args.seconds:g} s after "
          f"{args.warmup:g} s of\n  warm-up; runs interleaved a, b, c ... x {args.rounds} round(s), each run with "
          f"freshly started processes.\n"
          f"  ratio = median(case) / median(reference); per-round = median over rounds of case / reference\n"
          f"  in the same round, less disturbed by a change of VM placement during the benchmark.\n"
          f"  cycles/packet = the element's own TSC cycles / packets it received, from mboxd's final counter\n"
          f"  dump (rte_graph node statistics), median over rounds; both directions' instances together.")
    if min(statistics.median(x) for x in shares.values()) >= 0.95:
        print("note: every DUT forwarded >= 95% of what the generator offered (sent or had refused), so these\n"
              "  rates are bounded by the generator core and the memif links, not by the DUTs; compare\n"
              "  cycles/packet.")
