#!/usr/bin/env python3
"""router: frames in from two pcap ports (lan, wan) through build/mboxd, out
to pcap files compared byte for byte with what Python computes (route,
TTL - 1, header checksum, MACs, ARP replies and requests); counters."""
import socket
import struct

from mboxtest import Mboxd, check, finish, frame, ipv4_checksum, mac, read_pcap, workdir, write_pcap

d = workdir("router")
WAN_MAC = "02:00:5e:00:02:01"
ISP_MAC = "02:00:00:00:99:01"
LAB_MAC = "02:00:00:00:01:14"
HOST_MAC = "02:00:00:00:01:64"
BROADCAST = "ff:ff:ff:ff:ff:ff"


def arp(op, sha, sip, tip, tha="00:00:00:00:00:00", dst=BROADCAST):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, mac(sha), socket.inet_aton(sip),
                       mac(tha), socket.inet_aton(tip))
    return (mac(dst) + mac(sha) + b"\x08\x06" + body).ljust(60, b"\0")


def routed(fr, src_mac, dst_mac):
    """fr as the router forwards it: new MACs, TTL - 1, checksum recomputed."""
    ip = bytearray(fr[14:34])
    ip[8] -= 1
    ip[10:12] = b"\0\0"
    ip[10:12] = struct.pack("!H", ipv4_checksum(bytes(ip)))
    return mac(dst_mac) + mac(src_mac) + fr[12:14] + bytes(ip) + fr[34:]


def udp(dst_ip, ttl=64, src_ip="192.168.1.100", payload=b"mbox"):
    return frame(dst="02:00:00:00:00:fe", src=HOST_MAC, src_ip=src_ip, dst_ip=dst_ip, ttl=ttl, payload=payload)


bad_checksum = bytearray(udp("8.8.8.8"))
bad_checksum[24] ^= 0xFF
lan_in = [
    udp("8.8.8.8"),                       # default -> isp (wan)
    udp("10.20.1.1", ttl=2),              # /16 -> lab (lan), leaves with TTL 1
    udp("10.20.30.4", payload=b"x" * 300),  # /24 beats /16 -> isp (wan)
    udp("10.20.1.1", ttl=1),              # TTL expired
    bytes(bad_checksum),                  # bad header
    frame(ethertype=0x86DD),              # not IPv4
    udp("172.16.1.1"),                    # next hop "dyn" unresolved: ARP request on lan
    udp("172.16.1.2"),                    # unresolved, no second request within arp_interval_ms
    arp(1, HOST_MAC, "192.168.1.100", "192.168.1.1"),   # for us: reply on lan
    arp(1, HOST_MAC, "192.168.1.100", "192.168.1.77"),  # not for us
]
wan_in = [
    frame(dst=WAN_MAC, src=ISP_MAC, src_ip="198.51.100.9", dst_ip="10.20.5.5", ttl=30),  # -> lab (lan)
    arp(1, ISP_MAC, "203.0.113.1", "203.0.113.2"),      # for us: reply on wan
]

write_pcap(f"{d}/lan_in.pcap", lan_in)
write_pcap(f"{d}/wan_in.pcap", wan_in)
cfg = f"{d}/mbox.cfg"
with open(cfg, "w") as f:
    f.write(f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = 8191; file_prefix = "mbox_router"; }};
