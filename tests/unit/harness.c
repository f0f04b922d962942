#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "harness.h"

struct rte_mempool *harness_pool;
struct rte_mbuf *captured[HARNESS_MAX_SINKS][HARNESS_MAX_PKTS];
unsigned n_captured[HARNESS_MAX_SINKS];

static struct rte_mbuf *to_inject[HARNESS_MAX_PKTS];
static unsigned n_inject;
static const char *const sink_names[HARNESS_MAX_SINKS] = { "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7" };
static struct mbox_worker worker;
static unsigned generation;

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
	for (unsigned s = 0; s < HARNESS_MAX_SINKS; s++)
		if (!strcmp(name, sink_names[s])) {
			uint16_t i = 0;

			for (; i < n && n_captured[s] < HARNESS_MAX_PKTS; i++)
				captured[s][n_captured[s]++] = objs[i];
			rte_pktmbuf_free_bulk((struct rte_mbuf **)objs + i, n - i);
		}
	return n;
}

static const struct mbox_param no_params[] = { { 0 } };
static const char *const one_output[] = { "out", NULL };
static struct mbox_kind test_src_kind = {
	.name = "test_src", .description = "test: injects packets", .params = no_params,
	.outputs = one_output, .source = true, .process = test_src_process,
};
static struct mbox_kind test_sink_kind = {
	.name = "test_sink", .description = "test: captures by element name", .params = no_params,
	.process = test_sink_process,
};
MBOX_ELEMENT_REGISTER(test_src_kind)
MBOX_ELEMENT_REGISTER(test_sink_kind)

void harness_init(const char *prog)
{
	char *eal[] = { (char *)prog, "-l", "0", "--no-huge", "--no-pci", "-m", "256",
			"--no-shconf", "--log-level", "error", NULL };

	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0 || mbox_nodes_register() < 0) {
		printf("FAIL eal_init: cannot start DPDK without hugepages\n");
		exit(1);
	}
	harness_pool = rte_pktmbuf_pool_create("test_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	worker.lcore = 0;
	worker.now = rte_get_tsc_cycles();
}

int harness_done(void)
{
	rte_eal_cleanup();
	return check_failures ? 1 : 0;
}

struct rte_mbuf *harness_raw(const void *bytes, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(harness_pool);

	memcpy(rte_pktmbuf_append(m, len), bytes, len);
	return m;
}

struct rte_mbuf *harness_pkt(const struct pkt_spec *s)
{
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
		uint8_t *l4 = (uint8_t *)(ip + 1);
		size_t l4_len = s->proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
		uint16_t ip_len = s->len > off ? (uint16_t)(s->len - off) : 0;

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->next_proto_id = s->proto;
		ip->fragment_offset = rte_cpu_to_be_16(s->frag_off);
		ip->time_to_live = s->ttl ? s->ttl : 64;
		ip->total_length = rte_cpu_to_be_16(ip_len);
		ip->src_addr = rte_cpu_to_be_32(s->src_ip ? s->src_ip : IP4(10, 0, 0, 1));
		ip->dst_addr = rte_cpu_to_be_32(s->dst_ip ? s->dst_ip : IP4(10, 0, 0, 2));
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (s->proto == IPPROTO_TCP) {
			struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)l4;

			tcp->src_port = rte_cpu_to_be_16(s->sport);
			tcp->dst_port = rte_cpu_to_be_16(s->dport);
			tcp->data_off = 0x50;
			tcp->tcp_flags = s->tcp_flags;
		} else {
			struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;

			udp->src_port = rte_cpu_to_be_16(s->sport);
			udp->dst_port = rte_cpu_to_be_16(s->dport);
			udp->dgram_len = rte_cpu_to_be_16(ip_len > sizeof(*ip) ? (uint16_t)(ip_len - sizeof(*ip)) : 0);
		}
		if (s->payload)
			memcpy(l4 + l4_len, s->payload, RTE_MIN(strlen(s->payload), sizeof(buf) - off - sizeof(*ip) - l4_len));
	}
	return harness_raw(buf, s->len);
}

static char *write_config(const char *elements, const char *links, unsigned n_sinks)
{
	static char path[] = "/tmp/mbox-elem-XXXXXX";
	FILE *f;

	strcpy(path, "/tmp/mbox-elem-XXXXXX");
	f = fdopen(mkstemp(path), "w");
	fprintf(f, "dpdk = { lcores = \"0,1\"; main_lcore = 1; };\n"
		   "ports = ( { name = \"p0\"; device = \"net_null0\"; } );\n"
		   "elements = ( { name = \"src\"; kind = \"test_src\"; },\n");
	for (unsigned i = 0; i < n_sinks; i++)
		fprintf(f, "  { name = \"%s\"; kind = \"test_sink\"; },\n", sink_names[i]);
	fprintf(f, "  %s );\nlinks = ( %s );\n", elements, links);
	fclose(f);
	return path;
}

