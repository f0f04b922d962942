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
	bool element_cycles;  /* time every node call (two TSC reads) */
};

#define MBOX_MAX_SNMP_ENTRIES 16

/* What an SNMP user or community may see (snmpd VACM views written by
 * mboxd --snmpd-conf); the order of mbox_snmp_view_names. */
enum mbox_snmp_view {
	MBOX_VIEW_FULL,    /* system, interfaces, SNMP statistics, MBOX-MIB */
	MBOX_VIEW_MONITOR, /* the same less the configuration values */
};
extern const char *const mbox_snmp_view_names[];

struct mbox_snmp_user {
	const char *name, *auth_pass, *priv_pass; /* SHA authentication, AES privacy */
	bool write;
	enum mbox_snmp_view view;
};

struct mbox_snmp_community {
	const char *name, *source; /* read-only SNMPv2c, from source (host or prefix) */
	enum mbox_snmp_view view;
};

struct mbox_trap_sink {
	const char *address, *community; /* SNMPv2c trap destination */
};

/* The "snmp" section: the embedded AgentX subagent, and what
 * `mboxd --snmpd-conf` writes for the master snmpd. */
struct mbox_snmp_cfg {
	bool enabled;
	const char *agentx_socket;
	unsigned ping_interval;     /* seconds between AgentX pings (reconnects) */
	const char *listen;         /* snmpd agentaddress */
	unsigned if_index_base;     /* ifIndex of port i is base + i + 1 */
	unsigned n_users, n_communities, n_trap_sinks;
	struct mbox_snmp_user users[MBOX_MAX_SNMP_ENTRIES];
	struct mbox_snmp_community communities[MBOX_MAX_SNMP_ENTRIES];
	struct mbox_trap_sink trap_sinks[MBOX_MAX_SNMP_ENTRIES];
};

/* The "thresholds" section: alarms checked once a second (0: off). */
enum mbox_threshold { /* the order of mbox_threshold_params */
	THRESHOLD_DROP_RATE,  /* packets per second, per element or port */
	THRESHOLD_CORE_BUSY,  /* percent of busy graph walks, per worker */
	THRESHOLD_POOL_USAGE, /* percent of the mbuf pool in use */
	THRESHOLD_TABLE_FILL, /* percent of an element's table (NAT sessions) */
	MBOX_THRESHOLDS
};

struct mbox_thresholds {
	unsigned limit[MBOX_THRESHOLDS];
};

struct mbox_config {
	config_t lc;          /* owns every string the structures point to */
	char *text;           /* the text lc was parsed from */
	void *arena;          /* blocks from mbox_config_alloc, freed together */
	const char *file;
	struct mbox_dpdk_cfg dpdk;
	unsigned n_ports;
	struct mbox_port_cfg ports[MBOX_MAX_PORTS];
	unsigned n_elements;
	struct mbox_element elements[MBOX_MAX_ELEMENTS];
	struct mbox_snmp_cfg snmp;
	struct mbox_thresholds thresholds;
};

/* One change to apply to a configuration's text: parameter `param` of
 * element `element`, or (element < 0) field `param` of the thresholds
 * section, set to `text` as an SNMP manager writes it (strings without
 * quotes; the empty text unsets an optional parameter). */
/* One change to a configuration: a whole value, or one item (row) of a
 * MBOX_P_LIST parameter.  Rows count from 0; later rows shift on insert
 * and delete. */
enum mbox_edit_op { EDIT_VALUE, EDIT_ROW_SET, EDIT_ROW_INSERT, EDIT_ROW_DELETE };

struct mbox_edit {
	int element;  /* -1: the thresholds section */
	const struct mbox_param *param;
	const char *text; /* EDIT_ROW_*: one item "{ ... }" (braces optional) */
	enum mbox_edit_op op;
	unsigned row;
};

extern const struct mbox_param mbox_threshold_params[];

/* Parse and validate `file`.  Returns a configuration, or NULL after every
 * error found was reported to d. */
struct mbox_config *mbox_config_load(const char *file, struct mbox_diag *d);
/* The same for text already in memory; `file` names it in messages. */
struct mbox_config *mbox_config_parse(const char *file, const char *text, struct mbox_diag *d);
/* Check `text` as a value of parameter q, as the configuration file would:
 * type, range and syntax (port names against cfg's ports).  Returns 0, or
 * -1 after reporting to d. */
int mbox_config_check_value(const struct mbox_config *cfg, const struct mbox_param *q,
			    const char *what, const char *text, struct mbox_diag *d);
/* Write text over file atomically (temporary file, fsync, rename, fsync of
 * the directory).  Returns 0, or -1 with why in err. */
int mbox_config_write_file(const char *file, const char *text, char *err, size_t err_size);
/* The same with cfg's text over its file. */
int mbox_config_save(const struct mbox_config *cfg, char *err, size_t err_size);
/* cfg's text with the edits applied (malloc'ed; comments are not kept), or
 * NULL after reporting to d.  The result still needs mbox_config_parse. */
char *mbox_config_edit(const struct mbox_config *cfg, const struct mbox_edit *edits,
		       unsigned n, struct mbox_diag *d);
/* A value as text, the way an SNMP manager reads it and mbox_config_edit
 * takes it: integers in decimal, strings without quotes, lists in
 * configuration syntax.  Returns buf. */
char *mbox_config_value_text(const struct mbox_config *cfg, int element,
			     const struct mbox_param *q, char *buf, size_t size);
/* Item `row` of list parameter q of an element as text "{ ... }". */
char *mbox_config_row_text(const struct mbox_config *cfg, unsigned element,
			   const struct mbox_param *q, unsigned row, char *buf, size_t size);
/* Check one list item's text against q's item schema (as in a SET). */
int mbox_config_check_row(const struct mbox_config *cfg, const struct mbox_param *q,
			  const char *what, const char *text, struct mbox_diag *d);
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
