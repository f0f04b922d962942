/* The snapshot of every instance the subagent serves, in OID order. */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "sections.h"
#include "change.h"
#include "mib.h"
#include "param.h"
#include "stats.h"

struct mib_state mib_state;

static struct {
	struct mib_obj *objs;
	size_t n, cap;
	uint64_t built_tsc;
	unsigned generation;
	bool valid;
} snap;

uint32_t mib_uptime(void)
{
	return (uint32_t)((rte_get_timer_cycles() - mib_state.started_tsc) * 100 / rte_get_timer_hz());
}

bool mib_port_oper_up(unsigned port)
{
	return mbox_port_admin_up(port) && mbox_port_link_up(port);
}

static struct mib_obj *add(const oid *prefix, size_t plen, unsigned column, const oid *index,
			   size_t ilen, u_char type)
{
	struct mib_obj *o;

	if (snap.n == snap.cap) {
		size_t cap = snap.cap ? 2 * snap.cap : 1024;
		struct mib_obj *grown = realloc(snap.objs, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		snap.objs = grown;
		snap.cap = cap;
	}
	o = &snap.objs[snap.n++];
	memset(o, 0, sizeof(*o));
	memcpy(o->name, prefix, plen * sizeof(oid));
	o->len = plen;
	o->name[o->len++] = column;
	for (size_t i = 0; i < ilen; i++)
		o->name[o->len++] = index[i];
	o->type = type;
	return o;
}

/* An instance a SET can change: `write` says which, index/sub where. */
static void add_writable(const oid *prefix, size_t plen, unsigned column, const oid *index, size_t ilen,
			 u_char type, uint64_t value, enum mib_write write, unsigned at, unsigned sub)
{
	struct mib_obj *o = add(prefix, plen, column, index, ilen, type);

	if (o) {
		o->num = value;
		o->write = write;
		o->index = at;
		o->sub = sub;
	}
}

static void add_num(const oid *prefix, size_t plen, unsigned column, const oid *index,
		    size_t ilen, u_char type, uint64_t value)
{
	struct mib_obj *o = add(prefix, plen, column, index, ilen, type);

	if (o)
		o->num = value;
}

static struct mib_obj *add_str(const oid *prefix, size_t plen, unsigned column, const oid *index,
			       size_t ilen, const void *bytes, size_t n)
{
	struct mib_obj *o = add(prefix, plen, column, index, ilen, ASN_OCTET_STR);

	if (o && (o->str = malloc(n + 1))) {
		memcpy(o->str, bytes, n);
		o->str[n] = '\0';
		o->str_len = n;
	}
	return o;
}

static void add_text(const oid *prefix, size_t plen, unsigned column, const oid *index,
		     size_t ilen, const char *text)
{
	size_t n = strlen(text);

	add_str(prefix, plen, column, index, ilen, text, n > 255 ? 255 : n);
}

const unsigned mib_threshold_columns[MBOX_THRESHOLDS] = { 1, 2, 3, 8 };
const unsigned mib_if_columns[MIB_IF_COLUMNS] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 20 };
const unsigned mib_ifx_columns[MIB_IFX_COLUMNS] = { 1, 6, 7, 10, 11, 14, 15, 16, 17, 18, 19 };

static const oid system_oid[] = { MBOX_OID, 1, 1 };
static const oid port_entry[] = { MBOX_OID, 1, 2, 1, 1 };
static const oid element_entry[] = { MBOX_OID, 1, 3, 1, 1 };
static const oid output_entry[] = { MBOX_OID, 1, 3, 2, 1 };
static const oid counter_entry[] = { MBOX_OID, 1, 3, 3, 1 };
static const oid param_entry[] = { MBOX_OID, 1, 3, 4, 1 };
static const oid row_entry[] = { MIB_ROW_ENTRY_OID };
static const oid core_entry[] = { MBOX_OID, 1, 4, 1, 1 };
static const oid pool_entry[] = { MBOX_OID, 1, 5, 1, 1 };
static const oid threshold_oid[] = { MBOX_OID, 1, 6 };
static const oid if_entry[] = { IF_ENTRY_OID };
static const oid ifx_entry[] = { IFX_ENTRY_OID };

