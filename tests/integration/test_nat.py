#!/usr/bin/env python3
"""nat through the real mboxd: outbound flows, their replies, static DNAT and
packets it must drop come in from one pcap (in order, one worker); what
leaves the outside and inside ports is compared byte for byte with the
translation computed here (checksums recomputed from scratch); counters
checked.  A configuration with two workers is refused by --check."""
import socket
import struct
import subprocess

from mboxtest import MBOXD, Mboxd, check, finish, frame, ipv4_checksum, read_pcap, workdir, write_pcap

d = workdir("nat")
PUBLIC = "198.51.100.1"
REMOTE = "203.0.113.9"
PORT_LO = 20000
ETH = 14


def ones_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def with_checksums(fr, keep_udp_zero=False):
    """fr with its IPv4 and L4 checksums computed (UDP 0 kept if asked)."""
    fr = bytearray(fr)
    ip = ETH
    ip_len = struct.unpack("!H", fr[ip + 2:ip + 4])[0]
    proto = fr[ip + 9]
    l4, end = ip + 20, ip + ip_len
    fr[ip + 10:ip + 12] = b"\0\0"
    fr[ip + 10:ip + 12] = struct.pack("!H", ipv4_checksum(bytes(fr[ip:l4])))
    at = {6: 16, 17: 6, 1: 2}[proto]
    if proto == 17 and keep_udp_zero and fr[l4 + at:l4 + at + 2] == b"\0\0":
        return bytes(fr)
    fr[l4 + at:l4 + at + 2] = b"\0\0"
    pseudo = bytes(fr[ip + 12:ip + 20]) + struct.pack("!BBH", 0, proto, end - l4) if proto != 1 else b""
    c = ~ones_sum(pseudo + bytes(fr[l4:end])) & 0xFFFF
    if proto == 17 and c == 0:
        c = 0xFFFF
    fr[l4 + at:l4 + at + 2] = struct.pack("!H", c)
    return bytes(fr)


def icmp_echo(src_ip, dst_ip, ident, reply=False):
    icmp = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, ident, 1) + b"pingping"
    fr = bytearray(frame(proto=1, src_ip=src_ip, dst_ip=dst_ip, payload=b""))
    body = fr[:ETH + 20] + icmp
    body[ETH + 2:ETH + 4] = struct.pack("!H", 20 + len(icmp))
    return with_checksums(bytes(body).ljust(60, b"\0"))


def udp(src_ip, sport, dst_ip, dport, zero=False):
    return with_checksums(frame(proto=17, src_ip=src_ip, sport=sport, dst_ip=dst_ip, dport=dport), keep_udp_zero=zero)


def tcp(src_ip, sport, dst_ip, dport, flags):
    return with_checksums(frame(proto=6, src_ip=src_ip, sport=sport, dst_ip=dst_ip, dport=dport, tcp_flags=flags))


def translated(fr, inbound, addr, port):
    """fr with its source (outbound) or destination (inbound) endpoint
    replaced, checksums recomputed."""
    fr = bytearray(fr)
    a = ETH + (16 if inbound else 12)
    fr[a:a + 4] = socket.inet_aton(addr)
    p = ETH + 20 + (4 if fr[ETH + 9] == 1 else 2 if inbound else 0)
    fr[p:p + 2] = struct.pack("!H", port)
    return with_checksums(bytes(fr), keep_udp_zero=True)


SYN, ACK = 0x02, 0x10
# (frame, expected: ("out"|"in", addr, port) or a counter that drops it)
block = [
    (udp("10.0.0.1", 5000, REMOTE, 53), ("out", PUBLIC, PORT_LO)),
    (tcp("10.0.0.2", 6000, REMOTE, 80, SYN), ("out", PUBLIC, PORT_LO + 1)),
    (icmp_echo("10.0.0.1", REMOTE, 77), ("out", PUBLIC, PORT_LO + 2)),
    (udp(REMOTE, 53, PUBLIC, PORT_LO), ("in", "10.0.0.1", 5000)),
    (tcp(REMOTE, 80, PUBLIC, PORT_LO + 1, SYN | ACK), ("in", "10.0.0.2", 6000)),
    (icmp_echo(REMOTE, PUBLIC, PORT_LO + 2, reply=True), ("in", "10.0.0.1", 77)),
    (udp(REMOTE, 53, PUBLIC, PORT_LO + 7), "no_session"),
    (tcp("203.0.113.7", 3333, PUBLIC, 8080, SYN), ("in", "10.0.0.80", 80)),
    (tcp("10.0.0.80", 80, "203.0.113.7", 3333, SYN | ACK), ("out", PUBLIC, 8080)),
    (udp("10.0.0.3", 7000, REMOTE, 123, zero=True), ("out", PUBLIC, PORT_LO + 3)),
    (frame(proto=17, sport=1, dport=2, frag=0x2000), "fragments"),
    (frame(ethertype=0x0806), "invalid"),
]
ROUNDS = 3
inputs = [fr for fr, _ in block] * ROUNDS
want = {"out": [], "in": []}
for fr, fate in block * ROUNDS:
    if isinstance(fate, tuple):
        want[fate[0]].append(translated(fr, fate[0] == "in", fate[1], fate[2]))
