/* Packet helpers shared by element kinds: where the outer VLAN tag, the
 * IPv4 header and the L4 header are, L4 ports, incremental checksum
 * updates.
 * Everything reads the first segment only: headers that do not fit in it are
 * treated as absent. */
#ifndef MBOX_ELEMENTS_PKT_H
#define MBOX_ELEMENTS_PKT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>


/* 802.1Q, and 802.1ad for the outer tag of QinQ. */
static __rte_always_inline bool pkt_is_vlan_tpid(rte_be16_t ether_type)
{
	return ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ);
}

/* The IPv4 header after up to two VLAN tags, or NULL when the frame is not
 * IPv4 or its header is malformed or not entirely in the first segment. */
static __rte_always_inline struct rte_ipv4_hdr *pkt_ipv4(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = sizeof(struct rte_ether_hdr);
	rte_be16_t type;
	struct rte_ipv4_hdr *ip;
	uint32_t ihl;

	if (unlikely(len < off))
		return NULL;
	type = ((const struct rte_ether_hdr *)p)->ether_type;
	for (unsigned tags = 0; tags < 2 && pkt_is_vlan_tpid(type); tags++) {
		if (unlikely(len < off + sizeof(struct rte_vlan_hdr)))
			return NULL;
		type = ((const struct rte_vlan_hdr *)(p + off))->eth_proto;
		off += sizeof(struct rte_vlan_hdr);
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || len < off + sizeof(*ip))
		return NULL;
	ip = (struct rte_ipv4_hdr *)(p + off);
	ihl = rte_ipv4_hdr_len(ip);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || len < off + ihl)
		return NULL;
	return ip;
}

static __rte_always_inline bool pkt_ipv4_is_fragment(const struct rte_ipv4_hdr *ip)
{
	return (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)) != 0;
}

/* Source and destination port (network order) of an unfragmented TCP, UDP
 * or SCTP packet whose ports lie in the first segment; false otherwise. */
static __rte_always_inline bool pkt_ipv4_ports(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
					       rte_be16_t *sport, rte_be16_t *dport)
{
	const uint8_t *l4 = (const uint8_t *)ip + rte_ipv4_hdr_len(ip);
	uint8_t proto = ip->next_proto_id;

	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP) ||
	    pkt_ipv4_is_fragment(ip) ||
	    l4 + 4 > rte_pktmbuf_mtod(m, const uint8_t *) + rte_pktmbuf_data_len(m))
		return false;
	memcpy(sport, l4, 2);
	memcpy(dport, l4 + 2, 2);
	return true;
}

struct pkt_l4 {
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;     /* first byte after the IPv4 header */
	uint32_t l2_len; /* Ethernet header and any VLAN tags */
	uint32_t len;    /* IPv4 payload bytes, by the header's total length */
	uint32_t seg;    /* bytes of that payload in the first segment */
};

/* An unfragmented IPv4 packet of protocol `proto` whose first segment
 * holds at least `need` bytes of L4 header: fills p and returns true.
 * Fragments are refused because only whole datagrams can be rewritten
 * with checksums that stay valid. */
static __rte_always_inline bool
pkt_ipv4_l4(struct rte_mbuf *m, uint8_t proto, uint32_t need, struct pkt_l4 *p)
{
	uint8_t *base = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t ihl, total;

	p->ip = pkt_ipv4(m);
	if (!p->ip)
		return false;
	p->eth = (struct rte_ether_hdr *)base;
	p->l2_len = (uint32_t)((uint8_t *)p->ip - base);
	ihl = rte_ipv4_hdr_len(p->ip);
	total = rte_be_to_cpu_16(p->ip->total_length);
	if (total < ihl || p->ip->next_proto_id != proto || pkt_ipv4_is_fragment(p->ip) ||
	    rte_pktmbuf_pkt_len(m) < p->l2_len + total || total - ihl < need ||
	    rte_pktmbuf_data_len(m) < p->l2_len + ihl + need)
		return false;
	p->l4 = base + p->l2_len + ihl;
	p->len = total - ihl;
	p->seg = RTE_MIN(rte_pktmbuf_data_len(m) - p->l2_len - ihl, p->len);
	return true;
}

/* RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for one 16-bit word m that
 * becomes m'.  Values as they lie in the packet: the one's complement sum
 * does not care about byte order. */
static __rte_always_inline uint16_t pkt_cksum_replace16(uint16_t cksum, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~cksum + (uint16_t)~old + (uint32_t)new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The same for a 32-bit field (an IPv4 address), as two words. */
static __rte_always_inline uint16_t pkt_cksum_replace32(uint16_t cksum, uint32_t old, uint32_t new)
{
	return pkt_cksum_replace16(pkt_cksum_replace16(cksum, (uint16_t)(old >> 16), (uint16_t)(new >> 16)),
				   (uint16_t)old, (uint16_t)new);
}

/* RFC 1624: checksum `cksum` (as stored in the header) once the `len`
 * bytes `before`, at an even offset of the checksummed data, read `after`. */
static __rte_always_inline uint16_t
pkt_cksum_adjust(uint16_t cksum, const void *before, const void *after, size_t len)
{
	uint32_t sum = (uint16_t)~cksum;

	sum += (uint16_t)~rte_raw_cksum(before, len);
	sum += rte_raw_cksum(after, len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
