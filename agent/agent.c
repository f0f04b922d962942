/* The AgentX subagent: connection to snmpd, request handlers for the MBOX
 * subtree and the ports' IF-MIB rows, SET transactions and admin actions. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <rte_cycles.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agent.h"
#include "sections.h"
#include "change.h"
#include "log.h"
#include "mib.h"
#include "monitor.h"
#include "notify.h"

static const oid mbox_oid[] = { OID_mbox };
static bool running;

/* ---- SET transactions ----
 * RESERVE1 checks each varbind alone and records it; RESERVE2 builds the
 * whole new configuration and its graphs once for all varbinds (so a
 * multi-varbind SET is all or nothing); ACTION publishes it to the
 * workers; COMMIT frees the old generation; UNDO and FREE drop the new. */

#define MAX_EDITS 64

/* A SET of one row of mboxElementRowTable: its value and RowStatus
 * varbinds meet here, and become one edit in RESERVE2. */
struct row_req {
	unsigned element, param, row; /* row counts from 0 */
	bool exists;
	long status;                  /* 0: no RowStatus varbind */
	char *value;
};

static struct {
	unsigned n_edits;
	struct mbox_edit edits[MAX_EDITS];
	unsigned n_rows;
	struct row_req rows[MAX_EDITS];
	char *texts[MAX_EDITS];
	bool prepared, acted;
	struct mbox_change *change;
	int port_admin[MBOX_MAX_PORTS]; /* requested: -1 none, 0 down, 1 up */
	bool port_was_up[MBOX_MAX_PORTS];
	enum mib_action action;
} tx;

static void tx_reset(void)
{
	if (tx.change)
		mbox_change_abort(tx.change);
	for (unsigned i = 0; i < tx.n_edits; i++)
		free(tx.texts[i]);
	for (unsigned i = 0; i < tx.n_rows; i++)
		free(tx.rows[i].value);
	memset(&tx, 0, sizeof(tx));
	for (unsigned i = 0; i < MBOX_MAX_PORTS; i++)
		tx.port_admin[i] = -1;
	mib_invalidate(); /* values, last error or generation may have changed */
}

/* The reason a SET was refused, for mboxConfigLastError and the log. */
static void set_refused(const struct mbox_diag *d, const oid *name, size_t len)
{
	char oid_text[256];

	snprint_objid(oid_text, sizeof(oid_text), name, len);
	log_warn("SNMP SET %s refused: %s", oid_text, d->first + d->first_what);
	mbox_change_refused(d->first + d->first_what); /* the manager wrote no file:line */
}

static const struct mbox_param *obj_param(const struct mbox_config *cfg, const struct mib_obj *o)
{
	return o->write == W_PARAM ? &cfg->elements[o->index].kind->params[o->sub]
				   : mbox_threshold_param((enum mbox_threshold)o->sub);
}

