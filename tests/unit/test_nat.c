/* nat: outbound translation, replies, static DNAT, sessions across
 * changes, port exhaustion, a full table, expiry and configuration errors, with crafted packets (see
 * harness.h).  Checksums are verified by recomputing them. */
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "harness.h"

#define PUBLIC IP4(198, 51, 100, 1)
#define INSIDE_A IP4(10, 0, 0, 1)
#define INSIDE_B IP4(10, 0, 0, 2)
#define REMOTE IP4(203, 0, 113, 9)
#define OUTSIDE 0 /* sink of output "outside" */
#define INSIDE 1  /* sink of output "inside" */

enum { ACTIVE, CREATED, EXPIRED, ALLOC_FAILURES, TABLE_FULL, NO_SESSION, FRAGMENTS, INVALID };

#define LINKS "\"src -> n[outside] -> s0\", \"n[inside] -> s1\""

static struct rte_ipv4_hdr *ip_of(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	size_t off = sizeof(*eth) + (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ? 4 : 0);

	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, off);
}

static uint8_t *l4_of(struct rte_mbuf *m)
{
	return (uint8_t *)(ip_of(m) + 1);
}

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The harness leaves TCP and UDP checksums 0: fill them in. */
static struct rte_mbuf *with_cksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);
	uint16_t cksum = rte_ipv4_udptcp_cksum(ip, ip + 1);

	memcpy(l4_of(m) + (ip->next_proto_id == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum)
			   : offsetof(struct rte_udp_hdr, dgram_cksum)), &cksum, 2);
	return m;
}

static struct rte_mbuf *l4_pkt(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
			       uint8_t tcp_flags, bool no_cksum)
{
	const struct pkt_spec spec = { .ethertype = RTE_ETHER_TYPE_IPV4, .proto = proto, .sport = sport,
				       .dport = dport, .len = 80, .src_ip = src, .dst_ip = dst,
				       .tcp_flags = tcp_flags, .payload = "nat test payload" };
	struct rte_mbuf *m = harness_pkt(&spec);

	return no_cksum ? m : with_cksum(m);
}

static struct rte_mbuf *udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	return l4_pkt(IPPROTO_UDP, src, sport, dst, dport, 0, false);
}

static struct rte_mbuf *tcp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t flags)
{
	return l4_pkt(IPPROTO_TCP, src, sport, dst, dport, flags, false);
}

static struct rte_mbuf *icmp_echo(uint32_t src, uint32_t dst, uint8_t type, uint16_t ident)
{
	uint8_t buf[14 + 20 + 8 + 8] = { 0 };
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);

	buf[12] = 0x08;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->total_length = rte_cpu_to_be_16(sizeof(buf) - 14);
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = type;
	icmp->icmp_ident = rte_cpu_to_be_16(ident);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(1);
	memcpy(icmp + 1, "pingping", 8);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(buf) - 14 - 20);
	return harness_raw(buf, sizeof(buf));
}

/* The IPv4 header and L4 checksums of a translated packet are right. */
static bool cksums_ok(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);
	uint16_t l4_len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - sizeof(*ip));

	if (rte_raw_cksum(ip, sizeof(*ip)) != 0xffff)
		return false;
	if (ip->next_proto_id == IPPROTO_ICMP)
		return rte_raw_cksum(ip + 1, l4_len) == 0xffff;
	return rte_ipv4_udptcp_cksum_verify(ip, ip + 1) == 0;
}

/* Source (outbound) or destination (inbound) address and port of m. */
static bool endpoint_is(struct rte_mbuf *m, bool src, uint32_t addr, uint16_t port)
{
	struct rte_ipv4_hdr *ip = ip_of(m);
	uint16_t got_port = ip->next_proto_id == IPPROTO_ICMP ? be16_at(l4_of(m) + 4)
			    : be16_at(l4_of(m) + (src ? 0 : 2));

	return rte_be_to_cpu_32(src ? ip->src_addr : ip->dst_addr) == addr && got_port == port &&
	       cksums_ok(m);
}

