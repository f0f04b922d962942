/* router: IPv4 longest-prefix-match forwarding with rte_fib.  Each packet's
 * destination is looked up in the routes; the route's next hop names the
 * interface (one output each) and the next hop's MAC.  The TTL is
 * decremented (incremental checksum update, RFC 1624) and the Ethernet
 * header rewritten (source: the interface's MAC, destination: the next
 * hop's).  The router answers ARP requests for its interfaces' addresses
 * and resolves next hops without a configured MAC with ARP: see
 * docs/elements/router.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_fib.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_ring_elem.h>

#include "config.h"
#include "log.h"
#include "param.h"
#include "pkt.h"

#define ROUTER_MAX_NEXT_HOPS 256
#define ROUTER_MAX_ROUTES 65536
/* Next-hop news queued by the workers between two control ticks (100 ms). */
#define ROUTER_LEARN_RING_SIZE 1024
/* rte_fib value for "no route"; the largest a 4-byte DIR24_8 entry holds. */
#define ROUTER_NO_ROUTE ((UINT32_C(1) << 31) - 1)
/* Packets handled per lookup: the stream can grow past one graph burst when
 * several elements link into the router. */
#define ROUTER_CHUNK 64

enum {
	ROUTER_NO_ROUTE_DROPS,
	ROUTER_TTL_EXPIRED,
	ROUTER_BAD_HEADER,
	ROUTER_NOT_IP,
	ROUTER_UNRESOLVED,
	ROUTER_ARP_REPLIES,
	ROUTER_ARP_REQUESTS,
	ROUTER_ARP_LEARNED,
};

/* A next hop's MAC as one 64-bit word: the six bytes in bits 0-47 and
 * NH_RESOLVED.  The control thread publishes a learned MAC with one atomic
 * store of the word, so a worker reads either the old or the new address,
 * never half of each, without locks or a table to reclaim. */
#define NH_RESOLVED (UINT64_C(1) << 48)

/* ---- configuration (setup, no DPDK) ---- */

struct iface_cfg {
	const char *name;
	unsigned port;   /* configuration port index */
	uint32_t addr;   /* host order */
	uint32_t mask;
	bool has_mac;
	struct rte_ether_addr mac;
};

struct next_hop_cfg {
	const char *name;
	uint32_t addr;
	unsigned iface;
	bool has_mac;
	struct rte_ether_addr mac;
};

struct router_cfg {
	unsigned n_ifaces, n_next_hops, n_routes;
	struct iface_cfg ifaces[MBOX_MAX_OUTPUTS];
	struct next_hop_cfg next_hops[ROUTER_MAX_NEXT_HOPS];
	uint16_t *route_next_hop; /* route index -> next hop index */
	uint64_t arp_interval_ms;
};

static const struct mbox_param iface_fields[] = {
	{ .name = "name", .type = MBOX_P_STRING, .help = "the interface's output name" },
	{ .name = "port", .type = MBOX_P_PORT,
	  .help = "port the interface's link is on (ARP is answered for packets received there)" },
	{ .name = "address", .type = MBOX_P_IPV4, .help = "the router's address on the link" },
	{ .name = "prefix_len", .type = MBOX_P_UINT, .min = 1, .max = 32,
	  .help = "length of the link's subnet prefix" },
	{ .name = "mac", .type = MBOX_P_MAC, .optional = true,
	  .help = "source MAC of routed packets and ARP (default: the port's MAC)" },
	{ 0 }
};

static const struct mbox_param next_hop_fields[] = {
	{ .name = "name", .type = MBOX_P_STRING, .help = "name routes use" },
	{ .name = "address", .type = MBOX_P_IPV4, .help = "a neighbour's address on an interface's subnet" },
	{ .name = "interface", .type = MBOX_P_STRING, .optional = true,
	  .help = "interface it is reached through (default: the one whose subnet holds address)" },
	{ .name = "mac", .type = MBOX_P_MAC, .optional = true,
	  .help = "its MAC (default: resolved with ARP)" },
	{ 0 }
};