ports = (
  {{ name = "lan"; device = "net_pcap0,rx_pcap={d}/lan_in.pcap,tx_pcap={d}/lan_out.pcap"; }},
  {{ name = "wan"; device = "net_pcap1,rx_pcap={d}/wan_in.pcap,tx_pcap={d}/wan_out.pcap"; }}
);
elements = (
  {{ name = "rx_lan"; kind = "port_rx"; port = "lan"; }},
  {{ name = "rx_wan"; kind = "port_rx"; port = "wan"; }},
  {{ name = "rt"; kind = "router"; arp_interval_ms = 60000;
     interfaces = ( {{ name = "lan"; port = "lan"; address = "192.168.1.1"; prefix_len = 24; }},
                    {{ name = "wan"; port = "wan"; address = "203.0.113.2"; prefix_len = 30; mac = "{WAN_MAC}"; }} );
     next_hops = ( {{ name = "isp"; address = "203.0.113.1"; mac = "{ISP_MAC}"; }},
                   {{ name = "lab"; address = "192.168.1.20"; mac = "{LAB_MAC}"; }},
                   {{ name = "dyn"; address = "192.168.1.30"; }} );
     routes = ( {{ prefix = "0.0.0.0/0"; next_hop = "isp"; }},
                {{ prefix = "10.20.0.0/16"; next_hop = "lab"; }},
                {{ prefix = "10.20.30.0/24"; next_hop = "isp"; }},
                {{ prefix = "172.16.0.0/12"; next_hop = "dyn"; }} ); }},
  {{ name = "tx_lan"; kind = "port_tx"; port = "lan"; }},
  {{ name = "tx_wan"; kind = "port_tx"; port = "wan"; }}
);
links = ( "rx_lan -> rt[lan] -> tx_lan", "rx_wan -> rt", "rt[wan] -> tx_wan" );
""")

m = Mboxd(cfg)
if check(m.start(), "router_mboxd_starts", m.output()[-2000:]):
    m.wait_inputs_read()
stats = m.stop()
check(stats is not None, "router_mboxd_stops_cleanly", m.output()[-2000:])
if stats:
    got_lan, got_wan = read_pcap(f"{d}/lan_out.pcap"), read_pcap(f"{d}/wan_out.pcap")
    # lan's MAC is the pcap port's own: read it from the ARP reply's sender.
    replies = [fr for fr in got_lan if fr[12:14] == b"\x08\x06" and fr[20:22] == b"\x00\x02"]
    lan_mac = ":".join(f"{b:02x}" for b in replies[0][22:28]) if replies else "00:00:00:00:00:00"
    want_lan = [
        routed(lan_in[1], lan_mac, LAB_MAC),
        routed(wan_in[0], lan_mac, LAB_MAC),
        arp(1, lan_mac, "192.168.1.1", "192.168.1.30"),
        arp(2, lan_mac, "192.168.1.1", "192.168.1.100", tha=HOST_MAC, dst=HOST_MAC),
    ]
    want_wan = [
        routed(lan_in[0], WAN_MAC, ISP_MAC),
        routed(lan_in[2], WAN_MAC, ISP_MAC),
        arp(2, WAN_MAC, "203.0.113.2", "203.0.113.1", tha=ISP_MAC, dst=ISP_MAC),
    ]
    # Two inputs feed the router: compare as sorted lists (order across them varies).
    check(sorted(got_lan) == sorted(want_lan), "router_lan_output_bytes",
          f"{len(got_lan)} frames, expected {len(want_lan)} (lan MAC {lan_mac})")
    check(sorted(got_wan) == sorted(want_wan), "router_wan_output_bytes",
          f"{len(got_wan)} frames, expected {len(want_wan)}")
    rt = stats["element"]["rt"]
    check(rt["in"] == len(lan_in) + len(wan_in) and rt["out.lan"] == 4 and rt["out.wan"] == 3,
          "router_counts_in_and_out", str(rt))
    check(rt["ttl_expired"] == 1 and rt["bad_header"] == 1 and rt["not_ip"] == 2 and rt["no_route"] == 0
          and rt["unresolved"] == 2 and rt["arp_requests"] == 1 and rt["arp_replies"] == 2
          and rt["drops"] == 6, "router_counters", str(rt))
    check([rt.get(f"row{r}") for r in range(4)] == [1, 2, 1, 2], "router_route_hits",
          str([rt.get(f"row{r}") for r in range(4)]))
    check(stats["port"]["lan"]["opackets"] == 4 and stats["port"]["wan"]["opackets"] == 3,
          "router_port_counts", f"{stats['port']}")
finish()
