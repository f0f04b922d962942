/* pkt_parse (elements/pkt.h): VLAN tags up to the bound, IPv4 header
 * checks, options, fragments, ports in a chained mbuf, non-IP ethertypes. */
#include <rte_udp.h>

#include "harness.h"
#include "../../elements/pkt.h"

#define ETHER_LEN 14u

/* Ethernet, the given tags (TPID, VID pairs), then `type`; for IPv4 a
 * header of `ihl` words (options zero) and a UDP header from ports 1000 to
 * 53, total length `total` (0: to the end of `len`). */
static unsigned frame(uint8_t *buf, const uint16_t *tags, unsigned n_tags, uint16_t type, uint8_t ihl,
		      uint16_t total, uint16_t frag, unsigned len)
{
	unsigned off = 12;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	memset(buf, 0, len);
	for (unsigned t = 0; t < n_tags; t++, off += 4) {
		buf[off] = (uint8_t)(tags[2 * t] >> 8);
		buf[off + 1] = (uint8_t)tags[2 * t];
		buf[off + 2] = (uint8_t)(tags[2 * t + 1] >> 8);
		buf[off + 3] = (uint8_t)tags[2 * t + 1];
	}
	buf[off] = (uint8_t)(type >> 8);
	buf[off + 1] = (uint8_t)type;
	off += 2;
	if (type != RTE_ETHER_TYPE_IPV4)
		return off;
	ip = (struct rte_ipv4_hdr *)(buf + off);
	ip->version_ihl = (uint8_t)(0x40 | ihl);
	ip->total_length = rte_cpu_to_be_16(total ? total : (uint16_t)(len - off));
	ip->fragment_offset = rte_cpu_to_be_16(frag);
	ip->next_proto_id = IPPROTO_UDP;
	udp = (struct rte_udp_hdr *)(buf + off + ihl * 4u);
	udp->src_port = rte_cpu_to_be_16(1000);
	udp->dst_port = rte_cpu_to_be_16(53);
	return off;
}

static struct pkt_info parse(const uint8_t *buf, unsigned len)
{
	struct rte_mbuf *m = harness_raw(buf, (uint16_t)len);
	struct pkt_info pi;

	pkt_parse(m, &pi);
	rte_pktmbuf_free(m);
	return pi;
}

static bool ports_are(const struct pkt_info *pi, uint16_t sport, uint16_t dport)
{
	return pi->ports && rte_be_to_cpu_16(pi->sport) == sport && rte_be_to_cpu_16(pi->dport) == dport;
}

static void test_tags(void)
{
	static const uint16_t one[] = { RTE_ETHER_TYPE_VLAN, 5 };
	static const uint16_t two[] = { RTE_ETHER_TYPE_QINQ, 100, RTE_ETHER_TYPE_VLAN, 5 };
	static const uint16_t three[] = { RTE_ETHER_TYPE_QINQ, 100, RTE_ETHER_TYPE_VLAN, 5, RTE_ETHER_TYPE_VLAN, 7 };
	uint8_t buf[128];
	struct pkt_info pi;

	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 0, 0, 64);
	pi = parse(buf, 64);
	check(pkt_is_ipv4(&pi) && pi.n_tags == 0 && pi.l3_off == ETHER_LEN && pi.l4_off == ETHER_LEN + 20 &&
	      pi.l4_proto == IPPROTO_UDP && pi.frag == PKT_FRAG_NONE && ports_are(&pi, 1000, 53) &&
	      pi.l4_len == 64 - ETHER_LEN - 20 && pi.l4_seg == pi.l4_len,
	      "pkt_untagged", "status=%u l3=%u l3_off=%u l4_off=%u", pi.status, pi.l3, pi.l3_off, pi.l4_off);

	frame(buf, one, 1, RTE_ETHER_TYPE_IPV4, 5, 0, 0, 64);
	pi = parse(buf, 64);
	check(pkt_is_ipv4(&pi) && pi.n_tags == 1 && pi.outer_tci == 5 && pi.l3_off == ETHER_LEN + 4 &&
	      ports_are(&pi, 1000, 53), "pkt_one_tag", "n_tags=%u l3_off=%u", pi.n_tags, pi.l3_off);

	frame(buf, two, 2, RTE_ETHER_TYPE_IPV4, 5, 0, 0, 64);
	pi = parse(buf, 64);
	check(pkt_is_ipv4(&pi) && pi.n_tags == 2 && pi.outer_tci == 100 && pi.l3_off == ETHER_LEN + 8 &&
	      pi.ethertype == RTE_ETHER_TYPE_IPV4 && ports_are(&pi, 1000, 53),
	      "pkt_two_tags_qinq", "n_tags=%u outer=%u l3_off=%u", pi.n_tags, pi.outer_tci, pi.l3_off);

	/* Beyond the bound the third TPID is the ethertype: not IP. */
	frame(buf, three, 3, RTE_ETHER_TYPE_IPV4, 5, 0, 0, 64);
	pi = parse(buf, 64);
	check(pi.status == PKT_OK && pi.l3 == PKT_L3_OTHER && pi.n_tags == PKT_MAX_TAGS &&
	      pi.ethertype == RTE_ETHER_TYPE_VLAN && pi.l3_off == ETHER_LEN + 8 && !pi.ports,
	      "pkt_three_tags_not_ip", "status=%u l3=%u n_tags=%u ethertype=%#x", pi.status, pi.l3, pi.n_tags,
	      pi.ethertype);

	pi = parse(buf, 8);
	check(pi.status == PKT_RUNT && pi.l3 == PKT_L3_NONE && pi.l3_off == 0, "pkt_runt_ethernet",
	      "status=%u l3_off=%u", pi.status, pi.l3_off);
	frame(buf, one, 1, RTE_ETHER_TYPE_IPV4, 5, 0, 0, 64);
	pi = parse(buf, ETHER_LEN + 2);
	check(pi.status == PKT_RUNT && pi.l3 == PKT_L3_NONE && pi.n_tags == 0 && pi.l3_off == ETHER_LEN &&
	      pi.ethertype == RTE_ETHER_TYPE_VLAN, "pkt_runt_in_tag", "status=%u n_tags=%u", pi.status, pi.n_tags);
}

