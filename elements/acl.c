/* acl: stateless IPv4 firewall on the 5-tuple (source and destination
 * prefix, protocol, source and destination port range) with DPDK's rte_acl.
 * Each rule permits (output "permit"), denies (drop, counted) or sends to an
 * extra output out1..out8; the highest priority matching rule wins, equal
 * priorities go to the earlier rule; no match takes default_action.
 *
 * What the fast path reads is pkt_parse()'s meaning (pkt.h):
 * - frames that are not IPv4 after up to two VLAN tags take the action of
 *   their class, each its own parameter so that letting ARP through never
 *   lets anything unfiltered through with it: arp (absent: non_ip's), ipv6
 *   (the rules are IPv4 only), unparsed (IP the rules cannot see: a third
 *   tag, MPLS, PPPoE ... pkt_ethertype_hides_l3()), and non_ip for the rest;
 * - non-first fragments carry no L4 header: they match only rules without
 *   port ranges (their ports are not read as 0);
 * - runts, IPv4 cut short (header, total length, or the ports of a
 *   TCP/UDP/SCTP first fragment) are dropped (truncated), as are IPv4
 *   headers with a version other than 4, IHL < 5 or a total length below
 *   the header (bad_header). */
#include <stdio.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "config.h"
#include "log.h"
#include "pkt.h"

#define ACL_MAX_RULES 4096
#define ACL_RULE_INDEX_BITS 12 /* log2(ACL_MAX_RULES) */
#define ACL_MAX_PRIORITY 65535
#define ACL_EXTRA_OUTPUTS 8
#define ACL_CHUNK 64           /* packets classified per rte_acl_classify call */
#define VERDICT_DENY 0xff      /* anything else is an output (edge) index */

/* The first six keep their indices (SNMP counter rows) from before arp,
 * ipv6 and unparsed had actions of their own. */
enum { ACL_PERMITTED, ACL_DENIED, ACL_NON_IP, ACL_FRAGMENTS, ACL_TRUNCATED, ACL_BAD_HEADER,
       ACL_ARP, ACL_IPV6, ACL_UNPARSED };

/* The action choices; index >= ACTION_OUT1 is extra output out<index - 1>. */
enum { ACTION_PERMIT, ACTION_DENY, ACTION_OUT1 };
static const char *const action_choices[] = {
	"permit", "deny", "out1", "out2", "out3", "out4", "out5", "out6", "out7", "out8", NULL
};

/* How read_key() sorts a packet.  The classes up to KEY_FRAGMENT have a
 * key for the rules; KEY_ARP..KEY_NON_IP take their parameter's action. */
enum key_class {
	KEY_IPV4, KEY_FRAGMENT, KEY_ARP, KEY_IPV6, KEY_UNPARSED, KEY_NON_IP, KEY_TRUNCATED, KEY_BAD_HEADER
};
#define N_OTHER (KEY_NON_IP - KEY_ARP + 1)

/* Per class KEY_ARP..KEY_NON_IP: its parameter and its counter. */
static const char *const other_param[N_OTHER] = { "arp", "ipv6", "unparsed", "non_ip" };
static const uint8_t other_counter[N_OTHER] = { ACL_ARP, ACL_IPV6, ACL_UNPARSED, ACL_NON_IP };

/* "permit" on a class the rules cannot judge: --check says what crosses. */
static const char *const ipv6_warnings[RTE_DIM(action_choices)] = {
	[ACTION_PERMIT] = "every IPv6 packet crosses unfiltered: the rules match IPv4 only",
};
static const char *const unparsed_warnings[RTE_DIM(action_choices)] = {
	[ACTION_PERMIT] = "IP inside a third VLAN tag, MPLS, PPPoE and other encapsulations crosses unfiltered: "
			  "the rules never see it",
};
static const char *const non_ip_warnings[RTE_DIM(action_choices)] = {
	[ACTION_PERMIT] = "frames of any other ethertype cross unfiltered (ARP too while arp is absent), and an "
			  "encapsulation the parser does not know could carry IP; to let ARP through, set "
			  "arp = \"permit\" and leave non_ip = \"deny\"",
};

