/* nat: source NAT with connection tracking for TCP, UDP and ICMP echo.
 * Packets to a public address are inbound (replies, or static DNAT); all
 * others are outbound.  Each session owns one public (address, port) from
 * the pool and two rte_hash keys: its outbound 5-tuple and its inbound
 * 5-tuple.  One worker owns the table, so the fast path needs no locks;
 * expiry is an incremental sweep of a few sessions per burst, plus a check
 * on every hit so that a session never outlives its timeout. */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "config.h"
#include "log.h"
#include "pkt.h"

enum {
	NAT_ACTIVE_SESSIONS, NAT_CREATED, NAT_EXPIRED, NAT_ALLOC_FAILURES,
	NAT_TABLE_FULL, NAT_NO_SESSION, NAT_FRAGMENTS, NAT_INVALID,
};
enum { OUT_OUTSIDE, OUT_INSIDE };
enum { T_TCP_ESTABLISHED, T_TCP_TRANSITORY, T_UDP, T_ICMP, T_COUNT };

#define NAT_MAX_STATIC 64
/* Sessions the sweep examines per burst: bounded work on the fast path;
 * the check on every hit keeps timeouts exact between sweeps. */
#define SWEEP_PER_BURST 32
#define NO_KEY UINT8_MAX
/* Whole-pool arithmetic stays within 32 bits: 65536 addresses x 65535 ports. */
#define MIN_PREFIX_LEN 16

struct static_map {
	uint8_t proto;
	uint16_t public_port, inside_port; /* network order */
	uint32_t inside_addr;              /* network order */
};

/* What shapes a session table: a new generation may continue the running
 * table (sessions survive the change) only when these are the same. */
struct nat_pool {
	uint32_t addr_lo, n_addrs; /* public addresses, host order */
	uint32_t port_lo, n_ports; /* dynamic port range */
	uint32_t max_sessions;
};

/* From setup(): the parsed parameters. */
struct nat_conf {
	struct nat_pool pool;
	uint32_t timeout_s[T_COUNT];
	uint64_t timeout_cycles[T_COUNT]; /* from create() or adopt(): needs the TSC rate */
	unsigned worker_lcore;
	unsigned n_static;
	struct static_map statics[NAT_MAX_STATIC];
};

/* One hash key per direction.  local: the inside endpoint outbound, the
 * public one inbound.  ICMP echo keys carry the identifier as local_port
 * and 0 as remote_port (so do their sessions).  All fields in network
 * order. */
struct flow_key {
	uint32_t local_addr, remote_addr;
	uint16_t local_port, remote_port;
	uint8_t proto, inbound;
	uint16_t zero;
};

enum { SEEN_OUT = 1, SEEN_IN = 2, SEEN_CLOSE = 4 };

struct session {
	uint32_t inside_addr, public_addr, remote_addr; /* network order */
	uint16_t inside_port, public_port, remote_port; /* network order */
	uint8_t proto;      /* 0: slot free */
	uint8_t tcp_seen;   /* SEEN_* */
	uint8_t timeout;    /* T_* */
	bool from_pool;     /* the public port returns to the pool on close */
	uint64_t last_seen; /* TSC */
};

/* The worker's table (e->dp), created on the control thread; adopted by
 * the next generation's element when the pool is the same. */
struct nat_table {
	struct nat_pool pool;
	struct rte_hash *flows; /* flow_key -> session index */
	struct session *sessions;
	uint32_t *free_sessions;   /* stack of free session indices */
	uint32_t n_free_sessions;
	/* Pool index = address offset * n_ports + port offset.  Released
	 * indices queue in a FIFO (oldest reused first); indices at or above
	 * never_used have not been handed out yet.  Since the FIFO is taken
	 * first, never_used <= max_sessions and the FIFO fits max_sessions. */
	uint32_t *free_ports;
	uint32_t free_ports_head, n_free_ports, never_used, pool_size;
	uint32_t sweep_cursor;
};

