/* router: longest-prefix match, TTL and checksum, MAC rewrite, drops, ARP
 * replies and next-hop resolution, per-route hits, configuration errors and
 * a 10k-route table, through the real graph (see harness.h).  Both
 * interfaces sit on the harness's one port p0: lan -> s0, wan -> s1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "harness.h"

#define LAN_MAC "02:00:00:00:01:01"
#define WAN_MAC "02:00:00:00:02:01"
#define H1_MAC "02:00:00:00:01:0a"
#define GW_MAC "02:00:00:00:02:fe"
#define DYN_MAC "02:00:00:00:02:63"

#define IFACES                                                                                          \
	"interfaces = ( { name = \"lan\"; port = \"p0\"; address = \"10.0.1.1\"; prefix_len = 24; mac = \"" LAN_MAC "\"; },\n" \
	"               { name = \"wan\"; port = \"p0\"; address = \"10.0.2.1\"; prefix_len = 24; mac = \"" WAN_MAC "\"; } );\n"
#define NEXT_HOPS                                                                                       \
	"next_hops = ( { name = \"h1\"; address = \"10.0.1.10\"; mac = \"" H1_MAC "\"; },\n"                  \
	"              { name = \"gw\"; address = \"10.0.2.254\"; interface = \"wan\"; mac = \"" GW_MAC "\"; },\n" \
	"              { name = \"dyn\"; address = \"10.0.2.99\"; } );\n"
#define ROUTES                                                                                          \
	"routes = ( { prefix = \"198.18.0.0/15\"; next_hop = \"h1\"; },\n"                                    \
	"           { prefix = \"198.18.1.0/24\"; next_hop = \"gw\"; },\n"                                    \
	"           { prefix = \"198.18.1.7\"; next_hop = \"h1\"; },\n"                                       \
	"           { prefix = \"203.0.113.0/24\"; next_hop = \"dyn\"; } );\n"
#define ROUTER(body) "{ name = \"rt\"; kind = \"router\"; " body " }"
#define LINKS "\"src -> rt[lan] -> s0\", \"rt[wan] -> s1\""

static struct mbox_generation *build_router(const char *test)
{
	return harness_build(test, 2, ROUTER(IFACES NEXT_HOPS ROUTES), LINKS);
}

static const struct rte_ipv4_hdr *ip_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
}

static const struct rte_ether_hdr *eth_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
}

static const struct rte_arp_hdr *arp_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
}

static struct pkt_spec udp_to(uint32_t dst, uint8_t ttl)
{
	struct pkt_spec s = IPV4(17, 1000, 2000, 64);

	s.dst_ip = dst;
	s.ttl = ttl;
	return s;
}

static struct rte_mbuf *udp_pkt(uint32_t dst, uint8_t ttl)
{
	struct pkt_spec s = udp_to(dst, ttl);

	return harness_pkt(&s);
}

/* Ethernet + ARP from `sha`/`sip` asking for (or answering to) `tip`. */
static struct rte_mbuf *arp_pkt(uint16_t op, const char *sha, uint32_t sip, uint32_t tip)
{
	uint8_t buf[60] = { 0 };
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct rte_ether_addr mac;

	rte_ether_unformat_addr(sha, &mac);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return harness_raw(buf, sizeof(buf));
}

static void inject_one(struct mbox_generation *gen, struct rte_mbuf *m)
{
	m->port = 0; /* received on p0 */
	harness_inject(gen, &m, 1);
}

static bool header_checksum_ok(const struct rte_mbuf *m)
{
	return rte_ipv4_cksum(ip_of(m)) == 0;
}

