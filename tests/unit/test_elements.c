/* Element behaviour with crafted packets, through the real graph builder and
 * rte_graph: a test source feeds packets, test sinks capture what each
 * output emits.  The two test kinds are registered here, by this binary
 * alone, the same way elements/ files register theirs. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "check.h"
#include "config.h"
#include "runtime.h"

#define MAX_PKTS 64
#define MAX_SINKS 8

static struct rte_mempool *pool;
static struct rte_mbuf *to_inject[MAX_PKTS];
static unsigned n_inject;
static struct rte_mbuf *captured[MAX_SINKS][MAX_PKTS];
static unsigned n_captured[MAX_SINKS];
static const char *sink_names[MAX_SINKS] = { "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7" };

static uint16_t test_src_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	void **to = rte_node_next_stream_get(graph, node, 0, n_inject);

	RTE_SET_USED(objs);
	RTE_SET_USED(n);
	n = (uint16_t)n_inject;
	memcpy(to, to_inject, n * sizeof(void *));
	n_inject = 0;
	rte_node_next_stream_put(graph, node, 0, n);
	rt->out[0] += n;
	return n;
}

static uint16_t test_sink_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	const char *name = mbox_rt(node)->elem->name;

	RTE_SET_USED(graph);
	for (unsigned s = 0; s < MAX_SINKS; s++)
		if (!strcmp(name, sink_names[s]))
			for (uint16_t i = 0; i < n && n_captured[s] < MAX_PKTS; i++)
				captured[s][n_captured[s]++] = objs[i];
	return n;
}

static const struct mbox_param no_params[] = { { 0 } };
static const char *const one_output[] = { "out", NULL };
static struct mbox_kind test_src_kind = {
	.name = "test_src", .description = "test: injects to_inject[]", .params = no_params,
	.outputs = one_output, .source = true, .process = test_src_process,
};
static struct mbox_kind test_sink_kind = {
	.name = "test_sink", .description = "test: captures by element name", .params = no_params,
	.process = test_sink_process,
};
MBOX_ELEMENT_REGISTER(test_src_kind)
MBOX_ELEMENT_REGISTER(test_sink_kind)

/* ---- packets ---- */

struct pkt_spec {
	uint16_t vlan;      /* 0: untagged */
	uint16_t ethertype; /* after the tag */
	uint8_t proto;
	uint16_t sport, dport;
	uint16_t frag_off;  /* in 8-byte units */
	uint16_t len;       /* total frame length (truncates when short) */
};

static struct rte_mbuf *make_pkt(const struct pkt_spec *s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t buf[2048] = { 0 };
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	size_t off = sizeof(*eth);

	rte_ether_unformat_addr("02:00:00:00:00:0a", &eth->dst_addr);
	rte_ether_unformat_addr("02:00:00:00:00:0b", &eth->src_addr);
	if (s->vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(buf + off);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(s->vlan);
		vh->eth_proto = rte_cpu_to_be_16(s->ethertype);
		off += sizeof(*vh);
	} else {
		eth->ether_type = rte_cpu_to_be_16(s->ethertype);
	}
	if (s->ethertype == RTE_ETHER_TYPE_IPV4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + off);
		struct rte_udp_hdr *l4 = (struct rte_udp_hdr *)(ip + 1);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->next_proto_id = s->proto;
		ip->fragment_offset = rte_cpu_to_be_16(s->frag_off);
		ip->time_to_live = 64;
		l4->src_port = rte_cpu_to_be_16(s->sport);
		l4->dst_port = rte_cpu_to_be_16(s->dport);
	}
	memcpy(rte_pktmbuf_append(m, s->len), buf, s->len);
	return m;
}

static void reset_capture(void)
{
	for (unsigned s = 0; s < MAX_SINKS; s++) {
		rte_pktmbuf_free_bulk(captured[s], n_captured[s]);
		n_captured[s] = 0;
	}
}

/* ---- graphs ---- */

static struct mbox_worker worker;
static unsigned generation;

/* A graph of src, sinks s0..s<n_sinks-1> and the given elements and links;
 * NULL after reporting "<test>_build" as failed. */
