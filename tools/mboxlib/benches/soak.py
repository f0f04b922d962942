"""Soak: many configuration changes under traffic and SNMP polling, and
whether the last of them costs what the first did.

mboxd forwards tools/bench's core chain plus a policer (classifier -> counter
-> ether_rewrite -> policer, both directions) between two memif links fed by
build/mbox-gen (see tools/rfc2544) at a fixed rate, as back-to-back trials
whose lost frames are summed; a real snmpd is its AgentX master and a poller
GETs counters over SNMPv2c all along (tools/snmp-bench).  Each change gives
one policer a new rate (`cir`), either by rewriting the file and sending
SIGHUP or by an SNMPv3 SET of mboxElementParamValue (mixed at random), and
is waited for in mboxd's log, whose "applied in X ms" (from building the new
generation to every worker on it) is the apply time.  Reported for the first
and the last thousand changes: apply time p50/p99, mboxd's resident memory
and DPDK heap use (the counter dump's memory line, SIGUSR1), and the rte_graph
nodes registered; then the frames lost in the stream across all changes,
next to a baseline trial of the same rate without changes (on a shared
two-vCPU machine frames are also lost when a process is descheduled).
"""
import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time

from mboxlib.cli import ROOT, ranged
from mboxlib.configs import chain_default, mboxd_config
from mboxlib.dpdk import MboxGen, dut_mboxd, dut_session
from mboxlib.net import free_udp_port
from mboxlib.procs import BenchError
from mboxlib.snmp import ENT, Poller, snmp_section, start_snmpd

PARAM_NAME, PARAM_VALUE = ENT + ".1.3.4.1.2", ENT + ".1.3.4.1.3"
ADMIN = ["-v3", "-l", "authPriv", "-u", "soak", "-a", "SHA", "-A", "soak-auth-pass", "-x", "AES",
         "-X", "soak-priv-pass"]
USERS = '{ name = "soak"; auth_pass = "soak-auth-pass"; priv_pass = "soak-priv-pass"; write = true; }'
BASE_CIR = 100000000000  # bits/s: far above the offered load, so the policer passes everything
APPLIED = rb"(?:reload|SNMP SET): generation %d applied in ([0-9.]+) ms"


def chain(cir):
    """tools/bench's core chain, then a policer (pol0's rate is cir)."""
    def direction(i, tx):
        elements, links = chain_default(i, f"pol{i}")
        rate = cir if i == 0 else BASE_CIR
        return (elements + [f'{{ name = "pol{i}"; kind = "policer"; cir = {rate}; cbs = 1000000; red = "pass"; }}'],
                links + [f"pol{i} -> {tx}"])
    return direction