static void test_longest_prefix(void)
{
	const struct pkt_spec p[] = {
		udp_to(IP4(198, 18, 0, 5), 64),  /* /15 -> h1 (lan) */
		udp_to(IP4(198, 18, 1, 5), 64),  /* /24 -> gw (wan) */
		udp_to(IP4(198, 18, 1, 7), 64),  /* /32 -> h1 (lan) */
		udp_to(IP4(198, 19, 255, 1), 9), /* /15 -> h1 (lan) */
	};
	struct mbox_generation *gen = build_router("router_lpm");
	const struct mbox_elem_rt *rt;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	rt = harness_rt(gen, "rt");
	check(n_captured[0] == 3 && n_captured[1] == 1 && rt->out[0] == 3 && rt->out[1] == 1 && rt->drops == 0,
	      "router_longest_prefix_wins", "lan=%u wan=%u drops=%lu", n_captured[0], n_captured[1], rt->drops);
	check(n_captured[1] == 1 && ip_of(captured[1][0])->dst_addr == rte_cpu_to_be_32(IP4(198, 18, 1, 5)) &&
	      n_captured[0] == 3 && ip_of(captured[0][1])->dst_addr == rte_cpu_to_be_32(IP4(198, 18, 1, 7)),
	      "router_lpm_picks_the_right_packets", "wrong packets on the outputs");
	check(rt->rows[0] == 2 && rt->rows[1] == 1 && rt->rows[2] == 1 && rt->rows[3] == 0,
	      "router_route_hit_counters", "rows %lu %lu %lu %lu", rt->rows[0], rt->rows[1], rt->rows[2], rt->rows[3]);
	check(n_captured[0] == 3 && mac_is(&eth_of(captured[0][0])->dst_addr, H1_MAC) &&
	      mac_is(&eth_of(captured[0][0])->src_addr, LAN_MAC) && n_captured[1] == 1 &&
	      mac_is(&eth_of(captured[1][0])->dst_addr, GW_MAC) && mac_is(&eth_of(captured[1][0])->src_addr, WAN_MAC),
	      "router_rewrites_macs", "wrong Ethernet addresses");
	check(n_captured[0] == 3 && ip_of(captured[0][0])->time_to_live == 63 && ip_of(captured[0][2])->time_to_live == 8 &&
	      header_checksum_ok(captured[0][0]) && header_checksum_ok(captured[0][2]) && rte_pktmbuf_pkt_len(captured[0][0]) == 64,
	      "router_decrements_ttl_and_updates_checksum", "ttl %u, checksum %s", n_captured[0] ? ip_of(captured[0][0])->time_to_live : 0,
	      n_captured[0] && header_checksum_ok(captured[0][0]) ? "ok" : "bad");
	harness_finish(gen, "router_lpm");
}

/* The incremental update against a full recomputation, over many headers
 * (every TTL, sources that move the checksum through its whole range). */
static void test_checksum_update(void)
{
	struct mbox_generation *gen = build_router("router_checksum");
	unsigned bad = 0, seen = 0;

	if (!gen)
		return;
	for (unsigned round = 0; round < 64; round++) {
		struct pkt_spec p[HARNESS_MAX_PKTS];

		for (unsigned i = 0; i < HARNESS_MAX_PKTS; i++) {
			p[i] = udp_to(IP4(198, 18, 0, 1), (uint8_t)(2 + (round * HARNESS_MAX_PKTS + i) % 254));
			p[i].src_ip = IP4(10, round, i * 4, 1) + round * 977u * i;
		}
		harness_inject_specs(gen, p, HARNESS_MAX_PKTS);
		for (unsigned i = 0; i < n_captured[0]; i++) {
			const struct rte_ipv4_hdr *ip = ip_of(captured[0][i]);

			bad += !header_checksum_ok(captured[0][i]) || ip->time_to_live + 1 != p[i].ttl;
			seen++;
		}
		harness_reset_capture();
	}
	check(bad == 0 && seen == 64 * HARNESS_MAX_PKTS, "router_incremental_checksum_matches_recomputation",
	      "%u of %u headers wrong", bad, seen);
	harness_finish(gen, "router_checksum");
}