static struct mbox_generation *build(const char *test, unsigned n_sinks, const char *elements,
				     const char *links)
{
	char path[] = "/tmp/mbox-elem-XXXXXX";
	FILE *f = fdopen(mkstemp(path), "w");
	struct mbox_diag d = { .out = stdout };
	struct mbox_config *cfg;
	struct mbox_generation *gen;

	fprintf(f, "dpdk = { lcores = \"0,1\"; main_lcore = 1; };\n"
		   "ports = ( { name = \"p0\"; device = \"net_null0\"; } );\n"
		   "elements = ( { name = \"src\"; kind = \"test_src\"; },\n");
	for (unsigned i = 0; i < n_sinks; i++)
		fprintf(f, "  { name = \"%s\"; kind = \"test_sink\"; },\n", sink_names[i]);
	fprintf(f, "  %s );\nlinks = ( %s );\n", elements, links);
	fclose(f);
	cfg = mbox_config_load(path, &d);
	unlink(path);
	gen = cfg ? mbox_generation_build(cfg, ++generation, &worker) : NULL;
	if (!gen) {
		char name[64];

		snprintf(name, sizeof(name), "%s_build", test);
		check(0, name, "graph not built");
	}
	return gen;
}

static const struct mbox_elem_rt *rt_of(const struct mbox_generation *gen, const char *name)
{
	return mbox_generation_rt(gen, (unsigned)mbox_config_element_index(gen->cfg, name), 0);
}

static void inject(struct mbox_generation *gen, const struct pkt_spec *specs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		to_inject[i] = make_pkt(&specs[i]);
	n_inject = n;
	rte_graph_walk(gen->graphs[0]);
}

static void finish(struct mbox_generation *gen, const char *test)
{
	char name[64];

	reset_capture();
	mbox_generation_free(gen);
	snprintf(name, sizeof(name), "%s_leaks_no_mbuf", test);
	check(rte_mempool_in_use_count(pool) == 0, name,
	      "%u mbufs still in use", rte_mempool_in_use_count(pool));
}

#define IPV4(proto_, sport_, dport_, len_) \
	{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = (proto_), .sport = (sport_), .dport = (dport_), .len = (len_) }

static void test_counter(void)
{
	const struct pkt_spec p[] = { IPV4(17, 1, 2, 60), IPV4(17, 1, 2, 100), IPV4(6, 1, 2, 1514) };
	struct mbox_generation *gen = build("counter", 1, "{ name = \"c\"; kind = \"counter\"; }", "\"src -> c -> s0\"");
	const struct mbox_elem_rt *c;

	if (!gen)
		return;
	inject(gen, p, 3);
	c = rt_of(gen, "c");
	check(c->counters[0] == 3 && c->counters[1] == 1674 && c->out[0] == 3 && c->drops == 0,
	      "counter_counts_packets_and_bytes", "packets=%lu bytes=%lu out=%lu",
	      c->counters[0], c->counters[1], c->out[0]);
	check(n_captured[0] == 3 && rte_pktmbuf_pkt_len(captured[0][0]) == 60 &&
	      rte_pktmbuf_pkt_len(captured[0][2]) == 1514, "counter_passes_packets_in_order",
	      "sink got %u packets", n_captured[0]);
	finish(gen, "counter");
}

static bool mac_is(const struct rte_ether_addr *a, const char *text)
{
	struct rte_ether_addr b;

	return rte_ether_unformat_addr(text, &b) == 0 && rte_is_same_ether_addr(a, &b);
}

