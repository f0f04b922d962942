/* http_filter: allow/deny by Host and path, first rule wins, RST pairs
 * (fields and checksums recomputed here), drop mode, what passes
 * uninspected, per-rule hits, setup errors. */
#include <rte_tcp.h>

#include "harness.h"

enum { INSPECTED, ALLOWED, DENIED, RESETS_SENT, NOT_HTTP, UNPARSED };

#define HTTP(dport_, body_) \
	{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 6, .sport = 40000, .dport = (dport_), \
	  .tcp_flags = RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG, .len = (uint16_t)(14 + 20 + 20 + sizeof(body_) - 1), \
	  .payload = (body_) }

#define RULES \
	"rules = ( { host = \"www.example.com\"; path = \"/admin/ok\"; action = \"allow\"; },\n" \
	"  { path = \"/admin\"; action = \"deny\"; },\n" \
	"  { host = \"*.Bad.example\"; action = \"deny\"; } );"

static struct rte_ipv4_hdr *ip_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
}

static struct rte_tcp_hdr *tcp_of(struct rte_mbuf *m)
{
	return (struct rte_tcp_hdr *)(ip_of(m) + 1);
}

/* Both checksums of a 54-byte RST|ACK are right when recomputed. */
static bool rst_valid(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);
	struct rte_tcp_hdr *tcp = tcp_of(m);
	uint16_t ip_sum = ip->hdr_checksum, tcp_sum = tcp->cksum;
	bool ok;

	ip->hdr_checksum = 0;
	tcp->cksum = 0;
	ok = rte_pktmbuf_pkt_len(m) == 54 && tcp->tcp_flags == (RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) &&
	     ip_sum == rte_ipv4_cksum(ip) && tcp_sum == rte_ipv4_udptcp_cksum(ip, tcp);
	ip->hdr_checksum = ip_sum;
	tcp->cksum = tcp_sum;
	return ok;
}

static bool rst_is(struct rte_mbuf *m, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		   uint32_t seq, uint32_t ack)
{
	return m && rst_valid(m) && ip_of(m)->src_addr == rte_cpu_to_be_32(src) &&
	       ip_of(m)->dst_addr == rte_cpu_to_be_32(dst) && tcp_of(m)->src_port == rte_cpu_to_be_16(sport) &&
	       tcp_of(m)->dst_port == rte_cpu_to_be_16(dport) && tcp_of(m)->sent_seq == rte_cpu_to_be_32(seq) &&
	       tcp_of(m)->recv_ack == rte_cpu_to_be_32(ack);
}

static void test_rules(void)
{
	const char admin[] = "GET /admin/panel HTTP/1.1\r\nHost: www.example.com\r\n\r\n";
	const struct pkt_spec p[] = {
		HTTP(80, "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n\r\n"),       /* 0 default allow */
		HTTP(80, "GET /admin/ok/x HTTP/1.1\r\nAccept: */*\r\nhOST:  WWW.Example.COM:8080 \r\n\r\n"), /* 1 rule0 */
		HTTP(80, admin),                                                             /* 2 rule1: reset */
		HTTP(80, "POST /x HTTP/1.1\r\nHost: a.b.BAD.example\r\n\r\n"),               /* 3 rule2: reset */
		HTTP(80, "GET / HTTP/1.1\r\nHost: bad.example\r\n\r\n"),                     /* 4 not a subdomain */
		HTTP(80, "hello"),                                                           /* 5 not HTTP */
		HTTP(80, "GET /admin/very/long"),                                            /* 6 line goes on */
		HTTP(443, "GET /admin HTTP/1.1\r\n\r\n"),                                    /* 7 other port */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 80, .len = 80 },    /* 8 UDP */
		HTTP(80, "GET /admin HTTP/1.1\r\nUser-Agent: x\r\n"),                        /* 9 headers go on */
		HTTP(80, "GET /admin HTTP/1.0\r\n\r\n"),                                     /* 10 no Host: rule1 */
	};
	struct rte_mbuf *pkts[RTE_DIM(p)];
	struct mbox_generation *gen = harness_build("http_filter", 2,
		"{ name = \"h\"; kind = \"http_filter\"; " RULES " }", "\"src -> h[out] -> s0\", \"h[reverse] -> s1\"");
	const struct mbox_elem_rt *h;
	const uint32_t client = IP4(10, 0, 0, 1), server = IP4(10, 0, 0, 2);

	if (!gen)
		return;
	for (unsigned i = 0; i < RTE_DIM(p); i++)
		pkts[i] = harness_pkt(&p[i]);
	tcp_of(pkts[2])->sent_seq = rte_cpu_to_be_32(1000);
	tcp_of(pkts[2])->recv_ack = rte_cpu_to_be_32(0xfffffff0);
	harness_inject(gen, pkts, RTE_DIM(p));
	h = harness_rt(gen, "h");
	check(n_captured[0] == 11 && n_captured[1] == 3 && h->out[0] == 11 && h->out[1] == 3 && h->drops == 3,
	      "http_filter_routes", "out=%u reverse=%u drops=%lu", n_captured[0], n_captured[1], h->drops);
	check(h->counters[INSPECTED] == 6 && h->counters[ALLOWED] == 3 && h->counters[DENIED] == 3 &&
	      h->counters[RESETS_SENT] == 6 && h->counters[NOT_HTTP] == 1 && h->counters[UNPARSED] == 2,
	      "http_filter_counters", "inspected=%lu allowed=%lu denied=%lu resets=%lu not_http=%lu unparsed=%lu",
	      h->counters[INSPECTED], h->counters[ALLOWED], h->counters[DENIED], h->counters[RESETS_SENT],
	      h->counters[NOT_HTTP], h->counters[UNPARSED]);
	check(h->rows[0] == 1 && h->rows[1] == 2 && h->rows[2] == 1, "http_filter_rule_hits",
	      "rows %lu %lu %lu", h->rows[0], h->rows[1], h->rows[2]);
	if (n_captured[0] != 11 || n_captured[1] != 3)
		goto out;
	check(rte_pktmbuf_pkt_len(captured[0][0]) == p[0].len && rte_pktmbuf_pkt_len(captured[0][1]) == p[1].len &&
	      rte_pktmbuf_pkt_len(captured[0][4]) == p[4].len && rte_pktmbuf_pkt_len(captured[0][5]) == p[5].len,
	      "http_filter_allowed_pass_unchanged", "wrong packets passed");
	check(rst_is(captured[0][2], client, 40000, server, 80, 1000, 0xfffffff0) &&
	      mac_is(&rte_pktmbuf_mtod(captured[0][2], struct rte_ether_hdr *)->dst_addr, "02:00:00:00:00:0a"),
	      "http_filter_rst_to_server", "seq=%u ack=%u", rte_be_to_cpu_32(tcp_of(captured[0][2])->sent_seq),
	      rte_be_to_cpu_32(tcp_of(captured[0][2])->recv_ack));
	check(rst_is(captured[1][0], server, 80, client, 40000, 0xfffffff0, 1000 + sizeof(admin) - 1) &&
	      mac_is(&rte_pktmbuf_mtod(captured[1][0], struct rte_ether_hdr *)->dst_addr, "02:00:00:00:00:0b") &&
	      mac_is(&rte_pktmbuf_mtod(captured[1][0], struct rte_ether_hdr *)->src_addr, "02:00:00:00:00:0a"),
	      "http_filter_rst_to_client", "seq=%u ack=%u", rte_be_to_cpu_32(tcp_of(captured[1][0])->sent_seq),
	      rte_be_to_cpu_32(tcp_of(captured[1][0])->recv_ack));
	check(rst_is(captured[0][3], client, 40000, server, 80, 0, 0) &&
	      rst_is(captured[0][10], client, 40000, server, 80, 0, 0) &&
	      rst_is(captured[1][2], server, 80, client, 40000, 0, sizeof("GET /admin HTTP/1.0\r\n\r\n") - 1),
	      "http_filter_rst_for_suffix_and_no_host", "wrong RSTs");
