/* Packet helpers shared by element kinds: the packet parser, incremental
 * checksum updates.
 *
 * Packet parsing: pkt_parse() gives every element one meaning of a frame's
 * headers (docs/design.md, "Packet parsing", says what each element does
 * with a packet that is not valid IPv4):
 * - L2: the Ethernet header, then up to PKT_MAX_TAGS VLAN tags, TPID 0x8100
 *   or 0x88a8 in either place.  A third tag is not looked into: its TPID is
 *   the ethertype, so the frame is not IP (pkt_ethertype_hides_l3() says
 *   IP may be inside).  A frame cut short in its Ethernet header or in a
 *   tag is a runt.
 * - IPv4 is valid with version 4, IHL >= 5, total length >= the header and
 *   within the frame (all segments; padding may follow), and the header,
 *   options included, in the first segment: receive paths fill a segment
 *   before chaining, so only a crafted chain splits 82 bytes of headers.
 *   The header checksum is not checked: the router, which forwards, does.
 * - Fragments: the first (MF, offset 0) has the L4 header, later ones
 *   (offset != 0) have none.
 * - L4: TCP, UDP and SCTP ports are read when the datagram holds them
 *   (not later fragments), across segments if need be; an element that
 *   rewrites L4 takes pkt_l4_hdr(), which wants its bytes in the first
 *   segment and refuses fragments. */
#ifndef MBOX_ELEMENTS_PKT_H
#define MBOX_ELEMENTS_PKT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#define PKT_MAX_TAGS 2

enum pkt_status {
	PKT_OK,
	PKT_RUNT,       /* cut short in the Ethernet header or a VLAN tag */
	PKT_TRUNCATED,  /* IPv4: header beyond the first segment, or total length beyond the frame */
	PKT_BAD_HEADER, /* IPv4: version != 4, IHL < 5, or total length below the header */
};

/* What the ethertype names; IPv6 would be one more. */
enum pkt_l3 { PKT_L3_NONE /* runt */, PKT_L3_OTHER, PKT_L3_IPV4 };

enum pkt_frag { PKT_FRAG_NONE, PKT_FRAG_FIRST, PKT_FRAG_LATER };

struct pkt_info {
	uint8_t status;     /* enum pkt_status */
	uint8_t l3;         /* enum pkt_l3 */
	uint8_t n_tags;     /* complete VLAN tags looked through */
	uint8_t frag;       /* enum pkt_frag */
	uint16_t ethertype; /* host order, after the tags */
	uint16_t outer_tci; /* host order, when n_tags > 0 */
	uint16_t l3_off;    /* L2 length: Ethernet header and tags; 0 when the Ethernet header is cut */
	/* The rest is set for valid IPv4 only. */
	uint16_t l4_off;
	uint8_t l4_proto;
	bool ports;         /* sport and dport were read */
	rte_be16_t sport, dport;
	uint32_t l4_len;    /* L4 bytes by the total length */
	uint32_t l4_seg;    /* of those, in the first segment */
};

/* An ethertype (host order, after the tags pkt_parse_l2() looked through)
 * whose payload holds a network layer the parser does not reach: a further
 * VLAN tag (a third, or a pre-standard QinQ TPID 0x9100/0x9200/0x9300),
 * MPLS, a PPPoE session, 802.1ah (PBB), 802.1BR (E-tag), NSH or a bridged
 * Ethernet frame (TEB).  Such a
 * frame can carry IP that no L3 rule sees: a filter must not treat it as
 * an ordinary non-IP frame. */
static __rte_always_inline bool pkt_ethertype_hides_l3(uint16_t ethertype)
{
	switch (ethertype) {
	case RTE_ETHER_TYPE_VLAN:
	case RTE_ETHER_TYPE_QINQ:
	case RTE_ETHER_TYPE_QINQ1:
	case RTE_ETHER_TYPE_QINQ2:
	case RTE_ETHER_TYPE_QINQ3:
	case RTE_ETHER_TYPE_MPLS:
	case RTE_ETHER_TYPE_MPLSM:
	case RTE_ETHER_TYPE_PPPOE_SESSION:
	case 0x88e7: /* 802.1ah I-tag */
	case RTE_ETHER_TYPE_ETAG:
	case 0x894f: /* NSH */
	case RTE_ETHER_TYPE_TEB:
		return true;
	default:
		return false;
	}
}

/* 802.1Q, and 802.1ad for the outer tag of QinQ. */
static __rte_always_inline bool pkt_is_vlan_tpid(rte_be16_t ether_type)
{
	return ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ);
}

