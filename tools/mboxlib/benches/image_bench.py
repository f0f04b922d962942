"""Forwarding rate of the booted firmware image between its two virtio NICs.

Boots build/mbox.qcow2 with images/run-image.sh (KVM when it works, else TCG),
then, for --seconds, a UDP sender in the lan namespace offers as many 64-byte
frames as it can (kernel sockets, one core) and a receiver in the wan
namespace counts them.  Reports what crossed the guest as packets per second
and as a share of what was offered in the same run (the baseline), with the
guest mboxd's own lan2wan counter read over SNMP before and after.  Run
`make image` first.
"""
import argparse
import contextlib
import os
import subprocess
import sys
import time

from mboxlib import image
from mboxlib.cli import ROOT


LAN2WAN_PACKETS = "1.3.6.1.4.1.99999.1.3.3.1.3.3.1"  # mboxElementCounterValue: lan2wan, packets

RECEIVER = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
s.bind(("0.0.0.0", 9))
s.settimeout(2)
print("ready", flush=True)
n = 0
try:
    while True:
        s.recv(64)
        n += 1
except socket.timeout:
    pass
print(n, flush=True)
"""

SENDER = """
import socket, sys, time
seconds = float(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
payload = bytes(18)  # 14 + 20 + 8 + 18 = 60-byte frames (64 with the FCS)
n, end = 0, time.time() + seconds
while time.time() < end:
    for _ in range(64):
        try:
            s.sendto(payload, ("10.0.0.2", 9))
            n += 1
        except BlockingIOError:
            break
print(n, flush=True)
"""


def counter(boot):
    got = image.snmp_get(boot.port, LAN2WAN_PACKETS, boot.auth)
    return int(got.split()[-1]) if got and got.split()[-1].isdigit() else None


def passphrase(boot, timeout=60):
    """The random passphrase images/run-image.sh provisions the fresh disk
    with (it writes the file before starting QEMU), or None."""
    path, deadline = os.path.join(boot.dir, "snmp-passphrase"), time.time() + timeout
    while time.time() < deadline and boot.proc.poll() is None:
        with contextlib.suppress(FileNotFoundError), open(path) as f:
            text = f.read()
            if text.endswith("\n"):
                return text.strip()
        time.sleep(0.2)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0, help="sending time per run (default 10)")
    ap.add_argument("--runs", type=int, default=3, help="runs in the same boot (default 3)")
    ap.add_argument("--image", default=os.path.join(ROOT, "build", "mbox.qcow2"))
    args = ap.parse_args()
    os.makedirs(image.WORK, exist_ok=True)
    image.cleanup_net()
    with contextlib.suppress(FileNotFoundError):  # a run before this one's
        os.unlink(os.path.join(image.WORK, "run", "snmp-passphrase"))
    boot = image.Boot("bench", args.image, None)
    try:
        pw = passphrase(boot)
        if pw is None:
            sys.exit(f"image-bench: images/run-image.sh provisioned no passphrase:\n{boot.output()[-2000:]}")
        boot.auth = image.v3(pw, pw)
        secs = boot.wait_snmp(240)
        if secs is None or not image.ping_until(time.time() + 120)[0]:
            sys.exit(f"image-bench: the image did not come up; console:\n{boot.console()[-2000:]}")
        print(f"booted ({boot.accel()}): SNMP answered {secs:.1f} s after QEMU started", flush=True)
        for run in range(1, args.runs + 1):
            before = counter(boot)
            receiver = subprocess.Popen(["ip", "netns", "exec", image.NS_WAN, "python3", "-c", RECEIVER],
                                        stdout=subprocess.PIPE, text=True)
            receiver.stdout.readline()
            sent = int(subprocess.run(["ip", "netns", "exec", image.NS_LAN, "python3", "-c", SENDER,
                                       str(args.seconds)], capture_output=True, text=True).stdout)
            received = int(receiver.communicate(timeout=60)[0])
            time.sleep(1.5)  # the agent's counter snapshot is at most 1 s old
            after = counter(boot)
            crossed = after - before if None not in (before, after) else None
            print(f"run {run}/{args.runs}: offered {sent / args.seconds:9.0f} pps, received "
                  f"{received / args.seconds:9.0f} pps ({received / sent:.3f} of offered); guest lan2wan "
                  f"counted {crossed} packets", flush=True)
        print(f"method: {args.seconds:g} s of 60-byte UDP frames from a kernel socket in {image.NS_LAN} "
              f"through the guest (virtio-net on TAPs, {boot.accel()}) to a socket in {image.NS_WAN}; "
              "received pps counted by the receiving socket.")
    finally:
        boot.stop()
        image.cleanup_net()