/* Refuse a row SET with a reason for mboxConfigLastError. */
static int row_refused(const netsnmp_variable_list *vb, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int row_refused(const netsnmp_variable_list *vb, int err, const char *fmt, ...)
{
	struct mbox_diag d = { 0 };
	char reason[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	mbox_diag_error(&d, "SET", 0, "%s", reason);
	set_refused(&d, vb->name, vb->name_length);
	return err;
}

/* The row request for a varbind under mboxElementRowEntry, existing or to
 * be created; NULL with *err set when the OID names no writable row. */
static struct row_req *row_request(const struct mbox_config *cfg, const netsnmp_variable_list *vb, int *err)
{
	static const oid entry[] = { OID_mboxElementRowEntry };
	const size_t n = OID_LENGTH(entry);
	const struct mbox_element *e;
	const struct mbox_param *q;
	struct row_req *r;
	unsigned element, param, row;

	*err = SNMP_ERR_NOCREATION;
	if (vb->name_length != n + 4 || snmp_oid_compare(vb->name, n, entry, n) ||
	    (vb->name[n] != mboxElementRowValue && vb->name[n] != mboxElementRowStatus))
		return NULL;
	element = (unsigned)vb->name[n + 1] - 1;
	param = (unsigned)vb->name[n + 2] - 1;
	row = (unsigned)vb->name[n + 3] - 1;
	if (element >= cfg->n_elements || param >= mbox_kind_n_params(cfg->elements[element].kind) ||
	    row >= 65535)
		return NULL;
	e = &cfg->elements[element];
	q = &e->kind->params[param];
	if (q->type != MBOX_P_LIST)
		return NULL;
	if (!q->writable) {
		*err = row_refused(vb, SNMP_ERR_NOTWRITABLE, "element '%s': '%s' cannot change at run time",
				   e->name, q->name);
		return NULL;
	}
	/* Rows are numbered by position: one past the kind's limit never exists. */
	if (q->max && row >= q->max) {
		*err = row_refused(vb, SNMP_ERR_NOCREATION, "element '%s': '%s' holds at most %" PRIu64
				   " rows (the limit of kind %s), expected a row from 1 to %" PRIu64,
				   e->name, q->name, q->max, e->kind->name, q->max);
		return NULL;
	}
	for (unsigned i = 0; i < tx.n_rows; i++)
		if (tx.rows[i].element == element && tx.rows[i].param == param && tx.rows[i].row == row)
			return &tx.rows[i];
	if (tx.n_rows == MAX_EDITS) {
		*err = SNMP_ERR_TOOBIG;
		return NULL;
	}
	r = &tx.rows[tx.n_rows++];
	*r = (struct row_req){ .element = element, .param = param, .row = row,
			       .exists = row < e->values[param].list.n };
	return r;
}

static int reserve1_row(netsnmp_variable_list *vb)
{
	const struct mbox_config *cfg = mbox_running_config();
	struct mbox_diag d = { 0 };
	struct row_req *r;
	char what[96];
	int err;

	if (!(r = row_request(cfg, vb, &err)))
		return err;
	if (vb->name[vb->name_length - 4] == mboxElementRowStatus) {
		if (vb->type != ASN_INTEGER)
			return SNMP_ERR_WRONGTYPE;
		r->status = *vb->val.integer;
		if (r->status == RS_CREATEANDGO && r->exists)
			return row_refused(vb, SNMP_ERR_INCONSISTENTVALUE, "row %u exists: createAndGo is for new rows", r->row + 1);
		if (r->status == RS_ACTIVE && !r->exists)
			return row_refused(vb, SNMP_ERR_INCONSISTENTVALUE, "row %u does not exist: create it with createAndGo", r->row + 1);
		if (r->status != RS_ACTIVE && r->status != RS_CREATEANDGO && r->status != RS_DESTROY)
			return row_refused(vb, SNMP_ERR_WRONGVALUE, "RowStatus %ld is not supported, expected active(1), createAndGo(4) or destroy(6)",
					   r->status);
		return SNMP_ERR_NOERROR;
	}
	if (vb->type != ASN_OCTET_STR)
		return SNMP_ERR_WRONGTYPE;
	if (vb->val_len > 255)
		return SNMP_ERR_WRONGLENGTH;
	free(r->value);
	r->value = strndup((const char *)vb->val.string, vb->val_len);
	if (!r->value)
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	snprintf(what, sizeof(what), "element '%s': %s row %u", cfg->elements[r->element].name,
		 cfg->elements[r->element].kind->params[r->param].name, r->row + 1);
	if (strlen(r->value) != vb->val_len)
		return row_refused(vb, SNMP_ERR_WRONGVALUE, "%s: NUL in the value", what);
	if (mbox_config_check_row(cfg, &cfg->elements[r->element].kind->params[r->param], what, r->value, &d) < 0) {
		set_refused(&d, vb->name, vb->name_length);
		return SNMP_ERR_WRONGVALUE;
	}
	return SNMP_ERR_NOERROR;
}

static int reserve1(const struct mib_obj *o, netsnmp_variable_list *vb)
{
	const struct mbox_config *cfg = mbox_running_config();
	const struct mbox_param *q;
	struct mbox_diag d = { 0 };
	char what[80], *text;

	switch (o ? o->write : W_NONE) {
	case W_NONE:
		return o ? SNMP_ERR_NOTWRITABLE : reserve1_row(vb); /* a row to create, or nothing */
	case W_ACTION:
		if (vb->type != ASN_INTEGER)
			return SNMP_ERR_WRONGTYPE;
		if (*vb->val.integer < ACTION_NONE || *vb->val.integer > ACTION_RESTART_GRAPH)
			return SNMP_ERR_WRONGVALUE;
		if (mib_state.result == RESULT_IN_PROGRESS || tx.action)
			return SNMP_ERR_INCONSISTENTVALUE;
		tx.action = (enum mib_action)*vb->val.integer;
		return SNMP_ERR_NOERROR;
	case W_PORT_ADMIN:
		if (vb->type != ASN_INTEGER)
			return SNMP_ERR_WRONGTYPE;
		if (*vb->val.integer != 1 && *vb->val.integer != 2)
			return SNMP_ERR_WRONGVALUE; /* testing(3) is not supported */
		tx.port_admin[o->index] = *vb->val.integer == 1;
		return SNMP_ERR_NOERROR;
	case W_ROW_VALUE:
	case W_ROW_STATUS:
		return reserve1_row(vb);
	case W_PARAM:
	case W_THRESHOLD:
		break;
	}
	q = obj_param(cfg, o);
	if (o->write == W_PARAM && !q->writable)
		return SNMP_ERR_NOTWRITABLE;
	if (o->write == W_PARAM ? vb->type != ASN_OCTET_STR : vb->type != ASN_UNSIGNED)
		return SNMP_ERR_WRONGTYPE;
	if (o->write == W_PARAM && vb->val_len > 255)
		return SNMP_ERR_WRONGLENGTH;
	if (tx.n_edits == MAX_EDITS)
		return SNMP_ERR_TOOBIG;
	text = o->write == W_PARAM ? strndup((const char *)vb->val.string, vb->val_len) : malloc(16);
	if (!text)
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	if (o->write == W_THRESHOLD)
		snprintf(text, 16, "%lu", (unsigned long)*vb->val.integer);
	if (o->write == W_PARAM)
		snprintf(what, sizeof(what), "element '%s'", cfg->elements[o->index].name);
	else
		snprintf(what, sizeof(what), "thresholds");
	/* strndup stops at a NUL: a shorter text means the value held one. */
	if ((o->write == W_PARAM && strlen(text) != vb->val_len) ||
	    mbox_config_check_value(cfg, q, what, text, &d) < 0) {
		if (!d.errors)
			mbox_diag_error(&d, "SET", 0, "%s: field '%s': NUL in the value", what, q->name);
		set_refused(&d, vb->name, vb->name_length);
		free(text);
		return SNMP_ERR_WRONGVALUE;
	}
	tx.texts[tx.n_edits] = text;
	tx.edits[tx.n_edits++] = (struct mbox_edit){ .element = o->write == W_PARAM ? (int)o->index : -1,
						     .section = o->write == W_PARAM ? NULL : mbox_thresholds_section.name,
						     .param = q, .text = text };
	return SNMP_ERR_NOERROR;
}

/* Order in which row edits apply so that the row numbers managers gave
 * stay right: replacements, then deletions from the last row up, then
 * creations (appends) in row order. */
static int row_edit_order(const void *a, const void *b)
{
	const struct mbox_edit *x = a, *y = b;

	if (x->op != y->op)
		return (int)x->op == EDIT_ROW_SET ? -1 : (int)y->op == EDIT_ROW_SET ? 1 :
		       x->op == EDIT_ROW_DELETE ? -1 : 1;
	if (x->op == EDIT_ROW_DELETE)
		return x->row < y->row ? 1 : x->row > y->row ? -1 : 0;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* Turn the row requests into edits after the whole PDU is known. */
static int rows_to_edits(const struct mbox_config *cfg, const netsnmp_variable_list *vb)
{
	unsigned first = tx.n_edits;

	for (unsigned i = 0; i < tx.n_rows; i++) {
		struct row_req *r = &tx.rows[i];
		const struct mbox_element *e = &cfg->elements[r->element];
		struct mbox_edit ed = { .element = (int)r->element, .param = &e->kind->params[r->param],
					.text = r->value, .row = r->row };
		unsigned n = e->values[r->param].list.n, created = 0;

		if (r->status == RS_DESTROY && r->value)
			return row_refused(vb, SNMP_ERR_INCONSISTENTVALUE, "row %u: a value and destroy in one SET", r->row + 1);
		if (r->status == RS_DESTROY && !r->exists)
			continue; /* destroying a row that does not exist succeeds */
		if (r->status == RS_CREATEANDGO && !r->value)
			return row_refused(vb, SNMP_ERR_INCONSISTENTVALUE,
					   "row %u: createAndGo needs mboxElementRowValue in the same SET", r->row + 1);
		if (!r->exists && r->status != RS_CREATEANDGO)
			return row_refused(vb, SNMP_ERR_INCONSISTENTNAME,
					   "row %u does not exist: create it with createAndGo", r->row + 1);
		/* New rows are appended: their numbers must follow the last row. */
		for (unsigned j = 0; j < tx.n_rows; j++)
			created += tx.rows[j].element == r->element && tx.rows[j].param == r->param &&
				   tx.rows[j].status == RS_CREATEANDGO && tx.rows[j].row < r->row;
		if (r->status == RS_CREATEANDGO && r->row != n + created)
			return row_refused(vb, SNMP_ERR_INCONSISTENTNAME,
					   "row %u: new rows are appended, expected row %u", r->row + 1, n + created + 1);
		ed.op = r->status == RS_DESTROY ? EDIT_ROW_DELETE : r->status == RS_CREATEANDGO ? EDIT_ROW_INSERT :
			r->value ? EDIT_ROW_SET : EDIT_VALUE;
		if (ed.op == EDIT_VALUE)
			continue; /* active(1) on an existing row changes nothing */
		if (tx.n_edits == MAX_EDITS)
			return SNMP_ERR_TOOBIG;
		tx.edits[tx.n_edits++] = ed;
	}
	qsort(&tx.edits[first], tx.n_edits - first, sizeof(tx.edits[0]), row_edit_order);
	/* Appends land after the deletions made in the same SET. */
	for (unsigned i = first; i < tx.n_edits; i++)
		for (unsigned j = first; tx.edits[i].op == EDIT_ROW_INSERT && j < tx.n_edits; j++)
			tx.edits[i].row -= tx.edits[j].op == EDIT_ROW_DELETE && tx.edits[j].element == tx.edits[i].element &&
					   tx.edits[j].param == tx.edits[i].param;
	return SNMP_ERR_NOERROR;
}

/* Build and validate the new configuration and its graphs, once. */
static int reserve2(netsnmp_variable_list *vb)
{
	const struct mbox_config *cfg = mbox_running_config();
	struct mbox_diag d = { 0 };
	struct mbox_config *next;
	char *text;

	int err;

	if (tx.prepared)
		return SNMP_ERR_NOERROR;
	tx.prepared = true;
	if ((err = rows_to_edits(cfg, vb)) != SNMP_ERR_NOERROR)
		return err;
	if (!tx.n_edits)
		return SNMP_ERR_NOERROR;
	errno = 0;
	text = mbox_config_edit(cfg, tx.edits, tx.n_edits, &d);
	next = text ? mbox_config_parse(cfg->file, text, &d) : NULL;
	free(text);
	if (!next) {
		/* Out of memory is no fault of the value: the manager may retry. */
		int err = errno == ENOMEM ? SNMP_ERR_RESOURCEUNAVAILABLE : SNMP_ERR_INCONSISTENTVALUE;

		set_refused(&d, vb->name, vb->name_length);
		return err;
	}
	tx.change = mbox_change_prepare(next, &d);
	if (!tx.change) {
		set_refused(&d, vb->name, vb->name_length);
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	}
	return SNMP_ERR_NOERROR;
}

static void act(void)
{
	if (tx.acted)
		return;
	tx.acted = true;
	if (tx.change)
		mbox_change_publish(tx.change);
	for (unsigned i = 0; i < MBOX_MAX_PORTS; i++)
		if (tx.port_admin[i] >= 0) {
			tx.port_was_up[i] = mbox_port_admin_up(i);
			mbox_port_set_admin(i, tx.port_admin[i]);
		}
}

static void undo(void)
{
	for (unsigned i = 0; tx.acted && i < MBOX_MAX_PORTS; i++)
		if (tx.port_admin[i] >= 0)
			mbox_port_set_admin(i, tx.port_was_up[i]);
	tx_reset();
}

static void commit(void)
{
	if (tx.change) {
		mbox_change_commit(tx.change);
		tx.change = NULL;
		log_info("SNMP SET: generation %u applied in %.2f ms (%u change(s))", mbox_dataplane_status()->generation,
			 mbox_dataplane_status()->change_us / 1000.0, tx.n_edits);
	}
	if (tx.action) {
		mib_state.action = tx.action;
		if (tx.action != ACTION_NONE) {
			mib_state.result = RESULT_IN_PROGRESS;
			mib_state.result_text[0] = '\0';
		}
	}
	tx_reset();
	mib_invalidate();
}

static int handle_set(netsnmp_agent_request_info *ri, netsnmp_request_info *requests)
{
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		netsnmp_variable_list *vb = r->requestvb;
		int err = SNMP_ERR_NOERROR;

		if (r->processed)
			continue;
		switch (ri->mode) {
		case MODE_SET_RESERVE1:
			err = reserve1(mib_find(vb->name, vb->name_length), vb);
			break;
		case MODE_SET_RESERVE2:
			err = reserve2(vb);
			break;
		case MODE_SET_ACTION:
			act();
			break;
		case MODE_SET_COMMIT:
			commit();
			break;
		case MODE_SET_UNDO:
			undo();
			break;
		case MODE_SET_FREE:
			tx_reset();
			break;
		}
		if (err != SNMP_ERR_NOERROR) {
			netsnmp_set_request_error(ri, r, err);
			return SNMP_ERR_NOERROR;
		}
	}
	return SNMP_ERR_NOERROR;
}

static bool in_subtree(const netsnmp_handler_registration *reg, const struct mib_obj *o)
{
	return o && o->len >= reg->rootoid_len &&
	       !snmp_oid_compare(o->name, reg->rootoid_len, reg->rootoid, reg->rootoid_len);
}

/* One handler for every registration: the MBOX subtree (GET, GETNEXT and
 * SET) and the IF-MIB instances (the instance helper turns GETNEXT into
 * GET for those). */
static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		   netsnmp_agent_request_info *ri, netsnmp_request_info *requests)
{
	(void)h;
	if (ri->mode != MODE_GET && ri->mode != MODE_GETNEXT)
		return handle_set(ri, requests);
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		netsnmp_variable_list *vb = r->requestvb;
		const struct mib_obj *o;

		if (r->processed)
			continue;
		if (ri->mode == MODE_GET) {
			o = mib_find(vb->name, vb->name_length);
			if (o)
				mib_set_varbind(vb, o);
			else
				netsnmp_set_request_error(ri, r, SNMP_NOSUCHINSTANCE);
			continue;
		}
		o = mib_find_next(vb->name, vb->name_length, r->inclusive);
		if (in_subtree(reg, o)) {
			snmp_set_var_objid(vb, o->name, o->len);
			mib_set_varbind(vb, o);
		}
	}
	return SNMP_ERR_NOERROR;
}

