/* Packet helpers shared by element kinds: find the L4 header of an IPv4
 * packet in the first segment, and update Internet checksums. */
#ifndef MBOX_PKT_H
#define MBOX_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

struct pkt_l4 {
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;     /* first byte after the IPv4 header */
	uint32_t l2_len; /* Ethernet header and any 802.1Q tag */
	uint32_t len;    /* IPv4 payload bytes, by the header's total length */
	uint32_t seg;    /* bytes of that payload in the first segment */
};

/* An unfragmented IPv4 packet (after at most one VLAN tag) of protocol
 * `proto` whose first segment holds at least `need` bytes of L4 header:
 * fills p and returns true.  Fragments are refused because only whole
 * datagrams can be rewritten with checksums that stay valid. */
static __rte_always_inline bool
pkt_ipv4_l4(struct rte_mbuf *m, uint8_t proto, uint32_t need, struct pkt_l4 *p)
{
	uint8_t *base = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t seg = rte_pktmbuf_data_len(m), off = sizeof(struct rte_ether_hdr);
	uint16_t type;
	uint32_t ihl, total;

	if (unlikely(seg < off))
		return false;
	p->eth = (struct rte_ether_hdr *)base;
	type = p->eth->ether_type;
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		if (unlikely(seg < off + sizeof(struct rte_vlan_hdr)))
			return false;
		type = ((struct rte_vlan_hdr *)(base + off))->eth_proto;
		off += sizeof(struct rte_vlan_hdr);
	}
	if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || seg < off + sizeof(struct rte_ipv4_hdr))
		return false;
	p->ip = (struct rte_ipv4_hdr *)(base + off);
	ihl = (p->ip->version_ihl & 0xf) * 4u;
	total = rte_be_to_cpu_16(p->ip->total_length);
	if ((p->ip->version_ihl >> 4) != 4 || ihl < sizeof(struct rte_ipv4_hdr) || total < ihl ||
	    p->ip->next_proto_id != proto ||
	    (p->ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)) ||
	    rte_pktmbuf_pkt_len(m) < off + total || total - ihl < need || seg < off + ihl + need)
		return false;
	p->l2_len = off;
	p->l4 = base + off + ihl;
	p->len = total - ihl;
	p->seg = RTE_MIN(seg - off - ihl, p->len);
	return true;
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
