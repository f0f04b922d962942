/* The graph sections: elements (each read with its kind's schema and
 * setup hook) and links ("a -> b[out] -> c"), then the whole graph's
 * checks: every output linked once, every element fed, no cycle. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"

static const char *const element_keys[] = { "name", "kind", NULL };
static int parse_element(struct mbox_parse *p, const config_setting_t *g, int i)
{
	struct mbox_config *cfg = p->cfg;
	struct mbox_element *e = &cfg->elements[cfg->n_elements];
	const char *name = NULL, *kind = NULL;
	char what[80];

	snprintf(what, sizeof(what), "elements[%d]", i);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		ERR(p, g, "%s: expected a group { name = ...; kind = ...; }", what);
		return -1;
	}
	if (!config_setting_lookup_string(g, "name", &name)) {
		ERR(p, g, "%s: missing field 'name' (a string)", what);
		return -1;
	}
	snprintf(what, sizeof(what), "element '%s'", name);
	if (!mbox_valid_identifier(name)) {
		ERR(p, g, "%s: field 'name': not a name, expected letters, digits and '_' (at most %d, not starting with a digit)",
		    what, MBOX_NAME_MAX);
		return -1;
	}
	if (mbox_config_element_index(cfg, name) >= 0) {
		ERR(p, g, "%s: defined twice", what);
		return -1;
	}
	if (!config_setting_lookup_string(g, "kind", &kind)) {
		ERR(p, g, "%s: missing field 'kind' (a string naming an element kind; see mboxd --list-elements)", what);
		return -1;
	}
	e->kind = mbox_kind_find(kind);
	if (!e->kind) {
		char known[512];
		size_t len = 0;

		known[0] = '\0';
		for (const struct mbox_kind *k = mbox_kind_first(); k; k = k->next)
			len += snprintf(known + len, len < sizeof(known) ? sizeof(known) - len : 0,
					"%s%s", len ? ", " : "", k->name);
		ERR(p, config_setting_get_member(g, "kind"), "%s: unknown element kind '%s', expected one of: %s",
		    what, kind, known);
		return -1;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->file = mbox_parse_file(p, g);
	e->line = config_setting_source_line(g);
	e->values = mbox_config_alloc(cfg, (mbox_kind_n_params(e->kind) + 1) * sizeof(*e->values));
	if (mbox_parse_group(p, g, e->kind->params, element_keys, what, e->values) < 0)
		return -1;
	e->n_outputs = 0;
	for (const char *const *o = e->kind->outputs; o && *o; o++)
		e->output_names[e->n_outputs++] = *o;
	if (e->kind->setup && e->kind->setup(e, cfg, p->d) < 0)
		return -1;
	for (unsigned o = 0; o < e->n_outputs; o++)
		e->output_target[o] = -1;
	cfg->n_elements++;
	return 0;
}

static int parse_elements(struct mbox_parse *p, const config_setting_t *s, const struct mbox_value *unused)
{
	int rc = 0;

	(void)unused;
	if (!s || config_setting_type(s) != CONFIG_TYPE_LIST || config_setting_length(s) == 0) {
		ERR(p, s ? s : p->root, "'elements': expected a non-empty list of groups ( { name = ...; kind = ...; }, ... )");
		return -1;
	}
	if (config_setting_length(s) > MBOX_MAX_ELEMENTS) {
		ERR(p, s, "'elements': %d elements, expected at most %d", config_setting_length(s), MBOX_MAX_ELEMENTS);
		return -1;
	}
	for (int i = 0; i < config_setting_length(s); i++)
		if (parse_element(p, config_setting_get_elem(s, (unsigned)i), i) < 0)
			rc = -1;
	return rc;
}

/* One "name" or "name[output]" token of a link chain. */
struct link_token {
	char name[MBOX_NAME_MAX + 2];
	char output[MBOX_NAME_MAX + 2];
	bool has_output;
};

