/* The element framework: what an element kind declares, and the fast-path
 * helpers its process function uses.  An element kind is one file in
 * elements/ that fills one struct mbox_kind and registers it with
 * MBOX_ELEMENT_REGISTER; the core knows nothing else about it. */
#ifndef MBOX_ELEMENT_H
#define MBOX_ELEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_graph.h>
#include <rte_graph_worker.h>
#include <rte_mbuf.h>

#include "diag.h"

#define MBOX_MAX_OUTPUTS 32
#define MBOX_MAX_COUNTERS 12
#define MBOX_NAME_MAX 32
#define MBOX_KIND_NAME_MAX 16

enum mbox_ptype {
	MBOX_P_UINT,   /* integer in [min, max] */
	MBOX_P_BOOL,
	MBOX_P_STRING, /* non-empty text */
	MBOX_P_MAC,    /* "aa:bb:cc:dd:ee:ff" */
	MBOX_P_PORT,   /* name of a port in the ports section */
	MBOX_P_LIST,   /* list of groups, each described by .fields */
	MBOX_P_STRLIST, /* list or array of strings */
	MBOX_P_IPV4,   /* "192.0.2.1" */
	MBOX_P_PREFIX, /* "192.0.2.0/24" (a bare address means /32) */
	MBOX_P_RANGE,  /* "LO-HI" or "N", both within [min, max] */
	MBOX_P_ENUM,   /* one of .choices */
};

/* One parameter of an element kind (or one field of a list item). */
struct mbox_param {
	const char *name;
	enum mbox_ptype type;
	const char *help;
	const char *def;     /* default as text; NULL: required unless optional */
	bool optional;       /* may be absent (value.present == false) */
	bool writable;       /* may be changed at run time (by a manager) */
	uint64_t min, max;   /* MBOX_P_UINT range, MBOX_P_LIST item count */
	const struct mbox_param *fields; /* MBOX_P_LIST: item schema, {0}-ended */
	const char *const *choices;      /* MBOX_P_ENUM: NULL-ended */
	/* MBOX_P_ENUM, optional: one entry per choice (index as in choices;
	 * size it with RTE_DIM of the choices).  A non-NULL entry is a warning
	 * reported with file:line when a configuration sets that choice (a
	 * valid setting that is likely a mistake, e.g. a firewall left open). */
	const char *const *warnings;
};

struct mbox_value {
	bool present;
	int line; /* where it was set in the configuration, 0 for defaults */
	union {
		uint64_t u;     /* MBOX_P_UINT; MBOX_P_ENUM: index into choices */
		bool b;
		const char *s;
		struct rte_ether_addr mac;
		unsigned port;  /* index into the configuration's ports */
		struct {
			uint32_t addr; /* host order; host bits are zero for prefixes */
			uint8_t len;   /* 32 for MBOX_P_IPV4 */
		} ip;
		struct {
			uint64_t lo, hi;
		} range;
		struct {
			unsigned n;
			struct mbox_value *items; /* n * number of fields */
		} list;
	};
};

struct mbox_config;
struct mbox_kind;

/* One configured element instance (control-side, read-only once built). */
struct mbox_element {
	char name[MBOX_NAME_MAX + 1];
	const struct mbox_kind *kind;
	const char *file;
	int line;
	struct mbox_value *values; /* one per kind parameter, in declaration order */
	void *priv;                /* kind's parsed configuration, from setup() */
	void *dp;                  /* kind's shared data-plane state, from create() */
	unsigned n_outputs;
	const char *output_names[MBOX_MAX_OUTPUTS];
	int output_target[MBOX_MAX_OUTPUTS]; /* element index, -1: unconnected */
	int output_line[MBOX_MAX_OUTPUTS];   /* link that connected it */
	unsigned n_inputs;
};

/* Per element instance and per worker: the node context points here.
 * Written only by its worker; read by the control thread for statistics. */
struct mbox_elem_rt {
	const struct mbox_element *elem;
	const struct mbox_config *cfg;
	unsigned worker;       /* worker index, 0-based */
	uint64_t *worker_rx;   /* the worker's received-packets counter */
	const uint64_t *now;   /* the worker's clock: read it with mbox_now() */
	uint64_t drops;
	uint64_t counters[MBOX_MAX_COUNTERS];
	uint64_t out[MBOX_MAX_OUTPUTS];
	uint64_t *rows;        /* per item of kind->counted_list: hits */
	uint8_t priv[] __rte_cache_aligned; /* kind->worker_size bytes */
} __rte_cache_aligned;

