#!/usr/bin/env python3
"""The firmware image (issues 4 and 7): images/build.sh builds it twice (same
bytes, <= 48 MB), images/run-image.sh boots it under QEMU (KVM if it works,
else TCG), with the management NIC on QEMU's user network (SNMP and the
probed ports forwarded from localhost) and the two data NICs on TAPs in
namespaces this test owns (mbit-lan 10.0.0.1, mbit-wan 10.0.0.2).
Checked: the unprovisioned first boot shows a random passphrase for the
first-login user on the console (test_provision.py checks provisioning),
with which snmpd answers sysDescr over SNMPv3 (no v1/v2c community by
default); a ping crosses mboxd in the guest; first boot writes the default
configuration and mboxd its last good copy; only snmpd's UDP 161 listens
(inside the guest, and as probed from the host), snmpd runs as the user
snmp; a changed passphrase replaces the old one; killing mboxd (through the
guest's debug shell) gets it restarted by the supervisor and forwarding
resumes; an SNMPv3 SET is saved; poweroff stops mboxd cleanly with counters
that saw the pings.  Then the configuration file is cut in half and a second
boot, with UEFI (OVMF) when installed, runs the last good configuration,
reports it in the log, over SNMP and by a trap, and returns to the file
once it is repaired and reloaded.  Prints the image sizes and the time from
QEMU start to the first snmpget answer."""
import os
import shutil
import signal
import subprocess
import sys
import time

from mboxlib.image import (CFG, DROP_RATE, LAST_GOOD, MBOX, NS_LAN, NS_WAN, OLD_DOCUMENTED, PROBED_TCP, PROBED_UDP,
                           SYSDESCR, WORK, Boot, TrapReceiver, cleanup_net, ping, ping_until, run, snmp_get,
                           snmp_get_until, snmp_sysdescr, tcp_open, v3)
from mboxtest import MBOXD, check, finish, parse_stats, plan, skip, skip_rest

T0 = time.time()
RESTART_COUNT = MBOX + ".1.1.11.0"   # MBOX-MIB::mboxRestartCount.0
ADMIN_ACTION = MBOX + ".1.1.8.0"     # mboxAdminAction.0: save(3)
ACTION_RESULT = MBOX + ".1.1.9.0"    # mboxActionResult.0: success(3)
LAST_ERROR = MBOX + ".1.1.6.0"       # mboxConfigLastError.0
CONFIG_SOURCE = MBOX + ".1.1.13.0"   # mboxConfigSource.0: file(1), lastGood(2)
RESTARTED_TRAP = MBOX + ".0.7"       # mboxRestarted
LAST_GOOD_TRAP = MBOX + ".0.8"       # mboxConfigLastGoodUsed
WRONG_DIGESTS = "1.3.6.1.6.3.15.1.1.5.0"  # usmStatsWrongDigests.0
# The passphrases the test changes the box's own random one to, as an
# operator may.
NEW_AUTH, NEW_PRIV = "image-test-auth-2", "image-test-priv-2"
V3_NEW = v3(NEW_AUTH, NEW_PRIV)
OVMF = "/usr/share/OVMF/OVMF_CODE.fd"


def note(text):
    print(f"image: {text}", flush=True)


def main():
    plan("image_build_a", "image_build_b")
    if shutil.which("qemu-system-x86_64") is None or run(["qemu-system-x86_64", "--version"]).returncode != 0:
        skip_rest("qemu-system-x86_64 cannot run (make deps installs qemu-system-x86)")
        return
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    cleanup_net()

    # ---- build twice: same bytes; sizes
    # the two builds run side by side (xz, the longest step, uses one core)
    t = time.time()
    builds = {n: subprocess.Popen(["images/build.sh", MBOXD, os.path.join(WORK, n)], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True) for n in ("a", "b")}
    imgs = {}
    for n, p in builds.items():
        out = p.communicate()[0]
        if not check(p.returncode == 0, f"image_build_{n}", out[-3000:]):
            return
        imgs[n] = {ext: open(os.path.join(WORK, n, "mbox." + ext), "rb").read() for ext in ("img", "qcow2")}
    note(f"two builds side by side: {time.time() - t:.1f} s")
    check(imgs["a"] == imgs["b"], "image_build_reproducible", "two builds differ")
    raw, qcow = len(imgs["a"]["img"]), len(imgs["a"]["qcow2"])
    note(f"sizes: mbox.img {raw} bytes ({raw / 2**20:.1f} MiB), mbox.qcow2 {qcow} bytes ({qcow / 2**20:.1f} MiB)")
    check(raw <= 48_000_000, "image_size_at_most_48MB", f"raw image is {raw} bytes")
    del imgs
    image = os.path.join(WORK, "a", "mbox.qcow2")

    # The trap receiver lives across both boots: the second one reports the
    # last good configuration with a trap.
    traps = TrapReceiver()
    try:
        cut_size = first_boot(image, traps)
        if cut_size:
            second_boot(image, traps, cut_size)
    finally:
        traps.stop()
        cleanup_net()
    left = run(["ip", "netns", "list"]).stdout
    check(NS_LAN not in left and NS_WAN not in left, "image_namespaces_removed", left)
    note(f"test duration {time.time() - T0:.0f} s")


