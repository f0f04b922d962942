/* http_filter: allows or denies HTTP requests by Host and path.  Only the
 * first segment of a packet is read and there is no TCP reassembly: a
 * request whose request line or headers continue in a later packet is not
 * inspected (counted as unparsed and passed), and later packets of a
 * request pass as non-HTTP.  A denied request is dropped, or replaced by a
 * TCP RST toward the server (output "out") with one toward the client on
 * output "reverse". */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <rte_tcp.h>

#include "config.h"
#include "pkt.h"

enum { HF_INSPECTED, HF_ALLOWED, HF_DENIED, HF_RESETS_SENT, HF_NOT_HTTP, HF_UNPARSED };
enum { OUT_FORWARD, OUT_REVERSE };
enum { ACTION_ALLOW, ACTION_DENY };
enum { DENY_RESET, DENY_DROP };

#define MAX_RULES 256
#define MAX_METHOD 16

struct http_rule {
	const char *host; /* lower case; NULL: any host */
	size_t host_len;
	bool host_suffix; /* "*.example.com": host is ".example.com" */
	const char *path; /* prefix; NULL: any path */
	size_t path_len;
	bool deny;
};

struct http_filter {
	uint16_t port_lo, port_hi;
	bool default_deny, reset;
	unsigned n_rules;
	struct http_rule rules[];
};

/* Where the request line and Host header lie in the payload. */
struct http_request {
	const char *path, *host;
	size_t path_len, host_len; /* host_len 0: no Host header */
};

static const char *const actions[] = { [ACTION_ALLOW] = "allow", [ACTION_DENY] = "deny", NULL };
static const char *const deny_modes[] = { [DENY_RESET] = "reset", [DENY_DROP] = "drop", NULL };

static const struct mbox_param rule_fields[] = {
	{ .name = "host", .type = MBOX_P_STRING, .optional = true,
	  .help = "Host, exact (case-insensitive) or \"*.example.com\" for any subdomain" },
	{ .name = "path", .type = MBOX_P_STRING, .optional = true,
	  .help = "path prefix, starting with /" },
	{ .name = "action", .type = MBOX_P_ENUM, .choices = actions, .help = "allow or deny" },
	{ 0 }
};

static const struct mbox_param hf_params[] = {
	{ .name = "ports", .type = MBOX_P_RANGE, .def = "80", .min = 1, .max = 65535, .writable = true,
	  .help = "TCP destination ports of HTTP servers, \"80\" or \"8000-8080\"" },
	{ .name = "rules", .type = MBOX_P_LIST, .max = MAX_RULES, .writable = true, .fields = rule_fields,
	  .help = "rules in priority order; the first whose host and path match decides" },
	{ .name = "default_action", .type = MBOX_P_ENUM, .def = "allow", .choices = actions, .writable = true,
	  .help = "for requests no rule matches" },
	{ .name = "deny_with", .type = MBOX_P_ENUM, .def = "reset", .choices = deny_modes, .writable = true,
	  .help = "reset: TCP RST to both ends; drop: discard the request" },
	{ 0 }
};

static int host_setup(const struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d,
		      unsigned i, const struct mbox_value *v, struct http_rule *r)
{
	const char *text = v->s;
	char *lower;

	r->host_suffix = !strncmp(text, "*.", 2);
	if (r->host_suffix)
		text++;
	if (!*text || strpbrk(text + r->host_suffix, "*:/ \t") || (r->host_suffix && !text[1])) {
		mbox_diag_error(d, e->file, v->line, "element '%s': rules[%u]: host '%s' is malformed, expected a host name like \"www.example.com\" or \"*.example.com\" (no port, no other '*')",
				e->name, i, v->s);
		return -1;
	}
	r->host_len = strlen(text);
	lower = mbox_config_alloc(cfg, r->host_len + 1);
	for (size_t c = 0; c < r->host_len; c++)
		lower[c] = (char)(text[c] >= 'A' && text[c] <= 'Z' ? text[c] - 'A' + 'a' : text[c]);
	r->host = lower;
	return 0;
}