/* What rte_acl classifies, built per packet from its headers.  Addresses
 * and ports stay in network order, as rte_acl expects.  rte_acl reads the
 * first field as one byte and every later input_index as 4 bytes, hence
 * the padding and the 4-byte has_ports. */
struct acl_key {
	uint8_t proto;
	uint8_t pad[3];
	rte_be32_t src, dst;
	rte_be16_t sport, dport;
	rte_be32_t has_ports; /* 1: TCP/UDP/SCTP with readable ports */
};

enum { F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, F_HAS_PORTS, N_FIELDS };

static const struct rte_acl_field_def key_fields[N_FIELDS] = {
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1, .field_index = F_PROTO,
	  .input_index = 0, .offset = offsetof(struct acl_key, proto) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4, .field_index = F_SRC,
	  .input_index = 1, .offset = offsetof(struct acl_key, src) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4, .field_index = F_DST,
	  .input_index = 2, .offset = offsetof(struct acl_key, dst) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2, .field_index = F_SPORT,
	  .input_index = 3, .offset = offsetof(struct acl_key, sport) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2, .field_index = F_DPORT,
	  .input_index = 3, .offset = offsetof(struct acl_key, dport) },
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 4, .field_index = F_HAS_PORTS,
	  .input_index = 4, .offset = offsetof(struct acl_key, has_ports) },
};

RTE_ACL_RULE_DEF(acl_rule, N_FIELDS);

/* The parsed configuration (config arena; lives as long as the generation).
 * verdict[0] is the default action, verdict[i + 1] rule i's: rte_acl
 * returns userdata i + 1 for a match and 0 for none. */
struct acl_conf {
	unsigned n_rules;
	struct acl_rule *rules; /* in rte_acl's format, host order */
	uint8_t other[N_OTHER]; /* verdicts of KEY_ARP..KEY_NON_IP */
	uint8_t verdict[];
};

struct acl_worker {
	const struct rte_acl_ctx *ctx; /* NULL: no rules */
	const struct acl_conf *conf;
};

static const struct mbox_param rule_fields[] = {
	{ .name = "name", .type = MBOX_P_STRING, .optional = true,
	  .help = "label for the rule (unique within the element)" },
	{ .name = "src", .type = MBOX_P_PREFIX, .def = "0.0.0.0/0",
	  .help = "source IPv4 prefix" },
	{ .name = "dst", .type = MBOX_P_PREFIX, .def = "0.0.0.0/0",
	  .help = "destination IPv4 prefix" },
	{ .name = "proto", .type = MBOX_P_UINT, .optional = true, .max = 255,
	  .help = "IPv4 protocol (6 TCP, 17 UDP, 132 SCTP, 1 ICMP); absent: any" },
	{ .name = "src_port", .type = MBOX_P_RANGE, .def = "0-65535", .max = 65535,
	  .help = "source port range (a narrower range needs proto 6, 17 or 132)" },
	{ .name = "dst_port", .type = MBOX_P_RANGE, .def = "0-65535", .max = 65535,
	  .help = "destination port range (a narrower range needs proto 6, 17 or 132)" },
	{ .name = "priority", .type = MBOX_P_UINT, .optional = true, .max = ACL_MAX_PRIORITY,
	  .help = "higher wins; equal priorities (absent: 0) go to the earlier rule" },
	{ .name = "action", .type = MBOX_P_ENUM, .choices = action_choices,
	  .help = "permit (output permit), deny (drop) or an extra output out1..out8" },
	{ 0 }
};