static const struct mbox_param route_fields[] = {
	{ .name = "prefix", .type = MBOX_P_PREFIX, .help = "destination prefix, e.g. 198.18.0.0/15 or 0.0.0.0/0" },
	{ .name = "next_hop", .type = MBOX_P_STRING, .help = "name of a next hop" },
	{ 0 }
};

static const struct mbox_param router_params[] = {
	{ .name = "interfaces", .type = MBOX_P_LIST, .min = 1, .max = MBOX_MAX_OUTPUTS,
	  .fields = iface_fields,
	  .help = "the router's links; one output each, named after the interface" },
	{ .name = "next_hops", .type = MBOX_P_LIST, .max = ROUTER_MAX_NEXT_HOPS, .writable = true,
	  .fields = next_hop_fields, .help = "neighbours routes forward to" },
	{ .name = "routes", .type = MBOX_P_LIST, .max = ROUTER_MAX_ROUTES, .writable = true,
	  .fields = route_fields, .help = "prefix -> next hop; the longest matching prefix wins" },
	{ .name = "arp_interval_ms", .type = MBOX_P_UINT, .def = "1000", .min = 10, .max = 60000,
	  .help = "time between ARP requests for one unresolved next hop" },
	{ 0 }
};

static uint32_t prefix_mask(unsigned len)
{
	return len ? UINT32_MAX << (32 - len) : 0;
}

/* Index of the item of `list` whose "name" field is `name`, or -1. */
static int item_by_name(const struct mbox_value *list, const struct mbox_param *fields, const char *name)
{
	for (unsigned i = 0; i < list->list.n; i++)
		if (!strcmp(mbox_list_field(list, fields, i, "name")->s, name))
			return (int)i;
	return -1;
}

/* Reports the second of two items with the same name. */
static int check_unique_names(const struct mbox_element *e, struct mbox_diag *d, const char *param,
			      const struct mbox_param *fields)
{
	const struct mbox_value *list = mbox_param(e, param);
	int rc = 0;

	for (unsigned i = 0; i < list->list.n; i++) {
		const struct mbox_value *name = mbox_list_field(list, fields, i, "name");
		int first = item_by_name(list, fields, name->s);

		if (first != (int)i) {
			mbox_diag_error(d, e->file, name->line, "element '%s': %s[%u]: name '%s' is already used by %s[%d], expected unique names",
					e->name, param, i, name->s, param, first);
			rc = -1;
		}
	}
	return rc;
}

static int iface_setup(struct mbox_element *e, struct mbox_diag *d, struct router_cfg *r, unsigned i)
{
	const struct mbox_value *list = mbox_param(e, "interfaces");
	struct iface_cfg *f = &r->ifaces[i];
	const struct mbox_value *name = mbox_list_field(list, iface_fields, i, "name");
	const struct mbox_value *address = mbox_list_field(list, iface_fields, i, "address");
	const struct mbox_value *mac = mbox_list_field(list, iface_fields, i, "mac");

	f->name = name->s;
	f->port = mbox_list_field(list, iface_fields, i, "port")->port;
	f->addr = address->ip.addr;
	f->mask = prefix_mask((unsigned)mbox_list_field(list, iface_fields, i, "prefix_len")->u);
	f->has_mac = mac->present;
	f->mac = mac->mac;
	if (strchr(f->name, ']') || strchr(f->name, ' ')) {
		mbox_diag_error(d, e->file, name->line, "element '%s': interfaces[%u]: name '%s' is malformed, expected no ']' or spaces",
				e->name, i, f->name);
		return -1;
	}
	if (mac->present && !rte_is_valid_assigned_ether_addr(&f->mac)) {
		mbox_diag_error(d, e->file, mac->line, "element '%s': interfaces[%u]: mac is not a unicast address",
				e->name, i);
		return -1;
	}
	for (unsigned j = 0; j < i; j++)
		if ((f->addr & r->ifaces[j].mask) == (r->ifaces[j].addr & r->ifaces[j].mask) ||
		    (r->ifaces[j].addr & f->mask) == (f->addr & f->mask)) {
			mbox_diag_error(d, e->file, address->line, "element '%s': interfaces[%u]: subnet of '%s' overlaps interface '%s', expected disjoint subnets",
					e->name, i, f->name, r->ifaces[j].name);
			return -1;
		}
	e->output_names[e->n_outputs++] = f->name;
	return 0;
}

