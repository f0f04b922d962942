/* acl: crafted packets through the real graph builder (see harness.h);
 * outputs, per-rule hit counters, malformed packets and setup() errors. */
#include <stdlib.h>
#include <string.h>

#include <rte_udp.h>

#include "harness.h"

enum { PERMITTED, DENIED, NON_IP, FRAGMENTS, TRUNCATED, BAD_HEADER, ARP, IPV6, UNPARSED };

#define UDP_TO(dst_, dport_) \
	{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .sport = 40000, .dport = (dport_), .dst_ip = (dst_), .len = 64 }

static const char firewall[] =
	"{ name = \"fw\"; kind = \"acl\"; rules = (\n"
	"  { name = \"web\"; dst = \"10.1.0.0/16\"; proto = 6; dst_port = \"443\"; action = \"permit\"; },\n"
	"  { name = \"dns\"; proto = 17; dst_port = \"53\"; action = \"permit\"; },\n"
	"  { name = \"bad_host\"; src = \"10.9.9.9\"; priority = 10; action = \"deny\"; },\n"
	"  { name = \"icmp\"; proto = 1; action = \"out2\"; },\n"
	"  { name = \"rtp\"; proto = 17; src_port = \"1024-65535\"; dst_port = \"5000-5999\"; action = \"permit\"; },\n"
	"  { name = \"dns_late\"; proto = 17; dst_port = \"53\"; action = \"deny\"; } ); }";

/* Ethernet + IPv4 with one 4-byte option (IHL 6) + UDP ports; the option
 * bytes would read as port 257 if the IHL were ignored. */
static struct rte_mbuf *udp_with_ip_option(uint16_t dport)
{
	uint8_t f[64] = { 0 };
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + sizeof(struct rte_ether_hdr));
	uint8_t *l4 = f + sizeof(struct rte_ether_hdr) + 24;

	f[12] = 0x08;
	ip->version_ihl = 0x46;
	ip->next_proto_id = 17;
	ip->total_length = rte_cpu_to_be_16(24 + 8);
	ip->src_addr = rte_cpu_to_be_32(IP4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(IP4(10, 0, 0, 2));
	memset(ip + 1, 1, 4); /* four NOP options */
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	return harness_raw(f, sizeof(f));
}

