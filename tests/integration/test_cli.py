#!/usr/bin/env python3
"""The command line: --check, --list-elements, start-up refusals."""
import glob
import os
import subprocess

from mboxtest import MBOXD, check, finish, plan, workdir


def run(*args):
    p = subprocess.run([MBOXD, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


CONFIGS = ["firmware/mbox.cfg"] + sorted(glob.glob("firmware/examples/*.cfg"))
plan(*(f"check_accepts_{os.path.basename(p)}" for p in CONFIGS))
for path in CONFIGS:
    rc, out = run("--check", path)
    check(rc == 0 and "OK" in out, f"check_accepts_{os.path.basename(path)}", out)

d = workdir("cli")
bad = f"{d}/bad.cfg"
with open(bad, "w") as f:
    f.write('dpdk = { lcores = "0,1"; main_lcore = 1; };\n'
            'ports = ( { name = "p"; device = "net_null0"; mtu = 1; } );\n'
            'elements = ( { name = "x"; kind = "nope"; } );\nlinks = ( );\n')
rc, out = run("--check", bad)
check(rc == 1 and f"{bad}:2: error: ports[0]: field 'mtu': 1 is out of range" in out,
      "check_rejects_with_file_line", out)
rc, out = run("-c", bad)
check(rc == 2 and f"{bad}:2: error:" in out and "not starting" in out, "run_refuses_invalid_config", out)
rc, out = run("--check", f"{d}/missing.cfg")
check(rc == 1 and "missing.cfg: error: cannot read" in out, "check_reports_missing_file", out)

rc, out = run("--list-elements")
kinds = ["classifier", "counter", "drop", "ether_rewrite", "port_rx", "port_tx"]
check(rc == 0 and all(f"\n{k}: " in "\n" + out for k in kinds) and "writable at run time" in out,
      "list_elements_describes_every_kind", out[:500])

huge = f"{d}/huge.cfg"
with open(huge, "w") as f:
    f.write(open("firmware/mbox.cfg").read().replace("memory_mb = 256", "memory_mb = 1000000"))
rc, out = run("-c", huge)
check(rc == 1 and "hugepages:" in out and "tools/hugepages.sh" in out, "run_explains_missing_hugepages", out)
finish()