static int register_oid(const char *name, const oid *at, size_t len, bool instance)
{
	netsnmp_handler_registration *reg =
		netsnmp_create_handler_registration(name, handler, at, len, HANDLER_CAN_RWRITE);

	if (!reg)
		return -1;
	return (instance ? netsnmp_register_instance(reg) : netsnmp_register_handler(reg)) == MIB_REGISTERED_OK ? 0 : -1;
}

/* Each column instance of the table's row for if_index. */
static int register_columns(const struct mib_table *t, unsigned if_index)
{
	oid name[MBOX_OID_MAX];

	memcpy(name, t->entry, t->entry_len * sizeof(oid));
	name[t->entry_len + 1] = if_index;
	for (size_t c = 0; c < t->n_columns; c++) {
		name[t->entry_len] = t->columns[c].number;
		if (register_oid("mboxIfEntry", name, t->entry_len + 2, true) < 0)
			return -1;
	}
	return 0;
}

/* Each IF-MIB column instance of each port: snmpd keeps serving its own
 * rows for the kernel's interfaces around them. */
static int register_if_rows(unsigned n_ports)
{
	for (unsigned p = 0; p < n_ports; p++) {
		unsigned if_index = mib_state.if_index_base + p + 1;

		if (register_columns(&mib_if_table, if_index) < 0 || register_columns(&mib_ifx_table, if_index) < 0)
			return -1;
	}
	return 0;
}

