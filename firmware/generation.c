/* A generation's life after it is built: the switch of each worker to it,
 * the commit that makes the change final (what changed, counters and
 * shared state carried over from the generation it replaces), and the
 * control hooks of its elements. */
#include <stdio.h>
#include <string.h>

#include "dataplane.h"
#include "runtime.h"

void mbox_generation_control(const struct mbox_generation *gen)
{
	struct rte_mempool *pool = mbox_dataplane_pool();

	for (unsigned i = 0; i < gen->cfg->n_elements; i++) {
		struct mbox_element *e = &gen->cfg->elements[i];

		if (e->kind->control)
			e->kind->control(e, &gen->rt[i * gen->n_workers], gen->n_workers);
	}
	/* What the hooks freed (capture copies, ARP requests) would otherwise
	 * stay in the control lcore's mempool cache, up to one and a half cache
	 * sizes the workers cannot take (a third of the smallest pool). */
	if (pool)
		rte_mempool_cache_flush(NULL, pool);
}

/* Same kind and every parameter with the same text. */
static bool same_settings(const struct mbox_config *a, unsigned i, const struct mbox_config *b, unsigned j)
{
	const struct mbox_kind *k = a->elements[i].kind;
	char x[1024], y[1024];

	for (unsigned q = 0; k->params[q].name; q++)
		if (strcmp(mbox_config_value_text(a, (int)i, &k->params[q], x, sizeof(x)),
			   mbox_config_value_text(b, (int)j, &k->params[q], y, sizeof(y))))
			return false;
	return true;
}

static void record_changes(struct mbox_generation *to, const struct mbox_generation *from)
{
	size_t len = 0;

	for (unsigned i = 0; i < to->cfg->n_elements; i++) {
		const struct mbox_element *e = &to->cfg->elements[i];
		int prev = from ? to->lineage[i].prev : -1;

		to->lineage[i].change = prev >= 0 ? (same_settings(to->cfg, i, from->cfg, (unsigned)prev) ?
						     CHANGE_UNCHANGED : CHANGE_CHANGED) :
					from && mbox_config_element_index(from->cfg, e->name) >= 0 ? CHANGE_REPLACED :
					CHANGE_ADDED;
	}
	to->removed[0] = '\0';
	for (unsigned j = 0; from && j < from->cfg->n_elements; j++)
		if (mbox_config_element_index(to->cfg, from->cfg->elements[j].name) < 0 && len < sizeof(to->removed))
			len += (size_t)snprintf(to->removed + len, sizeof(to->removed) - len, "%s%s", len ? "," : "",
						from->cfg->elements[j].name);
}

/* The fill counter is a gauge of the element's table: it moves with the
 * table (adopted) or starts at zero with a new one. */
static void continue_worker_state(struct mbox_elem_rt *to, const struct mbox_elem_rt *from, bool adopted)
{
	const struct mbox_kind *k = to->elem->kind;
	int gauge = mbox_kind_counter_index(k, k->fill_counter);

	if (adopted && gauge >= 0)
		to->counters[gauge] = from->counters[gauge];
	if (k->handoff)
		k->handoff(to, from);
}

/* On one worker: each element of `newer` with a predecessor in `older`
 * continues its state (forward), or hands it back (an undone change). */
static void continue_lineage(const struct mbox_generation *newer, const struct mbox_generation *older,
			     unsigned worker, bool forward)
{
	for (unsigned i = 0; i < newer->cfg->n_elements; i++) {
		const struct mbox_lineage *l = &newer->lineage[i];
		struct mbox_elem_rt *n, *o;

		if (l->prev < 0)
			continue;
		n = mbox_generation_rt(newer, i, worker);
		o = mbox_generation_rt(older, (unsigned)l->prev, worker);
		if (forward)
			continue_worker_state(n, o, l->adopted);
		else
			continue_worker_state(o, n, l->adopted);
	}
}

void mbox_generation_switch(const struct mbox_generation *to, const struct mbox_generation *from,
			    unsigned worker)
{
	if (__atomic_load_n(&to->from, __ATOMIC_ACQUIRE) == from)
		continue_lineage(to, from, worker, true);
	else if (__atomic_load_n(&from->from, __ATOMIC_ACQUIRE) == to)
		continue_lineage(from, to, worker, false);
}

/* Add what element j of `from` counted (its carried counts included) to
 * what element i of `to` carries: outputs matched by name; per-item hits
 * restart; the kind's fill gauge is the table's, see continue_worker_state. */
static void add_counts(struct mbox_generation *to, unsigned i, const struct mbox_generation *from, unsigned j)
{
	const struct mbox_element *e = &to->cfg->elements[i];
	int gauge = mbox_kind_counter_index(e->kind, e->kind->fill_counter);
	struct mbox_element_stats old, *c = &to->carried[i];

	mbox_stats_read_element(from, j, &old);
	c->in += old.in;
	c->drops += old.drops;
	c->cycles += old.cycles;
	c->calls += old.calls;
	for (unsigned k = 0; k < MBOX_MAX_COUNTERS; k++)
		if ((int)k != gauge)
			c->counters[k] += old.counters[k];
	/* Outputs may come and go (classifier rules): match them by name. */
	for (unsigned o = 0; o < e->n_outputs; o++)
		for (unsigned p = 0; p < old.n_outputs; p++)
			if (!strcmp(e->output_names[o], old.output_names[p]))
				c->out[o] += old.out[p];
}

/* Before `from` is freed, once no worker walks it: every element of `to`
 * with the same name and kind as one of `from` continues its counters. */
static void carry_counters(struct mbox_generation *to, const struct mbox_generation *from)
{
	for (unsigned i = 0; i < to->cfg->n_elements; i++)
		if (to->lineage[i].prev >= 0)
			add_counts(to, i, from, (unsigned)to->lineage[i].prev);
}

void mbox_generation_undo(struct mbox_generation *to, const struct mbox_generation *undone)
{
	for (unsigned i = 0; i < undone->cfg->n_elements; i++)
		if (undone->lineage[i].prev >= 0)
			add_counts(to, (unsigned)undone->lineage[i].prev, undone, i);
}

void mbox_generation_commit(struct mbox_generation *to, struct mbox_generation *from)
{
	record_changes(to, from);
	if (!from)
		return;
	carry_counters(to, from);
	for (unsigned i = 0; i < to->cfg->n_elements; i++)
		if (to->lineage[i].adopted) {
			from->cfg->elements[to->lineage[i].prev].dp = NULL;
			to->lineage[i].adopted = false;
		}
	/* Every worker has switched: no switch compares it any more. */
	__atomic_store_n(&to->from, NULL, __ATOMIC_RELEASE);
}

const char *mbox_generation_summary(const struct mbox_generation *gen, char *buf, size_t size)
{
	unsigned n[CHANGE_REPLACED + 1] = { 0 };

	for (unsigned i = 0; i < gen->cfg->n_elements; i++)
		n[gen->lineage[i].change]++;
	snprintf(buf, size, "%u elements: %u added, %u changed, %u replaced; removed: %s", gen->cfg->n_elements,
		 n[CHANGE_ADDED], n[CHANGE_CHANGED], n[CHANGE_REPLACED], gen->removed[0] ? gen->removed : "none");
	return buf;
}
