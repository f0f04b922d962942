#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <openssl/evp.h>

#include "dataplane.h"
#include "log.h"

#define MEMPOOL_CACHE 256

static struct mbox_worker *workers;
static unsigned n_workers;
static struct mbox_generation *current;
static unsigned next_build = 1;  /* names graphs and node clones uniquely */
static struct mbox_status status = { .source = MBOX_SOURCE_FILE };
static const char *last_good;
static struct rte_mempool *pool;
static atomic_bool stopping;

const struct mbox_generation *mbox_dataplane_generation(void) { return current; }
const struct mbox_config *mbox_running_config(void) { return current ? current->cfg : NULL; }
struct rte_mempool *mbox_dataplane_pool(void) { return pool; }

const struct mbox_worker *mbox_dataplane_workers(unsigned *n)
{
	*n = n_workers;
	return workers;
}

static void sha256_hex(const char *text, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	out[0] = '\0';
	if (!EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL))
		return;
	for (unsigned i = 0; i < len && i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void set_running(struct mbox_generation *gen)
{
	current = gen;
	status.generation++;
	status.applied_at = rte_get_timer_cycles();
	sha256_hex(gen->cfg->text, status.hash);
	snprintf(status.removed, sizeof(status.removed), "%s", gen->removed);
}

static int worker_main(void *arg)
{
	struct mbox_worker *w = arg;
	const struct mbox_generation *gen = NULL;
	struct rte_graph *graph = NULL;

	while (!atomic_load_explicit(&stopping, memory_order_relaxed)) {
		const struct mbox_generation *next = __atomic_load_n(&w->gen, __ATOMIC_ACQUIRE);
		uint64_t rx_before = w->rx_packets;

		/* Quiescent point: nothing of the previous graph is held here. */
		if (unlikely(next != gen)) {
			uint64_t start = rte_rdtsc();

			if (gen && next)
				mbox_generation_switch(next, gen, w->index);
			gen = next;
			graph = gen ? gen->graphs[w->index] : NULL;
			__atomic_store_n(&w->in_use, gen, __ATOMIC_RELEASE);
			w->switches++;
			w->switch_cycles_max = RTE_MAX(w->switch_cycles_max, rte_rdtsc() - start);
		}
		if (unlikely(!graph))
			continue; /* nothing published yet */
		__atomic_store_n(&w->now, rte_get_tsc_cycles(), __ATOMIC_RELAXED);
		rte_graph_walk(graph);
		w->walks++;
		w->busy_walks += w->rx_packets != rx_before;
	}
	__atomic_store_n(&w->in_use, NULL, __ATOMIC_RELEASE);
	return 0;
}

static bool huge_disabled(const struct mbox_config *cfg)
{
	for (unsigned i = 0; i < cfg->dpdk.n_eal_args; i++)
		if (!strcmp(cfg->dpdk.eal_args[i], "--no-huge"))
			return true;
	return false;
}

/* Say plainly what is missing instead of letting EAL fail obscurely. */
static int check_hugepages(const struct mbox_config *cfg)
{
	FILE *f;
	char line[512];
	bool mounted = false;
	unsigned long free_mb = 0;
	static const unsigned sizes_kb[] = { 2048, 1048576 };

	if (huge_disabled(cfg))
		return 0;
	f = fopen("/proc/mounts", "r");
	while (f && fgets(line, sizeof(line), f))
		mounted |= strstr(line, " hugetlbfs ") != NULL;
	if (f)
		fclose(f);
	for (unsigned i = 0; i < RTE_DIM(sizes_kb); i++) {
		char path[128];
		unsigned long pages = 0;

		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%ukB/free_hugepages", sizes_kb[i]);
		f = fopen(path, "r");
		if (f && fscanf(f, "%lu", &pages) == 1)
			free_mb += pages * sizes_kb[i] / 1024;
		if (f)
			fclose(f);
	}
	if (!mounted || free_mb < cfg->dpdk.memory_mb) {
		log_err("hugepages: %s; %lu MiB free, dpdk.memory_mb needs %u MiB. Run tools/hugepages.sh "
			"(as root: echo 1024 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages; "
			"mount -t hugetlbfs nodev /dev/hugepages)",
			mounted ? "hugetlbfs is mounted" : "no hugetlbfs is mounted", free_mb, cfg->dpdk.memory_mb);
		return -1;
	}
	return 0;
}

static int eal_start(const struct mbox_config *cfg)
{
	const struct mbox_dpdk_cfg *dc = &cfg->dpdk;
	char main_lcore[16], memory[16], lcore_map[512];
	char *argv[32 + 2 * MBOX_MAX_PORTS + 64];
	int argc = 0;
	bool any_pci = false;

	snprintf(main_lcore, sizeof(main_lcore), "%u", dc->main_lcore);
	snprintf(memory, sizeof(memory), "%u", dc->memory_mb);
	argv[argc++] = (char *)"mboxd";
	if (dc->cpus) {
		/* More lcores than CPUs: EAL threads that share them (tests of several workers). */
		if (snprintf(lcore_map, sizeof(lcore_map), "(%s)@(%s)", dc->lcores, dc->cpus) >= (int)sizeof(lcore_map)) {
			log_err("dpdk: lcores \"%s\" and cpus \"%s\" are too long for EAL's --lcores", dc->lcores, dc->cpus);
			return -1;
		}
		argv[argc++] = (char *)"--lcores";
		argv[argc++] = lcore_map;
	} else {
		argv[argc++] = (char *)"-l";
		argv[argc++] = (char *)dc->lcores;
	}
	argv[argc++] = (char *)"--main-lcore";
	argv[argc++] = main_lcore;
	argv[argc++] = (char *)"-m";
	argv[argc++] = memory;
	argv[argc++] = (char *)"--file-prefix";
	argv[argc++] = (char *)dc->file_prefix;
	/* mboxd reports through its management side; DPDK's telemetry socket would be a second,
	 * unauthenticated way in (eal_args = ( "--telemetry" ) brings it back). */
	argv[argc++] = (char *)"--no-telemetry";
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		any_pci |= cfg->ports[i].is_pci;
		argv[argc++] = (char *)(cfg->ports[i].is_pci ? "-a" : "--vdev");
		argv[argc++] = (char *)cfg->ports[i].device;
	}
	if (!any_pci)
		argv[argc++] = (char *)"--no-pci";
	for (unsigned i = 0; i < dc->n_eal_args && i < 64; i++)
		argv[argc++] = (char *)dc->eal_args[i];
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		log_err("DPDK EAL initialisation failed: %s", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

int mbox_dataplane_start(struct mbox_config *cfg)
{
	const struct mbox_dpdk_cfg *dc = &cfg->dpdk;
	unsigned data_room = RTE_MBUF_DEFAULT_BUF_SIZE;

	if (check_hugepages(cfg) < 0 || eal_start(cfg) < 0) {
		mbox_config_free(cfg);
		return -1;
	}
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].mtu)
			data_room = RTE_MAX(data_room, RTE_PKTMBUF_HEADROOM + cfg->ports[i].mtu +
					    RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 2 * RTE_VLAN_HLEN);
	pool = rte_pktmbuf_pool_create("mbox_pool", dc->mbufs, MEMPOOL_CACHE, 0,
				       (uint16_t)data_room, (int)rte_socket_id());
	if (!pool) {
		log_err("cannot create a pool of %u mbufs: %s (raise dpdk.memory_mb or lower dpdk.mbufs)",
			dc->mbufs, rte_strerror(rte_errno));
		mbox_config_free(cfg);
		return -1;
	}
	n_workers = dc->workers;
	workers = rte_zmalloc("mbox_workers", sizeof(*workers) * n_workers, RTE_CACHE_LINE_SIZE);
	if (!workers || mbox_nodes_register() < 0 || mbox_ports_start(cfg, pool) < 0) {
		mbox_config_free(cfg);
		return -1;
	}
	for (unsigned w = 0; w < n_workers; w++) {
		workers[w].index = w;
		workers[w].lcore = dc->worker_lcores[w];
	}
	current = mbox_generation_build(cfg, next_build++, workers, NULL);
	if (!current)
		return -1;
	mbox_generation_commit(current, NULL);
	set_running(current);
	for (unsigned w = 0; w < n_workers; w++) {
		workers[w].gen = current;
		if (rte_eal_remote_launch(worker_main, &workers[w], workers[w].lcore) != 0) {
			log_err("cannot launch worker on lcore %u", workers[w].lcore);
			return -1;
		}
	}
	log_info("forwarding: %u elements, %u ports, %u workers on lcores %s (control on lcore %u)",
		 cfg->n_elements, cfg->n_ports, n_workers, dc->lcores, dc->main_lcore);
	return 0;
}