struct mbox_kind {
	const char *name;
	const char *description;
	const struct mbox_param *params;  /* {0}-ended */
	const char *const *outputs;       /* NULL-ended; NULL: none (sink) */
	const char *outputs_text;         /* for kinds whose setup() names outputs */
	const char *const *counters;      /* NULL-ended kind-specific counters */
	bool source;                      /* polled by the worker (no input) */
	size_t worker_size;               /* bytes of per-worker state */
	/* Validate cross-parameter rules, build priv, and (for kinds whose
	 * outputs depend on the configuration) set n_outputs/output_names.
	 * Runs at --check time: no DPDK calls; allocate with mbox_config_alloc.
	 * Returns 0, or -1 after reporting to d. */
	int (*setup)(struct mbox_element *e, struct mbox_config *cfg,
		     struct mbox_diag *d);
	/* Build state shared by all workers (rte_acl, rte_fib, rte_hash ...)
	 * into e->dp.  Control thread, DPDK running, before any start().
	 * Returns 0, or -1 after logging why. */
	int (*create)(struct mbox_element *e);
	/* Continue the shared state of `old`, the element of the running
	 * generation with the same name and kind (sessions, numbering), when
	 * e's settings allow: set e->dp = old->dp and return true; create()
	 * is then not called.  Both generations use the state until every
	 * worker has switched (a worker walks one of them, never both); then
	 * e owns it and old's destroy() sees e->dp NULL.  false: create(). */
	bool (*adopt)(struct mbox_element *e, const struct mbox_element *old);
	/* Free what create() built; no worker uses the generation any more.
	 * e->dp may be NULL (never created, or handed to a successor). */
	void (*destroy)(struct mbox_element *e);
	/* Prepare rt->priv for one worker; DPDK is running. */
	int (*start)(struct mbox_elem_rt *rt);
	/* On the worker, between its last walk of the old generation and its
	 * first of the new: continue the per-worker state of `from` (the same
	 * name and kind) in `to` (meter buckets).  Also run backwards when a
	 * change is undone. */
	void (*handoff)(struct mbox_elem_rt *to, const struct mbox_elem_rt *from);
	/* Control-thread work every 100 ms while the element runs (drain rings
	 * the workers fill, expire state, publish new tables); rts[w] is the
	 * runtime of worker w.  Never called concurrently with itself. */
	void (*control)(struct mbox_element *e, struct mbox_elem_rt *const *rts, unsigned n_workers);
	/* A MBOX_P_LIST parameter whose items each count hits: rt->rows[i]
	 * (per worker; summed for the statistics API). */
	const char *counted_list;
	/* Kinds with a table that can fill (NAT sessions): the counter that
	 * holds the entries in use (summed over workers) and the UINT
	 * parameter that holds the capacity.  Management reports the fill and
	 * raises an alarm when it passes the table_fill threshold.
	 * The counter is a gauge of the table: it is not carried across
	 * changes like the others, but moves with the table when adopted. */
	const char *fill_counter;
	const char *fill_capacity;
	rte_node_process_t process;
	struct mbox_kind *next; /* registry link */
};

void mbox_kind_register(struct mbox_kind *kind);
const struct mbox_kind *mbox_kind_find(const char *name);
const struct mbox_kind *mbox_kind_first(void);
unsigned mbox_kind_n_params(const struct mbox_kind *kind);
/* Index of counter `name` in kind->counters, -1 if absent. */
int mbox_kind_counter_index(const struct mbox_kind *kind, const char *name);
int mbox_kind_param_index(const struct mbox_kind *kind, const char *name);

/* Ports as elements use them (index: position in the ports section). */
uint16_t mbox_port_id(unsigned port_index);
/* The port's administrative state (ifAdminStatus), read once per burst. */
const bool *mbox_port_admin_flag(unsigned port_index);

#define MBOX_ELEMENT_REGISTER(kind)                                      \
	RTE_INIT(mbox_register_##kind) { mbox_kind_register(&(kind)); }

/* Value of parameter `name` of element e (the name must be declared). */
const struct mbox_value *mbox_param(const struct mbox_element *e,
				    const char *name);
/* Items of the element's kind->counted_list (0 when it counts none). */
unsigned mbox_element_n_rows(const struct mbox_element *e);
/* Field `name` of item i of a list value described by `fields`. */
const struct mbox_value *mbox_list_field(const struct mbox_value *list,
					 const struct mbox_param *fields,
					 unsigned i, const char *name);

/* ---- fast path helpers ---- */

static __rte_always_inline struct mbox_elem_rt *
mbox_rt(struct rte_node *node)
{
	return *(struct mbox_elem_rt **)node->ctx;
}

/* Pass the whole burst to one output without copying the object array. */
static __rte_always_inline void
mbox_forward_all(struct rte_graph *graph, struct rte_node *node,
		 struct mbox_elem_rt *rt, rte_edge_t edge, uint16_t n)
{
	rt->out[edge] += n;
	rte_node_next_stream_move(graph, node, edge);
}

static __rte_always_inline void
mbox_forward_one(struct rte_graph *graph, struct rte_node *node,
		 struct mbox_elem_rt *rt, rte_edge_t edge, void *obj)
{
	rt->out[edge]++;
	rte_node_enqueue_x1(graph, node, edge, obj);
}

/* Send objs[0..kept) to `edge` after a loop that took the others out of
 * the burst (dropped or sent elsewhere): the whole stream moves without
 * copying when it kept everything. */
static __rte_always_inline void
mbox_forward_kept(struct rte_graph *graph, struct rte_node *node, struct mbox_elem_rt *rt,
		  rte_edge_t edge, void **objs, uint16_t kept, uint16_t n)
{
	if (likely(kept == n)) {
		mbox_forward_all(graph, node, rt, edge, n);
	} else if (kept) {
		rt->out[edge] += kept;
		rte_node_enqueue(graph, node, edge, objs, kept);
	}
}

/* The time in TSC cycles (rte_get_tsc_hz() a second), the one clock
 * elements read: the worker reads the TSC once per walk, so it costs a load;
 * the unit harness sets it, so tests step time instead of sleeping.  Workers'
 * clocks may differ by a walk: compare times from several workers with that
 * in mind (a later time from another worker is not an underflow). */
static __rte_always_inline uint64_t
mbox_now(const struct mbox_elem_rt *rt)
{
	/* Relaxed: a plain load, and start() may read it on the control thread. */
	return __atomic_load_n(rt->now, __ATOMIC_RELAXED);
}

static __rte_always_inline void
mbox_drop(struct mbox_elem_rt *rt, void **objs, uint16_t n)
{
	rt->drops += n;
	rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, n);
}

#endif
