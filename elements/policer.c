/* policer: meters packets with DPDK's rte_meter, RFC 2697 single rate three
 * colour marker (srtcm: cir, cbs, ebs) or RFC 2698 two rate three colour
 * marker (trtcm: cir, pir, cbs, pbs), colour-blind, and per colour passes,
 * marks (rewrites the IPv4 DSCP) or drops.  Rates are in bytes per second
 * of Ethernet frame (without FCS) and buckets in bytes.  Each worker has its
 * own meter, so the rates apply per worker. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_meter.h>

#include "config.h"
#include "log.h"
#include "pkt.h"
#include "setup.h"

enum policer_mode { MODE_SRTCM, MODE_TRTCM };
enum colour_action { ACTION_PASS, ACTION_MARK, ACTION_DROP };
/* Packets per colour, then bytes per colour, indexed by enum rte_color. */
enum { POL_GREEN, POL_YELLOW, POL_RED, POL_MARKED, POL_UNMARKABLE, POL_GREEN_BYTES };

struct policer {
	enum policer_mode mode;
	uint64_t cir, cbs, ebs, pir, pbs;
	uint8_t action[RTE_COLORS];
	uint8_t dscp[RTE_COLORS];
};

struct policer_worker {
	struct policer cfg;
	union {
		struct {
			struct rte_meter_srtcm_profile profile;
			struct rte_meter_srtcm meter;
		} sr;
		struct {
			struct rte_meter_trtcm_profile profile;
			struct rte_meter_trtcm meter;
		} tr;
	};
};

static const char *const mode_names[] = { "srtcm", "trtcm", NULL };
static const char *const action_names[] = { "pass", "mark", "drop", NULL };
static const char *const colour_names[RTE_COLORS] = { "green", "yellow", "red" };
static const char *const dscp_params[RTE_COLORS] = { "green_dscp", "yellow_dscp", "red_dscp" };

/* Far above any link, low enough for rte_meter's arithmetic. */
#define RATE_MAX (1ULL << 40)
#define RATE(name_, optional_, help_) { .name = (name_), .type = MBOX_P_UINT, .optional = (optional_), \
				       .writable = true, .min = 1, .max = RATE_MAX, .help = (help_) }
#define ACTION(name_, def_) { .name = (name_), .type = MBOX_P_ENUM, .choices = action_names, .def = (def_), \
			     .help = "what to do with " name_ " packets: pass, mark (set the DSCP) or drop" }
#define DSCP(name_) { .name = (name_), .type = MBOX_P_UINT, .optional = true, .max = 63, \
		      .help = "DSCP that mark writes (needed with mark, else not allowed)" }

static const struct mbox_param policer_params[] = {
	{ .name = "mode", .type = MBOX_P_ENUM, .choices = mode_names, .def = "srtcm",
	  .help = "srtcm (RFC 2697: cir, cbs, ebs) or trtcm (RFC 2698: cir, pir, cbs, pbs)" },
	RATE("cir", false, "committed information rate, bytes per second (per worker)"),
	RATE("cbs", false, "committed burst size, bytes"),
	{ .name = "ebs", .type = MBOX_P_UINT, .optional = true, .writable = true, .max = RATE_MAX,
	  .help = "srtcm: excess burst size, bytes (default 0: no yellow)" },
	RATE("pir", true, "trtcm: peak information rate, bytes per second (per worker), at least cir"),
	RATE("pbs", true, "trtcm: peak burst size, bytes"),
	ACTION("green", "pass"),
	ACTION("yellow", "pass"),
	ACTION("red", "drop"),
	DSCP("green_dscp"),
	DSCP("yellow_dscp"),
	DSCP("red_dscp"),
	{ 0 }
};

static const char *const unused_in_mode[][3] = {
	[MODE_SRTCM] = { "pir", "pbs", NULL },
	[MODE_TRTCM] = { "ebs", NULL },
};
static const char *const needed_in_mode[][3] = {
	[MODE_SRTCM] = { NULL },
	[MODE_TRTCM] = { "pir", "pbs", NULL },
};