static int rule_setup(const struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d,
		      const struct mbox_value *rules, unsigned i, struct http_rule *r)
{
	const struct mbox_value *host = mbox_list_field(rules, rule_fields, i, "host");
	const struct mbox_value *path = mbox_list_field(rules, rule_fields, i, "path");
	const struct mbox_value *action = mbox_list_field(rules, rule_fields, i, "action");

	r->deny = action->u == ACTION_DENY;
	if (!host->present && !path->present) {
		mbox_diag_error(d, e->file, action->line, "element '%s': rules[%u] matches every request, expected host or path (default_action covers the rest)",
				e->name, i);
		return -1;
	}
	if (path->present) {
		if (path->s[0] != '/') {
			mbox_diag_error(d, e->file, path->line, "element '%s': rules[%u]: path '%s' does not start with '/', expected a path prefix like \"/admin\"",
					e->name, i, path->s);
			return -1;
		}
		r->path = path->s;
		r->path_len = strlen(path->s);
	}
	return host->present ? host_setup(e, cfg, d, i, host, r) : 0;
}

static int hf_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	const struct mbox_value *rules = mbox_param(e, "rules");
	struct http_filter *f = mbox_config_alloc(cfg, sizeof(*f) + rules->list.n * sizeof(struct http_rule));
	int rc = 0;

	f->port_lo = (uint16_t)mbox_param(e, "ports")->range.lo;
	f->port_hi = (uint16_t)mbox_param(e, "ports")->range.hi;
	f->default_deny = mbox_param(e, "default_action")->u == ACTION_DENY;
	f->reset = mbox_param(e, "deny_with")->u == DENY_RESET;
	f->n_rules = rules->list.n;
	for (unsigned i = 0; i < f->n_rules; i++)
		if (rule_setup(e, cfg, d, rules, i, &f->rules[i]) < 0)
			rc = -1;
	e->priv = f;
	return rc;
}

static int hf_start(struct mbox_elem_rt *rt)
{
	*(const struct http_filter **)rt->priv = rt->elem->priv;
	return 0;
}

/* The end of the line that starts at p (its CR or LF), or NULL when the
 * line does not end before `end`. */
static const char *line_end(const char *p, const char *end)
{
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	return p < end ? p : NULL;
}

static const char *next_line(const char *eol, const char *end)
{
	return eol + (eol + 1 < end && eol[0] == '\r' && eol[1] == '\n' ? 2 : 1);
}

/* The Host header's value without spaces and port, or host_len 0. */
static void find_host(const char *p, const char *end, struct http_request *req, bool *complete)
{
	const char *eol;

	*complete = false;
	while ((eol = line_end(p, end)) != NULL) {
		if (eol == p) {
			*complete = true; /* the empty line ends the headers */
			return;
		}
		if (eol - p > 5 && !strncasecmp(p, "host:", 5)) {
			const char *v = p + 5, *stop;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			/* An IPv6 literal keeps its colons: "[::1]:8080". */
			stop = *v == '[' ? memchr(v, ']', (size_t)(eol - v)) : memchr(v, ':', (size_t)(eol - v));
			stop = stop ? stop + (*v == '[') : eol;
			while (stop > v && (stop[-1] == ' ' || stop[-1] == '\t'))
				stop--;
			req->host = v;
			req->host_len = (size_t)(stop - v);
			*complete = true;
			return;
		}
		p = next_line(eol, end);
	}
}

enum parse_result { PARSE_OK, PARSE_NOT_HTTP, PARSE_INCOMPLETE };

static enum parse_result parse_request(const char *p, const char *end, struct http_request *req)
{
	const char *method = p, *eol, *sp;
	bool complete;

