/* load_balancer: both directions of a flow on one output, fragments
 * together, weights honoured over many flows, and setup() errors. */
#include <string.h>

#include "harness.h"

#define FOUR_OUTPUTS \
	"{ name = \"lb\"; kind = \"load_balancer\"; outputs = ( { name = \"a\"; }, { name = \"b\"; }," \
	"  { name = \"c\"; }, { name = \"d\"; } ); }"
#define FOUR_LINKS "\"src -> lb[a] -> s0\", \"lb[b] -> s1\", \"lb[c] -> s2\", \"lb[d] -> s3\""

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static struct pkt_spec random_flow(void)
{
	struct pkt_spec s = IPV4(rng() & 1 ? 6 : 17, (uint16_t)rng(), (uint16_t)rng(), 64);

	s.src_ip = IP4(10, rng() & 255, rng() & 255, 1 + (rng() & 127));
	s.dst_ip = IP4(192, 168, rng() & 255, 1 + (rng() & 127));
	return s;
}

static struct pkt_spec reversed(struct pkt_spec s)
{
	RTE_SWAP(s.src_ip, s.dst_ip);
	RTE_SWAP(s.sport, s.dport);
	return s;
}

/* The sink that got all n packets of the last burst, or -1. */
static int sink_of_all(unsigned n)
{
	for (int s = 0; s < HARNESS_MAX_SINKS; s++)
		if (n_captured[s])
			return n_captured[s] == n ? s : -1;
	return -1;
}

static void test_symmetric(void)
{
	struct mbox_generation *gen = harness_build("lb_symmetric", 4, FOUR_OUTPUTS, FOUR_LINKS);
	unsigned split = 0, used = 0;

	if (!gen)
		return;
	for (unsigned f = 0; f < 300; f++) {
		struct pkt_spec pair[2] = { random_flow() };
		int s;

		pair[1] = reversed(pair[0]);
		harness_inject_specs(gen, pair, 2);
		s = sink_of_all(2);
		split += s < 0;
		used |= s >= 0 ? 1u << s : 0;
		harness_reset_capture();
	}
	check(split == 0 && used == 0xf, "lb_both_directions_same_output",
	      "%u of 300 flows split across outputs, outputs used 0x%x", split, used);
	harness_finish(gen, "lb_symmetric");
}

static void test_same_flow_and_fragments(void)
{
	struct mbox_generation *gen = harness_build("lb_flow", 4, FOUR_OUTPUTS, FOUR_LINKS);
	struct pkt_spec same[20], frags[3];
	unsigned apart = 0;
	uint8_t l2[2][60] = { { 0 } };
	struct rte_mbuf *macs[2];

	if (!gen)
		return;
	for (unsigned i = 0; i < RTE_DIM(same); i++)
		same[i] = i ? same[0] : random_flow();
	harness_inject_specs(gen, same, RTE_DIM(same));
	check(sink_of_all(RTE_DIM(same)) >= 0, "lb_same_flow_same_output", "20 packets of one flow were spread");
	harness_reset_capture();
	for (unsigned f = 0; f < 50; f++) {
		frags[0] = random_flow();
		frags[0].frag_off = RTE_IPV4_HDR_MF_FLAG;           /* first fragment: has ports */
		frags[1] = reversed(frags[0]);
		frags[1].frag_off = 185;                            /* later fragments: no ports */
		frags[2] = frags[0];
		frags[2].frag_off = 370;
		harness_inject_specs(gen, frags, RTE_DIM(frags));
		apart += sink_of_all(RTE_DIM(frags)) < 0;
		harness_reset_capture();
	}
	check(apart == 0 && harness_rt(gen, "lb")->counters[1] == 150, "lb_fragments_stay_together",
	      "%u of 50 fragmented flows split, fragments counted %lu", apart, harness_rt(gen, "lb")->counters[1]);
	/* ARP-like frames: the MAC pair in either order. */
	memcpy(l2[0], "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x06", 14);
	memcpy(l2[1], "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x06", 14);
	macs[0] = harness_raw(l2[0], sizeof(l2[0]));
	macs[1] = harness_raw(l2[1], sizeof(l2[1]));
	harness_inject(gen, macs, 2);
	check(sink_of_all(2) >= 0 && harness_rt(gen, "lb")->counters[0] == 2, "lb_non_ipv4_by_mac_pair",
	      "non-IPv4 frames of one MAC pair split, non_ipv4=%lu", harness_rt(gen, "lb")->counters[0]);
	harness_finish(gen, "lb_flow");
}

static void test_weights(void)
{
	struct mbox_generation *gen = harness_build("lb_weights", 2,
		"{ name = \"lb\"; kind = \"load_balancer\"; outputs = ( { name = \"big\"; weight = 3; }, { name = \"small\"; } ); }",
		"\"src -> lb[big] -> s0\", \"lb[small] -> s1\"");
	const struct mbox_elem_rt *lb;
	double ratio;

	if (!gen)
		return;
	for (unsigned burst = 0; burst < 100; burst++) {
		struct pkt_spec flows[40];

		for (unsigned i = 0; i < RTE_DIM(flows); i++)
			flows[i] = random_flow();
		harness_inject_specs(gen, flows, RTE_DIM(flows));
		harness_reset_capture();
	}
	lb = harness_rt(gen, "lb");
	ratio = (double)lb->out[0] / (double)(lb->out[1] ? lb->out[1] : 1);
	check(lb->out[0] + lb->out[1] == 4000 && ratio > 2.6 && ratio < 3.4, "lb_weights_3_to_1",
	      "big=%lu small=%lu ratio %.2f", lb->out[0], lb->out[1], ratio);
	harness_finish(gen, "lb_weights");
}

static void test_errors(void)
{
	harness_expect_error("lb_rejects_duplicate_output",
		"{ name = \"lb\"; kind = \"load_balancer\"; outputs = ( { name = \"a\"; },\n { name = \"a\"; } ); }",
		"\"src -> lb[a] -> s0\"", ":13: error: element 'lb': outputs[1]: output name 'a' is used twice or reserved");
	harness_expect_error("lb_rejects_malformed_output",
		"{ name = \"lb\"; kind = \"load_balancer\"; outputs = ( { name = \"a\"; }, { name = \"x]\"; } ); }",
		"\"src -> lb[a] -> s0\"", "outputs[1]: output name 'x]' is malformed");
	harness_expect_error("lb_rejects_weight_0",
		"{ name = \"lb\"; kind = \"load_balancer\"; outputs = ( { name = \"a\"; },\n { name = \"b\"; weight = 0; } ); }",
		"\"src -> lb[a] -> s0\"", ":13: error: element 'lb': outputs[1]: field 'weight': 0 is out of range");
	harness_expect_error("lb_rejects_single_output",
		"{ name = \"lb\"; kind = \"load_balancer\"; outputs = ( { name = \"a\"; } ); }",
		"\"src -> lb[a] -> s0\"", "field 'outputs': 1 items, expected 2 to 32");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_symmetric();
	test_same_flow_and_fragments();
	test_weights();
	test_errors();
	return harness_done();
}