/* A DSCP goes with mark and only with mark. */
static int colour_setup(const struct mbox_element *e, struct policer *p, enum rte_color c, struct mbox_diag *d)
{
	const struct mbox_value *action = mbox_param(e, colour_names[c]);
	const struct mbox_value *dscp = mbox_param(e, dscp_params[c]);

	p->action[c] = (uint8_t)action->u;
	p->dscp[c] = (uint8_t)dscp->u;
	if (action->u == ACTION_MARK && !dscp->present) {
		mbox_diag_error(d, e->file, action->line, "element '%s': %s = \"mark\" needs '%s', expected a DSCP from 0 to 63",
				e->name, colour_names[c], dscp_params[c]);
		return -1;
	}
	if (action->u != ACTION_MARK && dscp->present) {
		mbox_diag_error(d, e->file, dscp->line, "element '%s': '%s' is set but %s is \"%s\", expected %s = \"mark\" or no '%s'",
				e->name, dscp_params[c], colour_names[c], action_names[action->u], colour_names[c], dscp_params[c]);
		return -1;
	}
	return 0;
}

static int policer_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	struct policer *p = mbox_config_alloc(cfg, sizeof(*p));
	int rc;

	p->mode = (enum policer_mode)mbox_param(e, "mode")->u;
	rc = elem_check_mode(e, d, unused_in_mode[p->mode], needed_in_mode[p->mode]);
	for (enum rte_color c = RTE_COLOR_GREEN; c < RTE_COLORS; c++)
		if (colour_setup(e, p, c, d) < 0)
			rc = -1;
	if (rc)
		return -1;
	p->cir = mbox_param(e, "cir")->u;
	p->cbs = mbox_param(e, "cbs")->u;
	p->ebs = mbox_param(e, "ebs")->u;
	p->pir = mbox_param(e, "pir")->u;
	p->pbs = mbox_param(e, "pbs")->u;
	if (p->mode == MODE_TRTCM && p->pir < p->cir) {
		mbox_diag_error(d, e->file, mbox_param(e, "pir")->line,
				"element '%s': pir %lu is below cir %lu, expected pir >= cir", e->name,
				(unsigned long)p->pir, (unsigned long)p->cir);
		return -1;
	}
	e->priv = p;
	return 0;
}

/* A new meter starts with full buckets. */
static int policer_start(struct mbox_elem_rt *rt)
{
	struct policer_worker *w = (struct policer_worker *)rt->priv;
	const struct policer *p = &w->cfg;
	int rc;

	memcpy(&w->cfg, rt->elem->priv, sizeof(w->cfg));
	if (p->mode == MODE_SRTCM) {
		struct rte_meter_srtcm_params params = { .cir = p->cir, .cbs = p->cbs, .ebs = p->ebs };

		rc = rte_meter_srtcm_profile_config(&w->sr.profile, &params);
		rc = rc ? rc : rte_meter_srtcm_config(&w->sr.meter, &w->sr.profile);
	} else {
		struct rte_meter_trtcm_params params = { .cir = p->cir, .pir = p->pir, .cbs = p->cbs, .pbs = p->pbs };

		rc = rte_meter_trtcm_profile_config(&w->tr.profile, &params);
		rc = rc ? rc : rte_meter_trtcm_config(&w->tr.meter, &w->tr.profile);
	}
	if (rc) {
		log_err("element '%s': rte_meter refused the rates (%d)", rt->elem->name, rc);
		return -1;
	}
	/* rte_meter starts its buckets at the TSC; the element's clock is mbox_now(). */
	if (p->mode == MODE_SRTCM)
		w->sr.meter.time = mbox_now(rt);
	else
		w->tr.meter.time_tc = w->tr.meter.time_tp = mbox_now(rt);
	return 0;
}

/* The buckets continue across a change (clamped to the new sizes), so a
 * change of rates does not hand every flow a fresh burst. */