def check_exposure(boot):
    """Only snmpd's UDP 161 listens (AgentX is a root-only UNIX socket), as
    the guest lists its sockets and as the host finds by probing."""
    status, out = boot.sh("netstat -lntuwx; stat -c '%A %U' /var/agentx/master")
    rows = [line.split() for line in (out or "").splitlines()]
    inet = sorted((r[0], r[3]) for r in rows if r and r[0] in ("tcp", "udp", "raw", "tcp6", "udp6", "raw6"))
    unix = sorted(r[-1] for r in rows if r and r[0] == "unix")
    check(status == 0 and inet == [("udp", "0.0.0.0:161")] and unix == ["/var/agentx/master"]
          and "srw------- root" in out, "image_only_snmp_listens_in_guest", out)
    status, out = boot.sh("(sleep 30 | nc -l -p 2323 >/dev/null 2>&1 &); sleep 1; netstat -lnt | grep -c :2323")
    control = status == 0 and tcp_open(boot.tcp[2323])
    check(control, "image_host_probe_sees_an_open_port", out)
    opened = [g for g in PROBED_TCP if g != 2323 and tcp_open(boot.tcp[g])]
    answered = [g for g in PROBED_UDP if snmp_sysdescr(boot.udp[g], boot.auth)]
    check(control and not opened and not answered and snmp_sysdescr(boot.port, boot.auth),
          "image_host_reaches_only_udp_161", f"probed tcp {PROBED_TCP[:-1]}, udp {PROBED_UDP}: "
          f"open tcp {opened}, answering udp {answered}")
    status, out = boot.sh("grep -E '^(Uid|Gid):' /proc/$(cat /run/snmpd.pid)/status; grep ^snmp: /etc/passwd")
    check(status == 0 and "Uid:\t100\t100\t100\t100" in out and "Gid:\t100\t100\t100\t100" in out
          and "snmp:x:100:100:" in out, "image_snmpd_runs_as_user_snmp", out)