out:
	harness_finish(gen, "http_filter");
}

static void test_drop_default_deny(void)
{
	const struct pkt_spec p[] = {
		HTTP(8080, "GET / HTTP/1.1\r\nHost: other.example\r\n\r\n"),
		HTTP(8081, "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"),
		HTTP(80, "GET / HTTP/1.1\r\nHost: other.example\r\n\r\n"), /* port outside 8080-8081 */
	};
	struct mbox_generation *gen = harness_build("http_filter_drop", 2,
		"{ name = \"h\"; kind = \"http_filter\"; ports = \"8080-8081\"; default_action = \"deny\"; deny_with = \"drop\";\n"
		"  rules = ( { host = \"www.example.com\"; action = \"allow\"; } ); }",
		"\"src -> h[out] -> s0\", \"h[reverse] -> s1\"");
	const struct mbox_elem_rt *h;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	h = harness_rt(gen, "h");
	check(n_captured[0] == 2 && n_captured[1] == 0 && h->drops == 1 && h->counters[DENIED] == 1 &&
	      h->counters[RESETS_SENT] == 0 && h->rows[0] == 1 && h->counters[INSPECTED] == 2,
	      "http_filter_drop_mode_and_default_deny", "out=%u reverse=%u drops=%lu", n_captured[0], n_captured[1], h->drops);
	harness_finish(gen, "http_filter_drop");
}

static void test_errors(void)
{
	const char *links = "\"src -> h[out] -> s0\", \"h[reverse] -> s1\"";

	harness_expect_error("http_filter_rule_needs_host_or_path",
			     "{ name = \"h\"; kind = \"http_filter\"; rules = ( { action = \"deny\"; } ); }", links,
			     "rules[0] matches every request, expected host or path");
	harness_expect_error("http_filter_path_needs_slash",
			     "{ name = \"h\"; kind = \"http_filter\"; rules = (\n { path = \"admin\"; action = \"deny\"; } ); }", links,
			     ":13: error: element 'h': rules[0]: path 'admin' does not start with '/'");
	harness_expect_error("http_filter_host_wildcard_only_first",
			     "{ name = \"h\"; kind = \"http_filter\"; rules = ( { host = \"a.*.com\"; action = \"deny\"; } ); }", links,
			     "host 'a.*.com' is malformed");
	harness_expect_error("http_filter_host_without_port",
			     "{ name = \"h\"; kind = \"http_filter\"; rules = ( { host = \"a.com:80\"; action = \"deny\"; } ); }", links,
			     "host 'a.com:80' is malformed");
	harness_expect_error("http_filter_action_choice",
			     "{ name = \"h\"; kind = \"http_filter\"; rules = ( { host = \"a.com\"; action = \"block\"; } ); }", links,
			     "action");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_rules();
	test_drop_default_deny();
	test_errors();
	return harness_done();
}
