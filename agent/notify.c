/* Notifications: link changes (IF-MIB linkUp/linkDown), configuration
 * applied or rejected, thresholds crossed, start and stop.  Checked on the
 * control thread's 100 ms tick, so a trap leaves within a second. */
#include <string.h>

#include <rte_cycles.h>

#include "mib.h"
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "sections.h"
#include "change.h"
#include "log.h"
#include "mib.h"
#include "notify.h"
#include "stats.h"

static const oid snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid link_down_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5, 3 };
static const oid link_up_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5, 4 };
static const oid mbox_notifications[] = { MBOX_OID, 0 };
static const oid mbox_system[] = { MBOX_OID, 1, 1 };
static const oid mbox_thresholds[] = { MBOX_OID, 1, 6 };
static const oid if_entry[] = { IF_ENTRY_OID };

static struct {
	unsigned generation, rejections;
	uint64_t last_second;
	/* Per-second rates and their alarm state (above the threshold). */
	uint64_t walks[MBOX_MAX_LCORES], busy_walks[MBOX_MAX_LCORES];
	unsigned busy_percent[MBOX_MAX_LCORES];
	bool core_alarm[MBOX_MAX_LCORES];
	uint64_t element_drops[MBOX_MAX_ELEMENTS];
	bool element_alarm[MBOX_MAX_ELEMENTS];
	uint64_t port_drops[MBOX_MAX_PORTS];
	bool port_alarm[MBOX_MAX_PORTS];
	bool pool_alarm;
	bool fill_alarm[MBOX_MAX_ELEMENTS];
	unsigned drops_generation;
} nt;

unsigned mib_core_busy(unsigned worker)
{
	return worker < MBOX_MAX_LCORES ? nt.busy_percent[worker] : 0;
}

static void add_oid(netsnmp_variable_list **vars, const oid *base, size_t len, const oid *sub,
		    size_t n_sub, u_char type, const void *value, size_t value_len)
{
	oid name[MBOX_OID_MAX];

	memcpy(name, base, len * sizeof(oid));
	for (size_t i = 0; i < n_sub; i++)
		name[len + i] = sub[i];
	snmp_varlist_add_variable(vars, name, len + n_sub, type, value, value_len);
}

static void add_text(netsnmp_variable_list **vars, const oid *base, size_t len, const oid *sub,
		     size_t n_sub, const char *text)
{
	size_t n = strlen(text);

	add_oid(vars, base, len, sub, n_sub, ASN_OCTET_STR, text, n > 255 ? 255 : n);
}

static void add_int(netsnmp_variable_list **vars, const oid *base, size_t len, const oid *sub,
		    size_t n_sub, u_char type, long value)
{
	add_oid(vars, base, len, sub, n_sub, type, &value, sizeof(value));
}

/* Send a notification whose OID is trap (trap_len), carrying vars. */
static void send_trap(const oid *trap, size_t trap_len, netsnmp_variable_list *vars)
{
	netsnmp_variable_list *all = NULL;

	snmp_varlist_add_variable(&all, snmptrap_oid, OID_LENGTH(snmptrap_oid), ASN_OBJECT_ID,
				  trap, trap_len * sizeof(oid));
	all->next_variable = vars;
	send_v2trap(all);
	snmp_free_varbind(all);
}

static void send_mbox_trap(unsigned number, netsnmp_variable_list *vars)
{
	oid trap[MBOX_OID_MAX];

	memcpy(trap, mbox_notifications, sizeof(mbox_notifications));
	trap[OID_LENGTH(mbox_notifications)] = number;
	send_trap(trap, OID_LENGTH(mbox_notifications) + 1, vars);
}

