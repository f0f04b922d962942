/* sequencer: stamps UDP datagrams to one destination port with a global
 * sequence number and a per-source one, as the sequencer of a total-order
 * broadcast does.  The stamp overwrites the first 16 bytes of the UDP
 * payload: the global number, then the per-source number (the source is
 * the IPv4 source address and UDP source port), both unsigned 64-bit in
 * network byte order.  A non-zero UDP checksum is updated incrementally
 * (RFC 1624); a zero one (sender sent none) stays zero.
 *
 * Global numbering needs one writer, so the element refuses more than one
 * worker.  The numbering state outlives a generation: a reload or a SET
 * that keeps `start` and `max_sources` continues it (adopt); a new `start`
 * restarts it. */
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_udp.h>

#include "config.h"
#include "log.h"
#include "pkt.h"

enum { SEQ_STAMPED, SEQ_SOURCES, SEQ_TOO_SHORT, SEQ_SOURCES_FULL };

#define STAMP_LEN 16

struct source {
	uint64_t key; /* 0: free slot */
	uint64_t seq; /* last per-source number given */
};

/* The element's numbering (e->dp); from `next_global` on written by the
 * one worker. */
struct seq_state {
	uint64_t start;
	uint32_t max_sources;
	uint32_t mask; /* table slots - 1 */
	uint64_t next_global;
	uint32_t n_sources;
	struct source table[];
};

struct seq_worker {
	struct seq_state *st;
	uint16_t port_be;
};

static const struct mbox_param seq_params[] = {
	{ .name = "port", .type = MBOX_P_UINT, .min = 1, .max = 65535, .writable = true,
	  .help = "UDP destination port of the datagrams to stamp" },
	{ .name = "start", .type = MBOX_P_UINT, .def = "1", .max = INT64_MAX, .writable = true,
	  .help = "first global sequence number; changing it restarts numbering" },
	{ .name = "max_sources", .type = MBOX_P_UINT, .def = "1024", .min = 1, .max = 1u << 20,
	  .help = "sources (address, port) numbered separately; later ones get per-source number 0" },
	{ 0 }
};

static int seq_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	if (cfg->dpdk.workers > 1) {
		mbox_diag_error(d, e->file, e->line,
				"element '%s': a sequencer numbers on one worker only, got dpdk.workers = %u, expected lcores with a single worker besides main_lcore",
				e->name, cfg->dpdk.workers);
		return -1;
	}
	return 0;
}

static bool seq_adopt(struct mbox_element *e, const struct mbox_element *old)
{
	const struct seq_state *st = old->dp;

	if (st->start != mbox_param(e, "start")->u || st->max_sources != mbox_param(e, "max_sources")->u)
		return false;
	e->dp = old->dp;
	return true;
}

static int seq_create(struct mbox_element *e)
{
	uint64_t start = mbox_param(e, "start")->u;
	uint32_t max_sources = (uint32_t)mbox_param(e, "max_sources")->u;
	/* Twice the slots keeps linear probes short when the table is full. */
	size_t slots = rte_align32pow2(2 * max_sources);
	struct seq_state *st = rte_zmalloc("mbox_sequencer", sizeof(*st) + slots * sizeof(struct source),
					   RTE_CACHE_LINE_SIZE);

	if (!st) {
		log_err("sequencer '%s': out of memory for %u sources", e->name, max_sources);
		return -1;
	}
	st->start = start;
	st->next_global = start;
	st->max_sources = max_sources;
	st->mask = (uint32_t)slots - 1;
	e->dp = st;
	return 0;
}

static void seq_destroy(struct mbox_element *e)
{
	rte_free(e->dp);
}

static int seq_start(struct mbox_elem_rt *rt)
{
	struct seq_worker *w = (struct seq_worker *)rt->priv;

	w->st = rt->elem->dp;
	w->port_be = rte_cpu_to_be_16((uint16_t)mbox_param(rt->elem, "port")->u);
	return 0;
}

/* The source's entry, added if new; NULL when the table is full. */
static __rte_always_inline struct source *source_get(struct seq_state *st, uint64_t key)
{
	uint32_t i = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & st->mask;

	while (st->table[i].key != key) {
		if (st->table[i].key == 0) {
			if (st->n_sources == st->max_sources)
				return NULL;
			st->n_sources++;
			st->table[i].key = key;
			break;
		}
		i = (i + 1) & st->mask;
	}
	return &st->table[i];
}

static __rte_always_inline void stamp(struct mbox_elem_rt *rt, struct seq_state *st,
				      const struct rte_ipv4_hdr *ip, struct rte_udp_hdr *udp)
{
	/* Bit 48 keeps every key non-zero, the mark of a free slot. */
	uint64_t key = 1ull << 48 | (uint64_t)rte_be_to_cpu_32(ip->src_addr) << 16 |
		       rte_be_to_cpu_16(udp->src_port);
	struct source *src = source_get(st, key);
	uint64_t before[2], after[2];

	if (unlikely(!src))
		rt->counters[SEQ_SOURCES_FULL]++;
	after[0] = rte_cpu_to_be_64(st->next_global++);
	after[1] = rte_cpu_to_be_64(src ? ++src->seq : 0);
	memcpy(before, udp + 1, STAMP_LEN);
	memcpy(udp + 1, after, STAMP_LEN);
	if (udp->dgram_cksum) {
		uint16_t c = pkt_cksum_adjust(udp->dgram_cksum, before, after, STAMP_LEN);

		/* In UDP an all-zero checksum means "none": zero is sent as ones. */
		udp->dgram_cksum = c ? c : 0xffff;
	}
	rt->counters[SEQ_STAMPED]++;
}

static uint16_t seq_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct seq_worker *w = (const struct seq_worker *)rt->priv;

	for (uint16_t i = 0; i < n; i++) {
		struct pkt_info p;
		struct rte_udp_hdr *udp;
		uint32_t dgram;

		pkt_parse(objs[i], &p);
		udp = pkt_l4_hdr(objs[i], &p, sizeof(*udp));
		if (!udp || p.l4_proto != IPPROTO_UDP || udp->dst_port != w->port_be)
			continue;
		dgram = rte_be_to_cpu_16(udp->dgram_len);
		if (dgram < sizeof(*udp) + STAMP_LEN || dgram > p.l4_len || p.l4_seg < sizeof(*udp) + STAMP_LEN) {
			rt->counters[SEQ_TOO_SHORT]++;
			continue;
		}
		stamp(rt, w->st, pkt_ipv4_hdr(objs[i], &p), udp);
	}
	rt->counters[SEQ_SOURCES] = w->st->n_sources;
	mbox_forward_all(graph, node, rt, 0, n);
	return n;
}

static const char *const seq_outputs[] = { "out", NULL };
static const char *const seq_counters[] = {
	[SEQ_STAMPED] = "stamped", [SEQ_SOURCES] = "sources", [SEQ_TOO_SHORT] = "too_short",
	[SEQ_SOURCES_FULL] = "sources_full", NULL
};

static struct mbox_kind seq_kind = {
	.name = "sequencer",
	.description = "stamp UDP datagrams to a port with global and per-source sequence numbers (one worker)",
	.params = seq_params,
	.outputs = seq_outputs,
	.counters = seq_counters,
	.worker_size = sizeof(struct seq_worker),
	.setup = seq_setup,
	.adopt = seq_adopt,
	.create = seq_create,
	.destroy = seq_destroy,
	.start = seq_start,
	.fill_counter = "sources",
	.fill_capacity = "max_sources",
	.process = seq_process,
};
MBOX_ELEMENT_REGISTER(seq_kind)
