/* The registry of element kinds: each elements/ file adds itself at load
 * time, so new kinds need no change to the core. */
#include <inttypes.h>
#include <string.h>

#include "config.h"
#include "param.h"

static struct mbox_kind *kinds;

void mbox_kind_register(struct mbox_kind *kind)
{
	struct mbox_kind **at = &kinds;

	/* The kind name is part of DPDK node names, which are limited. */
	RTE_VERIFY(strlen(kind->name) <= MBOX_KIND_NAME_MAX);
	/* Workers count into a fixed array (struct mbox_elem_rt). */
	for (unsigned c = 0; kind->counters && kind->counters[c]; c++)
		RTE_VERIFY(c < MBOX_MAX_COUNTERS);
	/* Keep the list sorted by name so listings are stable. */
	while (*at && strcmp((*at)->name, kind->name) < 0)
		at = &(*at)->next;
	kind->next = *at;
	*at = kind;
}

const struct mbox_kind *mbox_kind_first(void)
{
	return kinds;
}

const struct mbox_kind *mbox_kind_find(const char *name)
{
	for (const struct mbox_kind *k = kinds; k; k = k->next)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

unsigned mbox_kind_n_params(const struct mbox_kind *kind)
{
	return mbox_params_count(kind->params);
}

int mbox_kind_counter_index(const struct mbox_kind *kind, const char *name)
{
	for (int i = 0; name && kind->counters && kind->counters[i]; i++)
		if (!strcmp(kind->counters[i], name))
			return i;
	return -1;
}

static int param_index(const struct mbox_param *params, const char *name)
{
	for (int i = 0; params && params[i].name; i++)
		if (!strcmp(params[i].name, name))
			return i;
	return -1;
}

int mbox_kind_param_index(const struct mbox_kind *kind, const char *name)
{
	return param_index(kind->params, name);
}

const struct mbox_value *mbox_values_get(const struct mbox_param *schema,
					 const struct mbox_value *values, const char *name)
{
	int i = param_index(schema, name);

	RTE_VERIFY(i >= 0);
	return &values[i];
}

const struct mbox_value *mbox_param(const struct mbox_element *e, const char *name)
{
	return mbox_values_get(e->kind->params, e->values, name);
}

unsigned mbox_element_n_rows(const struct mbox_element *e)
{
	return e->kind->counted_list ? mbox_param(e, e->kind->counted_list)->list.n : 0;
}

const struct mbox_value *mbox_list_field(const struct mbox_value *list,
					 const struct mbox_param *fields,
					 unsigned i, const char *name)
{
	int f = param_index(fields, name);

	RTE_VERIFY(f >= 0 && i < list->list.n);
	return &list->list.items[i * mbox_params_count(fields) + (unsigned)f];
}

static void print_params(FILE *out, const struct mbox_param *params, int indent)
{
	for (const struct mbox_param *q = params; q && q->name; q++) {
		fprintf(out, "%*s%-12s %s", indent, "", q->name, mbox_ptype_text(q));
		if (q->def)
			fprintf(out, "; default %s", q->def);
		else if (q->optional)
			fprintf(out, "; optional");
		else
			fprintf(out, "; required");
		if (q->writable)
			fprintf(out, "; writable at run time");
		fprintf(out, "\n%*s%-12s %s\n", indent, "", "", q->help);
		for (unsigned c = 0; q->type == MBOX_P_ENUM && q->warnings && q->choices[c]; c++)
			if (q->warnings[c])
				fprintf(out, "%*s%-12s warns when \"%s\": %s\n", indent, "", "", q->choices[c],
					q->warnings[c]);
		if (q->type == MBOX_P_LIST)
			print_params(out, q->fields, indent + 4);
	}
}

void mbox_kinds_print(FILE *out)
{
	for (const struct mbox_kind *k = kinds; k; k = k->next) {
		fprintf(out, "%s: %s\n", k->name, k->description);
		fprintf(out, "  input:    %s\n", k->source ? "none (source, polled by each worker)" : "1");
		fprintf(out, "  outputs: ");
		if (k->outputs_text)
			fprintf(out, " %s", k->outputs_text);
		else if (!k->outputs)
			fprintf(out, " none");
		for (const char *const *o = k->outputs; o && *o; o++)
			fprintf(out, " %s", *o);
		fprintf(out, "\n  counters: in out drops cycles");
		for (const char *const *c = k->counters; c && *c; c++)
			fprintf(out, " %s", *c);
		fprintf(out, "\n  parameters:%s\n", k->params && k->params->name ? "" : " none");
		print_params(out, k->params, 4);
		fprintf(out, "\n");
	}
}
