/* The management side's sections of the configuration: snmp (the AgentX
 * subagent and what `mboxd --snmpd-conf` writes) and thresholds (alarms).
 * They register with the core's section registry like element kinds. */
#ifndef MBOX_AGENT_SECTIONS_H
#define MBOX_AGENT_SECTIONS_H

#include <stdbool.h>

#include "config.h"

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

struct mbox_snmp_cfg {
	bool configured;            /* the file has an snmp section */
	bool enabled;
	const char *agentx_socket;
	unsigned ping_interval;     /* seconds between AgentX pings (reconnects) */
	const char *listen;         /* snmpd agentaddress */
	const char *sys_name;       /* sysName, or NULL: snmpd's default */
	unsigned if_index_base;     /* ifIndex of port i is base + i + 1 */
	unsigned n_users, n_communities, n_trap_sinks;
	struct mbox_snmp_user users[MBOX_MAX_SNMP_ENTRIES];
	struct mbox_snmp_community communities[MBOX_MAX_SNMP_ENTRIES];
	struct mbox_trap_sink trap_sinks[MBOX_MAX_SNMP_ENTRIES];
};

/* Alarms checked once a second (0: off); the order of the section's schema
 * is the MIB's, mbox_thresholds_schema names them. */
enum mbox_threshold {
	THRESHOLD_DROP_RATE,  /* packets per second, per element or port */
	THRESHOLD_CORE_BUSY,  /* percent of busy graph walks, per worker */
	THRESHOLD_POOL_USAGE, /* percent of the mbuf pool in use */
	THRESHOLD_TABLE_FILL, /* percent of an element's table (NAT sessions) */
	MBOX_THRESHOLDS
};

struct mbox_thresholds {
	unsigned limit[MBOX_THRESHOLDS];
};

extern const struct mbox_param mbox_threshold_params[];
extern struct mbox_section mbox_thresholds_section;

const struct mbox_snmp_cfg *mbox_snmp_cfg(const struct mbox_config *cfg);
const struct mbox_thresholds *mbox_thresholds_cfg(const struct mbox_config *cfg);
/* threshold t's field in the thresholds section */
const struct mbox_param *mbox_threshold_param(enum mbox_threshold t);

#endif
