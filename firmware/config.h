/* The libconfig configuration: parsed and fully validated without touching
 * DPDK, so `mboxd --check` and the unit tests run anywhere. */
#ifndef MBOX_CONFIG_H
#define MBOX_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>

#include "diag.h"
#include "element.h"

#define MBOX_MAX_PORTS 32
#define MBOX_MAX_ELEMENTS 256
#define MBOX_MAX_LCORES 128

struct mbox_port_cfg {
	char name[MBOX_NAME_MAX + 1];
	const char *device;   /* PCI address or vdev string */
	bool is_pci;
	unsigned rx_queues;   /* RSS queues; worker w polls queue w if w < rx_queues */
	unsigned rx_desc, tx_desc;
	unsigned mtu;         /* 0: leave the device default */
	bool promiscuous;
	int line;
};

struct mbox_dpdk_cfg {
	const char *lcores;   /* EAL -l list, e.g. "0,1" or "0-3" */
	unsigned main_lcore;
	unsigned workers;     /* lcores other than the main one */
	unsigned worker_lcores[MBOX_MAX_LCORES];
	unsigned memory_mb;
	unsigned mbufs;       /* mbufs in the packet pool */
	const char *file_prefix;
	const char **eal_args;
	unsigned n_eal_args;
};

struct mbox_config {
	config_t lc;          /* owns every string the structures point to */
	void *arena;          /* blocks from mbox_config_alloc, freed together */
	const char *file;
	struct mbox_dpdk_cfg dpdk;
	unsigned n_ports;
	struct mbox_port_cfg ports[MBOX_MAX_PORTS];
	unsigned n_elements;
	struct mbox_element elements[MBOX_MAX_ELEMENTS];
};

/* Parse and validate `file`.  Returns a configuration, or NULL after every
 * error found was reported to d. */
struct mbox_config *mbox_config_load(const char *file, struct mbox_diag *d);
void mbox_config_free(struct mbox_config *cfg);
/* Zeroed memory that lives as long as cfg; aborts when memory is exhausted. */
void *mbox_config_alloc(struct mbox_config *cfg, size_t size);

int mbox_config_element_index(const struct mbox_config *cfg, const char *name);
int mbox_config_port_index(const struct mbox_config *cfg, const char *name);

/* Whether b can replace a on a running mboxd: same EAL settings and ports.
 * If not, names the first difference in why. */
bool mbox_config_same_platform(const struct mbox_config *a, const struct mbox_config *b,
			       char *why, size_t why_size);

/* Print every registered element kind and its parameters. */
void mbox_kinds_print(FILE *out);

#endif