/* old == NULL: a first generation; else one that replaces old. */
static struct mbox_generation *build_after(struct mbox_generation *old, const char *test, const char *params)
{
	char elements[512];

	snprintf(elements, sizeof(elements), "{ name = \"n\"; kind = \"nat\"; address = \"198.51.100.1\"; %s }", params);
	return old ? harness_change(old, test, 2, elements, LINKS) : harness_build(test, 2, elements, LINKS);
}

static struct mbox_generation *build(const char *test, const char *params)
{
	return build_after(NULL, test, params);
}

static void test_translation(void)
{
	struct mbox_generation *gen = build("nat_translation", "ports = \"40000-40009\";");
	const struct pkt_spec tagged = { .vlan = 5, .ethertype = RTE_ETHER_TYPE_IPV4, .proto = IPPROTO_UDP,
					 .sport = 7000, .dport = 123, .len = 64, .src_ip = INSIDE_A, .dst_ip = REMOTE };
	const struct pkt_spec fragment = { .ethertype = RTE_ETHER_TYPE_IPV4, .proto = IPPROTO_UDP, .sport = 5000,
					   .dport = 53, .frag_off = 0x2000, .len = 64, .src_ip = INSIDE_A, .dst_ip = REMOTE };
	const struct pkt_spec truncated = { .ethertype = RTE_ETHER_TYPE_IPV4, .proto = IPPROTO_TCP, .sport = 1,
					    .dport = 2, .len = 14 + 20 + 10, .src_ip = INSIDE_A, .dst_ip = REMOTE };
	const struct pkt_spec arp = { .ethertype = RTE_ETHER_TYPE_ARP, .len = 60 };
	const struct mbox_elem_rt *n;

	if (!gen)
		return;
	harness_inject(gen, (struct rte_mbuf *[]){
		udp(INSIDE_A, 5000, REMOTE, 53),
		tcp(INSIDE_A, 6000, REMOTE, 80, RTE_TCP_SYN_FLAG),
		icmp_echo(INSIDE_A, REMOTE, RTE_IP_ICMP_ECHO_REQUEST, 77),
		l4_pkt(IPPROTO_UDP, INSIDE_B, 5000, REMOTE, 53, 0, true),
		udp(INSIDE_A, 5000, REMOTE, 53), /* same flow, same burst */
		with_cksum(harness_pkt(&tagged)),
		harness_pkt(&fragment), harness_pkt(&truncated), harness_pkt(&arp),
		icmp_echo(INSIDE_A, REMOTE, RTE_IP_ICMP_ECHO_REPLY, 78), /* outbound reply: not translated */
	}, 10);
	n = harness_rt(gen, "n");
	check(n_captured[OUTSIDE] == 6 && n->out[0] == 6 && n->drops == 4, "nat_outbound_forwarded",
	      "outside=%u drops=%lu", n_captured[OUTSIDE], n->drops);
	check(n_captured[OUTSIDE] == 6 && endpoint_is(captured[OUTSIDE][0], true, PUBLIC, 40000) &&
	      endpoint_is(captured[OUTSIDE][4], true, PUBLIC, 40000) &&
	      rte_be_to_cpu_32(ip_of(captured[OUTSIDE][0])->dst_addr) == REMOTE &&
	      be16_at(l4_of(captured[OUTSIDE][0]) + 2) == 53, "nat_udp_source_translated",
	      "wrong source, destination or checksum");
	check(n_captured[OUTSIDE] == 6 && endpoint_is(captured[OUTSIDE][1], true, PUBLIC, 40001),
	      "nat_tcp_source_translated", "wrong source or checksum");
	check(n_captured[OUTSIDE] == 6 && endpoint_is(captured[OUTSIDE][2], true, PUBLIC, 40002),
	      "nat_icmp_echo_id_translated", "wrong source, identifier or checksum");
	check(n_captured[OUTSIDE] == 6 && rte_be_to_cpu_32(ip_of(captured[OUTSIDE][3])->src_addr) == PUBLIC &&
	      be16_at(l4_of(captured[OUTSIDE][3])) == 40003 && be16_at(l4_of(captured[OUTSIDE][3]) + 6) == 0 &&
	      rte_raw_cksum(ip_of(captured[OUTSIDE][3]), 20) == 0xffff, "nat_udp_zero_checksum_stays_zero",
	      "UDP checksum or source wrong");
	check(n_captured[OUTSIDE] == 6 && endpoint_is(captured[OUTSIDE][5], true, PUBLIC, 40004),
	      "nat_vlan_tagged_translated", "wrong source or checksum behind the tag");
	check(n->counters[CREATED] == 5 && n->counters[ACTIVE] == 5 && n->counters[FRAGMENTS] == 1 &&
	      n->counters[INVALID] == 3, "nat_outbound_counters", "created=%lu active=%lu fragments=%lu invalid=%lu",
	      n->counters[CREATED], n->counters[ACTIVE], n->counters[FRAGMENTS], n->counters[INVALID]);
	harness_reset_capture();

	harness_inject(gen, (struct rte_mbuf *[]){
		udp(REMOTE, 53, PUBLIC, 40000),
		tcp(REMOTE, 80, PUBLIC, 40001, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG),
		icmp_echo(REMOTE, PUBLIC, RTE_IP_ICMP_ECHO_REPLY, 40002),
		l4_pkt(IPPROTO_UDP, REMOTE, 53, PUBLIC, 40003, 0, true),
		udp(REMOTE, 53, PUBLIC, 40009),                       /* unsolicited */
		udp(REMOTE, 54, PUBLIC, 40000),                       /* other remote port */
		udp(IP4(203, 0, 113, 10), 53, PUBLIC, 40000),         /* other remote address */
		tcp(REMOTE, 80, PUBLIC, 40000, RTE_TCP_ACK_FLAG),     /* other protocol */
		icmp_echo(REMOTE, PUBLIC, RTE_IP_ICMP_ECHO_REQUEST, 40002), /* ping to the NAT */
	}, 9);
	check(n_captured[INSIDE] == 4 && n->out[1] == 4, "nat_replies_forwarded_inside", "inside=%u",
	      n_captured[INSIDE]);
	check(n_captured[INSIDE] == 4 && endpoint_is(captured[INSIDE][0], false, INSIDE_A, 5000) &&
	      rte_be_to_cpu_32(ip_of(captured[INSIDE][0])->src_addr) == REMOTE,
	      "nat_udp_reply_translated", "wrong destination or checksum");
	check(n_captured[INSIDE] == 4 && endpoint_is(captured[INSIDE][1], false, INSIDE_A, 6000),
	      "nat_tcp_reply_translated", "wrong destination or checksum");
	check(n_captured[INSIDE] == 4 && endpoint_is(captured[INSIDE][2], false, INSIDE_A, 77),
	      "nat_icmp_reply_translated", "wrong destination, identifier or checksum");
	check(n_captured[INSIDE] == 4 && rte_be_to_cpu_32(ip_of(captured[INSIDE][3])->dst_addr) == INSIDE_B &&
	      be16_at(l4_of(captured[INSIDE][3]) + 6) == 0, "nat_udp_zero_checksum_reply", "wrong reply");
	check(n->counters[NO_SESSION] == 4 && n->counters[INVALID] == 4 && n->counters[CREATED] == 5,
	      "nat_unsolicited_inbound_dropped", "no_session=%lu invalid=%lu created=%lu",
	      n->counters[NO_SESSION], n->counters[INVALID], n->counters[CREATED]);
	harness_finish(gen, "nat_translation");
}