static void test_firewall(void)
{
	const struct pkt_spec p[] = {
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 6, .dport = 443, .dst_ip = IP4(10, 1, 2, 3), .len = 64 }, /* web */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 6, .dport = 443, .dst_ip = IP4(10, 2, 0, 1), .len = 64 }, /* default */
		UDP_TO(IP4(8, 8, 8, 8), 53),                                                                          /* dns */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53, .src_ip = IP4(10, 9, 9, 9), .len = 64 }, /* bad_host */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 1, .len = 64 },                                           /* icmp */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .sport = 2000, .dport = 5500, .len = 64 },            /* rtp */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .sport = 80, .dport = 5500, .len = 64 },              /* default */
		{ .ethertype = RTE_ETHER_TYPE_ARP, .len = 60 },                                                        /* arp: deny */
		{ .vlan = 5, .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 6, .dport = 443, .dst_ip = IP4(10, 1, 0, 9), .len = 64 }, /* web */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53, .len = 14 + 20 + 2 },                    /* truncated */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53, .len = 14 + 10 },                        /* truncated */
		{ .len = 8 },                                                                                          /* truncated */
	};
	struct mbox_generation *gen = harness_build("acl_firewall", 2, firewall,
						    "\"src -> fw[permit] -> s0\", \"fw[out2] -> s1\"");
	struct rte_mbuf *extra[3];
	const struct mbox_elem_rt *fw;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	extra[0] = udp_with_ip_option(53);                   /* dns, ports after the option */
	extra[1] = harness_pkt(&(struct pkt_spec)UDP_TO(0, 53));
	rte_pktmbuf_mtod_offset(extra[1], struct rte_ipv4_hdr *, 14)->version_ihl = 0x65; /* bad_header */
	extra[2] = harness_pkt(&(struct pkt_spec)UDP_TO(0, 53));
	rte_pktmbuf_mtod_offset(extra[2], struct rte_ipv4_hdr *, 14)->version_ihl = 0x44; /* IHL < 5 */
	harness_inject(gen, extra, RTE_DIM(extra));
	fw = harness_rt(gen, "fw");
	check(n_captured[0] == 5 && n_captured[1] == 1 && fw->out[0] == 5 && fw->out[1] == 1,
	      "acl_permits_by_prefix_proto_ports", "permit=%u out2=%u", n_captured[0], n_captured[1]);
	check(n_captured[0] == 5 && rte_pktmbuf_pkt_len(captured[0][3]) == 64 &&
	      rte_pktmbuf_mtod(captured[0][3], struct rte_ether_hdr *)->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN),
	      "acl_looks_through_vlan_tag", "tagged web packet not permitted in order");
	check(fw->rows[0] == 2 && fw->rows[1] == 2 && fw->rows[2] == 1 && fw->rows[3] == 1 &&
	      fw->rows[4] == 1 && fw->rows[5] == 0, "acl_counts_hits_per_rule",
	      "rows=%lu,%lu,%lu,%lu,%lu,%lu", fw->rows[0], fw->rows[1], fw->rows[2], fw->rows[3],
	      fw->rows[4], fw->rows[5]);
	check(fw->rows[2] == 1 && fw->rows[5] == 0, "acl_priority_then_order",
	      "bad_host (priority 10) must beat dns, dns must beat the later dns_late");
	check(fw->counters[PERMITTED] == 6 && fw->counters[DENIED] == 4 && fw->counters[ARP] == 1 &&
	      fw->counters[NON_IP] == 0, "acl_counts_permitted_denied", "permitted=%lu denied=%lu arp=%lu non_ip=%lu",
	      fw->counters[PERMITTED], fw->counters[DENIED], fw->counters[ARP], fw->counters[NON_IP]);
	check(fw->counters[TRUNCATED] == 3 && fw->counters[BAD_HEADER] == 2 && fw->drops == 9,
	      "acl_drops_truncated_and_bad_headers", "truncated=%lu bad_header=%lu drops=%lu",
	      fw->counters[TRUNCATED], fw->counters[BAD_HEADER], fw->drops);
	check(fw->rows[1] == 2 && rte_pktmbuf_pkt_len(captured[0][4]) == 64 &&
	      rte_pktmbuf_mtod_offset(captured[0][4], struct rte_ipv4_hdr *, 14)->version_ihl == 0x46,
	      "acl_skips_ip_options", "DNS with an IP option did not match dns");
	harness_finish(gen, "acl_firewall");
}

/* A non-first fragment has no ports: it must not match a port rule, not
 * even dst_port 0; the first fragment (offset 0, MF) has its ports. */
static void test_fragments(void)
{
	const struct pkt_spec p[] = {
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53, .frag_off = 100, .len = 64 },
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53, .frag_off = RTE_IPV4_HDR_MF_FLAG, .len = 64 },
	};
	struct mbox_generation *gen = harness_build("acl_fragments", 2,
		"{ name = \"fw\"; kind = \"acl\"; rules = (\n"
		"  { proto = 17; dst_port = \"0\"; action = \"deny\"; },\n"
		"  { proto = 17; dst_port = \"53\"; action = \"out1\"; },\n"
		"  { proto = 17; action = \"permit\"; } ); }",
		"\"src -> fw[permit] -> s0\", \"fw[out1] -> s1\"");
	const struct mbox_elem_rt *fw;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	fw = harness_rt(gen, "fw");
	check(n_captured[0] == 1 && n_captured[1] == 1 && fw->rows[0] == 0 && fw->rows[1] == 1 && fw->rows[2] == 1,
	      "acl_fragment_matches_no_port_rule", "permit=%u out1=%u rows=%lu,%lu,%lu",
	      n_captured[0], n_captured[1], fw->rows[0], fw->rows[1], fw->rows[2]);
	check(fw->counters[FRAGMENTS] == 1, "acl_counts_fragments", "fragments=%lu", fw->counters[FRAGMENTS]);
	harness_finish(gen, "acl_fragments");
}

