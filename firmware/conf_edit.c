/* The edit engine: values as managers read and write them (text in
 * configuration syntax), checked as the file would be, and a
 * configuration's text with changes applied (what a SET builds). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"
#include "param.h"


/* Deep copy of src as member `name` of parent (name ignored in lists). */
static int copy_setting(config_setting_t *parent, const char *name, const config_setting_t *src)
{
	int type = config_setting_type(src);
	config_setting_t *dst;
	struct mbox_int x;

	/* libconfig holds every literal that fits 64 bits (mbox_config_read);
	 * a longer one has no value to copy. */
	if (mbox_setting_int(src, &x) && (x.huge || x.magnitude > (x.negative ? (uint64_t)INT64_MAX + 1 : INT64_MAX)))
		return -1;
	if (!(dst = config_setting_add(parent, name, type)))
		return -1;
	config_setting_set_format(dst, config_setting_get_format(src));
	switch (type) {
	case CONFIG_TYPE_INT:
		return config_setting_set_int(dst, config_setting_get_int(src)) ? 0 : -1;
	case CONFIG_TYPE_INT64:
		return config_setting_set_int64(dst, config_setting_get_int64(src)) ? 0 : -1;
	case CONFIG_TYPE_FLOAT:
		return config_setting_set_float(dst, config_setting_get_float(src)) ? 0 : -1;
	case CONFIG_TYPE_STRING:
		return config_setting_set_string(dst, config_setting_get_string(src)) ? 0 : -1;
	case CONFIG_TYPE_BOOL:
		return config_setting_set_bool(dst, config_setting_get_bool(src)) ? 0 : -1;
	default:
		for (int i = 0; i < config_setting_length(src); i++) {
			const config_setting_t *m = config_setting_get_elem(src, (unsigned)i);

			if (copy_setting(dst, config_setting_name(m), m) < 0)
				return -1;
		}
		return 0;
	}
}

static bool textual(const struct mbox_param *q)
{
	return q->type != MBOX_P_UINT && q->type != MBOX_P_BOOL &&
	       q->type != MBOX_P_LIST && q->type != MBOX_P_STRLIST;
}

/* Parse a manager's text for q into lc as its only setting, "value".
 * Strings come without quotes; everything else in configuration syntax. */
static int read_value(config_t *lc, const struct mbox_param *q, const char *text,
		      struct mbox_diag *d, const char *what)
{
	size_t n = strlen(text);
	char *src = malloc(4 * n + 16), *o = src;
	struct mbox_diag quiet = { 0 };
	int ok;

	if (!src) {
		mbox_diag_error(d, "SET", 0, "%s: out of memory", what);
		return -1;
	}
	o += sprintf(o, "value = %s", textual(q) ? "\"" : "");
	for (const char *c = text; *c; c++) {
		if (textual(q) && (*c == '"' || *c == '\\'))
			*o++ = '\\';
		if ((unsigned char)*c < ' ') {
			free(src);
			mbox_diag_error(d, "SET", 0, "%s: field '%s': control character in the value, expected %s",
					what, q->name, mbox_ptype_text(q));
			return -1;
		}
		*o++ = *c;
	}
	strcpy(o, textual(q) ? "\";" : ";");
	/* One message for any fault in the text: the field and what it expects. */
	ok = mbox_config_read(lc, "SET", src, &quiet) == 0 && config_setting_length(config_root_setting(lc)) == 1;
	free(src);
	if (!ok)
		mbox_diag_error(d, "SET", 0, "%s: field '%s': \"%s\" is not valid, expected %s", what, q->name,
				text, mbox_ptype_text(q));
	return ok ? 0 : -1;
}

int mbox_config_check_value(const struct mbox_config *cfg, const struct mbox_param *q,
			    const char *what, const char *text, struct mbox_diag *d)
{
	struct mbox_config *scratch = calloc(1, sizeof(*scratch));
	struct mbox_parse p = { .cfg = scratch, .d = d, .text = text };
	struct mbox_value v;
	int rc = -1;

	if (!scratch) {
		mbox_diag_error(d, "SET", 0, "out of memory");
		return -1;
	}
	config_init(&scratch->lc);
	scratch->file = strdup("SET");
	scratch->n_ports = cfg->n_ports;
	memcpy(scratch->ports, cfg->ports, sizeof(cfg->ports));
	if (read_value(&scratch->lc, q, text, d, what) == 0)
		rc = mbox_parse_value(&p, config_lookup(&scratch->lc, "value"), q, what, &v);
	mbox_config_free(scratch);
	return rc;
}