drops = {c: ROUNDS * sum(f == c for _, f in block) for c in ("no_session", "fragments", "invalid")}
sessions = 5  # udp, tcp, icmp, static, udp without checksum

write_pcap(f"{d}/in.pcap", inputs)
write_pcap(f"{d}/empty.pcap", [])


def config(lcores, main_lcore, mbufs):
    return f"""
dpdk = {{ lcores = "{lcores}"; main_lcore = {main_lcore}; memory_mb = 128; mbufs = {mbufs}; file_prefix = "mbox_nat"; }};
ports = (
  {{ name = "wire";    device = "net_pcap0,rx_pcap={d}/in.pcap,tx_pcap={d}/wire_tx.pcap"; }},
  {{ name = "outside"; device = "net_pcap1,rx_pcap={d}/empty.pcap,tx_pcap={d}/outside.pcap"; }},
  {{ name = "inside";  device = "net_pcap2,rx_pcap={d}/empty.pcap,tx_pcap={d}/inside.pcap"; }}
);
elements = (
  {{ name = "rx";     kind = "port_rx"; port = "wire"; }},
  {{ name = "nat";    kind = "nat"; address = "{PUBLIC}"; ports = "{PORT_LO}-{PORT_LO + 999}"; max_sessions = 1024;
     static = ( {{ proto = "tcp"; public_port = 8080; inside_address = "10.0.0.80"; inside_port = 80; }} ); }},
  {{ name = "tx_out"; kind = "port_tx"; port = "outside"; }},
  {{ name = "tx_in";  kind = "port_tx"; port = "inside"; }}
);
links = ( "rx -> nat[outside] -> tx_out", "nat[inside] -> tx_in" );
"""


cfg = f"{d}/mbox.cfg"
with open(cfg, "w") as f:
    f.write(config("0,1", 1, 8191))

m = Mboxd(cfg)
if check(m.start(), "nat_mboxd_starts", m.output()[-2000:]):
    m.wait_inputs_read()
stats = m.stop()
check(stats is not None, "nat_mboxd_stops_cleanly", m.output()[-2000:])
if stats:
    got_out = read_pcap(f"{d}/outside.pcap")
    got_in = read_pcap(f"{d}/inside.pcap")
    check(got_out == want["out"], "nat_outside_bytes",
          f"{len(got_out)} frames, expected {len(want['out'])}; first difference at "
          f"{next((i for i, (a, b) in enumerate(zip(got_out, want['out'])) if a != b), None)}")
    check(got_in == want["in"], "nat_inside_bytes",
          f"{len(got_in)} frames, expected {len(want['in'])}; first difference at "
          f"{next((i for i, (a, b) in enumerate(zip(got_in, want['in'])) if a != b), None)}")
    e = stats["element"]["nat"]
    check(e["created"] == sessions and e["active_sessions"] == sessions and e["expired"] == 0,
          "nat_session_counters", str(e))
    check(all(e[c] == n for c, n in drops.items()) and e["drops"] == sum(drops.values())
          and e["out.outside"] == len(want["out"]) and e["out.inside"] == len(want["in"]),
          "nat_drop_and_output_counters", f"{e}, expected {drops}")

two = f"{d}/two-workers.cfg"
with open(two, "w") as f:
    f.write(config("0-2", 2, 32767))
r = subprocess.run([MBOXD, "--check", two], capture_output=True, text=True)
check(r.returncode != 0 and "expected one worker" in r.stdout + r.stderr, "nat_refuses_two_workers",
      (r.stdout + r.stderr)[-500:])
finish()
