/* mirror: passes every packet on "out" unchanged and a deep copy on "copy"
 * (rte_pktmbuf_copy: rewrites of one never show in the other), optionally
 * cut to `snaplen` bytes.  A "copy" output linked straight to a drop
 * element makes no copies, so a mirror used only to capture costs nothing
 * more.
 *
 * Capture: while `capture` is true the workers also put copies on a ring
 * (never waiting: a full ring drops and counts), and the control thread
 * appends them to `capture_file` in libpcap format every 100 ms, up to
 * `capture_limit` packets per generation.  An SNMP SET of `capture` builds
 * a new generation, whose capture starts or stops; destroy() writes what
 * is left and closes the file. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "config.h"
#include "log.h"

enum { MIRROR_COPIED, MIRROR_COPY_FAILED, MIRROR_CAPTURED, MIRROR_CAPTURE_DROPPED };
enum { OUT_ORIGINAL, OUT_COPY };

#define PCAP_SNAPLEN_ALL 262144u
#define RING_BURST 64

/* What the capture file needs from the moment of capture, carried in the
 * copy's dynamic field. */
struct capture_stamp {
	uint64_t tsc;
	uint32_t orig_len;
};

struct capture {
	struct rte_ring *ring; /* copies from the workers, one reader */
	uint64_t taken;        /* copies the workers claimed (atomic), against limit */
	uint64_t limit;        /* 0: none */
	int stamp_offset;      /* of struct capture_stamp in each mbuf */
	uint32_t snaplen;      /* for the file header */
	const char *path;
	FILE *file;            /* opened by the first drain */
	bool open_failed;
	uint64_t tsc0, tsc_hz;
	struct timespec wall0; /* wall clock at tsc0 */
};

struct mirror_worker {
	struct capture *cap; /* NULL: not capturing */
	uint32_t snaplen;    /* UINT32_MAX: whole packet */
	bool copy;           /* "copy" goes somewhere other than a drop */
};

static const struct mbox_param mirror_params[] = {
	{ .name = "snaplen", .type = MBOX_P_UINT, .def = "0", .max = 65535, .writable = true,
	  .help = "bytes kept in copies and captures, 0: whole packets" },
	{ .name = "capture", .type = MBOX_P_BOOL, .def = "false", .writable = true,
	  .help = "also write copies to capture_file (pcap)" },
	{ .name = "capture_file", .type = MBOX_P_STRING, .optional = true, .writable = true,
	  .help = "pcap file the capture is appended to (created with a header when absent or empty)" },
	{ .name = "capture_limit", .type = MBOX_P_UINT, .def = "10000", .max = UINT32_MAX, .writable = true,
	  .help = "packets captured per generation, 0: no limit" },
	{ .name = "capture_ring", .type = MBOX_P_UINT, .def = "4096", .min = 64, .max = 1u << 20,
	  .help = "copies waiting for the control thread; more are dropped and counted" },
	{ 0 }
};

