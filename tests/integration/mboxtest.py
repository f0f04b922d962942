"""Helpers for integration tests: run the real mboxd and dpdk-testpmd,
craft and read pcap files, and report PASS/FAIL lines for tests/run.sh."""
import ast
import atexit
import fnmatch
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

from mboxlib import net

MBOXD = os.path.abspath(os.environ.get("MBOXD", "build/mboxd"))
# tests/run.sh TEST:GLOB: only the checks GLOB matches are planned and reported.
CASE = os.environ.get("MBOX_TEST_CASE") or "*"
failures = 0
_plan, _reported, _died = [], set(), []


def _selected(name):
    return fnmatch.fnmatchcase(name, CASE)


def plan(*names):
    """Declares checks the script reports (tests/run.sh counts a declared check
    never reported as an ERROR).  Every check() and skip() whose name is a
    literal in the main script is declared at import; computed names must be
    declared here before they are reported."""
    for name in names:
        if name not in _plan:
            _plan.append(name)
            if _selected(name):
                print(f"PLAN {name}", flush=True)


def _literal_names(path):
    """Names of check(ok, "name", ...) and skip("name", ...) calls in path."""
    names = []
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.Call):
            fn = getattr(node.func, "id", getattr(node.func, "attr", None))
            pos = {"check": 1, "skip": 0}.get(fn)
            if pos is not None and len(node.args) > pos and isinstance(node.args[pos], ast.Constant):
                names.append(node.args[pos].value)
    return names


def case(prefix):
    """Whether any selected check starts with prefix: a script skips the work
    of a case none of whose checks was asked for."""
    return any(n.startswith(prefix) and _selected(n) for n in _plan)


def _report(kind, name, why=""):
    global failures
    if not _selected(name):
        return
    if name not in _plan:
        kind, why = "FAIL", f"not declared with mboxtest.plan() ({kind} {why})".replace(" )", ")")
    _reported.add(name)
    if kind != "PASS" and kind != "SKIP":
        failures += 1
    print(f"{kind} {name}" + (f": {why}" if kind != "PASS" else ""), flush=True)


def check(ok, name, why=""):
    """Reports PASS or FAIL.  Names are stable: measurements go in `why` or
    in info lines, never in the name."""
    _report("PASS" if ok else "FAIL", name, why)
    return ok


def skip(name, why):
    """A check this machine cannot run; tests/run.sh counts it as a failure
    unless TEST_ALLOW_SKIP names it (docs/testing.md)."""
    _report("SKIP", name, why)


def skip_rest(why):
    """Skips every planned check not reported yet (a test this machine cannot run)."""
    for name in _plan:
        if name not in _reported:
            skip(name, why)


def finish():
    sys.exit(1 if failures else 0)


def _excepthook(kind, value, tb):
    _died.append(f"{kind.__name__}: {value}")
    traceback.print_exception(kind, value, tb)
    print(f"ERROR {os.path.basename(sys.argv[0])}: uncaught {_died[0]}", flush=True)


def _unreported():
    why = f"script died: {_died[0]}" if _died else "the script ended without reaching it"
    for name in _plan:
        if name not in _reported and _selected(name):
            print(f"ERROR {name}: did not run ({why})", flush=True)


sys.excepthook = _excepthook
atexit.register(_unreported)
if os.path.basename(sys.argv[0]).startswith("test_"):
    plan(*_literal_names(sys.argv[0]))


def workdir(tag):
    return tempfile.mkdtemp(prefix=f"mbox-{tag}-")


# ---- packets and pcap files ----