static __rte_always_inline bool pkt_proto_has_ports(uint64_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/* The L2 part of pkt_parse(), for elements that read no further; false
 * for a runt. */
static __rte_always_inline bool pkt_parse_l2(const struct rte_mbuf *m, struct pkt_info *pi)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	rte_be16_t type;

	*pi = (struct pkt_info){ .status = PKT_RUNT, .l3 = PKT_L3_NONE };
	if (unlikely(len < sizeof(struct rte_ether_hdr)))
		return false;
	pi->l3_off = sizeof(struct rte_ether_hdr);
	type = ((const struct rte_ether_hdr *)p)->ether_type;
	for (; pi->n_tags < PKT_MAX_TAGS && pkt_is_vlan_tpid(type); pi->n_tags++) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(p + pi->l3_off);

		if (unlikely(len < pi->l3_off + sizeof(*vh))) {
			pi->ethertype = rte_be_to_cpu_16(type);
			return false;
		}
		if (!pi->n_tags)
			pi->outer_tci = rte_be_to_cpu_16(vh->vlan_tci);
		type = vh->eth_proto;
		pi->l3_off += sizeof(*vh);
	}
	pi->status = PKT_OK;
	pi->ethertype = rte_be_to_cpu_16(type);
	pi->l3 = type == RTE_BE16(RTE_ETHER_TYPE_IPV4) ? PKT_L3_IPV4 : PKT_L3_OTHER;
	return true;
}

/* Fills pi for m, as the comment at the top says. */
static __rte_always_inline void pkt_parse(const struct rte_mbuf *m, struct pkt_info *pi)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t ihl, total;
	rte_be16_t ports[2];
	const rte_be16_t *at;

	if (!pkt_parse_l2(m, pi) || pi->l3 != PKT_L3_IPV4)
		return;
	pi->status = PKT_TRUNCATED;
	if (unlikely(rte_pktmbuf_data_len(m) < pi->l3_off + sizeof(*ip)))
		return;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pi->l3_off);
	ihl = rte_ipv4_hdr_len(ip);
	total = rte_be_to_cpu_16(ip->total_length);
	if (unlikely((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || total < ihl)) {
		pi->status = PKT_BAD_HEADER;
		return;
	}
	if (unlikely(rte_pktmbuf_data_len(m) < pi->l3_off + ihl || rte_pktmbuf_pkt_len(m) < pi->l3_off + total))
		return;
	pi->status = PKT_OK;
	pi->l4_proto = ip->next_proto_id;
	pi->l4_off = (uint16_t)(pi->l3_off + ihl);
	pi->l4_len = total - ihl;
	pi->l4_seg = RTE_MIN(rte_pktmbuf_data_len(m) - pi->l4_off, pi->l4_len);
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
		pi->frag = PKT_FRAG_LATER;
	else if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG))
		pi->frag = PKT_FRAG_FIRST;
	if (pi->frag == PKT_FRAG_LATER || !pkt_proto_has_ports(pi->l4_proto) || pi->l4_len < sizeof(ports))
		return;
	/* A pointer into the first segment, or the bytes copied from a chain. */
	at = rte_pktmbuf_read(m, pi->l4_off, sizeof(ports), ports);
	if (unlikely(!at))
		return;
	memcpy(&pi->sport, at, sizeof(pi->sport));
	memcpy(&pi->dport, (const uint8_t *)at + sizeof(pi->sport), sizeof(pi->dport));
	pi->ports = true;
}

static __rte_always_inline bool pkt_is_ipv4(const struct pkt_info *pi)
{
	return pi->l3 == PKT_L3_IPV4 && pi->status == PKT_OK;
}

/* The IPv4 header of a packet pkt_parse() found valid. */
static __rte_always_inline struct rte_ipv4_hdr *pkt_ipv4_hdr(struct rte_mbuf *m, const struct pkt_info *pi)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pi->l3_off);
}

/* The L4 header of a valid, unfragmented IPv4 packet whose first segment
 * holds `need` bytes of it within the datagram, else NULL: what an element
 * that rewrites L4 may touch (a fragment's checksum covers the whole
 * datagram, which no element reassembles). */
static __rte_always_inline void *pkt_l4_hdr(struct rte_mbuf *m, const struct pkt_info *pi, uint32_t need)
{
	if (!pkt_is_ipv4(pi) || pi->frag != PKT_FRAG_NONE || pi->l4_seg < need)
		return NULL;
	return rte_pktmbuf_mtod_offset(m, uint8_t *, pi->l4_off);
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