/* What translation needs from a packet: pointers into its headers, bytes
 * because L4 fields may be unaligned (behind a VLAN tag, say). */
struct pkt {
	struct rte_ipv4_hdr *ip;
	uint8_t *sport, *dport; /* ICMP echo: both point at the identifier */
	uint8_t *l4_cksum;      /* NULL: UDP without checksum */
	uint8_t proto, tcp_flags, icmp_type;
};

static const char *const proto_names[] = { "tcp", "udp", NULL };
static const uint8_t proto_numbers[] = { IPPROTO_TCP, IPPROTO_UDP };

static const struct mbox_param static_fields[] = {
	{ .name = "proto", .type = MBOX_P_ENUM, .choices = proto_names,
	  .help = "tcp or udp" },
	{ .name = "public_port", .type = MBOX_P_UINT, .min = 1, .max = 65535,
	  .help = "port on the first public address, outside the ports range" },
	{ .name = "inside_address", .type = MBOX_P_IPV4,
	  .help = "inside host that receives the connections" },
	{ .name = "inside_port", .type = MBOX_P_UINT, .min = 1, .max = 65535, .optional = true,
	  .help = "port on the inside host (default: public_port)" },
	{ 0 }
};

static const struct mbox_param nat_params[] = {
	{ .name = "address", .type = MBOX_P_PREFIX,
	  .help = "public address, or a prefix (/16 or longer) whose every address is used" },
	{ .name = "ports", .type = MBOX_P_RANGE, .def = "1024-65535", .min = 1, .max = 65535,
	  .help = "public ports (and ICMP echo identifiers) handed to sessions" },
	{ .name = "tcp_timeout", .type = MBOX_P_UINT, .def = "7440", .min = 1, .max = 604800,
	  .help = "seconds an established TCP session may idle (RFC 5382: at least 7440)" },
	{ .name = "tcp_transitory_timeout", .type = MBOX_P_UINT, .def = "240", .min = 1, .max = 604800,
	  .help = "seconds a TCP session may idle while opening or after FIN/RST (RFC 5382: 240)" },
	{ .name = "udp_timeout", .type = MBOX_P_UINT, .def = "300", .min = 1, .max = 604800,
	  .help = "seconds a UDP session may idle (RFC 4787: at least 120, 300 recommended)" },
	{ .name = "icmp_timeout", .type = MBOX_P_UINT, .def = "60", .min = 1, .max = 604800,
	  .help = "seconds an ICMP echo session may idle (RFC 5508: 60)" },
	{ .name = "max_sessions", .type = MBOX_P_UINT, .def = "65536", .min = 1, .max = 4194304,
	  .help = "capacity of the session table" },
	{ .name = "static", .type = MBOX_P_LIST, .optional = true, .writable = true,
	  .min = 1, .max = NAT_MAX_STATIC, .fields = static_fields,
	  .help = "static DNAT: connections to public_port reach inside_address:inside_port" },
	{ 0 }
};

static int static_setup(struct mbox_element *e, struct mbox_diag *d, struct nat_conf *c,
			const struct mbox_value *list, unsigned i)
{
	const struct mbox_value *public_port = mbox_list_field(list, static_fields, i, "public_port");
	const struct mbox_value *inside_port = mbox_list_field(list, static_fields, i, "inside_port");
	struct static_map *s = &c->statics[i];

	s->proto = proto_numbers[mbox_list_field(list, static_fields, i, "proto")->u];
	s->public_port = rte_cpu_to_be_16((uint16_t)public_port->u);
	s->inside_port = rte_cpu_to_be_16((uint16_t)(inside_port->present ? inside_port->u : public_port->u));
	s->inside_addr = rte_cpu_to_be_32(mbox_list_field(list, static_fields, i, "inside_address")->ip.addr);
	if (public_port->u >= c->pool.port_lo && public_port->u < c->pool.port_lo + c->pool.n_ports) {
		mbox_diag_error(d, e->file, public_port->line, "element '%s': static[%u]: public_port %lu lies in the ports range %u-%u, expected a port outside it",
				e->name, i, public_port->u, c->pool.port_lo, c->pool.port_lo + c->pool.n_ports - 1);
		return -1;
	}
	for (unsigned j = 0; j < i; j++)
		if (c->statics[j].proto == s->proto && c->statics[j].public_port == s->public_port) {
			mbox_diag_error(d, e->file, public_port->line, "element '%s': static[%u]: public_port %lu is already mapped by static[%u], expected each port once per protocol",
					e->name, i, public_port->u, j);
			return -1;
		}
	return 0;
}

