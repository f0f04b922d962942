/* sequencer: global and per-source numbers in the first 16 bytes of the UDP
 * payload, checksums, short datagrams, numbering across generations. */
#include <rte_udp.h>

#include "harness.h"

#define SEQ_ELEMENT(start) \
	"{ name = \"q\"; kind = \"sequencer\"; port = 7000; start = " start "; max_sources = 2; }"
#define UDP_TO(src_, sport_, dport_, body_) \
	{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .src_ip = (src_), .sport = (sport_), .dport = (dport_), \
	  .len = (uint16_t)(14 + 20 + 8 + sizeof(body_) - 1), .payload = (body_) }

static struct rte_udp_hdr *udp_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 14 + 20);
}

static uint64_t stamp_word(struct rte_mbuf *m, unsigned i)
{
	uint64_t v;

	memcpy(&v, (uint8_t *)(udp_of(m) + 1) + 8 * i, 8);
	return rte_be_to_cpu_64(v);
}

static bool stamped(struct rte_mbuf *m, uint64_t global, uint64_t per_source)
{
	return m && stamp_word(m, 0) == global && stamp_word(m, 1) == per_source;
}

static void test_numbers(void)
{
	const char body[] = "0123456789abcdefTAIL";
	const struct pkt_spec p[] = {
		UDP_TO(IP4(10, 0, 0, 1), 1000, 7000, body), /* A: 100, 1 */
		UDP_TO(IP4(10, 0, 0, 1), 1000, 7000, body), /* A: 101, 2 */
		UDP_TO(IP4(10, 0, 0, 1), 1001, 7000, body), /* B (other port): 102, 1 */
		UDP_TO(IP4(10, 0, 0, 1), 1000, 7000, body), /* A: 103, 3 */
		UDP_TO(IP4(10, 0, 0, 9), 1000, 7000, body), /* C: table full: 104, 0 */
		UDP_TO(IP4(10, 0, 0, 1), 1000, 7001, body), /* other port: untouched */
		UDP_TO(IP4(10, 0, 0, 1), 1000, 7000, "0123456789abcde"), /* 15 bytes: too short */
		{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 6, .dport = 7000, .len = 80 }, /* TCP */
	};
	struct mbox_generation *gen = harness_build("sequencer", 1, SEQ_ELEMENT("100"), "\"src -> q -> s0\"");
	const struct mbox_elem_rt *q;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	q = harness_rt(gen, "q");
	check(n_captured[0] == RTE_DIM(p) && q->out[0] == RTE_DIM(p), "sequencer_passes_everything",
	      "captured %u of %zu", n_captured[0], RTE_DIM(p));
	if (n_captured[0] != RTE_DIM(p))
		goto out;
	check(stamped(captured[0][0], 100, 1) && stamped(captured[0][1], 101, 2) &&
	      stamped(captured[0][2], 102, 1) && stamped(captured[0][3], 103, 3),
	      "sequencer_numbers_globally_and_per_source", "stamps %lu/%lu %lu/%lu %lu/%lu %lu/%lu",
	      stamp_word(captured[0][0], 0), stamp_word(captured[0][0], 1), stamp_word(captured[0][1], 0),
	      stamp_word(captured[0][1], 1), stamp_word(captured[0][2], 0), stamp_word(captured[0][2], 1),
	      stamp_word(captured[0][3], 0), stamp_word(captured[0][3], 1));
	check(stamped(captured[0][4], 104, 0) && q->counters[3] == 1 && q->counters[1] == 2,
	      "sequencer_full_table_gives_per_source_zero", "stamp %lu/%lu sources=%lu full=%lu",
	      stamp_word(captured[0][4], 0), stamp_word(captured[0][4], 1), q->counters[1], q->counters[3]);
	check(!memcmp(udp_of(captured[0][0]) + 1, "\0\0\0\0\0\0\0\x64\0\0\0\0\0\0\0\x01TAIL", 20) &&
	      udp_of(captured[0][0])->dgram_cksum == 0,
	      "sequencer_stamp_layout_keeps_rest_and_zero_checksum", "payload or checksum changed");
	check(!memcmp(udp_of(captured[0][5]) + 1, body, sizeof(body) - 1) &&
	      !memcmp(udp_of(captured[0][6]) + 1, "0123456789abcde", 15),
	      "sequencer_leaves_other_ports_and_short_datagrams", "payload changed");
	check(q->counters[0] == 5 && q->counters[2] == 1, "sequencer_counters",
	      "stamped=%lu too_short=%lu", q->counters[0], q->counters[2]);
out:
	harness_finish(gen, "sequencer");
}

