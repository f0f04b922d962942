/* What mbox-gen learns from the frames that come back: per direction how
 * many and how many out of order, and over both directions the latency (a
 * log-linear histogram, for percentiles) and the jitter.  Plain C without
 * DPDK, so that tests/unit can check it. */
#ifndef MBOX_GEN_FLOW_STATS_H
#define MBOX_GEN_FLOW_STATS_H

#include <stdint.h>

/* Values below 2^LATENCY_SUB_BITS have a bucket each; above, every power
 * of two is split into 2^(LATENCY_SUB_BITS - 1) buckets, so a percentile
 * is within 1/64 of the true value. */
#define LATENCY_SUB_BITS 7
#define LATENCY_BUCKETS ((66 - LATENCY_SUB_BITS) << (LATENCY_SUB_BITS - 1))

struct latency {
	uint64_t n, min, max, sum;
	/* Mean |latency(i) - latency(i-1)| of consecutive frames of one
	 * direction (the IPDV of RFC 3393, as RFC 3550's jitter uses it). */
	uint64_t jitter_sum, jitter_n;
	uint64_t buckets[LATENCY_BUCKETS];
};

/* One direction: frames sent on one port, received on the other. */
struct flow {
	uint64_t received;
	uint64_t reordered; /* arrived after a frame sent later */
	uint64_t next_seq;  /* one past the highest sequence number seen */
	uint64_t last_latency;
};

void latency_reset(struct latency *lat);
/* The value (same unit as recorded) below which `percent` of the values
 * lie (nearest rank, 0 < percent <= 100); 0 when nothing was recorded. */
uint64_t latency_percentile(const struct latency *lat, double percent);

void flow_reset(struct flow *f);
/* One frame of flow f came back with sequence number seq after `latency`. */
void flow_receive(struct flow *f, struct latency *lat, uint64_t seq, uint64_t latency);

#endif