static void test_default_permit(void)
{
	const struct pkt_spec p[] = {
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 6, .src_ip = IP4(10, 0, 0, 1), .len = 64 },
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 6, .src_ip = IP4(192, 168, 1, 1), .len = 64 },
		{ .ethertype = RTE_ETHER_TYPE_ARP, .len = 60 },
	};
	struct mbox_generation *gen = harness_build("acl_default_permit", 1,
		"{ name = \"fw\"; kind = \"acl\"; default_action = \"permit\"; non_ip = \"permit\";\n"
		"  rules = ( { src = \"10.0.0.0/8\"; action = \"deny\"; } ); }",
		"\"src -> fw -> s0\"");
	const struct mbox_elem_rt *fw;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	fw = harness_rt(gen, "fw");
	check(n_captured[0] == 2 && fw->drops == 1 && fw->rows[0] == 1 && fw->counters[ARP] == 1,
	      "acl_default_and_non_ip_permit", "permit=%u drops=%lu arp=%lu", n_captured[0], fw->drops,
	      fw->counters[ARP]);
	harness_finish(gen, "acl_default_permit");
}

/* m with a tag (TPID, VID 100) in front of the tags it has. */
static struct rte_mbuf *push_tag(struct rte_mbuf *m, uint16_t tpid)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, 4);

	if (!p)
		return m; /* no headroom: the frame's class, and so the test, fails */
	memmove(p, p + 4, 12);
	p[12] = (uint8_t)(tpid >> 8);
	p[13] = (uint8_t)tpid;
	p[14] = 0;
	p[15] = 100;
	return m;
}

/* m with an 802.1ad tag (VID 100) in front of the tags it has. */
static struct rte_mbuf *outer_tag(struct rte_mbuf *m)
{
	return push_tag(m, RTE_ETHER_TYPE_QINQ);
}

/* Ethernet + IPv6 (next header UDP) + UDP to `dport`, optionally behind an
 * 802.1Q tag: what an IPv4-only rule set must not judge, and must not let
 * through because it cannot. */
static struct rte_mbuf *ipv6_udp(uint16_t vlan, uint16_t dport)
{
	uint8_t f[14 + 40 + 8 + 8] = { 0 };
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f + 14);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	struct rte_mbuf *m;

	memcpy(f, "\x02\0\0\0\0\x0a\x02\0\0\0\0\x0b\x86\xdd", 14);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = RTE_BE16(16);
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = 64;
	ip->src_addr[0] = ip->dst_addr[0] = 0x20; /* 2001:db8::1 -> 2001:db8::2 */
	ip->src_addr[1] = ip->dst_addr[1] = 0x01;
	ip->src_addr[2] = ip->dst_addr[2] = 0x0d;
	ip->src_addr[3] = ip->dst_addr[3] = 0xb8;
	ip->src_addr[15] = 1;
	ip->dst_addr[15] = 2;
	udp->src_port = RTE_BE16(40000);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = RTE_BE16(16);
	m = harness_raw(f, sizeof(f));
	return vlan ? push_tag(m, RTE_ETHER_TYPE_VLAN) : m;
}

/* pkt_parse's meaning: the rules see IPv4 behind two tags (QinQ), so
 * non_ip = permit lets no tagged traffic around them; a third tag is
 * beyond the bound: unparsed, denied by default even then. */
static void test_qinq(void)
{
	const struct pkt_spec dns = { .vlan = 5, .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53,
				      .len = 64 };
	struct rte_mbuf *m[3];
	struct mbox_generation *gen = harness_build("acl_qinq", 1,
		"{ name = \"fw\"; kind = \"acl\"; default_action = \"permit\"; non_ip = \"permit\";\n"
		"  rules = ( { proto = 17; dst_port = \"53\"; action = \"deny\"; } ); }",
		"\"src -> fw -> s0\"");
	const struct mbox_elem_rt *fw;

	if (!gen)
		return;
	m[0] = harness_pkt(&dns);
	m[1] = outer_tag(harness_pkt(&dns));
	m[2] = outer_tag(outer_tag(harness_pkt(&dns)));
	harness_inject(gen, m, RTE_DIM(m));
	fw = harness_rt(gen, "fw");
	check(fw->rows[0] == 2 && fw->drops == 3 && n_captured[0] == 0 && fw->counters[UNPARSED] == 1 &&
	      fw->counters[NON_IP] == 0, "acl_qinq_rules_apply", "rows=%lu drops=%lu permit=%u unparsed=%lu non_ip=%lu",
	      fw->rows[0], fw->drops, n_captured[0], fw->counters[UNPARSED], fw->counters[NON_IP]);
	harness_finish(gen, "acl_qinq");
}

