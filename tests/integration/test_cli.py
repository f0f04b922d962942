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

# --provision (issue 23): the image's configuration, a fragment over it and
# the users' passphrases; printed only when valid, no passphrase in errors.
frag, words, merged = f"{d}/fragment.cfg", f"{d}/passphrases", f"{d}/provisioned.cfg"
with open(frag, "w") as f:
    f.write('snmp = { sys_name = "edge 7"; users = ( { name = "ops"; write = true; }, { name = "watch"; } ); };\n'
            'dpdk = { memory_mb = 192; };\n')


def provision(passphrases, fragment=frag):
    with open(words, "w") as f:
        f.write(passphrases)
    return run("--provision", "images/mbox.cfg", fragment, words)


rc, out = provision("# users\nops ops-auth-pass ops-priv-pass\nwatch watch-passphrase\n")
with open(merged, "w") as f:
    f.write(out if rc == 0 else "")
rc2, conf = run("--snmpd-conf", merged)
check(rc == 0 and rc2 == 0 and 'createUser ops SHA "ops-auth-pass" AES "ops-priv-pass"\nrwuser ops priv' in conf
      and 'createUser watch SHA "watch-passphrase" AES "watch-passphrase"\nrouser watch priv' in conf
      and "sysName edge 7\n" in conf and "memory_mb = 192;" in out and 'lcores = "0,1";' in out
      and "mboxadmin" not in conf, "provision_merges_fragment_and_passphrases", out[-800:] + conf[-800:])
rc, out = provision("ops tiny\nwatch watch-passphrase\nroot root-passphrase\nops ops-auth-pass\n")
check(rc == 1 and "field 'auth_pass': passphrase too short" in out
      and f"{words}:3: error: a passphrase for user 'root', which the provided configuration does not define" in out
      and f"{words}:4: error: user 'ops' has passphrases on an earlier line" in out
      and "refused, nothing provisioned" in out and "tiny" not in out and "root-passphrase" not in out,
      "provision_refuses_with_reasons", out)
with open(frag, "a") as f:
    f.write('elements = 3;\n')
rc, out = provision("ops ops-auth-pass\nwatch watch-passphrase\n")
check(rc == 1 and "'elements'" in out and "refused, nothing provisioned" in out and "ops-auth-pass" not in out,
      "provision_refuses_invalid_fragment", out)
finish()
