/* mirror: copies independent of the original, snaplen, copies skipped
 * when "copy" goes to a drop, capture to a pcap file by the control hook
 * (limit, full ring), setup errors. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "harness.h"

enum { COPIED, COPY_FAILED, CAPTURED, CAPTURE_DROPPED };

static bool same_bytes(struct rte_mbuf *m, const uint8_t *bytes, uint32_t len)
{
	return m && rte_pktmbuf_pkt_len(m) == len && !memcmp(rte_pktmbuf_mtod(m, const void *), bytes, len);
}

static void test_copy(void)
{
	const struct pkt_spec spec = { .ethertype = RTE_ETHER_TYPE_IPV4, .proto = 17, .dport = 9, .len = 90,
				       .payload = "mirror me" };
	struct rte_mbuf *pkts[3];
	uint8_t orig[90];
	struct mbox_generation *gen = harness_build("mirror", 2,
		"{ name = \"m\"; kind = \"mirror\"; }, { name = \"rw\"; kind = \"ether_rewrite\"; swap = true; }",
		"\"src -> m[out] -> rw -> s0\", \"m[copy] -> s1\"");
	const struct mbox_elem_rt *m;

	if (!gen)
		return;
	for (unsigned i = 0; i < 3; i++)
		pkts[i] = harness_pkt(&spec);
	memcpy(orig, rte_pktmbuf_mtod(pkts[0], void *), sizeof(orig));
	harness_inject(gen, pkts, 3);
	m = harness_rt(gen, "m");
	check(n_captured[0] == 3 && n_captured[1] == 3 && m->out[0] == 3 && m->out[1] == 3 &&
	      m->counters[COPIED] == 3 && m->counters[COPY_FAILED] == 0, "mirror_copies_every_packet",
	      "out=%u copy=%u copied=%lu", n_captured[0], n_captured[1], m->counters[COPIED]);
	check(n_captured[1] == 3 && same_bytes(captured[1][2], orig, sizeof(orig)) && captured[1][2] != captured[0][2],
	      "mirror_copy_is_exact_and_separate", "copy differs from the input");
	check(n_captured[0] == 3 && mac_is(&rte_pktmbuf_mtod(captured[0][0], struct rte_ether_hdr *)->dst_addr,
					   "02:00:00:00:00:0b") &&
	      !memcmp(rte_pktmbuf_mtod(captured[0][0], uint8_t *) + 12, orig + 12, sizeof(orig) - 12),
	      "mirror_original_goes_on_and_is_rewritten", "original path wrong");
	harness_finish(gen, "mirror");
}

static void test_snaplen_and_drop(void)
{
	const struct pkt_spec p[] = { IPV4(6, 1, 2, 100), IPV4(6, 1, 2, 16) };
	struct mbox_generation *gen = harness_build("mirror_snaplen", 2,
		"{ name = \"m\"; kind = \"mirror\"; snaplen = 40; }", "\"src -> m[out] -> s0\", \"m[copy] -> s1\"");

	if (!gen)
		return;
	harness_inject_specs(gen, p, 2);
	check(n_captured[1] == 2 && rte_pktmbuf_pkt_len(captured[1][0]) == 40 && rte_pktmbuf_pkt_len(captured[1][1]) == 16 &&
	      !memcmp(rte_pktmbuf_mtod(captured[1][0], void *), rte_pktmbuf_mtod(captured[0][0], void *), 40) &&
	      rte_pktmbuf_pkt_len(captured[0][0]) == 100, "mirror_snaplen_cuts_copies_only", "lengths wrong");
	harness_finish(gen, "mirror_snaplen");

	gen = harness_build("mirror_to_drop", 1, "{ name = \"m\"; kind = \"mirror\"; }, { name = \"d\"; kind = \"drop\"; }",
			    "\"src -> m[out] -> s0\", \"m[copy] -> d\"");
	if (!gen)
		return;
	harness_inject_specs(gen, p, 2);
	check(n_captured[0] == 2 && harness_rt(gen, "m")->counters[COPIED] == 0 && harness_rt(gen, "d")->drops == 0,
	      "mirror_makes_no_copies_for_a_drop", "copied=%lu", harness_rt(gen, "m")->counters[COPIED]);
	harness_finish(gen, "mirror_to_drop");
}

/* The pcap file: header fields, then each record's lengths and bytes. */
struct pcap_file {
	uint8_t *data;
	size_t len;
};