/* Whether the AgentX master answers.  Net-SNMP warns at every retry (each
 * ping interval) while snmpd is away, for as long as it is away; mboxd
 * says it once per outage and again when the master answers. */
static struct {
	const char *socket;
	unsigned interval;
	bool away;
} master;

static bool master_message(const char *text)
{
	if (strstr(text, "Failed to connect to the agentx master agent")) {
		if (!master.away)
			log_warn("snmp: cannot reach the AgentX master at %s; retrying every %u s, quietly until it answers",
				 master.socket, master.interval);
		master.away = true;
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
		return true;
	}
	if (strstr(text, "AgentX subagent connected")) {
		log_info("snmp: connected to the AgentX master at %s", master.socket);
		master.away = false;
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 0);
		return true;
	}
	return false;
}

static int log_callback(int major, int minor, void *server_arg, void *client_arg)
{
	const struct snmp_log_message *m = server_arg;
	char text[512];
	size_t n;

	(void)major, (void)minor, (void)client_arg;
	snprintf(text, sizeof(text), "%s", m->msg);
	n = strlen(text);
	while (n && text[n - 1] == '\n')
		text[--n] = '\0';
	if (n && !master_message(text))
		mbox_log(m->priority <= LOG_ERR ? LOG_ERR : m->priority, "snmp: %s", text);
	return 0;
}