static void test_ipv4_checks(void)
{
	uint8_t buf[128];
	struct pkt_info pi;

	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 4, 0, 0, 64);
	pi = parse(buf, 64);
	check(pi.l3 == PKT_L3_IPV4 && pi.status == PKT_BAD_HEADER && !pkt_is_ipv4(&pi), "pkt_ihl_below_5",
	      "status=%u", pi.status);

	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 0, 0, 64);
	buf[ETHER_LEN] = 0x65;
	pi = parse(buf, 64);
	check(pi.status == PKT_BAD_HEADER, "pkt_version_not_4", "status=%u", pi.status);

	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 19, 0, 64);
	pi = parse(buf, 64);
	check(pi.status == PKT_BAD_HEADER, "pkt_total_below_header", "status=%u", pi.status);

	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 64 - ETHER_LEN + 1, 0, 64);
	pi = parse(buf, 64);
	check(pi.status == PKT_TRUNCATED && !pkt_is_ipv4(&pi), "pkt_total_beyond_frame", "status=%u", pi.status);

	/* Ethernet padding after the datagram is allowed. */
	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 28, 0, 64);
	pi = parse(buf, 64);
	check(pkt_is_ipv4(&pi) && pi.l4_len == 8 && pi.l4_seg == 8 && ports_are(&pi, 1000, 53), "pkt_padding",
	      "status=%u l4_len=%u l4_seg=%u", pi.status, pi.l4_len, pi.l4_seg);

	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 0, 0, 64);
	pi = parse(buf, ETHER_LEN + 10);
	check(pi.status == PKT_TRUNCATED, "pkt_truncated_header", "status=%u", pi.status);
	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 6, 0, 0, 64);
	pi = parse(buf, ETHER_LEN + 22);
	check(pi.status == PKT_TRUNCATED, "pkt_truncated_options", "status=%u", pi.status);

	/* IHL 6: the ports follow the option, not the fixed header. */
	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 6, 0, 0, 64);
	buf[ETHER_LEN + 20] = 0x01;
	pi = parse(buf, 64);
	check(pkt_is_ipv4(&pi) && pi.l4_off == ETHER_LEN + 24 && ports_are(&pi, 1000, 53), "pkt_options",
	      "status=%u l4_off=%u", pi.status, pi.l4_off);

	/* Ports need four bytes of the datagram, not of the frame. */
	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 22, 0, 64);
	pi = parse(buf, 64);
	check(pkt_is_ipv4(&pi) && !pi.ports, "pkt_ports_within_datagram", "ports=%d", pi.ports);
}

static void test_fragments(void)
{
	uint8_t buf[128];
	struct pkt_info pi;
	struct rte_mbuf *m;

	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 0, RTE_IPV4_HDR_MF_FLAG, 64);
	pi = parse(buf, 64);
	check(pkt_is_ipv4(&pi) && pi.frag == PKT_FRAG_FIRST && ports_are(&pi, 1000, 53), "pkt_first_fragment",
	      "frag=%u ports=%d", pi.frag, pi.ports);

	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 0, 100, 64);
	pi = parse(buf, 64);
	check(pkt_is_ipv4(&pi) && pi.frag == PKT_FRAG_LATER && !pi.ports, "pkt_later_fragment", "frag=%u ports=%d",
	      pi.frag, pi.ports);

	/* A first fragment too short for its ports (RFC 1858). */
	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 22, RTE_IPV4_HDR_MF_FLAG, 64);
	pi = parse(buf, 64);
	check(pi.frag == PKT_FRAG_FIRST && !pi.ports, "pkt_tiny_first_fragment", "ports=%d", pi.ports);

	/* Rewriting elements get no L4 header of a fragment. */
	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 0, RTE_IPV4_HDR_MF_FLAG, 64);
	m = harness_raw(buf, 64);
	pkt_parse(m, &pi);
	check(pkt_l4_hdr(m, &pi, sizeof(struct rte_udp_hdr)) == NULL, "pkt_l4_hdr_refuses_fragments", "got one");
	rte_pktmbuf_free(m);
}

