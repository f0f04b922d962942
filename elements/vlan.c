/* vlan: 802.1Q tags.  push inserts a tag (vid, pcp) in front of any tag the
 * frame already has (QinQ with TPID 0x8100); pop removes the outer tag
 * (0x8100 or 0x88a8); split sends each frame to the output of its outer
 * VLAN id, "untagged" or "other", optionally popping the tag.  Runts by
 * pkt_parse_l2() (cut short in the Ethernet header or one of the two tags
 * it looks through) are dropped. */
#include <string.h>

#include "config.h"
#include "setup.h"
#include "pkt.h"

enum vlan_mode { MODE_PUSH, MODE_POP, MODE_SPLIT };
enum { VLAN_PUSHED, VLAN_POPPED, VLAN_UNTAGGED, VLAN_UNKNOWN_VID, VLAN_NO_HEADROOM, VLAN_RUNTS };

#define VLAN_ADDRS_LEN (2 * RTE_ETHER_ADDR_LEN)

struct vlan {
	enum vlan_mode mode;
	rte_be16_t tci;         /* push */
	bool pop;               /* split: strip the tag of frames sent to a listed VLAN */
	uint8_t untagged_out, other_out;
	uint8_t out_of_vid[RTE_ETHER_MAX_VLAN_ID + 1]; /* split */
};

static const char *const mode_names[] = { "push", "pop", "split", NULL };

static const struct mbox_param vlan_fields[] = {
	{ .name = "vid", .type = MBOX_P_UINT, .min = 1, .max = 4094, .help = "VLAN id" },
	{ .name = "name", .type = MBOX_P_STRING, .help = "output for frames of this VLAN" },
	{ 0 }
};

static const struct mbox_param vlan_params[] = {
	{ .name = "mode", .type = MBOX_P_ENUM, .choices = mode_names,
	  .help = "push a tag, pop the outer tag, or split by outer VLAN id" },
	{ .name = "vid", .type = MBOX_P_UINT, .optional = true, .min = 1, .max = 4094,
	  .help = "push: VLAN id of the new tag (required)" },
	{ .name = "pcp", .type = MBOX_P_UINT, .optional = true, .max = 7,
	  .help = "push: priority of the new tag (default 0)" },
	{ .name = "vlans", .type = MBOX_P_LIST, .optional = true, .min = 1, .max = MBOX_MAX_OUTPUTS - 2,
	  .fields = vlan_fields, .help = "split: one output per VLAN id (required)" },
	{ .name = "pop", .type = MBOX_P_BOOL, .optional = true,
	  .help = "split: remove the tag of frames sent to a listed VLAN's output (default false)" },
	{ 0 }
};

static const char *const unused_in_mode[][5] = {
	[MODE_PUSH] = { "vlans", "pop", NULL },
	[MODE_POP] = { "vid", "pcp", "vlans", "pop", NULL },
	[MODE_SPLIT] = { "vid", "pcp", NULL },
};
static const char *const needed_in_mode[][2] = {
	[MODE_PUSH] = { "vid", NULL },
	[MODE_POP] = { NULL },
	[MODE_SPLIT] = { "vlans", NULL },
};

static int split_setup(struct mbox_element *e, struct vlan *v, struct mbox_diag *d)
{
	static const char *const reserved[] = { "untagged", "other", NULL };
	const struct mbox_value *vlans = mbox_param(e, "vlans");
	int rc = 0;

	/* Outputs: the listed VLANs in order, then untagged, then other. */
	v->untagged_out = (uint8_t)vlans->list.n;
	v->other_out = (uint8_t)(vlans->list.n + 1);
	memset(v->out_of_vid, v->other_out, sizeof(v->out_of_vid));
	for (unsigned i = 0; i < vlans->list.n; i++) {
		const struct mbox_value *vid = mbox_list_field(vlans, vlan_fields, i, "vid");
		const struct mbox_value *name = mbox_list_field(vlans, vlan_fields, i, "name");

		if (v->out_of_vid[vid->u] != v->other_out) {
			mbox_diag_error(d, e->file, vid->line, "element '%s': vlans[%u]: vid %lu is listed twice, expected each VLAN id once",
					e->name, i, (unsigned long)vid->u);
			rc = -1;
			continue;
		}
		if (elem_output_add(e, d, name->line, "vlans", i, name->s, reserved) < 0) {
			rc = -1;
			continue;
		}
		v->out_of_vid[vid->u] = (uint8_t)(e->n_outputs - 1);
	}
	if (rc)
		return -1;
	e->output_names[e->n_outputs++] = "untagged";
	e->output_names[e->n_outputs++] = "other";
	v->pop = mbox_param(e, "pop")->present && mbox_param(e, "pop")->b;
	return 0;
}