free_udp_port = net.free_udp_port  # shared with tools/; tests take it from here


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ipv4_checksum(header):
    s = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(dst="02:00:00:00:00:02", src="02:00:00:00:00:01", vlan=None, ethertype=0x0800,
          proto=17, sport=1000, dport=2000, payload=b"mbox", frag=0,
          src_ip="10.0.0.1", dst_ip="10.0.0.2", ttl=64, tcp_flags=0x02):
    """Ethernet (optionally 802.1Q) + IPv4 + UDP/TCP-shaped L4 header
    (L4 checksums left zero; the IPv4 header checksum is valid)."""
    l2 = mac(dst) + mac(src)
    if vlan is not None:
        l2 += struct.pack("!HH", 0x8100, vlan)
    l2 += struct.pack("!H", ethertype)
    if ethertype != 0x0800:
        return l2 + payload.ljust(46, b"\0")
    l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if proto == 6:
        l4 = struct.pack("!HHIIHHHH", sport, dport, 1, 0, 0x5000 | tcp_flags, 1024, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, frag, ttl, proto, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", ipv4_checksum(ip)) + ip[12:]
    return (l2 + ip + l4).ljust(60, b"\0")


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise ValueError(f"{path}: not a pcap file (magic {magic:#x})")
    frames, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack("<IIII", data[off:off + 16])[2]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


# ---- mboxd ----

STATS_LINE = re.compile(r"^stats: (port|element|core|pool|memory) (\S+)(.*)$")


def parse_stats(text):
    """The last 'stats:' dump in text -> {'port': {name: {key: value}}, ...}."""
    dumps = text.split("stats: generation ")
    if len(dumps) < 2:
        return None
    last = dumps[-1]
    out = {"generation": int(last.split()[0]), "port": {}, "element": {}, "core": {}, "pool": {}, "memory": {}}
    for line in last.splitlines():
        m = STATS_LINE.match(line)
        if m:
            fields = dict(kv.split("=", 1) for kv in m.group(3).split())
            out[m.group(1)][m.group(2)] = {k: (int(v) if v.isdigit() else v) for k, v in fields.items()}
    return out


class Mboxd:
    """Runs build/mboxd (or `binary`) -c CONFIG [ARGS] with stderr captured to
    a file; `env` adds to the environment."""

    def __init__(self, config_path, args=(), binary=None, env=None):
        self.config = config_path
        self.args = list(args)
        self.binary = binary or MBOXD
        self.env = dict(os.environ, **(env or {}))
        self.log_path = config_path + ".log"
        self.proc = None

    def start(self, timeout=30):
        self.log = open(self.log_path, "w")
        self.cwd = os.getcwd()
        self.proc = subprocess.Popen([self.binary, "-c", self.config, *self.args], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True, env=self.env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "info: forwarding:" in self.output():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def output(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_for(self, text, timeout=10, after=0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.output()[after:]:
                return True
            time.sleep(0.1)
        return False

    def dump_stats(self):
        """SIGUSR1, then the dump it printed."""
        mark = len(self.output())
        self.signal(signal.SIGUSR1)
        self.wait_for("stats: memory ", after=mark)  # the dump's last line
        return parse_stats(self.output()[mark:])

    def wait_stats(self, predicate, timeout=20):
        """The first dump that satisfies predicate(stats), or None."""
        return wait(lambda: (lambda s: s if s and predicate(s) else None)(self.dump_stats()), timeout, step=0.1)

    def wait_links_up(self, timeout=20):
        """Until every port reports its link up (a memif peer connected)."""
        return self.wait_stats(lambda s: all(p.get("link") == "up" for p in s["port"].values()), timeout)

    def wait_quiet(self, timeout=20):
        """Until two dumps in a row show the same port counters: what was in
        flight has been forwarded."""
        last = []

        def same(s):
            ports = {n: (p.get("ipackets"), p.get("opackets")) for n, p in s["port"].items()}
            settled = last and last[-1] == ports
            last.append(ports)
            return settled
        return self.wait_stats(same, timeout)

    def wait_inputs_read(self, timeout=20):
        """Until each net_pcap port has received every frame of its rx_pcap
        file (paths relative to where start() ran) and nothing moves."""
        want = {}
        for name, dev in re.findall(r'name\s*=\s*"([^"]+)";\s*device\s*=\s*"([^"]*rx_pcap=[^"]*)"',
                                    open(self.config).read()):
            path = re.search(r"rx_pcap=([^,]+)", dev).group(1)
            want[name] = len(read_pcap(os.path.join(self.cwd, path)))
        read = self.wait_stats(lambda s: all(s["port"].get(p, {}).get("ipackets") == n for p, n in want.items()),
                               timeout)
        return bool(read) and bool(self.wait_quiet(timeout))

    def stop(self, timeout=20):
        """SIGTERM; returns the final counters, or None unless it stopped cleanly
        with status 0 (a sanitizer build exits non-zero on any finding)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        text = self.output()
        return parse_stats(text) if "info: stopped" in text and self.proc.returncode == 0 else None


# ---- dpdk-testpmd as traffic generator ----

class Testpmd:
    """dpdk-testpmd in interactive mode, commands sent through stdin."""

    def __init__(self, workdir, vdevs, prefix="gen", lcores="0,1", main_lcore=0, fwd="flowgen"):
        # Line-buffered, or the stop report sits in stdio until exit.
        args = ["stdbuf", "-oL", "dpdk-testpmd", "-l", lcores, "--main-lcore", str(main_lcore), "--no-pci",
                "--file-prefix", prefix, "-m", "256", "--log-level", "error"]
        for v in vdevs:
            args += ["--vdev", v]
        args += ["--", "-i", "--total-num-mbufs=16384", f"--forward-mode={fwd}", "--txpkts=64"]
        self.out_path = os.path.join(workdir, prefix + ".out")
        self.out = open(self.out_path, "w")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=self.out,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def output(self):
        with open(self.out_path) as f:
            return f.read()

    def run_for(self, seconds):
        """start, wait, stop; returns {port: {'rx': n, 'tx': n}} from the stop report."""
        mark = len(self.output())
        self.cmd("start")
        time.sleep(seconds)
        self.cmd("stop")
        deadline = time.time() + 10
        while time.time() < deadline and "Done." not in self.output()[mark:]:
            time.sleep(0.1)
        return parse_testpmd_stats(self.output()[mark:])

    def quit(self):
        try:
            self.cmd("quit")
            self.proc.wait(10)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.out.close()


def parse_testpmd_stats(text):
    ports = {}
    for m in re.finditer(r"Forward statistics for port (\d+)\s*-+\s*RX-packets: (\d+)\s+RX-dropped: (\d+)"
                         r"\s+RX-total: \d+\s*TX-packets: (\d+)\s+TX-dropped: (\d+)", text):
        ports[int(m.group(1))] = {"rx": int(m.group(2)), "tx": int(m.group(4)),
                                  "tx_dropped": int(m.group(5))}
    return ports


def wait(predicate, timeout=10, step=0.2):
    """predicate()'s first true value within timeout, else its last value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def stop_process(proc):
    """SIGTERM, then SIGKILL after 10 s; None or an exited process is left alone."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- SNMP through a real snmpd master agent and snmptrapd ----

class Snmp:
    """snmpd (the AgentX master mboxd registers with) and, given a port,
    snmptrapd in workdir d, configured from mboxd --snmpd-conf CONFIG (the
    text is kept in .conf); the stock Net-SNMP tools with numeric output
    against it, as auth unless a call names other credentials."""

    def __init__(self, d, config, target, auth, traps_port=None):
        self.d, self.target, self.auth = d, target, auth
        self.env = dict(os.environ, MIBS="", SNMP_PERSISTENT_DIR=f"{d}/persist")
        os.makedirs(f"{d}/persist", exist_ok=True)
        self.conf = subprocess.run([MBOXD, "--snmpd-conf", config], capture_output=True, text=True,
                                   check=True).stdout
        with open(f"{d}/snmpd.conf", "w") as f:
            f.write(self.conf)
        self.trapd = None
        if traps_port:
            with open(f"{d}/snmptrapd.conf", "w") as f:
                f.write("disableAuthorization yes\n")
            self.trapd = subprocess.Popen(["snmptrapd", "-f", "-On", "-Lf", f"{d}/traps.log", "-C", "-c",
                                           f"{d}/snmptrapd.conf", f"udp:127.0.0.1:{traps_port}"],
                                          env=self.env, start_new_session=True)
        self.snmpd = None
        self.start_snmpd()

    def start_snmpd(self):
        self.snmpd = subprocess.Popen(["snmpd", "-f", "-Lf", f"{self.d}/snmpd.log", "-C", "-c",
                                       f"{self.d}/snmpd.conf", "-p", f"{self.d}/snmpd.pid"],
                                      env=self.env, start_new_session=True)

    def stop(self):
        for proc in (self.snmpd, self.trapd):
            stop_process(proc)

    def log(self):
        with open(f"{self.d}/snmpd.log", errors="replace") as f:
            return f.read()

    def run(self, tool, *args, options=(), auth=None, timeout=2, retries=1):
        """tool [options] auth target args (snmpset takes no option after the target)."""
        return subprocess.run([tool, "-On", "-Oe", "-Ot", "-r", str(retries), "-t", str(timeout), *options,
                               *(auth or self.auth), self.target, *args], capture_output=True, text=True,
                              env=self.env)

    def get(self, oid, **how):
        """The value of one instance as text, or None."""
        r = self.run("snmpget", oid, options=("-Oqv",), **how)
        if r.returncode or "No Such" in r.stdout:
            return None
        v = r.stdout.strip()
        return v[1:-1] if v.startswith('"') and v.endswith('"') else v

    def num(self, oid):
        v = self.get(oid)
        return int(v) if v is not None and re.fullmatch(r"\d+", v) else None

    def param(self, element, name):
        """The OID suffix "E.P" of parameter `name` of element number `element`
        (from 1, its position in the elements section), found over SNMP by name."""
        r = self.run("snmpwalk", f".1.3.6.1.4.1.99999.1.3.4.1.2.{element}", options=("-Oqn",), timeout=5,
                     retries=0)
        for line in r.stdout.splitlines():
            oid, value = line.split(" ", 1)
            if value.strip('"') == name:
                return oid.rsplit(".", 2)[-2] + "." + oid.rsplit(".", 1)[-1]
        return None

    def set(self, *varbinds, auth=None):
        """None on success, else the error status name snmpset reports."""
        r = self.run("snmpset", *varbinds, auth=auth)
        if r.returncode == 0:
            return None
        m = re.search(r"Reason: (\w+)", r.stderr + r.stdout)
        return m.group(1) if m else (r.stderr + r.stdout).strip()

    def traps(self):
        try:
            with open(f"{self.d}/traps.log") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def trap_after(self, mark, *needles, timeout=5):
        """A trap logged after offset mark whose text has every needle."""
        def found():
            return any(all(n in block for n in needles) for block in self.traps()[mark:].split("\n20"))
        return wait(found, timeout, step=0.05)


# ---- UDP streams between two network namespaces ----

# A datagram: 16 bytes a sequencer on the path may stamp (its global
# number first), the sender's number, the time it left (CLOCK_MONOTONIC:
# one clock for every namespace), 4 spare.
UDP_RECEIVER = """
import json, signal, socket, sys, time
port, idle = int(sys.argv[1]), float(sys.argv[2])
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("0.0.0.0", port))
s.settimeout(0.05)
print("ready", flush=True)
datagrams, seen, stamps, sources, delays, last = 0, set(), set(), set(), [], time.time()
while not stop or time.time() - last < idle:
    try:
        data, source = s.recvfrom(2048)
    except (socket.timeout, InterruptedError):
        continue
    datagrams, last = datagrams + 1, time.time()
    delays.append(time.monotonic_ns() - int.from_bytes(data[20:28], "big"))
    seen.add(int.from_bytes(data[16:20], "big"))
    stamps.add(int.from_bytes(data[:8], "big"))
    sources.add(source)
delays.sort()
print(json.dumps({"datagrams": datagrams, "distinct": len(seen), "next": max(seen) + 1 if seen else 0,
                  "sources": len(sources), "stamps": len(stamps), "stamp_low": min(stamps, default=0),
                  "stamp_high": max(stamps, default=0),
                  "delay_ms": {q: delays[int(q * (len(delays) - 1))] / 1e6 if delays else 0
                               for q in (0.5, 0.99, 1)}}), flush=True)
"""

UDP_SENDER = """
import json, signal, socket, sys, time
dst, port, rate, flows, count = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(flows)]
t0, i = time.time(), 0
while not stop and (not count or i < count):
    socks[i % flows].sendto(bytes(16) + i.to_bytes(4, "big") + time.monotonic_ns().to_bytes(8, "big") + bytes(4),
                            (dst, port))
    i += 1
    ahead = t0 + i / rate - time.time() if rate else 0
    if ahead > 0:
        time.sleep(ahead)
print(json.dumps({"sent": i}), flush=True)
"""


def stream_process(ns, script, *args):
    """python3 -c script args in namespace ns; killed when the test exits,
    even by an exception (one left running outlives its namespace and
    keeps its socket, and the next test's stream would meet it)."""
    proc = subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c", script, *map(str, args)],
                            stdout=subprocess.PIPE, text=True)
    atexit.register(lambda: proc.poll() is None and proc.kill())
    return proc


class UdpReceiver:
    """Counts the datagrams reaching port in namespace ns until result()
    (and then until none came for `idle` seconds): datagrams, distinct
    sender numbers, the highest + 1, distinct sources, the sequencer's
    stamps (distinct, lowest, highest) and the delay from sender (median,
    p99 and max in ms; keys "0.5", "0.99", "1")."""

    def __init__(self, ns, port, idle=0.5):
        self.proc = stream_process(ns, UDP_RECEIVER, port, idle)
        self.proc.stdout.readline()

    def result(self, timeout=30):
        self.proc.send_signal(signal.SIGTERM)
        return json.loads(self.proc.communicate(timeout=timeout)[0])


class UdpSender:
    """Sends numbered datagrams from namespace ns to dst:port, `rate` per
    second (0: as fast as it can), round robin over `flows` sockets (one
    source port each), `count` of them (0: until stop())."""

    def __init__(self, ns, dst, port, rate, flows=1, count=0):
        self.count = count
        self.proc = stream_process(ns, UDP_SENDER, dst, port, rate, flows, count)

    def sending(self):
        return self.proc.poll() is None

    def stop(self, timeout=30):
        """Stops it (or waits for its count to be sent); the number sent."""
        if not self.count and self.sending():
            self.proc.send_signal(signal.SIGTERM)
        return json.loads(self.proc.communicate(timeout=timeout)[0])["sent"]


class TapPeers:
    """Two network namespaces, each holding one of mboxd's TAP interfaces
    with an address on one subnet; IPv6 off and static neighbours, so that
    only the test's datagrams cross mboxd."""

    def __init__(self, namespaces, taps, addrs):
        self.ns, self.taps, self.addrs = namespaces, taps, addrs

    def sh(self, *cmd):
        return subprocess.run(cmd, capture_output=True, text=True)

    def attach(self):
        for ns, tap, addr in zip(self.ns, self.taps, self.addrs):
            self.sh("ip", "netns", "add", ns)
            self.sh("ip", "link", "set", tap, "netns", ns)
            self.sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
            self.sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", tap)
            self.sh("ip", "-n", ns, "link", "set", tap, "up")
        self.macs = [self.sh("ip", "-n", ns, "-br", "link", "show", tap).stdout.split()[2]
                     for ns, tap in zip(self.ns, self.taps)]
        for side in (0, 1):
            self.neighbour(side)

    def neighbour(self, side):
        """The static neighbour entry for the other side (a link down flushes it)."""
        other = 1 - side
        self.sh("ip", "-n", self.ns[side], "neigh", "replace", self.addrs[other], "lladdr", self.macs[other],
                "dev", self.taps[side])

    def tx_packets(self, side):
        """Frames the kernel handed to mboxd through this side's TAP."""
        out = self.sh("ip", "-n", self.ns[side], "-s", "-j", "link", "show", self.taps[side]).stdout
        return json.loads(out)[0]["stats64"]["tx"]["packets"]

    def cleanup(self):
        for ns in self.ns:
            self.sh("ip", "netns", "del", ns)
