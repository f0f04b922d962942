#!/usr/bin/env python3
"""Per-box credentials (issue 23), on the booted image under QEMU
(tools/mboxlib/image.py's Boot, namespaces mbpv-lan/mbpv-wan):
- tools/flash refuses bad provisioning (short passphrase, a passphrase for a
  user it does not define, an invalid configuration or address) and writes
  nothing;
- two disks flashed from one build without provisioning get different
  random first-login passphrases, each shown on its first boot's console
  only; the passphrase images shared before is refused on both, and each
  box refuses the other's;
- a disk flashed with tools/flash --snmp-user answers SETs with that user
  only, with its sysName, and its passphrases appear on no console;
- a VM booted with a cidata seed ISO (tools/flash --seed) takes its users,
  static management address and sysName; the next boot ignores the seed;
  the passphrases are in no console line, no MIB object and no file others
  than root (and snmpd's group) may read;
- a seed with a short passphrase, an invalid configuration and a passphrase
  for a user it does not define is refused with each reason, and the box
  boots with a first-login passphrase of its own instead."""
import os
import shutil
import signal
import subprocess
import sys

os.environ.setdefault("MBOX_IMAGE_TEST_PREFIX", "mbpv")
from mboxlib import image as ti  # noqa: E402
from mboxtest import MBOXD, case, check, finish, plan, skip_rest  # noqa: E402

WORK = os.path.abspath("build/provision-test")
ti.WORK = WORK
OLD = ti.OLD_DOCUMENTED
SYSNAME = "1.3.6.1.2.1.1.5.0"
DROP_RATE = ti.DROP_RATE
FLASH_PASS = ("flash-ops-auth-1", "flash-ops-priv-1")
SEED_PASS = ("seed-ops-auth-22", "seed-ops-priv-22")
SEED_MON_PASS = "seed-monitor-333"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def flash(*args, stdin=""):
    return run(["tools/flash", "--mboxd", MBOXD, *args], input=stdin)


def boot(name, image, auth, **kw):
    return ti.Boot(name, image, auth, **kw)


def set_drop_rate(port, auth, value):
    r = run(["snmpset", *auth, "-t", "3", "-r", "1", f"udp:127.0.0.1:{port}", DROP_RATE, "u", str(value)])
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def private(files):
    """Whether every file in secret_files() is mode 0700/0600 (owner only),
    or 0640 of the group snmp (snmpd's generated configuration), and the
    configuration and snmpd's file are among them."""
    modes = [line.split() for line in files or ()]
    return (bool(modes) and all(m[0][-1] == "0" and (m[0][-2] == "0" or m[1] == "root:snmp") for m in modes)
            and {m[2] for m in modes} >= {"/config/mbox.cfg", "/run/snmpd.conf"})


def power_off(b):
    b.sh("sync")
    b.shell.sock.sendall(b"poweroff\n")
    try:
        b.proc.wait(90)
    except subprocess.TimeoutExpired:
        pass


def secret_files(b, secret):
    """'mode user:group path' of every guest file that holds secret."""
    status, out = b.sh(f"for f in $(grep -rlF -- '{secret}' /config /run /tmp /var /dev/shm 2>/dev/null); do "
                       "stat -c '%a %U:%G %n' \"$f\"; done; echo done")
    return [line for line in (out or "").splitlines() if line != "done"] if status == 0 else None


REFUSALS = ("short_passphrase", "undefined_user", "bad_address", "bad_sys_name")
plan(*(f"provision_flash_refuses_{n}" for n in REFUSALS))


