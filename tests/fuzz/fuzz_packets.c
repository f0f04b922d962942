/* libFuzzer target: every element kind's packet processing.  Each kind runs
 * in its own graph (test source -> kind -> test sinks, as in the unit
 * tests); every input is one frame given to each graph in turn: truncated,
 * oversized, malformed headers, bad lengths, options, fragments, VLAN
 * stacks are all just inputs.  A crash, a sanitizer report or an mbuf that
 * is not returned to the pool is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const graphs[][2] = {
	{ "{ name = \"k\"; kind = \"classifier\"; rules = ( { name = \"r\"; proto = 17; dst_port = 53; }, { name = \"v\"; vlan = 7; } ); }",
	  "\"src -> k[r] -> s0\", \"k[v] -> s1\", \"k[default] -> s2\"" },
	{ "{ name = \"k\"; kind = \"ether_rewrite\"; swap = true; }", "\"src -> k -> s0\"" },
	{ "{ name = \"k\"; kind = \"acl\"; arp = \"permit\"; ipv6 = \"out1\"; unparsed = \"out2\"; "
	  "rules = ( { proto = 6; dst_port = \"20-25\"; action = \"deny\"; }, { dst = \"10.0.0.0/8\"; action = \"permit\"; } ); }",
	  "\"src -> k[permit] -> s0\", \"k[out1] -> s1\", \"k[out2] -> s2\"" },
	{ "{ name = \"k\"; kind = \"router\"; interfaces = ( { name = \"a\"; port = \"p0\"; address = \"10.0.0.254\"; prefix_len = 24; mac = \"02:00:00:00:00:fe\"; } ); "
	  "next_hops = ( { name = \"n\"; address = \"10.0.0.1\"; }, { name = \"m\"; address = \"10.0.0.2\"; mac = \"02:00:00:00:00:02\"; } ); "
	  "routes = ( { prefix = \"0.0.0.0/0\"; next_hop = \"n\"; }, { prefix = \"10.0.0.0/8\"; next_hop = \"m\"; } ); }",
	  "\"src -> k -> s0\"" },
	{ "{ name = \"k\"; kind = \"nat\"; address = \"10.0.0.2\"; ports = \"1024-1100\"; max_sessions = 64; "
	  "static = ( { proto = \"udp\"; public_port = 53; inside_address = \"192.168.0.53\"; inside_port = 53; } ); }",
	  "\"src -> k[outside] -> s0\", \"k[inside] -> s1\"" },
	{ "{ name = \"k\"; kind = \"policer\"; mode = \"trtcm\"; cir = 1000; cbs = 100; pir = 2000; pbs = 200; yellow = \"mark\"; yellow_dscp = 10; }",
	  "\"src -> k -> s0\"" },
	{ "{ name = \"k\"; kind = \"load_balancer\"; outputs = ( { name = \"a\"; weight = 3; }, { name = \"b\"; } ); }",
	  "\"src -> k[a] -> s0\", \"k[b] -> s1\"" },
	{ "{ name = \"k\"; kind = \"vlan\"; mode = \"push\"; vid = 100; pcp = 3; }", "\"src -> k -> s0\"" },
	{ "{ name = \"k\"; kind = \"vlan\"; mode = \"pop\"; }", "\"src -> k -> s0\"" },
	{ "{ name = \"k\"; kind = \"vlan\"; mode = \"split\"; pop = true; vlans = ( { vid = 7; name = \"v7\"; } ); }",
	  "\"src -> k[v7] -> s0\", \"k[untagged] -> s1\", \"k[other] -> s2\"" },
	{ "{ name = \"k\"; kind = \"mirror\"; snaplen = 40; }", "\"src -> k[out] -> s0\", \"k[copy] -> s1\"" },
	{ "{ name = \"k\"; kind = \"http_filter\"; rules = ( { host = \"*.bad.example\"; action = \"deny\"; }, { path = \"/admin\"; action = \"deny\"; } ); }",
	  "\"src -> k[out] -> s0\", \"k[reverse] -> s1\"" },
	{ "{ name = \"k\"; kind = \"sequencer\"; port = 9; max_sources = 4; }", "\"src -> k -> s0\"" },
	{ "{ name = \"k\"; kind = \"counter\"; }", "\"src -> k -> s0\"" },
};
#define N_GRAPHS (sizeof(graphs) / sizeof(graphs[0]))

static struct mbox_generation *gens[N_GRAPHS];

/* Sinks s0..s<n-1> the links name ("-> s2" means three). */
static unsigned sinks_used(const char *links)
{
	unsigned n = 0;

	for (const char *p = strstr(links, "-> s"); p; p = strstr(p + 1, "-> s"))
		if (p[4] >= '0' && p[4] <= '9' && (unsigned)(p[4] - '0') + 1 > n)
			n = (unsigned)(p[4] - '0') + 1;
	return n;
}

/* The generations live in DPDK memory, which LeakSanitizer does not scan:
 * free them at exit so their configurations do not read as leaks. */
static void free_graphs(void)
{
	for (unsigned g = 0; g < N_GRAPHS; g++)
		mbox_generation_free(gens[g]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	harness_init((*argv)[0]);
	atexit(free_graphs);
	for (unsigned g = 0; g < N_GRAPHS; g++) {
		gens[g] = harness_build("fuzz_packets", sinks_used(graphs[g][1]), graphs[g][0], graphs[g][1]);
		if (!gens[g])
			exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > RTE_MBUF_DEFAULT_DATAROOM)
		return 0;
	for (unsigned g = 0; g < N_GRAPHS; g++) {
		struct rte_mbuf *m = harness_raw(data, (uint16_t)size);

		harness_inject(gens[g], &m, 1);
		mbox_generation_control(gens[g]); /* drain rings the workers fill (router ARP) */
		harness_reset_capture();
		if (rte_mempool_in_use_count(harness_pool) != 0)
			abort(); /* an element kept or lost an mbuf */
	}
	return 0;
}
