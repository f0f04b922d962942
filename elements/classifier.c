/* classifier: sends each packet to the output of the first rule it matches
 * (ethertype, outer VLAN id, IPv4 protocol, L4 ports), else to "default".
 * Fields are what pkt_parse() finds (pkt.h): the ethertype after up to two
 * tags, protocol and ports of valid IPv4 only, no ports in later fragments. */
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "config.h"
#include "pkt.h"

enum { MATCH_ETHERTYPE = 1, MATCH_VLAN = 2, MATCH_PROTO = 4, MATCH_SRC_PORT = 8, MATCH_DST_PORT = 16 };

struct rule {
	uint8_t match; /* MATCH_* fields this rule checks */
	uint8_t proto;
	uint16_t ethertype, vlan, src_port, dst_port; /* host order */
};

struct classifier {
	unsigned n_rules;
	struct rule rules[MBOX_MAX_OUTPUTS - 1];
};

/* What classification reads from a packet; absent fields have their bit
 * clear in `have`. */
struct pkt_fields {
	uint8_t have;
	uint8_t proto;
	uint16_t ethertype, vlan, src_port, dst_port;
};

static const struct mbox_param rule_fields[] = {
	{ .name = "name", .type = MBOX_P_STRING, .optional = true,
	  .help = "output name for this rule (default rule<N>)" },
	{ .name = "ethertype", .type = MBOX_P_UINT, .optional = true, .max = 0xffff,
	  .help = "EtherType after any VLAN tag, e.g. 0x0800" },
	{ .name = "vlan", .type = MBOX_P_UINT, .optional = true, .max = 4095,
	  .help = "VLAN id of the outer 802.1Q/802.1ad tag" },
	{ .name = "proto", .type = MBOX_P_UINT, .optional = true, .max = 255,
	  .help = "IPv4 protocol (6 TCP, 17 UDP, 132 SCTP, 1 ICMP)" },
	{ .name = "src_port", .type = MBOX_P_UINT, .optional = true, .max = 65535,
	  .help = "TCP/UDP/SCTP source port (needs proto 6, 17 or 132)" },
	{ .name = "dst_port", .type = MBOX_P_UINT, .optional = true, .max = 65535,
	  .help = "TCP/UDP/SCTP destination port (needs proto 6, 17 or 132)" },
	{ 0 }
};

static const struct mbox_param classifier_params[] = {
	{ .name = "rules", .type = MBOX_P_LIST, .min = 1, .max = MBOX_MAX_OUTPUTS - 1, .writable = true,
	  .fields = rule_fields,
	  .help = "rules in priority order; a rule matches when all its fields match" },
	{ 0 }
};

static int rule_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d,
		      const struct mbox_value *rules, unsigned i, struct rule *r)
{
	static const struct { const char *field; uint8_t bit; } fields[] = {
		{ "ethertype", MATCH_ETHERTYPE }, { "vlan", MATCH_VLAN }, { "proto", MATCH_PROTO },
		{ "src_port", MATCH_SRC_PORT }, { "dst_port", MATCH_DST_PORT },
	};
	const struct mbox_value *name = mbox_list_field(rules, rule_fields, i, "name");
	int line = mbox_list_field(rules, rule_fields, i, "name")->line;
	uint64_t v[RTE_DIM(fields)] = { 0 };
	char *out_name;

	for (unsigned f = 0; f < RTE_DIM(fields); f++) {
		const struct mbox_value *x = mbox_list_field(rules, rule_fields, i, fields[f].field);

		if (x->present) {
			r->match |= fields[f].bit;
			line = line ? line : x->line;
		}
		v[f] = x->u;
	}
	r->ethertype = (uint16_t)v[0];
	r->vlan = (uint16_t)v[1];
	r->proto = (uint8_t)v[2];
	r->src_port = (uint16_t)v[3];
	r->dst_port = (uint16_t)v[4];
	line = line ? line : mbox_param(e, "rules")->line;
	if (!r->match) {
		mbox_diag_error(d, e->file, line, "element '%s': rules[%u] matches every packet, expected at least one of ethertype, vlan, proto, src_port, dst_port",
				e->name, i);
		return -1;
	}
	if ((r->match & MATCH_PROTO) && (r->match & MATCH_ETHERTYPE) && r->ethertype != RTE_ETHER_TYPE_IPV4) {
		mbox_diag_error(d, e->file, line, "element '%s': rules[%u] has proto but ethertype 0x%04x, expected ethertype 0x0800 (IPv4) or none",
				e->name, i, r->ethertype);
		return -1;
	}
	if ((r->match & (MATCH_SRC_PORT | MATCH_DST_PORT)) &&
	    (!(r->match & MATCH_PROTO) || !pkt_proto_has_ports(r->proto))) {
		mbox_diag_error(d, e->file, line, "element '%s': rules[%u] matches a port, expected proto = 6, 17 or 132 in the same rule",
				e->name, i);
		return -1;
	}
	if (name->present) {
		out_name = (char *)name->s;
	} else {
		out_name = mbox_config_alloc(cfg, 16);
		snprintf(out_name, 16, "rule%u", i);
	}
	for (unsigned o = 0; o < e->n_outputs; o++)
		if (!strcmp(e->output_names[o], out_name)) {
			mbox_diag_error(d, e->file, line, "element '%s': rules[%u]: output name '%s' is used twice, expected unique names",
					e->name, i, out_name);
			return -1;
		}
	if (!strcmp(out_name, "default") || strchr(out_name, ']') || strchr(out_name, ' ')) {
		mbox_diag_error(d, e->file, line, "element '%s': rules[%u]: output name '%s' is reserved or malformed, expected a name other than 'default'",
				e->name, i, out_name);
		return -1;
	}
	e->output_names[e->n_outputs++] = out_name;
	return 0;
}