def flash_refusals(image):
    """Bad input: a clear reason, and nothing written."""
    cases = {
        "short_passphrase": (["--snmp-user", "ops,write"], "ops tiny1\n", "passphrase too short"),
        "undefined_user": (["--snmp-user", "ops,write"], "ops long-enough-1\nroot long-enough-2\n",
                           "a passphrase for user 'root', which the provided configuration does not define"),
        "bad_address": (["--snmp-user", "ops", "--mgmt-address", "10.0.0.300/24"], "ops long-enough-1\n",
                        "expected dhcp or an IPv4 address"),
        "bad_sys_name": (["--sys-name", "a#b"], "", "field 'sys_name'"),
    }
    for name, (args, stdin, want) in cases.items():
        target = os.path.join(WORK, f"refused-{name}.img")
        r = flash("--yes", "--image", image, *args, "--passphrases", "-", target, stdin=stdin) if stdin else \
            flash("--yes", "--image", image, *args, target)
        out = r.stdout + r.stderr
        secret = stdin.split()[1] if stdin else "\0"
        check(r.returncode == 1 and want in out and "nothing written" in out
              and not os.path.exists(target) and secret not in out,
              f"provision_flash_refuses_{name}", f"rc {r.returncode}: {out}")


PLAIN = ("flash_{}", "{}_first_login_passphrase_shown", "{}_answers_its_own_passphrase",
         "{}_old_documented_refused", "{}_other_box_passphrase_refused", "{}_secret_only_in_private_files")
plan(*(f"provision_plain_{c.format(n)}" for n in ("x", "y") for c in PLAIN))


def unprovisioned_pair(image):
    """Two disks from one build: each makes up its own passphrase."""
    seen = []
    for n in ("x", "y"):
        disk = os.path.join(WORK, f"plain-{n}.img")
        r = flash("--yes", "--image", image, disk)
        if not check(r.returncode == 0, f"provision_plain_flash_{n}", r.stdout + r.stderr):
            return
        b = boot(f"plain-{n}", disk, None, extra=["--no-provision"])
        try:
            pw = b.first_login()
            if not check(pw is not None and len(pw) >= 16, f"provision_plain_{n}_first_login_passphrase_shown",
                         b.console()[-3000:]):
                return
            b.auth = ti.v3(pw, pw)
            secs = b.wait_snmp(240)
            check(secs is not None, f"provision_plain_{n}_answers_its_own_passphrase", b.console()[-2000:])
            check(ti.snmp_sysdescr(b.port, OLD) is None, f"provision_plain_{n}_old_documented_refused",
                  "mbox-change-me got in")
            others = [p for p in seen if ti.snmp_sysdescr(b.port, ti.v3(p, p))]
            check(not others, f"provision_plain_{n}_other_box_passphrase_refused", "the other box's got in")
            files = secret_files(b, pw)
            check(private(files), f"provision_plain_{n}_secret_only_in_private_files", repr(files))
            seen.append(pw)
            if n == "y":
                plain_second_boot(b, disk, pw)
        finally:
            b.stop()
            ti.cleanup_net()
    check(len(seen) == 2 and seen[0] != seen[1], "provision_plain_boxes_differ", "same passphrase on both")


def plain_second_boot(first, disk, pw):
    power_off(first)
    first.stop()
    ti.cleanup_net()
    b = boot("plain-y2", disk, ti.v3(pw, pw), keep=True, extra=["--no-provision"])
    try:
        secs = b.wait_snmp(240)
        check(secs is not None and pw not in b.console() and "first boot" not in b.console(),
              "provision_plain_second_boot_keeps_passphrase_off_console", b.console()[-2000:])
    finally:
        b.stop()
        ti.cleanup_net()