/* The hole of issue 20: with ARP permitted, nothing an IPv4 rule set
 * cannot judge crosses (IPv6, IP behind a third tag or an encapsulation,
 * other ethertypes), and QinQ IPv4 meets the rules. */
static void test_frame_classes(void)
{
	const struct pkt_spec arp = { .ethertype = RTE_ETHER_TYPE_ARP, .len = 60 };
	const struct pkt_spec arp5 = { .vlan = 5, .ethertype = RTE_ETHER_TYPE_ARP, .len = 60 };
	const struct pkt_spec dns5 = { .vlan = 5, .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53, .len = 64 };
	const struct pkt_spec web5 = { .vlan = 5, .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 80, .len = 64 };
	const struct pkt_spec dns = { .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53, .len = 64 };
	struct rte_mbuf *m[14];
	struct mbox_generation *gen = harness_build("acl_frame_classes", 1,
		"{ name = \"fw\"; kind = \"acl\"; default_action = \"permit\"; arp = \"permit\";\n"
		"  rules = ( { proto = 17; dst_port = \"53\"; action = \"deny\"; } ); }",
		"\"src -> fw -> s0\"");
	const struct mbox_elem_rt *fw;
	bool order = true;

	if (!gen)
		return;
	m[0] = harness_pkt(&arp);                                                        /* arp */
	m[1] = harness_pkt(&arp5);                                                       /* arp */
	m[2] = outer_tag(harness_pkt(&arp5));                                            /* arp */
	m[3] = ipv6_udp(0, 53);                                                          /* ipv6 */
	m[4] = ipv6_udp(5, 80);                                                          /* ipv6 */
	m[5] = outer_tag(ipv6_udp(5, 80));                                               /* ipv6 */
	m[6] = outer_tag(outer_tag(harness_pkt(&web5)));                                 /* unparsed */
	m[7] = push_tag(harness_pkt(&web5), RTE_ETHER_TYPE_QINQ1);                       /* unparsed */
	m[8] = push_tag(harness_pkt(&dns), RTE_ETHER_TYPE_MPLS);                         /* unparsed */
	m[9] = harness_pkt(&(struct pkt_spec){ .ethertype = RTE_ETHER_TYPE_PPPOE_SESSION, .len = 60 }); /* unparsed */
	m[10] = harness_pkt(&(struct pkt_spec){ .ethertype = RTE_ETHER_TYPE_LLDP, .len = 60 }); /* non_ip */
	m[11] = outer_tag(harness_pkt(&dns5));                                           /* rule: deny */
	m[12] = outer_tag(harness_pkt(&web5));                                           /* default: permit */
	m[13] = harness_pkt(&(struct pkt_spec){ .ethertype = RTE_ETHER_TYPE_IPV6, .len = 20 }); /* ipv6 (cut) */
	harness_inject(gen, m, RTE_DIM(m));
	fw = harness_rt(gen, "fw");
	/* By their lengths: ARP 60, tagged ARP 60, QinQ ARP 64, QinQ UDP 68. */
	for (unsigned i = 0; i < 4 && n_captured[0] == 4; i++)
		order &= rte_pktmbuf_pkt_len(captured[0][i]) == (const unsigned[]){ 60, 60, 64, 68 }[i];
	check(n_captured[0] == 4 && order,
	      "acl_permits_arp_alone", "permit=%u (expected the 3 ARP frames, then QinQ UDP/80)", n_captured[0]);
	check(fw->counters[ARP] == 3 && fw->counters[IPV6] == 4 && fw->counters[UNPARSED] == 4 &&
	      fw->counters[NON_IP] == 1 && fw->rows[0] == 1, "acl_counts_frame_classes",
	      "arp=%lu ipv6=%lu unparsed=%lu non_ip=%lu rows=%lu", fw->counters[ARP], fw->counters[IPV6],
	      fw->counters[UNPARSED], fw->counters[NON_IP], fw->rows[0]);
	check(fw->counters[PERMITTED] == 4 && fw->counters[DENIED] == 10 && fw->drops == 10 &&
	      fw->counters[TRUNCATED] == 0, "acl_denies_ipv6_and_unparsed_by_default",
	      "permitted=%lu denied=%lu drops=%lu truncated=%lu", fw->counters[PERMITTED], fw->counters[DENIED],
	      fw->drops, fw->counters[TRUNCATED]);
	harness_finish(gen, "acl_frame_classes");
}