void notify_started(void)
{
	netsnmp_variable_list *vars = NULL;
	oid zero[] = { 1, 0 };

	add_text(&vars, mbox_system, OID_LENGTH(mbox_system), zero, 2, MBOX_VERSION);
	send_mbox_trap(5, vars);
	if (mib_state.restart_count) {
		oid count[] = { 11, 0 };

		vars = NULL;
		add_int(&vars, mbox_system, OID_LENGTH(mbox_system), count, 2, ASN_COUNTER,
			(long)mib_state.restart_count);
		send_mbox_trap(7, vars);
	}
	if (mbox_dataplane_status()->source == MBOX_SOURCE_LAST_GOOD) {
		oid source[] = { 13, 0 }, error[] = { 6, 0 };

		vars = NULL;
		add_int(&vars, mbox_system, OID_LENGTH(mbox_system), source, 2, ASN_INTEGER, MBOX_SOURCE_LAST_GOOD);
		add_text(&vars, mbox_system, OID_LENGTH(mbox_system), error, 2, mbox_dataplane_status()->last_error);
		send_mbox_trap(8, vars);
	}
	nt.generation = mbox_dataplane_status()->generation;
	nt.rejections = mbox_dataplane_status()->rejections;
}

void notify_stopping(void)
{
	netsnmp_variable_list *vars = NULL;
	oid state[] = { 3, 0 };

	add_int(&vars, mbox_system, OID_LENGTH(mbox_system), state, 2, ASN_INTEGER, 4 /* stopping */);
	send_mbox_trap(6, vars);
}

static void check_links(void)
{
	unsigned n = mbox_stats_n_ports();

	for (unsigned i = 0; i < n && i < 32; i++) {
		bool up = mib_port_oper_up(i);
		unsigned if_index = mib_state.if_index_base + i + 1;
		oid col_index[] = { 1, if_index }, col_admin[] = { 7, if_index }, col_oper[] = { 8, if_index };
		netsnmp_variable_list *vars = NULL;

		if (up == mib_state.oper_up[i])
			continue;
		mib_state.oper_up[i] = up;
		mib_state.if_last_change[i] = mib_uptime();
		add_int(&vars, if_entry, OID_LENGTH(if_entry), col_index, 2, ASN_INTEGER, if_index);
		add_int(&vars, if_entry, OID_LENGTH(if_entry), col_admin, 2, ASN_INTEGER,
			mbox_port_admin_up(i) ? 1 : 2);
		add_int(&vars, if_entry, OID_LENGTH(if_entry), col_oper, 2, ASN_INTEGER, up ? 1 : 2);
		send_trap(up ? link_up_oid : link_down_oid, OID_LENGTH(link_up_oid), vars);
		mib_invalidate();
	}
}

static void check_config(void)
{
	const struct mbox_status *st = mbox_dataplane_status();

	if (st->generation != nt.generation) {
		netsnmp_variable_list *vars = NULL;
		oid gen[] = { 4, 0 }, hash[] = { 5, 0 };

		nt.generation = st->generation;
		add_int(&vars, mbox_system, OID_LENGTH(mbox_system), gen, 2, ASN_UNSIGNED, (long)st->generation);
		add_text(&vars, mbox_system, OID_LENGTH(mbox_system), hash, 2, st->hash);
		send_mbox_trap(1, vars);
	}
	if (st->rejections != nt.rejections) {
		netsnmp_variable_list *vars = NULL;
		oid err[] = { 6, 0 };

		nt.rejections = st->rejections;
		add_text(&vars, mbox_system, OID_LENGTH(mbox_system), err, 2, st->last_error);
		send_mbox_trap(2, vars);
	}
}

enum { CROSS_DROP_RATE = 1, CROSS_CORE_BUSY, CROSS_POOL_USAGE, CROSS_TABLE_FILL };

static void threshold_trap(unsigned type, const char *subject, uint64_t value, unsigned limit)
{
	netsnmp_variable_list *vars = NULL;
	oid t[] = { 4, 0 }, s[] = { 5, 0 }, v[] = { 6, 0 }, l[] = { 7, 0 };

	log_warn("threshold crossed: %s at %lu, threshold %u", subject, (unsigned long)value, limit);
	add_int(&vars, mbox_thresholds, OID_LENGTH(mbox_thresholds), t, 2, ASN_INTEGER, type);
	add_text(&vars, mbox_thresholds, OID_LENGTH(mbox_thresholds), s, 2, subject);
	add_int(&vars, mbox_thresholds, OID_LENGTH(mbox_thresholds), v, 2, ASN_UNSIGNED,
		(long)(value > UINT32_MAX ? UINT32_MAX : value));
	add_int(&vars, mbox_thresholds, OID_LENGTH(mbox_thresholds), l, 2, ASN_UNSIGNED, limit);
	send_mbox_trap(4, vars);
}