def flashed_user(image):
    """tools/flash --snmp-user: that user writes, nobody else gets in."""
    disk = os.path.join(WORK, "flashed.img")
    r = flash("--yes", "--image", image, "--snmp-user", "ops,write", "--snmp-user", "watch,monitor",
              "--sys-name", "flashed-box", "--passphrases", "-", disk,
              stdin=f"ops {FLASH_PASS[0]} {FLASH_PASS[1]}\nwatch {SEED_MON_PASS}\n")
    mode = oct(os.stat(disk).st_mode & 0o777) if os.path.exists(disk) else None
    if not check(r.returncode == 0 and mode == "0o600" and not any(p in r.stdout + r.stderr for p in FLASH_PASS),
                 "provision_flashed_disk_made", f"mode {mode}: {r.stdout}{r.stderr}"):
        return
    ops = ti.v3(*FLASH_PASS, user="ops")
    b = boot("flashed", disk, ops, extra=["--no-provision"])
    try:
        secs = b.wait_snmp(240)
        if not check(secs is not None, "provision_flashed_answers_its_user", b.console()[-3000:]):
            return
        ti.snmp_get_until(b.port, DROP_RATE, "0", ops)   # once mboxd's subagent has registered
        ok, out = set_drop_rate(b.port, ops, 777)
        check(ok and ti.snmp_get(b.port, DROP_RATE, ops) == "777", "provision_flashed_user_sets", out)
        ok, out = set_drop_rate(b.port, ti.v3(SEED_MON_PASS, SEED_MON_PASS, user="watch"), 778)
        check(not ok and "noAccess" in out, "provision_flashed_read_only_user_cannot_set", out)
        refused = [a for a in (OLD, ti.v3(*FLASH_PASS)) if ti.snmp_sysdescr(b.port, a) is not None]
        check(not refused, "provision_flashed_only_its_users", f"also answered: {refused}")
        check(ti.snmp_get(b.port, SYSNAME, ops) == "flashed-box", "provision_flashed_sys_name",
              repr(ti.snmp_get(b.port, SYSNAME, ops)))
        console = b.console()
        check(not any(p in console for p in (*FLASH_PASS, SEED_MON_PASS)) and "passphrase (" not in console,
              "provision_flashed_no_secret_on_console", "a passphrase is on the console")
    finally:
        b.stop()
        ti.cleanup_net()


def seeded(image):
    """A cidata seed ISO: users, address and sysName, once."""
    seed = os.path.join(WORK, "seed.iso")
    r = flash("--seed", seed, "--snmp-user", "ops,write", "--snmp-user", "watch,monitor",
              "--sys-name", "seeded-box", "--mgmt-address", "10.0.2.15/24", "--mgmt-gateway", "10.0.2.2",
              "--passphrases", "-", stdin=f"ops {SEED_PASS[0]} {SEED_PASS[1]}\nwatch {SEED_MON_PASS}\n")
    if not check(r.returncode == 0 and os.path.exists(seed), "provision_seed_made", r.stdout + r.stderr):
        return
    disk = os.path.join(WORK, "seeded.img")
    flash("--yes", "--image", image, disk)
    ops = ti.v3(*SEED_PASS, user="ops")
    b = boot("seeded", disk, ops, extra=["--seed", seed])
    try:
        secs = b.wait_snmp(240)
        if not check(secs is not None, "provision_seed_users_answer", b.console()[-3000:]):
            return
        console = b.console()
        applied = [line for line in console.splitlines() if "cidata seed" in line and " applied: " in line]
        check(len(applied) == 1 and all(w in applied[0] for w in ("user ops (write)", "user watch (read)",
                                                                  "sysName seeded-box", "10.0.2.15/24")),
              "provision_seed_applied_in_log", console[-3000:])
        check("management NIC" in console and ": 10.0.2.15/24 via 10.0.2.2" in console,
              "provision_seed_static_address", console[-3000:])
        check(ti.snmp_get(b.port, SYSNAME, ops) == "seeded-box", "provision_seed_sys_name",
              repr(ti.snmp_get(b.port, SYSNAME, ops)))
        ti.snmp_get_until(b.port, DROP_RATE, "0", ops)
        ok, out = set_drop_rate(b.port, ops, 4321)
        check(ok, "provision_seed_user_sets", out)
        check(ti.snmp_sysdescr(b.port, OLD) is None and "passphrase (" not in console,
              "provision_seed_no_first_login_user", console[-2000:])
        walk = run(["snmpwalk", *ops, "-t", "5", "-r", "1", "-On", f"udp:127.0.0.1:{b.port}", ".1"])
        secrets = (*SEED_PASS, SEED_MON_PASS)
        check(walk.returncode == 0 and walk.stdout.count("\n") > 100
              and not any(p in walk.stdout for p in secrets), "provision_seed_secrets_in_no_mib_object",
              f"{walk.stdout.count(chr(10))} objects; {walk.stderr[-500:]}")
        files = secret_files(b, SEED_PASS[0])
        check(private(files), "provision_seed_secret_only_in_private_files", repr(files))
        # The operator renames the box; a reboot with the seed still there
        # must keep that (the seed is applied once).
        status, out = b.sh(f"sed -i 's/\"seeded-box\"/\"renamed-box\"/' {ti.CFG} && mboxd --check {ti.CFG}")
        check(status == 0, "provision_seed_operator_renames_box", out)
        power_off(b)
    finally:
        b.stop()
        ti.cleanup_net()
    b = boot("seeded2", disk, ops, keep=True, extra=["--seed", seed])
    try:
        secs = b.wait_snmp(240)
        console = b.console()
        check(secs is not None and "ignored: this box was provisioned on its first boot" in console
              and ti.snmp_get(b.port, SYSNAME, ops) == "renamed-box", "provision_seed_ignored_on_next_boot",
              console[-2000:])
        check(not any(p in console for p in secrets), "provision_seed_no_secret_on_console",
              "a passphrase is on the console")
    finally:
        b.stop()
        ti.cleanup_net()


