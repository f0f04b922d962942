/* mbox-gen's statistics (tools/gen/flow_stats.c): latency percentiles from
 * the histogram, reordering, and jitter kept per direction. */
#include <stdint.h>

#include "check.h"
#include "flow_stats.h"

static struct latency lat;

static int near(uint64_t got, uint64_t want)
{
	/* The histogram's resolution: 1/64 of the value. */
	return got + want / 64 >= want && got <= want + want / 64;
}

static void test_percentiles(void)
{
	struct flow f;

	latency_reset(&lat);
	check(latency_percentile(&lat, 99) == 0, "percentile_of_nothing", "got %llu",
	      (unsigned long long)latency_percentile(&lat, 99));
	flow_reset(&f);
	for (uint64_t v = 1; v <= 5; v++)
		flow_receive(&f, &lat, v, v);
	check(latency_percentile(&lat, 20) == 1 && latency_percentile(&lat, 21) == 2 &&
	      latency_percentile(&lat, 100) == 5,
	      "percentile_small_values_exact", "p20 %llu p21 %llu p100 %llu",
	      (unsigned long long)latency_percentile(&lat, 20), (unsigned long long)latency_percentile(&lat, 21),
	      (unsigned long long)latency_percentile(&lat, 100));

	latency_reset(&lat);
	flow_reset(&f);
	for (uint64_t v = 1; v <= 100000; v++)
		flow_receive(&f, &lat, v, v * 1000);
	check(near(latency_percentile(&lat, 50), 50000000) && near(latency_percentile(&lat, 99), 99000000),
	      "percentile_within_resolution", "p50 %llu p99 %llu", (unsigned long long)latency_percentile(&lat, 50),
	      (unsigned long long)latency_percentile(&lat, 99));
	check(latency_percentile(&lat, 100) == 100000000 && lat.min == 1000 && lat.n == 100000,
	      "percentile_100_is_max", "p100 %llu min %llu n %llu", (unsigned long long)latency_percentile(&lat, 100),
	      (unsigned long long)lat.min, (unsigned long long)lat.n);

	latency_reset(&lat);
	flow_reset(&f);
	flow_receive(&f, &lat, 0, UINT64_MAX);
	check(latency_percentile(&lat, 99) == UINT64_MAX, "percentile_largest_value", "got %llu",
	      (unsigned long long)latency_percentile(&lat, 99));
}

static void test_order_and_jitter(void)
{
	struct flow a, b;
	const uint64_t seqs[] = { 0, 1, 3, 2, 4, 4 };

	latency_reset(&lat);
	flow_reset(&a);
	flow_reset(&b);
	for (unsigned i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		flow_receive(&a, &lat, seqs[i], 100);
	check(a.received == 6 && a.reordered == 2 && a.next_seq == 5, "reordered_late_and_repeated",
	      "received %llu reordered %llu next %llu", (unsigned long long)a.received,
	      (unsigned long long)a.reordered, (unsigned long long)a.next_seq);

	/* Jitter compares consecutive frames of one direction only:
	 * a: 10, 14, 11 -> 4 + 3; b: 1000 alone adds nothing. */
	latency_reset(&lat);
	flow_reset(&a);
	flow_reset(&b);
	flow_receive(&a, &lat, 0, 10);
	flow_receive(&b, &lat, 0, 1000);
	flow_receive(&a, &lat, 1, 14);
	flow_receive(&a, &lat, 2, 11);
	check(lat.jitter_sum == 7 && lat.jitter_n == 2 && lat.sum == 1035 && lat.max == 1000 && lat.min == 10,
	      "jitter_per_direction", "jitter %llu/%llu sum %llu", (unsigned long long)lat.jitter_sum,
	      (unsigned long long)lat.jitter_n, (unsigned long long)lat.sum);
}

int main(void)
{
	test_percentiles();
	test_order_and_jitter();
	return check_failures ? 1 : 0;
}