static void test_static(void)
{
	struct mbox_generation *gen = build("nat_static", "ports = \"40000-40009\"; "
		"static = ( { proto = \"tcp\"; public_port = 8080; inside_address = \"10.0.0.80\"; inside_port = 80; },"
		"           { proto = \"udp\"; public_port = 500; inside_address = \"10.0.0.81\"; } );");
	const struct mbox_elem_rt *n;

	if (!gen)
		return;
	harness_inject(gen, (struct rte_mbuf *[]){
		tcp(REMOTE, 3333, PUBLIC, 8080, RTE_TCP_SYN_FLAG),
		udp(REMOTE, 500, PUBLIC, 500),
		udp(REMOTE, 500, PUBLIC, 8080), /* the TCP mapping only */
	}, 3);
	check(n_captured[INSIDE] == 2 && endpoint_is(captured[INSIDE][0], false, IP4(10, 0, 0, 80), 80) &&
	      endpoint_is(captured[INSIDE][1], false, IP4(10, 0, 0, 81), 500), "nat_static_dnat_inbound",
	      "inside=%u", n_captured[INSIDE]);
	harness_inject(gen, (struct rte_mbuf *[]){
		tcp(IP4(10, 0, 0, 80), 80, REMOTE, 3333, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG),
		tcp(IP4(10, 0, 0, 80), 80, IP4(203, 0, 113, 50), 443, RTE_TCP_SYN_FLAG),
	}, 2);
	n = harness_rt(gen, "n");
	check(n_captured[OUTSIDE] == 2 && endpoint_is(captured[OUTSIDE][0], true, PUBLIC, 8080) &&
	      endpoint_is(captured[OUTSIDE][1], true, PUBLIC, 8080), "nat_static_reply_and_outbound_use_public_port",
	      "outside=%u", n_captured[OUTSIDE]);
	check(n->counters[CREATED] == 3 && n->counters[NO_SESSION] == 1, "nat_static_counters",
	      "created=%lu no_session=%lu", n->counters[CREATED], n->counters[NO_SESSION]);
	harness_finish(gen, "nat_static");
}

