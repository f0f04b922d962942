/* mbox-gen: the traffic generator of tools/rfc2544.  It owns two ports
 * (memif clients facing the DUT's server ports), sends UDP frames of one
 * size on both at a paced rate, receives what the DUT forwards in the same
 * loop on the same lcore (so send and receive timestamps come from one
 * TSC), and reports per trial what came back and how late.
 *
 *   mbox-gen EAL-ARGS    (exactly two ports, e.g. --vdev net_memif0,role=client,socket=S0 --vdev ...)
 *
 * It then reads commands on standard input, one a line, and prints the
 * prompt "mbox-gen> " when it is ready for the next; end of input ends it.
 *
 *   trial SIZE RATE SECONDS
 *     SIZE     frame size in bytes, 64 to 1518, FCS included as in RFC 2544:
 *              SIZE - 4 bytes are sent (memif carries no FCS), so 1518
 *              fills a 1500-byte MTU
 *     RATE     frames per second offered, both ports together (half each),
 *              or "max": as fast as the ports take them
 *     SECONDS  how long to send; then it receives for DRAIN_MS more
 *
 * The answer is one line "result key=value ..." (see print_result), or
 * "error: ..." for a command it refuses.
 *
 * Frames follow RFC 2544 appendix C.2.6.4 (UDP 0xC020 -> 7) on tools/bench's
 * addresses: 10.254.0.1 -> 10.253.0.(1 - p) for frames sent on port p, which
 * the router of tools/bench's chain case sends out of the other port.  The
 * UDP payload starts with a stamp (struct stamp, host byte order: only this
 * process reads it). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "flow_stats.h"

#define N_PORTS 2
#define BURST 32
/* net_memif sizes its rings by its rsize devarg and ignores this. */
#define RING_DESC 1024
#define MBUFS 8191
#define MBUF_CACHE 256
#define FCS_LEN 4
#define MIN_FRAME 64
#define MAX_FRAME 1518
#define MAX_RATE 1e9
#define MAX_SECONDS 3600.0
/* memif has no wire: what a DUT still holds after sending stops is in its
 * rings, emptied within microseconds while it runs; the rest covers a vCPU
 * the host has descheduled for a while. */
#define DRAIN_MS 500
#define LINK_WAIT_S 10
#define UDP_SRC_PORT 0xC020
#define UDP_DST_PORT 7
#define HEADERS_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))

struct stamp {
	uint64_t seq;  /* per sending port, from 0 in each trial */
	uint64_t tsc;  /* when its burst was sent */
	uint16_t tag;  /* trial number << 1 | sending port */
} __attribute__((packed));

_Static_assert(HEADERS_LEN + sizeof(struct stamp) <= MIN_FRAME - FCS_LEN, "the stamp fits the smallest frame");

struct trial {
	unsigned size;
	double rate;  /* frames per second; 0: "max" */
	double seconds;
	uint16_t tag; /* of this trial, port bit clear */
	uint8_t headers[N_PORTS][HEADERS_LEN];
	uint64_t offered[N_PORTS];
	uint64_t refused;   /* offered, but the DUT's receive ring was full */
	uint64_t stale;     /* came back from an earlier trial */
	uint64_t foreign;   /* not a frame of ours */
	struct flow flows[N_PORTS]; /* by sending port */
	struct latency latency;
};

static struct rte_mempool *pool;

static void build_headers(struct trial *t)
{
	uint16_t frame_len = (uint16_t)(t->size - FCS_LEN);

	for (uint16_t p = 0; p < N_PORTS; p++) {
		struct rte_ether_hdr *eth = (struct rte_ether_hdr *)t->headers[p];
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		memset(t->headers[p], 0, HEADERS_LEN);
		rte_eth_macaddr_get(p, &eth->src_addr);
		/* The MAC of the router's interface on port p in tools/bench's chain. */
		eth->dst_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, (uint8_t)p, 0x01 } };
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(frame_len - sizeof(*eth)));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 254, 0, 1));
		ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 253, 0, 1 - p));
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->src_port = rte_cpu_to_be_16(UDP_SRC_PORT);
		udp->dst_port = rte_cpu_to_be_16(UDP_DST_PORT);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(frame_len - sizeof(*eth) - sizeof(*ip)));
	}
}

/* Offers up to n frames on port p; in a paced trial the ones its ring
 * refuses count as offered (and so as lost), as a NIC would drop them. */