static int iface_holding(const struct router_cfg *r, uint32_t addr)
{
	for (unsigned i = 0; i < r->n_ifaces; i++)
		if ((addr & r->ifaces[i].mask) == (r->ifaces[i].addr & r->ifaces[i].mask))
			return (int)i;
	return -1;
}

static int next_hop_setup(struct mbox_element *e, struct mbox_diag *d, struct router_cfg *r, unsigned i)
{
	const struct mbox_value *list = mbox_param(e, "next_hops");
	struct next_hop_cfg *h = &r->next_hops[i];
	const struct mbox_value *address = mbox_list_field(list, next_hop_fields, i, "address");
	const struct mbox_value *iface = mbox_list_field(list, next_hop_fields, i, "interface");
	const struct mbox_value *mac = mbox_list_field(list, next_hop_fields, i, "mac");
	int on_subnet = iface_holding(r, address->ip.addr);
	char addr[16];

	h->name = mbox_list_field(list, next_hop_fields, i, "name")->s;
	h->addr = address->ip.addr;
	h->has_mac = mac->present;
	h->mac = mac->mac;
	mbox_prefix_text(h->addr, 32, addr, sizeof(addr));
	if (iface->present) {
		int named = item_by_name(mbox_param(e, "interfaces"), iface_fields, iface->s);

		if (named < 0) {
			mbox_diag_error(d, e->file, iface->line, "element '%s': next_hops[%u]: unknown interface '%s', expected the name of one of 'interfaces'",
					e->name, i, iface->s);
			return -1;
		}
		if (named != on_subnet) {
			mbox_diag_error(d, e->file, address->line, "element '%s': next_hops[%u]: address %s is not on the subnet of interface '%s'",
					e->name, i, addr, iface->s);
			return -1;
		}
	} else if (on_subnet < 0) {
		mbox_diag_error(d, e->file, address->line, "element '%s': next_hops[%u]: address %s is on no interface's subnet, expected a neighbour's address",
				e->name, i, addr);
		return -1;
	}
	h->iface = (unsigned)on_subnet;
	if (h->addr == r->ifaces[on_subnet].addr) {
		mbox_diag_error(d, e->file, address->line, "element '%s': next_hops[%u]: %s is the address of interface '%s', expected a neighbour's address",
				e->name, i, addr, r->ifaces[on_subnet].name);
		return -1;
	}
	if (mac->present && !rte_is_valid_assigned_ether_addr(&h->mac)) {
		mbox_diag_error(d, e->file, mac->line, "element '%s': next_hops[%u]: mac is not a unicast address",
				e->name, i);
		return -1;
	}
	return 0;
}

struct route_key {
	uint64_t prefix; /* address << 8 | length: equal for duplicate routes */
	unsigned index;
};

static int route_key_cmp(const void *a, const void *b)
{
	const struct route_key *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return x->index < y->index ? -1 : (x->index > y->index);
}

/* Sorting finds duplicates in O(n log n): 65536 routes check quickly. */
static int check_unique_prefixes(const struct mbox_element *e, struct mbox_diag *d, struct mbox_config *cfg)
{
	const struct mbox_value *routes = mbox_param(e, "routes");
	struct route_key *keys = mbox_config_alloc(cfg, (routes->list.n + 1) * sizeof(*keys));
	int rc = 0;

	for (unsigned i = 0; i < routes->list.n; i++) {
		const struct mbox_value *p = mbox_list_field(routes, route_fields, i, "prefix");

		keys[i].prefix = (uint64_t)p->ip.addr << 8 | p->ip.len;
		keys[i].index = i;
	}
	qsort(keys, routes->list.n, sizeof(*keys), route_key_cmp);
	for (unsigned k = 1; k < routes->list.n; k++)
		if (keys[k].prefix == keys[k - 1].prefix) {
			const struct mbox_value *p = mbox_list_field(routes, route_fields, keys[k].index, "prefix");
			char text[24];

			mbox_prefix_text(p->ip.addr, p->ip.len, text, sizeof(text));
			mbox_diag_error(d, e->file, p->line, "element '%s': routes[%u]: prefix %s is already routed by routes[%u], expected one route per prefix",
					e->name, keys[k].index, text, keys[k - 1].index);
			rc = -1;
		}
	return rc;
}