	while (p < end && p - method < MAX_METHOD && *p >= 'A' && *p <= 'Z')
		p++;
	if (p == method || p == end || *p != ' ')
		return p == end && p > method ? PARSE_INCOMPLETE : PARSE_NOT_HTTP;
	eol = line_end(++p, end);
	if (!eol)
		return PARSE_INCOMPLETE;
	sp = memchr(p, ' ', (size_t)(eol - p));
	if (!sp || eol - sp < 6 || memcmp(sp + 1, "HTTP/", 5))
		return PARSE_NOT_HTTP;
	req->path = p;
	req->path_len = (size_t)(sp - p);
	find_host(next_line(eol, end), end, req, &complete);
	return complete ? PARSE_OK : PARSE_INCOMPLETE;
}

static bool host_matches(const struct http_rule *r, const struct http_request *req)
{
	if (r->host_suffix)
		return req->host_len > r->host_len &&
		       !strncasecmp(req->host + req->host_len - r->host_len, r->host, r->host_len);
	return req->host_len == r->host_len && (!r->host_len || !strncasecmp(req->host, r->host, r->host_len));
}

/* Index of the first matching rule, or n_rules. */
static unsigned rule_find(const struct http_filter *f, const struct http_request *req)
{
	unsigned i;

	for (i = 0; i < f->n_rules; i++) {
		const struct http_rule *r = &f->rules[i];

		if ((!r->host || host_matches(r, req)) &&
		    (!r->path || (req->path_len >= r->path_len && !memcmp(req->path, r->path, r->path_len))))
			break;
	}
	return i;
}

/* A RST|ACK from (src, sport) to (dst, dport) with the request's L2
 * header (MACs swapped when reverse), or NULL when the pool is empty. */
static struct rte_mbuf *rst_build(struct rte_mbuf *req, const struct pkt_info *p, bool reverse,
				  uint32_t seq, uint32_t ack)
{
	const struct rte_ether_hdr *req_eth = rte_pktmbuf_mtod(req, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *req_ip = pkt_ipv4_hdr(req, p);
	const struct rte_tcp_hdr *t = rte_pktmbuf_mtod_offset(req, const struct rte_tcp_hdr *, p->l4_off);
	struct rte_mbuf *m = rte_pktmbuf_alloc(req->pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(p->l3_off + sizeof(*ip) + sizeof(*tcp)));
	memcpy(eth, req_eth, p->l3_off);
	ip = (struct rte_ipv4_hdr *)((uint8_t *)eth + p->l3_off);
	tcp = (struct rte_tcp_hdr *)(ip + 1);
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*tcp)),
		.fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG),
		.time_to_live = 64,
		.next_proto_id = IPPROTO_TCP,
		.src_addr = reverse ? req_ip->dst_addr : req_ip->src_addr,
		.dst_addr = reverse ? req_ip->src_addr : req_ip->dst_addr,
	};
	*tcp = (struct rte_tcp_hdr){
		.src_port = reverse ? t->dst_port : t->src_port,
		.dst_port = reverse ? t->src_port : t->dst_port,
		.sent_seq = rte_cpu_to_be_32(seq),
		.recv_ack = rte_cpu_to_be_32(ack),
		.data_off = sizeof(*tcp) / 4 << 4,
		.tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
	};
	if (reverse) {
		eth->src_addr = req_eth->dst_addr;
		eth->dst_addr = req_eth->src_addr;
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	return m;
}

/* Replaces a denied request by a RST toward the server (returned, for
 * "out") and sends one toward the client on "reverse".  The server's RST
 * carries the request's own sequence number; the client's acknowledges
 * the request's bytes and carries the server's next sequence number (the
 * request's acknowledgment). */
