/* Several workers at the generation switch (dataplane_fixture.h): four
 * workers on lcores 1-4, more than a small machine has CPUs (EAL threads
 * then share them, so a worker can be preempted in the middle of a walk or
 * a switch), walk net_null traffic while the configuration changes many
 * times, by commit and by undo after publication.  Every worker switches at
 * every change, the counts never go back, and once traffic stops, the
 * counts the generations carried, summed over the workers, equal what the
 * workers received: no packet lost or counted twice at a hand-over.  (NAT
 * and the sequencer refuse more than one worker: their hand-over is one
 * worker's, tested in test_nat.c and test_sequencer.c.) */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "change.h"
#include "check.h"
#include "dataplane.h"
#include "dataplane_fixture.h"
#include "runtime.h"
#include "stats.h"

#define WORKERS 4
#define CHANGES 100

static const char platform[] =
	"dpdk = { lcores = \"0-4\"; cpus = \"0-1\"; main_lcore = 0; memory_mb = 512; mbufs = 32767; file_prefix = \"unit_workers\";\n"
	"  eal_args = ( \"--no-huge\", \"--no-shconf\", \"--log-level\", \"error\" ); };\n"
	"ports = ( { name = \"p0\"; device = \"net_null0\"; }, { name = \"p1\"; device = \"net_null1\"; } );\n";
/* Two graphs that keep c, pol and tx1 (with new policer rates: the buckets
 * are handed over per worker) and add or remove rw. */
static const char graph_a[] =
	"elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; }, { name = \"c\"; kind = \"counter\"; },\n"
	"  { name = \"pol\"; kind = \"policer\"; cir = 1099511627776; cbs = 1099511627776; },\n"
	"  { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; } );\n"
	"links = ( \"rx0 -> c -> pol -> tx1\" );\n";
static const char graph_b[] =
	"elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; }, { name = \"c\"; kind = \"counter\"; },\n"
	"  { name = \"rw\"; kind = \"ether_rewrite\"; swap = true; },\n"
	"  { name = \"pol\"; kind = \"policer\"; cir = 549755813888; cbs = 1099511627776; },\n"
	"  { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; } );\n"
	"links = ( \"rx0 -> c -> rw -> pol -> tx1\" );\n";

static const struct mbox_worker *workers(void)
{
	unsigned n;
	const struct mbox_worker *w = mbox_dataplane_workers(&n);

	return n == WORKERS ? w : NULL;
}

static uint64_t load(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

static void element(const char *name, struct mbox_element_stats *es)
{
	int i = mbox_config_element_index(mbox_running_config(), name);

	memset(es, 0, sizeof(*es));
	if (i >= 0)
		mbox_stats_element((unsigned)i, es);
}

static uint64_t packets_in(const char *name)
{
	struct mbox_element_stats es;

	element(name, &es);
	return es.in;
}

/* Wait until every worker's switches reach want[w] (5 s at most). */
static bool all_switched(const uint64_t want[WORKERS])
{
	const struct mbox_worker *w = workers();
	uint64_t deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();

	for (;;) {
		unsigned done = 0;

		for (unsigned i = 0; i < WORKERS; i++)
			done += load(&w[i].switches) >= want[i];
		if (done == WORKERS || rte_get_timer_cycles() > deadline)
			return done == WORKERS;
		rte_delay_us_sleep(1000);
	}
}

/* Changes under traffic: every third one is undone after publication (the
 * workers switch to it and back, handing their state over both ways). */
static void test_changes(void)
{
	const struct mbox_worker *w = workers();
	unsigned wrong_switches = 0, went_back = 0, refused = 0;
	char why[300] = "";

	for (unsigned k = 0; k < CHANGES; k++) {
		struct mbox_diag d = { .out = stdout };
		bool undo = k % 3 == 2;
		struct mbox_config *cfg = fixture_config("workers", platform, k % 2 ? graph_a : graph_b, &d);
		uint64_t before = packets_in("c"), want[WORKERS];
		struct mbox_change *c;

		for (unsigned i = 0; i < WORKERS; i++)
			want[i] = load(&w[i].switches) + (undo ? 2 : 1);
		c = cfg ? mbox_change_prepare(cfg, &d) : NULL;
		if (!c) {
			refused++;
			snprintf(why, sizeof(why), "%s", d.first);
			continue;
		}
		mbox_change_publish(c);
		if (undo) {
			uint64_t first[WORKERS];

			for (unsigned i = 0; i < WORKERS; i++)
				first[i] = want[i] - 1;
			wrong_switches += !all_switched(first);
			mbox_change_abort(c);
		} else {
			mbox_change_commit(c);
		}
		for (unsigned i = 0; i < WORKERS; i++)
			wrong_switches += load(&w[i].switches) != want[i];
		went_back += packets_in("c") < before;
	}
	check(refused == 0, "workers_changes_applied", "%u of %d changes refused, the last: %s", refused, CHANGES, why);
	check(wrong_switches == 0, "workers_all_switch_at_every_change",
	      "%u (change, worker) pairs without exactly one switch per publication", wrong_switches);
	check(went_back == 0, "workers_counts_never_go_back", "element c counted fewer packets after %u changes",
	      went_back);
}

/* With p0 down, once every worker has walked twice more nothing is in flight. */
static bool traffic_stopped(void)
{
	const struct mbox_worker *w = workers();
	uint64_t walks[WORKERS];

	mbox_port_set_admin(0, false);
	for (unsigned i = 0; i < WORKERS; i++)
		walks[i] = load(&w[i].walks) + 2;
	for (unsigned n = 0; n < 5000; n++) {
		unsigned done = 0;

		for (unsigned i = 0; i < WORKERS; i++)
			done += load(&w[i].walks) >= walks[i];
		if (done == WORKERS)
			return true;
		rte_delay_us_sleep(1000);
	}
	return false;
}

static void test_counts_carried(void)
{
	const struct mbox_worker *w = workers();
	struct mbox_element_stats c, pol, tx;
	uint64_t received = 0;
	unsigned idle = 0;
	bool stopped = traffic_stopped();

	for (unsigned i = 0; i < WORKERS; i++) {
		received += load(&w[i].rx_packets);
		idle += load(&w[i].rx_packets) == 0;
	}
	element("c", &c);
	element("pol", &pol);
	element("tx1", &tx);
	check(stopped && idle == 0 && received > 0, "workers_all_received", "stopped: %d, %u of %d workers received nothing",
	      stopped, idle, WORKERS);
	/* counter: packets; policer: green (the buckets never run dry). */
	check(c.in == received && c.counters[0] == received && pol.in == received && pol.counters[0] == received &&
	      tx.in == received, "workers_counts_carried_exactly",
	      "received %lu over %d workers; c in %lu packets %lu, pol in %lu green %lu, tx1 in %lu",
	      (unsigned long)received, WORKERS, (unsigned long)c.in, (unsigned long)c.counters[0],
	      (unsigned long)pol.in, (unsigned long)pol.counters[0], (unsigned long)tx.in);
	mbox_port_set_admin(0, true);
}

int main(void)
{
	fixture_start_on("workers", platform, graph_a);
	if (!workers()) {
		check(0, "workers_started", "expected %d workers", WORKERS);
		return fixture_stop();
	}
	check(fixture_counting("c"), "workers_forwarding", "element c counts nothing");
	test_changes();
	test_counts_carried();
	return fixture_stop();
}
