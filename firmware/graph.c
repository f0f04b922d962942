/* Turning a configuration into rte_graph graphs: one node clone per element
 * instance, one graph per worker (all graphs share the nodes; each graph
 * has its own copy of every node's context, so per-worker state and
 * counters need no locks). */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dataplane.h"
#include "log.h"
#include "runtime.h"

#define NODE_PREFIX "mb_"

/* Node clones cannot be unregistered (DPDK 22.11), so they are reused, not
 * made per change: each live generation holds one set of clones, the k-th
 * element of a kind taking clone k of that kind in its set, relinked
 * before its graphs are created.  mboxd holds two sets at most (the running
 * generation and the one being built), so the nodes registered are bounded
 * by the largest configuration, not by the number of changes. */
#define MAX_CLONE_SETS 32
static uint32_t sets_in_use;

static int take_clone_set(void)
{
	for (unsigned s = 0; s < MAX_CLONE_SETS; s++)
		if (!(sets_in_use & 1u << s)) {
			sets_in_use |= 1u << s;
			return (int)s;
		}
	log_err("graph: more than %u generations alive at once", MAX_CLONE_SETS);
	return -1;
}

static void give_back_clone_set(int set)
{
	if (set >= 0)
		sets_in_use &= ~(1u << set);
}

static rte_node_t base_node(const struct mbox_kind *kind)
{
	char name[RTE_NODE_NAMESIZE];

	snprintf(name, sizeof(name), NODE_PREFIX "%s", kind->name);
	return rte_node_from_name(name);
}