static int nat_setup(struct mbox_element *e, struct mbox_config *cfg, struct mbox_diag *d)
{
	static const char *const timeout_params[T_COUNT] = {
		[T_TCP_ESTABLISHED] = "tcp_timeout", [T_TCP_TRANSITORY] = "tcp_transitory_timeout",
		[T_UDP] = "udp_timeout", [T_ICMP] = "icmp_timeout",
	};
	const struct mbox_value *address = mbox_param(e, "address");
	const struct mbox_value *ports = mbox_param(e, "ports");
	const struct mbox_value *statics = mbox_param(e, "static");
	struct nat_conf *c = mbox_config_alloc(cfg, sizeof(*c));
	int rc = 0;

	if (cfg->dpdk.workers != 1) {
		mbox_diag_error(d, e->file, e->line, "element '%s': nat keeps its sessions on one worker, but dpdk.lcores gives %u workers, expected one worker (a main and one other lcore)",
				e->name, cfg->dpdk.workers);
		return -1;
	}
	if (address->ip.len < MIN_PREFIX_LEN) {
		mbox_diag_error(d, e->file, address->line, "element '%s': address has a /%u prefix, expected /%u or longer",
				e->name, address->ip.len, MIN_PREFIX_LEN);
		return -1;
	}
	c->pool.addr_lo = address->ip.addr;
	c->pool.n_addrs = 1u << (32 - address->ip.len);
	c->pool.port_lo = (uint32_t)ports->range.lo;
	c->pool.n_ports = (uint32_t)(ports->range.hi - ports->range.lo + 1);
	c->pool.max_sessions = (uint32_t)mbox_param(e, "max_sessions")->u;
	for (unsigned t = 0; t < T_COUNT; t++)
		c->timeout_s[t] = (uint32_t)mbox_param(e, timeout_params[t])->u;
	c->worker_lcore = cfg->dpdk.worker_lcores[0];
	c->n_static = statics->present ? statics->list.n : 0;
	for (unsigned i = 0; i < c->n_static; i++)
		if (static_setup(e, d, c, statics, i) < 0)
			rc = -1;
	e->priv = c;
	return rc;
}

static void nat_destroy(struct mbox_element *e)
{
	struct nat_table *t = e->dp;

	if (!t)
		return;
	rte_hash_free(t->flows);
	rte_free(t->sessions);
	rte_free(t->free_sessions);
	rte_free(t->free_ports);
	rte_free(t);
	e->dp = NULL;
}

static void set_timeouts(struct nat_conf *c)
{
	for (unsigned i = 0; i < T_COUNT; i++)
		c->timeout_cycles[i] = c->timeout_s[i] * rte_get_tsc_hz();
}

/* Sessions survive a change that keeps the pool and the capacity; new
 * timeouts apply to them at once, and removed static mappings close theirs
 * only by expiry (as a connection tracker keeps flows past a rule change). */
static bool nat_adopt(struct mbox_element *e, const struct mbox_element *old)
{
	struct nat_conf *c = e->priv;
	const struct nat_table *t = old->dp;

	if (memcmp(&t->pool, &c->pool, sizeof(c->pool)))
		return false;
	set_timeouts(c);
	e->dp = old->dp;
	return true;
}