static config_setting_t *edit_group(config_t *lc, const struct mbox_edit *e)
{
	config_setting_t *root = config_root_setting(lc), *g;

	if (!e->section)
		return config_setting_get_elem(config_setting_get_member(root, "elements"), (unsigned)e->element);
	g = config_setting_get_member(root, e->section);
	return g ? g : config_setting_add(root, e->section, CONFIG_TYPE_GROUP);
}

/* "{ a = 1; }" for "a = 1;" or "{ a = 1; }": one list item as list text. */
static char *row_as_list(const char *text)
{
	const char *t = text + strspn(text, " \t");
	char *list = malloc(strlen(text) + sizeof("( {  } )"));

	if (list)
		sprintf(list, *t == '{' ? "( %s )" : "( { %s } )", text);
	return list;
}

int mbox_config_check_row(const struct mbox_config *cfg, const struct mbox_param *q,
			  const char *what, const char *text, struct mbox_diag *d)
{
	struct mbox_param one = *q;
	char *list = row_as_list(text);
	int rc;

	one.min = one.max = 1;
	if (!list) {
		mbox_diag_error(d, "SET", 0, "%s: out of memory", what);
		return -1;
	}
	rc = mbox_config_check_value(cfg, &one, what, list, d);
	free(list);
	return rc;
}

/* Replace, insert or delete item e->row of the list e->param in group g.
 * libconfig cannot insert in the middle of a list, so the list is
 * rebuilt: items before the row, the new item, the items after it. */
static int edit_row(config_setting_t *g, const struct mbox_edit *e, struct mbox_diag *d, const char *file)
{
	config_setting_t *list = config_setting_get_member(g, e->param->name), *rebuilt;
	unsigned n = list ? (unsigned)config_setting_length(list) : 0;
	unsigned skip = e->op == EDIT_ROW_INSERT ? 0 : 1; /* old items the row replaces */
	config_t old, item;
	char *text = e->op == EDIT_ROW_DELETE ? NULL : row_as_list(e->text);
	int rc = 0;

	if (e->row > n || (e->row == n && e->op != EDIT_ROW_INSERT)) {
		mbox_diag_error(d, file, 0, "field '%s': no row %u (%u rows)", e->param->name, e->row + 1, n);
		free(text);
		return -1;
	}
	config_init(&old);
	config_init(&item);
	if (text)
		rc = read_value(&item, e->param, text, d, file);
	free(text);
	if (rc == 0 && list)
		rc = copy_setting(config_root_setting(&old), "v", list);
	if (list)
		config_setting_remove(g, e->param->name);
	rebuilt = rc == 0 ? config_setting_add(g, e->param->name, CONFIG_TYPE_LIST) : NULL;
	for (unsigned i = 0; rebuilt && rc == 0 && i <= n; i++) {
		if (i == e->row && e->op != EDIT_ROW_DELETE)
			rc = copy_setting(rebuilt, NULL, config_setting_get_elem(config_lookup(&item, "value"), 0));
		if (rc == 0 && i < n && !(i == e->row && skip))
			rc = copy_setting(rebuilt, NULL, config_setting_get_elem(config_lookup(&old, "v"), i));
	}
	config_destroy(&old);
	config_destroy(&item);
	return rebuilt ? rc : -1;
}

char *mbox_config_edit(const struct mbox_config *cfg, const struct mbox_edit *edits,
		       unsigned n, struct mbox_diag *d)
{
	config_t lc;
	char *text = NULL;
	size_t size = 0;
	FILE *out;
	int rc = 0;
	unsigned i, before = d->errors;

	config_init(&lc);
	if (mbox_config_read(&lc, cfg->file, cfg->text, d) < 0) {
		config_destroy(&lc);
		return NULL;
	}
	for (i = 0; i < n && rc == 0; i++) {
		const struct mbox_edit *e = &edits[i];
		config_setting_t *g = edit_group(&lc, e);
		config_t value;

		if (!g) {
			mbox_diag_error(d, cfg->file, 0, "no element %d", e->element);
			rc = -1;
			break;
		}
		if (e->op != EDIT_VALUE) {
			rc = edit_row(g, e, d, cfg->file);
			continue;
		}
		if (config_setting_get_member(g, e->param->name))
			config_setting_remove(g, e->param->name);
		if (*e->text == '\0' && e->param->optional)
			continue;
		config_init(&value);
		rc = read_value(&value, e->param, e->text, d, cfg->file);
		if (rc == 0)
			rc = copy_setting(g, e->param->name, config_lookup(&value, "value"));
		config_destroy(&value);
	}
	if (rc < 0 && d->errors == before) /* edits[i - 1] failed: a value libconfig cannot hold */
		mbox_diag_error(d, cfg->file, 0, "field '%s': \"%s\" cannot be written, expected %s",
				edits[i - 1].param->name, edits[i - 1].text ? edits[i - 1].text : "",
				mbox_ptype_text(edits[i - 1].param));
	out = rc == 0 ? open_memstream(&text, &size) : NULL;
	if (out) {
		fprintf(out, "# Running configuration written by mboxd.\n");
		config_write(&lc, out);
		fclose(out);
	}
	config_destroy(&lc);
	return rc == 0 ? text : NULL;
}