static struct rte_mbuf *rst_pair(struct rte_graph *graph, struct rte_node *node, struct mbox_elem_rt *rt,
				 struct rte_mbuf *req, const struct pkt_info *p, uint32_t payload)
{
	const struct rte_tcp_hdr *t = rte_pktmbuf_mtod_offset(req, const struct rte_tcp_hdr *, p->l4_off);
	uint32_t seq = rte_be_to_cpu_32(t->sent_seq), ack = rte_be_to_cpu_32(t->recv_ack);
	uint32_t consumed = payload + !!(t->tcp_flags & RTE_TCP_SYN_FLAG) + !!(t->tcp_flags & RTE_TCP_FIN_FLAG);
	struct rte_mbuf *to_server = rst_build(req, p, false, seq, ack);
	struct rte_mbuf *to_client = rst_build(req, p, true, ack, seq + consumed);

	if (to_client) {
		rt->counters[HF_RESETS_SENT]++;
		mbox_forward_one(graph, node, rt, OUT_REVERSE, to_client);
	}
	rt->counters[HF_RESETS_SENT] += to_server != NULL;
	return to_server;
}

/* What becomes of one packet: itself (passed), a RST in its place, or
 * NULL (consumed). */
static struct rte_mbuf *filter_one(struct rte_graph *graph, struct rte_node *node, struct mbox_elem_rt *rt,
				   const struct http_filter *f, struct rte_mbuf *m)
{
	struct http_request req = { 0 };
	struct rte_mbuf *rst;
	struct pkt_info p;
	const struct rte_tcp_hdr *t;
	const char *l4, *payload;
	uint32_t hdr_len, port;
	unsigned r;
	bool deny;

	pkt_parse(m, &p);
	t = pkt_l4_hdr(m, &p, sizeof(*t));
	if (!t || p.l4_proto != IPPROTO_TCP)
		return m;
	port = rte_be_to_cpu_16(t->dst_port);
	hdr_len = (t->data_off >> 4) * 4u;
	if (port < f->port_lo || port > f->port_hi || hdr_len < sizeof(*t) || p.l4_seg <= hdr_len)
		return m;
	l4 = (const char *)t;
	payload = l4 + hdr_len;
	switch (parse_request(payload, l4 + p.l4_seg, &req)) {
	case PARSE_NOT_HTTP:
		rt->counters[HF_NOT_HTTP]++;
		return m;
	case PARSE_INCOMPLETE:
		rt->counters[HF_UNPARSED]++;
		return m;
	case PARSE_OK:
		break;
	}
	rt->counters[HF_INSPECTED]++;
	r = rule_find(f, &req);
	if (r < f->n_rules)
		rt->rows[r]++;
	deny = r < f->n_rules ? f->rules[r].deny : f->default_deny;
	if (!deny) {
		rt->counters[HF_ALLOWED]++;
		return m;
	}
	rt->counters[HF_DENIED]++;
	rst = f->reset ? rst_pair(graph, node, rt, m, &p, p.l4_len - hdr_len) : NULL;

	mbox_drop(rt, (void **)&m, 1);
	return rst;
}

static uint16_t hf_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	const struct http_filter *f = *(const struct http_filter **)rt->priv;
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = filter_one(graph, node, rt, f, objs[i]);

		if (m)
			objs[kept++] = m;
	}
	mbox_forward_kept(graph, node, rt, OUT_FORWARD, objs, kept, n);
	return n;
}

static const char *const hf_outputs[] = { [OUT_FORWARD] = "out", [OUT_REVERSE] = "reverse", NULL };
static const char *const hf_counters[] = {
	[HF_INSPECTED] = "inspected", [HF_ALLOWED] = "allowed", [HF_DENIED] = "denied",
	[HF_RESETS_SENT] = "resets_sent", [HF_NOT_HTTP] = "not_http", [HF_UNPARSED] = "unparsed", NULL
};

static struct mbox_kind hf_kind = {
	.name = "http_filter",
	.description = "allow or deny HTTP requests by Host and path; deny drops or resets both ends",
	.params = hf_params,
	.outputs = hf_outputs,
	.counters = hf_counters,
	.worker_size = sizeof(const struct http_filter *),
	.setup = hf_setup,
	.start = hf_start,
	.counted_list = "rules",
	.process = hf_process,
};
MBOX_ELEMENT_REGISTER(hf_kind)
