/* The statistics API (stats.h) over the running data plane: the running
 * generation's readers (stats.c), the ports, workers and pools. */
#include <inttypes.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dataplane.h"
#include "stats.h"

unsigned mbox_stats_n_ports(void)
{
	const struct mbox_generation *gen = mbox_dataplane_generation();

	return gen ? gen->cfg->n_ports : 0;
}

int mbox_stats_port(unsigned i, struct mbox_port_stats *out)
{
	const struct mbox_generation *gen = mbox_dataplane_generation();
	struct rte_eth_stats st;
	struct rte_eth_link link;
	uint16_t pid;

	if (!gen || i >= gen->cfg->n_ports)
		return -1;
	pid = mbox_port_id(i);
	memset(out, 0, sizeof(*out));
	out->name = gen->cfg->ports[i].name;
	out->device = gen->cfg->ports[i].device;
	out->port_id = pid;
	rte_eth_macaddr_get(pid, &out->mac);
	out->link_up = mbox_port_link_up(i);
	if (rte_eth_link_get_nowait(pid, &link) == 0)
		out->speed_mbps = link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : link.link_speed;
	rte_eth_dev_get_mtu(pid, &out->mtu);
	if (rte_eth_stats_get(pid, &st) == 0) {
		out->ipackets = st.ipackets;
		out->opackets = st.opackets;
		out->ibytes = st.ibytes;
		out->obytes = st.obytes;
		out->ierrors = st.ierrors;
		out->oerrors = st.oerrors;
		out->imissed = st.imissed;
		out->rx_nombuf = st.rx_nombuf;
	}
	return 0;
}

unsigned mbox_stats_n_elements(void)
{
	const struct mbox_generation *gen = mbox_dataplane_generation();

	return gen ? gen->cfg->n_elements : 0;
}

int mbox_stats_element(unsigned i, struct mbox_element_stats *out)
{
	const struct mbox_generation *gen = mbox_dataplane_generation();

	if (!gen || i >= gen->cfg->n_elements)
		return -1;
	mbox_stats_read_element(gen, i, out);
	return 0;
}

unsigned mbox_stats_n_rows(unsigned element)
{
	const struct mbox_generation *gen = mbox_dataplane_generation();

	return gen && element < gen->cfg->n_elements ? mbox_element_n_rows(&gen->cfg->elements[element]) : 0;
}

uint64_t mbox_stats_row_hits(unsigned element, unsigned row)
{
	const struct mbox_generation *gen = mbox_dataplane_generation();

	return gen ? mbox_stats_read_row_hits(gen, element, row) : 0;
}

unsigned mbox_stats_n_cores(void)
{
	unsigned n;

	mbox_dataplane_workers(&n);
	return n;
}

int mbox_stats_core(unsigned worker, struct mbox_core_stats *out)
{
	unsigned n;
	const struct mbox_worker *w = mbox_dataplane_workers(&n);

	if (worker >= n)
		return -1;
	mbox_stats_read_core(&w[worker], out);
	return 0;
}

int mbox_stats_pool(struct mbox_pool_stats *out)
{
	struct rte_mempool *mp = mbox_dataplane_pool();

	if (!mp)
		return -1;
	out->name = mp->name;
	out->size = mp->size;
	out->in_use = rte_mempool_in_use_count(mp);
	return 0;
}

int mbox_stats_memory(struct mbox_memory_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned s = 0; s < rte_socket_count(); s++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0) {
			out->heap_used += st.heap_allocsz_bytes;
			out->heap_free += st.heap_freesz_bytes;
			out->heap_allocations += st.alloc_count;
		}
	}
	out->graph_nodes = mbox_nodes_registered();
	return 0;
}

unsigned mbox_stats_generation(void)
{
	return mbox_dataplane_status()->generation;
}

void mbox_stats_dump(FILE *out)
{
	struct mbox_port_stats ps;
	struct mbox_element_stats es;
	struct mbox_core_stats cs;
	struct mbox_pool_stats pool;
	struct mbox_memory_stats mem;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	fprintf(out, "stats: generation %u\n", mbox_stats_generation());
	for (unsigned i = 0; mbox_stats_port(i, &ps) == 0; i++) {
		rte_ether_format_addr(mac, sizeof(mac), &ps.mac);
		fprintf(out, "stats: port %s mac=%s link=%s speed=%u mtu=%u ipackets=%" PRIu64
			" opackets=%" PRIu64 " ibytes=%" PRIu64 " obytes=%" PRIu64 " ierrors=%" PRIu64
			" oerrors=%" PRIu64 " imissed=%" PRIu64 " rx_nombuf=%" PRIu64 "\n",
			ps.name, mac, ps.link_up ? "up" : "down", ps.speed_mbps, ps.mtu, ps.ipackets,
			ps.opackets, ps.ibytes, ps.obytes, ps.ierrors, ps.oerrors, ps.imissed, ps.rx_nombuf);
	}
	for (unsigned i = 0; mbox_stats_element(i, &es) == 0; i++) {
		fprintf(out, "stats: element %s kind=%s in=%" PRIu64, es.name, es.kind, es.in);
		for (unsigned o = 0; o < es.n_outputs; o++)
			fprintf(out, " out.%s=%" PRIu64, es.output_names[o], es.out[o]);
		fprintf(out, " drops=%" PRIu64, es.drops);
		for (unsigned c = 0; es.counter_names && es.counter_names[c]; c++)
			fprintf(out, " %s=%" PRIu64, es.counter_names[c], es.counters[c]);
		for (unsigned r = 0; r < mbox_stats_n_rows(i); r++)
			fprintf(out, " row%u=%" PRIu64, r, mbox_stats_row_hits(i, r));
		fprintf(out, " calls=%" PRIu64 " cycles=%" PRIu64 "\n", es.calls, es.cycles);
	}
	for (unsigned w = 0; mbox_stats_core(w, &cs) == 0; w++)
		fprintf(out, "stats: core %u lcore=%u walks=%" PRIu64 " busy_walks=%" PRIu64
			" packets=%" PRIu64 " switches=%" PRIu64 " switch_ns_max=%" PRIu64 "\n", cs.worker, cs.lcore,
			cs.walks, cs.busy_walks, cs.packets, cs.switches, cs.switch_ns_max);
	if (mbox_stats_pool(&pool) == 0)
		fprintf(out, "stats: pool %s size=%u in_use=%u\n", pool.name, pool.size, pool.in_use);
	if (mbox_stats_memory(&mem) == 0)
		fprintf(out, "stats: memory dataplane heap_used=%" PRIu64 " heap_free=%" PRIu64 " heap_allocations=%" PRIu64
			" graph_nodes=%u\n", mem.heap_used, mem.heap_free, mem.heap_allocations, mem.graph_nodes);
	fflush(out);
}
