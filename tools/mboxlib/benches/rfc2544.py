"""RFC 2544 throughput, latency and jitter of mboxd, against dpdk-testpmd io.

For each frame size and each device under test (DUT: dpdk-testpmd
--forward-mode=io as the baseline, mboxd pass-through port_rx -> port_tx both
ways, with --chain also tools/bench's classifier -> acl -> router -> counter),
a binary search finds the highest rate the DUT forwards without losing a
frame (RFC 2544 section 26.1), then one more trial at that rate measures
latency and jitter (section 26.2).  The generator is build/mbox-gen on lcore 1
(paced UDP frames on both memif ports, sequence numbers and TSC stamps in the
payload, received back in the same loop); the DUT forwards on lcore 0, as in
tools/bench.  The DUTs take turns size by size (testpmd io, mboxd, ... for 64
bytes, then for 128 ...), each search with freshly started processes, because
this VM's throughput drifts by up to 3x as its vCPUs move: the ratios to
testpmd io of the same round and size are what count.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

from mboxlib.cli import ROOT, ranged
from mboxlib.configs import chain_router, mboxd_case
from mboxlib.dpdk import MboxGen, dut_session, dut_testpmd
from mboxlib.procs import BenchError

SIZES = (64, 128, 256, 512, 1024, 1280, 1518)
MIN_SIZE, MAX_SIZE = 64, 1518
# A paced trial that offered less than this share of its target shows the
# generator's limit, not that the DUT kept up.
OFFERED_SHARE = 0.99
LATENCY_KEYS = ("min", "avg", "p99", "max", "jitter")


def passed(result, loss_tolerance):
    """Loss within the tolerance (a share of what was offered), and the rate kept."""
    return (result["lost"] <= loss_tolerance * result["offered"]
            and result["offered"] >= OFFERED_SHARE * result["target"])


def trial_line(result):
    short = result["offered"] < OFFERED_SHARE * result["target"]
    return (f"{result['rate'] / 1e6:7.3f} Mpps: offered {result['offered']:.0f}"
            + (f" ({result['offered'] / result['target']:.0%} of the target: generator too slow)" if short else "")
            + f", lost {result['lost']:.0f} (refused {result['refused']:.0f}), reordered {result['reordered']:.0f}")


def search(gen, size, args, log):
    """Zero-loss throughput of one DUT at one frame size, and latency at
    that rate.  The search starts at what the ports take unpaced, doubles
    the rate while trials pass (a stalled unpaced trial must not cap it),
    then halves the interval between the highest pass and the lowest
    failure until it is narrower than args.resolution of the failure; it
    gives up (zero-loss rate 0) below args.resolution of the start."""
    unpaced = gen.trial(size, None, args.trial_seconds)
    start = unpaced["offered"] / unpaced["seconds"]
    if start == 0:
        gen.fail(f"the DUT's ports took no frame of {size} bytes in {args.trial_seconds:g} s")
    record = {"unpaced_offered_fps": start, "unpaced_forwarded_fps": unpaced["received"] / unpaced["seconds"],
              "trials": [unpaced]}
    log(f"    unpaced: offered {start / 1e6:.3f} Mpps, forwarded {record['unpaced_forwarded_fps'] / 1e6:.3f} Mpps")
    low, high, rate = 0.0, None, start
    while True:
        result = gen.trial(size, rate, args.trial_seconds)
        record["trials"].append(result)
        ok = passed(result, args.loss_tolerance)
        log(f"    {'pass' if ok else 'fail'} {trial_line(result)}")
        if ok:
            low = rate
        else:
            high = rate
        if high is not None and (high - low <= args.resolution * high or high <= args.resolution * start):
            break
        rate = 2 * rate if high is None else (low + high) / 2
    record["zero_loss_fps"] = low
    record["latency"] = None
    if low > 0:
        result = gen.trial(size, low * args.latency_load, args.trial_seconds)
        log(f"    latency trial at {trial_line(result)}")
        record["latency"] = dict({k: result[f"lat_{k}_ns"] / 1e3 for k in LATENCY_KEYS}, fps=result["rate"],
                                 lost=result["lost"])
    return record


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(duts, sizes, records):
    """Per size and DUT: medians over the rounds, and each mboxd DUT's ratio to
    testpmd io (of the medians, and the median of the per-round ratios)."""
    summary = {}
    for size in sizes:
        base = [r["zero_loss_fps"] for r in records[(duts[0][0], size)]]
        for label, _ in duts:
            runs = records[(label, size)]
            fps = [r["zero_loss_fps"] for r in runs]
            lat = [r["latency"] for r in runs if r["latency"]]
            summary[(label, size)] = {
                "mpps": statistics.median(fps) / 1e6,
                "unpaced_forwarded_mpps": statistics.median(r["unpaced_forwarded_fps"] for r in runs) / 1e6,
                "ratio": statistics.median(fps) / statistics.median(base) if statistics.median(base) else None,
                "round_ratio": median_or_none([x / b if b else None for x, b in zip(fps, base)]),
                "latency": ({k: median_or_none([x[k] for x in lat]) for k in LATENCY_KEYS + ("lost",)}
                            if lat else None),
            }
    return summary


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def print_tables(duts, sizes, summary, rounds):
    labels = [label for label, _ in duts]
    width = max(len(label) for label in labels)
    columns = f"{'zero-loss':>9}  {'unpaced':>7}"
    ratio = f"{'ratio (per-round)':>17}"
    groups = [columns] + [f"{columns}  {ratio}"] * (len(labels) - 1)
    print(f"\nthroughput, Mpps, both directions together (median of {rounds} round(s)): zero-loss rate; unpaced = "
          "what the DUT\nforwarded when offered all its ports took; ratio = zero-loss to testpmd io's, of the medians "
          "(median of the per-round ratios)")
    print(f"{'frame':>5}  " + "  ".join(f"{label:{len(group)}}" for label, group in zip(labels, groups)))
    print(f"{'bytes':>5}  " + "  ".join(groups))
    for size in sizes:
        cells = []
        for n, label in enumerate(labels):
            s = summary[(label, size)]
            cell = f"{s['mpps']:9.3f}  {s['unpaced_forwarded_mpps']:7.2f}"
            if n:
                cell += f"  {fmt(s['ratio'], '.2f') + ' (' + fmt(s['round_ratio'], '.2f') + ')':>17}"
            cells.append(cell)
        print(f"{size:>5}  " + "  ".join(cells))
    print("\nlatency and jitter at the zero-loss rate, microseconds (medians over rounds); jitter = mean |latency "
          "difference|\nof consecutive frames; lost = frames lost in the latency trial")
    print(f"{'frame':>5}  {'DUT':{width}}  " + "  ".join(f"{k:>8}" for k in LATENCY_KEYS + ("lost",)))
    for size in sizes:
        for label in labels:
            lat = summary[(label, size)]["latency"]
            values = "  ".join(f"{fmt(lat[k] if lat else None, '8.1f'):>8}" for k in LATENCY_KEYS)
            print(f"{size:>5}  {label:{width}}  {values}  {fmt(lat['lost'] if lat else None, '8.0f'):>8}")


def write_results(out, duts, sizes, summary, records, args):
    """rfc2544.dat (one row per frame size, for gnuplot), rfc2544.json (every trial)."""
    labels = [label for label, _ in duts]
    columns = ["size"] + [f"{re.sub(r'[^a-z0-9]+', '_', label)}_{k}" for label in labels
                          for k in ("mpps", "gbps") + tuple(f"{k}_us" for k in LATENCY_KEYS)]
    with open(os.path.join(out, "rfc2544.dat"), "w") as f:
        f.write(f"# tools/rfc2544: medians of {args.rounds} round(s); gbps = frames * size * 8 (FCS included, "
                "no preamble or gap); '-': no zero-loss rate found\n# " + " ".join(columns) + "\n")
        for size in sizes:
            row = [str(size)]
            for label in labels:
                s = summary[(label, size)]
                lat = s["latency"] or {}
                row += [f"{s['mpps']:.4f}", f"{s['mpps'] * size * 8 / 1e3:.4f}"]
                row += [fmt(lat.get(k), ".3f") for k in LATENCY_KEYS]
            f.write(" ".join(row) + "\n")
    with open(os.path.join(out, "rfc2544.json"), "w") as f:
        json.dump({"arguments": vars(args),
                   "results": [{"dut": label, "size": size, "round": n + 1, **record}
                               for (label, size), runs in records.items() for n, record in enumerate(runs)]},
                  f, indent=1)


NO_LATENCY = "set yrange [1:1000]; set label 'no zero-loss rate found' at graph 0.5, 0.5 center"


def plot(out, duts, any_latency):
    """throughput.png and latency.png from rfc2544.dat with gnuplot."""
    per_dut = 2 + len(LATENCY_KEYS)  # the columns of one DUT in rfc2544.dat
    first = lambda n: 2 + n * per_dut
    lat_col = lambda n, key: first(n) + 2 + LATENCY_KEYS.index(key)
    throughput = ", ".join(f"'rfc2544.dat' using 1:{first(n)} lt {n + 1} title '{label}'"
                           for n, (label, _) in enumerate(duts))
    latency = ", ".join(f"'rfc2544.dat' using 1:{lat_col(n, 'avg')} lt {n + 1} title '{label} avg', "
                        f"'rfc2544.dat' using 1:{lat_col(n, 'p99')} lt {n + 1} dt 2 pt 6 title '{label} p99'"
                        for n, (label, _) in enumerate(duts))
    linetypes = "\n".join(f"set linetype {n + 1} lw 2 pt 7" for n in range(len(duts)))
    script = f"""
