/* load_balancer: spreads flows over its outputs in proportion to their
 * weights.  A symmetric hash of the IPv4 5-tuple (addresses and ports are
 * each ordered before hashing, so both directions of a flow agree) picks
 * one of LB_BUCKETS buckets, and a fixed table maps buckets to outputs.
 * Fragments hash on addresses and protocol only (only the first carries
 * ports), so all fragments of a packet stay together; frames that are not
 * valid IPv4 by pkt_parse() hash on their ordered MAC address pair. */
#include <string.h>

#include <rte_jhash.h>

#include "config.h"
#include "setup.h"
#include "pkt.h"

#define LB_BUCKETS 1024 /* a power of two; 4x the largest weight keeps shares close */

enum { LB_NON_IPV4, LB_FRAGMENTS };

struct load_balancer {
	uint8_t output_of_bucket[LB_BUCKETS];
};

static const struct mbox_param output_fields[] = {
	{ .name = "name", .type = MBOX_P_STRING, .help = "output name" },
	{ .name = "weight", .type = MBOX_P_UINT, .def = "1", .min = 1, .max = 255,
	  .help = "share of the flows, relative to the other outputs" },
	{ 0 }
};

static const struct mbox_param lb_params[] = {
	{ .name = "outputs", .type = MBOX_P_LIST, .min = 2, .max = MBOX_MAX_OUTPUTS, .fields = output_fields,
	  .help = "outputs and their weights" },
	{ 0 }
};

/* Deal the buckets by smooth weighted round robin: every output gets its
 * share, and an output's buckets are spread over the table. */
static void fill_buckets(struct load_balancer *lb, const uint64_t *weight, unsigned n)
{
	int64_t credit[MBOX_MAX_OUTPUTS] = { 0 }, total = 0;

	for (unsigned o = 0; o < n; o++)
		total += (int64_t)weight[o];
	for (unsigned b = 0; b < LB_BUCKETS; b++) {
		unsigned best = 0;

		for (unsigned o = 0; o < n; o++) {
			credit[o] += (int64_t)weight[o];
			if (credit[o] > credit[best])
				best = o;
		}
		credit[best] -= total;
		lb->output_of_bucket[b] = (uint8_t)best;
	}
}

static int lb_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	static const char *const no_reserved[] = { NULL };
	const struct mbox_value *outputs = mbox_param(e, "outputs");
	struct load_balancer *lb = mbox_config_alloc(cfg, sizeof(*lb));
	uint64_t weight[MBOX_MAX_OUTPUTS];
	int rc = 0;

	for (unsigned i = 0; i < outputs->list.n; i++) {
		const struct mbox_value *name = mbox_list_field(outputs, output_fields, i, "name");

		weight[i] = mbox_list_field(outputs, output_fields, i, "weight")->u;
		if (elem_output_add(e, d, name->line, "outputs", i, name->s, no_reserved) < 0)
			rc = -1;
	}
	if (rc)
		return -1;
	fill_buckets(lb, weight, outputs->list.n);
	e->priv = lb;
	return 0;
}

static int lb_start(struct mbox_elem_rt *rt)
{
	memcpy(rt->priv, rt->elem->priv, sizeof(struct load_balancer));
	return 0;
}

static __rte_always_inline uint32_t mac_pair_hash(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ether_addr *lo = &eth->dst_addr, *hi = &eth->src_addr;
	uint32_t pair[2 * RTE_ETHER_ADDR_LEN / sizeof(uint32_t)];

	if (unlikely(rte_pktmbuf_data_len(m) < 2 * RTE_ETHER_ADDR_LEN))
		return 0;
	if (memcmp(lo, hi, RTE_ETHER_ADDR_LEN) > 0)
		RTE_SWAP(lo, hi);
	memcpy(pair, lo, RTE_ETHER_ADDR_LEN);
	memcpy((uint8_t *)pair + RTE_ETHER_ADDR_LEN, hi, RTE_ETHER_ADDR_LEN);
	return rte_jhash_32b(pair, RTE_DIM(pair), 0);
}

static __rte_always_inline uint32_t flow_hash(struct rte_mbuf *m, struct mbox_elem_rt *rt)
{
	const struct rte_ipv4_hdr *ip;
	struct pkt_info pi;
	uint32_t ports = 0;

	pkt_parse(m, &pi);
	if (unlikely(!pkt_is_ipv4(&pi))) {
		rt->counters[LB_NON_IPV4]++;
		return mac_pair_hash(m);
	}
	ip = pkt_ipv4_hdr(m, &pi);
	if (pi.frag != PKT_FRAG_NONE)
		rt->counters[LB_FRAGMENTS]++;
	else if (pi.ports)
		ports = (uint32_t)RTE_MIN(pi.sport, pi.dport) << 16 | RTE_MAX(pi.sport, pi.dport);
	return rte_jhash_3words(RTE_MIN(ip->src_addr, ip->dst_addr), RTE_MAX(ip->src_addr, ip->dst_addr),
				ports, ip->next_proto_id);
}

static uint16_t lb_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct load_balancer *lb = (const struct load_balancer *)rt->priv;

	for (uint16_t i = 0; i < n; i++) {
		uint32_t bucket = flow_hash(objs[i], rt) & (LB_BUCKETS - 1);

		mbox_forward_one(graph, node, rt, lb->output_of_bucket[bucket], objs[i]);
	}
	return n;
}

static const char *const lb_counters[] = { [LB_NON_IPV4] = "non_ipv4", [LB_FRAGMENTS] = "fragments", NULL };

static struct mbox_kind lb_kind = {
	.name = "load_balancer",
	.description = "spread flows over weighted outputs by a symmetric 5-tuple hash (both directions alike)",
	.params = lb_params,
	.outputs_text = "one per item of outputs (its name)",
	.counters = lb_counters,
	.worker_size = sizeof(struct load_balancer),
	.setup = lb_setup,
	.start = lb_start,
	.process = lb_process,
};
MBOX_ELEMENT_REGISTER(lb_kind)