/* A change that keeps the pool and capacity continues the sessions, with
 * the new timeouts; one that changes the pool starts an empty table. */
static void test_change(void)
{
	struct mbox_generation *gen = build("nat_change", "ports = \"40000-40009\";");
	const struct mbox_elem_rt *n;

	if (!gen)
		return;
	harness_inject(gen, (struct rte_mbuf *[]){ udp(INSIDE_A, 5000, REMOTE, 53) }, 1);
	harness_reset_capture();
	gen = build_after(gen, "nat_change_timeout", "ports = \"40000-40009\"; udp_timeout = 600;");
	if (!gen)
		return;
	harness_inject(gen, (struct rte_mbuf *[]){ udp(REMOTE, 53, PUBLIC, 40000) }, 1);
	n = harness_rt(gen, "n");
	check(n_captured[INSIDE] == 1 && endpoint_is(captured[INSIDE][0], false, INSIDE_A, 5000) &&
	      n->counters[ACTIVE] == 1 && n->counters[CREATED] == 0, "nat_change_keeps_sessions",
	      "inside=%u active=%lu created=%lu", n_captured[INSIDE], n->counters[ACTIVE], n->counters[CREATED]);
	harness_reset_capture();
	gen = build_after(gen, "nat_change_pool", "ports = \"41000-41009\";");
	if (!gen)
		return;
	harness_inject(gen, (struct rte_mbuf *[]){ udp(REMOTE, 53, PUBLIC, 40000) }, 1);
	n = harness_rt(gen, "n");
	check(n_captured[INSIDE] == 0 && n->counters[NO_SESSION] == 1 && n->counters[ACTIVE] == 0,
	      "nat_change_of_pool_starts_empty", "inside=%u no_session=%lu active=%lu", n_captured[INSIDE],
	      n->counters[NO_SESSION], n->counters[ACTIVE]);
	harness_finish(gen, "nat_change");
}

