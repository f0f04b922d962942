/* A running data plane for the change and agent unit tests: mboxd's own
 * start (mbox_dataplane_start) without hugepages, two net_null ports
 * (whose receive side never runs dry) and one worker thread walking the
 * graph, so that a change is published to, and switched by, a real worker. */
#ifndef MBOX_DATAPLANE_FIXTURE_H
#define MBOX_DATAPLANE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The platform every fixture configuration starts with (dpdk, ports p0, p1). */
extern const char fixture_platform[];

/* `platform` (NULL: fixture_platform), then `rest`, loaded from a file
 * (messages name it); NULL after reporting to d.  `name` tells the files
 * apart. */
struct mbox_config *fixture_config(const char *name, const char *platform, const char *rest, struct mbox_diag *d);
/* Start the data plane with fixture_config(name, rest); exits on failure. */
void fixture_start(const char *name, const char *rest);
/* The same on `platform` (e.g. more workers than fixture_platform's one). */
void fixture_start_on(const char *name, const char *platform, const char *rest);
/* Whether the counter element `name`'s packet count rises within 5 s. */
bool fixture_counting(const char *name);
/* mboxGeneration now; generations the worker has switched to so far. */
unsigned fixture_generation(void);
uint64_t fixture_worker_switches(void);
/* Wait up to 5 s for the worker to switch again after `switches`. */
bool fixture_worker_switched(uint64_t switches);
/* Whether the worker walks the running generation now (waits up to 5 s). */
bool fixture_worker_on_running(void);
/* Stop the data plane; the exit status for main(). */
int fixture_stop(void);

#endif