static int router_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	const struct mbox_value *ifaces = mbox_param(e, "interfaces");
	const struct mbox_value *next_hops = mbox_param(e, "next_hops");
	const struct mbox_value *routes = mbox_param(e, "routes");
	struct router_cfg *r = mbox_config_alloc(cfg, sizeof(*r));
	int rc = 0;

	e->priv = r;
	r->arp_interval_ms = mbox_param(e, "arp_interval_ms")->u;
	if (check_unique_names(e, d, "interfaces", iface_fields) < 0 ||
	    check_unique_names(e, d, "next_hops", next_hop_fields) < 0)
		return -1;
	for (r->n_ifaces = 0; r->n_ifaces < ifaces->list.n; r->n_ifaces++)
		if (iface_setup(e, d, r, r->n_ifaces) < 0)
			return -1;
	r->n_next_hops = next_hops->list.n;
	for (unsigned i = 0; i < r->n_next_hops; i++)
		if (next_hop_setup(e, d, r, i) < 0)
			rc = -1;
	r->n_routes = routes->list.n;
	r->route_next_hop = mbox_config_alloc(cfg, (r->n_routes + 1) * sizeof(*r->route_next_hop));
	for (unsigned i = 0; i < r->n_routes; i++) {
		const struct mbox_value *nh = mbox_list_field(routes, route_fields, i, "next_hop");
		int idx = item_by_name(next_hops, next_hop_fields, nh->s);

		if (idx < 0) {
			mbox_diag_error(d, e->file, nh->line, "element '%s': routes[%u]: unknown next hop '%s', expected the name of one of 'next_hops'",
					e->name, i, nh->s);
			rc = -1;
		}
		r->route_next_hop[i] = (uint16_t)(idx < 0 ? 0 : idx);
	}
	if (check_unique_prefixes(e, d, cfg) < 0)
		rc = -1;
	return rc;
}

/* ---- shared data-plane state (create/destroy, control thread) ---- */

struct iface_dp {
	struct rte_ether_addr mac;
	uint16_t port_id;
	uint32_t addr; /* host order */
};

struct next_hop_dp {
	uint64_t mac_word;          /* NH_RESOLVED | MAC, atomic: see NH_RESOLVED */
	uint64_t next_request_tsc;  /* rate limit of ARP requests, atomic */
	uint32_t addr;
	uint16_t iface;
	uint16_t port_id;
};

struct router_dp {
	struct rte_fib *fib;        /* destination -> route index */
	struct rte_ring *learned;   /* workers -> control: next hop index | MAC << 16 */
	const struct router_cfg *cfg;
	uint64_t request_interval;  /* TSC ticks */
	struct iface_dp ifaces[MBOX_MAX_OUTPUTS];
	struct next_hop_dp next_hops[];
};

static uint64_t mac_word(const struct rte_ether_addr *mac)
{
	uint64_t w = 0;

	for (unsigned b = 0; b < RTE_ETHER_ADDR_LEN; b++)
		w |= (uint64_t)mac->addr_bytes[b] << (8 * b);
	return w;
}

static __rte_always_inline void word_mac(uint64_t w, struct rte_ether_addr *mac)
{
	for (unsigned b = 0; b < RTE_ETHER_ADDR_LEN; b++)
		mac->addr_bytes[b] = (uint8_t)(w >> (8 * b));
}

