/* Fault injection by the linker's --wrap (see fault.h): __wrap_X counts a
 * call of X and either fails it as the plan says or calls __real_X. */
#define _GNU_SOURCE /* dladdr1 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_graph.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "change.h"
#include "config.h"
#include "fault.h"

#define KINDS(X) \
	X(malloc) X(calloc) X(realloc) X(strdup) X(strndup) \
	X(rte_malloc) X(rte_zmalloc) X(rte_calloc) X(rte_malloc_socket) X(rte_zmalloc_socket) \
	X(rte_hash_create) X(rte_acl_create) X(rte_fib_create) X(rte_ring_create) X(rte_ring_create_elem) \
	X(rte_pktmbuf_pool_create) X(rte_mempool_create) X(rte_graph_create) X(rte_node_clone)
#define KIND_ENUM(name) K_##name,
#define KIND_NAME(name) #name,
enum kind { KINDS(KIND_ENUM) K_ANY, N_KINDS };
static const char *const kind_names[N_KINDS] = { KINDS(KIND_NAME) "any" };

#define MAX_RULES 8
#define WALK 0 /* a rule's call number: the window's number */

static struct {
	struct { enum kind kind; unsigned call; } rules[MAX_RULES];
	unsigned n_rules;
	char scope[512];        /* ",fn,fn," */
	bool loaded;            /* the environment was read */
	unsigned window, depth; /* windows opened; nesting of scope functions */
	const char *window_fn;
	unsigned calls[N_KINDS], failed, failed_call;
	enum kind failed_kind;
	size_t heap_before;
} f;

