#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "check.h"
#include "dataplane.h"
#include "dataplane_fixture.h"
#include "stats.h"

const char fixture_platform[] =
	"dpdk = { lcores = \"0,1\"; main_lcore = 0; memory_mb = 128; mbufs = 8191; file_prefix = \"unit_change\";\n"
	"  eal_args = ( \"--no-huge\", \"--no-shconf\", \"--log-level\", \"error\" ); };\n"
	"ports = ( { name = \"p0\"; device = \"net_null0\"; }, { name = \"p1\"; device = \"net_null1\"; } );\n";

struct mbox_config *fixture_config(const char *name, const char *platform, const char *rest, struct mbox_diag *d)
{
	char path[256];
	struct mbox_config *cfg;
	FILE *f;

	snprintf(path, sizeof(path), "%s/mbox-unit-%s-%d.cfg", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 name, (int)getpid());
	f = fopen(path, "w");
	if (!f) {
		printf("FAIL fixture_config: cannot write %s\n", path);
		exit(1);
	}
	fprintf(f, "%s%s", platform ? platform : fixture_platform, rest);
	fclose(f);
	cfg = mbox_config_load(path, d);
	unlink(path);
	return cfg;
}

void fixture_start(const char *name, const char *rest)
{
	fixture_start_on(name, NULL, rest);
}

void fixture_start_on(const char *name, const char *platform, const char *rest)
{
	struct mbox_diag d = { .out = stdout };
	struct mbox_config *cfg = fixture_config(name, platform, rest, &d);

	if (!cfg || mbox_dataplane_start(cfg) < 0) {
		printf("FAIL fixture_start: the data plane did not start\n");
		exit(1);
	}
}

static uint64_t packets(const char *name)
{
	const struct mbox_config *cfg = mbox_running_config();
	int i = mbox_config_element_index(cfg, name);
	struct mbox_element_stats es;

	return i >= 0 && mbox_stats_element((unsigned)i, &es) == 0 ? es.in : 0;
}

bool fixture_counting(const char *name)
{
	uint64_t before = packets(name), deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();

	while (rte_get_timer_cycles() < deadline) {
		if (packets(name) > before)
			return true;
		rte_delay_us_sleep(1000);
	}
	return false;
}

unsigned fixture_generation(void)
{
	return mbox_dataplane_status()->generation;
}

uint64_t fixture_worker_switches(void)
{
	unsigned n;

	return __atomic_load_n(&mbox_dataplane_workers(&n)[0].switches, __ATOMIC_ACQUIRE);
}

bool fixture_worker_switched(uint64_t switches)
{
	for (unsigned i = 0; i < 5000 && fixture_worker_switches() == switches; i++)
		rte_delay_us_sleep(1000);
	return fixture_worker_switches() != switches;
}

bool fixture_worker_on_running(void)
{
	unsigned n;
	const struct mbox_worker *w = mbox_dataplane_workers(&n);
	uint64_t deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();

	while (rte_get_timer_cycles() < deadline) {
		if (__atomic_load_n(&w[0].in_use, __ATOMIC_ACQUIRE) == mbox_dataplane_generation())
			return true;
		rte_delay_us_sleep(1000);
	}
	return false;
}

int fixture_stop(void)
{
	mbox_dataplane_stop();
	return check_failures ? 1 : 0;
}