/* Frame `buf` as two segments, the first `first` bytes long. */
static struct rte_mbuf *chained(const uint8_t *buf, unsigned len, unsigned first)
{
	struct rte_mbuf *m = harness_raw(buf, (uint16_t)first);
	struct rte_mbuf *tail = harness_raw(buf + first, (uint16_t)(len - first));

	if (rte_pktmbuf_chain(m, tail) < 0)
		rte_pktmbuf_free(tail);
	return m;
}

static void test_chained(void)
{
	uint8_t buf[128];
	struct pkt_info pi;
	struct rte_mbuf *m;
	unsigned l4 = ETHER_LEN + 20;

	/* The first segment ends in the middle of the ports. */
	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 0, 0, 64);
	m = chained(buf, 64, l4 + 3);
	pkt_parse(m, &pi);
	check(m->nb_segs == 2 && pkt_is_ipv4(&pi) && ports_are(&pi, 1000, 53) && pi.l4_len == 64 - l4 &&
	      pi.l4_seg == 3, "pkt_chained_ports_read", "segs=%u status=%u ports=%d l4_seg=%u", m->nb_segs,
	      pi.status, pi.ports, pi.l4_seg);
	check(pkt_l4_hdr(m, &pi, sizeof(struct rte_udp_hdr)) == NULL && pkt_l4_hdr(m, &pi, 3) != NULL,
	      "pkt_chained_l4_hdr_needs_first_segment", "wrong pointer");
	rte_pktmbuf_free(m);

	/* The whole L4 header in the first segment: rewritable. */
	m = chained(buf, 64, l4 + 8);
	pkt_parse(m, &pi);
	check(pkt_l4_hdr(m, &pi, sizeof(struct rte_udp_hdr)) != NULL && pi.l4_seg == 8 && pi.l4_len == 64 - l4,
	      "pkt_chained_l4_in_first_segment", "l4_seg=%u", pi.l4_seg);
	rte_pktmbuf_free(m);

	/* The total length counts every segment. */
	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 64 - ETHER_LEN + 1, 0, 64);
	m = chained(buf, 64, l4 + 8);
	pkt_parse(m, &pi);
	check(pi.status == PKT_TRUNCATED, "pkt_chained_total_beyond_frame", "status=%u", pi.status);
	rte_pktmbuf_free(m);

	/* An IPv4 header split across segments is not read. */
	frame(buf, NULL, 0, RTE_ETHER_TYPE_IPV4, 5, 0, 0, 64);
	m = chained(buf, 64, ETHER_LEN + 10);
	pkt_parse(m, &pi);
	check(pi.status == PKT_TRUNCATED, "pkt_chained_split_ipv4_header", "status=%u", pi.status);
	rte_pktmbuf_free(m);
}

static void test_not_ip(void)
{
	static const uint16_t one[] = { RTE_ETHER_TYPE_VLAN, 9 };
	static const uint16_t types[] = { RTE_ETHER_TYPE_ARP, RTE_ETHER_TYPE_IPV6, 0x88cc };
	uint8_t buf[128];
	struct pkt_info pi;
	unsigned ok = 0;

	for (unsigned i = 0; i < RTE_DIM(types); i++) {
		frame(buf, NULL, 0, types[i], 5, 0, 0, 64);
		pi = parse(buf, 64);
		ok += pi.status == PKT_OK && pi.l3 == PKT_L3_OTHER && pi.ethertype == types[i] && !pkt_is_ipv4(&pi) &&
		      !pi.ports && pi.l4_proto == 0;
	}
	frame(buf, one, 1, RTE_ETHER_TYPE_ARP, 5, 0, 0, 64);
	pi = parse(buf, 64);
	ok += pi.l3 == PKT_L3_OTHER && pi.ethertype == RTE_ETHER_TYPE_ARP && pi.n_tags == 1 && pi.outer_tci == 9;
	check(ok == RTE_DIM(types) + 1, "pkt_non_ip_ethertypes", "%u of %zu right", ok, RTE_DIM(types) + 1);
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_tags();
	test_ipv4_checks();
	test_fragments();
	test_chained();
	test_not_ip();
	return harness_done();
}
