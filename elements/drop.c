/* drop: sink that frees every packet, counted as drops. */
#include "element.h"

static uint16_t drop_process(struct rte_graph *graph, struct rte_node *node,
			     void **objs, uint16_t n)
{
	RTE_SET_USED(graph);
	mbox_drop(mbox_rt(node), objs, n);
	return n;
}

static const struct mbox_param drop_params[] = { { 0 } };

static struct mbox_kind drop_kind = {
	.name = "drop",
	.description = "discard every packet (counted as drops)",
	.params = drop_params,
	.process = drop_process,
};
MBOX_ELEMENT_REGISTER(drop_kind)
