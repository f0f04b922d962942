/* Element unit tests run elements through the real graph builder and
 * rte_graph: a test source (test_src) feeds crafted packets, test sinks
 * (test_sink, named s0..s7) capture what each output emits.  Each
 * tests/unit/test_<kind>.c builds graphs with harness_build(), injects,
 * and checks captured[] and the element's runtime counters. */
#ifndef MBOX_HARNESS_H
#define MBOX_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "check.h"
#include "config.h"
#include "runtime.h"

#define HARNESS_MAX_PKTS 64
#define HARNESS_MAX_SINKS 8

extern struct rte_mempool *harness_pool;
extern struct rte_mbuf *captured[HARNESS_MAX_SINKS][HARNESS_MAX_PKTS];
extern unsigned n_captured[HARNESS_MAX_SINKS];

/* A frame: Ethernet (02:00:00:00:00:0b -> 02:00:00:00:00:0a), optional
 * 802.1Q tag, then for ethertype 0x0800 an IPv4 header (valid checksum,
 * total length from len) and a UDP or TCP header (by proto), then payload;
 * zeros up to len.  A short len truncates. */
struct pkt_spec {
	uint16_t vlan;      /* 0: untagged */
	uint16_t ethertype; /* after the tag */
	uint8_t proto;
	uint16_t sport, dport;
	uint16_t frag_off;  /* in 8-byte units */
	uint16_t len;       /* total frame length */
	uint32_t src_ip, dst_ip; /* host order; 0: 10.0.0.1 and 10.0.0.2 */
	uint8_t ttl;        /* 0: 64 */
	uint8_t tcp_flags;
	const char *payload; /* copied after the L4 header */
};

#define IPV4(proto_, sport_, dport_, len_) \
	{ .ethertype = RTE_ETHER_TYPE_IPV4, .proto = (proto_), .sport = (sport_), .dport = (dport_), .len = (len_) }
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Starts DPDK without hugepages and registers the nodes; exits on failure. */
void harness_init(const char *prog);
/* rte_eal_cleanup(); returns the process exit status. */
int harness_done(void);

struct rte_mbuf *harness_pkt(const struct pkt_spec *s);
struct rte_mbuf *harness_raw(const void *bytes, uint16_t len);

/* A graph of src, sinks s0..s<n_sinks-1>, the given elements (libconfig
 * groups) and links; NULL after reporting "<test>_build" as failed. */
struct mbox_generation *harness_build(const char *test, unsigned n_sinks, const char *elements,
				      const char *links);
/* What mboxd does on a change: a generation of the given elements and
 * links built to replace `old` (continuing its elements' state), worker 0
 * switched to it, the change committed and `old` freed (even when the
 * new one fails to build: NULL then). */
struct mbox_generation *harness_change(struct mbox_generation *old, const char *test, unsigned n_sinks,
				       const char *elements, const char *links);
/* The same with a configuration error expected: true when loading fails
 * and the first message contains `expect`; reported as `test`. */
void harness_expect_error(const char *test, const char *elements, const char *links, const char *expect);
/* The same for a valid configuration (with n_sinks sinks, as harness_build
 * makes): one warning containing `expect` (e.g. ":5: warning: element 'fw':
 * ..."; the elements start on line 4 + n_sinks), or none when expect is NULL. */
void harness_expect_warning(const char *test, unsigned n_sinks, const char *elements, const char *links,
			    const char *expect);
const struct mbox_elem_rt *harness_rt(const struct mbox_generation *gen, const char *name);
/* Inject packets (consumed) and walk the graph once. */
void harness_inject(struct mbox_generation *gen, struct rte_mbuf **pkts, unsigned n);
void harness_inject_specs(struct mbox_generation *gen, const struct pkt_spec *specs, unsigned n);
void harness_walk(struct mbox_generation *gen);
/* The elements' clock (mbox_now, TSC cycles): it starts at the TSC when
 * DPDK starts and then stands still unless a test moves it, so timeouts
 * are tested to the cycle without sleeping. */
uint64_t harness_clock(void);
void harness_clock_advance(uint64_t cycles);
/* Free captures; check "<test>_leaks_no_mbuf" after freeing gen. */
void harness_reset_capture(void);
void harness_finish(struct mbox_generation *gen, const char *test);
bool mac_is(const struct rte_ether_addr *a, const char *text);

#endif