static void test_drops(void)
{
	struct pkt_spec p[] = {
		udp_to(IP4(198, 18, 0, 5), 1),   /* TTL expired */
		udp_to(IP4(8, 8, 8, 8), 64),     /* no route */
		udp_to(IP4(198, 18, 0, 5), 64),  /* checksum broken below */
		udp_to(IP4(198, 18, 0, 5), 64),  /* version broken below */
		udp_to(IP4(198, 18, 0, 5), 64),  /* total length beyond the frame, below */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .len = 30 }, /* truncated IPv4 header */
		{ .ethertype = RTE_ETHER_TYPE_IPV6, .len = 64 }, /* not IPv4 */
		{ .vlan = 5, .ethertype = RTE_ETHER_TYPE_IPV4, .len = 64 }, /* tagged: not routed */
		{ .len = 10 },                   /* runt */
		udp_to(IP4(198, 18, 0, 5), 2),   /* forwarded with TTL 1 */
	};
	struct rte_mbuf *m[RTE_DIM(p)];
	struct mbox_generation *gen = build_router("router_drops");
	const struct mbox_elem_rt *rt;

	if (!gen)
		return;
	for (unsigned i = 0; i < RTE_DIM(p); i++)
		m[i] = harness_pkt(&p[i]);
	rte_pktmbuf_mtod_offset(m[2], struct rte_ipv4_hdr *, 14)->hdr_checksum ^= 1;
	rte_pktmbuf_mtod_offset(m[3], struct rte_ipv4_hdr *, 14)->version_ihl = 0x65;
	rte_pktmbuf_mtod_offset(m[4], struct rte_ipv4_hdr *, 14)->total_length = rte_cpu_to_be_16(64 - 14 + 1);
	harness_inject(gen, m, RTE_DIM(p));
	rt = harness_rt(gen, "rt");
	check(rt->counters[1] == 1 && rt->counters[0] == 1 && rt->counters[2] == 5 && rt->counters[3] == 2 &&
	      rt->drops == 9 && n_captured[0] == 1 && ip_of(captured[0][0])->time_to_live == 1,
	      "router_drops_and_counts_by_reason", "ttl_expired=%lu no_route=%lu bad_header=%lu not_ip=%lu drops=%lu lan=%u",
	      rt->counters[1], rt->counters[0], rt->counters[2], rt->counters[3], rt->drops, n_captured[0]);
	check(rt->rows[0] == 1, "router_route_hits_only_after_header_checks", "rows[0]=%lu", rt->rows[0]);
	harness_finish(gen, "router_drops");
}

static void test_default_route(void)
{
	const struct pkt_spec p[] = { udp_to(IP4(8, 8, 8, 8), 64), udp_to(IP4(198, 18, 3, 3), 64) };
	struct mbox_generation *gen = harness_build("router_default", 2,
		ROUTER(IFACES NEXT_HOPS "routes = ( { prefix = \"0.0.0.0/0\"; next_hop = \"gw\"; }, { prefix = \"198.18.0.0/15\"; next_hop = \"h1\"; } );"),
		LINKS);
	const struct mbox_elem_rt *rt;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	rt = harness_rt(gen, "rt");
	check(n_captured[1] == 1 && n_captured[0] == 1 && rt->rows[0] == 1 && rt->rows[1] == 1,
	      "router_default_route", "wan=%u lan=%u", n_captured[1], n_captured[0]);
	harness_finish(gen, "router_default");
}

static void test_arp_reply(void)
{
	struct mbox_generation *gen = build_router("router_arp_reply");
	const struct mbox_elem_rt *rt;
	const struct rte_arp_hdr *arp;

	if (!gen)
		return;
	inject_one(gen, arp_pkt(RTE_ARP_OP_REQUEST, "02:00:00:00:02:33", IP4(10, 0, 2, 51), IP4(10, 0, 2, 1)));
	inject_one(gen, arp_pkt(RTE_ARP_OP_REQUEST, "02:00:00:00:02:33", IP4(10, 0, 2, 51), IP4(10, 0, 2, 2)));
	rt = harness_rt(gen, "rt");
	check(n_captured[1] == 1 && n_captured[0] == 0 && rt->counters[5] == 1 && rt->counters[3] == 1 && rt->drops == 1,
	      "router_answers_arp_for_its_address_only", "wan=%u lan=%u arp_replies=%lu not_ip=%lu",
	      n_captured[1], n_captured[0], rt->counters[5], rt->counters[3]);
	arp = n_captured[1] ? arp_of(captured[1][0]) : NULL;
	check(arp && arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY) &&
	      mac_is(&eth_of(captured[1][0])->dst_addr, "02:00:00:00:02:33") &&
	      mac_is(&eth_of(captured[1][0])->src_addr, WAN_MAC) &&
	      eth_of(captured[1][0])->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) &&
	      arp->arp_data.arp_sip == rte_cpu_to_be_32(IP4(10, 0, 2, 1)) &&
	      arp->arp_data.arp_tip == rte_cpu_to_be_32(IP4(10, 0, 2, 51)) &&
	      !memcmp(&arp->arp_data.arp_sha, &eth_of(captured[1][0])->src_addr, 6) &&
	      !memcmp(&arp->arp_data.arp_tha, &eth_of(captured[1][0])->dst_addr, 6),
	      "router_arp_reply_fields", "wrong reply");
	harness_finish(gen, "router_arp_reply");
}