static const struct mbox_param acl_params[] = {
	{ .name = "rules", .type = MBOX_P_LIST, .max = ACL_MAX_RULES, .writable = true,
	  .fields = rule_fields,
	  .help = "firewall rules; the packet takes the action of the best matching rule" },
	{ .name = "default_action", .type = MBOX_P_ENUM, .choices = action_choices, .def = "deny",
	  .writable = true, .help = "action for IPv4 packets no rule matches" },
	{ .name = "non_ip", .type = MBOX_P_ENUM, .choices = action_choices, .def = "deny",
	  .writable = true, .warnings = non_ip_warnings,
	  .help = "action for frames no other parameter covers: not IPv4, IPv6 or ARP, no hidden L3 "
		  "(LLDP, LACP, any other ethertype); ARP too while arp is absent" },
	{ .name = "arp", .type = MBOX_P_ENUM, .choices = action_choices, .optional = true,
	  .writable = true, .help = "action for ARP (ethertype 0x0806) after up to two VLAN tags; "
				    "absent: the non_ip action" },
	{ .name = "ipv6", .type = MBOX_P_ENUM, .choices = action_choices, .def = "deny",
	  .writable = true, .warnings = ipv6_warnings,
	  .help = "action for IPv6 (ethertype 0x86dd) after up to two VLAN tags: the rules are IPv4 only" },
	{ .name = "unparsed", .type = MBOX_P_ENUM, .choices = action_choices, .def = "deny",
	  .writable = true, .warnings = unparsed_warnings,
	  .help = "action for frames whose network layer the parser does not reach: a third VLAN tag or "
		  "TPID 0x9100-0x9300, MPLS, PPPoE session, 802.1ah, 802.1BR, NSH, TEB" },
	{ 0 }
};

static bool range_is_any(const struct mbox_value *v)
{
	return v->range.lo == 0 && v->range.hi == 65535;
}

/* Check rule i and fill r; the port checks name the port field's line. */
static int rule_setup(struct mbox_element *e, struct mbox_diag *d, const struct mbox_value *rules,
		      unsigned i, struct acl_rule *r)
{
	const struct mbox_value *src = mbox_list_field(rules, rule_fields, i, "src");
	const struct mbox_value *dst = mbox_list_field(rules, rule_fields, i, "dst");
	const struct mbox_value *proto = mbox_list_field(rules, rule_fields, i, "proto");
	const struct mbox_value *sport = mbox_list_field(rules, rule_fields, i, "src_port");
	const struct mbox_value *dport = mbox_list_field(rules, rule_fields, i, "dst_port");
	const struct mbox_value *prio = mbox_list_field(rules, rule_fields, i, "priority");
	const struct mbox_value *ports[] = { sport, dport };
	bool port_specific = !range_is_any(sport) || !range_is_any(dport);
	int rc = 0;

	for (unsigned p = 0; p < RTE_DIM(ports); p++)
		if (!range_is_any(ports[p]) && !(proto->present && pkt_proto_has_ports(proto->u))) {
			mbox_diag_error(d, e->file, ports[p]->line,
					"element '%s': rules[%u]: field '%s' needs proto = 6, 17 or 132 in the same rule",
					e->name, i, p ? "dst_port" : "src_port");
			rc = -1;
		}
	r->field[F_PROTO].value.u8 = (uint8_t)proto->u;
	r->field[F_PROTO].mask_range.u8 = proto->present ? 0xff : 0;
	r->field[F_HAS_PORTS].value.u32 = port_specific;
	r->field[F_HAS_PORTS].mask_range.u32 = port_specific;
	r->field[F_SRC].value.u32 = src->ip.addr;
	r->field[F_SRC].mask_range.u32 = src->ip.len;
	r->field[F_DST].value.u32 = dst->ip.addr;
	r->field[F_DST].mask_range.u32 = dst->ip.len;
	r->field[F_SPORT].value.u16 = (uint16_t)sport->range.lo;
	r->field[F_SPORT].mask_range.u16 = (uint16_t)sport->range.hi;
	r->field[F_DPORT].value.u16 = (uint16_t)dport->range.lo;
	r->field[F_DPORT].mask_range.u16 = (uint16_t)dport->range.hi;
	r->data.category_mask = 1;
	/* Unique priorities: the configured one above, rule order below. */
	r->data.priority = RTE_ACL_MIN_PRIORITY + (int32_t)((prio->u << ACL_RULE_INDEX_BITS) |
							    (ACL_MAX_RULES - 1 - i));
	r->data.userdata = i + 1;
	return rc;
}

