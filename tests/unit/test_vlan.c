/* vlan: push/pop byte for byte, split routing, QinQ, no headroom, and the
 * configuration errors setup() reports (see harness.h). */
#include <string.h>

#include "harness.h"

#define TAGGED(tci, len_) { .vlan = (tci), .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .sport = 1, .dport = 2, .len = (len_) }

/* The bytes harness_pkt() makes for s. */
static uint16_t spec_bytes(const struct pkt_spec *s, uint8_t *buf)
{
	struct rte_mbuf *m = harness_pkt(s);
	uint16_t len = rte_pktmbuf_data_len(m);

	memcpy(buf, rte_pktmbuf_mtod(m, const void *), len);
	rte_pktmbuf_free(m);
	return len;
}

static bool frame_is(const struct rte_mbuf *m, const uint8_t *want, uint16_t len)
{
	if (!m || rte_pktmbuf_pkt_len(m) != len || rte_pktmbuf_data_len(m) != len)
		return false;
	/* cppcheck-suppress uninitvar ; spec_bytes() wrote want[0..len) */
	return memcmp(rte_pktmbuf_mtod(m, const void *), want, len) == 0;
}

static bool frame_is_spec(const struct rte_mbuf *m, const struct pkt_spec *s)
{
	uint8_t want[2048];

	return frame_is(m, want, spec_bytes(s, want));
}

static void test_push(void)
{
	const struct pkt_spec in[] = { IPV4(17, 1, 2, 64), TAGGED(7, 68), { .len = 9 } };
	const struct pkt_spec pushed = TAGGED(3 << 13 | 100, 68);
	struct mbox_generation *gen = harness_build("vlan_push", 1,
		"{ name = \"v\"; kind = \"vlan\"; mode = \"push\"; vid = 100; pcp = 3; }", "\"src -> v -> s0\"");
	uint8_t qinq[2048], inner[2048];
	uint16_t len = spec_bytes(&in[1], inner);
	const struct mbox_elem_rt *v;

	if (!gen)
		return;
	/* QinQ: the new tag goes in front of the existing one. */
	memcpy(qinq, inner, 12);
	memcpy(qinq + 12, "\x81\x00\x60\x64", 4);
	memcpy(qinq + 16, inner + 12, len - 12u);
	harness_inject_specs(gen, in, RTE_DIM(in));
	v = harness_rt(gen, "v");
	check(n_captured[0] == 2 && frame_is_spec(captured[0][0], &pushed), "vlan_push_bytes_exact",
	      "captured %u, first frame differs from a frame tagged 100/pcp 3", n_captured[0]);
	check(n_captured[0] == 2 && frame_is(captured[0][1], qinq, (uint16_t)(len + 4)), "vlan_push_qinq_outer_tag",
	      "tagged frame did not get a new outer tag");
	check(v->counters[0] == 2 && v->counters[5] == 1 && v->drops == 1 && v->out[0] == 2, "vlan_push_counters",
	      "pushed=%lu runts=%lu drops=%lu out=%lu", v->counters[0], v->counters[5], v->drops, v->out[0]);
	harness_finish(gen, "vlan_push");
}

static void test_push_no_headroom(void)
{
	struct mbox_generation *gen = harness_build("vlan_headroom", 1,
		"{ name = \"v\"; kind = \"vlan\"; mode = \"push\"; vid = 5; }", "\"src -> v -> s0\"");
	struct rte_mbuf *m[2];
	uint8_t frame[64] = { 0 };
	const struct mbox_elem_rt *v;

	if (!gen)
		return;
	m[0] = rte_pktmbuf_alloc(harness_pool);
	m[0]->data_off = 0;
	memcpy(rte_pktmbuf_append(m[0], sizeof(frame)), frame, sizeof(frame));
	m[1] = harness_raw(frame, sizeof(frame));
	harness_inject(gen, m, 2);
	v = harness_rt(gen, "v");
	check(n_captured[0] == 1 && v->counters[4] == 1 && v->drops == 1 && v->counters[0] == 1,
	      "vlan_push_without_headroom_drops", "captured=%u no_headroom=%lu drops=%lu pushed=%lu",
	      n_captured[0], v->counters[4], v->drops, v->counters[0]);
	harness_finish(gen, "vlan_headroom");
}