/* Raise once when value reaches limit; re-arm when it falls below. */
static void watch(bool *alarm, unsigned type, const char *subject, uint64_t value, unsigned limit)
{
	bool above = limit && value >= limit;

	if (above && !*alarm)
		threshold_trap(type, subject, value, limit);
	*alarm = above;
}

/* Percent of the element's table in use, for kinds that declare one. */
static uint64_t table_fill(const struct mbox_element *e, const struct mbox_element_stats *es)
{
	const struct mbox_kind *k = e->kind;
	int used = mbox_kind_counter_index(k, k->fill_counter);
	uint64_t capacity;

	if (used < 0 || !k->fill_capacity)
		return 0;
	capacity = mbox_param(e, k->fill_capacity)->u;
	return capacity ? es->counters[used] * 100 / capacity : 0;
}

static void check_thresholds(void)
{
	const struct mbox_config *cfg = mbox_running_config();
	const struct mbox_thresholds *th = mbox_thresholds_cfg(cfg);
	unsigned generation = mbox_dataplane_status()->generation;
	struct mbox_core_stats cs;
	struct mbox_pool_stats pool;
	char subject[64];

	for (unsigned w = 0; w < MBOX_MAX_LCORES && mbox_stats_core(w, &cs) == 0; w++) {
		uint64_t walks = cs.walks - nt.walks[w], busy = cs.busy_walks - nt.busy_walks[w];

		nt.busy_percent[w] = walks ? (unsigned)(busy * 100 / walks) : 0;
		nt.walks[w] = cs.walks;
		nt.busy_walks[w] = cs.busy_walks;
		snprintf(subject, sizeof(subject), "core %u", w + 1);
		watch(&nt.core_alarm[w], CROSS_CORE_BUSY, subject, nt.busy_percent[w], th->limit[THRESHOLD_CORE_BUSY]);
	}
	/* A new generation may number its elements differently: no rate across it. */
	bool have_base = generation == nt.drops_generation;

	for (unsigned i = 0; i < cfg->n_elements; i++) {
		struct mbox_element_stats es;

		if (mbox_stats_element(i, &es) < 0)
			continue;
		snprintf(subject, sizeof(subject), "element %s", es.name);
		if (have_base)
			watch(&nt.element_alarm[i], CROSS_DROP_RATE, subject, es.drops - nt.element_drops[i],
			      th->limit[THRESHOLD_DROP_RATE]);
		nt.element_drops[i] = es.drops;
		watch(&nt.fill_alarm[i], CROSS_TABLE_FILL, subject, table_fill(&cfg->elements[i], &es), th->limit[THRESHOLD_TABLE_FILL]);
	}
	nt.drops_generation = generation;
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		struct mbox_port_stats ps;
		uint64_t drops;

		if (mbox_stats_port(i, &ps) < 0)
			continue;
		drops = ps.imissed + ps.rx_nombuf;
		snprintf(subject, sizeof(subject), "port %s", ps.name);
		if (have_base)
			watch(&nt.port_alarm[i], CROSS_DROP_RATE, subject, drops - nt.port_drops[i], th->limit[THRESHOLD_DROP_RATE]);
		nt.port_drops[i] = drops;
	}
	if (mbox_stats_pool(&pool) == 0) {
		snprintf(subject, sizeof(subject), "pool %s", pool.name);
		watch(&nt.pool_alarm, CROSS_POOL_USAGE, subject, pool.size ? pool.in_use * 100ULL / pool.size : 0,
		      th->limit[THRESHOLD_POOL_USAGE]);
	}
}

void notify_tick(void)
{
	uint64_t now = rte_get_timer_cycles();

	check_links();
	check_config();
	if (now - nt.last_second >= rte_get_timer_hz()) {
		nt.last_second = now;
		check_thresholds();
	}
}

void notify_init(void)
{
	unsigned n = mbox_stats_n_ports();

	for (unsigned i = 0; i < n && i < 32; i++)
		mib_state.oper_up[i] = mib_port_oper_up(i);
	nt.last_second = rte_get_timer_cycles();
	nt.drops_generation = ~0u;
}
