/* The change transaction (change.h: prepare, publish, commit, abort) on a
 * running data plane with a real worker (dataplane_fixture.h): commit,
 * abort before and after publication, refusals (platform, a graph that
 * cannot be built), and prepare failing at each of its allocations in turn
 * (tests/fault/fault.h): each refused with the file's name, the DPDK heap
 * as before, the running generation untouched and forwarding. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "dataplane.h"
#include "dataplane_fixture.h"
#include "fault.h"

#define MAX_WALK 1000

static const char graph1[] =
	"elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; }, { name = \"c1\"; kind = \"counter\"; },\n"
	"  { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; }, { name = \"rx1\"; kind = \"port_rx\"; port = \"p1\"; },\n"
	"  { name = \"tx0\"; kind = \"port_tx\"; port = \"p0\"; } );\n"
	"links = ( \"rx0 -> c1 -> tx1\", \"rx1 -> tx0\" );\n";
static const char graph2[] =
	"elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; }, { name = \"c2\"; kind = \"counter\"; },\n"
	"  { name = \"rw\"; kind = \"ether_rewrite\"; swap = true; },\n"
	"  { name = \"nat\"; kind = \"nat\"; address = \"198.18.0.1\"; ports = \"1024-2047\"; max_sessions = 1024; },\n"
	"  { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; }, { name = \"rx1\"; kind = \"port_rx\"; port = \"p1\"; },\n"
	"  { name = \"tx0\"; kind = \"port_tx\"; port = \"p0\"; } );\n"
	"links = ( \"rx0 -> c2 -> rw -> nat[outside] -> tx1\", \"nat[inside] -> tx0\", \"rx1 -> tx0\" );\n";
/* graph2 with a NAT that cannot adopt the running one's table. */
static const char graph3[] =
	"elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; }, { name = \"c2\"; kind = \"counter\"; },\n"
	"  { name = \"rw\"; kind = \"ether_rewrite\"; swap = false; src = \"02:00:00:00:00:aa\"; },\n"
	"  { name = \"nat\"; kind = \"nat\"; address = \"198.18.0.2\"; ports = \"1024-4095\"; max_sessions = 2048; },\n"
	"  { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; }, { name = \"rx1\"; kind = \"port_rx\"; port = \"p1\"; },\n"
	"  { name = \"tx0\"; kind = \"port_tx\"; port = \"p0\"; } );\n"
	"links = ( \"rx0 -> c2 -> rw -> nat[outside] -> tx1\", \"nat[inside] -> tx0\", \"rx1 -> tx0\" );\n";
/* Valid, but its session table needs far more than memory_mb. */
static const char unbuildable[] =
	"elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; }, { name = \"c1\"; kind = \"counter\"; },\n"
	"  { name = \"nat\"; kind = \"nat\"; address = \"198.18.0.1\"; ports = \"1024-65535\"; max_sessions = 4194304; },\n"
	"  { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; }, { name = \"tx0\"; kind = \"port_tx\"; port = \"p0\"; } );\n"
	"links = ( \"rx0 -> c1 -> nat[outside] -> tx1\", \"nat[inside] -> tx0\" );\n";

/* Prepare `rest`: the change, or NULL with the refusal in d; file gets
 * the configuration's file name, copied before prepare may free it. */
static struct mbox_change *prepare(const char *platform, const char *rest, struct mbox_diag *d, char *file,
				   size_t size)
{
	struct mbox_config *cfg = fixture_config("change", platform, rest, d);

	snprintf(file, size, "%s", cfg ? cfg->file : "?");
	return cfg ? mbox_change_prepare(cfg, d) : NULL;
}

static void test_commit(void)
{
	struct mbox_diag d = { .out = stdout };
	char file[256];
	unsigned before = fixture_generation();
	struct mbox_change *c = prepare(NULL, graph2, &d, file, sizeof(file));

	check(c && fixture_generation() == before && mbox_config_element_index(mbox_running_config(), "c1") >= 0,
	      "change_prepare_changes_nothing_yet", "prepared: %s, generation %u", c ? "yes" : d.first, fixture_generation());
	if (!c)
		return;
	mbox_change_publish(c);
	mbox_change_commit(c);
	check(fixture_generation() == before + 1 && mbox_config_element_index(mbox_running_config(), "c2") >= 0 &&
	      fixture_worker_on_running() && fixture_counting("c2"), "change_commit_switches_the_worker",
	      "generation %u, worker on the running one: %d", fixture_generation(), fixture_worker_on_running());
}