static void test_pop(void)
{
	const struct pkt_spec in[] = { TAGGED(3 << 13 | 100, 68), IPV4(17, 1, 2, 64), { .len = 16, .ethertype = RTE_ETHER_TYPE_VLAN } };
	const struct pkt_spec untagged = IPV4(17, 1, 2, 64);
	const struct pkt_spec inner7 = TAGGED(7, 68);
	struct mbox_generation *gen = harness_build("vlan_pop", 1,
		"{ name = \"v\"; kind = \"vlan\"; mode = \"pop\"; }", "\"src -> v -> s0\"");
	uint8_t qinq[2048], inner[2048];
	uint16_t len = spec_bytes(&inner7, inner);
	struct rte_mbuf *m;
	const struct mbox_elem_rt *v;

	if (!gen)
		return;
	harness_inject_specs(gen, in, RTE_DIM(in));
	v = harness_rt(gen, "v");
	check(n_captured[0] == 2 && frame_is_spec(captured[0][0], &untagged) && frame_is_spec(captured[0][1], &untagged),
	      "vlan_pop_bytes_exact", "captured %u; popped or untagged frame differs", n_captured[0]);
	check(v->counters[1] == 1 && v->counters[2] == 1 && v->counters[5] == 1 && v->drops == 1,
	      "vlan_pop_counters", "popped=%lu untagged=%lu runts=%lu drops=%lu",
	      v->counters[1], v->counters[2], v->counters[5], v->drops);
	harness_reset_capture();
	/* 802.1ad outer tag over an 802.1Q tag: pop leaves the inner tag. */
	memcpy(qinq, inner, 12);
	memcpy(qinq + 12, "\x88\xa8\x00\x0a", 4);
	memcpy(qinq + 16, inner + 12, len - 12u);
	m = harness_raw(qinq, (uint16_t)(len + 4));
	harness_inject(gen, &m, 1);
	check(n_captured[0] == 1 && frame_is(captured[0][0], inner, len), "vlan_pop_qinq_keeps_inner_tag",
	      "802.1ad outer tag not removed cleanly");
	harness_finish(gen, "vlan_pop");
}

static void test_split(void)
{
	const struct pkt_spec in[] = {
		TAGGED(10, 68), TAGGED(20, 68), IPV4(17, 1, 2, 64), TAGGED(30, 68),
		TAGGED(2 << 13 | 10, 68), { .len = 15, .ethertype = RTE_ETHER_TYPE_VLAN },
	};
	const struct pkt_spec untagged = IPV4(17, 1, 2, 64);
	struct mbox_generation *gen = harness_build("vlan_split", 4,
		"{ name = \"v\"; kind = \"vlan\"; mode = \"split\"; pop = true;"
		"  vlans = ( { vid = 10; name = \"a\"; }, { vid = 20; name = \"b\"; } ); }",
		"\"src -> v[a] -> s0\", \"v[b] -> s1\", \"v[untagged] -> s2\", \"v[other] -> s3\"");
	const struct mbox_elem_rt *v;

	if (!gen)
		return;
	harness_inject_specs(gen, in, RTE_DIM(in));
	v = harness_rt(gen, "v");
	check(n_captured[0] == 2 && n_captured[1] == 1 && n_captured[2] == 1 && n_captured[3] == 1,
	      "vlan_split_routes_by_vid", "a=%u b=%u untagged=%u other=%u",
	      n_captured[0], n_captured[1], n_captured[2], n_captured[3]);
	check(n_captured[0] == 2 && frame_is_spec(captured[0][0], &untagged) && frame_is_spec(captured[0][1], &untagged) &&
	      n_captured[1] == 1 && frame_is_spec(captured[1][0], &untagged), "vlan_split_pops_listed_vlans",
	      "listed VLAN frames not untagged exactly");
	check(n_captured[3] == 1 && frame_is_spec(captured[3][0], &in[3]) && n_captured[2] == 1 &&
	      frame_is_spec(captured[2][0], &untagged), "vlan_split_other_and_untagged_unchanged",
	      "unknown VLAN or untagged frame changed");
	check(v->out[0] == 2 && v->out[1] == 1 && v->out[2] == 1 && v->out[3] == 1 && v->counters[1] == 3 &&
	      v->counters[2] == 1 && v->counters[3] == 1 && v->counters[5] == 1 && v->drops == 1,
	      "vlan_split_counters", "out=%lu,%lu,%lu,%lu popped=%lu untagged=%lu unknown_vid=%lu runts=%lu",
	      v->out[0], v->out[1], v->out[2], v->out[3], v->counters[1], v->counters[2], v->counters[3], v->counters[5]);
	harness_finish(gen, "vlan_split");
}