static void policer_handoff(struct mbox_elem_rt *to, const struct mbox_elem_rt *from)
{
	struct policer_worker *w = (struct policer_worker *)to->priv;
	const struct policer_worker *was = (const struct policer_worker *)from->priv;

	if (w->cfg.mode != was->cfg.mode)
		return;
	if (w->cfg.mode == MODE_SRTCM) {
		w->sr.meter.time = was->sr.meter.time;
		w->sr.meter.tc = RTE_MIN(was->sr.meter.tc, w->sr.profile.cbs);
		w->sr.meter.te = RTE_MIN(was->sr.meter.te, w->sr.profile.ebs);
	} else {
		w->tr.meter.time_tc = was->tr.meter.time_tc;
		w->tr.meter.time_tp = was->tr.meter.time_tp;
		w->tr.meter.tc = RTE_MIN(was->tr.meter.tc, w->tr.profile.cbs);
		w->tr.meter.tp = RTE_MIN(was->tr.meter.tp, w->tr.profile.pbs);
	}
}

/* Keeps the ECN bits; updates the header checksum incrementally. */
static __rte_always_inline void set_dscp(struct rte_ipv4_hdr *ip, uint8_t dscp)
{
	uint16_t old_word, new_word;

	memcpy(&old_word, ip, sizeof(old_word));
	ip->type_of_service = (uint8_t)(dscp << 2 | (ip->type_of_service & 0x3));
	memcpy(&new_word, ip, sizeof(new_word));
	ip->hdr_checksum = pkt_cksum_replace16(ip->hdr_checksum, old_word, new_word);
}

static __rte_always_inline enum rte_color meter(struct policer_worker *w, uint64_t now, uint32_t len)
{
	if (w->cfg.mode == MODE_SRTCM)
		return rte_meter_srtcm_color_blind_check(&w->sr.meter, &w->sr.profile, now, len);
	return rte_meter_trtcm_color_blind_check(&w->tr.meter, &w->tr.profile, now, len);
}

static uint16_t policer_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	struct policer_worker *w = (struct policer_worker *)rt->priv;
	uint64_t now = mbox_now(rt);
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		enum rte_color c = meter(w, now, len);
		struct pkt_info pi;

		rt->counters[c]++;
		rt->counters[POL_GREEN_BYTES + c] += len;
		if (w->cfg.action[c] == ACTION_DROP) {
			mbox_drop(rt, &objs[i], 1);
			continue;
		}
		if (w->cfg.action[c] == ACTION_MARK) {
			pkt_parse(m, &pi);
			if (likely(pkt_is_ipv4(&pi)))
				set_dscp(pkt_ipv4_hdr(m, &pi), w->cfg.dscp[c]);
			rt->counters[pkt_is_ipv4(&pi) ? POL_MARKED : POL_UNMARKABLE]++;
		}
		objs[kept++] = m;
	}
	mbox_forward_kept(graph, node, rt, 0, objs, kept, n);
	return n;
}

static const char *const policer_outputs[] = { "out", NULL };
static const char *const policer_counters[] = {
	[POL_GREEN] = "green", [POL_YELLOW] = "yellow", [POL_RED] = "red", [POL_MARKED] = "marked",
	[POL_UNMARKABLE] = "unmarkable", [POL_GREEN_BYTES] = "green_bytes", "yellow_bytes", "red_bytes", NULL
};

static struct mbox_kind policer_kind = {
	.name = "policer",
	.description = "meter with srTCM (RFC 2697) or trTCM (RFC 2698), per colour pass, mark DSCP or drop; per worker",
	.params = policer_params,
	.outputs = policer_outputs,
	.counters = policer_counters,
	.worker_size = sizeof(struct policer_worker),
	.setup = policer_setup,
	.start = policer_start,
	.handoff = policer_handoff,
	.process = policer_process,
};
MBOX_ELEMENT_REGISTER(policer_kind)
