/* Monitoring: what the agent watches, on its own tick (monitor.h).  It
 * reads the core through the statistics API and keeps the only mutable
 * state the MIB objects and the notifications share. */
#include <stdio.h>

#include <rte_cycles.h>

#include "change.h"
#include "log.h"
#include "monitor.h"
#include "param.h"
#include "sections.h"
#include "stats.h"

/* At most one transition per port, core, element (twice) and the pool a tick. */
#define MAX_EVENTS (2 * MBOX_MAX_PORTS + MBOX_MAX_LCORES + 2 * MBOX_MAX_ELEMENTS + 1)

static struct {
	uint64_t last_second;
	bool oper_up[MBOX_MAX_PORTS];
	uint64_t last_change[MBOX_MAX_PORTS];
	unsigned link_changes;
	/* Per-second rates and their alarm state (at or above the threshold). */
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
	struct monitor_event events[MAX_EVENTS];
	unsigned n_events;
} mon;

static bool port_up_now(unsigned port)
{
	return mbox_port_admin_up(port) && mbox_port_link_up(port);
}

bool monitor_port_oper_up(unsigned port)
{
	return port < MBOX_MAX_PORTS && mon.oper_up[port];
}

uint64_t monitor_port_last_change(unsigned port)
{
	return port < MBOX_MAX_PORTS ? mon.last_change[port] : 0;
}

unsigned monitor_core_busy(unsigned worker)
{
	return worker < MBOX_MAX_LCORES ? mon.busy_percent[worker] : 0;
}

unsigned monitor_link_changes(void)
{
	return mon.link_changes;
}

const struct monitor_event *monitor_events(unsigned *n)
{
	*n = mon.n_events;
	return mon.events;
}

static struct monitor_event *event(void)
{
	return mon.n_events < MAX_EVENTS ? &mon.events[mon.n_events++] : NULL;
}

static void watch_links(void)
{
	unsigned n = mbox_stats_n_ports();

	for (unsigned i = 0; i < n && i < MBOX_MAX_PORTS; i++) {
		bool up = port_up_now(i);
		struct monitor_event *ev;

		if (up == mon.oper_up[i])
			continue;
		mon.oper_up[i] = up;
		mon.last_change[i] = rte_get_timer_cycles();
		mon.link_changes++;
		if ((ev = event()))
			*ev = (struct monitor_event){ .what = MONITOR_LINK, .port = i, .up = up };
	}
}

/* Raise once when value reaches limit; re-arm when it falls below. */
static void watch(bool *alarm, enum monitor_cross cross, const char *subject, uint64_t value, unsigned limit)
{
	bool above = limit && value >= limit;
	struct monitor_event *ev;

	if (above && !*alarm) {
		log_warn("threshold crossed: %s at %lu, threshold %u", subject, (unsigned long)value, limit);
		if ((ev = event())) {
			*ev = (struct monitor_event){ .what = MONITOR_THRESHOLD, .cross = cross, .value = value,
						      .limit = limit };
			snprintf(ev->subject, sizeof(ev->subject), "%s", subject);
		}
	}
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

static void watch_cores(const struct mbox_thresholds *th)
{
	struct mbox_core_stats cs;
	char subject[64];

	for (unsigned w = 0; w < MBOX_MAX_LCORES && mbox_stats_core(w, &cs) == 0; w++) {
		uint64_t walks = cs.walks - mon.walks[w], busy = cs.busy_walks - mon.busy_walks[w];

		mon.busy_percent[w] = walks ? (unsigned)(busy * 100 / walks) : 0;
		mon.walks[w] = cs.walks;
		mon.busy_walks[w] = cs.busy_walks;
		snprintf(subject, sizeof(subject), "core %u", w + 1);
		watch(&mon.core_alarm[w], CROSS_CORE_BUSY, subject, mon.busy_percent[w], th->limit[THRESHOLD_CORE_BUSY]);
	}
}

static void watch_drops_and_usage(const struct mbox_config *cfg, const struct mbox_thresholds *th)
{
	unsigned generation = mbox_dataplane_status()->generation;
	/* A new generation may number its elements differently: no rate across it. */
	bool have_base = generation == mon.drops_generation;
	struct mbox_pool_stats pool;
	char subject[64];

	for (unsigned i = 0; i < cfg->n_elements; i++) {
		struct mbox_element_stats es;

		if (mbox_stats_element(i, &es) < 0)
			continue;
		snprintf(subject, sizeof(subject), "element %s", es.name);
		if (have_base)
			watch(&mon.element_alarm[i], CROSS_DROP_RATE, subject, es.drops - mon.element_drops[i],
			      th->limit[THRESHOLD_DROP_RATE]);
		mon.element_drops[i] = es.drops;
		watch(&mon.fill_alarm[i], CROSS_TABLE_FILL, subject, table_fill(&cfg->elements[i], &es),
		      th->limit[THRESHOLD_TABLE_FILL]);
	}
	mon.drops_generation = generation;
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		struct mbox_port_stats ps;
		uint64_t drops;

		if (mbox_stats_port(i, &ps) < 0)
			continue;
		drops = ps.imissed + ps.rx_nombuf;
		snprintf(subject, sizeof(subject), "port %s", ps.name);
		if (have_base)
			watch(&mon.port_alarm[i], CROSS_DROP_RATE, subject, drops - mon.port_drops[i],
			      th->limit[THRESHOLD_DROP_RATE]);
		mon.port_drops[i] = drops;
	}
	if (mbox_stats_pool(&pool) == 0) {
		snprintf(subject, sizeof(subject), "pool %s", pool.name);
		watch(&mon.pool_alarm, CROSS_POOL_USAGE, subject, pool.size ? pool.in_use * 100ULL / pool.size : 0,
		      th->limit[THRESHOLD_POOL_USAGE]);
	}
}

void monitor_tick(void)
{
	uint64_t now = rte_get_timer_cycles();

	mon.n_events = 0;
	watch_links();
	if (now - mon.last_second >= rte_get_timer_hz()) {
		const struct mbox_config *cfg = mbox_running_config();
		const struct mbox_thresholds *th = mbox_thresholds_cfg(cfg);

		mon.last_second = now;
		watch_cores(th);
		watch_drops_and_usage(cfg, th);
	}
}

void monitor_init(void)
{
	unsigned n = mbox_stats_n_ports();

	for (unsigned i = 0; i < n && i < MBOX_MAX_PORTS; i++)
		mon.oper_up[i] = port_up_now(i);
	mon.last_second = rte_get_timer_cycles();
	mon.drops_generation = ~0u;
}
