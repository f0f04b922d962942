"""Child processes the benchmarks drive: their output read on demand and
matched against patterns, an interactive prompt, stopping a whole process group."""
import os
import re
import select
import signal
import subprocess
import time


class BenchError(Exception):
    pass


class Child:
    """A command in its own process group whose output is read on demand."""

    live = []

    def __init__(self, name, argv):
        self.name = name
        self.out = b""
        self.seen = 0  # end of the last expect() match in out
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        Child.live.append(self)

    def tail(self, lines=15):
        return "\n".join(self.out.decode(errors="replace").splitlines()[-lines:])

    def fail(self, why):
        raise BenchError(f"{self.name}: {why}; its last output:\n{self.tail()}")

    def read(self, timeout):
        """Append what arrives within timeout; False once the output is closed."""
        if select.select([self.proc.stdout], [], [], max(timeout, 0))[0]:
            data = os.read(self.proc.stdout.fileno(), 65536)
            self.out += data
            return bool(data)
        return True

    def expect(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while True:
            m = re.compile(pattern).search(self.out, self.seen)
            if m:
                self.seen = m.end()
                return
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail(f"no {pattern!r} within {timeout} s")
            if not self.read(left):
                self.fail(f"exited (status {self.proc.wait()}) before printing {pattern!r}")

    def forget(self):
        """Drops the output up to the last expect() match (a long run's output
        would otherwise be copied whole on every read)."""
        self.out, self.seen = self.out[self.seen:], 0

    def stop(self, timeout=10):
        """SIGTERM the group, SIGKILL if it lingers; returns the exit status."""
        if self in Child.live:
            Child.live.remove(self)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + timeout
            while self.read(0.1) and self.proc.poll() is None and time.monotonic() < deadline:
                pass
            try:
                self.proc.wait(max(deadline - time.monotonic(), 0))
                break
            except subprocess.TimeoutExpired:
                pass
        self.out += self.proc.stdout.read()
        return self.proc.wait()


class Interactive(Child):
    """A command that reads commands on stdin and prints prompt when ready for the next."""

    def __init__(self, name, argv, prompt):
        super().__init__(name, argv)
        self.prompt = prompt
        self.expect(prompt, 60)

    def cmd(self, line, timeout=10):
        """Runs one command; returns its output and the time it ran."""
        start = self.seen
        t0 = time.monotonic()
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        self.expect(self.prompt, timeout)
        return self.out[start:self.seen].decode(errors="replace"), (t0 + time.monotonic()) / 2
