"""Client for the mbox image's debug shell: a root shell the guest runs on
the virtio-serial port org.mbox.debug, which QEMU (images/run-image.sh)
exposes as a UNIX socket.  images/debugsh.py is its command line."""
import socket
import time
import uuid


class DebugShell:
    def __init__(self, path, timeout=60):
        self.path = path
        self.sock = None
        self.buf = b""
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.5)

    def _read_until(self, marker, timeout):
        deadline = time.time() + timeout
        while marker not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(min(left, 1.0))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                return None
            self.buf += data
        head, _, self.buf = self.buf.partition(marker)
        return head

    def wait_ready(self, timeout=120):
        """The guest discards what arrives while no shell reads the port, so
        repeat a probe until the shell answers."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            mark = "ready-" + uuid.uuid4().hex[:8]
            self.sock.sendall(f"echo {mark}\n".encode())
            if self._read_until(mark.encode() + b"\n", 2) is not None:
                self.buf = b""
                return True
        return False

    def run(self, command, timeout=30):
        """(status, output) of COMMAND in the guest shell; (None, partial) on timeout."""
        mark = "done-" + uuid.uuid4().hex[:8]
        self.sock.sendall(f"{command}\necho {mark} $?\n".encode())
        out = self._read_until(mark.encode() + b" ", timeout)
        if out is None:
            return None, self.buf.decode(errors="replace")
        status = self._read_until(b"\n", 5)
        return int(status or b"255"), out.decode(errors="replace")

    def close(self):
        self.sock.close()
