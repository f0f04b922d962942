/* port_rx: source; receives bursts from one port (worker w polls RSS queue w). */
#include <rte_ethdev.h>

#include "config.h"

struct port_rx_state {
	uint16_t port_id;
	uint16_t queue;
	uint16_t burst;
	bool active; /* false when the port has fewer queues than workers */
	const bool *admin_up;
};

static const struct mbox_param port_rx_params[] = {
	{ .name = "port", .type = MBOX_P_PORT, .help = "port to receive from" },
	{ .name = "burst", .type = MBOX_P_UINT, .def = "64", .min = 1, .max = RTE_GRAPH_BURST_SIZE,
	  .help = "most packets taken per poll" },
	{ 0 }
};

static int port_rx_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	unsigned port = mbox_param(e, "port")->port;

	/* Two pollers of one queue would race; earlier elements are parsed. */
	for (unsigned i = 0; i < cfg->n_elements; i++)
		if (cfg->elements[i].kind == e->kind && mbox_param(&cfg->elements[i], "port")->port == port) {
			mbox_diag_error(d, e->file, mbox_param(e, "port")->line,
					"element '%s': port '%s' is already received by element '%s', expected one port_rx per port",
					e->name, cfg->ports[port].name, cfg->elements[i].name);
			return -1;
		}
	return 0;
}

static int port_rx_start(struct mbox_elem_rt *rt)
{
	struct port_rx_state *st = (struct port_rx_state *)rt->priv;
	unsigned port = mbox_param(rt->elem, "port")->port;

	st->port_id = mbox_port_id(port);
	st->queue = (uint16_t)rt->worker;
	st->burst = (uint16_t)mbox_param(rt->elem, "burst")->u;
	st->active = rt->worker < rt->cfg->ports[port].rx_queues;
	st->admin_up = mbox_port_admin_flag(port);
	return 0;
}

static uint16_t port_rx_process(struct rte_graph *graph, struct rte_node *node,
				void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct port_rx_state *st = (const struct port_rx_state *)rt->priv;
	void **to;

	RTE_SET_USED(objs);
	RTE_SET_USED(n);
	if (unlikely(!st->active || !__atomic_load_n(st->admin_up, __ATOMIC_RELAXED)))
		return 0;
	to = rte_node_next_stream_get(graph, node, 0, st->burst);
	n = rte_eth_rx_burst(st->port_id, st->queue, (struct rte_mbuf **)to, st->burst);
	if (n) {
		rte_node_next_stream_put(graph, node, 0, n);
		rt->out[0] += n;
		*rt->worker_rx += n;
	}
	return n;
}

static const char *const port_rx_outputs[] = { "out", NULL };

static struct mbox_kind port_rx_kind = {
	.name = "port_rx",
	.description = "receive packets from a port (one RSS queue per worker)",
	.params = port_rx_params,
	.outputs = port_rx_outputs,
	.source = true,
	.worker_size = sizeof(struct port_rx_state),
	.setup = port_rx_setup,
	.start = port_rx_start,
	.process = port_rx_process,
};
MBOX_ELEMENT_REGISTER(port_rx_kind)
