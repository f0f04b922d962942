/* Generations without a running data plane: the statistics readers on
 * generations built by the real graph builder (harness.h), the counters a
 * change carries over, and the node clones that many changes reuse. */
#include "harness.h"

#define COUNTER "{ name = \"c\"; kind = \"counter\"; }"
#define CLASSIFIER(rules) "{ name = \"k\"; kind = \"classifier\"; rules = ( " rules " ); }"
#define DNS_RULE "{ name = \"dns\"; proto = 17; dst_port = 53; }"
#define VLAN_RULE "{ name = \"vlan7\"; vlan = 7; }"

static struct mbox_element_stats element(const struct mbox_generation *gen, const char *name)
{
	struct mbox_element_stats es;

	mbox_stats_read_element(gen, (unsigned)mbox_config_element_index(gen->cfg, name), &es);
	return es;
}

static void test_readers(void)
{
	const struct pkt_spec p[] = { IPV4(17, 1, 53, 60), IPV4(17, 1, 2, 100), IPV4(6, 1, 2, 1514) };
	struct mbox_generation *gen = harness_build("stats_read", 1, COUNTER, "\"src -> c -> s0\"");
	struct mbox_element_stats c, s0;

	if (!gen)
		return;
	harness_inject_specs(gen, p, 3);
	c = element(gen, "c");
	s0 = element(gen, "s0");
	check(c.in == 3 && c.out[0] == 3 && c.drops == 0 && c.counters[0] == 3 && c.counters[1] == 1674 &&
	      c.calls == 1 && !strcmp(c.kind, "counter") && c.n_outputs == 1,
	      "stats_read_element_sums_its_workers", "in=%lu out=%lu counters=%lu,%lu calls=%lu",
	      c.in, c.out[0], c.counters[0], c.counters[1], c.calls);
	check(s0.in == 3, "stats_read_element_counts_what_reaches_a_sink", "s0 in=%lu", s0.in);
	harness_finish(gen, "stats_read");
}

/* A change continues the counters of the elements it keeps (same name and
 * kind): outputs by name, not by position. */
static void test_carry_over(void)
{
	const struct pkt_spec dns = IPV4(17, 1, 53, 64), tagged = { .vlan = 7, .ethertype = 0x0806, .len = 64 },
			      other = IPV4(6, 1, 80, 64);
	const struct pkt_spec before[] = { dns, dns, tagged, other }, after[] = { dns, tagged, other };
	struct mbox_generation *gen = harness_build("stats_carry", 3, CLASSIFIER(DNS_RULE ", " VLAN_RULE),
		"\"src -> k[dns] -> s0\", \"k[vlan7] -> s1\", \"k[default] -> s2\"");
	struct mbox_element_stats k;

	if (!gen)
		return;
	harness_inject_specs(gen, before, RTE_DIM(before));
	harness_reset_capture();
	/* The dns rule goes: vlan7 moves from output 1 to output 0. */
	gen = harness_change(gen, "stats_carry", 2, CLASSIFIER(VLAN_RULE),
			     "\"src -> k[vlan7] -> s0\", \"k[default] -> s1\"");
	if (!gen)
		return;
	k = element(gen, "k");
	check(k.in == 4 && k.n_outputs == 2 && k.out[0] == 1 && k.out[1] == 1 && k.change == CHANGE_CHANGED,
	      "stats_carry_over_matches_outputs_by_name", "in=%lu out=%lu,%lu change=%d", k.in, k.out[0], k.out[1],
	      (int)k.change);
	harness_inject_specs(gen, after, RTE_DIM(after));
	k = element(gen, "k");
	check(k.in == 7 && k.out[0] == 2 && k.out[1] == 3, "stats_carry_over_adds_the_new_counts",
	      "in=%lu out=%lu,%lu", k.in, k.out[0], k.out[1]);
	/* Replaced by another kind under the same name: starts from zero. */
	harness_reset_capture();
	gen = harness_change(gen, "stats_carry", 1, "{ name = \"k\"; kind = \"counter\"; }", "\"src -> k -> s0\"");
	if (!gen)
		return;
	k = element(gen, "k");
	check(k.in == 0 && k.out[0] == 0 && k.change == CHANGE_REPLACED, "stats_carry_over_not_to_another_kind",
	      "in=%lu change=%d", k.in, (int)k.change);
	harness_finish(gen, "stats_carry");
}

/* Elements come and go over many changes; the node clones registered stay
 * those of the largest configuration, and the last graph still forwards. */
static void test_clones_bounded(void)
{
	static const char *const variants[] = {
		COUNTER,
		COUNTER ", { name = \"d\"; kind = \"counter\"; }, { name = \"e\"; kind = \"counter\"; }",
		"{ name = \"x\"; kind = \"counter\"; }, " COUNTER,
	};
	static const char *const links[] = { "\"src -> c -> s0\"", "\"src -> c -> d -> e -> s0\"", "\"src -> x -> c -> s0\"" };
	const struct pkt_spec p[] = { IPV4(17, 1, 2, 60), IPV4(17, 1, 2, 60) };
	struct mbox_generation *gen = harness_build("clones", 1, variants[0], links[0]);
	unsigned after_warmup = 0, n = 300;
	struct mbox_element_stats c;

	for (unsigned i = 1; gen && i <= n; i++) {
		gen = harness_change(gen, "clones", 1, variants[i % 3], links[i % 3]);
		if (i == 6)
			after_warmup = mbox_nodes_registered();
	}
	if (!gen)
		return;
	check(mbox_nodes_registered() == after_warmup, "clones_registered_stay_bounded",
	      "%u nodes after 6 changes, %u after %u", after_warmup, mbox_nodes_registered(), n);
	harness_inject_specs(gen, p, RTE_DIM(p));
	c = element(gen, "c");
	check(n_captured[0] == 2 && c.in >= 2, "clones_reused_still_forward", "captured %u, c in=%lu",
	      n_captured[0], c.in);
	harness_finish(gen, "clones");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_readers();
	test_carry_over();
	test_clones_bounded();
	return harness_done();
}
