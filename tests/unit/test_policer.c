/* policer: colour counts against the token bucket arithmetic of RFC 2697
 * and RFC 2698 (cir = 1 byte/s: no refill within a test), refill as the
 * harness clock moves, DSCP marking with a valid checksum, and setup() errors. */
#include <rte_cycles.h>
#include <rte_meter.h>

#include "harness.h"

enum { GREEN, YELLOW, RED, MARKED, UNMARKABLE, GREEN_BYTES, YELLOW_BYTES, RED_BYTES };

static void inject_100_byte_packets(struct mbox_generation *gen, unsigned n)
{
	struct pkt_spec p[HARNESS_MAX_PKTS];

	for (unsigned i = 0; i < n; i++)
		p[i] = (struct pkt_spec)IPV4(17, 1, 2, 100);
	harness_inject_specs(gen, p, n);
}

static bool colours_are(const struct mbox_elem_rt *rt, uint64_t green, uint64_t yellow, uint64_t red)
{
	return rt->counters[GREEN] == green && rt->counters[YELLOW] == yellow && rt->counters[RED] == red &&
	       rt->counters[GREEN_BYTES] == 100 * green && rt->counters[YELLOW_BYTES] == 100 * yellow &&
	       rt->counters[RED_BYTES] == 100 * red;
}

static void test_srtcm(void)
{
	struct mbox_generation *gen = harness_build("policer_srtcm", 1,
		"{ name = \"p\"; kind = \"policer\"; cir = 1; cbs = 300; ebs = 250; }", "\"src -> p -> s0\"");
	const struct mbox_elem_rt *p;

	if (!gen)
		return;
	/* 300 bytes of C: 3 green; 250 of E: 2 yellow; then red (dropped). */
	inject_100_byte_packets(gen, 8);
	p = harness_rt(gen, "p");
	check(colours_are(p, 3, 2, 3) && n_captured[0] == 5 && p->out[0] == 5 && p->drops == 3,
	      "policer_srtcm_colours", "green=%lu yellow=%lu red=%lu passed=%u drops=%lu",
	      p->counters[GREEN], p->counters[YELLOW], p->counters[RED], n_captured[0], p->drops);
	inject_100_byte_packets(gen, 2);
	check(colours_are(p, 3, 2, 5) && p->drops == 5, "policer_srtcm_empty_stays_red",
	      "green=%lu yellow=%lu red=%lu", p->counters[GREEN], p->counters[YELLOW], p->counters[RED]);
	harness_finish(gen, "policer_srtcm");
}

static void test_srtcm_refill(void)
{
	struct mbox_generation *gen = harness_build("policer_refill", 1,
		"{ name = \"p\"; kind = \"policer\"; cir = 1000000; cbs = 100; }", "\"src -> p -> s0\"");
	const struct mbox_elem_rt *p;
	struct rte_meter_srtcm_profile profile;
	uint64_t refill;

	if (!gen)
		return;
	/* rte_meter adds cir_bytes_per_period tokens per cir_period cycles: 100 bytes take `refill`. */
	rte_meter_srtcm_profile_config(&profile, &(struct rte_meter_srtcm_params){ .cir = 1000000, .cbs = 100 });
	refill = (100 + profile.cir_bytes_per_period - 1) / profile.cir_bytes_per_period * profile.cir_period;
	inject_100_byte_packets(gen, 3);
	p = harness_rt(gen, "p");
	harness_clock_advance(refill - 1);
	inject_100_byte_packets(gen, 1);
	check(colours_are(p, 1, 0, 3), "policer_srtcm_no_green_a_cycle_before_refill",
	      "green=%lu yellow=%lu red=%lu", p->counters[GREEN], p->counters[YELLOW], p->counters[RED]);
	harness_clock_advance(1);
	inject_100_byte_packets(gen, 1);
	check(colours_are(p, 2, 0, 3), "policer_srtcm_green_at_refill",
	      "green=%lu yellow=%lu red=%lu", p->counters[GREEN], p->counters[YELLOW], p->counters[RED]);
	/* 2 ms more refill 2000 bytes, capped at cbs: one more green. */
	harness_clock_advance(rte_get_tsc_hz() * 2 / 1000);
	inject_100_byte_packets(gen, 3);
	check(colours_are(p, 3, 0, 5), "policer_srtcm_refills_up_to_cbs",
	      "green=%lu yellow=%lu red=%lu", p->counters[GREEN], p->counters[YELLOW], p->counters[RED]);
	harness_finish(gen, "policer_refill");
}