static int nat_create(struct mbox_element *e)
{
	/* Old and new generations coexist during a reload: unique names. */
	static unsigned hash_seq;
	struct nat_conf *c = e->priv;
	int socket = (int)rte_lcore_to_socket_id(c->worker_lcore);
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		/* Two keys per session; the extendable table guarantees room. */
		.entries = RTE_MAX(2 * c->pool.max_sessions, 64u),
		.key_len = sizeof(struct flow_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct nat_table *t = rte_zmalloc_socket("nat_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);

	e->dp = t;
	if (!t)
		goto nomem;
	snprintf(name, sizeof(name), "nat%u", ++hash_seq);
	t->pool = c->pool;
	t->flows = rte_hash_create(&hp);
	t->sessions = rte_zmalloc_socket("nat_sessions", sizeof(*t->sessions) * t->pool.max_sessions,
					 RTE_CACHE_LINE_SIZE, socket);
	t->free_sessions = rte_malloc_socket("nat_free_sessions", sizeof(uint32_t) * t->pool.max_sessions, 0, socket);
	t->free_ports = rte_malloc_socket("nat_free_ports", sizeof(uint32_t) * t->pool.max_sessions, 0, socket);
	if (!t->flows || !t->sessions || !t->free_sessions || !t->free_ports)
		goto nomem;
	/* Pop order: session 0 first, which keeps tests readable. */
	for (uint32_t i = 0; i < t->pool.max_sessions; i++)
		t->free_sessions[i] = t->pool.max_sessions - 1 - i;
	t->n_free_sessions = t->pool.max_sessions;
	t->pool_size = t->pool.n_addrs * t->pool.n_ports;
	set_timeouts(c);
	return 0;
nomem:
	log_err("nat '%s': out of memory for %u sessions", e->name, c->pool.max_sessions);
	nat_destroy(e);
	return -1;
}

/* ---- fast path ---- */

static __rte_always_inline uint16_t get16(const uint8_t *at)
{
	uint16_t v;

	memcpy(&v, at, sizeof(v));
	return v;
}

static __rte_always_inline void put16(uint8_t *at, uint16_t v)
{
	memcpy(at, &v, sizeof(v));
}

/* Set the destination (inbound) or source address and port (or echo
 * identifier) of the packet and patch the IPv4 and L4 checksums to match. */
static __rte_always_inline void rewrite(struct pkt *p, bool inbound, uint32_t new_addr, uint16_t new_port)
{
	uint32_t old_addr = inbound ? p->ip->dst_addr : p->ip->src_addr;
	uint8_t *port = inbound ? p->dport : p->sport;
	uint16_t old_port = get16(port);

	p->ip->hdr_checksum = pkt_cksum_replace32(p->ip->hdr_checksum, old_addr, new_addr);
	if (p->l4_cksum) {
		uint16_t c = pkt_cksum_replace16(get16(p->l4_cksum), old_port, new_port);

		/* TCP and UDP checksums cover the addresses (pseudo-header). */
		if (p->proto != IPPROTO_ICMP)
			c = pkt_cksum_replace32(c, old_addr, new_addr);
		/* 0 means "no checksum" in UDP: send its other form. */
		if (p->proto == IPPROTO_UDP && c == 0)
			c = 0xffff;
		put16(p->l4_cksum, c);
	}
	if (inbound)
		p->ip->dst_addr = new_addr;
	else
		p->ip->src_addr = new_addr;
	put16(port, new_port);
}

/* Fills p; returns -1, or the counter that charges a packet it cannot
 * translate.  The L4 header must lie in the first segment (pkt_l4_hdr). */
static __rte_always_inline int parse(struct rte_mbuf *m, struct pkt *p)
{
	struct pkt_info pi;
	uint8_t *l4;

	pkt_parse(m, &pi);
	if (unlikely(!pkt_is_ipv4(&pi)))
		return NAT_INVALID;
	/* Only the first fragment has ports, and without reassembly the rest
	 * could not follow it: all fragments are dropped. */
	if (pi.frag != PKT_FRAG_NONE)
		return NAT_FRAGMENTS;
	p->ip = pkt_ipv4_hdr(m, &pi);
	p->proto = pi.l4_proto;
	/* A TCP header has 20 bytes, UDP and ICMP echo ones 8. */
	l4 = pkt_l4_hdr(m, &pi, p->proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr));
	if (!l4)
		return NAT_INVALID;
	switch (p->proto) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *tcp = (const struct rte_tcp_hdr *)l4;

		p->sport = l4 + offsetof(struct rte_tcp_hdr, src_port);
		p->dport = l4 + offsetof(struct rte_tcp_hdr, dst_port);
		p->l4_cksum = l4 + offsetof(struct rte_tcp_hdr, cksum);
		p->tcp_flags = tcp->tcp_flags;
		return -1;
	}
	case IPPROTO_UDP: {
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)l4;

		p->sport = l4 + offsetof(struct rte_udp_hdr, src_port);
		p->dport = l4 + offsetof(struct rte_udp_hdr, dst_port);
		p->l4_cksum = udp->dgram_cksum ? l4 + offsetof(struct rte_udp_hdr, dgram_cksum) : NULL;
		return -1;
	}
	case IPPROTO_ICMP: {
		const struct rte_icmp_hdr *icmp = (const struct rte_icmp_hdr *)l4;

		if (icmp->icmp_code != 0)
			return NAT_INVALID;
		p->icmp_type = icmp->icmp_type;
		p->sport = p->dport = l4 + offsetof(struct rte_icmp_hdr, icmp_ident);
		p->l4_cksum = l4 + offsetof(struct rte_icmp_hdr, icmp_cksum);
		return -1;
	}
	default:
		return NAT_INVALID;
	}
}

