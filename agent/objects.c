/* The snapshot of every instance the subagent serves, in OID order: what
 * the tables (tables.c) yield, kept for a second or until the
 * configuration or a link changes. */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "change.h"
#include "mib.h"
#include "monitor.h"

struct mib_state mib_state;

static struct {
	struct mib_obj *objs;
	size_t n, cap;
	uint64_t built_tsc;
	unsigned generation, link_changes;
	bool valid;
} snap;

uint32_t mib_ticks(uint64_t tsc)
{
	return tsc < mib_state.started_tsc ? 0 :
	       (uint32_t)((tsc - mib_state.started_tsc) * 100 / rte_get_timer_hz());
}

struct mib_obj *mib_add(const oid *prefix, size_t plen, unsigned column, const oid *index, size_t ilen, u_char type)
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

void mib_obj_set_bytes(struct mib_obj *o, const void *bytes, size_t n)
{
	if ((o->str = malloc(n + 1))) {
		memcpy(o->str, bytes, n);
		o->str[n] = '\0';
		o->str_len = n;
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
	mib_free();
	mib_add_tables();
	qsort(snap.objs, snap.n, sizeof(*snap.objs), obj_cmp);
	snap.built_tsc = rte_get_timer_cycles();
	snap.generation = mbox_dataplane_status()->generation;
	snap.link_changes = monitor_link_changes();
	snap.valid = true;
}

static void refresh(void)
{
	if (!snap.valid || snap.generation != mbox_dataplane_status()->generation ||
	    snap.link_changes != monitor_link_changes() ||
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
