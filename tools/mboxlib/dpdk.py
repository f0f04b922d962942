"""The benchmarks' DPDK processes: the device under test (mboxd or
dpdk-testpmd io, the memif servers) and the generators (dpdk-testpmd flowgen
or build/mbox-gen, the clients), started afresh per run, and what their
output says (counters, mbox-gen trial results, mboxd's element cycles)."""
import contextlib
import os
import re
import signal
import sys
import time

from .procs import Child, Interactive

TESTPMD = "dpdk-testpmd"
MEMORY_MB = 128
MBUFS = 16383
PROMPT = b"testpmd> "
# --in-memory keeps DPDK's files away, but the prefix names this process's
# instances anyway, apart from every other DPDK process on the machine.
FILE_PREFIX = f"mbox_bench_{os.getpid()}"
GEN_PROMPT = b"mbox-gen> "


def testpmd(main_lcore, prefix, role, socks, *args):
    """dpdk-testpmd forwarding on the lcore that is not main_lcore (line-buffered output)."""
    argv = ["stdbuf", "-oL", TESTPMD, "-l", "0,1", "--main-lcore", str(main_lcore), "-m", str(MEMORY_MB),
            "--in-memory", "--file-prefix", prefix, "--no-pci"]
    for i, sock in enumerate(socks):
        argv += ["--vdev", f"net_memif{i},role={role},socket={sock}"]
    return argv + ["--", f"--total-num-mbufs={MBUFS + 1}", *args]

class Generator(Interactive):
    """dpdk-testpmd driven through its interactive prompt."""

    def __init__(self, socks):
        super().__init__("generator testpmd", testpmd(0, f"{FILE_PREFIX}_gen", "client", socks,
                                                      "-i", "--forward-mode=flowgen", "--txpkts=64"), PROMPT)

    def wait_links(self, timeout=10):
        deadline = time.monotonic() + timeout
        while self.cmd("show port info all")[0].count("Link status: up") < 2:
            if time.monotonic() > deadline:
                self.fail(f"memif links not up after {timeout} s")
            time.sleep(0.2)

    def counters(self):
        """Packets received per port, packets offered (sent or refused) in all, and when."""
        text, when = self.cmd("show fwd stats all")
        ports = re.findall(r"statistics for port (\d+)\s.*?RX-packets:\s*(\d+).*?TX-total:\s*(\d+)", text, re.S)
        if len(ports) != 2:
            self.fail("cannot read the counters of both ports from 'show fwd stats all'")
        return [int(rx) for _, rx, _ in sorted(ports)], sum(int(tx) for _, _, tx in ports), when


class MboxGen(Interactive):
    """build/mbox-gen on lcore 1, the memif client of both ports."""

    def __init__(self, binary, socks, ring_size):
        argv = [binary, "-l", "1", "-m", str(MEMORY_MB), "--in-memory", "--no-pci",
                "--file-prefix", f"{FILE_PREFIX}_gen"]
        # The memif client lays out the shared rings, so its rsize (log2) holds for both sides.
        for i, sock in enumerate(socks):
            argv += ["--vdev", f"net_memif{i},role=client,socket={sock},rsize={ring_size.bit_length() - 1}"]
        super().__init__("mbox-gen", argv, GEN_PROMPT)

    def trial(self, size, rate, seconds):
        """Sends size-byte frames at rate frames/s (both ports together; None:
        as fast as the ports take them) for seconds; returns mbox-gen's result."""
        text, _ = self.cmd(f"trial {size} {'max' if rate is None else f'{rate:.9g}'} {seconds}",
                           timeout=seconds + 30)
        m = re.search(r"^result (.*)$", text, re.M)
        if not m:
            self.fail(f"no result for a trial of {size} bytes at {rate} frames/s: {text.strip()}")
        return {k: float(v) for k, v in (field.split("=", 1) for field in m.group(1).split())}


def dut_testpmd(socks):
    dut = Child("DUT testpmd", testpmd(1, f"{FILE_PREFIX}_dut", "server", socks, "--forward-mode=io", "--auto-start"))
    dut.expect(rb"Checking link statuses", 60)  # ports are configured and started
    return dut

def element_cycles(dut_output, prefix):
    """Cycles per packet of the elements whose names start with prefix, from
    mboxd's final counter dump (summed over those elements)."""
    cycles = packets = 0
    for m in re.finditer(rb"^stats: element (\S+) kind=\S+ in=(\d+).* cycles=(\d+)$", dut_output, re.M):
        name = m.group(1).decode()
        if name.rstrip("0123456789") == prefix:
            packets += int(m.group(2))
            cycles += int(m.group(3))
    return cycles / packets if packets else float("nan")


def dut_mboxd(mboxd, cfg):
    dut = Child("DUT mboxd", [mboxd, "-c", cfg])
    dut.expect(rb"info: forwarding:", 60)
    return dut


@contextlib.contextmanager
def dut_session(start_dut, socks, start_gen):
    """Starts the DUT (memif server) and then the generator (client) afresh;
    yields both and stops the DUT first.  net_memif crashes a process whose
    peer disconnects while it polls (DPDK 22.11): the generator must have
    stopped forwarding when the block ends."""
    for sock in socks:
        if os.path.exists(sock):
            os.unlink(sock)
    dut = start_dut()
    gen = None
    try:
        gen = start_gen()
        yield dut, gen
        if dut.proc.poll() is not None:
            dut.fail(f"exited (status {dut.proc.returncode}) during the measurement")
    finally:
        status = dut.stop()
        if gen:
            gen.stop()
    if status not in (0, -signal.SIGTERM):
        print(f"warning: {dut.name} exited with status {status}:\n{dut.tail()}", file=sys.stderr)


def run_once(start_dut, socks, warmup, seconds, during=None):
    """One measurement; returns Mpps received per generator port, Mpps offered
    and the DUT's output (with mboxd's final counter dump).
    during(): a context manager entered for the measured interval (e.g. SNMP polling)."""
    with dut_session(start_dut, socks, lambda: Generator(socks)) as (dut, gen):
        gen.wait_links()
        gen.cmd("start")
        time.sleep(warmup)
        with during() if during else contextlib.nullcontext():
            rx0, tx0, t0 = gen.counters()
            time.sleep(seconds)
            rx1, tx1, t1 = gen.counters()
        gen.cmd("stop")
    return ([(b - a) / (t1 - t0) / 1e6 for a, b in zip(rx0, rx1)], (tx1 - tx0) / (t1 - t0) / 1e6,
            dut.out)