static void test_limits(void)
{
	struct mbox_generation *gen = build("nat_ports_exhausted", "ports = \"40000-40001\";");
	const struct mbox_elem_rt *n;

	if (gen) {
		harness_inject(gen, (struct rte_mbuf *[]){
			udp(INSIDE_A, 1, REMOTE, 53), udp(INSIDE_A, 2, REMOTE, 53), udp(INSIDE_A, 3, REMOTE, 53),
		}, 3);
		n = harness_rt(gen, "n");
		check(n_captured[OUTSIDE] == 2 && n->counters[ALLOC_FAILURES] == 1 && n->drops == 1 &&
		      n->counters[ACTIVE] == 2, "nat_port_exhaustion_counted", "outside=%u alloc_failures=%lu",
		      n_captured[OUTSIDE], n->counters[ALLOC_FAILURES]);
		harness_finish(gen, "nat_ports_exhausted");
	}
	gen = build("nat_table_full", "max_sessions = 2;");
	if (gen) {
		harness_inject(gen, (struct rte_mbuf *[]){
			udp(INSIDE_A, 1, REMOTE, 53), udp(INSIDE_A, 2, REMOTE, 53), udp(INSIDE_A, 3, REMOTE, 53),
			udp(INSIDE_A, 1, REMOTE, 53),
		}, 4);
		n = harness_rt(gen, "n");
		check(n_captured[OUTSIDE] == 3 && n->counters[TABLE_FULL] == 1 && n->counters[ACTIVE] == 2 &&
		      n->counters[ALLOC_FAILURES] == 0, "nat_table_full_counted", "outside=%u table_full=%lu",
		      n_captured[OUTSIDE], n->counters[TABLE_FULL]);
		harness_finish(gen, "nat_table_full");
	}
}

/* The element's clock stands still between the steps below: a session with
 * a 1 s timeout lives while idle for exactly 1 s (hz cycles) and is gone one
 * cycle later.  Runs twice: with a table small enough for the per-burst sweep
 * to reach every session, and with one where only the check on lookup sees
 * them. */