static __rte_always_inline bool is_public(const struct nat_pool *pool, uint32_t addr_be)
{
	return rte_be_to_cpu_32(addr_be) - pool->addr_lo < pool->n_addrs;
}

static __rte_always_inline void flow_key_of(struct flow_key *k, const struct pkt *p, bool inbound)
{
	k->proto = p->proto;
	k->inbound = inbound;
	k->zero = 0;
	if (inbound) {
		k->local_addr = p->ip->dst_addr;
		k->local_port = get16(p->dport);
		k->remote_addr = p->ip->src_addr;
		k->remote_port = p->proto == IPPROTO_ICMP ? 0 : get16(p->sport);
	} else {
		k->local_addr = p->ip->src_addr;
		k->local_port = get16(p->sport);
		k->remote_addr = p->ip->dst_addr;
		k->remote_port = p->proto == IPPROTO_ICMP ? 0 : get16(p->dport);
	}
}

static __rte_always_inline void session_keys(const struct session *s, struct flow_key *out, struct flow_key *in)
{
	*out = (struct flow_key){ .local_addr = s->inside_addr, .remote_addr = s->remote_addr,
				  .local_port = s->inside_port, .remote_port = s->remote_port,
				  .proto = s->proto, .inbound = 0 };
	*in = (struct flow_key){ .local_addr = s->public_addr, .remote_addr = s->remote_addr,
				 .local_port = s->public_port, .remote_port = s->remote_port,
				 .proto = s->proto, .inbound = 1 };
}

/* Another worker's clock may be a walk ahead: a last_seen after now is fresh. */
static __rte_always_inline bool session_expired(const struct nat_conf *c, const struct session *s, uint64_t now)
{
	return now > s->last_seen && now - s->last_seen > c->timeout_cycles[s->timeout];
}

