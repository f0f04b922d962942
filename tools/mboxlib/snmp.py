"""SNMP for the benchmarks: a real snmpd as mboxd's AgentX master, an
SNMPv2c GET poller in this process (just enough BER, so that no tool start-up
pollutes the CPUs), the CPU time the management path uses, and timed
snmpbulkwalks."""
import contextlib
import os
import resource
import socket
import subprocess
import threading
import time

from .procs import BenchError, Child

ENT = "1.3.6.1.4.1.99999"
ENV = dict(os.environ, MIBS="")


# ---- just enough BER for SNMPv2c GET ----

def tlv(tag, body):
    n = len(body)
    length = bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82]) + n.to_bytes(2, "big")
    return bytes([tag]) + length + body


def ber_int(v):
    return tlv(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))


def ber_oid(text):
    parts = [int(x) for x in text.strip(".").split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        while p > 0x7F:
            p >>= 7
            enc.insert(0, 0x80 | (p & 0x7F))
        body += bytes(enc)
    return tlv(0x06, body)


def get_request(reqid, oids):
    varbinds = b"".join(tlv(0x30, ber_oid(o) + b"\x05\x00") for o in oids)
    pdu = tlv(0xA0, ber_int(reqid) + ber_int(0) + ber_int(0) + tlv(0x30, varbinds))
    return tlv(0x30, ber_int(1) + tlv(0x04, b"public") + pdu)


def read_tlv(data, at):
    tag, n = data[at], data[at + 1]
    at += 2
    if n & 0x80:
        k = n & 0x7F
        n, at = int.from_bytes(data[at:at + k], "big"), at + k
    return tag, data[at:at + n], at + n


def response_status(data):
    """(request id, error status) of a GetResponse."""
    _, msg, _ = read_tlv(data, 0)
    _, _, at = read_tlv(msg, 0)          # version
    _, _, at = read_tlv(msg, at)         # community
    _, pdu, _ = read_tlv(msg, at)
    _, reqid, at = read_tlv(pdu, 0)
    _, status, _ = read_tlv(pdu, at)
    return int.from_bytes(reqid, "big", signed=True), int.from_bytes(status, "big")


COUNTERS = ([f"{ENT}.1.2.1.1.{c}.{p}" for c in (9, 10, 11, 12) for p in (1, 2)] +
            [f"1.3.6.1.2.1.31.1.1.1.{c}.{1000 + p}" for c in (6, 7, 10, 11) for p in (1, 2)] +
            [f"{ENT}.1.3.1.1.5.{e}" for e in (1, 2, 3, 4)])


def cpu_seconds(pid, tid=None):
    """User + system CPU seconds of a process, or of one of its threads."""
    with open(f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds, while entered, of mboxd's control thread (its main
    thread: the subagent runs there), of snmpd and of the poller thread;
    added to totals[name]."""

    def __init__(self, snmpd, totals, poller=None):
        self.snmpd, self.totals, self.poller = snmpd, totals, poller

    def readings(self):
        mboxd = next(c for c in Child.live if c.name == "DUT mboxd").proc.pid
        return {"mboxd control": cpu_seconds(mboxd, mboxd), "snmpd": cpu_seconds(self.snmpd.proc.pid)}

    def __enter__(self):
        self.t0, self.start = time.perf_counter(), self.readings()
        return self

    def __exit__(self, *exc):
        end = self.readings()
        self.totals["seconds"] = self.totals.get("seconds", 0) + time.perf_counter() - self.t0
        if self.poller:
            end["poller"], self.start["poller"] = self.poller.cpu, 0
        for name, value in end.items():
            self.totals[name] = self.totals.get(name, 0) + value - self.start[name]


class Poller:
    """Sends GETs of COUNTERS at `rate` per second while entered."""

    def __init__(self, port, rate, latencies, errors):
        self.addr, self.rate, self.latencies, self.errors = ("127.0.0.1", port), rate, latencies, errors
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(1.0)
        self.stop = threading.Event()
        self.reqid = 0

    def get(self):
        self.reqid += 1
        t0 = time.perf_counter()
        self.sock.sendto(get_request(self.reqid, COUNTERS), self.addr)
        try:
            while True:
                reqid, status = response_status(self.sock.recv(65536))
                if reqid == self.reqid:
                    return status == 0, time.perf_counter() - t0
        except socket.timeout:
            return False, None

    def loop(self):
        next_at = time.perf_counter()
        start = resource.getrusage(resource.RUSAGE_THREAD)
        while not self.stop.is_set():
            ok, latency = self.get()
            if ok:
                self.latencies.append(latency)
            else:
                self.errors.append(1)
            next_at += 1.0 / self.rate
            self.stop.wait(max(0.0, next_at - time.perf_counter()))
        end = resource.getrusage(resource.RUSAGE_THREAD)
        self.cpu = end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime

    def __enter__(self):
        deadline = time.time() + 15
        while not self.get()[0]:
            if time.time() > deadline:
                raise BenchError("the subagent does not answer within 15 s")
            time.sleep(0.2)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.sock.close()


@contextlib.contextmanager
def bulkwalks(target, times):
    """Times full snmpbulkwalks of the MBOX subtree and of ifTable."""
    deadline = time.time() + 15
    while subprocess.run(["snmpget", "-v2c", "-c", "public", target, f"{ENT}.1.1.4.0"], capture_output=True,
                         env=ENV).returncode != 0:
        if time.time() > deadline:
            raise BenchError("the subagent does not answer within 15 s")
        time.sleep(0.2)
    for _ in range(5):
        for name, oid in (("MBOX subtree", ENT), ("ifTable", "1.3.6.1.2.1.2.2")):
            t0 = time.perf_counter()
            r = subprocess.run(["snmpbulkwalk", "-v2c", "-c", "public", "-On", target, oid], capture_output=True,
                               text=True, env=ENV)
            if r.returncode:
                raise BenchError(f"snmpbulkwalk {oid}: {r.stderr}")
            times.setdefault(name, []).append((time.perf_counter() - t0, len(r.stdout.splitlines())))
    yield


def snmp_section(tmp, target, users=""):
    """mboxd's snmp section: the subagent of an snmpd listening on target,
    community public (read-only) for the poller, and the given users."""
    return (f'snmp = {{ agentx_socket = "{tmp}/agentx.sock"; listen = "{target}";\n'
            f'  communities = ( {{ name = "public"; }} );{f" users = ( {users} );" if users else ""} }};\n')


def start_snmpd(mboxd, cfg, tmp):
    """A real snmpd in tmp, configured by mboxd --snmpd-conf from cfg."""
    conf = subprocess.run([mboxd, "--snmpd-conf", cfg], capture_output=True, text=True, check=True)
    with open(os.path.join(tmp, "snmpd.conf"), "w") as f:
        f.write(conf.stdout)
    os.makedirs(os.path.join(tmp, "persist"), exist_ok=True)
    return Child("snmpd", ["env", "MIBS=", f"SNMP_PERSISTENT_DIR={tmp}/persist", "snmpd", "-f", "-Lf",
                                 os.path.join(tmp, "snmpd.log"), "-C", "-c", os.path.join(tmp, "snmpd.conf"),
                                 "-p", os.path.join(tmp, "pid")])