static int check_unique_names(struct mbox_element *e, struct mbox_diag *d, const struct mbox_value *rules)
{
	int rc = 0;

	for (unsigned i = 0; i < rules->list.n; i++) {
		const struct mbox_value *name = mbox_list_field(rules, rule_fields, i, "name");

		for (unsigned j = 0; name->present && j < i; j++) {
			const struct mbox_value *other = mbox_list_field(rules, rule_fields, j, "name");

			if (other->present && !strcmp(other->s, name->s)) {
				mbox_diag_error(d, e->file, name->line,
						"element '%s': rules[%u]: field 'name': '%s' is also rules[%u]'s name, expected unique names",
						e->name, i, name->s, j);
				rc = -1;
				break;
			}
		}
	}
	return rc;
}

/* The action choice of class KEY_ARP + k. */
static uint64_t other_action(const struct mbox_element *e, unsigned k)
{
	const struct mbox_value *v = mbox_param(e, other_param[k]);

	return v->present ? v->u : mbox_param(e, "non_ip")->u;
}

/* Outputs: "permit", then each out<N> some action names, in order of N;
 * edge_of[] maps an action choice to its verdict. */
static void outputs_setup(struct mbox_element *e, const struct mbox_value *rules,
			  uint8_t edge_of[RTE_DIM(action_choices)])
{
	bool used[RTE_DIM(action_choices)] = { false };

	used[mbox_param(e, "default_action")->u] = true;
	for (unsigned k = 0; k < N_OTHER; k++)
		used[other_action(e, k)] = true;
	for (unsigned i = 0; i < rules->list.n; i++)
		used[mbox_list_field(rules, rule_fields, i, "action")->u] = true;
	e->output_names[e->n_outputs] = action_choices[ACTION_PERMIT];
	edge_of[ACTION_PERMIT] = (uint8_t)e->n_outputs++;
	edge_of[ACTION_DENY] = VERDICT_DENY;
	for (unsigned c = ACTION_OUT1; action_choices[c]; c++)
		if (used[c]) {
			e->output_names[e->n_outputs] = action_choices[c];
			edge_of[c] = (uint8_t)e->n_outputs++;
		}
}

static int acl_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	const struct mbox_value *rules = mbox_param(e, "rules");
	unsigned n = rules->list.n;
	struct acl_conf *c = mbox_config_alloc(cfg, sizeof(*c) + n + 1);
	uint8_t edge_of[RTE_DIM(action_choices)];
	int rc = check_unique_names(e, d, rules);

	c->n_rules = n;
	c->rules = mbox_config_alloc(cfg, sizeof(*c->rules) * (n ? n : 1));
	outputs_setup(e, rules, edge_of);
	c->verdict[0] = edge_of[mbox_param(e, "default_action")->u];
	for (unsigned k = 0; k < N_OTHER; k++)
		c->other[k] = edge_of[other_action(e, k)];
	for (unsigned i = 0; i < n; i++) {
		if (rule_setup(e, d, rules, i, &c->rules[i]) < 0)
			rc = -1;
		c->verdict[i + 1] = edge_of[mbox_list_field(rules, rule_fields, i, "action")->u];
	}
	e->priv = c;
	return rc;
}

