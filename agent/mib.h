/* The subagent's objects: a snapshot of every MBOX-MIB and IF-MIB instance
 * mboxd serves, built from the tables (tables.c), rebuilt when older than
 * a second or when the configuration or a link changed, and what the SET
 * handler needs. */
#ifndef MBOX_AGENT_MIB_H
#define MBOX_AGENT_MIB_H

#include <stdbool.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "mib_oids.h"
#include "sections.h"

#define MBOX_OID_MAX 20

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

/* A MIB table, or a group of scalars (one row, instance .0): its columns,
 * each read by a getter from the row the table's walker is on. */
struct mib_row;
struct mib_value;
struct mib_column {
	unsigned number;      /* enum mib_arc */
	const char *name;     /* in the MIB: test_mib_oids checks number, type and access */
	u_char type;          /* ASN_* */
	void (*get)(const struct mib_row *row, struct mib_value *v);
	enum mib_write write; /* W_NONE: read-only */
	unsigned arg;         /* W_THRESHOLD: which threshold it sets */
};
struct mib_table {
	const char *name;     /* of the entry (or scalar group) in the MIB */
	const oid *entry;
	size_t entry_len;
	const struct mib_column *columns;
	size_t n_columns;
	/* Adds the instances of every row of the table. */
	void (*rows)(const struct mib_table *t, struct mib_row *row);
};
/* Every table served, NULL-ended; the IF-MIB ones apart, for registering. */
extern const struct mib_table *const mib_tables[];
extern const struct mib_table mib_if_table, mib_ifx_table;

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
};
extern struct mib_state mib_state;

/* Hundredths of a second from mboxd's start to TSC tsc (0 before it). */
uint32_t mib_ticks(uint64_t tsc);

/* Building the snapshot: tables.c adds every table's instances with these. */
void mib_add_tables(void);
struct mib_obj *mib_add(const oid *prefix, size_t plen, unsigned column, const oid *index, size_t ilen,
			u_char type);
void mib_obj_set_bytes(struct mib_obj *o, const void *bytes, size_t n);

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