class Soak:
    """The DUT, its snmpd and the change loop."""

    def __init__(self, args, tmp, socks):
        self.args, self.tmp, self.socks = args, tmp, socks
        self.port = free_udp_port()
        self.target = f"udp:127.0.0.1:{self.port}"
        self.cfg = os.path.join(tmp, "soak.cfg")
        self.section = snmp_section(tmp, self.target, USERS)
        self.write(BASE_CIR)
        self.generation = 1
        self.applied_ms = []
        self.kinds = {"reload": 0, "SET": 0}
        self.failed_sets = []
        self.env = dict(os.environ, MIBS="")

    def write(self, cir):
        with open(self.cfg + ".tmp", "w") as f:
            f.write(mboxd_config(self.socks, chain(cir), self.section))
        os.rename(self.cfg + ".tmp", self.cfg)

    def snmp(self, tool_name, *args):
        r = subprocess.run([tool_name, "-On", "-Oq", "-r", "2", "-t", "5", *ADMIN, self.target, *args],
                           capture_output=True, text=True, env=self.env)
        if r.returncode:
            raise BenchError(f"{tool_name} {' '.join(args)}: {(r.stderr + r.stdout).strip()}")
        return r.stdout

    def find_cir(self):
        """The mboxElementParamValue instance of pol0's cir (the first
        element with a cir parameter)."""
        found = [line.split()[0] for line in self.snmp("snmpwalk", PARAM_NAME).splitlines()
                 if line.split()[1:] == ['"cir"'] or line.split()[1:] == ["cir"]]
        if not found:
            raise BenchError("no cir parameter in mboxElementParamTable")
        return PARAM_VALUE + found[0].split(PARAM_NAME, 1)[1]

    def change(self, dut, n, rng, cir_oid):
        """Change n: pol0's rate becomes BASE_CIR + n by a reload or a SET;
        waits for mboxd to apply it and records the time it logged."""
        value = BASE_CIR + n
        self.generation += 1
        start = dut.seen
        if rng.random() < self.args.set_share:
            self.kinds["SET"] += 1
            try:
                self.snmp("snmpset", cir_oid, "s", str(value))
            except BenchError as e:
                # The manager saw an error (snmpd gives up on a subagent that is
                # slow to answer); mboxd may still have applied the change.
                self.failed_sets.append(f"change {n}: {e}")
                applied, deadline = re.compile(APPLIED % self.generation), time.monotonic() + 5
                while not applied.search(dut.out, start) and time.monotonic() < deadline:
                    dut.read(0.2)
                if not applied.search(dut.out, start):
                    self.generation -= 1
                    return
        else:
            self.kinds["reload"] += 1
            self.write(value)
            dut.proc.send_signal(signal.SIGHUP)
        dut.expect(APPLIED % self.generation, 60)
        self.applied_ms.append(float(re.compile(APPLIED % self.generation).search(dut.out, start).group(1)))
        dut.forget()

    def memory(self, dut):
        """mboxd's resident set (KiB) and its counter dump's memory line
        (absent from builds before tools/soak: None then)."""
        with open(f"/proc/{dut.proc.pid}/status") as f:
            rss = int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))
        dut.proc.send_signal(signal.SIGUSR1)
        dut.expect(rb"stats: pool [^\n]*\n", 30)
        line = re.compile(rb"stats: memory dataplane ([^\n]*)\n")
        deadline = time.monotonic() + 2
        while not line.search(dut.out, dut.seen) and time.monotonic() < deadline:
            dut.read(0.1)
        m = line.search(dut.out, dut.seen)
        fields = dict(kv.split("=") for kv in m.group(1).decode().split()) if m else {}
        if m:
            dut.seen = m.end()
        dut.forget()
        return {"rss_kib": rss, **{k: int(v) for k, v in fields.items()}}


def stream(gen, args, rate, stop, trials):
    """Back-to-back trials until stop is set (the stream across the changes)."""
    while not stop.is_set():
        trials.append(gen.trial(args.size, rate, args.trial_seconds))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))]