def first_boot(image, traps):
    """BIOS boot of a fresh disk.  Returns the size of the configuration file
    it leaves cut in half for the second boot, or None."""
    boot = Boot("bios", image, None, extra=["--no-provision"])
    try:
        pw = boot.first_login()
        if not check(pw is not None, "image_first_boot_shows_first_login_passphrase",
                     boot.output()[-1000:] + boot.console()[-3000:]):
            return None
        boot.auth = v3(pw, pw)
        secs = boot.wait_snmp(240)
        accel = boot.accel()
        if not check(secs is not None, "image_bios_snmp_answers",
                     f"({accel}) " + boot.output()[-1000:] + boot.console()[-3000:]):
            return None
        note(f"BIOS boot ({accel}): QEMU start to first snmpget answer {secs:.1f} s: {boot.descr}")
        check("first boot: default mbox.cfg written" in boot.console(), "image_first_boot_writes_config",
              boot.console()[-2000:])
        check(boot.wait_console("info: forwarding:", 60), "image_mboxd_forwarding", boot.console()[-3000:])
        ok, out = ping_until(time.time() + 60)
        if ok:
            ok, out = ping(count=5)
        check(ok, "image_ping_crosses_firmware", out + boot.console()[-2000:])

        status, out = boot.sh("touch /x 2>&1; grep -E ' (/|/config|/dev/hugepages) ' /proc/mounts; "
                              "readlink /sys/bus/pci/devices/0000:00:04.0/driver")
        check(status is not None and "Read-only file system" in out and "/config vfat" in out
              and "hugetlbfs" in out and ("uio_pci_generic" in out or "vfio-pci" in out),
              "image_readonly_root_config_hugepages_bound", out)
        check(boot.wait_console("last good configuration: /config/mbox.cfg copied", 30)
              and boot.sh(f"cmp {CFG} {LAST_GOOD} && echo same")[1].strip() == "same",
              "image_first_start_writes_last_good_copy", boot.console()[-1500:])

        # SNMPv3 only: no community answers, whatever its name.
        answered = [c for c in ("public", "mboxro") if snmp_get(boot.port, SYSDESCR, ["-v2c", "-c", c])]
        check(not answered, "image_no_v2c_community_by_default", f"v2c answered for {answered}")
        check_exposure(boot)

        check(snmp_sysdescr(boot.port, OLD_DOCUMENTED) is None, "image_old_documented_passphrase_refused",
              "the passphrase images shared before issue 23 got in")

        # The operator's first login: new passphrases, and a trap sink to
        # the host.  init respawns snmpd, which starts without the old keys.
        status, out = boot.sh(
            f"sed -i -e 's/auth_pass = \"{pw}\"/auth_pass = \"{NEW_AUTH}\"/' "
            f"-e 's/priv_pass = \"{pw}\"/priv_pass = \"{NEW_PRIV}\"/' "
            f"-e '/^  users = (/i\\  trap_sinks = ( {{ address = \"udp:10.0.2.2:{traps.port}\"; "
            f"community = \"mboxtrap\"; }} );' {CFG} && mboxd --check {CFG} && ! grep -qF -- '{pw}' {CFG} && "
            "kill $(cat /run/snmpd.pid) && echo restarted")
        check(status == 0 and "restarted" in out, "image_passphrases_changed_trap_sink_added", out)
        boot.auth = V3_NEW
        got = snmp_get_until(boot.port, RESTART_COUNT, "0", V3_NEW)
        check(got == "0", "image_subagent_back_after_snmpd_restart", f"mboxRestartCount {got!r}")
        old = snmp_sysdescr(boot.port, v3(pw, pw))
        digests = snmp_get(boot.port, WRONG_DIGESTS, V3_NEW)
        check(old is None and digests is not None and int(digests) > 0,
              "image_old_passphrase_refused_after_change",
              f"old passphrase got {old!r}, usmStatsWrongDigests {digests!r}")

        # kill mboxd: the supervisor restarts it and forwarding resumes
        mark = len(boot.console())
        status, out = boot.sh("kill -9 $(cat /run/mbox/mboxd.pid) && echo killed")
        check(status == 0 and "killed" in out, "image_kill_mboxd", out)
        restarted = boot.wait_console("restarts so far: 1", 60, after=mark) and \
            boot.wait_console("info: forwarding:", 90, after=mark)
        check(restarted, "image_supervisor_restarts_mboxd", boot.console()[mark:][-3000:])
        status, out = boot.sh("cat /run/mbox/restarts")
        check(status == 0 and out.strip() == "1", "image_restart_counted", out)
        got = snmp_get_until(boot.port, RESTART_COUNT, "1", V3_NEW)
        check(got == "1", "image_snmp_reports_restart_count", f"got {got!r}")
        check(traps.wait(RESTARTED_TRAP, RESTART_COUNT), "image_restart_trap_reaches_host_snmptrapd",
              traps.text()[-2000:])
        ok, out = ping_until(time.time() + 60)
        if ok:
            ok, out = ping(count=5)
        check(ok, "image_forwarding_resumes_after_restart", out + boot.console()[mark:][-2000:])

        # An SNMPv3 SET saved to the config partition (checked after reboot).
        r = run(["snmpset", *V3_NEW, "-t", "3", "-r", "1", f"udp:127.0.0.1:{boot.port}", DROP_RATE, "u", "4242"])
        check(r.returncode == 0, "image_snmpv3_set_changed_passphrases", r.stdout + r.stderr)
        r = run(["snmpset", *V3_NEW, "-t", "3", "-r", "1", f"udp:127.0.0.1:{boot.port}", ADMIN_ACTION, "i", "3"])
        got = snmp_get_until(boot.port, ACTION_RESULT, "3", V3_NEW, timeout=30)
        status, out = boot.sh(f"grep drop_rate {CFG}; cmp {CFG} {LAST_GOOD} && echo same")
        check(r.returncode == 0 and got == "3" and "4242" in out and "same" in out,
              "image_snmp_save_writes_config_and_last_good_copy", f"{r.stderr} result {got!r}; {out}")

        # The SET made a new generation: pings for the poweroff dump.
        ok, out = ping(count=5)
        check(ok, "image_forwarding_after_snmp_set", out)

        # A write that never finished: the file cut in half, then poweroff.
        status, out = boot.sh(f"head -c $(( $(wc -c < {CFG}) / 2 )) {CFG} > {CFG}.cut && mv {CFG}.cut {CFG} && "
                              f"sync && ! mboxd --check {CFG} >/dev/null 2>&1 && wc -c < {CFG}")
        cut_size = out.strip() if status == 0 and out.strip().isdigit() else None
        check(cut_size is not None, "image_config_cut_in_half", out)
        mark = len(boot.console())
        boot.shell.sock.sendall(b"poweroff\n")
        try:
            boot.proc.wait(90)
        except subprocess.TimeoutExpired:
            pass
        stats = parse_stats(boot.console()[mark:])
        check(boot.proc.poll() is not None and stats is not None
              and stats["element"]["lan2wan"]["packets"] >= 5 and stats["element"]["wan2lan"]["packets"] >= 5,
              "image_poweroff_stops_mboxd_with_counters", boot.console()[mark:][-2000:])
        return cut_size
    finally:
        boot.stop()
        cleanup_net()