/* A change of rates keeps the buckets (clamped to the new sizes): an
 * empty bucket does not refill because the configuration changed. */
static void test_change(void)
{
	struct mbox_generation *gen = harness_build("policer_change", 1,
		"{ name = \"p\"; kind = \"policer\"; cir = 1; cbs = 300; }", "\"src -> p -> s0\"");
	const struct mbox_elem_rt *p;

	if (!gen)
		return;
	inject_100_byte_packets(gen, 2); /* 100 bytes of C left */
	gen = harness_change(gen, "policer_change_rates", 1,
		"{ name = \"p\"; kind = \"policer\"; cir = 2; cbs = 1000; }", "\"src -> p -> s0\"");
	if (!gen)
		return;
	inject_100_byte_packets(gen, 3);
	p = harness_rt(gen, "p");
	check(colours_are(p, 1, 0, 2), "policer_change_keeps_buckets", "green=%lu yellow=%lu red=%lu",
	      p->counters[GREEN], p->counters[YELLOW], p->counters[RED]);
	gen = harness_change(gen, "policer_change_smaller", 1,
		"{ name = \"p\"; kind = \"policer\"; mode = \"trtcm\"; cir = 1; pir = 1; cbs = 100; pbs = 100; }",
		"\"src -> p -> s0\"");
	if (!gen)
		return;
	inject_100_byte_packets(gen, 2);
	p = harness_rt(gen, "p");
	check(colours_are(p, 1, 0, 1), "policer_change_of_mode_starts_full", "green=%lu yellow=%lu red=%lu",
	      p->counters[GREEN], p->counters[YELLOW], p->counters[RED]);
	harness_finish(gen, "policer_change");
}

static void test_trtcm(void)
{
	struct mbox_generation *gen = harness_build("policer_trtcm", 1,
		"{ name = \"p\"; kind = \"policer\"; mode = \"trtcm\"; cir = 1; cbs = 300; pir = 2; pbs = 600;"
		"  red = \"pass\"; }", "\"src -> p -> s0\"");
	const struct mbox_elem_rt *p;

	if (!gen)
		return;
	/* Green takes from both buckets (3 x 100 of C, P at 300), yellow from P
	 * only (3 more), then P is empty: red, passed here. */
	inject_100_byte_packets(gen, 8);
	p = harness_rt(gen, "p");
	check(colours_are(p, 3, 3, 2) && n_captured[0] == 8 && p->drops == 0, "policer_trtcm_colours",
	      "green=%lu yellow=%lu red=%lu passed=%u", p->counters[GREEN], p->counters[YELLOW], p->counters[RED],
	      n_captured[0]);
	harness_finish(gen, "policer_trtcm");
}

static bool dscp_and_checksum_ok(const struct rte_mbuf *m, unsigned off, uint8_t tos)
{
	struct rte_ipv4_hdr ip = *rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, off);
	rte_be16_t sum = ip.hdr_checksum;

	ip.hdr_checksum = 0;
	return ip.type_of_service == tos && rte_ipv4_cksum(&ip) == sum;
}