def report(soak, args, samples, trials, baseline, seconds):
    window = min(1000, len(soak.applied_ms) // 2) or 1
    first, last = soak.applied_ms[:window], soak.applied_ms[-window:]
    result = {
        "changes": len(soak.applied_ms), "kinds": soak.kinds, "window": window, "seconds": seconds,
        "apply_ms": {"first": {"p50": statistics.median(first), "p99": percentile(first, 0.99)},
                     "last": {"p50": statistics.median(last), "p99": percentile(last, 0.99)}},
        "memory": samples,
        "stream": {k: sum(t[k] for t in trials) for k in ("offered", "received", "lost")},
        "baseline": {k: baseline[k] for k in ("offered", "received", "lost")},
        "failed_sets": soak.failed_sets,
    }
    n = result["changes"]
    print(f"\n{n} changes ({soak.kinds['reload']} reloads, {soak.kinds['SET']} SETs) in {seconds:.0f} s, under "
          f"{args.rate:g} frames/s of {args.size}-byte frames and SNMP polling at {args.poll:g} GET/s")
    if soak.failed_sets:
        print(f"{len(soak.failed_sets)} SETs answered with an error (the first: {soak.failed_sets[0]})")
    print(f"{'':28}{'first ' + str(window):>16}{'last ' + str(window):>16}{'last/first':>12}")
    for key in ("p50", "p99"):
        a, b = result["apply_ms"]["first"][key], result["apply_ms"]["last"][key]
        print(f"{'apply time ' + key + ' (ms)':28}{a:16.3f}{b:16.3f}{b / a:12.2f}")
    at_first, at_last = samples["first"], samples["last"]
    for key, label in (("rss_kib", "mboxd RSS (KiB)"), ("heap_used", "DPDK heap used (bytes)"),
                       ("heap_allocations", "DPDK heap allocations"), ("graph_nodes", "rte_graph nodes")):
        if key in at_first and key in at_last:
            a, b = at_first[key], at_last[key]
            print(f"{label:28}{a:16}{b:16}{b / a if a else float('nan'):12.3f}")
    if "rss_kib" in at_first:
        growth = (at_last["rss_kib"] - at_first["rss_kib"]) * 1024 / max(1, args.changes - window)
        print(f"RSS growth between the two points: {growth:.1f} bytes per change")
    s, b = result["stream"], result["baseline"]
    print(f"stream across the changes ({len(trials)} trials of {args.trial_seconds:g} s): {s['lost']:.0f} lost of "
          f"{s['offered']:.0f} offered ({s['lost'] / max(1, s['offered']):.2e})")
    print(f"baseline trial without changes ({args.trial_seconds:g} s): {b['lost']:.0f} lost of {b['offered']:.0f} "
          f"({b['lost'] / max(1, b['offered']):.2e})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--changes", type=ranged(int, 2, 10**7, "2 to 10000000"), default=100000,
                    help="configuration changes (default 100000)")
    ap.add_argument("--set-share", type=ranged(float, 0, 1, "0 to 1"), default=0.5,
                    help="share of the changes made by SNMP SET, the rest by SIGHUP (default 0.5)")
    ap.add_argument("--rate", type=ranged(float, 1, 1e8, "1 to 1e8 frames/s"), default=100000,
                    help="frames/s offered, both ports together (default 100000)")
    ap.add_argument("--size", type=ranged(int, 64, 1518, "a frame size from 64 to 1518"), default=64)
    ap.add_argument("--trial-seconds", type=ranged(float, 1, 3600, "1 to 3600"), default=20,
                    help="length of each generator trial of the stream, and of the baseline (default 20)")
    ap.add_argument("--poll", type=ranged(float, 0.1, 1000, "0.1 to 1000"), default=10,
                    help="SNMP GETs per second during the changes (default 10)")
    ap.add_argument("--seed", type=int, default=1, help="of the reload/SET mix (default 1)")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--mboxd", default=os.path.join(ROOT, "build", "mboxd"))
    ap.add_argument("--gen", default=os.path.join(ROOT, "build", "mbox-gen"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="mbox-soak-") as tmp:
        socks = [os.path.join(tmp, f"memif{i}.sock") for i in range(2)]
        soak = Soak(args, tmp, socks)
        snmpd = start_snmpd(args.mboxd, soak.cfg, tmp)
        try:
            with dut_session(lambda: dut_mboxd(args.mboxd, soak.cfg), socks,
                                   lambda: MboxGen(args.gen, socks, 16384)) as (dut, gen):
                latencies, errors = [], []
                with Poller(soak.port, args.poll, latencies, errors):
                    cir_oid = soak.find_cir()
                    baseline = gen.trial(args.size, args.rate, args.trial_seconds)
                    print(f"baseline: {baseline['lost']:.0f} lost of {baseline['offered']:.0f}", flush=True)
                    samples = {"start": soak.memory(dut)}
                    stop, trials = threading.Event(), []
                    traffic = threading.Thread(target=stream, args=(gen, args, args.rate, stop, trials))
                    traffic.start()
                    rng, started = random.Random(args.seed), time.monotonic()
                    window = min(1000, args.changes // 2)
                    try:
                        for n in range(1, args.changes + 1):
                            soak.change(dut, n, rng, cir_oid)
                            if n in (window, args.changes):
                                samples["first" if n == window else "last"] = soak.memory(dut)
                            if n % 1000 == 0:
                                print(f"{n} changes, last apply {soak.applied_ms[-1]:.2f} ms, "
                                      f"RSS {soak.memory(dut)['rss_kib']} KiB", flush=True)
                    finally:
                        seconds = time.monotonic() - started
                        stop.set()
                        traffic.join()
                print(f"SNMP polling: {len(latencies)} GETs answered, {len(errors)} failed", flush=True)
            report(soak, args, samples, trials, baseline, seconds)
        finally:
            snmpd.stop()