static __rte_always_inline void release_port(struct nat_table *t, const struct session *s)
{
	uint32_t addr_off = rte_be_to_cpu_32(s->public_addr) - t->pool.addr_lo;
	uint32_t port_off = rte_be_to_cpu_16(s->public_port) - t->pool.port_lo;
	uint32_t tail = t->free_ports_head + t->n_free_ports;

	if (tail >= t->pool.max_sessions)
		tail -= t->pool.max_sessions;
	t->free_ports[tail] = addr_off * t->pool.n_ports + port_off;
	t->n_free_ports++;
}

/* Sets s's public address and port from the pool; false when it is spent. */
static __rte_always_inline bool take_port(struct nat_table *t, struct session *s)
{
	uint32_t index;

	if (t->n_free_ports) {
		index = t->free_ports[t->free_ports_head];
		if (++t->free_ports_head == t->pool.max_sessions)
			t->free_ports_head = 0;
		t->n_free_ports--;
	} else if (t->never_used < t->pool_size) {
		index = t->never_used++;
	} else {
		return false;
	}
	s->public_addr = rte_cpu_to_be_32(t->pool.addr_lo + index / t->pool.n_ports);
	s->public_port = rte_cpu_to_be_16((uint16_t)(t->pool.port_lo + index % t->pool.n_ports));
	return true;
}

static void session_expire(struct nat_table *t, struct mbox_elem_rt *rt, struct session *s)
{
	struct flow_key out, in;

	session_keys(s, &out, &in);
	rte_hash_del_key(t->flows, &out);
	rte_hash_del_key(t->flows, &in);
	if (s->from_pool)
		release_port(t, s);
	s->proto = 0;
	t->free_sessions[t->n_free_sessions++] = (uint32_t)(s - t->sessions);
	rt->counters[NAT_ACTIVE_SESSIONS]--;
	rt->counters[NAT_EXPIRED]++;
}

/* Opens a session like `want` (endpoints set; public ones too unless
 * from_pool).  NULL after counting why. */
static struct session *session_open(struct nat_table *t, struct mbox_elem_rt *rt,
				    const struct session *want, uint64_t now)
{
	struct flow_key out, in;
	struct session *s;
	uint32_t index;

	if (unlikely(!t->n_free_sessions)) {
		rt->counters[NAT_TABLE_FULL]++;
		return NULL;
	}
	index = t->free_sessions[t->n_free_sessions - 1];
	s = &t->sessions[index];
	*s = *want;
	if (s->from_pool && unlikely(!take_port(t, s))) {
		s->proto = 0;
		rt->counters[NAT_ALLOC_FAILURES]++;
		return NULL;
	}
	session_keys(s, &out, &in);
	/* Cannot fail for room (extendable table sized for every session);
	 * an error leaves the slot free. */
	if (unlikely(rte_hash_add_key_data(t->flows, &out, (void *)(uintptr_t)index) < 0 ||
		     rte_hash_add_key_data(t->flows, &in, (void *)(uintptr_t)index) < 0)) {
		rte_hash_del_key(t->flows, &out);
		if (s->from_pool)
			release_port(t, s);
		s->proto = 0;
		rt->counters[NAT_TABLE_FULL]++;
		return NULL;
	}
	t->n_free_sessions--;
	s->last_seen = now;
	s->timeout = s->proto == IPPROTO_TCP ? T_TCP_TRANSITORY : s->proto == IPPROTO_UDP ? T_UDP : T_ICMP;
	rt->counters[NAT_CREATED]++;
	rt->counters[NAT_ACTIVE_SESSIONS]++;
	return s;
}

static __rte_always_inline const struct static_map *static_find(const struct nat_conf *c, uint8_t proto,
								 bool by_public, uint32_t addr, uint16_t port)
{
	for (unsigned i = 0; i < c->n_static; i++) {
		const struct static_map *m = &c->statics[i];

		if (m->proto == proto && (by_public ? m->public_port == port
					  : m->inside_addr == addr && m->inside_port == port))
			return m;
	}
	return NULL;
}

