/* port_tx: sink; transmits on one port (worker w uses TX queue w) and drops,
 * counting them, whatever the device refuses. */
#include <rte_ethdev.h>

#include "config.h"

enum { PORT_TX_SENT };

struct port_tx_state {
	uint16_t port_id;
	uint16_t queue;
	const bool *admin_up;
};

static const struct mbox_param port_tx_params[] = {
	{ .name = "port", .type = MBOX_P_PORT, .help = "port to transmit on" },
	{ 0 }
};

static int port_tx_start(struct mbox_elem_rt *rt)
{
	struct port_tx_state *st = (struct port_tx_state *)rt->priv;

	st->port_id = mbox_port_id(mbox_param(rt->elem, "port")->port);
	st->admin_up = mbox_port_admin_flag(mbox_param(rt->elem, "port")->port);
	st->queue = (uint16_t)rt->worker;
	return 0;
}

static uint16_t port_tx_process(struct rte_graph *graph, struct rte_node *node,
				void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct port_tx_state *st = (const struct port_tx_state *)rt->priv;
	uint16_t sent = 0;

	RTE_SET_USED(graph);
	if (likely(__atomic_load_n(st->admin_up, __ATOMIC_RELAXED)))
		sent = rte_eth_tx_burst(st->port_id, st->queue, (struct rte_mbuf **)objs, n);
	rt->counters[PORT_TX_SENT] += sent;
	if (unlikely(sent < n))
		mbox_drop(rt, objs + sent, n - sent);
	return n;
}

static const char *const port_tx_counters[] = { [PORT_TX_SENT] = "sent", NULL };

static struct mbox_kind port_tx_kind = {
	.name = "port_tx",
	.description = "transmit packets on a port; drops (and counts) what the device refuses",
	.params = port_tx_params,
	.counters = port_tx_counters,
	.worker_size = sizeof(struct port_tx_state),
	.start = port_tx_start,
	.process = port_tx_process,
};
MBOX_ELEMENT_REGISTER(port_tx_kind)