def bad_seed(image):
    """Made without tools/flash, which would refuse it."""
    d = os.path.join(WORK, "bad-seed")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "meta-data"), "w") as f:
        f.write("instance-id: bad-seed\n")
    with open(os.path.join(d, "mbox.cfg"), "w") as f:
        f.write('snmp = { users = ( { name = "ops"; write = true; } ); };\ndpdk = { memory_mb = "lots"; };\n')
    with open(os.path.join(d, "mbox-passphrases"), "w") as f:
        f.write("ops short\nmboxadmin stolen-by-seed-1\n")
    seed = os.path.join(WORK, "bad-seed.iso")
    r = run(["genisoimage", "-quiet", "-output", seed, "-volid", "cidata", "-joliet", "-rock", d])
    if not check(r.returncode == 0, "provision_bad_seed_made", r.stderr):
        return
    disk = os.path.join(WORK, "bad-seeded.img")
    flash("--yes", "--image", image, disk)
    b = boot("bad-seed", disk, None, extra=["--seed", seed])
    try:
        pw = b.first_login()
        console = b.console()
        check("refused, nothing of it applied" in console and "passphrase too short" in console
              and "a passphrase for user 'mboxadmin', which the provided configuration does not define" in console
              and "memory_mb" in console and "stolen-by-seed-1" not in console,
              "provision_bad_seed_refused_with_reasons", console[-3000:])
        if not check(pw is not None, "provision_bad_seed_boots_with_own_passphrase", console[-2000:]):
            return
        b.auth = ti.v3(pw, pw)
        secs = b.wait_snmp(240)
        status, out = b.sh(f"grep -c 'name = \"ops\"' {ti.CFG}")
        check(secs is not None and ti.snmp_sysdescr(b.port, ti.v3("stolen-by-seed-1", "stolen-by-seed-1")) is None
              and out.strip() == "0", "provision_bad_seed_credentials_refused",
              f"users named ops: {out!r}; " + b.console()[-2000:])
    finally:
        b.stop()
        ti.cleanup_net()


def main():
    if shutil.which("qemu-system-x86_64") is None or run(["qemu-system-x86_64", "--version"]).returncode != 0:
        skip_rest("qemu-system-x86_64 cannot run (make deps installs qemu-system-x86)")
        return
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    ti.cleanup_net()
    r = run(["images/build.sh", MBOXD, WORK])
    if not check(r.returncode == 0, "provision_image_build", (r.stdout + r.stderr)[-3000:]):
        return
    image = os.path.join(WORK, "mbox.img")
    # tests/run.sh test_provision.py:GLOB runs only the parts GLOB asks for
    for prefix, part in (("provision_flash_refuses", flash_refusals), ("provision_plain", unprovisioned_pair),
                         ("provision_flashed", flashed_user), ("provision_seed", seeded),
                         ("provision_bad_seed", bad_seed)):
        if case(prefix):
            part(image)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        main()
    finally:
        ti.cleanup_net()
    finish()