/* Each class takes its own action, extra outputs included; arp absent
 * follows non_ip (so an old non_ip = "permit" keeps ARP working), while
 * IPv6 and unparsed frames keep their own default, deny. */
static void test_class_actions(void)
{
	const struct pkt_spec arp = { .ethertype = RTE_ETHER_TYPE_ARP, .len = 60 };
	const struct pkt_spec lldp = { .ethertype = RTE_ETHER_TYPE_LLDP, .len = 60 };
	const struct pkt_spec mpls = { .ethertype = RTE_ETHER_TYPE_MPLS, .len = 60 };
	const struct pkt_spec udp = IPV4(17, 1, 2, 60);
	struct rte_mbuf *m[5];
	struct mbox_generation *gen = harness_build("acl_class_actions", 5,
		"{ name = \"fw\"; kind = \"acl\"; rules = (); default_action = \"permit\";\n"
		"  arp = \"out1\"; ipv6 = \"out2\"; unparsed = \"out3\"; non_ip = \"out4\"; }",
		"\"src -> fw[permit] -> s0\", \"fw[out1] -> s1\", \"fw[out2] -> s2\", \"fw[out3] -> s3\", "
		"\"fw[out4] -> s4\"");
	const struct mbox_elem_rt *fw;

	if (gen) {
		m[0] = harness_pkt(&udp);
		m[1] = harness_pkt(&arp);
		m[2] = ipv6_udp(0, 53);
		m[3] = harness_pkt(&mpls);
		m[4] = harness_pkt(&lldp);
		harness_inject(gen, m, RTE_DIM(m));
		fw = harness_rt(gen, "fw");
		check(n_captured[0] == 1 && n_captured[1] == 1 && n_captured[2] == 1 && n_captured[3] == 1 &&
		      n_captured[4] == 1 && fw->counters[PERMITTED] == 5 && fw->drops == 0,
		      "acl_class_extra_outputs", "permit=%u out1=%u out2=%u out3=%u out4=%u", n_captured[0],
		      n_captured[1], n_captured[2], n_captured[3], n_captured[4]);
		harness_finish(gen, "acl_class_actions");
	}
	gen = harness_build("acl_old_non_ip_permit", 1,
		"{ name = \"fw\"; kind = \"acl\"; rules = (); default_action = \"permit\"; non_ip = \"permit\"; }",
		"\"src -> fw -> s0\"");
	if (!gen)
		return;
	m[0] = harness_pkt(&udp);
	m[1] = harness_pkt(&arp);
	m[2] = ipv6_udp(0, 53);
	m[3] = harness_pkt(&mpls);
	m[4] = harness_pkt(&lldp);
	harness_inject(gen, m, RTE_DIM(m));
	fw = harness_rt(gen, "fw");
	check(n_captured[0] == 3 && fw->drops == 2 && fw->counters[IPV6] == 1 && fw->counters[UNPARSED] == 1 &&
	      fw->counters[ARP] == 1 && fw->counters[NON_IP] == 1, "acl_old_non_ip_permit_closes_the_hole",
	      "permit=%u drops=%lu (expected IPv4, ARP and LLDP through, IPv6 and MPLS dropped)", n_captured[0],
	      fw->drops);
	harness_finish(gen, "acl_old_non_ip_permit");
}