static int mirror_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	const struct mbox_value *capture = mbox_param(e, "capture"), *file = mbox_param(e, "capture_file");
	char *dir;

	if (!capture->b)
		return 0;
	if (!file->present) {
		mbox_diag_error(d, e->file, capture->line ? capture->line : e->line,
				"element '%s': capture = true needs capture_file, expected a pcap file path", e->name);
		return -1;
	}
	dir = mbox_config_alloc(cfg, strlen(file->s) + 1);
	strcpy(dir, file->s);
	if (access(dirname(dir), W_OK) < 0) {
		mbox_diag_error(d, e->file, file->line, "element '%s': capture_file '%s': directory %s: %s, expected a writable directory",
				e->name, file->s, dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void mirror_destroy(struct mbox_element *e);

static int mirror_create(struct mbox_element *e)
{
	static const struct rte_mbuf_dynfield stamp_field = {
		.name = "mbox_mirror_stamp", .size = sizeof(struct capture_stamp),
		.align = __alignof__(struct capture_stamp),
	};
	/* Generations overlap while one replaces another: ring names must differ. */
	static unsigned rings;
	char name[RTE_RING_NAMESIZE];
	struct capture *cap;

	if (!mbox_param(e, "capture")->b)
		return 0;
	cap = rte_zmalloc("mbox_mirror", sizeof(*cap), RTE_CACHE_LINE_SIZE);
	if (!cap) {
		log_err("mirror '%s': out of memory", e->name);
		return -1;
	}
	e->dp = cap;
	cap->stamp_offset = rte_mbuf_dynfield_register(&stamp_field);
	snprintf(name, sizeof(name), "mbox_mirror%u", rings++);
	cap->ring = rte_ring_create(name, (unsigned)mbox_param(e, "capture_ring")->u, SOCKET_ID_ANY,
				    RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (cap->stamp_offset < 0 || !cap->ring) {
		log_err("mirror '%s': cannot create the capture ring: %s", e->name, rte_strerror(rte_errno));
		mirror_destroy(e);
		return -1;
	}
	cap->limit = mbox_param(e, "capture_limit")->u;
	cap->snaplen = mbox_param(e, "snaplen")->u ? (uint32_t)mbox_param(e, "snaplen")->u : PCAP_SNAPLEN_ALL;
	cap->path = mbox_param(e, "capture_file")->s;
	cap->tsc_hz = rte_get_tsc_hz();
	cap->tsc0 = rte_rdtsc();
	clock_gettime(CLOCK_REALTIME, &cap->wall0);
	return 0;
}

static FILE *capture_open(struct capture *cap, const char *elem)
{
	/* libpcap file header: magic, version 2.4, UTC, accuracy, snaplen, Ethernet. */
	const uint32_t header[6] = { 0xa1b2c3d4, 2 | 4 << 16, 0, 0, cap->snaplen, 1 };
	FILE *f = fopen(cap->path, "ab");

	if (f && ftell(f) == 0 && fwrite(header, sizeof(header), 1, f) != 1) {
		fclose(f);
		f = NULL;
	}
	if (!f)
		log_err("mirror '%s': cannot write %s: %s; captured packets are discarded",
			elem, cap->path, strerror(errno));
	return f;
}

static void capture_write(struct capture *cap, struct rte_mbuf *m)
{
	const struct capture_stamp *s = RTE_MBUF_DYNFIELD(m, cap->stamp_offset, const struct capture_stamp *);
	/* Signed: a stamp from the element clock (mbox_now) may precede create()'s TSC
	 * reading when a test sets that clock. */
	int64_t hz = (int64_t)cap->tsc_hz, ticks = (int64_t)(s->tsc - cap->tsc0);
	int64_t sec = ticks / hz, ns = cap->wall0.tv_nsec + ticks % hz * 1000000000 / hz;
	uint32_t record[4];

	if (ns < 0) {
		ns += 1000000000;
		sec--;
	} else if (ns >= 1000000000) {
		ns -= 1000000000;
		sec++;
	}
	record[0] = (uint32_t)(cap->wall0.tv_sec + sec);
	record[1] = (uint32_t)(ns / 1000);
	record[2] = rte_pktmbuf_pkt_len(m);
	record[3] = s->orig_len;

	fwrite(record, sizeof(record), 1, cap->file);
	for (const struct rte_mbuf *seg = m; seg; seg = seg->next)
		fwrite(rte_pktmbuf_mtod(seg, const void *), rte_pktmbuf_data_len(seg), 1, cap->file);
}

static void capture_drain(struct capture *cap, const char *elem)
{
	struct rte_mbuf *m[RING_BURST];
	unsigned n;

	while ((n = rte_ring_sc_dequeue_burst(cap->ring, (void **)m, RING_BURST, NULL)) > 0) {
		if (!cap->file && !cap->open_failed) {
			cap->file = capture_open(cap, elem);
			cap->open_failed = !cap->file;
		}
		for (unsigned i = 0; i < n && cap->file; i++)
			capture_write(cap, m[i]);
		rte_pktmbuf_free_bulk(m, n);
	}
	if (cap->file)
		fflush(cap->file);
}

static void mirror_control(struct mbox_element *e, struct mbox_elem_rt *const *rts, unsigned n_workers)
{
	RTE_SET_USED(rts);
	RTE_SET_USED(n_workers);
	if (e->dp)
		capture_drain(e->dp, e->name);
}

static void mirror_destroy(struct mbox_element *e)
{
	struct capture *cap = e->dp;

	if (!cap)
		return;
	if (cap->ring) {
		capture_drain(cap, e->name);
		rte_ring_free(cap->ring);
	}
	if (cap->file && fclose(cap->file) != 0)
		log_err("mirror '%s': closing %s: %s", e->name, cap->path, strerror(errno));
	rte_free(cap);
	e->dp = NULL;
}

static int mirror_start(struct mbox_elem_rt *rt)
{
	struct mirror_worker *w = (struct mirror_worker *)rt->priv;
	const struct mbox_element *e = rt->elem;
	uint64_t snaplen = mbox_param(e, "snaplen")->u;

	w->cap = e->dp;
	w->snaplen = snaplen ? (uint32_t)snaplen : UINT32_MAX;
	w->copy = strcmp(rt->cfg->elements[e->output_target[OUT_COPY]].kind->name, "drop") != 0;
	return 0;
}

/* Claims up to n capture slots against the limit; returns how many. */
static __rte_always_inline uint16_t capture_claim(struct capture *cap, uint16_t n)
{
	uint64_t before;

	if (!cap->limit)
		return n;
	if (__atomic_load_n(&cap->taken, __ATOMIC_RELAXED) >= cap->limit)
		return 0;
	before = __atomic_fetch_add(&cap->taken, n, __ATOMIC_RELAXED);
	return before >= cap->limit ? 0 : (uint16_t)RTE_MIN((uint64_t)n, cap->limit - before);
}

static void capture_burst(struct mbox_elem_rt *rt, const struct mirror_worker *w, void **objs, uint16_t n)
{
	struct capture *cap = w->cap;
	uint16_t want = capture_claim(cap, n);
	uint64_t now = mbox_now(rt);

	for (uint16_t done = 0; done < want; done += RING_BURST) {
		struct rte_mbuf *copies[RING_BURST];
		uint16_t chunk = RTE_MIN(want - done, RING_BURST), made = 0;
		unsigned queued;

		for (uint16_t i = done; i < done + chunk; i++) {
			struct rte_mbuf *m = objs[i];
			struct rte_mbuf *c = rte_pktmbuf_copy(m, m->pool, 0, w->snaplen);
			struct capture_stamp *s;

			if (unlikely(!c))
				continue;
			s = RTE_MBUF_DYNFIELD(c, cap->stamp_offset, struct capture_stamp *);
			s->tsc = now;
			s->orig_len = rte_pktmbuf_pkt_len(m);
			copies[made++] = c;
		}
		queued = rte_ring_mp_enqueue_burst(cap->ring, (void **)copies, made, NULL);
		rte_pktmbuf_free_bulk(copies + queued, made - queued);
		rt->counters[MIRROR_CAPTURED] += queued;
		rt->counters[MIRROR_CAPTURE_DROPPED] += chunk - queued;
	}
}

static uint16_t mirror_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct mirror_worker *w = (const struct mirror_worker *)rt->priv;

	if (w->copy) {
		void **copies = rte_node_next_stream_get(graph, node, OUT_COPY, n);
		uint16_t made = 0;

		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = objs[i];
			struct rte_mbuf *c = rte_pktmbuf_copy(m, m->pool, 0, w->snaplen);

			if (likely(c))
				copies[made++] = c;
		}
		rte_node_next_stream_put(graph, node, OUT_COPY, made);
		rt->out[OUT_COPY] += made;
		rt->counters[MIRROR_COPIED] += made;
		rt->counters[MIRROR_COPY_FAILED] += n - made;
	}
	if (w->cap)
		capture_burst(rt, w, objs, n);
	mbox_forward_all(graph, node, rt, OUT_ORIGINAL, n);
	return n;
}

static const char *const mirror_outputs[] = { [OUT_ORIGINAL] = "out", [OUT_COPY] = "copy", NULL };
static const char *const mirror_counters[] = {
	[MIRROR_COPIED] = "copied", [MIRROR_COPY_FAILED] = "copy_failed",
	[MIRROR_CAPTURED] = "captured", [MIRROR_CAPTURE_DROPPED] = "capture_dropped", NULL
};

static struct mbox_kind mirror_kind = {
	.name = "mirror",
	.description = "pass packets on and copy them to a second output and, on demand, to a pcap file",
	.params = mirror_params,
	.outputs = mirror_outputs,
	.counters = mirror_counters,
	.worker_size = sizeof(struct mirror_worker),
	.setup = mirror_setup,
	.create = mirror_create,
	.destroy = mirror_destroy,
	.start = mirror_start,
	.control = mirror_control,
	.process = mirror_process,
};
MBOX_ELEMENT_REGISTER(mirror_kind)
