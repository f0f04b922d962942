#!/usr/bin/env python3
"""mirror, http_filter and sequencer through the real mboxd: frames in from a
pcap file on net_pcap ports, out to pcap files compared byte for byte with
what this script computes; counters from the dump mboxd prints on stop."""
import struct

from mboxtest import Mboxd, check, finish, plan, frame, ipv4_checksum, mac, read_pcap, workdir, write_pcap

d = workdir("misc")
plan(*(f"{tag}_mboxd_{what}" for tag in ("seq", "mirror", "http") for what in ("starts", "stops_cleanly")))


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def l4_checksum(fr, off=14):
    """TCP/UDP checksum of the IPv4 packet at fr[off:] (checksum field read as zero)."""
    ihl = (fr[off] & 0xF) * 4
    total = struct.unpack("!H", fr[off + 2:off + 4])[0]
    seg = bytearray(fr[off + ihl:off + total])
    cksum_at = 16 if fr[off + 9] == 6 else 6
    seg[cksum_at:cksum_at + 2] = b"\0\0"
    pseudo = fr[off + 12:off + 20] + struct.pack("!BBH", 0, fr[off + 9], len(seg))
    data = pseudo + bytes(seg) + b"\0" * (len(seg) & 1)
    c = ~fold(sum(struct.unpack(f"!{len(data) // 2}H", data))) & 0xFFFF
    return c if c or fr[off + 9] == 6 else 0xFFFF


def with_udp_checksum(fr):
    return fr[:40] + struct.pack("!H", l4_checksum(fr)) + fr[42:]


def run(tag, ports, elements, links, inputs):
    """Start mboxd with port "in" reading inputs and one tx port per name in
    ports; stop it; return (stats, {port: frames written})."""
    write_pcap(f"{d}/{tag}_in.pcap", inputs)
    write_pcap(f"{d}/empty.pcap", [])
    devs = [f'{{ name = "in"; device = "net_pcap0,rx_pcap={d}/{tag}_in.pcap,tx_pcap={d}/{tag}_in_tx.pcap"; }}']
    for i, p in enumerate(ports):
        devs.append(f'{{ name = "{p}"; device = "net_pcap{i + 1},rx_pcap={d}/empty.pcap,tx_pcap={d}/{tag}_{p}.pcap"; }}')
    cfg = f"{d}/{tag}.cfg"
    with open(cfg, "w") as f:
        f.write(f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = 8191; file_prefix = "mbox_misc"; }};