static void test_ether_rewrite(void)
{
	const struct pkt_spec p[] = { IPV4(17, 1, 2, 60), { .len = 10 }, IPV4(6, 1, 2, 64) };
	struct mbox_generation *gen = build("ether_rewrite", 1,
		"{ name = \"rw\"; kind = \"ether_rewrite\"; swap = true; src = \"02:aa:bb:cc:dd:ee\"; }",
		"\"src -> rw -> s0\"");
	const struct mbox_elem_rt *rw;
	const struct rte_ether_hdr *eth;

	if (!gen)
		return;
	inject(gen, p, 3);
	rw = rt_of(gen, "rw");
	check(n_captured[0] == 2 && rw->out[0] == 2 && rw->drops == 1 && rw->counters[0] == 1,
	      "ether_rewrite_drops_runts", "out=%lu drops=%lu runts=%lu captured=%u",
	      rw->out[0], rw->drops, rw->counters[0], n_captured[0]);
	eth = rte_pktmbuf_mtod(captured[0][1], const struct rte_ether_hdr *);
	/* swap first (dst becomes the old src), then set src */
	check(mac_is(&eth->dst_addr, "02:00:00:00:00:0b") && mac_is(&eth->src_addr, "02:aa:bb:cc:dd:ee") &&
	      rte_pktmbuf_pkt_len(captured[0][1]) == 64,
	      "ether_rewrite_swaps_then_sets", "wrong addresses after rewrite");
	finish(gen, "ether_rewrite");
}

static void test_classifier(void)
{
	const struct pkt_spec p[] = {
		IPV4(17, 5000, 53, 64),                                   /* dns */
		{ .vlan = 7, .ethertype = RTE_ETHER_TYPE_ARP, .len = 64 }, /* vlan7 */
		IPV4(6, 5000, 80, 64),                                    /* default: TCP */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53, .frag_off = 100, .len = 64 }, /* non-first fragment */
		IPV4(17, 5000, 53, 14 + 20 + 2),                          /* truncated before dst port */
		{ .ethertype = RTE_ETHER_TYPE_ARP, .len = 60 },             /* default */
		{ .vlan = 7, .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 53, .len = 64 }, /* dns wins: first rule */
		{ .len = 8 },                                             /* runt */
	};
	struct mbox_generation *gen = build("classifier", 3,
		"{ name = \"k\"; kind = \"classifier\"; rules = ( { name = \"dns\"; proto = 17; dst_port = 53; }, { name = \"vlan7\"; vlan = 7; } ); }",
		"\"src -> k[dns] -> s0\", \"k[vlan7] -> s1\", \"k[default] -> s2\"");
	const struct mbox_elem_rt *k;

	if (!gen)
		return;
	inject(gen, p, RTE_DIM(p));
	k = rt_of(gen, "k");
	check(n_captured[0] == 2 && n_captured[1] == 1 && n_captured[2] == 5, "classifier_splits_by_rule",
	      "dns=%u vlan7=%u default=%u", n_captured[0], n_captured[1], n_captured[2]);
	check(k->out[0] == 2 && k->out[1] == 1 && k->out[2] == 5 && k->drops == 0,
	      "classifier_counts_per_output", "out=%lu,%lu,%lu", k->out[0], k->out[1], k->out[2]);
	check(n_captured[0] == 2 && rte_pktmbuf_pkt_len(captured[0][0]) == 64 && captured[0][1] &&
	      rte_pktmbuf_mtod(captured[0][1], struct rte_ether_hdr *)->ether_type ==
	      rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN), "classifier_first_rule_wins",
	      "tagged DNS packet did not go to dns");
	finish(gen, "classifier");
}

static void test_drop(void)
{
	const struct pkt_spec p[] = { IPV4(17, 1, 2, 60), IPV4(17, 1, 2, 60) };
	struct mbox_generation *gen = build("drop", 0, "{ name = \"d\"; kind = \"drop\"; }", "\"src -> d\"");

	if (!gen)
		return;
	inject(gen, p, 2);
	check(rt_of(gen, "d")->drops == 2, "drop_counts_drops", "drops=%lu", rt_of(gen, "d")->drops);
	finish(gen, "drop");
}

int main(void)
{
	char *eal[] = { "test_elements", "-l", "0", "--no-huge", "--no-pci", "-m", "128",
			"--no-shconf", "--log-level", "error", NULL };

	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0 || mbox_nodes_register() < 0) {
		printf("FAIL eal_init: cannot start DPDK without hugepages\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	worker.lcore = 0;
	test_counter();
	test_ether_rewrite();
	test_classifier();
	test_drop();
	rte_eal_cleanup();
	return check_failures ? 1 : 0;
}
