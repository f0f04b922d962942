/* The subagent's objects: a snapshot of every MBOX-MIB and IF-MIB instance
 * mboxd serves, rebuilt from the statistics API when older than a second
 * or when the configuration changed, and what the SET handler needs. */
#ifndef MBOX_AGENT_MIB_H
#define MBOX_AGENT_MIB_H

#include <stdbool.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "sections.h"

/* The enterprise number under which MBOX-MIB lives: the one place to
 * change it (with the MIB's MODULE-IDENTITY, see mib/README.md). */
#define MBOX_ENTERPRISE 99999
#define MBOX_OID 1, 3, 6, 1, 4, 1, MBOX_ENTERPRISE
#define IF_ENTRY_OID 1, 3, 6, 1, 2, 1, 2, 2, 1
#define IFX_ENTRY_OID 1, 3, 6, 1, 2, 1, 31, 1, 1, 1
#define MBOX_OID_MAX 20

/* The ifTable and ifXTable columns served for DPDK ports. */
#define MIB_IF_COLUMNS 18
#define MIB_IFX_COLUMNS 11
/* mboxThresholds columns of the thresholds section's fields, in order
 * (4 to 7 are the objects mboxThresholdCrossed carries). */
extern const unsigned mib_threshold_columns[MBOX_THRESHOLDS];
extern const unsigned mib_if_columns[MIB_IF_COLUMNS], mib_ifx_columns[MIB_IFX_COLUMNS];

/* Which SET an instance takes. */
enum mib_write {
	W_NONE,
	W_ACTION,      /* mboxAdminAction */
	W_PORT_ADMIN,  /* mboxPortAdminStatus, ifAdminStatus: index = port */
	W_PARAM,       /* mboxElementParamValue: index = element, sub = param */
	W_THRESHOLD,   /* mboxThreshold*: sub = threshold */
	W_ROW_VALUE,   /* mboxElementRowValue: index = element, sub = param, row */
	W_ROW_STATUS,  /* mboxElementRowStatus: the same */
};

/* mboxElementRowEntry: its OID, and the columns a SET may create. */
#define MIB_ROW_ENTRY_OID MBOX_OID, 1, 3, 5, 1
enum { ROW_COL_VALUE = 2, ROW_COL_HITS = 3, ROW_COL_STATUS = 4 };

struct mib_obj {
	oid name[MBOX_OID_MAX];
	size_t len;
	u_char type;          /* ASN_* */
	uint64_t num;
	char *str;            /* ASN_OCTET_STR value (malloc'ed) */
	size_t str_len;
	enum mib_write write;
	unsigned index, sub, row;
};

enum mib_action { ACTION_NONE = 1, ACTION_RELOAD, ACTION_SAVE, ACTION_RESTART_GRAPH };
enum mib_result { RESULT_NONE = 1, RESULT_IN_PROGRESS, RESULT_SUCCESS, RESULT_FAILED };

/* State the agent keeps beyond the statistics API. */
struct mib_state {
	enum mib_action action;      /* last requested */
	enum mib_result result;
	char result_text[256];
	unsigned restart_count;
	uint64_t started_tsc;
	unsigned if_index_base;
	uint32_t if_last_change[32]; /* mboxUptime at the port's last oper change */
	bool oper_up[32];
};
extern struct mib_state mib_state;

/* Hundredths of a second since mboxd started. */
uint32_t mib_uptime(void);
bool mib_port_oper_up(unsigned port);

/* A worker's busy percentage over the last complete second (notify.c). */
unsigned mib_core_busy(unsigned worker);

/* The current snapshot (rebuilt if stale).  Exact match, or the first
 * instance after name (at or after it when inclusive). */
const struct mib_obj *mib_find(const oid *name, size_t len);
const struct mib_obj *mib_find_next(const oid *name, size_t len, bool inclusive);
/* Forget the snapshot: the next request rebuilds it. */
void mib_invalidate(void);
void mib_free(void);

/* Put obj's value into a varbind. */
void mib_set_varbind(netsnmp_variable_list *vb, const struct mib_obj *obj);

#endif