static void test_errors(void)
{
	harness_expect_error("vlan_rejects_duplicate_vid",
		"{ name = \"v\"; kind = \"vlan\"; mode = \"split\"; vlans = ( { vid = 10; name = \"a\"; },\n { vid = 10; name = \"b\"; } ); }",
		"\"src -> v[a] -> s0\"", ":13: error: element 'v': vlans[1]: vid 10 is listed twice");
	harness_expect_error("vlan_rejects_duplicate_name",
		"{ name = \"v\"; kind = \"vlan\"; mode = \"split\"; vlans = ( { vid = 10; name = \"a\"; },\n { vid = 11; name = \"a\"; } ); }",
		"\"src -> v[a] -> s0\"", ":13: error: element 'v': vlans[1]: output name 'a' is used twice or reserved");
	harness_expect_error("vlan_rejects_reserved_name",
		"{ name = \"v\"; kind = \"vlan\"; mode = \"split\"; vlans = ( { vid = 10; name = \"other\"; } ); }",
		"\"src -> v[other] -> s0\"", "vlans[0]: output name 'other' is used twice or reserved");
	harness_expect_error("vlan_rejects_vid_out_of_range",
		"{ name = \"v\"; kind = \"vlan\"; mode = \"push\";\n vid = 4095; }",
		"\"src -> v -> s0\"", ":13: error: element 'v': field 'vid': 4095 is out of range");
	harness_expect_error("vlan_rejects_vlans_in_push_mode",
		"{ name = \"v\"; kind = \"vlan\"; mode = \"push\"; vid = 3;\n vlans = ( { vid = 10; name = \"a\"; } ); }",
		"\"src -> v -> s0\"", ":13: error: element 'v': 'vlans' does not apply to mode \"push\", expected it removed or another mode");
	harness_expect_error("vlan_rejects_pcp_in_split_mode",
		"{ name = \"v\"; kind = \"vlan\"; mode = \"split\"; vlans = ( { vid = 10; name = \"a\"; } );\n pcp = 1; }",
		"\"src -> v[a] -> s0\"", ":13: error: element 'v': 'pcp' does not apply to mode \"split\", expected it removed or another mode");
	harness_expect_error("vlan_push_needs_vid",
		"{ name = \"v\"; kind = \"vlan\";\n mode = \"push\"; }",
		"\"src -> v -> s0\"", ":13: error: element 'v': mode \"push\" needs 'vid'");
	harness_expect_error("vlan_rejects_unknown_mode",
		"{ name = \"v\"; kind = \"vlan\"; mode = \"swap\"; }",
		"\"src -> v -> s0\"", "field 'mode'");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_push();
	test_push_no_headroom();
	test_pop();
	test_split();
	test_errors();
	return harness_done();
}
