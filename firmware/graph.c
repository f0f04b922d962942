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

/* The generation whose graphs are being created: rte_graph_create() calls
 * node_init() synchronously on the control thread. */
static struct mbox_generation *building;
static unsigned building_worker;

static int node_init(const struct rte_graph *graph, struct rte_node *node)
{
	(void)graph;
	for (unsigned i = 0; building && i < building->cfg->n_elements; i++)
		if (building->node_ids[i] == node->id) {
			*(struct mbox_elem_rt **)node->ctx = mbox_generation_rt(building, i, building_worker);
			return 0;
		}
	log_err("graph: node '%s' belongs to no element", node->name);
	return -1;
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
			.init = node_init,
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

struct mbox_elem_rt *mbox_generation_rt(const struct mbox_generation *gen,
					unsigned element, unsigned worker)
{
	return gen->rt[element * gen->n_workers + worker];
}

static void node_name(char *buf, const struct mbox_generation *gen, unsigned i)
{
	const struct mbox_element *e = &gen->cfg->elements[i];

	snprintf(buf, RTE_NODE_NAMESIZE, NODE_PREFIX "%s-g%u_%s", e->kind->name, gen->id, e->name);
}

static int clone_nodes(struct mbox_generation *gen)
{
	struct mbox_config *cfg = gen->cfg;
	static char names[MBOX_MAX_ELEMENTS][RTE_NODE_NAMESIZE];

	for (unsigned i = 0; i < cfg->n_elements; i++) {
		char suffix[RTE_NODE_NAMESIZE];

		snprintf(suffix, sizeof(suffix), "g%u_%s", gen->id, cfg->elements[i].name);
		gen->node_ids[i] = rte_node_clone(base_node(cfg->elements[i].kind), suffix);
		if (gen->node_ids[i] == RTE_NODE_ID_INVALID) {
			log_err("graph: cannot create node for element '%s': %s",
				cfg->elements[i].name, rte_strerror(rte_errno));
			return -1;
		}
		node_name(names[i], gen, i);
	}
	for (unsigned i = 0; i < cfg->n_elements; i++) {
		const struct mbox_element *e = &cfg->elements[i];
		const char *next[MBOX_MAX_OUTPUTS];

		for (unsigned o = 0; o < e->n_outputs; o++)
			next[o] = names[e->output_target[o]];
		if (e->n_outputs &&
		    rte_node_edge_update(gen->node_ids[i], 0, next, e->n_outputs) != e->n_outputs) {
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
			if (e->kind->start && e->kind->start(rt) < 0) {
				log_err("graph: element '%s' (%s) failed to start on worker %u",
					e->name, e->kind->name, w);
				return -1;
			}
		}
	}
	return 0;
}

static int create_graphs(struct mbox_generation *gen, struct mbox_worker *workers)
{
	struct mbox_config *cfg = gen->cfg;
	static char names[MBOX_MAX_ELEMENTS][RTE_NODE_NAMESIZE];
	const char *patterns[MBOX_MAX_ELEMENTS];

	for (unsigned i = 0; i < cfg->n_elements; i++) {
		node_name(names[i], gen, i);
		patterns[i] = names[i];
	}
	building = gen;
	for (unsigned w = 0; w < gen->n_workers; w++) {
		char name[RTE_GRAPH_NAMESIZE];
		struct rte_graph_param prm = {
			.socket_id = (int)rte_lcore_to_socket_id(workers[w].lcore),
			.nb_node_patterns = (uint16_t)cfg->n_elements,
			.node_patterns = patterns,
		};

		building_worker = w;
		snprintf(name, sizeof(name), "mbox_g%u_w%u", gen->id, w);
		gen->graph_ids[w] = rte_graph_create(name, &prm);
		if (gen->graph_ids[w] == RTE_GRAPH_ID_INVALID) {
			log_err("graph: cannot create graph for worker %u: %s", w, rte_strerror(rte_errno));
			building = NULL;
			return -1;
		}
		gen->graphs[w] = rte_graph_lookup(name);
	}
	building = NULL;
	return 0;
}

struct mbox_generation *mbox_generation_build(struct mbox_config *cfg, unsigned id,
					      struct mbox_worker *workers,
					      const struct mbox_generation *from)
{
	struct mbox_generation *gen = rte_zmalloc("mbox_gen", sizeof(*gen), 0);

	if (!gen) {
		log_err("graph: out of memory");
		mbox_config_free(cfg);
		return NULL;
	}
	gen->id = id;
	gen->cfg = cfg;
	gen->n_workers = cfg->dpdk.workers;
	gen->from = from;
	gen->carried = rte_zmalloc("mbox_carried", sizeof(*gen->carried) * (cfg->n_elements + 1), 0);
	gen->lineage = rte_zmalloc("mbox_lineage", sizeof(*gen->lineage) * (cfg->n_elements + 1), 0);
	if (!gen->carried || !gen->lineage) {
		rte_free(gen->carried);
		rte_free(gen->lineage);
		log_err("graph: out of memory");
		rte_free(gen);
		mbox_config_free(cfg);
		return NULL;
	}
	for (unsigned w = 0; w < MBOX_MAX_LCORES; w++)
		gen->graph_ids[w] = RTE_GRAPH_ID_INVALID;
	trace_lineage(gen, from);
	if (clone_nodes(gen) < 0 || create_shared(gen) < 0 || alloc_runtime(gen, workers) < 0 ||
	    create_graphs(gen, workers) < 0) {
		mbox_generation_free(gen);
		return NULL;
	}
	return gen;
}

void mbox_generation_control(const struct mbox_generation *gen)
{
	struct rte_mempool *pool = mbox_dataplane_pool();

	for (unsigned i = 0; i < gen->cfg->n_elements; i++) {
		struct mbox_element *e = &gen->cfg->elements[i];

		if (e->kind->control)
			e->kind->control(e, &gen->rt[i * gen->n_workers], gen->n_workers);
	}
	/* What the hooks freed (capture copies, ARP requests) would otherwise
	 * stay in the control lcore's mempool cache, up to one and a half cache
	 * sizes the workers cannot take (a third of the smallest pool). */
	if (pool)
		rte_mempool_cache_flush(NULL, pool);
}

/* Same kind and every parameter with the same text. */
static bool same_settings(const struct mbox_config *a, unsigned i, const struct mbox_config *b, unsigned j)
{
	const struct mbox_kind *k = a->elements[i].kind;
	char x[1024], y[1024];

	for (unsigned q = 0; k->params[q].name; q++)
		if (strcmp(mbox_config_value_text(a, (int)i, &k->params[q], x, sizeof(x)),
			   mbox_config_value_text(b, (int)j, &k->params[q], y, sizeof(y))))
			return false;
	return true;
}

static void record_changes(struct mbox_generation *to, const struct mbox_generation *from)
{
	size_t len = 0;

	for (unsigned i = 0; i < to->cfg->n_elements; i++) {
		const struct mbox_element *e = &to->cfg->elements[i];
		int prev = from ? to->lineage[i].prev : -1;

		to->lineage[i].change = prev >= 0 ? (same_settings(to->cfg, i, from->cfg, (unsigned)prev) ?
						     CHANGE_UNCHANGED : CHANGE_CHANGED) :
					from && mbox_config_element_index(from->cfg, e->name) >= 0 ? CHANGE_REPLACED :
					CHANGE_ADDED;
	}
	to->removed[0] = '\0';
	for (unsigned j = 0; from && j < from->cfg->n_elements; j++)
		if (mbox_config_element_index(to->cfg, from->cfg->elements[j].name) < 0 && len < sizeof(to->removed))
			len += (size_t)snprintf(to->removed + len, sizeof(to->removed) - len, "%s%s", len ? "," : "",
						from->cfg->elements[j].name);
}

/* The fill counter is a gauge of the element's table: it moves with the
 * table (adopted) or starts at zero with a new one. */
static void continue_worker_state(struct mbox_elem_rt *to, const struct mbox_elem_rt *from, bool adopted)
{
	const struct mbox_kind *k = to->elem->kind;
	int gauge = mbox_kind_counter_index(k, k->fill_counter);

	if (adopted && gauge >= 0)
		to->counters[gauge] = from->counters[gauge];
	if (k->handoff)
		k->handoff(to, from);
}

/* On one worker: each element of `newer` with a predecessor in `older`
 * continues its state (forward), or hands it back (an undone change). */
static void continue_lineage(const struct mbox_generation *newer, const struct mbox_generation *older,
			     unsigned worker, bool forward)
{
	for (unsigned i = 0; i < newer->cfg->n_elements; i++) {
		const struct mbox_lineage *l = &newer->lineage[i];
		struct mbox_elem_rt *n, *o;

		if (l->prev < 0)
			continue;
		n = mbox_generation_rt(newer, i, worker);
		o = mbox_generation_rt(older, (unsigned)l->prev, worker);
		if (forward)
			continue_worker_state(n, o, l->adopted);
		else
			continue_worker_state(o, n, l->adopted);
	}
}

void mbox_generation_switch(const struct mbox_generation *to, const struct mbox_generation *from,
			    unsigned worker)
{
	if (__atomic_load_n(&to->from, __ATOMIC_ACQUIRE) == from)
		continue_lineage(to, from, worker, true);
	else if (__atomic_load_n(&from->from, __ATOMIC_ACQUIRE) == to)
		continue_lineage(from, to, worker, false);
}

void mbox_generation_commit(struct mbox_generation *to, struct mbox_generation *from)
{
	record_changes(to, from);
	if (!from)
		return;
	mbox_stats_carry_over(to, from);
	for (unsigned i = 0; i < to->cfg->n_elements; i++)
		if (to->lineage[i].adopted) {
			from->cfg->elements[to->lineage[i].prev].dp = NULL;
			to->lineage[i].adopted = false;
		}
	/* Every worker has switched: no switch compares it any more. */
	__atomic_store_n(&to->from, NULL, __ATOMIC_RELEASE);
}

const char *mbox_generation_summary(const struct mbox_generation *gen, char *buf, size_t size)
{
	unsigned n[CHANGE_REPLACED + 1] = { 0 };

	for (unsigned i = 0; i < gen->cfg->n_elements; i++)
		n[gen->lineage[i].change]++;
	snprintf(buf, size, "%u elements: %u added, %u changed, %u replaced; removed: %s", gen->cfg->n_elements,
		 n[CHANGE_ADDED], n[CHANGE_CHANGED], n[CHANGE_REPLACED], gen->removed[0] ? gen->removed : "none");
	return buf;
}

/* Frees graphs and per-worker state.  Node clones stay registered: DPDK
 * 22.11 cannot unregister nodes; each reload leaks one small clone per
 * element. */
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
	mbox_config_free(gen->cfg);
	rte_free(gen->carried);
	rte_free(gen->lineage);
	rte_free(gen);
}