static struct rte_fib *fib_build(const struct mbox_element *e, const char *name)
{
	const struct router_cfg *r = e->priv;
	const struct mbox_value *routes = mbox_param(e, "routes");
	struct rte_fib_conf conf = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = ROUTER_NO_ROUTE,
		.max_routes = (int)r->n_routes + 1,
		/* 4-byte entries: route indexes beyond 32767 fit. */
		.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = 1 },
	};
	struct rte_fib *fib;

	/* One tbl8 group per /24 holding a longer prefix, at most. */
	for (unsigned i = 0; i < r->n_routes; i++)
		conf.dir24_8.num_tbl8 += mbox_list_field(routes, route_fields, i, "prefix")->ip.len > 24;
	fib = rte_fib_create(name, SOCKET_ID_ANY, &conf);
	if (!fib) {
		log_err("router '%s': cannot create its route table: %s", e->name, rte_strerror(rte_errno));
		return NULL;
	}
	for (unsigned i = 0; i < r->n_routes; i++) {
		const struct mbox_value *p = mbox_list_field(routes, route_fields, i, "prefix");

		if (rte_fib_add(fib, p->ip.addr, p->ip.len, i) < 0) {
			log_err("router '%s': cannot add routes[%u] to its route table", e->name, i);
			rte_fib_free(fib);
			return NULL;
		}
	}
	return fib;
}

static void router_destroy(struct mbox_element *e)
{
	struct router_dp *dp = e->dp;

	if (!dp)
		return;
	if (dp->fib)
		rte_fib_free(dp->fib);
	rte_ring_free(dp->learned);
	rte_free(dp);
	e->dp = NULL;
}

/* Undoes what succeeded: the framework destroys only created elements. */
static int create_failed(struct mbox_element *e)
{
	router_destroy(e);
	return -1;
}

static int router_create(struct mbox_element *e)
{
	static unsigned instance; /* rte_fib and rte_ring names are global */
	const struct router_cfg *r = e->priv;
	struct router_dp *dp = rte_zmalloc("router", sizeof(*dp) + r->n_next_hops * sizeof(dp->next_hops[0]),
					   RTE_CACHE_LINE_SIZE);
	char name[RTE_RING_NAMESIZE];

	if (!dp) {
		log_err("router '%s': out of memory", e->name);
		return -1;
	}
	e->dp = dp;
	dp->cfg = r;
	dp->request_interval = rte_get_tsc_hz() * r->arp_interval_ms / 1000;
	for (unsigned i = 0; i < r->n_ifaces; i++) {
		dp->ifaces[i].addr = r->ifaces[i].addr;
		dp->ifaces[i].port_id = mbox_port_id(r->ifaces[i].port);
		dp->ifaces[i].mac = r->ifaces[i].mac;
		if (!r->ifaces[i].has_mac && rte_eth_macaddr_get(dp->ifaces[i].port_id, &dp->ifaces[i].mac) < 0) {
			log_err("router '%s': interface '%s': cannot read the port's MAC, expected mac = \"...\"",
				e->name, r->ifaces[i].name);
			return create_failed(e);
		}
	}
	for (unsigned i = 0; i < r->n_next_hops; i++) {
		const struct next_hop_cfg *h = &r->next_hops[i];

		dp->next_hops[i].addr = h->addr;
		dp->next_hops[i].iface = (uint16_t)h->iface;
		dp->next_hops[i].port_id = dp->ifaces[h->iface].port_id;
		dp->next_hops[i].mac_word = h->has_mac ? NH_RESOLVED | mac_word(&h->mac) : 0;
	}
	snprintf(name, sizeof(name), "router%u", instance++);
	dp->fib = fib_build(e, name);
	if (!dp->fib)
		return create_failed(e);
	dp->learned = rte_ring_create_elem(name, sizeof(uint64_t), ROUTER_LEARN_RING_SIZE, SOCKET_ID_ANY,
					   RING_F_SC_DEQ);
	if (!dp->learned) {
		log_err("router '%s': cannot create its ARP queue: %s", e->name, rte_strerror(rte_errno));
		return create_failed(e);
	}
	return 0;
}

