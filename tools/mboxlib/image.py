"""The firmware image booted under QEMU (images/run-image.sh, KVM when it
works, else TCG) for tests and tools: Boot runs it with its console in a
file, the two data NICs on TAPs in namespaces PREFIX-lan (10.0.0.1) and
PREFIX-wan (10.0.0.2), SNMP and probed guest ports forwarded from
localhost, and the guest's debug shell at hand; SNMPv3 and ping helpers,
and a host snmptrapd the guest reaches as 10.0.2.2.  WORK and PREFIX
(MBOX_IMAGE_TEST_PREFIX) may be set by the caller before booting."""
import os
import re
import signal
import socket
import subprocess
import time

from .debugsh import DebugShell
from .net import free_tcp_port, free_udp_port

WORK = os.path.abspath("build/image-test")
# Runs side by side on one host need their own namespaces and TAPs.
PREFIX = os.environ.get("MBOX_IMAGE_TEST_PREFIX", "mbit")
NS_LAN, NS_WAN = PREFIX + "-lan", PREFIX + "-wan"
SYSDESCR = "1.3.6.1.2.1.1.1.0"
MBOX = "1.3.6.1.4.1.99999"
DROP_RATE = MBOX + ".1.6.1.0"        # mboxThresholdDropRate.0
CFG, LAST_GOOD = "/config/mbox.cfg", "/config/mbox.last-good.cfg"


def v3(auth, priv, user="mboxadmin"):
    return ["-v3", "-l", "authPriv", "-u", user, "-a", "SHA", "-A", auth, "-x", "AES", "-X", priv]


# The first-login user's passphrase that images before issue 23 shared (no
# box may take it now), and how the first boot of an unprovisioned box shows
# its own random one.
OLD_DOCUMENTED = v3("mbox-change-me", "mbox-change-me")
FIRST_LOGIN = re.compile(r"user mboxadmin, passphrase \(authentication and privacy\): (\S+)")
# Guest TCP ports probed from the host: the usual services, SMUX, AgentX
# over TCP, and 2323 where the test listens itself to show a probe sees an
# open port.  UDP: traps and SNMP over (D)TLS; only 161 may answer.
PROBED_TCP = (22, 23, 80, 199, 443, 705, 2323)
PROBED_UDP = (162, 10161)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def cleanup_net():
    for ns in (NS_LAN, NS_WAN):
        run(["ip", "netns", "del", ns])
    for tap in (PREFIX + "0", PREFIX + "1"):
        run(["ip", "link", "del", tap])


def snmp_sysdescr(port, auth):
    r = run(["snmpget", *auth, "-t", "1", "-r", "0", "-On", f"udp:127.0.0.1:{port}", SYSDESCR])
    return r.stdout.strip() if r.returncode == 0 and "STRING" in r.stdout else None


def snmp_get(port, oid, auth):
    """The value as text (strings without quotes), or None."""
    r = run(["snmpget", *auth, "-t", "1", "-r", "0", "-On", "-Oqv", f"udp:127.0.0.1:{port}", oid])
    v = r.stdout.strip()
    if r.returncode or "No Such" in v:
        return None
    return v[1:-1] if v.startswith('"') and v.endswith('"') else v


def snmp_get_until(port, oid, want, auth, timeout=60):
    deadline, got = time.time() + timeout, None
    while time.time() < deadline:
        got = snmp_get(port, oid, auth)
        if got == want:
            break
        time.sleep(1)
    return got