static struct pcap_file read_file(const char *path)
{
	struct pcap_file f = { 0 };
	FILE *in = fopen(path, "rb");

	if (!in)
		return f;
	f.data = malloc(1 << 20);
	f.len = fread(f.data, 1, 1 << 20, in);
	fclose(in);
	return f;
}

/* Number of records, or -1 when the structure is wrong; record i's
 * header and bytes through rec/bytes when i < count. */
static int pcap_records(const struct pcap_file *f, int want, uint32_t rec[4], const uint8_t **bytes)
{
	size_t off = 24;
	int n = 0;

	if (f->len < 24)
		return -1;
	while (off + 16 <= f->len) {
		uint32_t h[4];

		memcpy(h, f->data + off, 16);
		if (off + 16 + h[2] > f->len)
			return -1;
		if (n == want) {
			memcpy(rec, h, 16);
			*bytes = f->data + off + 16;
		}
		off += 16 + h[2];
		n++;
	}
	return off == f->len ? n : -1;
}

/* A mirror capturing to a new temporary file (its name into path), with
 * copies to a drop. */
static struct mbox_generation *build_capture(const char *test, char path[24], const char *params)
{
	char elements[320];

	strcpy(path, "/tmp/mbox-mirror-XXXXXX");
	close(mkstemp(path));
	unlink(path); /* the capture creates it, header first */
	snprintf(elements, sizeof(elements),
		 "{ name = \"m\"; kind = \"mirror\"; capture = true; capture_file = \"%s\"; %s },"
		 "{ name = \"d\"; kind = \"drop\"; }", path, params);
	return harness_build(test, 1, elements, "\"src -> m[out] -> s0\", \"m[copy] -> d\"");
}

static void test_capture(void)
{
	const struct pkt_spec p[] = { IPV4(17, 1, 1, 60), IPV4(17, 1, 2, 200), IPV4(17, 1, 3, 61), IPV4(17, 1, 4, 62) };
	char path[24];
	struct mbox_generation *gen;
	const struct mbox_elem_rt *m;
	struct pcap_file f;
	uint32_t rec[4] = { 0 }, hdr[6] = { 0 };
	const uint8_t *bytes = NULL;
	uint8_t want[200];
	struct rte_mbuf *second;
	time_t now = time(NULL);

	gen = build_capture("mirror_capture", path, "snaplen = 100; capture_limit = 3;");
	if (!gen)
		return;
	second = harness_pkt(&p[1]);
	memcpy(want, rte_pktmbuf_mtod(second, void *), sizeof(want));
	rte_pktmbuf_free(second);
	harness_inject_specs(gen, p, RTE_DIM(p));
	m = harness_rt(gen, "m");
	check(n_captured[0] == 4 && m->counters[CAPTURED] == 3 && m->counters[CAPTURE_DROPPED] == 0,
	      "mirror_capture_stops_at_limit", "captured=%lu out=%u", m->counters[CAPTURED], n_captured[0]);
	f = read_file(path);
	check(f.len == 0, "mirror_capture_waits_for_control", "%zu bytes before the control hook ran", f.len);
	free(f.data);
	mbox_generation_control(gen);
	f = read_file(path);
	if (f.len >= 24)
		memcpy(hdr, f.data, 24);
	check(f.len >= 24 && hdr[0] == 0xa1b2c3d4 && hdr[1] == (2 | 4 << 16) && hdr[4] == 100 && hdr[5] == 1,
	      "mirror_capture_file_header", "%zu bytes, magic %08x", f.len, f.len >= 4 ? hdr[0] : 0);
	check(pcap_records(&f, 1, rec, &bytes) == 3 && rec[2] == 100 && rec[3] == 200 &&
	      bytes && !memcmp(bytes, want, 100) && (time_t)rec[0] >= now - 2 && (time_t)rec[0] <= now + 2 && rec[1] < 1000000,
	      "mirror_capture_records", "records=%d second: incl=%u orig=%u ts=%u", pcap_records(&f, 1, rec, &bytes),
	      rec[2], rec[3], rec[0]);
	free(f.data);
	harness_finish(gen, "mirror_capture");
	unlink(path);
}