static void test_checksum(void)
{
	const struct pkt_spec spec = UDP_TO(IP4(192, 0, 2, 7), 5, 7000, "payload-bytes-to-be-stamped!");
	struct mbox_generation *gen = harness_build("sequencer_checksum", 1, SEQ_ELEMENT("9223372036854775800L"),
						    "\"src -> q -> s0\"");
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint16_t got;

	if (!gen)
		return;
	m = harness_pkt(&spec);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	udp_of(m)->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp_of(m));
	harness_inject(gen, &m, 1);
	if (n_captured[0] == 1) {
		ip = rte_pktmbuf_mtod_offset(captured[0][0], struct rte_ipv4_hdr *, 14);
		udp = udp_of(captured[0][0]);
		got = udp->dgram_cksum;
		udp->dgram_cksum = 0;
		check(stamped(captured[0][0], 9223372036854775800ull, 1) && got == rte_ipv4_udptcp_cksum(ip, udp),
		      "sequencer_updates_udp_checksum", "checksum %04x, recomputed %04x", got,
		      rte_ipv4_udptcp_cksum(ip, udp));
	} else {
		check(0, "sequencer_updates_udp_checksum", "packet lost");
	}
	harness_finish(gen, "sequencer_checksum");
}

/* A new generation with the same start continues the numbering; a new
 * start restarts it (global and per source). */
static void test_generations(void)
{
	const char body[] = "0123456789abcdef";
	const struct pkt_spec p[] = { UDP_TO(IP4(10, 0, 0, 1), 1000, 7000, body) };
	struct mbox_generation *g1 = harness_build("sequencer_gen1", 1, SEQ_ELEMENT("1"), "\"src -> q -> s0\"");
	struct mbox_generation *g2, *g3;

	if (!g1)
		return;
	harness_inject_specs(g1, p, 1);
	harness_inject_specs(g1, p, 1);
	harness_reset_capture();
	g2 = harness_change(g1, "sequencer_gen2", 1, SEQ_ELEMENT("1"), "\"src -> q -> s0\"");
	if (!g2)
		return;
	harness_inject_specs(g2, p, 1);
	check(n_captured[0] == 1 && stamped(captured[0][0], 3, 3) && harness_rt(g2, "q")->counters[1] == 1,
	      "sequencer_reload_continues_numbering", "expected 3/3, got %lu/%lu",
	      n_captured[0] ? stamp_word(captured[0][0], 0) : 0, n_captured[0] ? stamp_word(captured[0][0], 1) : 0);
	harness_reset_capture();
	g3 = harness_change(g2, "sequencer_gen3", 1, SEQ_ELEMENT("500"), "\"src -> q -> s0\"");
	if (!g3)
		return;
	harness_inject_specs(g3, p, 1);
	check(n_captured[0] == 1 && stamped(captured[0][0], 500, 1), "sequencer_new_start_restarts",
	      "expected 500/1, got %lu/%lu", n_captured[0] ? stamp_word(captured[0][0], 0) : 0,
	      n_captured[0] ? stamp_word(captured[0][0], 1) : 0);
	harness_finish(g3, "sequencer_gen3");
}

static void test_errors(void)
{
	static const char two_workers[] =
		"dpdk = { lcores = \"0-2\"; main_lcore = 0; };\n"
		"ports = ( { name = \"p0\"; device = \"net_null0\"; } );\n"
		"elements = ( { name = \"rx\"; kind = \"port_rx\"; port = \"p0\"; },\n"
		"  { name = \"q\"; kind = \"sequencer\"; port = 9; },\n"
		"  { name = \"tx\"; kind = \"port_tx\"; port = \"p0\"; } );\n"
		"links = ( \"rx -> q -> tx\" );\n";
	FILE *quiet = fopen("/dev/null", "w");
	struct mbox_diag d = { .out = quiet };
	struct mbox_config *cfg = mbox_config_parse("two.cfg", two_workers, &d);

	fclose(quiet);
	check(!cfg && strstr(d.first, "two.cfg:4:") && strstr(d.first, "dpdk.workers = 2"),
	      "sequencer_refuses_two_workers", "got %s", cfg ? "no error" : d.first);
	if (cfg)
		mbox_config_free(cfg);
	harness_expect_error("sequencer_needs_port", "{ name = \"q\"; kind = \"sequencer\"; }", "\"src -> q -> s0\"",
			     "port");
	harness_expect_error("sequencer_port_range", "{ name = \"q\"; kind = \"sequencer\"; port = 70000; }",
			     "\"src -> q -> s0\"", "65535");
	harness_expect_error("sequencer_max_sources_range",
			     "{ name = \"q\"; kind = \"sequencer\"; port = 7; max_sources = 0; }", "\"src -> q -> s0\"",
			     "max_sources");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_numbers();
	test_checksum();
	test_generations();
	test_errors();
	return harness_done();
}