static void test_arp_resolution(void)
{
	struct mbox_generation *gen = build_router("router_resolve");
	const struct mbox_elem_rt *rt;
	const struct rte_arp_hdr *arp;
	struct rte_ether_addr none = { { 0 } };

	if (!gen)
		return;
	inject_one(gen, udp_pkt(IP4(203, 0, 113, 5), 64));
	inject_one(gen, udp_pkt(IP4(203, 0, 113, 6), 64));
	rt = harness_rt(gen, "rt");
	check(rt->counters[4] == 2 && rt->counters[6] == 1 && n_captured[1] == 1 && n_captured[0] == 0 && rt->out[1] == 1,
	      "router_unresolved_next_hop_sends_one_arp_request", "unresolved=%lu arp_requests=%lu wan=%u",
	      rt->counters[4], rt->counters[6], n_captured[1]);
	if (n_captured[1] == 1) {
		arp = arp_of(captured[1][0]);
		check(arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
		      rte_is_broadcast_ether_addr(&eth_of(captured[1][0])->dst_addr) &&
		      mac_is(&eth_of(captured[1][0])->src_addr, WAN_MAC) && !memcmp(&arp->arp_data.arp_tha, &none, 6) &&
		      arp->arp_data.arp_sip == rte_cpu_to_be_32(IP4(10, 0, 2, 1)) &&
		      arp->arp_data.arp_tip == rte_cpu_to_be_32(IP4(10, 0, 2, 99)) &&
		      rte_pktmbuf_pkt_len(captured[1][0]) == 60,
		      "router_arp_request_fields", "wrong request");
	}
	harness_reset_capture();
	/* Unanswered, the request is repeated once arp_interval_ms (1000) has passed, not a cycle sooner. */
	harness_clock_advance(rte_get_tsc_hz() - 1);
	inject_one(gen, udp_pkt(IP4(203, 0, 113, 5), 64));
	check(rt->counters[6] == 1 && n_captured[1] == 0, "router_no_arp_request_within_interval",
	      "arp_requests=%lu wan=%u", rt->counters[6], n_captured[1]);
	harness_clock_advance(1);
	inject_one(gen, udp_pkt(IP4(203, 0, 113, 5), 64));
	check(rt->counters[6] == 2 && n_captured[1] == 1, "router_arp_request_repeated_after_interval",
	      "arp_requests=%lu wan=%u", rt->counters[6], n_captured[1]);
	harness_reset_capture();
	/* The reply, then one control tick publishes the MAC. */
	inject_one(gen, arp_pkt(RTE_ARP_OP_REPLY, DYN_MAC, IP4(10, 0, 2, 99), IP4(10, 0, 2, 1)));
	check(rt->counters[7] == 1 && n_captured[0] + n_captured[1] == 0, "router_arp_reply_is_learned",
	      "arp_learned=%lu", rt->counters[7]);
	inject_one(gen, udp_pkt(IP4(203, 0, 113, 5), 64));
	check(rt->counters[4] == 5 && n_captured[1] == 0, "router_mac_published_only_by_control",
	      "unresolved=%lu wan=%u", rt->counters[4], n_captured[1]);
	mbox_generation_control(gen);
	inject_one(gen, udp_pkt(IP4(203, 0, 113, 5), 64));
	check(n_captured[1] == 1 && mac_is(&eth_of(captured[1][0])->dst_addr, DYN_MAC) &&
	      mac_is(&eth_of(captured[1][0])->src_addr, WAN_MAC) && ip_of(captured[1][0])->time_to_live == 63,
	      "router_forwards_with_learned_mac", "wan=%u", n_captured[1]);
	/* The same news again is not queued; a request for us is still answered. */
	inject_one(gen, arp_pkt(RTE_ARP_OP_REQUEST, DYN_MAC, IP4(10, 0, 2, 99), IP4(10, 0, 2, 1)));
	check(rt->counters[7] == 1 && rt->counters[5] == 1 && n_captured[1] == 2, "router_known_mac_not_relearned",
	      "arp_learned=%lu arp_replies=%lu", rt->counters[7], rt->counters[5]);
	/* Static MACs are never replaced. */
	inject_one(gen, arp_pkt(RTE_ARP_OP_REPLY, "02:00:00:00:66:66", IP4(10, 0, 2, 254), IP4(10, 0, 2, 1)));
	check(rt->counters[7] == 1 && rt->counters[3] == 1, "router_static_mac_kept", "arp_learned=%lu not_ip=%lu",
	      rt->counters[7], rt->counters[3]);
	harness_finish(gen, "router_resolve");
}