/* Publishes what the workers learned from ARP (see NH_RESOLVED). */
static void router_control(struct mbox_element *e, struct mbox_elem_rt *const *rts, unsigned n_workers)
{
	struct router_dp *dp = e->dp;
	uint64_t news[32];
	unsigned n;

	RTE_SET_USED(rts);
	RTE_SET_USED(n_workers);
	while ((n = rte_ring_sc_dequeue_burst_elem(dp->learned, news, sizeof(news[0]), RTE_DIM(news), NULL))) {
		for (unsigned i = 0; i < n; i++) {
			unsigned nh = (unsigned)(news[i] & 0xffff);
			uint64_t word = NH_RESOLVED | news[i] >> 16;
			struct rte_ether_addr mac;
			char text[RTE_ETHER_ADDR_FMT_SIZE];

			if (__atomic_load_n(&dp->next_hops[nh].mac_word, __ATOMIC_RELAXED) == word)
				continue;
			__atomic_store_n(&dp->next_hops[nh].mac_word, word, __ATOMIC_RELEASE);
			word_mac(word, &mac);
			rte_ether_format_addr(text, sizeof(text), &mac);
			log_info("router '%s': next hop '%s' is at %s", e->name, dp->cfg->next_hops[nh].name, text);
		}
	}
}

/* ---- fast path ---- */

/* Packets to free at the end of a chunk, in one bulk call. */
struct drop_list {
	uint16_t n;
	void *pkts[ROUTER_CHUNK];
};

static __rte_always_inline void drop(struct mbox_elem_rt *rt, struct drop_list *dl, struct rte_mbuf *m, unsigned counter)
{
	rt->counters[counter]++;
	dl->pkts[dl->n++] = m;
}

static void fill_arp(struct rte_arp_hdr *arp, uint16_t op, const struct rte_ether_addr *sha, uint32_t sip,
		     const struct rte_ether_addr *tha, uint32_t tip)
{
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = *sha;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
}

/* At most one request per next hop and interval over all workers: the
 * worker whose compare-and-swap moves the deadline sends it.  The mbuf
 * comes from the dropped packet's pool. */
static void request_next_hop(struct rte_graph *graph, struct rte_node *node, struct mbox_elem_rt *rt,
			     struct router_dp *dp, unsigned nh, struct rte_mempool *pool)
{
	static const struct rte_ether_addr unknown = { { 0 } };
	struct next_hop_dp *h = &dp->next_hops[nh];
	const struct iface_dp *f = &dp->ifaces[h->iface];
	uint64_t now = mbox_now(rt), due = __atomic_load_n(&h->next_request_tsc, __ATOMIC_RELAXED);
	struct rte_ether_hdr *eth;
	struct rte_mbuf *m;

