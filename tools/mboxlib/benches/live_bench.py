"""Live reconfiguration under load: frames lost and the longest delay while
mboxd's graph changes, against the same load without changes.

The DUT is mboxd running tools/bench's chain (classifier -> acl (100 rules) ->
router (10k routes) -> counter, both directions) on lcore 0; the generator is
build/mbox-gen on lcore 1 (see tools/rfc2544), offering --load of what the
chain forwarded unpaced (measured first, in the same run).  A trial with
changes applies --changes of each kind by rewriting the configuration and
sending SIGHUP, waiting for each to take effect: whole-graph reloads (the ACL
taken out of the chain and put back), a parameter (the router's
arp_interval_ms), an ACL rule added and removed, a route added and removed.
Baseline trials (same rate and length, no changes) interleave with them,
because on two vCPUs frames are also lost when a process is descheduled; the
difference is what the changes cost.  Latency max is the longest any frame
waited, i.e. the longest gap in forwarding a change could have caused.
"""
import argparse
import os
import re
import signal
import statistics
import sys
import tempfile
import threading
import time

from mboxlib.cli import ROOT, ranged
from mboxlib.configs import chain_router, mboxd_case, mboxd_config
from mboxlib.dpdk import MboxGen, dut_session

KINDS = ("reload", "parameter", "acl_rule", "route")
ROUTER = 'kind = "router";'
ACL_RULES = 'arp = "permit"; rules = ( '  # the ACL's, not the classifier's


def chain_config(socks, with_acl=True, arp_interval=1000, extra_acl_rule=False, extra_route=False):
    """The benchmark chain, varied the way each kind of change varies it."""
    text = mboxd_config(socks, lambda i, tx: chain_router(i, tx, acl=with_acl))
    text = text.replace(ROUTER, f"{ROUTER} arp_interval_ms = {arp_interval};")
    if extra_acl_rule:
        text = text.replace(ACL_RULES, ACL_RULES + '{ proto = 6; dst_port = "23"; action = "deny"; }, ', 1)
    if extra_route:
        text = text.replace("routes = ( ", 'routes = ( { prefix = "172.16.0.0/12"; next_hop = "nh0"; }, ', 1)
    return text


def variant(socks, kind, n):
    """The configuration after the n-th change of `kind` (n from 1: odd
    changes move away from the base configuration, even ones come back)."""
    away = n % 2 == 1
    return chain_config(socks, with_acl=not (kind == "reload" and away),
                        arp_interval=1000 + (n if kind == "parameter" else 0),
                        extra_acl_rule=kind == "acl_rule" and away, extra_route=kind == "route" and away)


def apply_changes(dut, cfg, socks, changes, generation):
    """Every kind's changes in turn, each waited for; returns the times
    mboxd logged from building each change to every worker on it (ms)."""
    took = []
    for kind in KINDS:
        for n in range(1, changes + 1):
            with open(cfg + ".tmp", "w") as f:
                f.write(variant(socks, kind, n))
            os.rename(cfg + ".tmp", cfg)
            generation += 1
            dut.proc.send_signal(signal.SIGHUP)
            dut.expect(rb"reload: generation %d applied in ([0-9.]+) ms" % generation, 30)
            took.append(float(re.findall(rb"generation %d applied in ([0-9.]+) ms" % generation, dut.out)[-1]))
    return took, generation


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--changes", type=ranged(int, 1, 10000, "1 to 10000"), default=100,
                    help="changes of each kind per trial (default 100)")
    ap.add_argument("--load", type=ranged(float, 0, 1, "a share above 0 and at most 1", low_open=True),
                    default=0.5, help="offered rate as a share of the unpaced forwarding rate (default 0.5)")
    ap.add_argument("--size", type=ranged(int, 64, 1518, "a frame size from 64 to 1518"), default=64,
                    help="frame size in bytes (default 64)")
    ap.add_argument("--rounds", type=ranged(int, 1, 100, "1 to 100"), default=2,
                    help="baseline and live trials, interleaved (default 2 each)")
    ap.add_argument("--mboxd", default=os.path.join(ROOT, "build", "mboxd"))
    ap.add_argument("--gen", default=os.path.join(ROOT, "build", "mbox-gen"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="mbox-live-bench-") as tmp:
        socks = [os.path.join(tmp, f"memif{i}.sock") for i in range(2)]
        cfg = os.path.join(tmp, "live.cfg")
        start_dut = mboxd_case(args.mboxd, cfg, socks, lambda i, tx: chain_router(i, tx, acl=True),
                                     "chain")
        with open(cfg, "w") as f:  # the base variant (adds arp_interval_ms, same graph)
            f.write(chain_config(socks))
        with dut_session(start_dut, socks, lambda: MboxGen(args.gen, socks, 1024)) as (dut, gen):
            unpaced = gen.trial(args.size, None, 2)
            rate = args.load * unpaced["received"] / unpaced["seconds"]
            print(f"unpaced: {unpaced['received'] / unpaced['seconds'] / 1e6:.3f} Mpps forwarded of "
                  f"{args.size}-byte frames; trials offer {rate / 1e6:.3f} Mpps ({args.load:g} of it)", flush=True)
            generation, results = 1, {"baseline": [], "live": []}
            # One live trial's length: changes take tens of ms each; measured by a first pass.
            started = time.monotonic()
            took, generation = apply_changes(dut, cfg, socks, 2, generation)
            seconds = max(5.0, (time.monotonic() - started) / (2 * len(KINDS)) * args.changes * len(KINDS) * 3 + 2)
            for r in range(1, args.rounds + 1):
                for label in ("baseline", "live"):
                    outcome = {}
                    trial = threading.Thread(target=lambda: outcome.update(gen.trial(args.size, rate, seconds)))
                    trial.start()
                    applied = []
                    if label == "live":
                        time.sleep(1)
                        changed_at = time.monotonic()
                        applied, generation = apply_changes(dut, cfg, socks, args.changes, generation)
                        if time.monotonic() - changed_at > seconds - 1:
                            print("warning: the changes outlasted the trial", file=sys.stderr)
                    trial.join()
                    outcome["changes_ms"] = applied
                    results[label].append(outcome)
                    print(f"round {r} {label:8}: offered {outcome['offered']:.0f}, lost {outcome['lost']:.0f}, "
                          f"latency p99 {outcome['lat_p99_ns'] / 1e3:.1f} us, max {outcome['lat_max_ns'] / 1e3:.1f} us"
                          + (f"; {len(applied)} changes, median {statistics.median(applied):.1f} ms, "
                             f"max {max(applied):.1f} ms to take effect" if applied else ""), flush=True)
    print(f"\n{args.rounds} round(s), {seconds:.0f} s trials at {rate / 1e6:.3f} Mpps of {args.size}-byte frames "
          f"({args.load:g} of the unpaced rate), generator lcore 1, mboxd lcore 0, two memif links:")
    for label, runs in results.items():
        lost = sum(o["lost"] for o in runs)
        offered = sum(o["offered"] for o in runs)
        print(f"  {label:8}: {lost:.0f} lost of {offered:.0f} ({lost / offered:.2e}); latency max "
              f"{max(o['lat_max_ns'] for o in runs) / 1e3:.1f} us, p99 (median of trials) "
              f"{statistics.median(o['lat_p99_ns'] for o in runs) / 1e3:.1f} us")
    applied = [t for o in results["live"] for t in o["changes_ms"]]
    print(f"  {len(applied)} changes ({args.changes} of each of {', '.join(KINDS)} per live trial): from building "
          f"each to every worker on it median {statistics.median(applied):.1f} ms, max {max(applied):.1f} ms")