size_t fault_heap_in_use(void)
{
	size_t sum = 0;

	for (unsigned s = 0; s < rte_socket_count(); s++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

static int kind_index(const char *name, size_t len)
{
	for (int k = 0; k < N_KINDS; k++)
		if (strlen(kind_names[k]) == len && !strncmp(kind_names[k], name, len))
			return k;
	return -1;
}

static void reset_window(void)
{
	memset(f.calls, 0, sizeof(f.calls));
	f.failed = 0;
	f.heap_before = fault_heap_in_use();
}

/* plan: "KIND:N" or "KIND:walk", comma-separated.  A plan that names an
 * unknown kind is a broken test: it stops the process. */
static void read_rules(const char *plan)
{
	const char *p = plan;

	f.n_rules = 0;
	while (p && *p && *p != '\n') {
		const char *colon = strchr(p, ':'), *end = strchr(p, ',');
		int k = colon ? kind_index(p, (size_t)(colon - p)) : -1;
		bool walk = colon && !strncmp(colon + 1, "walk", 4);
		char *num_end = walk ? (char *)colon + 5 : NULL;
		unsigned long n = k < 0 || walk ? 0 : strtoul(colon + 1, &num_end, 10);

		if (k < 0 || (!walk && n == 0) || !strchr(",\n", *num_end) || f.n_rules == MAX_RULES) {
			fprintf(stderr, "fault: cannot read the plan \"%s\" at \"%s\": expected KIND:N (N from 1) or "
				"KIND:walk, KIND an allocator or any\n", plan, p);
			exit(3);
		}
		f.rules[f.n_rules].kind = (enum kind)k;
		f.rules[f.n_rules++].call = walk ? WALK : (unsigned)n;
		p = end ? end + 1 : NULL;
	}
}

void fault_plan(const char *plan, const char *scope)
{
	f.loaded = true;
	f.window = 0;
	f.depth = 0;
	snprintf(f.scope, sizeof(f.scope), ",%s,", scope ? scope : "");
	read_rules(plan);
	reset_window();
}

/* MBOX_FAULT_FILE: a plan read again as each window opens, so that a test
 * can choose the call to fail for each change it makes. */
static void read_plan_file(void)
{
	const char *path = getenv("MBOX_FAULT_FILE");
	char plan[256] = "";
	FILE *in = path ? fopen(path, "r") : NULL;

	if (!in)
		return;
	if (!fgets(plan, sizeof(plan), in))
		plan[0] = '\0';
	fclose(in);
	read_rules(plan);
}

static void load_env(void)
{
	if (!f.loaded)
		fault_plan(getenv("MBOX_FAULT"), getenv("MBOX_FAULT_SCOPE"));
}

unsigned fault_calls(const char *kind)
{
	int k = kind_index(kind, strlen(kind));

	return k >= 0 ? f.calls[k] : 0;
}

unsigned fault_failed(void)
{
	return f.failed;
}

/* mbox_config_alloc aborts when memory runs out while a configuration is
 * read (its callers, every element's setup, cannot fail): its calloc is
 * not one the plan counts or fails.  Recognised by the caller's address
 * (the fault build exports its symbols, with their sizes, for dladdr1). */
static bool from_config_alloc(const void *caller)
{
	static uintptr_t start = 1, end;
	Dl_info info;
	const ElfW(Sym) *sym = NULL;

	if (start == 1 && dladdr1((void *)(uintptr_t)mbox_config_alloc, &info, (void **)&sym,
				  RTLD_DL_SYMENT) && sym) {
		start = (uintptr_t)(const void *)info.dli_saddr;
		end = start + sym->st_size;
	}
	return (uintptr_t)caller >= start && (uintptr_t)caller < end;
}

/* Count a call of kind k; whether the plan fails it. */
static bool fails(enum kind k)
{
	load_env();
	if (strcmp(f.scope, ",,") && !f.depth)
		return false; /* scoped: only calls inside a window count */
	f.calls[k]++;
	f.calls[K_ANY]++;
	for (unsigned i = 0; i < f.n_rules; i++) {
		enum kind rk = f.rules[i].kind;

		if ((rk == K_ANY || rk == k) && f.calls[rk] == (f.rules[i].call == WALK ? f.window : f.rules[i].call)) {
			f.failed++;
			f.failed_kind = k;
			f.failed_call = f.calls[K_ANY];
			return true;
		}
	}
	return false;
}

/* A call of scope function fn: opens a window unless one is open. */
static void enter(const char *fn)
{
	char key[80];

	load_env();
	snprintf(key, sizeof(key), ",%s,", fn);
	if (f.depth) {
		f.depth++;
		return;
	}
	if (!strstr(f.scope, key))
		return;
	f.depth = 1;
	f.window++;
	f.window_fn = fn;
	read_plan_file();
	reset_window();
}

static void leave(void)
{
	char counts[512];
	size_t len = 0;

	if (!f.depth || --f.depth)
		return;
	counts[0] = '\0';
	for (int k = 0; k < K_ANY && len < sizeof(counts); k++)
		if (f.calls[k])
			len += (size_t)snprintf(counts + len, sizeof(counts) - len, " %s=%u", kind_names[k], f.calls[k]);
	if (f.failed)
		fprintf(stderr, "fault: %s window %u: %u calls (%s ); failed call %u (%s); heap %zu bytes in use before, "
			"%zu after\n", f.window_fn, f.window, f.calls[K_ANY], counts, f.failed_call,
			kind_names[f.failed_kind], f.heap_before, fault_heap_in_use());
	else
		fprintf(stderr, "fault: %s window %u: %u calls (%s ); failed none; heap %zu bytes in use before, "
			"%zu after\n", f.window_fn, f.window, f.calls[K_ANY], counts, f.heap_before, fault_heap_in_use());
}

/* ---- allocators ---- */

#define FAIL_NULL(name) do { if (fails(K_##name)) { errno = ENOMEM; rte_errno = ENOMEM; return NULL; } } while (0)

void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size)
{
	FAIL_NULL(malloc);
	return __real_malloc(size);
}

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size)
{
	if (from_config_alloc(__builtin_return_address(0)))
		return __real_calloc(n, size);
	FAIL_NULL(calloc);
	return __real_calloc(n, size);
}