	if (now < due || !__atomic_compare_exchange_n(&h->next_request_tsc, &due, now + dp->request_interval,
						      false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	m = rte_pktmbuf_alloc(pool);
	eth = m ? (struct rte_ether_hdr *)rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN) : NULL;
	if (!eth) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(eth, 0, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = f->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	fill_arp((struct rte_arp_hdr *)(eth + 1), RTE_ARP_OP_REQUEST, &f->mac, f->addr, &unknown, h->addr);
	rt->counters[ROUTER_ARP_REQUESTS]++;
	mbox_forward_one(graph, node, rt, h->iface, m);
}

/* The next hop on the receiving port with address `addr`, or -1.  ARP is
 * rare: a scan of at most ROUTER_MAX_NEXT_HOPS is cheap enough. */
static int next_hop_at(const struct router_dp *dp, uint32_t addr, uint16_t port_id)
{
	for (unsigned i = 0; i < dp->cfg->n_next_hops; i++)
		if (dp->next_hops[i].addr == addr && dp->next_hops[i].port_id == port_id)
			return (int)i;
	return -1;
}

static int iface_at(const struct router_dp *dp, uint32_t addr, uint16_t port_id)
{
	for (unsigned i = 0; i < dp->cfg->n_ifaces; i++)
		if (dp->ifaces[i].addr == addr && dp->ifaces[i].port_id == port_id)
			return (int)i;
	return -1;
}

enum learn_result { LEARN_NOTHING, LEARN_QUEUED, LEARN_QUEUE_FULL };

/* A next hop's new or changed MAC goes to the control thread, never
 * blocking: with the ring full the news is lost (the packet counts in
 * drops) and the next ARP exchange tries again.  Static MACs stay. */
static enum learn_result learn(struct mbox_elem_rt *rt, struct router_dp *dp, const struct rte_arp_ipv4 *a,
			       uint16_t port_id)
{
	int nh = next_hop_at(dp, rte_be_to_cpu_32(a->arp_sip), port_id);
	struct rte_ether_addr sha = a->arp_sha;
	uint64_t news;

	if (nh < 0 || dp->cfg->next_hops[nh].has_mac || !rte_is_valid_assigned_ether_addr(&sha) ||
	    __atomic_load_n(&dp->next_hops[nh].mac_word, __ATOMIC_RELAXED) == (NH_RESOLVED | mac_word(&sha)))
		return LEARN_NOTHING;
	news = (unsigned)nh | mac_word(&sha) << 16;
	if (rte_ring_mp_enqueue_elem(dp->learned, &news, sizeof(news)) < 0)
		return LEARN_QUEUE_FULL;
	rt->counters[ROUTER_ARP_LEARNED]++;
	return LEARN_QUEUED;
}

/* ARP: learn from next hops, answer requests for an interface's address
 * (the request becomes the reply, out the interface it came in on).
 * Anything else is not for the router. */
static void handle_not_ipv4(struct rte_graph *graph, struct rte_node *node, struct mbox_elem_rt *rt,
			    struct router_dp *dp, struct rte_mbuf *m, const struct pkt_info *pi, struct drop_list *dl)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct rte_arp_ipv4 *a = &arp->arp_data;
	enum learn_result learned;
	int iface;

	if (pi->n_tags || pi->ethertype != RTE_ETHER_TYPE_ARP) {
		drop(rt, dl, m, ROUTER_NOT_IP);
		return;
	}
	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(uint32_t)) {
		drop(rt, dl, m, ROUTER_BAD_HEADER);
		return;
	}
	learned = learn(rt, dp, a, m->port);
	iface = iface_at(dp, rte_be_to_cpu_32(a->arp_tip), m->port);
	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) && iface >= 0) {
		const struct iface_dp *f = &dp->ifaces[iface];
		struct rte_ether_addr sha = a->arp_sha;

		eth->dst_addr = eth->src_addr;
		eth->src_addr = f->mac;
		fill_arp(arp, RTE_ARP_OP_REPLY, &f->mac, f->addr, &sha, rte_be_to_cpu_32(a->arp_sip));
		rt->counters[ROUTER_ARP_REPLIES]++;
		mbox_forward_one(graph, node, rt, (rte_edge_t)iface, m);
	} else if (learned == LEARN_QUEUED) {
		rte_pktmbuf_free(m); /* consumed, counted in arp_learned */
	} else if (learned == LEARN_QUEUE_FULL) {
		dl->pkts[dl->n++] = m; /* in drops only */
	} else {
		drop(rt, dl, m, ROUTER_NOT_IP);
	}
}

/* pkt_parse() checked the rest; the header checksum is verified in
 * software unless the device already did (RX offload flags). */