static int classifier_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	const struct mbox_value *rules = mbox_param(e, "rules");
	struct classifier *c = mbox_config_alloc(cfg, sizeof(*c));
	int rc = 0;

	c->n_rules = rules->list.n;
	for (unsigned i = 0; i < c->n_rules; i++)
		if (rule_setup(e, cfg, d, rules, i, &c->rules[i]) < 0)
			rc = -1;
	e->output_names[e->n_outputs++] = "default";
	e->priv = c;
	return rc;
}

static int classifier_start(struct mbox_elem_rt *rt)
{
	memcpy(rt->priv, rt->elem->priv, sizeof(struct classifier));
	return 0;
}

/* Fields pkt_parse() did not find stay absent, so such packets match only
 * rules that ignore them. */
static __rte_always_inline void parse(const struct rte_mbuf *m, struct pkt_fields *f)
{
	struct pkt_info pi;

	pkt_parse(m, &pi);
	if (unlikely(pi.status == PKT_RUNT))
		return;
	f->ethertype = pi.ethertype;
	f->have |= MATCH_ETHERTYPE;
	if (pi.n_tags) {
		f->vlan = pi.outer_tci & RTE_ETHER_MAX_VLAN_ID;
		f->have |= MATCH_VLAN;
	}
	if (!pkt_is_ipv4(&pi))
		return;
	f->proto = pi.l4_proto;
	f->have |= MATCH_PROTO;
	if (!pi.ports)
		return;
	f->src_port = rte_be_to_cpu_16(pi.sport);
	f->dst_port = rte_be_to_cpu_16(pi.dport);
	f->have |= MATCH_SRC_PORT | MATCH_DST_PORT;
}

static __rte_always_inline bool rule_matches(const struct rule *r, const struct pkt_fields *f)
{
	if ((r->match & f->have) != r->match)
		return false;
	return (!(r->match & MATCH_ETHERTYPE) || r->ethertype == f->ethertype) &&
	       (!(r->match & MATCH_VLAN) || r->vlan == f->vlan) &&
	       (!(r->match & MATCH_PROTO) || r->proto == f->proto) &&
	       (!(r->match & MATCH_SRC_PORT) || r->src_port == f->src_port) &&
	       (!(r->match & MATCH_DST_PORT) || r->dst_port == f->dst_port);
}

static uint16_t classifier_process(struct rte_graph *graph, struct rte_node *node,
				   void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct classifier *c = (const struct classifier *)rt->priv;

	for (uint16_t i = 0; i < n; i++) {
		struct pkt_fields f = { 0 };
		unsigned r = 0;

		parse(objs[i], &f);
		while (r < c->n_rules && !rule_matches(&c->rules[r], &f))
			r++;
		mbox_forward_one(graph, node, rt, (rte_edge_t)r, objs[i]);
	}
	return n;
}

static struct mbox_kind classifier_kind = {
	.name = "classifier",
	.description = "send each packet to the first matching rule's output (ethertype, VLAN, IPv4 protocol, L4 ports)",
	.params = classifier_params,
	.outputs_text = "one per rule (its name, or rule<N>), then default",
	.worker_size = sizeof(struct classifier),
	.setup = classifier_setup,
	.start = classifier_start,
	.process = classifier_process,
};
MBOX_ELEMENT_REGISTER(classifier_kind)