void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size)
{
	FAIL_NULL(realloc);
	return __real_realloc(p, size);
}

char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s)
{
	FAIL_NULL(strdup);
	return __real_strdup(s);
}

char *__real_strndup(const char *s, size_t n);
char *__wrap_strndup(const char *s, size_t n)
{
	FAIL_NULL(strndup);
	return __real_strndup(s, n);
}

void *__real_rte_malloc(const char *type, size_t size, unsigned align);
void *__wrap_rte_malloc(const char *type, size_t size, unsigned align)
{
	FAIL_NULL(rte_malloc);
	return __real_rte_malloc(type, size, align);
}

void *__real_rte_zmalloc(const char *type, size_t size, unsigned align);
void *__wrap_rte_zmalloc(const char *type, size_t size, unsigned align)
{
	FAIL_NULL(rte_zmalloc);
	return __real_rte_zmalloc(type, size, align);
}

void *__real_rte_calloc(const char *type, size_t num, size_t size, unsigned align);
void *__wrap_rte_calloc(const char *type, size_t num, size_t size, unsigned align)
{
	FAIL_NULL(rte_calloc);
	return __real_rte_calloc(type, num, size, align);
}

void *__real_rte_malloc_socket(const char *type, size_t size, unsigned align, int socket);
void *__wrap_rte_malloc_socket(const char *type, size_t size, unsigned align, int socket)
{
	FAIL_NULL(rte_malloc_socket);
	return __real_rte_malloc_socket(type, size, align, socket);
}

void *__real_rte_zmalloc_socket(const char *type, size_t size, unsigned align, int socket);
void *__wrap_rte_zmalloc_socket(const char *type, size_t size, unsigned align, int socket)
{
	FAIL_NULL(rte_zmalloc_socket);
	return __real_rte_zmalloc_socket(type, size, align, socket);
}

/* ---- tables, rings, pools, graphs ---- */

struct rte_hash *__real_rte_hash_create(const struct rte_hash_parameters *params);
struct rte_hash *__wrap_rte_hash_create(const struct rte_hash_parameters *params)
{
	FAIL_NULL(rte_hash_create);
	return __real_rte_hash_create(params);
}

struct rte_acl_ctx *__real_rte_acl_create(const struct rte_acl_param *param);
struct rte_acl_ctx *__wrap_rte_acl_create(const struct rte_acl_param *param)
{
	FAIL_NULL(rte_acl_create);
	return __real_rte_acl_create(param);
}

struct rte_fib *__real_rte_fib_create(const char *name, int socket, struct rte_fib_conf *conf);
struct rte_fib *__wrap_rte_fib_create(const char *name, int socket, struct rte_fib_conf *conf)
{
	FAIL_NULL(rte_fib_create);
	return __real_rte_fib_create(name, socket, conf);
}

struct rte_ring *__real_rte_ring_create(const char *name, unsigned count, int socket, unsigned flags);
struct rte_ring *__wrap_rte_ring_create(const char *name, unsigned count, int socket, unsigned flags)
{
	FAIL_NULL(rte_ring_create);
	return __real_rte_ring_create(name, count, socket, flags);
}

struct rte_ring *__real_rte_ring_create_elem(const char *name, unsigned esize, unsigned count, int socket,
					     unsigned flags);
struct rte_ring *__wrap_rte_ring_create_elem(const char *name, unsigned esize, unsigned count, int socket,
					     unsigned flags)
{
	FAIL_NULL(rte_ring_create_elem);
	return __real_rte_ring_create_elem(name, esize, count, socket, flags);
}

struct rte_mempool *__real_rte_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache, uint16_t priv,
						   uint16_t data_room, int socket);
struct rte_mempool *__wrap_rte_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache, uint16_t priv,
						   uint16_t data_room, int socket)
{
	FAIL_NULL(rte_pktmbuf_pool_create);
	return __real_rte_pktmbuf_pool_create(name, n, cache, priv, data_room, socket);
}

