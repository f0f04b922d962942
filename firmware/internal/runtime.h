/* The running data plane: ports, workers and the generation of graphs they
 * walk.  Elements use the port and worker queries; the control thread owns
 * everything else. */
#ifndef MBOX_RUNTIME_H
#define MBOX_RUNTIME_H

#include <stdint.h>

#include <rte_graph.h>
#include <rte_mempool.h>

#include "config.h"
#include "stats.h"

struct mbox_worker {
	unsigned index;
	unsigned lcore;
	/* Published by the control thread / what the worker walks now (atomic). */
	const struct mbox_generation *gen;
	const struct mbox_generation *in_use;
	/* Written by the worker only, read by the control thread. */
	uint64_t rx_packets;
	uint64_t walks;
	uint64_t busy_walks;
	uint64_t switches;           /* generations switched to */
	uint64_t switch_cycles_max;  /* longest pause between walks at a switch */
	uint64_t now;                /* TSC at the start of the current walk: the elements' clock */
} __rte_cache_aligned;

/* How an element continues one of the generation it replaces. */
struct mbox_lineage {
	int prev;       /* index of the element with its name and kind there, -1: none */
	bool adopted;   /* uses prev's shared state (kind->adopt); prev owns it until commit */
	uint8_t change; /* enum mbox_element_change, recorded at commit */
};

/* One configuration made runnable: a node clone for each element (from the
 * generation's clone set, graph.c) and one graph per worker.  Replaced as a
 * whole on reload. */
struct mbox_generation {
	unsigned id;
	struct mbox_config *cfg;
	unsigned n_workers;
	int clone_set;
	rte_node_t node_ids[MBOX_MAX_ELEMENTS];
	rte_graph_t graph_ids[MBOX_MAX_LCORES];
	struct rte_graph *graphs[MBOX_MAX_LCORES];
	struct rte_node **nodes;  /* [element * n_workers + worker], in graphs[worker] */
	struct mbox_elem_rt **rt; /* [element * n_workers + worker] */
	unsigned n_created;       /* elements whose kind create() ran */
	/* Per element: counts of earlier generations it continues (control
	 * thread only; the statistics API adds them). */
	struct mbox_element_stats *carried;
	/* The generation this one replaces, until the change is committed
	 * (workers compare it at their switch); per element, what it
	 * continues there; the names of the elements the change removed. */
	const struct mbox_generation *from;
	struct mbox_lineage *lineage;
	char removed[256];
};

/* ports.c */
int mbox_ports_start(const struct mbox_config *cfg, struct rte_mempool *pool);
void mbox_ports_stop(const struct mbox_config *cfg);
/* Log link changes since the last call. */
void mbox_ports_poll_links(const struct mbox_config *cfg);
/* Every control tick: wake TAP ports whose receiving an empty pool cut
 * short (ports.c says why). */
void mbox_ports_rearm_rx(const struct mbox_config *cfg);

/* graph.c */
int mbox_nodes_register(void);
/* Node clones registered with DPDK (bounded: graph.c reuses them). */
unsigned mbox_nodes_registered(void);
/* Takes ownership of cfg (freed with the generation, or at once on failure).
 * from: the running generation it will replace (its elements' state is
 * continued), NULL at start. */
struct mbox_generation *mbox_generation_build(struct mbox_config *cfg, unsigned id,
					      struct mbox_worker *workers,
					      const struct mbox_generation *from);
/* On worker `worker`, between walks, as it moves from one generation to
 * another: continue per-worker state forward (to replaces from) or back
 * (a change undone). */
void mbox_generation_switch(const struct mbox_generation *to, const struct mbox_generation *from,
			    unsigned worker);
/* Once no worker walks `from` (NULL for the first generation): the change
 * is final.  `to` records what changed, continues the counters of the
 * elements it continues and owns the state it adopted. */
void mbox_generation_commit(struct mbox_generation *to, struct mbox_generation *from);
/* A published change undone: every worker is back on `to` and none walks
 * `undone` any more; what undone's elements counted in between goes back
 * to the elements they continued, so no packet leaves the statistics. */
void mbox_generation_undo(struct mbox_generation *to, const struct mbox_generation *undone);
void mbox_generation_free(struct mbox_generation *gen);
struct mbox_elem_rt *mbox_generation_rt(const struct mbox_generation *gen,
					unsigned element, unsigned worker);

/* generation.c */
/* Run every element's control hook (control thread, every tick). */
void mbox_generation_control(const struct mbox_generation *gen);
/* "9 elements: 1 added, 2 changed, 0 replaced; removed: a,b" into buf. */
const char *mbox_generation_summary(const struct mbox_generation *gen, char *buf, size_t size);

/* stats.c: what a generation's workers counted, read without locks (any
 * thread; the generation must stay alive meanwhile). */
/* Element i of gen: its workers' counts plus what earlier generations
 * carried over to it. */
void mbox_stats_read_element(const struct mbox_generation *gen, unsigned i, struct mbox_element_stats *out);
uint64_t mbox_stats_read_row_hits(const struct mbox_generation *gen, unsigned element, unsigned row);
void mbox_stats_read_core(const struct mbox_worker *w, struct mbox_core_stats *out);

#endif