def second_boot(image, traps, cut_size):
    """The same disk again, UEFI if OVMF is there: its configuration file is
    invalid, so the box runs the last good configuration and says so."""
    uefi = os.path.exists(OVMF)
    fw = "uefi" if uefi else "bios2"
    mark = len(traps.text())
    boot = Boot(fw, image, V3_NEW, uefi=uefi, keep=True)
    try:
        secs = boot.wait_snmp(240)
        accel = boot.accel()
        if check(secs is not None, "image_second_boot_snmp_answers",
                 f"({fw}, {accel}) " + boot.output()[-1000:] + boot.console()[-3000:]):
            note(f"{'UEFI' if uefi else 'BIOS'} second boot ({accel}): QEMU start to first snmpget answer {secs:.1f} s")
        if uefi:
            check(secs is not None, "image_uefi_boot", "the UEFI boot's agent did not answer")
        else:
            skip("image_uefi_boot", f"OVMF not installed ({OVMF}; make deps installs ovmf)")
        check("first boot" not in boot.console(), "image_config_kept_across_boots", boot.console()[-2000:])
        status, out = boot.sh(f"wc -c < {CFG}")
        check(status == 0 and out.strip() == cut_size, "image_config_edit_persists", f"{out!r}, expected {cut_size}")
        check(f"{CFG} is invalid: booting with its last good copy" in boot.console()
              and boot.wait_console("starting with the last good configuration", 60),
              "image_last_good_reported_in_log", boot.console()[-3000:])
        got = snmp_get_until(boot.port, DROP_RATE, "4242", V3_NEW)  # once the subagent has registered
        check(got == "4242", "image_last_good_has_saved_set", f"got {got!r}")
        source, error = snmp_get(boot.port, CONFIG_SOURCE, V3_NEW), snmp_get(boot.port, LAST_ERROR, V3_NEW)
        check(source == "2" and error and error.startswith(f"{CFG}:") and "error" in error,
              "image_last_good_reported_over_snmp",
              f"source {source!r}, last error {error!r}")
        check(traps.wait(LAST_GOOD_TRAP, f"{CFG}:", after=mark), "image_last_good_trap_reaches_host",
              traps.text()[mark:][-2000:])
        check(boot.wait_console("info: forwarding:", 60), "image_second_boot_mboxd_forwarding", boot.console()[-3000:])
        ok, out = ping_until(time.time() + 60)
        check(ok, "image_second_boot_ping_crosses_firmware", out)

        # The operator repairs the file and reloads: the box runs it again.
        status, out = boot.sh(f"cp {LAST_GOOD} {CFG} && sync && echo repaired")
        r = run(["snmpset", *V3_NEW, "-t", "3", "-r", "1", f"udp:127.0.0.1:{boot.port}", ADMIN_ACTION, "i", "2"])
        got = snmp_get_until(boot.port, CONFIG_SOURCE, "1", V3_NEW, timeout=30)
        check(status == 0 and r.returncode == 0 and got == "1", "image_reload_of_repaired_file_source_file",
              f"{out} {r.stderr} mboxConfigSource {got!r}")
    finally:
        boot.stop()
        cleanup_net()

if __name__ == "__main__":
    # SIGTERM (a runner giving up) still runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        main()
    finally:
        cleanup_net()
    finish()