struct rte_mempool *__real_rte_mempool_create(const char *name, unsigned n, unsigned elt_size, unsigned cache,
					      unsigned priv, rte_mempool_ctor_t *mp_init, void *mp_arg,
					      rte_mempool_obj_cb_t *obj_init, void *obj_arg, int socket,
					      unsigned flags);
struct rte_mempool *__wrap_rte_mempool_create(const char *name, unsigned n, unsigned elt_size, unsigned cache,
					      unsigned priv, rte_mempool_ctor_t *mp_init, void *mp_arg,
					      rte_mempool_obj_cb_t *obj_init, void *obj_arg, int socket,
					      unsigned flags)
{
	FAIL_NULL(rte_mempool_create);
	return __real_rte_mempool_create(name, n, elt_size, cache, priv, mp_init, mp_arg, obj_init, obj_arg,
					 socket, flags);
}

rte_graph_t __real_rte_graph_create(const char *name, struct rte_graph_param *prm);
rte_graph_t __wrap_rte_graph_create(const char *name, struct rte_graph_param *prm)
{
	if (fails(K_rte_graph_create)) {
		rte_errno = ENOMEM;
		return RTE_GRAPH_ID_INVALID;
	}
	return __real_rte_graph_create(name, prm);
}

rte_node_t __real_rte_node_clone(rte_node_t id, const char *name);
rte_node_t __wrap_rte_node_clone(rte_node_t id, const char *name)
{
	if (fails(K_rte_node_clone)) {
		rte_errno = ENOMEM;
		return RTE_NODE_ID_INVALID;
	}
	return __real_rte_node_clone(id, name);
}

/* ---- scope functions: the change paths a window covers ---- */

#define IN_WINDOW(fn, call) do { enter(#fn); __typeof__(call) r_ = (call); leave(); return r_; } while (0)

int __real_mbox_dataplane_start(struct mbox_config *cfg);
int __wrap_mbox_dataplane_start(struct mbox_config *cfg)
{
	IN_WINDOW(mbox_dataplane_start, __real_mbox_dataplane_start(cfg));
}

int __real_mbox_dataplane_reload(const char *file);
int __wrap_mbox_dataplane_reload(const char *file)
{
	IN_WINDOW(mbox_dataplane_reload, __real_mbox_dataplane_reload(file));
}

int __real_mbox_dataplane_apply(struct mbox_config *cfg, const char *source);
int __wrap_mbox_dataplane_apply(struct mbox_config *cfg, const char *source)
{
	IN_WINDOW(mbox_dataplane_apply, __real_mbox_dataplane_apply(cfg, source));
}

struct mbox_change *__real_mbox_change_prepare(struct mbox_config *cfg, struct mbox_diag *d);
struct mbox_change *__wrap_mbox_change_prepare(struct mbox_config *cfg, struct mbox_diag *d)
{
	IN_WINDOW(mbox_change_prepare, __real_mbox_change_prepare(cfg, d));
}

struct mbox_config *__real_mbox_config_parse(const char *file, const char *text, struct mbox_diag *d);
struct mbox_config *__wrap_mbox_config_parse(const char *file, const char *text, struct mbox_diag *d)
{
	IN_WINDOW(mbox_config_parse, __real_mbox_config_parse(file, text, d));
}

char *__real_mbox_config_edit(const struct mbox_config *cfg, const struct mbox_edit *edits, unsigned n,
			      struct mbox_diag *d);
char *__wrap_mbox_config_edit(const struct mbox_config *cfg, const struct mbox_edit *edits, unsigned n,
			      struct mbox_diag *d)
{
	IN_WINDOW(mbox_config_edit, __real_mbox_config_edit(cfg, edits, n, d));
}

int __real_mbox_config_save(const struct mbox_config *cfg, char *err, size_t err_size);
int __wrap_mbox_config_save(const struct mbox_config *cfg, char *err, size_t err_size)
{
	IN_WINDOW(mbox_config_save, __real_mbox_config_save(cfg, err, err_size));
}