/* --check names each setting that lets unfiltered traffic through, at the
 * line of the field (with one sink, the elements start on line 5). */
static void test_open_warnings(void)
{
	static const char links[] = "\"src -> fw -> s0\"";

	harness_expect_warning("acl_warns_ipv6_permit", 1,
		"{ name = \"fw\"; kind = \"acl\"; rules = ();\n  ipv6 = \"permit\"; }", links,
		":6: warning: element 'fw': field 'ipv6' = \"permit\": every IPv6 packet crosses unfiltered");
	harness_expect_warning("acl_warns_unparsed_permit", 1,
		"{ name = \"fw\"; kind = \"acl\"; rules = ();\n\n  unparsed = \"permit\"; }", links,
		":7: warning: element 'fw': field 'unparsed' = \"permit\": IP inside a third VLAN tag, MPLS");
	harness_expect_warning("acl_warns_non_ip_permit", 1,
		"{ name = \"fw\"; kind = \"acl\"; rules = ();\n  non_ip = \"permit\"; }", links,
		":6: warning: element 'fw': field 'non_ip' = \"permit\": frames of any other ethertype cross unfiltered");
	harness_expect_warning("acl_no_warning_for_arp_permit", 2,
		"{ name = \"fw\"; kind = \"acl\"; rules = (); arp = \"permit\"; ipv6 = \"deny\"; unparsed = \"out1\"; }",
		"\"src -> fw[permit] -> s0\", \"fw[out1] -> s1\"", NULL);
	harness_expect_error("acl_error_bad_ipv6_action",
		"{ name = \"fw\"; kind = \"acl\"; rules = ();\n  ipv6 = \"allow\"; }", links,
		":13: error: element 'fw': field 'ipv6': \"allow\" is not valid, expected one of \"permit\", \"deny\"");
	harness_expect_error("acl_error_arp_output_unlinked",
		"{ name = \"fw\"; kind = \"acl\"; rules = (); arp = \"out2\"; }", links, "out2");
}

static void test_no_rules(void)
{
	const struct pkt_spec p[] = { IPV4(17, 1, 2, 60), IPV4(6, 1, 2, 60), { .ethertype = RTE_ETHER_TYPE_ARP, .len = 60 } };
	struct mbox_generation *gen = harness_build("acl_no_rules", 1,
		"{ name = \"fw\"; kind = \"acl\"; rules = (); default_action = \"permit\"; }", "\"src -> fw -> s0\"");
	const struct mbox_elem_rt *fw;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	fw = harness_rt(gen, "fw");
	check(n_captured[0] == 2 && fw->drops == 1, "acl_no_rules_takes_default",
	      "permit=%u drops=%lu (non_ip default deny)", n_captured[0], fw->drops);
	harness_finish(gen, "acl_no_rules");
}

/* 200 rules, rule i: UDP to 172.16.i.0/24 port 1000 + i, even i permit,
 * odd i deny; rule 199 a catch-all for 172.16.0.0/16 to out1. */