ports = ( {", ".join(devs)} );
elements = ( {elements} );
links = ( {links} );
""")
    m = Mboxd(cfg)
    if check(m.start(), f"{tag}_mboxd_starts", m.output()[-2000:]):
        m.wait_inputs_read()
    stats = m.stop()
    check(stats is not None, f"{tag}_mboxd_stops_cleanly", m.output()[-2000:])
    return stats, {p: read_pcap(f"{d}/{tag}_{p}.pcap") for p in ports} if stats else {}


# ---- sequencer ----

def sequencer_test():
    port, start = 7000, 42
    inputs = []
    for i in range(12):
        src = ("10.0.0.1", 1000) if i % 3 else ("10.0.0.5", 2000 + i % 2)
        fr = frame(proto=17, src_ip=src[0], sport=src[1], dport=port, payload=bytes(range(16)) + b"msg%d" % i)
        inputs.append(with_udp_checksum(fr) if i % 2 else fr)
    inputs += [frame(proto=17, dport=port, payload=b"short"),      # too short: unchanged
               frame(proto=17, dport=port + 1, payload=b"x" * 20),  # other port
               frame(proto=6, dport=port, payload=b"x" * 20)]       # TCP
    want, nxt, per = [], start, {}
    for fr in inputs:
        out = fr
        if fr[23] == 17 and fr[36:38] == port.to_bytes(2, "big") and struct.unpack("!H", fr[38:40])[0] >= 24:
            key = (fr[26:30], fr[34:36])
            per[key] = per.get(key, 0) + 1
            out = fr[:42] + struct.pack("!QQ", nxt, per[key]) + fr[58:]
            nxt += 1
            if fr[40:42] != b"\0\0":
                out = with_udp_checksum(out)
        want.append(out)
    stats, got = run("seq", ["out"],
                     f'{{ name = "rx"; kind = "port_rx"; port = "in"; }},'
                     f'{{ name = "seq"; kind = "sequencer"; port = {port}; start = {start}; }},'
                     f'{{ name = "tx"; kind = "port_tx"; port = "out"; }}',
                     '"rx -> seq -> tx"', inputs)
    if not stats:
        return
    check(got["out"] == want, "seq_output_bytes",
          f"{len(got['out'])} frames; first difference at "
          f"{next((i for i, (a, b) in enumerate(zip(got['out'], want)) if a != b), None)}")
    e = stats["element"]["seq"]
    check(e["stamped"] == 12 and e["sources"] == len(per) and e["too_short"] == 1 and e["sources_full"] == 0,
          "seq_counters", str(e))


# ---- mirror ----

def mirror_test():
    new_dst = "02:de:ad:be:ef:01"
    inputs = [frame(proto=17, dport=53, payload=b"m" * (i * 30)) for i in range(8)] + [frame(ethertype=0x0806)]
    cap = f"{d}/mirror_capture.pcap"
    stats, got = run("mirror", ["out", "copy"],
                     '{ name = "rx"; kind = "port_rx"; port = "in"; },'
                     f'{{ name = "m"; kind = "mirror"; capture = true; capture_file = "{cap}"; capture_limit = 5; }},'
                     f'{{ name = "rw"; kind = "ether_rewrite"; dst = "{new_dst}"; }},'
                     '{ name = "tx"; kind = "port_tx"; port = "out"; },'
                     '{ name = "tx_copy"; kind = "port_tx"; port = "copy"; }',
                     '"rx -> m[out] -> rw -> tx", "m[copy] -> tx_copy"', inputs)
    if not stats:
        return
    check(got["out"] == [mac(new_dst) + fr[6:] for fr in inputs],
          "mirror_original_rewritten", f"{len(got['out'])} frames")
    check(got["copy"] == inputs, "mirror_copy_output_bytes", f"{len(got['copy'])} frames, expected {len(inputs)}")
    check(read_pcap(cap) == inputs[:5], "mirror_capture_file_bytes", f"{len(read_pcap(cap))} records")
    e = stats["element"]["m"]
    check(e["copied"] == len(inputs) and e["copy_failed"] == 0 and e["captured"] == 5 and e["capture_dropped"] == 0,
          "mirror_counters", str(e))


# ---- http_filter ----

def rst(fr, reverse, seq, ack):
    """The RST|ACK http_filter sends for request fr (untagged)."""
    eth = fr[6:12] + fr[0:6] + fr[12:14] if reverse else fr[:14]
    src, dst = (fr[30:34], fr[26:30]) if reverse else (fr[26:30], fr[30:34])
    sport, dport = (fr[36:38], fr[34:36]) if reverse else (fr[34:36], fr[36:38])
    ip = struct.pack("!BBHHHBBH", 0x45, 0, 40, 0, 0x4000, 64, 6, 0) + src + dst
    ip = ip[:10] + struct.pack("!H", ipv4_checksum(ip)) + ip[12:]
    out = eth + ip + sport + dport + struct.pack("!IIBBHHH", seq, ack, 0x50, 0x14, 0, 0, 0)
    return out[:50] + struct.pack("!H", l4_checksum(out)) + out[52:]


def http_filter_test():
    def req(host, path, dport=80):
        return frame(proto=6, dport=dport, tcp_flags=0x18,
                     payload=f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n".encode())
    inputs = [req("www.example.com", "/"), req("WWW.EXAMPLE.com:80", "/private/x"), req("ads.tracker.example", "/p.js"),
              req("www.example.com", "/private/x", dport=8080), frame(proto=6, dport=80, payload=b"\x16\x03\x01tls"),
              frame(proto=17, dport=80), req("tracker.example", "/")]
    denied = {1: 0, 2: 1}  # input index -> rule
    want_out, want_rev = [], []
    for i, fr in enumerate(inputs):
        if i in denied:
            seq, ack = struct.unpack("!II", fr[38:46])
            payload = struct.unpack("!H", fr[16:18])[0] - 40
            want_out.append(rst(fr, False, seq, ack))
            want_rev.append(rst(fr, True, ack, seq + payload))
        else:
            want_out.append(fr)
    stats, got = run("http", ["out", "rev"],
                     '{ name = "rx"; kind = "port_rx"; port = "in"; },'
                     '{ name = "hf"; kind = "http_filter"; rules = ('
                     '  { host = "www.example.com"; path = "/private"; action = "deny"; },'
                     '  { host = "*.tracker.example"; action = "deny"; } ); },'
                     '{ name = "tx"; kind = "port_tx"; port = "out"; },'
                     '{ name = "tx_rev"; kind = "port_tx"; port = "rev"; }',
                     '"rx -> hf[out] -> tx", "hf[reverse] -> tx_rev"', inputs)
    if not stats:
        return
    check(got["out"] == want_out, "http_out_bytes", f"{len(got['out'])} frames, expected {len(want_out)}")
    check(got["rev"] == want_rev, "http_reverse_rst_bytes", f"{len(got['rev'])} frames, expected {len(want_rev)}")
    e = stats["element"]["hf"]
    check(e["inspected"] == 4 and e["allowed"] == 2 and e["denied"] == 2 and e["resets_sent"] == 4
          and e["not_http"] == 1 and e["unparsed"] == 0 and e["row0"] == 1 and e["row1"] == 1,
          "http_counters", str(e))


sequencer_test()
mirror_test()
http_filter_test()
finish()
