/* Latency histogram, reordering and jitter of mbox-gen (flow_stats.h). */
#include "flow_stats.h"

#include <string.h>

#define HALF (1u << (LATENCY_SUB_BITS - 1))

/* Bucket k * HALF + m holds [m << k, (m + 1) << k) with HALF <= m < 2 * HALF
 * (k > 0), the values below 2 * HALF one each (k = 0). */
static unsigned bucket_of(uint64_t v)
{
	unsigned msb = v ? 63u - (unsigned)__builtin_clzll(v) : 0;
	unsigned k = msb < LATENCY_SUB_BITS ? 0 : msb - LATENCY_SUB_BITS + 1;

	return k * HALF + (unsigned)(v >> k);
}

/* The middle of bucket i's range. */
static uint64_t bucket_value(unsigned i)
{
	unsigned k = i < 2 * HALF ? 0 : i / HALF - 1;
	uint64_t m = i - k * HALF;

	return (m << k) + ((UINT64_C(1) << k) >> 1);
}

void latency_reset(struct latency *lat)
{
	memset(lat, 0, sizeof(*lat));
	lat->min = UINT64_MAX;
}

uint64_t latency_percentile(const struct latency *lat, double percent)
{
	double exact_rank = percent / 100.0 * (double)lat->n;
	uint64_t rank = (uint64_t)exact_rank, seen = 0;

	if (lat->n == 0)
		return 0;
	if (rank < exact_rank || rank == 0)
		rank++;
	for (unsigned i = 0; i < LATENCY_BUCKETS; i++) {
		seen += lat->buckets[i];
		if (seen >= rank) {
			uint64_t v = bucket_value(i);

			/* A bucket's middle can lie outside what was recorded. */
			return v < lat->min ? lat->min : v > lat->max ? lat->max : v;
		}
	}
	return lat->max;
}

void flow_reset(struct flow *f)
{
	memset(f, 0, sizeof(*f));
}

void flow_receive(struct flow *f, struct latency *lat, uint64_t seq, uint64_t latency)
{
	if (f->received) {
		lat->jitter_sum += latency > f->last_latency ? latency - f->last_latency : f->last_latency - latency;
		lat->jitter_n++;
	}
	f->received++;
	f->last_latency = latency;
	if (seq < f->next_seq)
		f->reordered++;
	else
		f->next_seq = seq + 1;
	lat->n++;
	lat->sum += latency;
	if (latency < lat->min)
		lat->min = latency;
	if (latency > lat->max)
		lat->max = latency;
	lat->buckets[bucket_of(latency)]++;
}
