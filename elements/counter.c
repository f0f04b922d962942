/* counter: counts packets and bytes, passes everything on unchanged. */
#include "element.h"

enum { COUNTER_PACKETS, COUNTER_BYTES };

static uint16_t counter_process(struct rte_graph *graph, struct rte_node *node,
				void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len((struct rte_mbuf *)objs[i]);
	rt->counters[COUNTER_PACKETS] += n;
	rt->counters[COUNTER_BYTES] += bytes;
	mbox_forward_all(graph, node, rt, 0, n);
	return n;
}

static const struct mbox_param counter_params[] = { { 0 } };
static const char *const counter_outputs[] = { "out", NULL };
static const char *const counter_counters[] = {
	[COUNTER_PACKETS] = "packets", [COUNTER_BYTES] = "bytes", NULL
};

static struct mbox_kind counter_kind = {
	.name = "counter",
	.description = "count packets and bytes (layer 2 frame length) and pass them on",
	.params = counter_params,
	.outputs = counter_outputs,
	.counters = counter_counters,
	.process = counter_process,
};
MBOX_ELEMENT_REGISTER(counter_kind)