static void test_expiry(const char *test, unsigned max_sessions)
{
	const uint64_t hz = rte_get_tsc_hz();
	char params[160], name[64];
	struct mbox_generation *gen;
	const struct mbox_elem_rt *n;

	snprintf(params, sizeof(params), "ports = \"40000-40003\"; max_sessions = %u; "
		 "udp_timeout = 1; tcp_transitory_timeout = 1; tcp_timeout = 100;", max_sessions);
	gen = build(test, params);
	if (!gen)
		return;
	harness_inject(gen, (struct rte_mbuf *[]){
		udp(INSIDE_A, 5000, REMOTE, 53),                        /* 40000 */
		tcp(INSIDE_A, 6000, REMOTE, 80, RTE_TCP_SYN_FLAG),       /* 40001: established below */
		tcp(INSIDE_A, 6001, REMOTE, 80, RTE_TCP_SYN_FLAG),       /* 40002: never answered */
	}, 3);
	harness_inject(gen, (struct rte_mbuf *[]){
		tcp(REMOTE, 80, PUBLIC, 40001, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG),
		tcp(INSIDE_A, 6000, REMOTE, 80, RTE_TCP_ACK_FLAG),
	}, 2);
	harness_reset_capture();
	/* Idle for exactly the timeout: a packet of each still finds its session. */
	harness_clock_advance(hz);
	harness_inject(gen, (struct rte_mbuf *[]){
		udp(REMOTE, 53, PUBLIC, 40000),
		tcp(INSIDE_A, 6001, REMOTE, 80, RTE_TCP_SYN_FLAG),
	}, 2);
	n = harness_rt(gen, "n");
	snprintf(name, sizeof(name), "%s_alive_at_timeout", test);
	check(n->counters[EXPIRED] == 0 && n->counters[ACTIVE] == 3 && n_captured[INSIDE] == 1 &&
	      n_captured[OUTSIDE] == 1 && endpoint_is(captured[OUTSIDE][0], true, PUBLIC, 40002), name,
	      "expired=%lu active=%lu inside=%u outside=%u", n->counters[EXPIRED], n->counters[ACTIVE],
	      n_captured[INSIDE], n_captured[OUTSIDE]);
	harness_reset_capture();
	/* One cycle past the timeout since those packets. */
	harness_clock_advance(hz + 1);
	harness_inject(gen, (struct rte_mbuf *[]){
		udp(REMOTE, 53, PUBLIC, 40000),
		tcp(REMOTE, 80, PUBLIC, 40001, RTE_TCP_ACK_FLAG),
		tcp(REMOTE, 80, PUBLIC, 40002, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG),
	}, 3);
	snprintf(name, sizeof(name), "%s_established_tcp_kept", test);
	check(n_captured[INSIDE] == 1 && endpoint_is(captured[INSIDE][0], false, INSIDE_A, 6000), name,
	      "inside=%u", n_captured[INSIDE]);
	snprintf(name, sizeof(name), "%s_idle_udp_and_half_open_tcp_expire", test);
	check(n->counters[EXPIRED] == 2 && n->counters[ACTIVE] == 1 && n->counters[NO_SESSION] == 2, name,
	      "expired=%lu active=%lu no_session=%lu", n->counters[EXPIRED], n->counters[ACTIVE],
	      n->counters[NO_SESSION]);
	harness_inject(gen, (struct rte_mbuf *[]){ tcp(INSIDE_A, 6000, REMOTE, 80, RTE_TCP_FIN_FLAG) }, 1);
	harness_reset_capture();
	harness_clock_advance(hz + 1);
	harness_inject(gen, (struct rte_mbuf *[]){
		tcp(REMOTE, 80, PUBLIC, 40001, RTE_TCP_ACK_FLAG),
		udp(INSIDE_B, 1, REMOTE, 53), udp(INSIDE_B, 2, REMOTE, 53),
	}, 3);
	snprintf(name, sizeof(name), "%s_closed_tcp_expires", test);
	check(n->counters[EXPIRED] == 3 && n->counters[ACTIVE] == 2 && n_captured[INSIDE] == 0, name,
	      "expired=%lu active=%lu inside=%u", n->counters[EXPIRED], n->counters[ACTIVE], n_captured[INSIDE]);
	/* Released ports come back oldest first, before unused ones (40003). */
	snprintf(name, sizeof(name), "%s_ports_reused_oldest_first", test);
	check(n_captured[OUTSIDE] == 2 && endpoint_is(captured[OUTSIDE][0], true, PUBLIC, 40000) &&
	      endpoint_is(captured[OUTSIDE][1], true, PUBLIC, 40002), name, "outside=%u", n_captured[OUTSIDE]);
	harness_finish(gen, test);
}

static void test_errors(void)
{
	harness_expect_error("nat_rejects_short_prefix",
		"{ name = \"n\"; kind = \"nat\"; address = \"198.50.0.0/15\"; }", LINKS, "expected /16 or longer");
	harness_expect_error("nat_rejects_static_port_in_range",
		"{ name = \"n\"; kind = \"nat\"; address = \"198.51.100.1\"; static = ( { proto = \"tcp\"; public_port = 2000; inside_address = \"10.0.0.1\"; } ); }",
		LINKS, "lies in the ports range 1024-65535");
	harness_expect_error("nat_rejects_duplicate_static_port",
		"{ name = \"n\"; kind = \"nat\"; address = \"198.51.100.1\"; static = ( { proto = \"udp\"; public_port = 53; inside_address = \"10.0.0.1\"; }, { proto = \"udp\"; public_port = 53; inside_address = \"10.0.0.2\"; } ); }",
		LINKS, "already mapped by static[0]");
	harness_expect_error("nat_rejects_unknown_protocol",
		"{ name = \"n\"; kind = \"nat\"; address = \"198.51.100.1\"; static = ( { proto = \"sctp\"; public_port = 53; inside_address = \"10.0.0.1\"; } ); }",
		LINKS, "\"sctp\"");
}

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv[0]);
	test_translation();
	test_static();
	test_change();
	test_limits();
	test_expiry("nat_expiry_by_sweep", 8);
	test_expiry("nat_expiry_on_lookup", 4096);
	test_errors();
	return harness_done();
}