static int acl_create(struct mbox_element *e)
{
	static unsigned contexts; /* rte_acl names must be unique; generations overlap */
	const struct acl_conf *c = e->priv;
	struct rte_acl_config build = { .num_categories = 1, .num_fields = N_FIELDS };
	char name[RTE_ACL_NAMESIZE];
	struct rte_acl_param prm = {
		.name = name, .socket_id = SOCKET_ID_ANY,
		.rule_size = RTE_ACL_RULE_SZ(N_FIELDS), .max_rule_num = c->n_rules,
	};
	struct rte_acl_ctx *ctx;
	int rc;

	e->dp = NULL;
	if (c->n_rules == 0)
		return 0;
	snprintf(name, sizeof(name), "mbox_acl_%u", contexts++);
	ctx = rte_acl_create(&prm);
	if (!ctx) {
		log_err("acl '%s': cannot create the rte_acl context: %s", e->name, rte_strerror(rte_errno));
		return -1;
	}
	memcpy(build.defs, key_fields, sizeof(key_fields));
	rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)c->rules, c->n_rules);
	if (rc == 0)
		rc = rte_acl_build(ctx, &build);
	if (rc != 0) {
		log_err("acl '%s': cannot build %u rules: %s", e->name, c->n_rules, rte_strerror(-rc));
		rte_acl_free(ctx);
		return -1;
	}
	e->dp = ctx;
	return 0;
}

static void acl_destroy(struct mbox_element *e)
{
	rte_acl_free(e->dp);
	e->dp = NULL;
}

static int acl_start(struct mbox_elem_rt *rt)
{
	struct acl_worker *w = (struct acl_worker *)rt->priv;

	w->ctx = rt->elem->dp;
	w->conf = rt->elem->priv;
	return 0;
}

/* The class of a frame that is not IPv4 after the tags. */
static __rte_always_inline enum key_class other_class(uint16_t ethertype)
{
	if (ethertype == RTE_ETHER_TYPE_ARP)
		return KEY_ARP;
	if (ethertype == RTE_ETHER_TYPE_IPV6)
		return KEY_IPV6;
	return pkt_ethertype_hides_l3(ethertype) ? KEY_UNPARSED : KEY_NON_IP;
}

/* pkt_parse() reads ports from chained mbufs too. */
static __rte_always_inline enum key_class read_key(const struct rte_mbuf *m, struct acl_key *k)
{
	const struct rte_ipv4_hdr *ip;
	struct pkt_info pi;

	pkt_parse(m, &pi);
	if (unlikely(pi.status == PKT_RUNT))
		return KEY_TRUNCATED;
	if (pi.l3 != PKT_L3_IPV4)
		return other_class(pi.ethertype);
	if (unlikely(pi.status != PKT_OK))
		return pi.status == PKT_BAD_HEADER ? KEY_BAD_HEADER : KEY_TRUNCATED;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pi.l3_off);
	/* Whole-struct assignment: the padding and absent ports read as 0. */
	*k = (struct acl_key){ .proto = ip->next_proto_id, .src = ip->src_addr, .dst = ip->dst_addr };
	if (pi.frag == PKT_FRAG_LATER)
		return KEY_FRAGMENT;
	if (!pkt_proto_has_ports(k->proto))
		return KEY_IPV4;
	/* A first fragment too short for its ports cannot be judged (RFC 1858
	 * tiny fragments). */
	if (unlikely(!pi.ports))
		return KEY_TRUNCATED;
	k->sport = pi.sport;
	k->dport = pi.dport;
	k->has_ports = RTE_BE32(1);
	return KEY_IPV4;
}

/* Classify objs[0..n) (n <= ACL_CHUNK) into verdict[]; one
 * rte_acl_classify call for the chunk's IPv4 packets. */