/* An interface without `mac` uses its port's: port 0 is a net_null here. */
static void test_port_mac(void)
{
	struct mbox_generation *gen;
	struct rte_ether_addr port_mac;

	if (rte_eal_hotplug_add("vdev", "net_null0", "") < 0 || rte_eth_macaddr_get(0, &port_mac) < 0) {
		check(0, "router_port_mac_setup", "cannot create net_null0");
		return;
	}
	gen = harness_build("router_port_mac", 2,
		ROUTER("interfaces = ( { name = \"lan\"; port = \"p0\"; address = \"10.0.1.1\"; prefix_len = 24; },"
		       " { name = \"wan\"; port = \"p0\"; address = \"10.0.2.1\"; prefix_len = 24; mac = \"" WAN_MAC "\"; } );"
		       NEXT_HOPS ROUTES), LINKS);
	if (!gen)
		return;
	inject_one(gen, udp_pkt(IP4(198, 18, 0, 1), 64));
	check(n_captured[0] == 1 && rte_is_same_ether_addr(&eth_of(captured[0][0])->src_addr, &port_mac),
	      "router_default_interface_mac_is_the_ports", "lan=%u", n_captured[0]);
	harness_finish(gen, "router_port_mac");
	rte_eal_hotplug_remove("vdev", "net_null0");
}

static void test_setup_errors(void)
{
	static const struct {
		const char *test, *body, *expect;
	} cases[] = {
		{ "router_rejects_unknown_next_hop", IFACES NEXT_HOPS "routes = ( { prefix = \"1.0.0.0/8\"; next_hop = \"nope\"; } );",
		  "routes[0]: unknown next hop 'nope'" },
		{ "router_rejects_unknown_interface", IFACES "next_hops = ( { name = \"a\"; address = \"10.0.1.5\"; interface = \"dmz\"; } ); routes = ();",
		  "next_hops[0]: unknown interface 'dmz'" },
		{ "router_rejects_next_hop_on_other_interface", IFACES "next_hops = ( { name = \"a\"; address = \"10.0.1.5\"; interface = \"wan\"; } ); routes = ();",
		  "address 10.0.1.5 is not on the subnet of interface 'wan'" },
		{ "router_rejects_next_hop_off_subnet", IFACES "next_hops = ( { name = \"a\"; address = \"10.9.9.9\"; } ); routes = ();",
		  "address 10.9.9.9 is on no interface's subnet" },
		{ "router_rejects_own_address_as_next_hop", IFACES "next_hops = ( { name = \"a\"; address = \"10.0.2.1\"; } ); routes = ();",
		  "10.0.2.1 is the address of interface 'wan'" },
		{ "router_rejects_duplicate_next_hop_names", IFACES "next_hops = ( { name = \"a\"; address = \"10.0.1.5\"; }, { name = \"a\"; address = \"10.0.1.6\"; } ); routes = ();",
		  "next_hops[1]: name 'a' is already used by next_hops[0]" },
		{ "router_rejects_duplicate_interface_names",
		  "interfaces = ( { name = \"x\"; port = \"p0\"; address = \"10.0.1.1\"; prefix_len = 24; mac = \"" LAN_MAC "\"; },"
		  " { name = \"x\"; port = \"p0\"; address = \"10.0.2.1\"; prefix_len = 24; } ); next_hops = (); routes = ();",
		  "interfaces[1]: name 'x' is already used by interfaces[0]" },
		{ "router_rejects_overlapping_subnets",
		  "interfaces = ( { name = \"a\"; port = \"p0\"; address = \"10.0.1.1\"; prefix_len = 24; },"
		  " { name = \"b\"; port = \"p0\"; address = \"10.0.0.1\"; prefix_len = 16; } ); next_hops = (); routes = ();",
		  "subnet of 'b' overlaps interface 'a'" },
		{ "router_rejects_duplicate_prefixes", IFACES NEXT_HOPS
		  "routes = ( { prefix = \"1.0.0.0/8\"; next_hop = \"h1\"; }, { prefix = \"2.0.0.0/8\"; next_hop = \"h1\"; }, { prefix = \"1.0.0.0/8\"; next_hop = \"gw\"; } );",
		  "routes[2]: prefix 1.0.0.0/8 is already routed by routes[0]" },
		{ "router_rejects_multicast_next_hop_mac", IFACES "next_hops = ( { name = \"a\"; address = \"10.0.1.5\"; mac = \"01:00:5e:00:00:01\"; } ); routes = ();",
		  "next_hops[0]: mac is not a unicast address" },
		{ "router_rejects_malformed_interface_name",
		  "interfaces = ( { name = \"a]\"; port = \"p0\"; address = \"10.0.1.1\"; prefix_len = 24; } ); next_hops = (); routes = ();",
		  "name 'a]' is malformed" },
	};
	char elements[2048];

	for (unsigned i = 0; i < RTE_DIM(cases); i++) {
		snprintf(elements, sizeof(elements), ROUTER("%s"), cases[i].body);
		harness_expect_error(cases[i].test, elements, "\"src -> rt\"", cases[i].expect);
	}
}