/* Wait until every worker has walked its graph of `gen` at least once
 * since publication; workers never block, so this is bounded by one walk. */
static void wait_workers_on(const struct mbox_generation *gen)
{
	for (unsigned w = 0; w < n_workers; w++)
		while (__atomic_load_n(&workers[w].in_use, __ATOMIC_ACQUIRE) != gen)
			rte_delay_us_sleep(10);
}

static void publish(const struct mbox_generation *gen)
{
	for (unsigned w = 0; w < n_workers; w++)
		__atomic_store_n(&workers[w].gen, gen, __ATOMIC_RELEASE);
}

const struct mbox_status *mbox_dataplane_status(void)
{
	return &status;
}

void mbox_change_refused(const char *reason)
{
	snprintf(status.last_error, sizeof(status.last_error), "%s", reason);
	status.rejections++;
}

void mbox_dataplane_reject(const struct mbox_diag *d, const char *log_why)
{
	if (d->errors > 1)
		snprintf(status.last_error, sizeof(status.last_error), "%s (and %u more errors)",
			 d->first, d->errors - 1);
	else
		snprintf(status.last_error, sizeof(status.last_error), "%s", d->first);
	status.rejections++;
	log_err("%s", log_why);
}

void mbox_last_good_init(const char *path)
{
	last_good = path;
}