static void send_burst(struct trial *t, uint16_t p, unsigned n)
{
	struct rte_mbuf *pkts[BURST];
	struct stamp s = { .tsc = rte_rdtsc(), .tag = (uint16_t)(t->tag | p) };
	uint16_t len = (uint16_t)(t->size - FCS_LEN), sent;

	/* Out of buffers: the frames stay due and go in a later burst. */
	if (rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *data = rte_pktmbuf_mtod(pkts[i], uint8_t *);

		/* The payload past the stamp keeps what the buffer held: filling
		 * 1.5 KB a frame would cost the generator more than the DUT. */
		pkts[i]->data_len = len;
		pkts[i]->pkt_len = len;
		memcpy(data, t->headers[p], HEADERS_LEN);
		s.seq = t->offered[p] + i;
		memcpy(data + HEADERS_LEN, &s, sizeof(s));
	}
	sent = rte_eth_tx_burst(p, 0, pkts, (uint16_t)n);
	if (sent < n) {
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		if (t->rate == 0) {
			t->offered[p] += sent;
			return;
		}
		t->refused += n - sent;
	}
	t->offered[p] += n;
}

static void receive_burst(struct trial *t, uint16_t p)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = rte_eth_rx_burst(p, 0, pkts, BURST);
	uint64_t now = rte_rdtsc();

	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *data = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)data;
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);
		struct stamp s;

		if (rte_pktmbuf_data_len(pkts[i]) < HEADERS_LEN + sizeof(s) ||
		    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != RTE_IPV4_VHL_DEF ||
		    ip->next_proto_id != IPPROTO_UDP || udp->dst_port != rte_cpu_to_be_16(UDP_DST_PORT)) {
			t->foreign++;
			continue;
		}
		memcpy(&s, data + HEADERS_LEN, sizeof(s));
		if ((s.tag & ~1u) != t->tag) {
			t->stale++;
			continue;
		}
		flow_receive(&t->flows[s.tag & 1], &t->latency, s.seq, now - s.tsc);
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

static void run_trial(struct trial *t)
{
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), now;
	uint64_t end = start + (uint64_t)(t->seconds * (double)hz);
	double per_cycle = t->rate / (double)hz;
	uint16_t next_port = 0;

	while ((now = rte_rdtsc()) < end) {
		uint64_t offered = t->offered[0] + t->offered[1];
		uint64_t due = t->rate == 0 ? offered + BURST : (uint64_t)((double)(now - start) * per_cycle);

		if (due > offered) {
			send_burst(t, next_port, (unsigned)RTE_MIN(due - offered, (uint64_t)BURST));
			next_port ^= 1;
		}
		for (uint16_t p = 0; p < N_PORTS; p++)
			receive_burst(t, p);
	}
	end = rte_rdtsc() + DRAIN_MS * hz / 1000;
	while (rte_rdtsc() < end)
		for (uint16_t p = 0; p < N_PORTS; p++)
			receive_burst(t, p);
}

static void print_result(const struct trial *t)
{
	const struct latency *lat = &t->latency;
	double ns = 1e9 / (double)rte_get_tsc_hz();
	uint64_t offered = t->offered[0] + t->offered[1];
	uint64_t received = t->flows[0].received + t->flows[1].received;

	printf("result size=%u rate=%.0f seconds=%g drain_ms=%d target=%.0f offered=%" PRIu64 " refused=%" PRIu64
	       " received=%" PRIu64 " lost=%" PRId64 " reordered=%" PRIu64 " stale=%" PRIu64 " foreign=%" PRIu64,
	       t->size, t->rate, t->seconds, DRAIN_MS, t->rate * t->seconds, offered, t->refused, received,
	       (int64_t)(offered - received), t->flows[0].reordered + t->flows[1].reordered, t->stale, t->foreign);
	printf(" lat_min_ns=%.0f lat_avg_ns=%.0f lat_max_ns=%.0f lat_p99_ns=%.0f lat_jitter_ns=%.0f\n",
	       lat->n ? (double)lat->min * ns : 0, lat->n ? (double)lat->sum / (double)lat->n * ns : 0,
	       (double)lat->max * ns, (double)latency_percentile(lat, 99) * ns,
	       lat->jitter_n ? (double)lat->jitter_sum / (double)lat->jitter_n * ns : 0);
}

