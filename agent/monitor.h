/* Monitoring (monitor.c): link state, per-second rates, busy and usage
 * percentages and the alarm state of each threshold, updated on the
 * control thread's tick.  The MIB objects read it; the trap sender reads
 * the transitions of the last tick and decides what to send. */
#ifndef MBOX_AGENT_MONITOR_H
#define MBOX_AGENT_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

/* What crossed a threshold: mboxThresholdCrossedType's values. */
enum monitor_cross { CROSS_DROP_RATE = 1, CROSS_CORE_BUSY, CROSS_POOL_USAGE, CROSS_TABLE_FILL };

/* A transition of the last tick. */
struct monitor_event {
	enum { MONITOR_LINK, MONITOR_THRESHOLD } what;
	unsigned port;              /* MONITOR_LINK: which port, */
	bool up;                    /* now up or down */
	enum monitor_cross cross;   /* MONITOR_THRESHOLD: which limit */
	char subject[64];           /* "core 1", "element nat", "port wan", "pool ..." */
	uint64_t value;
	unsigned limit;
};

/* Take the ports' link state as it is now, start the rates afresh. */
void monitor_init(void);
/* Every control tick (100 ms): links; once a second, the rates, the
 * percentages and the thresholds. */
void monitor_tick(void);
/* The transitions monitor_tick found, until the next monitor_tick. */
const struct monitor_event *monitor_events(unsigned *n);
/* Counts link changes: a snapshot of the MIB built under another value is stale. */
unsigned monitor_link_changes(void);

/* Port p's link (down while administratively down) and ifOperStatus up(1),
 * as of the last tick, and the TSC of its last change (0: none since start). */
bool monitor_port_oper_up(unsigned port);
uint64_t monitor_port_last_change(unsigned port);
/* A worker's busy percentage over the last complete second. */
unsigned monitor_core_busy(unsigned worker);

#endif