static int vlan_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	struct vlan *v = mbox_config_alloc(cfg, sizeof(*v));
	const struct mbox_value *pcp = mbox_param(e, "pcp");

	v->mode = (enum vlan_mode)mbox_param(e, "mode")->u;
	if (elem_check_mode(e, d, unused_in_mode[v->mode], needed_in_mode[v->mode]) < 0)
		return -1;
	e->priv = v;
	if (v->mode == MODE_SPLIT)
		return split_setup(e, v, d);
	e->output_names[e->n_outputs++] = "out";
	if (v->mode == MODE_PUSH)
		v->tci = rte_cpu_to_be_16((uint16_t)((pcp->present ? pcp->u : 0) << 13 | mbox_param(e, "vid")->u));
	return 0;
}

static int vlan_start(struct mbox_elem_rt *rt)
{
	memcpy(rt->priv, rt->elem->priv, sizeof(struct vlan));
	return 0;
}

static __rte_always_inline void pop_tag(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	memmove(p + sizeof(struct rte_vlan_hdr), p, VLAN_ADDRS_LEN);
	rte_pktmbuf_adj(m, sizeof(struct rte_vlan_hdr));
}

/* False when the mbuf has no headroom for the tag. */
static __rte_always_inline bool push_tag(struct rte_mbuf *m, rte_be16_t tci)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(struct rte_vlan_hdr));
	const rte_be16_t tag[2] = { RTE_BE16(RTE_ETHER_TYPE_VLAN), tci };

	if (unlikely(!p))
		return false;
	memmove(p, p + sizeof(tag), VLAN_ADDRS_LEN);
	/* The old EtherType (or outer TPID) now follows the new tag. */
	memcpy(p + VLAN_ADDRS_LEN, tag, sizeof(tag));
	return true;
}

/* push and pop: one output; runts and frames without headroom are dropped. */
static uint16_t vlan_rewrite_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct vlan *v = (const struct vlan *)rt->priv;
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct pkt_info pi;
		unsigned counter;

		if (unlikely(!pkt_parse_l2(m, &pi))) {
			counter = VLAN_RUNTS;
		} else if (v->mode == MODE_PUSH) {
			counter = push_tag(m, v->tci) ? VLAN_PUSHED : VLAN_NO_HEADROOM;
		} else if (!pi.n_tags) {
			counter = VLAN_UNTAGGED;
		} else {
			pop_tag(m);
			counter = VLAN_POPPED;
		}
		rt->counters[counter]++;
		if (unlikely(counter == VLAN_RUNTS || counter == VLAN_NO_HEADROOM))
			mbox_drop(rt, &objs[i], 1);
		else
			objs[kept++] = m;
	}
	mbox_forward_kept(graph, node, rt, 0, objs, kept, n);
	return n;
}

static uint16_t vlan_split_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct vlan *v = (const struct vlan *)rt->priv;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct pkt_info pi;
		uint8_t out = v->untagged_out;

		if (unlikely(!pkt_parse_l2(m, &pi))) {
			rt->counters[VLAN_RUNTS]++;
			mbox_drop(rt, &objs[i], 1);
			continue;
		}
		if (!pi.n_tags) {
			rt->counters[VLAN_UNTAGGED]++;
		} else {
			out = v->out_of_vid[pi.outer_tci & RTE_ETHER_MAX_VLAN_ID];
			if (out == v->other_out) {
				rt->counters[VLAN_UNKNOWN_VID]++;
			} else if (v->pop) {
				pop_tag(m);
				rt->counters[VLAN_POPPED]++;
			}
		}
		mbox_forward_one(graph, node, rt, out, m);
	}
	return n;
}

static uint16_t vlan_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	if (((const struct vlan *)mbox_rt(node)->priv)->mode == MODE_SPLIT)
		return vlan_split_process(graph, node, objs, n);
	return vlan_rewrite_process(graph, node, objs, n);
}

static const char *const vlan_counters[] = {
	[VLAN_PUSHED] = "pushed", [VLAN_POPPED] = "popped", [VLAN_UNTAGGED] = "untagged",
	[VLAN_UNKNOWN_VID] = "unknown_vid", [VLAN_NO_HEADROOM] = "no_headroom", [VLAN_RUNTS] = "runts", NULL
};

static struct mbox_kind vlan_kind = {
	.name = "vlan",
	.description = "802.1Q: push a tag, pop the outer tag, or split by outer VLAN id",
	.params = vlan_params,
	.outputs_text = "push/pop: out; split: one per listed VLAN (its name), then untagged, then other",
	.counters = vlan_counters,
	.worker_size = sizeof(struct vlan),
	.setup = vlan_setup,
	.start = vlan_start,
	.process = vlan_process,
};
MBOX_ELEMENT_REGISTER(vlan_kind)
