/* ether_rewrite: swap and/or set the Ethernet source and destination MACs
 * (mac_swap is `swap = true`).  Runts by pkt_parse_l2() (cut short in the
 * Ethernet header or a VLAN tag) are dropped and counted as runts. */
#include <string.h>

#include "config.h"
#include "pkt.h"

enum { REWRITE_RUNTS };

struct rewrite {
	struct rte_ether_addr src, dst;
	bool set_src, set_dst, swap;
};

static const struct mbox_param rewrite_params[] = {
	{ .name = "swap", .type = MBOX_P_BOOL, .def = "false", .writable = true,
	  .help = "exchange source and destination first (mac_swap)" },
	{ .name = "src", .type = MBOX_P_MAC, .optional = true, .writable = true,
	  .help = "then set the source MAC to this" },
	{ .name = "dst", .type = MBOX_P_MAC, .optional = true, .writable = true,
	  .help = "then set the destination MAC to this" },
	{ 0 }
};

static int rewrite_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	struct rewrite *r = mbox_config_alloc(cfg, sizeof(*r));
	const struct mbox_value *src = mbox_param(e, "src"), *dst = mbox_param(e, "dst");

	r->swap = mbox_param(e, "swap")->b;
	r->set_src = src->present;
	r->set_dst = dst->present;
	r->src = src->mac;
	r->dst = dst->mac;
	if (!r->swap && !r->set_src && !r->set_dst) {
		mbox_diag_error(d, e->file, e->line,
				"element '%s': nothing to rewrite, expected swap = true, src or dst", e->name);
		return -1;
	}
	e->priv = r;
	return 0;
}

static int rewrite_start(struct mbox_elem_rt *rt)
{
	/* A per-worker copy keeps the fast path on local cache lines. */
	memcpy(rt->priv, rt->elem->priv, sizeof(struct rewrite));
	return 0;
}

static __rte_always_inline void rewrite_one(const struct rewrite *r, struct rte_ether_hdr *eth)
{
	if (r->swap) {
		struct rte_ether_addr tmp = eth->src_addr;

		eth->src_addr = eth->dst_addr;
		eth->dst_addr = tmp;
	}
	if (r->set_src)
		eth->src_addr = r->src;
	if (r->set_dst)
		eth->dst_addr = r->dst;
}

static uint16_t rewrite_process(struct rte_graph *graph, struct rte_node *node,
				void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct rewrite *r = (const struct rewrite *)rt->priv;
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct pkt_info pi;

		if (unlikely(!pkt_parse_l2(m, &pi))) {
			rt->counters[REWRITE_RUNTS]++;
			mbox_drop(rt, &objs[i], 1);
			continue;
		}
		rewrite_one(r, rte_pktmbuf_mtod(m, struct rte_ether_hdr *));
		objs[kept++] = m;
	}
	mbox_forward_kept(graph, node, rt, 0, objs, kept, n);
	return n;
}

static const char *const rewrite_outputs[] = { "out", NULL };
static const char *const rewrite_counters[] = { [REWRITE_RUNTS] = "runts", NULL };

static struct mbox_kind rewrite_kind = {
	.name = "ether_rewrite",
	.description = "swap and/or set Ethernet MAC addresses (mac_swap: swap = true)",
	.params = rewrite_params,
	.outputs = rewrite_outputs,
	.counters = rewrite_counters,
	.worker_size = sizeof(struct rewrite),
	.setup = rewrite_setup,
	.start = rewrite_start,
	.process = rewrite_process,
};
MBOX_ELEMENT_REGISTER(rewrite_kind)