int mbox_agent_start(const struct mbox_config *cfg, unsigned restart_count)
{
	const struct mbox_snmp_cfg *sc = mbox_snmp_cfg(cfg);

	mib_state.action = ACTION_NONE;
	mib_state.result = RESULT_NONE;
	mib_state.restart_count = restart_count;
	mib_state.if_index_base = sc->if_index_base;
	mib_state.started_tsc = rte_get_timer_cycles();
	tx_reset();
	master.socket = sc->agentx_socket;
	master.interval = sc->ping_interval;
	master.away = false;
	if (!sc->configured)
		log_info("snmp: no 'snmp' section: the AgentX subagent uses the default master socket %s "
			 "(snmp = { enabled = false; } turns it off)", sc->agentx_socket);

	snmp_disable_log();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_callback, NULL);
	snmp_enable_calllog();
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, sc->agentx_socket);
	/* mboxd's own configuration says everything: no snmp.conf files, no
	 * persistent state, and alarms run from our loop, not SIGALRM. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	/* A subagent needs no MIB files; Debian's lack the IETF bases anyway. */
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	setenv("MIBS", "", 1);
	if (init_agent("mboxd") != 0) {
		log_err("snmp: cannot initialise the Net-SNMP agent library");
		return -1;
	}
	if (register_oid("mbox", mbox_oid, OID_LENGTH(mbox_oid), false) < 0 ||
	    register_if_rows(cfg->n_ports) < 0) {
		log_err("snmp: cannot register the MBOX-MIB and IF-MIB objects");
		return -1;
	}
	/* After init_agent(), which sets its own defaults. */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, (int)sc->ping_interval);
	init_snmp("mboxd");
	running = true;
	monitor_init();
	notify_started();
	log_info("snmp: AgentX subagent for %s (pings every %u s)", sc->agentx_socket, sc->ping_interval);
	return 0;
}