/* The first packet of flow k: outbound opens a session (on a static
 * mapping's port when the inside endpoint has one), inbound only through
 * static DNAT. */
static struct session *session_for_new_flow(struct nat_table *t, struct mbox_elem_rt *rt,
					    const struct flow_key *k, uint64_t now)
{
	const struct nat_conf *c = rt->elem->priv;
	struct session want = { .proto = k->proto, .remote_addr = k->remote_addr, .remote_port = k->remote_port,
				.inside_addr = k->local_addr, .inside_port = k->local_port, .from_pool = true };
	const struct static_map *m;

	if (k->inbound) {
		m = k->local_addr == rte_cpu_to_be_32(c->pool.addr_lo) ?
			static_find(c, k->proto, true, 0, k->local_port) : NULL;
		if (!m) {
			rt->counters[NAT_NO_SESSION]++;
			return NULL;
		}
		want.inside_addr = m->inside_addr;
		want.inside_port = m->inside_port;
	} else {
		m = static_find(c, k->proto, false, k->local_addr, k->local_port);
	}
	if (m) {
		want.public_addr = rte_cpu_to_be_32(c->pool.addr_lo);
		want.public_port = m->public_port;
		want.from_pool = false;
	}
	return session_open(t, rt, &want, now);
}

static __rte_always_inline void session_touch(struct session *s, const struct pkt *p, bool inbound, uint64_t now)
{
	s->last_seen = now;
	if (s->proto != IPPROTO_TCP)
		return;
	s->tcp_seen |= inbound ? SEEN_IN : SEEN_OUT;
	if (p->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))
		s->tcp_seen |= SEEN_CLOSE;
	s->timeout = (s->tcp_seen & (SEEN_IN | SEEN_OUT | SEEN_CLOSE)) == (SEEN_IN | SEEN_OUT) ?
		T_TCP_ESTABLISHED : T_TCP_TRANSITORY;
}

static __rte_always_inline void sweep(struct nat_table *t, struct mbox_elem_rt *rt, uint64_t now)
{
	const struct nat_conf *c = rt->elem->priv;

	for (unsigned i = 0; i < RTE_MIN(SWEEP_PER_BURST, t->pool.max_sessions); i++) {
		struct session *s = &t->sessions[t->sweep_cursor];

		if (++t->sweep_cursor == t->pool.max_sessions)
			t->sweep_cursor = 0;
		if (s->proto && session_expired(c, s, now))
			session_expire(t, rt, s);
	}
}

/* The session of flow k: the bulk lookup's hit (data), else a second
 * lookup (an earlier packet of this burst may have opened it), else a new
 * one.  A hit that has timed out is closed first. */
static __rte_always_inline struct session *session_of(struct nat_table *t, struct mbox_elem_rt *rt,
						       const struct flow_key *k, bool bulk_hit, void *data,
						       uint64_t now)
{
	struct session *s;

	if (bulk_hit || rte_hash_lookup_data(t->flows, k, &data) >= 0) {
		s = &t->sessions[(uintptr_t)data];
		if (likely(!session_expired(rt->elem->priv, s, now)))
			return s;
		session_expire(t, rt, s);
	}
	return session_for_new_flow(t, rt, k, now);
}

