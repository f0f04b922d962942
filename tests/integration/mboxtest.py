"""Helpers for integration tests: run the real mboxd and dpdk-testpmd,
craft and read pcap files, and report PASS/FAIL lines for tests/run.sh."""
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

MBOXD = os.path.abspath(os.environ.get("MBOXD", "build/mboxd"))
failures = 0


def check(ok, name, why=""):
    global failures
    if ok:
        print(f"PASS {name}", flush=True)
    else:
        failures += 1
        print(f"FAIL {name}: {why}", flush=True)
    return ok


def finish():
    sys.exit(1 if failures else 0)


def workdir(tag):
    return tempfile.mkdtemp(prefix=f"mbox-{tag}-")


# ---- packets and pcap files ----

def free_udp_port():
    """A UDP port on 127.0.0.1 that nothing uses now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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

STATS_LINE = re.compile(r"^stats: (port|element|core|pool) (\S+)(.*)$")


def parse_stats(text):
    """The last 'stats:' dump in text -> {'port': {name: {key: value}}, ...}."""
    dumps = text.split("stats: generation ")
    if len(dumps) < 2:
        return None
    last = dumps[-1]
    out = {"generation": int(last.split()[0]), "port": {}, "element": {}, "core": {}, "pool": {}}
    for line in last.splitlines():
        m = STATS_LINE.match(line)
        if m:
            fields = dict(kv.split("=", 1) for kv in m.group(3).split())
            out[m.group(1)][m.group(2)] = {k: (int(v) if v.isdigit() else v) for k, v in fields.items()}
    return out


class Mboxd:
    """Runs build/mboxd -c CONFIG [ARGS] with stderr captured to a file."""

    def __init__(self, config_path, args=()):
        self.config = config_path
        self.args = list(args)
        self.log_path = config_path + ".log"
        self.proc = None

    def start(self, timeout=30):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([MBOXD, "-c", self.config, *self.args], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
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
        self.wait_for("stats: pool", after=mark)
        time.sleep(0.1)
        return parse_stats(self.output()[mark:])

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