static void test_mark(void)
{
	const struct pkt_spec p[] = {
		IPV4(17, 1, 2, 100), IPV4(17, 1, 2, 100),                          /* green: pass */
		IPV4(6, 1, 2, 100),                                               /* yellow: mark 46 */
		{ .vlan = 9, .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .len = 100 }, /* yellow, tagged */
		{ .ethertype = RTE_ETHER_TYPE_ARP, .len = 100 },                   /* yellow, not IPv4 */
		IPV4(17, 1, 2, 100),                                              /* red: mark 8 */
	};
	struct mbox_generation *gen = harness_build("policer_mark", 1,
		"{ name = \"p\"; kind = \"policer\"; cir = 1; cbs = 200; ebs = 300;"
		"  yellow = \"mark\"; yellow_dscp = 46; red = \"mark\"; red_dscp = 8; }", "\"src -> p -> s0\"");
	struct rte_mbuf *arp;
	const struct mbox_elem_rt *rt;
	uint8_t ecn_frame[100];
	struct rte_mbuf *ecn;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	rt = harness_rt(gen, "p");
	arp = harness_pkt(&p[4]);
	check(n_captured[0] == 6 && dscp_and_checksum_ok(captured[0][0], 14, 0) &&
	      dscp_and_checksum_ok(captured[0][2], 14, 46 << 2) && dscp_and_checksum_ok(captured[0][3], 18, 46 << 2) &&
	      dscp_and_checksum_ok(captured[0][5], 14, 8 << 2), "policer_marks_dscp_with_valid_checksum",
	      "wrong TOS or checksum after marking");
	check(n_captured[0] == 6 && !memcmp(rte_pktmbuf_mtod(captured[0][4], void *), rte_pktmbuf_mtod(arp, void *), 100),
	      "policer_mark_leaves_non_ipv4_unchanged", "ARP frame changed");
	rte_pktmbuf_free(arp);
	check(colours_are(rt, 2, 3, 1) && rt->counters[MARKED] == 3 && rt->counters[UNMARKABLE] == 1 && rt->drops == 0,
	      "policer_mark_counters", "green=%lu yellow=%lu red=%lu marked=%lu unmarkable=%lu",
	      rt->counters[GREEN], rt->counters[YELLOW], rt->counters[RED], rt->counters[MARKED], rt->counters[UNMARKABLE]);
	harness_reset_capture();
	/* ECN bits survive; 0xff TOS exercises the checksum carry. */
	ecn = harness_pkt(&p[0]);
	memcpy(ecn_frame, rte_pktmbuf_mtod(ecn, void *), sizeof(ecn_frame));
	rte_pktmbuf_free(ecn);
	ecn_frame[15] = 0xff;
	((struct rte_ipv4_hdr *)(ecn_frame + 14))->hdr_checksum = 0;
	((struct rte_ipv4_hdr *)(ecn_frame + 14))->hdr_checksum = rte_ipv4_cksum((struct rte_ipv4_hdr *)(ecn_frame + 14));
	ecn = harness_raw(ecn_frame, sizeof(ecn_frame));
	harness_inject(gen, &ecn, 1);
	check(n_captured[0] == 1 && dscp_and_checksum_ok(captured[0][0], 14, 8 << 2 | 3), "policer_mark_keeps_ecn",
	      "TOS or checksum wrong after marking a TOS 0xff packet");
	harness_finish(gen, "policer_mark");
}

static void test_errors(void)
{
	harness_expect_error("policer_rejects_pir_in_srtcm",
		"{ name = \"p\"; kind = \"policer\"; cir = 100; cbs = 100;\n pir = 200; }", "\"src -> p -> s0\"",
		":13: error: element 'p': 'pir' does not apply to mode \"srtcm\"");
	harness_expect_error("policer_trtcm_needs_pbs",
		"{ name = \"p\"; kind = \"policer\";\n mode = \"trtcm\"; cir = 100; cbs = 100; pir = 200; }", "\"src -> p -> s0\"",
		":13: error: element 'p': mode \"trtcm\" needs 'pbs'");
	harness_expect_error("policer_rejects_pir_below_cir",
		"{ name = \"p\"; kind = \"policer\"; mode = \"trtcm\"; cir = 100; cbs = 100;\n pir = 50; pbs = 100; }",
		"\"src -> p -> s0\"", ":13: error: element 'p': pir 50 is below cir 100, expected pir >= cir");
	harness_expect_error("policer_mark_needs_dscp",
		"{ name = \"p\"; kind = \"policer\"; cir = 100; cbs = 100;\n yellow = \"mark\"; }", "\"src -> p -> s0\"",
		":13: error: element 'p': yellow = \"mark\" needs 'yellow_dscp'");
	harness_expect_error("policer_rejects_dscp_without_mark",
		"{ name = \"p\"; kind = \"policer\"; cir = 100; cbs = 100;\n green_dscp = 10; }", "\"src -> p -> s0\"",
		":13: error: element 'p': 'green_dscp' is set but green is \"pass\"");
	harness_expect_error("policer_rejects_dscp_64",
		"{ name = \"p\"; kind = \"policer\"; cir = 100; cbs = 100; red = \"mark\";\n red_dscp = 64; }", "\"src -> p -> s0\"",
		":13: error: element 'p': field 'red_dscp': 64 is out of range");
	harness_expect_error("policer_needs_cir",
		"{ name = \"p\"; kind = \"policer\"; cbs = 100; }", "\"src -> p -> s0\"", "missing field 'cir'");
	harness_expect_error("policer_rejects_cir_0",
		"{ name = \"p\"; kind = \"policer\"; cbs = 100;\n cir = 0; }", "\"src -> p -> s0\"",
		":13: error: element 'p': field 'cir': 0 is out of range");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_srtcm();
	test_srtcm_refill();
	test_change();
	test_trtcm();
	test_mark();
	test_errors();
	return harness_done();
}