static struct mbox_generation *build_from(const char *test, unsigned n_sinks, const char *elements,
					   const char *links, const struct mbox_generation *from)
{
	char *path = write_config(elements, links, n_sinks);
	struct mbox_diag d = { .out = stdout };
	struct mbox_config *cfg = mbox_config_load(path, &d);
	struct mbox_generation *gen;

	unlink(path);
	gen = cfg ? mbox_generation_build(cfg, ++generation, &worker, from) : NULL;
	if (!gen) {
		char name[64];

		snprintf(name, sizeof(name), "%s_build", test);
		check(0, name, "graph not built");
	}
	return gen;
}

struct mbox_generation *harness_build(const char *test, unsigned n_sinks, const char *elements,
				      const char *links)
{
	return build_from(test, n_sinks, elements, links, NULL);
}

struct mbox_generation *harness_change(struct mbox_generation *old, const char *test, unsigned n_sinks,
				       const char *elements, const char *links)
{
	struct mbox_generation *gen = build_from(test, n_sinks, elements, links, old);

	if (gen) {
		mbox_generation_switch(gen, old, 0);
		mbox_generation_commit(gen, old);
	}
	mbox_generation_free(old);
	return gen;
}

void harness_expect_error(const char *test, const char *elements, const char *links, const char *expect)
{
	char *path = write_config(elements, links, HARNESS_MAX_SINKS);
	FILE *quiet = fopen("/dev/null", "w");
	struct mbox_diag d = { .out = quiet };
	struct mbox_config *cfg = mbox_config_load(path, &d);

	unlink(path);
	fclose(quiet);
	check(!cfg && strstr(d.first, expect) != NULL, test, "expected an error containing \"%s\", got %s",
	      expect, cfg ? "no error" : d.first);
	if (cfg)
		mbox_config_free(cfg);
}

void harness_expect_warning(const char *test, unsigned n_sinks, const char *elements, const char *links,
			    const char *expect)
{
	char *path = write_config(elements, links, n_sinks), *out = NULL;
	size_t out_len = 0;
	struct mbox_diag d = { 0 };
	struct mbox_config *cfg;

	d.out = open_memstream(&out, &out_len);
	cfg = mbox_config_load(path, &d);
	fclose(d.out);
	unlink(path);
	if (expect)
		check(cfg && d.warnings == 1 && strstr(out, expect), test,
		      "expected a valid configuration with one warning containing \"%s\", got %u warning(s):\n%s",
		      expect, d.warnings, out);
	else
		check(cfg && d.warnings == 0, test, "expected a valid configuration without warnings, got:\n%s", out);
	free(out);
	mbox_config_free(cfg);
}

const struct mbox_elem_rt *harness_rt(const struct mbox_generation *gen, const char *name)
{
	return mbox_generation_rt(gen, (unsigned)mbox_config_element_index(gen->cfg, name), 0);
}

uint64_t harness_clock(void)
{
	return worker.now;
}

void harness_clock_advance(uint64_t cycles)
{
	worker.now += cycles;
}

void harness_walk(struct mbox_generation *gen)
{
	rte_graph_walk(gen->graphs[0]);
}

void harness_inject(struct mbox_generation *gen, struct rte_mbuf **pkts, unsigned n)
{
	/* cppcheck-suppress uninitvar ; callers fill pkts[0..n) */
	memcpy(to_inject, pkts, n * sizeof(*pkts));
	n_inject = n;
	harness_walk(gen);
}

void harness_inject_specs(struct mbox_generation *gen, const struct pkt_spec *specs, unsigned n)
{
	struct rte_mbuf *pkts[HARNESS_MAX_PKTS];

	for (unsigned i = 0; i < n; i++)
		pkts[i] = harness_pkt(&specs[i]);
	harness_inject(gen, pkts, n);
}

void harness_reset_capture(void)
{
	for (unsigned s = 0; s < HARNESS_MAX_SINKS; s++) {
		rte_pktmbuf_free_bulk(captured[s], n_captured[s]);
		n_captured[s] = 0;
	}
}

void harness_finish(struct mbox_generation *gen, const char *test)
{
	char name[64];

	harness_reset_capture();
	mbox_generation_free(gen);
	snprintf(name, sizeof(name), "%s_leaks_no_mbuf", test);
	check(rte_mempool_in_use_count(harness_pool) == 0, name,
	      "%u mbufs still in use", rte_mempool_in_use_count(harness_pool));
}

bool mac_is(const struct rte_ether_addr *a, const char *text)
{
	struct rte_ether_addr b;

	return rte_ether_unformat_addr(text, &b) == 0 && rte_is_same_ether_addr(a, &b);
}