void mbox_agent_wait(unsigned timeout_ms)
{
	struct timeval limit = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 }, tv = limit;
	int numfds = 0, block = 1, n;
	fd_set fds;

	if (!running) {
		select(0, NULL, NULL, NULL, &tv);
		return;
	}
	FD_ZERO(&fds);
	snmp_select_info(&numfds, &fds, &tv, &block);
	if (block || limit.tv_sec < tv.tv_sec || (limit.tv_sec == tv.tv_sec && limit.tv_usec < tv.tv_usec))
		tv = limit;
	n = select(numfds, &fds, NULL, NULL, &tv);
	if (n > 0)
		snmp_read(&fds);
	else if (n == 0)
		snmp_timeout();
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
}

static void set_result(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_result(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mib_state.result_text, sizeof(mib_state.result_text), fmt, ap);
	va_end(ap);
	mib_state.result = ok ? RESULT_SUCCESS : RESULT_FAILED;
	mbox_log(ok ? LOG_INFO : LOG_ERR, "admin action %s", mib_state.result_text);
	mib_invalidate();
}

/* The action a SET asked for, run after the SET's response was sent. */
static void run_action(void)
{
	const struct mbox_config *cfg = mbox_running_config();
	const char *file = cfg->file;
	struct mbox_diag d = { .out = stderr };
	struct mbox_config *again;
	char err[256];

	switch (mib_state.action) {
	case ACTION_NONE:
		break;
	case ACTION_RELOAD:
		if (mbox_dataplane_reload(file) == 0)
			/* The reload freed the configuration `file` points into. */
			set_result(true, "reload: generation %u applied from %s",
				   mbox_dataplane_status()->generation, mbox_running_config()->file);
		else
			set_result(false, "reload: %s; generation %u keeps forwarding",
				   mbox_dataplane_status()->last_error, mbox_dataplane_status()->generation);
		break;
	case ACTION_SAVE:
		if (mbox_config_save(cfg, err, sizeof(err)) == 0) {
			mbox_last_good_record(cfg);
			set_result(true, "save: wrote %s", file);
		} else
			set_result(false, "save: %s", err);
		break;
	case ACTION_RESTART_GRAPH:
		again = mbox_config_parse(file, cfg->text, &d);
		if (again && mbox_dataplane_apply(again, "restartGraph") == 0)
			set_result(true, "restartGraph: generation %u applied", mbox_dataplane_status()->generation);
		else
			set_result(false, "restartGraph: %s", mbox_dataplane_status()->last_error);
		break;
	}
}

void mbox_agent_tick(void)
{
	if (!running)
		return;
	if (mib_state.result == RESULT_IN_PROGRESS)
		run_action();
	monitor_tick();
	notify_tick();
}

void mbox_agent_stop(void)
{
	if (!running)
		return;
	notify_stopping();
	/* Let the notification reach snmpd before the session closes. */
	for (int i = 0; i < 3; i++)
		mbox_agent_wait(10);
	snmp_shutdown("mboxd");
	mib_free();
	running = false;
}