static __rte_always_inline void classify_chunk(struct mbox_elem_rt *rt, const struct acl_worker *w,
					       void **objs, unsigned n, uint8_t *verdict)
{
	struct acl_key keys[ACL_CHUNK];
	const uint8_t *keyed[ACL_CHUNK];
	uint32_t results[ACL_CHUNK];
	enum key_class cls[ACL_CHUNK];
	unsigned n_keyed = 0, r = 0;

	for (unsigned i = 0; i < n; i++) {
		cls[i] = read_key(objs[i], &keys[i]);
		if (cls[i] <= KEY_FRAGMENT)
			keyed[n_keyed++] = (const uint8_t *)&keys[i];
	}
	if (w->ctx)
		rte_acl_classify(w->ctx, keyed, results, n_keyed, 1);
	else
		memset(results, 0, n_keyed * sizeof(results[0]));
	for (unsigned i = 0; i < n; i++) {
		uint32_t match;

		switch (cls[i]) {
		case KEY_FRAGMENT:
			rt->counters[ACL_FRAGMENTS]++;
			/* fall through */
		case KEY_IPV4:
			match = results[r++];
			if (match)
				rt->rows[match - 1]++;
			verdict[i] = w->conf->verdict[match];
			rt->counters[ACL_DENIED] += verdict[i] == VERDICT_DENY;
			break;
		case KEY_ARP:
		case KEY_IPV6:
		case KEY_UNPARSED:
		case KEY_NON_IP:
			rt->counters[other_counter[cls[i] - KEY_ARP]]++;
			verdict[i] = w->conf->other[cls[i] - KEY_ARP];
			rt->counters[ACL_DENIED] += verdict[i] == VERDICT_DENY;
			break;
		case KEY_TRUNCATED:
			rt->counters[ACL_TRUNCATED]++;
			verdict[i] = VERDICT_DENY;
			break;
		case KEY_BAD_HEADER:
			rt->counters[ACL_BAD_HEADER]++;
			verdict[i] = VERDICT_DENY;
			break;
		}
	}
}

static uint16_t acl_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct acl_worker *w = (const struct acl_worker *)rt->priv;
	uint16_t permitted = 0; /* compacted to the front of objs, in order */

	/* Streams can exceed the graph burst size: classify in chunks. */
	for (uint16_t start = 0; start < n; start += ACL_CHUNK) {
		unsigned len = RTE_MIN((unsigned)(n - start), ACL_CHUNK), n_dropped = 0;
		uint8_t verdict[ACL_CHUNK];
		void *dropped[ACL_CHUNK];

		classify_chunk(rt, w, &objs[start], len, verdict);
		for (unsigned i = 0; i < len; i++) {
			void *m = objs[start + i];

			if (verdict[i] == VERDICT_DENY) {
				dropped[n_dropped++] = m;
			} else if (verdict[i] == 0) {
				objs[permitted++] = m;
			} else {
				rt->counters[ACL_PERMITTED]++;
				mbox_forward_one(graph, node, rt, verdict[i], m);
			}
		}
		mbox_drop(rt, dropped, (uint16_t)n_dropped);
	}
	rt->counters[ACL_PERMITTED] += permitted;
	mbox_forward_kept(graph, node, rt, 0, objs, permitted, n);
	return n;
}

static const char *const acl_counters[] = {
	[ACL_PERMITTED] = "permitted", [ACL_DENIED] = "denied", [ACL_NON_IP] = "non_ip",
	[ACL_FRAGMENTS] = "fragments", [ACL_TRUNCATED] = "truncated", [ACL_BAD_HEADER] = "bad_header",
	[ACL_ARP] = "arp", [ACL_IPV6] = "ipv6", [ACL_UNPARSED] = "unparsed", NULL
};

static struct mbox_kind acl_kind = {
	.name = "acl",
	.description = "stateless IPv4 firewall on the 5-tuple (rte_acl): permit, deny or send to an extra output",
	.params = acl_params,
	.outputs_text = "permit, then out1..out8 where an action names them",
	.counters = acl_counters,
	.counted_list = "rules",
	.worker_size = sizeof(struct acl_worker),
	.setup = acl_setup,
	.create = acl_create,
	.destroy = acl_destroy,
	.start = acl_start,
	.process = acl_process,
};
MBOX_ELEMENT_REGISTER(acl_kind)
