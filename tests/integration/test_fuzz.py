#!/usr/bin/env python3
"""A short run of each libFuzzer target (`make fuzz`, FUZZ_SECONDS=10): the
configuration parser, SNMP SET values and every element's packet
processing, under ASan and UBSan.  Passes when a fuzzer ran inputs and found
nothing (no crash, sanitizer report, leak or lost mbuf), and when every input
kept in tests/fuzz/found/ and tests/fuzz/seeds/ still passes (make fuzz-replay)."""
import os
import re
import subprocess

from mboxtest import check, finish, plan

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
r = subprocess.run(["make", "-s", "fuzz", f"FUZZ_SECONDS={os.environ.get('FUZZ_SECONDS', '10')}"], cwd=ROOT,
                   capture_output=True, text=True)
out = r.stdout + r.stderr
runs = dict(re.findall(r"== fuzz_(\w+) for .*\n(?:.*\n)*?stat::number_of_executed_units: (\d+)", out))
FUZZERS = ("config", "set", "packets")
plan(*(f"fuzz_{name}_finds_nothing" for name in FUZZERS))
for name in FUZZERS:
    executed = int(runs.get(name, 0))
    check(executed > 0 and f"fuzz_{name}: " not in out, f"fuzz_{name}_finds_nothing",
          f"{executed} inputs; " + out[-3000:])
check(r.returncode == 0, "fuzz_make_fuzz_passes", out[-3000:])
# Every input a fuzzer once found a bug with, and every seed, once each.
r = subprocess.run(["make", "-s", "fuzz-replay"], cwd=ROOT, capture_output=True, text=True)
out = r.stdout + r.stderr
replayed = dict(re.findall(r"fuzz_(\w+): replayed (\d+) inputs", out))
check(r.returncode == 0 and all(int(replayed.get(name, 0)) > 0 for name in FUZZERS), "fuzz_found_inputs_replayed",
      f"{replayed}; " + out[-3000:])
finish()