static __rte_always_inline bool ipv4_cksum_ok(const struct rte_mbuf *m, const struct pkt_info *pi,
					      const struct rte_ipv4_hdr *ip)
{
	uint64_t cksum = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (cksum == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		return true;
	return cksum != RTE_MBUF_F_RX_IP_CKSUM_BAD && rte_raw_cksum(ip, pi->l4_off - pi->l3_off) == 0xffff;
}

/* TTL - 1 and the checksum updated as RFC 1624 eqn. 3 has it:
 * HC' = ~(~HC + ~m + m'), where the TTL/protocol word m drops by 0x0100,
 * so ~m + m' is 0xfeff in one's complement. */
static __rte_always_inline void ttl_decrement(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum) + 0xfeffu;

	sum = (sum & 0xffff) + (sum >> 16);
	ip->time_to_live--;
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

static void route_chunk(struct rte_graph *graph, struct rte_node *node, struct mbox_elem_rt *rt,
			struct router_dp *dp, void **objs, uint16_t n)
{
	struct rte_mbuf *ipv4[ROUTER_CHUNK];
	uint32_t dst[ROUTER_CHUNK];
	uint64_t route[ROUTER_CHUNK];
	struct drop_list dl = { .n = 0 };
	uint16_t n_ipv4 = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
									 sizeof(struct rte_ether_hdr));
		struct pkt_info pi;

		/* Interfaces are untagged: tagged frames are not IP here. */
		pkt_parse(m, &pi);
		if (unlikely(!pi.l3_off))
			drop(rt, &dl, m, ROUTER_BAD_HEADER);
		else if (unlikely(pi.n_tags || pi.l3 != PKT_L3_IPV4))
			handle_not_ipv4(graph, node, rt, dp, m, &pi, &dl);
		else if (unlikely(pi.status != PKT_OK || !ipv4_cksum_ok(m, &pi, ip)))
			drop(rt, &dl, m, ROUTER_BAD_HEADER);
		else if (unlikely(ip->time_to_live <= 1))
			drop(rt, &dl, m, ROUTER_TTL_EXPIRED);
		else {
			dst[n_ipv4] = rte_be_to_cpu_32(ip->dst_addr);
			ipv4[n_ipv4++] = m;
		}
	}
	rte_fib_lookup_bulk(dp->fib, dst, route, n_ipv4);
	for (uint16_t i = 0; i < n_ipv4; i++) {
		/* cppcheck-suppress uninitvar ; the first loop filled ipv4[0..n_ipv4) */
		struct rte_mbuf *m = ipv4[i];
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		const struct next_hop_dp *h;
		uint64_t mac;
		unsigned nh;

		if (unlikely(route[i] == ROUTER_NO_ROUTE)) {
			drop(rt, &dl, m, ROUTER_NO_ROUTE_DROPS);
			continue;
		}
		rt->rows[route[i]]++;
		nh = dp->cfg->route_next_hop[route[i]];
		h = &dp->next_hops[nh];
		mac = __atomic_load_n(&h->mac_word, __ATOMIC_ACQUIRE);
		if (unlikely(!(mac & NH_RESOLVED))) {
			request_next_hop(graph, node, rt, dp, nh, m->pool);
			drop(rt, &dl, m, ROUTER_UNRESOLVED);
			continue;
		}
		ttl_decrement((struct rte_ipv4_hdr *)(eth + 1));
		word_mac(mac, &eth->dst_addr);
		eth->src_addr = dp->ifaces[h->iface].mac;
		mbox_forward_one(graph, node, rt, h->iface, m);
	}
	if (dl.n)
		mbox_drop(rt, dl.pkts, dl.n);
}

static uint16_t router_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	struct router_dp *dp = rt->elem->dp;

	for (uint16_t done = 0; done < n; done += ROUTER_CHUNK)
		route_chunk(graph, node, rt, dp, objs + done, (uint16_t)RTE_MIN(ROUTER_CHUNK, n - done));
	return n;
}

static const char *const router_counters[] = {
	[ROUTER_NO_ROUTE_DROPS] = "no_route",
	[ROUTER_TTL_EXPIRED] = "ttl_expired",
	[ROUTER_BAD_HEADER] = "bad_header",
	[ROUTER_NOT_IP] = "not_ip",
	[ROUTER_UNRESOLVED] = "unresolved",
	[ROUTER_ARP_REPLIES] = "arp_replies",
	[ROUTER_ARP_REQUESTS] = "arp_requests",
	[ROUTER_ARP_LEARNED] = "arp_learned",
	NULL
};

static struct mbox_kind router_kind = {
	.name = "router",
	.description = "IPv4 longest-prefix-match routing (rte_fib): TTL, MAC rewrite, ARP",
	.params = router_params,
	.outputs_text = "one per interface (its name)",
	.counters = router_counters,
	.setup = router_setup,
	.create = router_create,
	.destroy = router_destroy,
	.control = router_control,
	.counted_list = "routes",
	.process = router_process,
};
MBOX_ELEMENT_REGISTER(router_kind)
