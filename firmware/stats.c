/* Statistics read from a generation passed in: what its workers counted,
 * summed without locks, plus what earlier generations carried over to it.
 * Nothing here knows which generation is running (stats_running.c does),
 * so these readers are tested on generations built by hand. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_graph.h>

#include "runtime.h"

static uint64_t read_u64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void mbox_stats_read_element(const struct mbox_generation *gen, unsigned i, struct mbox_element_stats *out)
{
	const struct mbox_element *e = &gen->cfg->elements[i];

	*out = gen->carried[i];
	out->name = e->name;
	out->kind = e->kind->name;
	out->n_outputs = e->n_outputs;
	out->output_names = e->output_names;
	out->counter_names = e->kind->counters;
	out->change = (enum mbox_element_change)gen->lineage[i].change;
	for (unsigned w = 0; w < gen->n_workers; w++) {
		const struct mbox_elem_rt *rt = mbox_generation_rt(gen, i, w);
		const struct rte_node *node = gen->nodes[i * gen->n_workers + w];

		if (node) {
			out->in += read_u64(&node->total_objs);
			out->cycles += read_u64(&node->total_cycles);
			out->calls += read_u64(&node->total_calls);
		}
		out->drops += read_u64(&rt->drops);
		for (unsigned o = 0; o < e->n_outputs; o++)
			out->out[o] += read_u64(&rt->out[o]);
		for (unsigned c = 0; c < MBOX_MAX_COUNTERS; c++)
			out->counters[c] += read_u64(&rt->counters[c]);
	}
}

uint64_t mbox_stats_read_row_hits(const struct mbox_generation *gen, unsigned element, unsigned row)
{
	uint64_t hits = 0;

	if (element >= gen->cfg->n_elements || row >= mbox_element_n_rows(&gen->cfg->elements[element]))
		return 0;
	for (unsigned w = 0; w < gen->n_workers; w++)
		hits += read_u64(&mbox_generation_rt(gen, element, w)->rows[row]);
	return hits;
}

void mbox_stats_read_core(const struct mbox_worker *w, struct mbox_core_stats *out)
{
	out->worker = w->index;
	out->lcore = w->lcore;
	out->walks = read_u64(&w->walks);
	out->busy_walks = read_u64(&w->busy_walks);
	out->packets = read_u64(&w->rx_packets);
	out->switches = read_u64(&w->switches);
	out->switch_ns_max = (uint64_t)((double)read_u64(&w->switch_cycles_max) * 1e9 / (double)rte_get_tsc_hz());
}