/* Records are stamped with the element clock: 1.5 s between two packets
 * on it is 1.5 s between their records, to the microsecond of rounding. */
static void test_capture_clock(void)
{
	const struct pkt_spec p = IPV4(17, 1, 1, 60);
	char path[24];
	struct mbox_generation *gen = build_capture("mirror_capture_clock", path, "capture_limit = 2;");
	struct pcap_file f;
	uint32_t first[4] = { 0 }, second[4] = { 0 };
	const uint8_t *bytes;
	int64_t apart_us;

	if (!gen)
		return;
	harness_inject_specs(gen, &p, 1);
	harness_clock_advance(rte_get_tsc_hz() * 3 / 2);
	harness_inject_specs(gen, &p, 1);
	mbox_generation_control(gen);
	f = read_file(path);
	pcap_records(&f, 0, first, &bytes);
	pcap_records(&f, 1, second, &bytes);
	apart_us = ((int64_t)second[0] - first[0]) * 1000000 + ((int64_t)second[1] - first[1]);
	check(pcap_records(&f, 0, first, &bytes) == 2 && apart_us >= 1499999 && apart_us <= 1500001,
	      "mirror_capture_stamps_follow_the_clock", "records %d, %ld us apart", pcap_records(&f, 0, first, &bytes),
	      (long)apart_us);
	free(f.data);
	harness_finish(gen, "mirror_capture_clock");
	unlink(path);
}

/* A full ring drops (counted); destroy() writes what the ring still
 * holds, after the records already in the file. */
static void test_capture_ring_full(void)
{
	struct pkt_spec p[64];
	char path[24];
	struct mbox_generation *gen;
	const struct mbox_elem_rt *m;
	struct pcap_file f;
	uint32_t rec[4];
	const uint8_t *bytes;

	for (unsigned i = 0; i < RTE_DIM(p); i++)
		p[i] = (struct pkt_spec)IPV4(17, 1, (uint16_t)i, 64);
	gen = build_capture("mirror_ring", path, "capture_limit = 0; capture_ring = 64;");
	if (!gen)
		return;
	harness_inject_specs(gen, p, 60);
	harness_reset_capture();
	harness_inject_specs(gen, p, 10);
	m = harness_rt(gen, "m");
	check(m->counters[CAPTURED] == 64 && m->counters[CAPTURE_DROPPED] == 6, "mirror_full_ring_drops_and_counts",
	      "captured=%lu dropped=%lu", m->counters[CAPTURED], m->counters[CAPTURE_DROPPED]);
	mbox_generation_control(gen);
	harness_reset_capture();
	harness_inject_specs(gen, p, 5);
	harness_finish(gen, "mirror_ring");
	f = read_file(path);
	check(pcap_records(&f, 68, rec, &bytes) == 69 && rec[2] == 64 && bytes[37] == 4,
	      "mirror_destroy_flushes_capture", "%d records", pcap_records(&f, 68, rec, &bytes));
	free(f.data);
	unlink(path);
}

static void test_errors(void)
{
	harness_expect_error("mirror_capture_needs_file",
			     "{ name = \"m\"; kind = \"mirror\";\n capture = true; }", "\"src -> m[out] -> s0\", \"m[copy] -> s1\"",
			     ":13: error: element 'm': capture = true needs capture_file");
	harness_expect_error("mirror_capture_dir_must_exist",
			     "{ name = \"m\"; kind = \"mirror\"; capture = true; capture_file = \"/nonexistent/x.pcap\"; }",
			     "\"src -> m[out] -> s0\", \"m[copy] -> s1\"", "directory /nonexistent");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_copy();
	test_snaplen_and_drop();
	test_capture();
	test_capture_clock();
	test_capture_ring_full();
	test_errors();
	return harness_done();
}