static const oid instance0[] = { 0 };

#define SCALAR(base, col, type, value) add_num(base, OID_LENGTH(base), col, instance0, 1, type, value)
#define COL(entry, col, idx, type, value) add_num(entry, OID_LENGTH(entry), col, idx, OID_LENGTH(idx), type, value)
#define COL_TEXT(entry, col, idx, text) add_text(entry, OID_LENGTH(entry), col, idx, OID_LENGTH(idx), text)

static uint32_t u32(uint64_t x)
{
	return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

static void build_system(void)
{
	const struct mbox_status *st = mbox_dataplane_status();

	add_text(system_oid, OID_LENGTH(system_oid), 1, instance0, 1, MBOX_VERSION);
	SCALAR(system_oid, 2, ASN_TIMETICKS, mib_uptime());
	SCALAR(system_oid, 3, ASN_INTEGER, 2 /* running */);
	SCALAR(system_oid, 4, ASN_UNSIGNED, st->generation);
	add_text(system_oid, OID_LENGTH(system_oid), 5, instance0, 1, st->hash);
	add_text(system_oid, OID_LENGTH(system_oid), 6, instance0, 1, st->last_error);
	SCALAR(system_oid, 7, ASN_TIMETICKS, st->applied_at < mib_state.started_tsc ? 0 :
	       (st->applied_at - mib_state.started_tsc) * 100 / rte_get_timer_hz());
	add_writable(system_oid, OID_LENGTH(system_oid), 8, instance0, 1, ASN_INTEGER, mib_state.action,
		     W_ACTION, 0, 0);
	SCALAR(system_oid, 9, ASN_INTEGER, mib_state.result);
	add_text(system_oid, OID_LENGTH(system_oid), 10, instance0, 1, mib_state.result_text);
	SCALAR(system_oid, 11, ASN_COUNTER, mib_state.restart_count);
	add_text(system_oid, OID_LENGTH(system_oid), 12, instance0, 1, mbox_dataplane_status()->removed);
	SCALAR(system_oid, 13, ASN_INTEGER, st->source);
}

/* Drops of the sinks that transmit on a port: its ifOutDiscards. */
static uint64_t port_out_discards(const struct mbox_config *cfg, unsigned port)
{
	uint64_t drops = 0;

	for (unsigned i = 0; i < cfg->n_elements; i++) {
		const struct mbox_element *e = &cfg->elements[i];
		struct mbox_element_stats es;

		if (e->n_outputs || mbox_stats_element(i, &es) < 0)
			continue;
		for (unsigned q = 0; e->kind->params[q].name; q++)
			if (e->kind->params[q].type == MBOX_P_PORT && e->values[q].port == port)
				drops += es.drops;
	}
	return drops;
}

static void build_ports(const struct mbox_config *cfg, const struct mbox_port_stats *ps)
{
	static const unsigned columns[] = { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };

	for (unsigned c = 0; c < RTE_DIM(columns); c++)
		for (unsigned i = 0; i < cfg->n_ports; i++) {
			const struct mbox_port_stats *p = &ps[i];
			oid idx[] = { i + 1 };

			switch (columns[c]) {
			case 2: COL_TEXT(port_entry, 2, idx, p->name); break;
			case 3: COL_TEXT(port_entry, 3, idx, p->device); break;
			case 4: add_str(port_entry, OID_LENGTH(port_entry), 4, idx, 1, p->mac.addr_bytes, 6); break;
			case 5: COL(port_entry, 5, idx, ASN_INTEGER, p->link_up ? 1 : 2); break;
			case 6: COL(port_entry, 6, idx, ASN_GAUGE, p->link_up ? p->speed_mbps : 0); break;
			case 7: COL(port_entry, 7, idx, ASN_UNSIGNED, p->mtu); break;
			case 8:
				add_writable(port_entry, OID_LENGTH(port_entry), 8, idx, 1, ASN_INTEGER,
					     mbox_port_admin_up(i) ? 1 : 2, W_PORT_ADMIN, i, 0);
				break;
			case 9: COL(port_entry, 9, idx, ASN_COUNTER64, p->ipackets); break;
			case 10: COL(port_entry, 10, idx, ASN_COUNTER64, p->opackets); break;
			case 11: COL(port_entry, 11, idx, ASN_COUNTER64, p->ibytes); break;
			case 12: COL(port_entry, 12, idx, ASN_COUNTER64, p->obytes); break;
			case 13: COL(port_entry, 13, idx, ASN_COUNTER64, p->ierrors); break;
			case 14: COL(port_entry, 14, idx, ASN_COUNTER64, p->oerrors); break;
			case 15: COL(port_entry, 15, idx, ASN_COUNTER64, p->imissed); break;
			case 16: COL(port_entry, 16, idx, ASN_COUNTER64, p->rx_nombuf); break;
			case 17: COL(port_entry, 17, idx, ASN_INTEGER, mib_state.if_index_base + i + 1); break;
			}
		}
}

/* IF-MIB ifTable and ifXTable rows for the DPDK ports.  Packets are all
 * counted as unicast: DPDK's basic statistics do not tell them apart. */
static void build_if(const struct mbox_config *cfg, const struct mbox_port_stats *ps)
{
	for (unsigned c = 0; c < MIB_IF_COLUMNS; c++)
		for (unsigned i = 0; i < cfg->n_ports; i++) {
			const struct mbox_port_stats *p = &ps[i];
			oid idx[] = { mib_state.if_index_base + i + 1 };
			bool oper = mbox_port_admin_up(i) && p->link_up;
			uint64_t speed_bps = (uint64_t)p->speed_mbps * 1000000;

			switch (mib_if_columns[c]) {
			case 1: COL(if_entry, 1, idx, ASN_INTEGER, idx[0]); break;
			case 2: COL_TEXT(if_entry, 2, idx, p->name); break;
			case 3: COL(if_entry, 3, idx, ASN_INTEGER, 6 /* ethernetCsmacd */); break;
			case 4: COL(if_entry, 4, idx, ASN_INTEGER, p->mtu); break;
			case 5: COL(if_entry, 5, idx, ASN_GAUGE, oper ? u32(speed_bps) : 0); break;
			case 6: add_str(if_entry, OID_LENGTH(if_entry), 6, idx, 1, p->mac.addr_bytes, 6); break;
			case 7:
				add_writable(if_entry, OID_LENGTH(if_entry), 7, idx, 1, ASN_INTEGER,
					     mbox_port_admin_up(i) ? 1 : 2, W_PORT_ADMIN, i, 0);
				break;
			case 8: COL(if_entry, 8, idx, ASN_INTEGER, oper ? 1 : 2); break;
			case 9: COL(if_entry, 9, idx, ASN_TIMETICKS, mib_state.if_last_change[i]); break;
			case 10: COL(if_entry, 10, idx, ASN_COUNTER, (uint32_t)p->ibytes); break;
			case 11: COL(if_entry, 11, idx, ASN_COUNTER, (uint32_t)p->ipackets); break;
			case 13: COL(if_entry, 13, idx, ASN_COUNTER, (uint32_t)(p->imissed + p->rx_nombuf)); break;
			case 14: COL(if_entry, 14, idx, ASN_COUNTER, (uint32_t)p->ierrors); break;
			case 15: COL(if_entry, 15, idx, ASN_COUNTER, 0); break;
			case 16: COL(if_entry, 16, idx, ASN_COUNTER, (uint32_t)p->obytes); break;
			case 17: COL(if_entry, 17, idx, ASN_COUNTER, (uint32_t)p->opackets); break;
			case 19: COL(if_entry, 19, idx, ASN_COUNTER, (uint32_t)port_out_discards(cfg, i)); break;
			case 20: COL(if_entry, 20, idx, ASN_COUNTER, (uint32_t)p->oerrors); break;
			}
		}
	for (unsigned c = 0; c < MIB_IFX_COLUMNS; c++)
		for (unsigned i = 0; i < cfg->n_ports; i++) {
			const struct mbox_port_stats *p = &ps[i];
			oid idx[] = { mib_state.if_index_base + i + 1 };

			switch (mib_ifx_columns[c]) {
			case 1: COL_TEXT(ifx_entry, 1, idx, p->name); break;
			case 6: COL(ifx_entry, 6, idx, ASN_COUNTER64, p->ibytes); break;
			case 7: COL(ifx_entry, 7, idx, ASN_COUNTER64, p->ipackets); break;
			case 10: COL(ifx_entry, 10, idx, ASN_COUNTER64, p->obytes); break;
			case 11: COL(ifx_entry, 11, idx, ASN_COUNTER64, p->opackets); break;
			case 14: COL(ifx_entry, 14, idx, ASN_INTEGER, 1 /* enabled */); break;
			case 15: COL(ifx_entry, 15, idx, ASN_GAUGE, p->link_up ? p->speed_mbps : 0); break;
			case 16: COL(ifx_entry, 16, idx, ASN_INTEGER, cfg->ports[i].promiscuous ? 1 : 2); break;
			case 17: COL(ifx_entry, 17, idx, ASN_INTEGER, 1 /* true */); break;
			case 18: COL_TEXT(ifx_entry, 18, idx, p->device); break;
			case 19: COL(ifx_entry, 19, idx, ASN_TIMETICKS, 0); break;
			}
		}
}

/* Running, or disabled when a port it uses is administratively down. */
static unsigned element_state(const struct mbox_element *e)
{
	for (unsigned q = 0; e->kind->params[q].name; q++)
		if (e->kind->params[q].type == MBOX_P_PORT && e->values[q].present &&
		    !mbox_port_admin_up(e->values[q].port))
			return 3;
	return 1;
}

static void build_elements(const struct mbox_config *cfg, const struct mbox_element_stats *es)
{
	for (unsigned c = 2; c <= 11; c++)
		for (unsigned i = 0; i < cfg->n_elements; i++) {
			const struct mbox_element_stats *s = &es[i];
			oid idx[] = { i + 1 };

			switch (c) {
			case 2: COL_TEXT(element_entry, 2, idx, s->name); break;
			case 3: COL_TEXT(element_entry, 3, idx, s->kind); break;
			case 4: COL(element_entry, 4, idx, ASN_INTEGER, element_state(&cfg->elements[i])); break;
			case 5: COL(element_entry, 5, idx, ASN_COUNTER64, s->in); break;
			case 6: COL(element_entry, 6, idx, ASN_COUNTER64, s->drops); break;
			case 7: COL(element_entry, 7, idx, ASN_COUNTER64, s->calls); break;
			case 8: COL(element_entry, 8, idx, ASN_COUNTER64, s->cycles); break;
			case 9: COL(element_entry, 9, idx, ASN_UNSIGNED, s->in ? u32(s->cycles / s->in) : 0); break;
			case 10: COL(element_entry, 10, idx, ASN_UNSIGNED, s->n_outputs); break;
			case 11: COL(element_entry, 11, idx, ASN_INTEGER, s->change); break;
			}
		}
	for (unsigned c = 2; c <= 4; c++)
		for (unsigned i = 0; i < cfg->n_elements; i++)
			for (unsigned o = 0; o < es[i].n_outputs; o++) {
				const struct mbox_element *e = &cfg->elements[i];
				oid idx[] = { i + 1, o + 1 };

				if (c == 2)
					COL_TEXT(output_entry, 2, idx, e->output_names[o]);
				else if (c == 3)
					COL(output_entry, 3, idx, ASN_COUNTER64, es[i].out[o]);
				else
					COL_TEXT(output_entry, 4, idx, e->output_target[o] < 0 ? "" :
						 cfg->elements[e->output_target[o]].name);
			}
	for (unsigned c = 2; c <= 3; c++)
		for (unsigned i = 0; i < cfg->n_elements; i++)
			for (unsigned k = 0; es[i].counter_names && es[i].counter_names[k]; k++) {
				oid idx[] = { i + 1, k + 1 };

				if (c == 2)
					COL_TEXT(counter_entry, 2, idx, es[i].counter_names[k]);
				else
					COL(counter_entry, 3, idx, ASN_COUNTER64, es[i].counters[k]);
			}
	for (unsigned c = 2; c <= 5; c++)
		for (unsigned i = 0; i < cfg->n_elements; i++)
			for (unsigned q = 0; cfg->elements[i].kind->params[q].name; q++) {
				const struct mbox_param *p = &cfg->elements[i].kind->params[q];
				oid idx[] = { i + 1, q + 1 };
				char text[1024];
				struct mib_obj *o;

				switch (c) {
				case 2: COL_TEXT(param_entry, 2, idx, p->name); break;
				case 3:
					mbox_config_value_text(cfg, (int)i, p, text, sizeof(text));
					o = add_str(param_entry, OID_LENGTH(param_entry), 3, idx, 2, text,
						    strnlen(text, 255));
					if (o) {
						o->write = W_PARAM;
						o->index = i;
						o->sub = q;
					}
					break;
				case 4: COL(param_entry, 4, idx, ASN_INTEGER, p->writable ? 1 : 2); break;
				case 5: COL_TEXT(param_entry, 5, idx, mbox_ptype_text(p)); break;
				}
			}
}

/* mboxElementRowTable: one row per item of every list parameter. */
static void build_rows(const struct mbox_config *cfg)
{
	for (unsigned c = ROW_COL_VALUE; c <= ROW_COL_STATUS; c++)
		for (unsigned i = 0; i < cfg->n_elements; i++) {
			const struct mbox_element *e = &cfg->elements[i];

			for (unsigned q = 0; e->kind->params[q].name; q++) {
				const struct mbox_param *p = &e->kind->params[q];
				bool counted = e->kind->counted_list && !strcmp(e->kind->counted_list, p->name);

				if (p->type != MBOX_P_LIST)
					continue;
				for (unsigned r = 0; r < e->values[q].list.n; r++) {
					oid idx[] = { i + 1, q + 1, r + 1 };
					char text[1024];
					struct mib_obj *o = NULL;

					if (c == ROW_COL_VALUE) {
						mbox_config_row_text(cfg, i, p, r, text, sizeof(text));
						o = add_str(row_entry, OID_LENGTH(row_entry), c, idx, 3, text, strnlen(text, 255));
					} else if (c == ROW_COL_HITS) {
						COL(row_entry, c, idx, ASN_COUNTER64, counted ? mbox_stats_row_hits(i, r) : 0);
					} else {
						o = add(row_entry, OID_LENGTH(row_entry), c, idx, 3, ASN_INTEGER);
						if (o)
							o->num = RS_ACTIVE;
					}
					if (o) {
						o->write = c == ROW_COL_VALUE ? W_ROW_VALUE : W_ROW_STATUS;
						o->index = i;
						o->sub = q;
						o->row = r;
					}
				}
			}
		}
}

static void build_cores_pools_thresholds(const struct mbox_config *cfg)
{
	struct mbox_core_stats cs;
	struct mbox_pool_stats pool;
	unsigned n = mbox_stats_n_cores();
	oid one[] = { 1 };

	for (unsigned c = 2; c <= 5; c++)
		for (unsigned w = 0; w < n && mbox_stats_core(w, &cs) == 0; w++) {
			oid idx[] = { w + 1 };

			switch (c) {
			case 2: COL(core_entry, 2, idx, ASN_UNSIGNED, cs.lcore); break;
			case 3: COL(core_entry, 3, idx, ASN_GAUGE, mib_core_busy(w)); break;
			case 4: COL(core_entry, 4, idx, ASN_COUNTER64, cs.packets); break;
			case 5: COL(core_entry, 5, idx, ASN_COUNTER64, cs.walks); break;
			}
		}
	if (mbox_stats_pool(&pool) == 0) {
		COL_TEXT(pool_entry, 2, one, pool.name);
		COL(pool_entry, 3, one, ASN_UNSIGNED, pool.size);
		COL(pool_entry, 4, one, ASN_GAUGE, pool.in_use);
		COL(pool_entry, 5, one, ASN_GAUGE, pool.size ? pool.in_use * 100ULL / pool.size : 0);
	}
	for (unsigned t = 0; t < MBOX_THRESHOLDS; t++) {
		const unsigned *limits = mbox_thresholds_cfg(cfg)->limit;

		add_writable(threshold_oid, OID_LENGTH(threshold_oid), mib_threshold_columns[t], instance0, 1,
			     ASN_UNSIGNED, limits[t], W_THRESHOLD, 0, t);
	}
}

static int obj_cmp(const void *a, const void *b)
{
	const struct mib_obj *x = a, *y = b;

	return snmp_oid_compare(x->name, x->len, y->name, y->len);
}

void mib_invalidate(void)
{
	snap.valid = false;
}

void mib_free(void)
{
	for (size_t i = 0; i < snap.n; i++)
		free(snap.objs[i].str);
	snap.n = 0;
	snap.valid = false;
}

static void rebuild(void)
{
	const struct mbox_config *cfg = mbox_running_config();
	struct mbox_port_stats ps[MBOX_MAX_PORTS];
	static struct mbox_element_stats es[MBOX_MAX_ELEMENTS];

	mib_free();
	for (unsigned i = 0; i < cfg->n_ports; i++)
		mbox_stats_port(i, &ps[i]);
	for (unsigned i = 0; i < cfg->n_elements; i++)
		mbox_stats_element(i, &es[i]);
	build_system();
	build_ports(cfg, ps);
	build_if(cfg, ps);
	build_elements(cfg, es);
	build_rows(cfg);
	build_cores_pools_thresholds(cfg);
	qsort(snap.objs, snap.n, sizeof(*snap.objs), obj_cmp);
	snap.built_tsc = rte_get_timer_cycles();
	snap.generation = mbox_dataplane_status()->generation;
	snap.valid = true;
}

static void refresh(void)
{
	if (!snap.valid || snap.generation != mbox_dataplane_status()->generation ||
	    rte_get_timer_cycles() - snap.built_tsc >= rte_get_timer_hz())
		rebuild();
}

/* Index of the first object >= name (> name when strict). */
static size_t lower_bound(const oid *name, size_t len, bool strict)
{
	size_t lo = 0, hi = snap.n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = snmp_oid_compare(snap.objs[mid].name, snap.objs[mid].len, name, len);

		if (c < 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct mib_obj *mib_find(const oid *name, size_t len)
{
	size_t i;

	refresh();
	i = lower_bound(name, len, false);
	return i < snap.n && !snmp_oid_compare(snap.objs[i].name, snap.objs[i].len, name, len) ?
		       &snap.objs[i] : NULL;
}

const struct mib_obj *mib_find_next(const oid *name, size_t len, bool inclusive)
{
	size_t i;

	refresh();
	i = lower_bound(name, len, !inclusive);
	return i < snap.n ? &snap.objs[i] : NULL;
}

void mib_set_varbind(netsnmp_variable_list *vb, const struct mib_obj *o)
{
	switch (o->type) {
	case ASN_OCTET_STR:
		snmp_set_var_typed_value(vb, o->type, o->str ? o->str : "", o->str_len);
		break;
	case ASN_COUNTER64: {
		struct counter64 c = { .high = (u_long)(o->num >> 32), .low = (u_long)(o->num & 0xffffffff) };

		snmp_set_var_typed_value(vb, o->type, &c, sizeof(c));
		break;
	}
	case ASN_INTEGER: {
		long v = (long)o->num;

		snmp_set_var_typed_value(vb, o->type, &v, sizeof(v));
		break;
	}
	default: {
		u_long v = (u_long)(uint32_t)o->num;

		snmp_set_var_typed_value(vb, o->type, &v, sizeof(v));
		break;
	}
	}
}