const char *mbox_last_good_path(void)
{
	return last_good;
}

/* Whether the copy already holds text: saves a flash write per start. */
static bool last_good_holds(const char *text)
{
	FILE *f = fopen(last_good, "r");
	size_t len = strlen(text), i = 0;
	int c = EOF;

	while (f && i < len && (c = getc(f)) == (unsigned char)text[i])
		i++;
	if (f && i == len)
		c = getc(f);
	if (f)
		fclose(f);
	return f && i == len && c == EOF;
}

void mbox_last_good_record(const struct mbox_config *cfg)
{
	char err[512];

	status.source = MBOX_SOURCE_FILE;
	if (!last_good || last_good_holds(cfg->text))
		return;
	if (mbox_config_write_file(last_good, cfg->text, err, sizeof(err)) == 0)
		log_info("last good configuration: %s copied to %s", cfg->file, last_good);
	else
		log_warn("last good configuration: cannot write %s", err);
}

void mbox_last_good_used(const struct mbox_diag *d, const char *why)
{
	mbox_dataplane_reject(d, why);
	status.source = MBOX_SOURCE_LAST_GOOD;
}

struct mbox_change {
	struct mbox_generation *gen, *old;
	bool published;
	uint64_t started; /* timer cycles */
};

/* The change prepared and not yet committed or aborted: one at a time, so
 * that a build always replaces the running generation (two alive at most,
 * the clone sets graph.c alternates). */
static struct mbox_change *pending;

struct mbox_change *mbox_change_prepare(struct mbox_config *cfg, struct mbox_diag *d)
{
	struct mbox_change *c;
	char why[256], file[256];

	/* A failed build frees cfg: its name is kept for the message. */
	snprintf(file, sizeof(file), "%s", cfg->file);
	if (pending) {
		mbox_diag_error(d, file, 0, "another change is being applied; try again when it is done");
		mbox_config_free(cfg);
		return NULL;
	}
	if (!mbox_config_same_platform(current->cfg, cfg, why, sizeof(why))) {
		mbox_diag_error(d, file, 0, "%s needs a restart of mboxd", why);
		mbox_config_free(cfg);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c) {
		c->started = rte_get_timer_cycles();
		c->gen = mbox_generation_build(cfg, next_build++, workers, current);
	} else {
		mbox_config_free(cfg);
	}
	if (!c || !c->gen) {
		mbox_diag_error(d, file, 0, "cannot build the new graph (out of memory?)");
		free(c);
		return NULL;
	}
	c->old = current;
	pending = c;
	return c;
}

void mbox_change_publish(struct mbox_change *c)
{
	publish(c->gen);
	c->published = true;
}

void mbox_change_commit(struct mbox_change *c)
{
	wait_workers_on(c->gen);
	status.change_us = (rte_get_timer_cycles() - c->started) * 1000000 / rte_get_timer_hz();
	mbox_generation_commit(c->gen, c->old);
	set_running(c->gen);
	mbox_generation_free(c->old);
	pending = NULL;
	free(c);
}

void mbox_change_abort(struct mbox_change *c)
{
	if (c->published) {
		publish(c->old);
		wait_workers_on(c->old);
		mbox_generation_undo(c->old, c->gen);
	}
	mbox_generation_free(c->gen);
	pending = NULL;
	free(c);
}

int mbox_dataplane_apply(struct mbox_config *cfg, const char *source)
{
	struct mbox_diag d = { .out = stderr };
	unsigned old = status.generation;
	struct mbox_change *c = mbox_change_prepare(cfg, &d);
	char why[512], summary[384];

	if (!c) {
		snprintf(why, sizeof(why), "%s: %s; generation %u keeps forwarding", source, d.first + d.first_what, old);
		mbox_dataplane_reject(&d, why);
		return -1;
	}
	mbox_change_publish(c);
	mbox_change_commit(c);
	log_info("%s: generation %u applied in %.2f ms (%s)", source, status.generation, status.change_us / 1000.0,
		 mbox_generation_summary(current, summary, sizeof(summary)));
	return 0;
}

int mbox_dataplane_reload(const char *file)
{
	struct mbox_diag d = { .out = stderr };
	struct mbox_config *cfg = mbox_config_load(file, &d);
	char why[512];

	if (!cfg) {
		snprintf(why, sizeof(why), "reload: %s has %u error(s); generation %u keeps forwarding",
			 file, d.errors, status.generation);
		mbox_dataplane_reject(&d, why);
		return -1;
	}
	if (mbox_dataplane_apply(cfg, "reload") < 0)
		return -1;
	mbox_last_good_record(current->cfg);
	return 0;
}

void mbox_dataplane_stop(void)
{
	atomic_store(&stopping, true);
	rte_eal_mp_wait_lcore();
	if (current) {
		mbox_ports_stop(current->cfg);
		mbox_generation_free(current);
		current = NULL;
	}
	rte_eal_cleanup();
}