/* Parses "trial SIZE RATE SECONDS" into t; false after printing why not. */
static bool parse_trial(char *line, struct trial *t)
{
	char *words[4], *save = NULL, *end;
	unsigned n = 0;
	unsigned long size;

	for (char *w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save))
		if (n++ < 4)
			words[n - 1] = w;
	if (n != 4 || strcmp(words[0], "trial") != 0) {
		printf("error: expected 'trial SIZE RATE SECONDS'\n");
		return false;
	}
	errno = 0;
	size = strtoul(words[1], &end, 10);
	if (errno || *end || size < MIN_FRAME || size > MAX_FRAME) {
		printf("error: SIZE '%s': expected a frame size from %d to %d bytes\n", words[1], MIN_FRAME, MAX_FRAME);
		return false;
	}
	t->size = (unsigned)size;
	if (!strcmp(words[2], "max")) {
		t->rate = 0;
	} else {
		t->rate = strtod(words[2], &end);
		if (*end || !(t->rate > 0 && t->rate <= MAX_RATE)) {
			printf("error: RATE '%s': expected frames per second above 0 and up to %g, or 'max'\n", words[2],
			       MAX_RATE);
			return false;
		}
	}
	t->seconds = strtod(words[3], &end);
	if (*end || !(t->seconds > 0 && t->seconds <= MAX_SECONDS)) {
		printf("error: SECONDS '%s': expected a duration above 0 and up to %g\n", words[3], MAX_SECONDS);
		return false;
	}
	return true;
}

static int start_port(uint16_t p)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_link link;
	uint64_t deadline;
	int rc;

	if ((rc = rte_eth_dev_configure(p, 1, 1, &conf)) < 0 ||
	    (rc = rte_eth_rx_queue_setup(p, 0, RING_DESC, rte_eth_dev_socket_id(p), NULL, pool)) < 0 ||
	    (rc = rte_eth_tx_queue_setup(p, 0, RING_DESC, rte_eth_dev_socket_id(p), NULL)) < 0 ||
	    (rc = rte_eth_dev_start(p)) < 0) {
		fprintf(stderr, "mbox-gen: port %u: cannot start: %s (is the DUT's memif server there?)\n", p,
			rte_strerror(-rc));
		return -1;
	}
	deadline = rte_rdtsc() + LINK_WAIT_S * rte_get_tsc_hz();
	do {
		if (rte_eth_link_get_nowait(p, &link) == 0 && link.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_ms(10);
	} while (rte_rdtsc() < deadline);
	fprintf(stderr, "mbox-gen: port %u: link not up after %d s (is the DUT's memif server there?)\n", p,
		LINK_WAIT_S);
	return -1;
}

int main(int argc, char **argv)
{
	static struct trial t; /* the latency histogram is large for a stack */
	char line[256];
	unsigned trials = 0;
	int used = rte_eal_init(argc, argv);

	if (used < 0) {
		fprintf(stderr, "mbox-gen: cannot initialise DPDK: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* rte_eal_init leaves the program name at argv[used]. */
	if (argc - used > 1) {
		fprintf(stderr, "mbox-gen: unexpected argument '%s': expected EAL arguments only\n", argv[used + 1]);
		return 1;
	}
	if (rte_eth_dev_count_avail() != N_PORTS) {
		fprintf(stderr, "mbox-gen: expected %d ports (--vdev net_memif0,... --vdev net_memif1,...), got %u\n",
			N_PORTS, rte_eth_dev_count_avail());
		return 1;
	}
	pool = rte_pktmbuf_pool_create("mbox_gen", MBUFS, MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (!pool) {
		fprintf(stderr, "mbox-gen: cannot allocate %d buffers: %s\n", MBUFS, rte_strerror(rte_errno));
		return 1;
	}
	for (uint16_t p = 0; p < N_PORTS; p++)
		if (start_port(p) != 0)
			return 1;
	for (;;) {
		printf("mbox-gen> ");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			break;
		if (!strchr(line, '\n') && !feof(stdin)) {
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			printf("error: command longer than %zu characters\n", sizeof(line) - 2);
			continue;
		}
		memset(&t, 0, sizeof(t));
		if (!parse_trial(line, &t))
			continue;
		t.tag = (uint16_t)(++trials << 1);
		latency_reset(&t.latency);
		build_headers(&t);
		run_trial(&t);
		print_result(&t);
	}
	return 0;
}
