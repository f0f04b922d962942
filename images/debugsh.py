#!/usr/bin/env python3
"""Client for the mbox image's debug shell: a root shell the guest runs on
the virtio-serial port org.mbox.debug, which QEMU (images/run-image.sh)
exposes as a UNIX socket.

  images/debugsh.py SOCK                 interactive: lines from stdin, output printed
  images/debugsh.py SOCK -c 'COMMAND'    runs COMMAND, prints its output, exits with its status

Tests and tools import DebugShell from tools/mboxlib/debugsh.py."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from mboxlib.debugsh import DebugShell  # noqa: E402


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    sh = DebugShell(sys.argv[1])
    if not sh.wait_ready():
        print("debugsh: no answer from the guest shell", file=sys.stderr)
        return 1
    if len(sys.argv) == 4 and sys.argv[2] == "-c":
        status, out = sh.run(sys.argv[3], timeout=300)
        sys.stdout.write(out)
        return 1 if status is None else status
    print("debugsh: connected (root shell in the guest; Ctrl-D leaves)", file=sys.stderr)
    for line in sys.stdin:
        status, out = sh.run(line.rstrip("\n"), timeout=300)
        sys.stdout.write(out)
        if status:
            print(f"[status {status}]")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