/* A table as large as a benchmark's: 8192 /24s and 1808 /32s. */
static void test_10k_routes(void)
{
	size_t size = 10000 * 80 + 4096, len;
	char *text = malloc(size);
	struct pkt_spec p[4];
	struct mbox_generation *gen;
	const struct mbox_elem_rt *rt;

	len = (size_t)snprintf(text, size, "{ name = \"rt\"; kind = \"router\"; " IFACES NEXT_HOPS "routes = (");
	for (unsigned i = 0; i < 10000; i++) {
		char prefix[24];

		if (i < 8192)
			snprintf(prefix, sizeof(prefix), "100.%u.%u.0/24", i >> 8, i & 255);
		else
			snprintf(prefix, sizeof(prefix), "101.0.%u.%u", (i - 8192) >> 8, (i - 8192) & 255);
		len += (size_t)snprintf(text + len, size - len, "%s{ prefix = \"%s\"; next_hop = \"%s\"; }\n",
					i ? ", " : "", prefix, i % 2 ? "gw" : "h1");
	}
	snprintf(text + len, size - len, "); }");
	gen = harness_build("router_10k", 2, text, LINKS);
	free(text);
	if (!gen)
		return;
	p[0] = udp_to(IP4(100, 0, 0, 9), 64);    /* routes[0] -> h1 */
	p[1] = udp_to(IP4(100, 31, 255, 9), 64); /* routes[8191] -> gw */
	p[2] = udp_to(IP4(101, 0, 7, 15), 64);   /* routes[8192 + 1807] -> gw */
	p[3] = udp_to(IP4(101, 0, 7, 16), 64);   /* beyond the /32s */
	harness_inject_specs(gen, p, RTE_DIM(p));
	rt = harness_rt(gen, "rt");
	check(n_captured[0] == 1 && n_captured[1] == 2 && rt->counters[0] == 1 && rt->rows[0] == 1 &&
	      rt->rows[8191] == 1 && rt->rows[9999] == 1, "router_10k_routes",
	      "lan=%u wan=%u no_route=%lu rows %lu %lu %lu", n_captured[0], n_captured[1], rt->counters[0],
	      rt->rows[0], rt->rows[8191], rt->rows[9999]);
	harness_finish(gen, "router_10k");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_longest_prefix();
	test_checksum_update();
	test_drops();
	test_default_route();
	test_arp_reply();
	test_arp_resolution();
	test_port_mac();
	test_setup_errors();
	test_10k_routes();
	return harness_done();
}