int mbox_nodes_register(void)
{
	for (const struct mbox_kind *k = mbox_kind_first(); k; k = k->next) {
		struct rte_node_register reg = {
			.flags = k->source ? RTE_NODE_SOURCE_F : 0,
			.process = k->process,
			.parent_id = RTE_NODE_ID_INVALID,
		};

		snprintf(reg.name, sizeof(reg.name), NODE_PREFIX "%s", k->name);
		if (__rte_node_register(&reg) == RTE_NODE_ID_INVALID) {
			log_err("graph: cannot register node for element kind '%s': %s",
				k->name, rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

unsigned mbox_nodes_registered(void)
{
	return rte_node_max_count();
}

struct mbox_elem_rt *mbox_generation_rt(const struct mbox_generation *gen,
					unsigned element, unsigned worker)
{
	return gen->rt[element * gen->n_workers + worker];
}

/* Clone `k` of the kind's nodes in clone set `set` (registered on first use). */
static rte_node_t clone_slot(const struct mbox_kind *kind, int set, unsigned k, char name[RTE_NODE_NAMESIZE])
{
	char suffix[16];
	rte_node_t id;

	snprintf(suffix, sizeof(suffix), "s%d_%u", set, k);
	/* rte_node_clone() names the clone "<parent>-<suffix>". */
	snprintf(name, RTE_NODE_NAMESIZE, NODE_PREFIX "%.40s-%s", kind->name, suffix);
	id = rte_node_from_name(name);
	return id != RTE_NODE_ID_INVALID ? id : rte_node_clone(base_node(kind), suffix);
}

/* The element's rank among those of its kind before it. */
static unsigned kind_rank(const struct mbox_config *cfg, unsigned i)
{
	unsigned k = 0;

	for (unsigned j = 0; j < i; j++)
		k += cfg->elements[j].kind == cfg->elements[i].kind;
	return k;
}

/* Each element's node: its clone slot, its edges replaced by its outputs
 * (no graph holds the set's nodes now: DPDK copies edges into a graph when
 * it creates it). */
static int link_nodes(struct mbox_generation *gen, char names[][RTE_NODE_NAMESIZE])
{
	struct mbox_config *cfg = gen->cfg;

	for (unsigned i = 0; i < cfg->n_elements; i++) {
		gen->node_ids[i] = clone_slot(cfg->elements[i].kind, gen->clone_set, kind_rank(cfg, i), names[i]);
		if (gen->node_ids[i] == RTE_NODE_ID_INVALID) {
			log_err("graph: cannot create node for element '%s': %s",
				cfg->elements[i].name, rte_strerror(rte_errno));
			return -1;
		}
	}
	for (unsigned i = 0; i < cfg->n_elements; i++) {
		const struct mbox_element *e = &cfg->elements[i];
		const char *next[MBOX_MAX_OUTPUTS];
		rte_edge_t n = (rte_edge_t)e->n_outputs;

		for (unsigned o = 0; o < e->n_outputs; o++)
			next[o] = names[e->output_target[o]];
		if (rte_node_edge_update(gen->node_ids[i], 0, next, n) != n ||
		    rte_node_edge_shrink(gen->node_ids[i], n) != n) {
			log_err("graph: cannot link the outputs of element '%s'", e->name);
			return -1;
		}
	}
	return 0;
}

/* Which element of `from` each element continues: the same name and kind. */
static void trace_lineage(struct mbox_generation *gen, const struct mbox_generation *from)
{
	for (unsigned i = 0; i < gen->cfg->n_elements; i++) {
		const struct mbox_element *e = &gen->cfg->elements[i];
		int j = from ? mbox_config_element_index(from->cfg, e->name) : -1;

		gen->lineage[i].prev = j >= 0 && from->cfg->elements[j].kind == e->kind ? j : -1;
	}
}

static int create_shared(struct mbox_generation *gen)
{
	for (unsigned i = 0; i < gen->cfg->n_elements; i++) {
		struct mbox_element *e = &gen->cfg->elements[i];
		struct mbox_lineage *l = &gen->lineage[i];

		l->adopted = l->prev >= 0 && e->kind->adopt &&
			     e->kind->adopt(e, &gen->from->cfg->elements[l->prev]);
		if (!l->adopted && e->kind->create && e->kind->create(e) < 0) {
			log_err("graph: element '%s' (%s) failed to create its tables", e->name, e->kind->name);
			return -1;
		}
		gen->n_created = i + 1;
	}
	return 0;
}

static int alloc_runtime(struct mbox_generation *gen, struct mbox_worker *workers)
{
	struct mbox_config *cfg = gen->cfg;

	/* An array of pointers, one per element and worker. */
	gen->rt = rte_zmalloc("mbox_rt_index", sizeof(struct mbox_elem_rt *) * cfg->n_elements * gen->n_workers, 0);
	if (!gen->rt)
		return -1;
	for (unsigned i = 0; i < cfg->n_elements; i++) {
		const struct mbox_element *e = &cfg->elements[i];

		for (unsigned w = 0; w < gen->n_workers; w++) {
			struct mbox_elem_rt *rt = rte_zmalloc_socket("mbox_rt",
				sizeof(*rt) + e->kind->worker_size, RTE_CACHE_LINE_SIZE,
				(int)rte_lcore_to_socket_id(workers[w].lcore));

			if (!rt) {
				log_err("graph: out of memory for element '%s'", e->name);
				return -1;
			}
			gen->rt[i * gen->n_workers + w] = rt;
			rt->rows = rte_zmalloc_socket("mbox_rows", sizeof(uint64_t) * (mbox_element_n_rows(e) + 1),
						      RTE_CACHE_LINE_SIZE, (int)rte_lcore_to_socket_id(workers[w].lcore));
			if (!rt->rows) {
				log_err("graph: out of memory for element '%s'", e->name);
				return -1;
			}
			rt->elem = e;
			rt->cfg = cfg;
			rt->worker = w;
			rt->worker_rx = &workers[w].rx_packets;
			rt->now = &workers[w].now;
			if (e->kind->start && e->kind->start(rt) < 0) {
				log_err("graph: element '%s' (%s) failed to start on worker %u",
					e->name, e->kind->name, w);
				return -1;
			}
		}
	}
	return 0;
}

/* The element whose node this is, -1: none. */
static int element_of_node(const struct mbox_generation *gen, rte_node_t id)
{
	for (unsigned i = 0; i < gen->cfg->n_elements; i++)
		if (gen->node_ids[i] == id)
			return (int)i;
	return -1;
}

/* Every node of the worker's new graph gets its element's state for that
 * worker as context; no worker walks the graph yet. */
static int bind_nodes(struct mbox_generation *gen, unsigned w)
{
	struct rte_node *node;
	rte_graph_off_t off;
	rte_node_t count;

	rte_graph_foreach_node(count, off, gen->graphs[w], node) {
		int i = element_of_node(gen, node->id);

		if (i < 0) {
			log_err("graph: node '%s' belongs to no element", node->name);
			return -1;
		}
		*(struct mbox_elem_rt **)node->ctx = mbox_generation_rt(gen, (unsigned)i, w);
		gen->nodes[(unsigned)i * gen->n_workers + w] = node;
	}
	return 0;
}

static int create_graphs(struct mbox_generation *gen, struct mbox_worker *workers,
			 char names[][RTE_NODE_NAMESIZE])
{
	struct mbox_config *cfg = gen->cfg;
	const char *patterns[MBOX_MAX_ELEMENTS];

	for (unsigned i = 0; i < cfg->n_elements; i++)
		patterns[i] = names[i];
	for (unsigned w = 0; w < gen->n_workers; w++) {
		char name[RTE_GRAPH_NAMESIZE];
		struct rte_graph_param prm = {
			.socket_id = (int)rte_lcore_to_socket_id(workers[w].lcore),
			.nb_node_patterns = (uint16_t)cfg->n_elements,
			.node_patterns = patterns,
		};

		snprintf(name, sizeof(name), "mbox_g%u_w%u", gen->id, w);
		gen->graph_ids[w] = rte_graph_create(name, &prm);
		if (gen->graph_ids[w] == RTE_GRAPH_ID_INVALID) {
			log_err("graph: cannot create graph for worker %u: %s", w, rte_strerror(rte_errno));
			return -1;
		}
		gen->graphs[w] = rte_graph_lookup(name);
		if (!gen->graphs[w] || bind_nodes(gen, w) < 0)
			return -1;
	}
	return 0;
}

struct mbox_generation *mbox_generation_build(struct mbox_config *cfg, unsigned id,
					      struct mbox_worker *workers,
					      const struct mbox_generation *from)
{
	struct mbox_generation *gen = rte_zmalloc("mbox_gen", sizeof(*gen), 0);
	char names[MBOX_MAX_ELEMENTS][RTE_NODE_NAMESIZE];
	size_t n = cfg->n_elements + 1;

	if (!gen) {
		log_err("graph: out of memory");
		mbox_config_free(cfg);
		return NULL;
	}
	gen->id = id;
	gen->cfg = cfg;
	gen->n_workers = cfg->dpdk.workers;
	gen->from = from;
	for (unsigned w = 0; w < MBOX_MAX_LCORES; w++)
		gen->graph_ids[w] = RTE_GRAPH_ID_INVALID;
	gen->clone_set = take_clone_set();
	gen->carried = rte_zmalloc("mbox_carried", sizeof(*gen->carried) * n, 0);
	gen->lineage = rte_zmalloc("mbox_lineage", sizeof(*gen->lineage) * n, 0);
	gen->nodes = rte_zmalloc("mbox_nodes", sizeof(struct rte_node *) * n * gen->n_workers, 0);
	if (!gen->carried || !gen->lineage || !gen->nodes) {
		log_err("graph: out of memory");
		mbox_generation_free(gen);
		return NULL;
	}
	trace_lineage(gen, from);
	if (gen->clone_set < 0 || link_nodes(gen, names) < 0 || create_shared(gen) < 0 ||
	    alloc_runtime(gen, workers) < 0 || create_graphs(gen, workers, names) < 0) {
		mbox_generation_free(gen);
		return NULL;
	}
	return gen;
}

/* Frees everything the generation owns and gives its clone set back
 * (DPDK keeps the clones registered for the next generation to reuse). */
void mbox_generation_free(struct mbox_generation *gen)
{
	if (!gen)
		return;
	for (unsigned w = 0; w < gen->n_workers; w++)
		if (gen->graph_ids[w] != RTE_GRAPH_ID_INVALID)
			rte_graph_destroy(gen->graph_ids[w]);
	if (gen->rt) {
		for (unsigned i = 0; i < gen->cfg->n_elements * gen->n_workers; i++)
			if (gen->rt[i]) {
				rte_free(gen->rt[i]->rows);
				rte_free(gen->rt[i]);
			}
		rte_free(gen->rt);
	}
	for (unsigned i = 0; i < gen->n_created; i++) {
		struct mbox_element *e = &gen->cfg->elements[i];

		/* Adopted state still belongs to the generation it came from. */
		if (e->kind->destroy && !gen->lineage[i].adopted)
			e->kind->destroy(e);
	}
	give_back_clone_set(gen->clone_set);
	mbox_config_free(gen->cfg);
	rte_free(gen->carried);
	rte_free(gen->lineage);
	rte_free(gen->nodes);
	rte_free(gen);
}