static void test_abort(bool published)
{
	struct mbox_diag d = { .out = stdout };
	char file[256];
	const struct mbox_generation *running = mbox_dataplane_generation();
	unsigned before = fixture_generation();
	size_t heap = fault_heap_in_use();
	uint64_t switched = fixture_worker_switches();
	struct mbox_change *c = prepare(NULL, graph1, &d, file, sizeof(file));

	if (!c) {
		check(0, published ? "change_abort_after_publish_prepared" : "change_abort_unpublished_prepared", "%s",
		      d.first);
		return;
	}
	if (published) {
		mbox_change_publish(c);
		/* The worker takes the new graph at its next walk. */
		fixture_worker_switched(switched);
	}
	mbox_change_abort(c);
	check(mbox_dataplane_generation() == running && fixture_generation() == before && fault_heap_in_use() == heap &&
	      fixture_worker_on_running() && fixture_counting("c2") && fixture_worker_switches() == switched + (published ? 2 : 0),
	      published ? "change_abort_after_publish_returns_to_the_old" : "change_abort_unpublished_frees_it",
	      "generation %u (was %u), heap %zu bytes (was %zu), worker switches %lu (was %lu)", fixture_generation(), before,
	      fault_heap_in_use(), heap, (unsigned long)fixture_worker_switches(), (unsigned long)switched);
}

/* A refused prepare: NULL, the reason names the file, nothing changed. */
static void check_refused(const char *name, const char *platform, const char *rest, const char *reason)
{
	struct mbox_diag d = { .out = stdout };
	char file[256];
	const struct mbox_generation *running = mbox_dataplane_generation();
	size_t heap = fault_heap_in_use();
	struct mbox_change *c = prepare(platform, rest, &d, file, sizeof(file));

	check(!c && d.errors == 1 && strncmp(d.first, file, strlen(file)) == 0 && strstr(d.first, reason) &&
	      mbox_dataplane_generation() == running && fault_heap_in_use() == heap && fixture_counting("c2"),
	      name, "prepared: %s; reason \"%s\" (expected %s: ...%s...); heap %zu bytes (was %zu)", c ? "yes" : "no",
	      d.first, file, reason, fault_heap_in_use(), heap);
	if (c)
		mbox_change_abort(c);
}

/* Prepare fails at allocation N = 1, 2, ... until it succeeds. */
static void test_prepare_fault_walk(void)
{
	char problem[512] = "";
	unsigned n;
	unsigned before = fixture_generation();

	for (n = 1; n <= MAX_WALK; n++) {
		struct mbox_diag d = { .out = NULL };
		struct mbox_config *cfg = fixture_config("walk", NULL, graph3, &d);
		char plan[32];
		const struct mbox_generation *running = mbox_dataplane_generation();
		size_t heap = fault_heap_in_use();
		struct mbox_change *c;
		char file[256];

		snprintf(file, sizeof(file), "%s", cfg->file);
		snprintf(plan, sizeof(plan), "any:%u", n);
		fault_plan(plan, NULL); /* counts from here */
		c = mbox_change_prepare(cfg, &d);
		if (!fault_failed()) {
			fault_plan(NULL, NULL);
			if (!c)
				snprintf(problem, sizeof(problem), "N=%u: nothing failed, yet prepare did: %s", n, d.first);
			else
				mbox_change_abort(c);
			break;
		}
		fault_plan(NULL, NULL);
		if (c) {
			snprintf(problem, sizeof(problem), "N=%u: an allocation failed, yet prepare succeeded", n);
			mbox_change_abort(c);
		} else if (d.errors != 1 || strncmp(d.first, file, strlen(file)) || !strstr(d.first, "cannot build")) {
			snprintf(problem, sizeof(problem), "N=%u: refused with \"%s\" (%u errors)", n, d.first, d.errors);
		} else if (fault_heap_in_use() != heap || mbox_dataplane_generation() != running) {
			snprintf(problem, sizeof(problem), "N=%u: DPDK heap %zu bytes in use, %zu before", n,
				 fault_heap_in_use(), heap);
		}
		if (problem[0])
			break;
	}
	check(!problem[0], "change_prepare_fault_walk_each_refused_cleanly", "%s", problem);
	check(n > 1 && n <= MAX_WALK, "change_prepare_fault_walk_reaches_the_end", "prepare succeeded at N=%u", n);
	check(fixture_generation() == before && fixture_worker_on_running() && fixture_counting("c2"),
	      "change_prepare_fault_walk_keeps_forwarding", "generation %u (was %u)", fixture_generation(), before);
	printf("info: prepare of a 7-element graph with a new NAT table: %u allocations, each failed once\n", n - 1);
}

static char platform_changed[1024];

int main(void)
{
	/* The same platform with another pool size: a restart's business. */
	snprintf(platform_changed, sizeof(platform_changed), "%s", fixture_platform);
	memcpy(strstr(platform_changed, "mbufs = 8191"), "mbufs = 9191", 12);
	fixture_start("start", graph1);
	check(fixture_counting("c1"), "change_fixture_forwards", "the counter does not count");
	test_commit();
	test_abort(false);
	test_abort(true);
	check_refused("change_prepare_platform_change_refused", platform_changed, graph2, "needs a restart");
	check_refused("change_prepare_unbuildable_refused", NULL, unbuildable, "cannot build the new graph");
	test_prepare_fault_walk();
	return fixture_stop();
}