static void setting_text(const config_setting_t *s, char *buf, size_t size)
{
	config_t lc;
	char *text = NULL, *o;
	size_t n = 0;
	FILE *out = open_memstream(&text, &n);

	buf[0] = '\0';
	config_init(&lc);
	if (out && copy_setting(config_root_setting(&lc), "v", s) == 0)
		config_write(&lc, out);
	if (out)
		fclose(out);
	config_destroy(&lc);
	if (!text)
		return;
	/* "v = VALUE;\n" on one line, its indentation collapsed. */
	o = buf;
	for (const char *c = text + strlen("v = "); *c && (size_t)(o - buf) + 1 < size; c++) {
		if (*c == '\n' || (*c == ' ' && o > buf && (o[-1] == ' ')))
			continue;
		*o++ = *c;
	}
	while (o > buf && (o[-1] == ';' || o[-1] == ' '))
		o--;
	*o = '\0';
	free(text);
}

/* v (a value of q) as text; list values from their setting `s`. */
static char *value_text(const struct mbox_config *cfg, const struct mbox_param *q, const struct mbox_value *v,
			const config_setting_t *s, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!v || !v->present)
		return buf;
	switch (q->type) {
	case MBOX_P_UINT:
		snprintf(buf, size, "%" PRIu64, v->u);
		break;
	case MBOX_P_BOOL:
		snprintf(buf, size, "%s", v->b ? "true" : "false");
		break;
	case MBOX_P_STRING:
		snprintf(buf, size, "%s", v->s);
		break;
	case MBOX_P_MAC:
		rte_ether_format_addr(buf, (uint16_t)RTE_MIN(size, 64u), &v->mac);
		break;
	case MBOX_P_PORT:
		snprintf(buf, size, "%s", cfg->ports[v->port].name);
		break;
	case MBOX_P_IPV4:
	case MBOX_P_PREFIX:
		mbox_prefix_text(v->ip.addr, q->type == MBOX_P_IPV4 ? 32 : v->ip.len, buf, size);
		break;
	case MBOX_P_RANGE:
		if (v->range.lo == v->range.hi)
			snprintf(buf, size, "%" PRIu64, v->range.lo);
		else
			snprintf(buf, size, "%" PRIu64 "-%" PRIu64, v->range.lo, v->range.hi);
		break;
	case MBOX_P_ENUM:
		snprintf(buf, size, "%s", q->choices[v->u]);
		break;
	case MBOX_P_LIST:
	case MBOX_P_STRLIST:
		setting_text(config_setting_get_member(s, q->name), buf, size);
		break;
	}
	return buf;
}

char *mbox_config_value_text(const struct mbox_config *cfg, int element,
			     const struct mbox_param *q, char *buf, size_t size)
{
	const struct mbox_element *e = &cfg->elements[element];
	const config_setting_t *g = config_setting_get_elem(config_lookup(&cfg->lc, "elements"), (unsigned)element);

	return value_text(cfg, q, mbox_param(e, q->name), g, buf, size);
}

char *mbox_config_section_text(const struct mbox_config *cfg, const struct mbox_section *section,
			       const struct mbox_param *q, char *buf, size_t size)
{
	return value_text(cfg, q, mbox_section_value(cfg, section, q->name),
			  config_lookup(&cfg->lc, section->name), buf, size);
}

char *mbox_config_row_text(const struct mbox_config *cfg, unsigned element,
			   const struct mbox_param *q, unsigned row, char *buf, size_t size)
{
	const config_setting_t *g = config_setting_get_elem(config_lookup(&cfg->lc, "elements"), element);
	const config_setting_t *list = g ? config_setting_get_member(g, q->name) : NULL;
	const config_setting_t *item = list ? config_setting_get_elem(list, row) : NULL;

	buf[0] = '\0';
	if (item)
		setting_text(item, buf, size);
	return buf;
}