static void translate_chunk(struct rte_graph *graph, struct rte_node *node, struct mbox_elem_rt *rt,
			    struct nat_table *t, void **objs, unsigned n, uint64_t now)
{
	struct pkt pkts[RTE_HASH_LOOKUP_BULK_MAX];
	struct flow_key keys[RTE_HASH_LOOKUP_BULK_MAX];
	const void *key_ptrs[RTE_HASH_LOOKUP_BULK_MAX];
	void *hits[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t slot[RTE_HASH_LOOKUP_BULK_MAX]; /* packet i's key index, or NO_KEY: dropped */
	uint64_t hit_mask = 0, expired_at_lookup;
	unsigned n_keys = 0;

	for (unsigned i = 0; i < n; i++) {
		struct pkt *p = &pkts[i];
		int reject = parse(objs[i], p);
		bool inbound = reject < 0 && is_public(&t->pool, p->ip->dst_addr);

		/* Echo requests go out, replies come back; ICMP errors and
		 * pings to the public address are not translated. */
		if (reject < 0 && p->proto == IPPROTO_ICMP &&
		    p->icmp_type != (inbound ? RTE_IP_ICMP_ECHO_REPLY : RTE_IP_ICMP_ECHO_REQUEST))
			reject = NAT_INVALID;
		if (reject >= 0) {
			rt->counters[reject]++;
			slot[i] = NO_KEY;
			continue;
		}
		flow_key_of(&keys[n_keys], p, inbound);
		key_ptrs[n_keys] = &keys[n_keys];
		slot[i] = (uint8_t)n_keys++;
	}
	if (n_keys)
		rte_hash_lookup_bulk_data(t->flows, key_ptrs, n_keys, &hit_mask, hits);
	/* Sessions close only by expiring: once one has in this burst, a bulk
	 * hit may name a slot reused since, so later packets look up again. */
	expired_at_lookup = rt->counters[NAT_EXPIRED];
	for (unsigned i = 0; i < n; i++) {
		struct pkt *p = &pkts[i];
		unsigned k = slot[i];
		struct session *s;
		bool inbound;

		if (k == NO_KEY) {
			mbox_drop(rt, &objs[i], 1);
			continue;
		}
		inbound = keys[k].inbound;
		s = session_of(t, rt, &keys[k], (hit_mask >> k) & 1 && rt->counters[NAT_EXPIRED] == expired_at_lookup,
			       hits[k], now);
		if (!s) {
			mbox_drop(rt, &objs[i], 1);
			continue;
		}
		session_touch(s, p, inbound, now);
		if (inbound)
			rewrite(p, true, s->inside_addr, s->inside_port);
		else
			rewrite(p, false, s->public_addr, s->public_port);
		mbox_forward_one(graph, node, rt, inbound ? OUT_INSIDE : OUT_OUTSIDE, objs[i]);
	}
}

static uint16_t nat_process(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	struct mbox_elem_rt *rt = mbox_rt(node);
	struct nat_table *t = rt->elem->dp;
	uint64_t now = mbox_now(rt);

	sweep(t, rt, now);
	for (uint16_t done = 0; done < n; done += RTE_HASH_LOOKUP_BULK_MAX)
		translate_chunk(graph, node, rt, t, objs + done, RTE_MIN(n - done, RTE_HASH_LOOKUP_BULK_MAX), now);
	return n;
}

static const char *const nat_outputs[] = { [OUT_OUTSIDE] = "outside", [OUT_INSIDE] = "inside", NULL };
static const char *const nat_counters[] = {
	[NAT_ACTIVE_SESSIONS] = "active_sessions", [NAT_CREATED] = "created", [NAT_EXPIRED] = "expired",
	[NAT_ALLOC_FAILURES] = "alloc_failures", [NAT_TABLE_FULL] = "table_full",
	[NAT_NO_SESSION] = "no_session", [NAT_FRAGMENTS] = "fragments", [NAT_INVALID] = "invalid", NULL
};

static struct mbox_kind nat_kind = {
	.name = "nat",
	.description = "source NAT with connection tracking (TCP, UDP, ICMP echo) and static DNAT",
	.params = nat_params,
	.outputs = nat_outputs,
	.counters = nat_counters,
	.fill_counter = "active_sessions",
	.fill_capacity = "max_sessions",
	.setup = nat_setup,
	.adopt = nat_adopt,
	.create = nat_create,
	.destroy = nat_destroy,
	.process = nat_process,
};
MBOX_ELEMENT_REGISTER(nat_kind)