#define MANY 200
static void test_many_rules(void)
{
	size_t size = MANY * 128 + 256, len = 0;
	char *text = malloc(size);
	struct pkt_spec p[HARNESS_MAX_PKTS];
	unsigned n = 0, want_permit = 0, want_out1 = 0, want_drop = 0;
	struct mbox_generation *gen;
	const struct mbox_elem_rt *fw;
	bool rows_ok = true;

	len += (size_t)snprintf(text + len, size - len, "{ name = \"fw\"; kind = \"acl\"; rules = (");
	for (unsigned i = 0; i < MANY - 1; i++)
		len += (size_t)snprintf(text + len, size - len,
					"{ dst = \"172.16.%u.0/24\"; proto = 17; dst_port = \"%u\"; action = \"%s\"; },\n",
					i, 1000 + i, i % 2 ? "deny" : "permit");
	snprintf(text + len, size - len, "{ dst = \"172.16.0.0/16\"; action = \"out1\"; } ); }");
	gen = harness_build("acl_many_rules", 2, text, "\"src -> fw[permit] -> s0\", \"fw[out1] -> s1\"");
	free(text);
	if (!gen)
		return;
	for (unsigned i = 0; i < MANY - 1 && n + 2 <= HARNESS_MAX_PKTS; i += 7) {
		p[n++] = (struct pkt_spec)UDP_TO(IP4(172, 16, i, 5), (uint16_t)(1000 + i));
		p[n++] = (struct pkt_spec)UDP_TO(IP4(172, 16, i, 5), (uint16_t)(1001 + i)); /* catch-all */
		want_permit += i % 2 == 0;
		want_drop += i % 2;
		want_out1++;
	}
	harness_inject_specs(gen, p, n);
	fw = harness_rt(gen, "fw");
	for (unsigned i = 0; i < MANY - 1; i++)
		rows_ok &= fw->rows[i] == (i % 7 == 0 && i / 7 < n / 2 ? 1u : 0u);
	check(n_captured[0] == want_permit && n_captured[1] == want_out1 && fw->drops == want_drop,
	      "acl_many_rules_verdicts", "permit=%u/%u out1=%u/%u drops=%lu/%u", n_captured[0], want_permit,
	      n_captured[1], want_out1, fw->drops, want_drop);
	check(rows_ok && fw->rows[MANY - 1] == want_out1, "acl_many_rules_hits", "per-rule hits wrong");
	harness_finish(gen, "acl_many_rules");
}

static void test_errors(void)
{
	static const char many_head[] = "{ name = \"fw\"; kind = \"acl\"; rules = (";
	static const char item[] = "{ action = \"permit\"; },";
	size_t size = sizeof(many_head) + 4097 * sizeof(item) + 16;
	char *many = malloc(size);

	/* the harness puts the first line of the elements on line 12 */
	harness_expect_error("acl_error_port_needs_proto",
		"{ name = \"fw\"; kind = \"acl\"; rules = (\n  { action = \"permit\";\n    dst_port = \"80\"; } ); }",
		"\"src -> fw -> s0\"", ":14: error: element 'fw': rules[0]: field 'dst_port' needs proto = 6, 17 or 132");
	harness_expect_error("acl_error_port_on_icmp",
		"{ name = \"fw\"; kind = \"acl\"; rules = ( { proto = 1; src_port = \"1-2\"; action = \"deny\"; } ); }",
		"\"src -> fw -> s0\"", "rules[0]: field 'src_port' needs proto = 6, 17 or 132");
	harness_expect_error("acl_error_priority_range",
		"{ name = \"fw\"; kind = \"acl\"; rules = ( { priority = 70000; action = \"deny\"; } ); }",
		"\"src -> fw -> s0\"", "rules[0]: field 'priority': 70000 is out of range, expected an integer from 0 to 65535");
	harness_expect_error("acl_error_unknown_action",
		"{ name = \"fw\"; kind = \"acl\"; rules = ( { action = \"reject\"; } ); }",
		"\"src -> fw -> s0\"", "field 'action': \"reject\" is not valid, expected one of \"permit\", \"deny\", \"out1\"");
	harness_expect_error("acl_error_duplicate_name",
		"{ name = \"fw\"; kind = \"acl\"; rules = ( { name = \"a\"; action = \"deny\"; }, { name = \"a\"; action = \"permit\"; } ); }",
		"\"src -> fw -> s0\"", "rules[1]: field 'name': 'a' is also rules[0]'s name");
	strcpy(many, many_head);
	for (unsigned i = 0; i < 4097; i++)
		strcat(many, item);
	strcpy(many + strlen(many) - 1, " ); }");
	harness_expect_error("acl_error_too_many_rules", many, "\"src -> fw -> s0\"",
			     "field 'rules': 4097 items, expected 0 to 4096");
	free(many);
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_firewall();
	test_fragments();
	test_qinq();
	test_frame_classes();
	test_class_actions();
	test_open_warnings();
	test_default_permit();
	test_no_rules();
	test_many_rules();
	test_errors();
	return harness_done();
}