static int split_token(const char *s, size_t n, struct link_token *t)
{
	const char *open;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	memset(t, 0, sizeof(*t));
	open = memchr(s, '[', n);
	if (open) {
		size_t name_len = (size_t)(open - s), out_len = n - name_len - 2;

		if (s[n - 1] != ']' || name_len == 0 || out_len == 0 ||
		    name_len > MBOX_NAME_MAX || out_len > MBOX_NAME_MAX)
			return -1;
		memcpy(t->name, s, name_len);
		memcpy(t->output, open + 1, out_len);
		t->has_output = true;
	} else {
		if (n == 0 || n > MBOX_NAME_MAX)
			return -1;
		memcpy(t->name, s, n);
	}
	return mbox_valid_identifier(t->name) ? 0 : -1;
}

static int resolve_output(struct mbox_parse *p, const config_setting_t *s,
			  const struct mbox_element *e, const struct link_token *t)
{
	char outs[512];
	size_t len = 0;

	if (t->has_output) {
		char *end;
		unsigned long idx;

		if (mbox_parse_digits(t->output, &end, &idx) && *end == '\0' && idx < e->n_outputs)
			return (int)idx;
		for (unsigned o = 0; o < e->n_outputs; o++)
			if (!strcmp(e->output_names[o], t->output))
				return (int)o;
	} else if (e->n_outputs == 1) {
		return 0;
	}
	outs[0] = '\0';
	for (unsigned o = 0; o < e->n_outputs; o++)
		len += snprintf(outs + len, len < sizeof(outs) ? sizeof(outs) - len : 0,
				"%s[%u] %s", o ? ", " : "", o, e->output_names[o]);
	if (t->has_output)
		ERR(p, s, "link: element '%s' has no output '%s', expected one of: %s", e->name, t->output, outs);
	else
		ERR(p, s, "link: element '%s' (%s) has %u outputs, name one as %s[NAME] or %s[N]: %s",
		    e->name, e->kind->name, e->n_outputs, e->name, e->name, outs);
	return -1;
}

static int parse_link(struct mbox_parse *p, const config_setting_t *s)
{
	struct mbox_config *cfg = p->cfg;
	const char *text = config_setting_get_string(s);
	struct link_token prev, cur;
	int prev_idx = -1, rc = 0;
	bool first = true;

	for (const char *at = text;;) {
		const char *arrow = strstr(at, "->");
		size_t n = arrow ? (size_t)(arrow - at) : strlen(at);
		int idx;

		if (split_token(at, n, &cur) < 0) {
			ERR(p, s, "link \"%s\": \"%.*s\" is not an element reference, expected NAME or NAME[OUTPUT] between '->'",
			    text, (int)n, at);
			return -1;
		}
		idx = mbox_config_element_index(cfg, cur.name);
		if (idx < 0) {
			ERR(p, s, "link \"%s\": unknown element '%s'", text, cur.name);
			return -1;
		}
		if (!first) {
			struct mbox_element *src = &cfg->elements[prev_idx];
			struct mbox_element *dst = &cfg->elements[idx];
			int out;

			if (src->n_outputs == 0) {
				ERR(p, s, "link \"%s\": element '%s' (%s) has no outputs", text, src->name, src->kind->name);
				return -1;
			}
			if (dst->kind->source) {
				ERR(p, s, "link \"%s\": element '%s' (%s) is a source and takes no input",
				    text, dst->name, dst->kind->name);
				return -1;
			}
			out = resolve_output(p, s, src, &prev);
			if (out < 0)
				return -1;
			if (src->output_target[out] >= 0) {
				ERR(p, s, "link \"%s\": output %s[%s] is already connected to '%s' at line %d, expected one link per output",
				    text, src->name, src->output_names[out],
				    cfg->elements[src->output_target[out]].name, src->output_line[out]);
				rc = -1;
			} else {
				src->output_target[out] = idx;
				src->output_line[out] = mbox_parse_line(p, s);
				dst->n_inputs++;
			}
		}
		prev = cur;
		prev_idx = idx;
		first = false;
		if (!arrow)
			break;
		at = arrow + 2;
	}
	if (prev.has_output) {
		ERR(p, s, "link \"%s\": the last element '%s' names an output but links to nothing", text, prev.name);
		return -1;
	}
	if (!strstr(text, "->")) {
		ERR(p, s, "link \"%s\": expected at least two elements joined by '->'", text);
		return -1;
	}
	return rc;
}