set terminal pngcairo size 900,560
set datafile missing '-'
set key top right
set grid
set style data linespoints
{linetypes}
set xlabel 'frame size (bytes)'
set xrange [0:1600]
set xtics (64, 128, 256, 512, 1024, 1280, 1518)
set output 'throughput.png'
set title 'RFC 2544 zero-loss throughput (both directions, memif, one forwarding lcore)'
set ylabel 'Mpps'
set yrange [0:*]
plot {throughput}
set output 'latency.png'
set title 'RFC 2544 latency at the zero-loss rate'
set ylabel 'microseconds'
set logscale y
{"set yrange [*:*]" if any_latency else NO_LATENCY}
plot {latency}
"""
    run = subprocess.run(["gnuplot"], input=script, text=True, cwd=out, capture_output=True)
    if run.returncode != 0:
        raise BenchError(f"gnuplot failed:\n{run.stderr}")


def parse_sizes(text):
    try:
        sizes = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}': expected comma-separated frame sizes in bytes, e.g. 64,1518")
    bad = [s for s in sizes if not MIN_SIZE <= s <= MAX_SIZE]
    if bad or len(set(sizes)) != len(sizes):
        raise argparse.ArgumentTypeError(f"'{text}': expected distinct frame sizes from {MIN_SIZE} to {MAX_SIZE}")
    return sizes


def ring_size(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 256 <= value <= 16384 or value & (value - 1):
        raise argparse.ArgumentTypeError(f"'{text}': expected a power of two from 256 to 16384")
    return value


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=parse_sizes, default=list(SIZES),
                    help=f"frame sizes in bytes, FCS included (default {','.join(map(str, SIZES))})")
    ap.add_argument("--trial-seconds", type=ranged(float, 0, 3600, "seconds above 0 and up to 3600", low_open=True),
                    default=2.0, help="length of one trial (default 2)")
    ap.add_argument("--rounds", type=ranged(int, 1, 1000, "a whole number from 1 to 1000"), default=3,
                    help="searches per DUT and size, interleaved (default 3)")
    ap.add_argument("--resolution", type=ranged(float, 0, 50, "a percentage above 0 and up to 50", True, 0.01),
                    default=0.01, help="search until the rate is known within this percentage (default 1)")
    ap.add_argument("--loss-tolerance", type=ranged(float, 0, 10, "a percentage from 0 to 10", scale=0.01),
                    default=0.0, help="percentage of frames a passing trial may lose (default 0, RFC 2544's zero loss)")
    ap.add_argument("--latency-load", type=ranged(float, 0, 100, "a percentage above 0 and up to 100", True, 0.01),
                    default=1.0,
                    help="latency trial rate as a percentage of the zero-loss rate (default 100, as RFC 2544)")
    ap.add_argument("--ring-size", type=ring_size, default=1024,
                    help="memif ring slots, a power of two from 256 to 16384 (default 1024, as tools/bench); "
                         "larger rings ride out a stalled vCPU, at a larger cache footprint")
    ap.add_argument("--chain", action="store_true", help="also mboxd classifier -> acl -> router -> counter")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "rfc2544"),
                    help="where rfc2544.dat, rfc2544.json and the PNGs go (default build/rfc2544)")
    ap.add_argument("--mboxd", default=os.path.join(ROOT, "build", "mboxd"), help="mboxd binary")
    ap.add_argument("--gen", default=os.path.join(ROOT, "build", "mbox-gen"), help="mbox-gen binary")
    ap.add_argument("--verbose", action="store_true", help="print every trial")
    ap.add_argument("--quick", action="store_true",
                    help="functional check: defaults of 64,1518 bytes, 1 round, 0.5 s trials, 10%% resolution")
    args = ap.parse_args()
    if args.quick:
        ap.set_defaults(sizes=[64, 1518], rounds=1, trial_seconds=0.5, resolution=0.1)
        args = ap.parse_args()
    for path, what in ((args.mboxd, "--mboxd"), (args.gen, "--gen")):
        if not os.access(path, os.X_OK):
            ap.error(f"{what} {path}: expected an executable (run make first)")
    if not shutil.which("gnuplot"):
        ap.error("gnuplot not found: expected it on PATH (make deps installs gnuplot-nox)")
    os.makedirs(args.out, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    log = (lambda line: print(line, flush=True)) if args.verbose else (lambda line: None)

    with tempfile.TemporaryDirectory(prefix="mbox-rfc2544-") as tmp:
        socks = [os.path.join(tmp, f"memif{i}.sock") for i in range(2)]
        duts = [("testpmd io", lambda: dut_testpmd(socks)),
                ("mboxd pass-through", mboxd_case(args.mboxd, os.path.join(tmp, "pass.cfg"), socks, None,
                                                        "mboxd pass-through"))]
        if args.chain:
            label = "mboxd cls->acl->rt->cnt"
            duts.append((label, mboxd_case(args.mboxd, os.path.join(tmp, "chain.cfg"), socks,
                                                 lambda i, tx: chain_router(i, tx, acl=True), label)))
        print(f"{len(duts)} DUTs x {len(args.sizes)} frame sizes x {args.rounds} round(s), DUTs interleaved per "
              f"size; trials of {args.trial_seconds:g} s; generator mbox-gen on lcore 1, DUT on lcore 0", flush=True)
        records = {(label, size): [] for label, _ in duts for size in args.sizes}
        for r in range(1, args.rounds + 1):
            for size in args.sizes:
                for label, start_dut in duts:
                    start_gen = lambda: MboxGen(args.gen, socks, args.ring_size)
                    with dut_session(start_dut, socks, start_gen) as (_, gen):
                        record = search(gen, size, args, log)
                    records[(label, size)].append(record)
                    lat = record["latency"]
                    print(f"round {r}/{args.rounds} {size:5} B  {label:24} zero-loss "
                          f"{record['zero_loss_fps'] / 1e6:6.3f} Mpps (unpaced: offered "
                          f"{record['unpaced_offered_fps'] / 1e6:5.2f}, forwarded "
                          f"{record['unpaced_forwarded_fps'] / 1e6:5.2f}); latency "
                          + (f"avg {lat['avg']:.1f} p99 {lat['p99']:.1f} us, lost {lat['lost']:.0f}" if lat else "-")
                          + f"  [{len(record['trials'])} trials]", flush=True)

    summary = summarize(duts, args.sizes, records)
    print_tables(duts, args.sizes, summary, args.rounds)
    write_results(args.out, duts, args.sizes, summary, records, args)
    plot(args.out, duts, any(s["latency"] for s in summary.values()))
    written = ("rfc2544.dat", "rfc2544.json", "throughput.png", "latency.png")
    print(f"\nwritten: {', '.join(os.path.join(args.out, f) for f in written)}")
    drain = next(iter(records.values()))[0]["trials"][0]["drain_ms"] / 1e3
    print(f"method: a trial sends SIZE-byte frames (FCS included: SIZE - 4 bytes cross memif) at a paced rate on both\n"
          f"  ports for {args.trial_seconds:g} s and receives for {drain:g} s more; it passes when no more than "
          f"{args.loss_tolerance:.2%} of the\n  frames offered failed to come back (one refused by the DUT's full "
          f"receive ring, {args.ring_size} slots, is lost)\n  and the generator offered {OFFERED_SHARE:.0%} of the "
          f"target or more.  The search starts at the rate the ports take\n  unpaced, doubles it while trials pass, "
          f"then halves the interval between the highest pass and the\n  lowest failure until it is within "
          f"{args.resolution:.0%}.  Latency: one more trial at {args.latency_load:.0%} of the zero-loss rate, every\n"
          f"  frame stamped with the TSC (sender and receiver are one lcore).  Numbers from a shared or noisy\n"
          f"  machine say little; compare the ratios, taken in the same run.")
