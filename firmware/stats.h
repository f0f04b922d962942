/* The one statistics API of the forwarding core.  The control thread (and
 * the management side that runs on it) reads ports, elements, cores and pools
 * through these calls; workers keep their counters per lcore without locks
 * and these functions sum them. */
#ifndef MBOX_STATS_H
#define MBOX_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#include "element.h"

struct mbox_port_stats {
	const char *name;
	const char *device;
	uint16_t port_id;
	struct rte_ether_addr mac;
	bool link_up;
	uint32_t speed_mbps;
	uint16_t mtu;
	uint64_t ipackets, opackets, ibytes, obytes;
	uint64_t ierrors, oerrors, imissed, rx_nombuf;
};

/* What the last change did to an element (recorded at commit). */
enum mbox_element_change { CHANGE_UNCHANGED = 1, CHANGE_ADDED, CHANGE_CHANGED, CHANGE_REPLACED };

struct mbox_element_stats {
	const char *name;
	const char *kind;
	uint64_t in;          /* packets handed to the element */
	uint64_t drops;       /* packets it freed */
	uint64_t cycles;      /* TSC cycles spent in it */
	uint64_t calls;       /* bursts processed */
	unsigned n_outputs;
	const char *const *output_names;
	uint64_t out[MBOX_MAX_OUTPUTS];
	const char *const *counter_names; /* NULL-ended, kind-specific */
	uint64_t counters[MBOX_MAX_COUNTERS];
	enum mbox_element_change change;
};

struct mbox_core_stats {
	unsigned worker;
	unsigned lcore;
	uint64_t walks;       /* graph walks */
	uint64_t busy_walks;  /* walks that received at least one packet */
	uint64_t packets;     /* packets received */
	uint64_t switches;    /* generations the worker switched to */
	uint64_t switch_ns_max; /* its longest pause between two walks at a switch */
};

struct mbox_pool_stats {
	const char *name;
	unsigned size;
	unsigned in_use;
};

unsigned mbox_stats_n_ports(void);
int mbox_stats_port(unsigned i, struct mbox_port_stats *out);
unsigned mbox_stats_n_elements(void);
int mbox_stats_element(unsigned i, struct mbox_element_stats *out);
/* Hit counters of the items of the element's kind->counted_list. */
unsigned mbox_stats_n_rows(unsigned element);
uint64_t mbox_stats_row_hits(unsigned element, unsigned row);
unsigned mbox_stats_n_cores(void);
int mbox_stats_core(unsigned worker, struct mbox_core_stats *out);
int mbox_stats_pool(struct mbox_pool_stats *out);
unsigned mbox_stats_generation(void);

/* What the data plane holds: DPDK's heap (hugepage memory, all sockets) and
 * the rte_graph nodes registered (element kinds and their clones). */
struct mbox_memory_stats {
	uint64_t heap_used, heap_free, heap_allocations;
	unsigned graph_nodes;
};
int mbox_stats_memory(struct mbox_memory_stats *out);
/* Every counter, one object a line: "port NAME key=value ...". */
void mbox_stats_dump(FILE *out);

#endif