static int check_graph(struct mbox_parse *p);

static int parse_links(struct mbox_parse *p, const config_setting_t *s, const struct mbox_value *unused)
{
	int rc = 0;

	(void)unused;
	if (!s || (config_setting_type(s) != CONFIG_TYPE_LIST && config_setting_type(s) != CONFIG_TYPE_ARRAY)) {
		ERR(p, s ? s : p->root, "'links': expected a list of strings like \"rx0 -> counter0 -> tx1\"");
		return -1;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *l = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(l) != CONFIG_TYPE_STRING) {
			ERR(p, l, "links[%d]: expected a string like \"rx0 -> counter0 -> tx1\"", i);
			rc = -1;
		} else if (parse_link(p, l) < 0) {
			rc = -1;
		}
	}
	return rc ? rc : check_graph(p);
}

/* Depth-first search for a cycle; reports the first one found. */
static int find_cycle(struct mbox_parse *p, int v, int *state, int *stack, int depth)
{
	struct mbox_config *cfg = p->cfg;
	const struct mbox_element *e = &cfg->elements[v];

	state[v] = 1;
	stack[depth] = v;
	for (unsigned o = 0; o < e->n_outputs; o++) {
		int w = e->output_target[o];

		if (w < 0)
			continue;
		if (state[w] == 1) {
			char path[1024];
			size_t len = 0;
			int k = depth;

			/* state 1: w is on the stack, so this stops. */
			while (stack[k] != w) /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult) */
				k--;
			path[0] = '\0';
			for (; k <= depth; k++)
				len += snprintf(path + len, len < sizeof(path) ? sizeof(path) - len : 0,
						"%s -> ", cfg->elements[stack[k]].name);
			snprintf(path + len, len < sizeof(path) ? sizeof(path) - len : 0, "%s",
				 cfg->elements[w].name);
			mbox_diag_error(p->d, e->file, e->output_line[o],
					"links form a cycle (%s), expected an acyclic graph", path);
			return -1;
		}
		if (state[w] == 0 && find_cycle(p, w, state, stack, depth + 1) < 0)
			return -1;
	}
	state[v] = 2;
	return 0;
}

static int check_graph(struct mbox_parse *p)
{
	struct mbox_config *cfg = p->cfg;
	int state[MBOX_MAX_ELEMENTS] = { 0 }, stack[MBOX_MAX_ELEMENTS];
	int rc = 0;

	for (unsigned i = 0; i < cfg->n_elements; i++) {
		const struct mbox_element *e = &cfg->elements[i];

		for (unsigned o = 0; o < e->n_outputs; o++)
			if (e->output_target[o] < 0) {
				mbox_diag_error(p->d, e->file, e->line,
						"element '%s': output [%u] %s is not connected, expected a link \"%s[%s] -> ...\" (use a drop element to discard)",
						e->name, o, e->output_names[o], e->name, e->output_names[o]);
				rc = -1;
			}
		if (!e->kind->source && e->n_inputs == 0) {
			mbox_diag_error(p->d, e->file, e->line,
					"element '%s': nothing links into it, expected it on the right of a '->'", e->name);
			rc = -1;
		}
	}
	for (unsigned i = 0; i < cfg->n_elements && rc == 0; i++)
		if (state[i] == 0 && find_cycle(p, (int)i, state, stack, 0) < 0)
			rc = -1;
	if (rc == 0) {
		bool any_source = false;

		for (unsigned i = 0; i < cfg->n_elements; i++)
			any_source |= cfg->elements[i].kind->source;
		if (!any_source) {
			mbox_diag_error(p->d, cfg->file, 0,
					"no source element (such as port_rx), expected at least one");
			rc = -1;
		}
	}
	return rc;
}

static struct mbox_section elements_section = {
	.name = "elements", .order = 30, .chained = true, .parse = parse_elements,
};
static struct mbox_section links_section = {
	.name = "links", .order = 40, .chained = true, .parse = parse_links,
};
MBOX_SECTION_REGISTER(elements_section)
MBOX_SECTION_REGISTER(links_section)