def tcp_open(port, wait=2.0):
    """Whether the guest port behind host port `port` takes a connection.
    QEMU's user network accepts every forwarded connection on the host
    side and closes it at once when the guest refuses; an open port keeps
    it."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.settimeout(wait)
        try:
            return s.recv(1) != b""
        except socket.timeout:
            return True
        except ConnectionResetError:
            return False


class TrapReceiver:
    """snmptrapd on a host loopback port: the guest reaches it as 10.0.2.2
    (QEMU's user network maps that address to the host's loopback)."""

    def __init__(self):
        self.port = free_udp_port()
        self.log = os.path.join(WORK, "traps.log")
        conf = os.path.join(WORK, "snmptrapd.conf")
        with open(conf, "w") as f:
            f.write("disableAuthorization yes\n")
        if os.path.exists(self.log):
            os.unlink(self.log)
        self.proc = subprocess.Popen(["snmptrapd", "-f", "-On", "-Lf", self.log, "-C", "-c", conf,
                                      f"udp:127.0.0.1:{self.port}"], env=dict(os.environ, MIBS=""),
                                     start_new_session=True)

    def text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait(self, *needles, timeout=60, after=0):
        """Whether every needle shows in what arrived after offset `after`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(n in self.text()[after:] for n in needles):
                return True
            time.sleep(0.5)
        return False

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def ping(count=3, timeout=2):
    r = run(["ip", "netns", "exec", NS_LAN, "ping", "-c", str(count), "-i", "0.3", "-W", str(timeout), "10.0.0.2"])
    return r.returncode == 0 and " 0% packet loss" in r.stdout, r.stdout + r.stderr


def ping_until(deadline):
    out = ""
    while time.time() < deadline:
        ok, out = ping(count=1, timeout=1)
        if ok:
            return True, out
    return False, out


class Boot:
    """images/run-image.sh in the background, console in a file."""

    def __init__(self, name, image, auth, uefi=False, keep=False, extra=()):
        self.dir = os.path.join(WORK, "run")
        self.log = os.path.join(WORK, f"console-{name}.log")
        self.port = free_udp_port()
        self.auth = auth
        if os.path.exists(self.log):
            os.unlink(self.log)
        args = ["images/run-image.sh", "--image", image, "--prefix", PREFIX, "--dir", self.dir,
                "--serial-log", self.log, "--snmp-port", str(self.port)]
        # host port of each probed guest port
        self.tcp = {g: free_tcp_port() for g in PROBED_TCP}
        self.udp = {g: free_udp_port() for g in PROBED_UDP}
        for proto, ports in (("tcp", self.tcp), ("udp", self.udp)):
            for guest, host in ports.items():
                args += ["--forward", f"{proto}:{host}:{guest}"]
        if uefi:
            args.append("--uefi")
        if keep:
            args.append("--keep")
        args += extra
        self.out_path = os.path.join(WORK, f"run-image-{name}.out")
        self.out = open(self.out_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True)
        self.qemu_start = None
        self.shell = None

    def console(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def output(self):
        with open(self.out_path) as f:
            return f.read()

    def accel(self):
        for line in self.output().splitlines():
            if line.startswith("run-image: accelerator: "):
                return line.split(": ")[-1]
        return "?"

    def wait_snmp(self, timeout):
        """Seconds from QEMU start (its console file appearing) to the first
        sysDescr answer, or None."""
        deadline = time.time() + timeout
        while time.time() < deadline and self.proc.poll() is None:
            if self.qemu_start is None and os.path.exists(self.log):
                self.qemu_start = time.time()
            if self.qemu_start is not None:
                descr = snmp_sysdescr(self.port, self.auth)
                if descr:
                    self.descr = descr
                    return time.time() - self.qemu_start
            time.sleep(0.5)
        return None

    def first_login(self, timeout=240):
        """The first-login passphrase the first boot shows, or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.qemu_start is None and os.path.exists(self.log):
                self.qemu_start = time.time()
            m = FIRST_LOGIN.search(self.console())
            if m or self.proc.poll() is not None:
                return m.group(1) if m else None
            time.sleep(0.3)
        return None

    def wait_console(self, text, timeout, after=0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.console()[after:]:
                return True
            if self.proc.poll() is not None:
                return text in self.console()[after:]
            time.sleep(0.3)
        return False

    def sh(self, command, timeout=30):
        if self.shell is None:
            self.shell = DebugShell(os.path.join(self.dir, "debug.sock"), timeout=30)
            if not self.shell.wait_ready(60):
                return None, "debug shell does not answer"
        return self.shell.run(command, timeout)

    def stop(self):
        if self.shell:
            self.shell.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.out.close()
