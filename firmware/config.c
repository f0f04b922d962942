/* The configuration as a whole: the registry of its sections, parsing a
 * text section by section, and the memory a configuration owns.  No DPDK
 * calls in the configuration's files: `mboxd --check` runs anywhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"
#include "param.h"

/* Sorted by order; the core's and the management side's alike. */
static struct mbox_section *sections;
static unsigned n_sections;

void mbox_section_register(struct mbox_section *section)
{
	struct mbox_section **at = &sections;

	RTE_VERIFY(n_sections < MBOX_MAX_SECTIONS && !mbox_section_find(section->name));
	while (*at && (*at)->order <= section->order)
		at = &(*at)->next;
	section->index = n_sections++;
	section->next = *at;
	*at = section;
}

const struct mbox_section *mbox_section_find(const char *name)
{
	for (const struct mbox_section *s = sections; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

const struct mbox_value *mbox_section_value(const struct mbox_config *cfg,
					    const struct mbox_section *section, const char *name)
{
	return mbox_values_get(section->schema, cfg->section_values[section->index], name);
}

void *mbox_section_data(const struct mbox_config *cfg, const struct mbox_section *section)
{
	return cfg->section_data[section->index];
}

void mbox_section_set_data(struct mbox_parse *p, const struct mbox_section *section, void *data)
{
	p->cfg->section_data[section->index] = data;
}

static void check_section_names(struct mbox_parse *p)
{
	char known[256];
	size_t len = 0;

	known[0] = '\0';
	for (const struct mbox_section *s = sections; s; s = s->next)
		len += snprintf(known + len, len < sizeof(known) ? sizeof(known) - len : 0, "%s%s",
				len ? ", " : "", s->name);
	for (int i = 0; i < config_setting_length(p->root); i++) {
		const config_setting_t *m = config_setting_get_elem(p->root, (unsigned)i);

		if (!mbox_section_find(config_setting_name(m)))
			ERR(p, m, "unknown section '%s', expected one of: %s", config_setting_name(m), known);
	}
}

/* A section with a schema: a group of its fields, defaults when absent. */
static int parse_section(struct mbox_parse *p, const struct mbox_section *sec)
{
	const config_setting_t *s = config_setting_get_member(p->root, sec->name);
	struct mbox_value *values = NULL;

	if (sec->schema) {
		if (s && config_setting_type(s) != CONFIG_TYPE_GROUP) {
			ERR(p, s, "'%s': expected a group { ... }", sec->name);
			return -1;
		}
		values = mbox_config_alloc(p->cfg, (mbox_params_count(sec->schema) + 1) * sizeof(*values));
		if (mbox_parse_group(p, s, sec->schema, NULL, sec->name, values) < 0)
			return -1;
		p->cfg->section_values[sec->index] = values;
	}
	return sec->parse ? sec->parse(p, s, values) : 0;
}

struct mbox_config *mbox_config_parse(const char *file, const char *text, struct mbox_diag *d)
{
	struct mbox_config *cfg = calloc(1, sizeof(*cfg));
	struct mbox_parse p = { .cfg = cfg, .d = d, .text = text };
	unsigned before = d->errors;
	bool chain_ok = true;

	if (cfg)
		config_init(&cfg->lc);
	if (!cfg || !(cfg->file = strdup(file)) || !(cfg->text = strdup(text))) {
		mbox_diag_error(d, file, 0, "out of memory");
		mbox_config_free(cfg);
		return NULL;
	}
	if (mbox_config_read(&cfg->lc, file, text, d) < 0) {
		mbox_config_free(cfg);
		return NULL;
	}
	p.root = config_root_setting(&cfg->lc);
	check_section_names(&p);
	for (const struct mbox_section *sec = sections; sec; sec = sec->next) {
		if (sec->chained && !chain_ok)
			continue;
		if (parse_section(&p, sec) < 0 && sec->chained)
			chain_ok = false;
	}
	if (d->errors != before) {
		mbox_config_free(cfg);
		return NULL;
	}
	return cfg;
}

int mbox_config_element_index(const struct mbox_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_elements; i++)
		if (!strcmp(cfg->elements[i].name, name))
			return (int)i;
	return -1;
}

int mbox_config_port_index(const struct mbox_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (!strcmp(cfg->ports[i].name, name))
			return (int)i;
	return -1;
}

struct arena_block {
	struct arena_block *next;
	max_align_t data[];
};

/* Not inlined: the fault-injection tests (tests/fault/fault.c) recognise
 * its calloc, which must not fail, by where it is called from. */
__attribute__((noinline)) void *mbox_config_alloc(struct mbox_config *cfg, size_t size)
{
	struct arena_block *b = calloc(1, sizeof(*b) + size);

	if (!b) {
		fprintf(stderr, "mboxd: out of memory reading the configuration\n");
		abort();
	}
	b->next = cfg->arena;
	cfg->arena = b;
	return b->data;
}

void mbox_config_free(struct mbox_config *cfg)
{
	if (!cfg)
		return;
	for (struct arena_block *b = cfg->arena, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	config_destroy(&cfg->lc);
	free(cfg->text);
	free((void *)cfg->file);
	free(cfg);
}

