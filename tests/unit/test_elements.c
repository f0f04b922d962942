/* The core element kinds (counter, ether_rewrite, classifier, drop) with
 * crafted packets through the real graph builder: see harness.h. */
#include "harness.h"

static void test_counter(void)
{
	const struct pkt_spec p[] = { IPV4(17, 1, 2, 60), IPV4(17, 1, 2, 100), IPV4(6, 1, 2, 1514) };
	struct mbox_generation *gen = harness_build("counter", 1, "{ name = \"c\"; kind = \"counter\"; }", "\"src -> c -> s0\"");
	const struct mbox_elem_rt *c;

	if (!gen)
		return;
	harness_inject_specs(gen, p, 3);
	c = harness_rt(gen, "c");
	check(c->counters[0] == 3 && c->counters[1] == 1674 && c->out[0] == 3 && c->drops == 0,
	      "counter_counts_packets_and_bytes", "packets=%lu bytes=%lu out=%lu",
	      c->counters[0], c->counters[1], c->out[0]);
	check(n_captured[0] == 3 && rte_pktmbuf_pkt_len(captured[0][0]) == 60 &&
	      rte_pktmbuf_pkt_len(captured[0][2]) == 1514, "counter_passes_packets_in_order",
	      "sink got %u packets", n_captured[0]);
	harness_finish(gen, "counter");
}

static void test_ether_rewrite(void)
{
	const struct pkt_spec p[] = { IPV4(17, 1, 2, 60), { .len = 10 }, IPV4(6, 1, 2, 64) };
	struct mbox_generation *gen = harness_build("ether_rewrite", 1,
		"{ name = \"rw\"; kind = \"ether_rewrite\"; swap = true; src = \"02:aa:bb:cc:dd:ee\"; }",
		"\"src -> rw -> s0\"");
	const struct mbox_elem_rt *rw;
	const struct rte_ether_hdr *eth;

	if (!gen)
		return;
	harness_inject_specs(gen, p, 3);
	rw = harness_rt(gen, "rw");
	check(n_captured[0] == 2 && rw->out[0] == 2 && rw->drops == 1 && rw->counters[0] == 1,
	      "ether_rewrite_drops_runts", "out=%lu drops=%lu runts=%lu captured=%u",
	      rw->out[0], rw->drops, rw->counters[0], n_captured[0]);
	eth = rte_pktmbuf_mtod(captured[0][1], const struct rte_ether_hdr *);
	/* swap first (dst becomes the old src), then set src */
	check(mac_is(&eth->dst_addr, "02:00:00:00:00:0b") && mac_is(&eth->src_addr, "02:aa:bb:cc:dd:ee") &&
	      rte_pktmbuf_pkt_len(captured[0][1]) == 64,
	      "ether_rewrite_swaps_then_sets", "wrong addresses after rewrite");
	harness_finish(gen, "ether_rewrite");
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
	struct mbox_generation *gen = harness_build("classifier", 3,
		"{ name = \"k\"; kind = \"classifier\"; rules = ( { name = \"dns\"; proto = 17; dst_port = 53; }, { name = \"vlan7\"; vlan = 7; } ); }",
		"\"src -> k[dns] -> s0\", \"k[vlan7] -> s1\", \"k[default] -> s2\"");
	const struct mbox_elem_rt *k;

	if (!gen)
		return;
	harness_inject_specs(gen, p, RTE_DIM(p));
	k = harness_rt(gen, "k");
	check(n_captured[0] == 2 && n_captured[1] == 1 && n_captured[2] == 5, "classifier_splits_by_rule",
	      "dns=%u vlan7=%u default=%u", n_captured[0], n_captured[1], n_captured[2]);
	check(k->out[0] == 2 && k->out[1] == 1 && k->out[2] == 5 && k->drops == 0,
	      "classifier_counts_per_output", "out=%lu,%lu,%lu", k->out[0], k->out[1], k->out[2]);
	check(n_captured[0] == 2 && rte_pktmbuf_pkt_len(captured[0][0]) == 64 && captured[0][1] &&
	      rte_pktmbuf_mtod(captured[0][1], struct rte_ether_hdr *)->ether_type ==
	      rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN), "classifier_first_rule_wins",
	      "tagged DNS packet did not go to dns");
	harness_finish(gen, "classifier");
}

static void test_drop(void)
{
	const struct pkt_spec p[] = { IPV4(17, 1, 2, 60), IPV4(17, 1, 2, 60) };
	struct mbox_generation *gen = harness_build("drop", 0, "{ name = \"d\"; kind = \"drop\"; }", "\"src -> d\"");

	if (!gen)
		return;
	harness_inject_specs(gen, p, 2);
	check(harness_rt(gen, "d")->drops == 2, "drop_counts_drops", "drops=%lu", harness_rt(gen, "d")->drops);
	harness_finish(gen, "drop");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_counter();
	test_ether_rewrite();
	test_classifier();
	test_drop();
	return harness_done();
}
